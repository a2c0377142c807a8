// Adding a resident to a household or changing one: name, year of birth,
// phone, relation, tags and a note.

import { useState } from "preact/hooks";
import type { MemberLine } from "../api";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { Field, splitTags } from "../form";

export function MemberForm({
  t,
  household,
  member,
  done,
}: {
  t: Strings;
  household: string;
  member: MemberLine | null;
  done: () => void;
}) {
  const [name, setName] = useState(member?.name ?? "");
  const [year, setYear] = useState(member?.birth_year?.toString() ?? "");
  const [phone, setPhone] = useState(member?.phone ?? "");
  const [relation, setRelation] = useState(member?.relation ?? "other");
  const [tags, setTags] = useState((member?.tags ?? []).join("，"));
  const [note, setNote] = useState(member?.note ?? "");
  const [error, setError] = useState<string | null>(null);
  const save = () => {
    const y = Number.parseInt(year, 10);
    bridge
      .saveMember(household, member?.id ?? "", {
        name,
        gender: member?.gender ?? null,
        birth_year: Number.isFinite(y) ? y : 0,
        phone: phone.trim() === "" ? null : phone,
        relation,
        tags: splitTags(tags),
        note,
      })
      .then(done, (e: Error) => setError(e.message));
  };
  return (
    <div>
      <h1>{member ? `${t.editMember} ${member.name}` : t.addMember}</h1>
      <Field label={t.name} value={name} set={setName} name="name" />
      <Field label={t.birthYear} value={year} set={setYear} name="birth_year" numeric />
      <Field label={t.phone} value={phone} set={setPhone} name="phone" numeric />
      <label class="field">
        <span>{t.relationLabel}</span>
        <select class="search" value={relation} onChange={(e) => setRelation((e.target as HTMLSelectElement).value)}>
          {t.relations.map((r) => (
            <option key={r} value={r}>
              {t.relation(r)}
            </option>
          ))}
        </select>
      </label>
      <Field label={t.tagsHint} value={tags} set={setTags} name="tags" />
      <Field label={t.memberNote} value={note} set={setNote} name="note" multiline />
      <button class="primary" onClick={save} data-testid="save">
        {t.save}
      </button>
      {error && <p class="error">{t.error(error)}</p>}
    </div>
  );
}
