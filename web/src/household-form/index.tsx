// Adding a household to a building, or changing one's address, tags and
// notes. The Rust records code checks and writes it, as the CLI does.

import { useState } from "preact/hooks";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";
import { Field, splitTags } from "../form";

export function HouseholdForm({
  t,
  building,
  id,
  done,
}: {
  t: Strings;
  building: string;
  id: string | null;
  done: () => void;
}) {
  const page = useWorker(() => (id ? bridge.household(id) : Promise.resolve(null)), [id]);
  if (id && !page) return <p class="hint">{t.loading}</p>;
  return <Form key={id ?? "new"} t={t} building={building} id={id} page={page ?? null} done={done} />;
}

function Form({
  t,
  building,
  id,
  page,
  done,
}: {
  t: Strings;
  building: string;
  id: string | null;
  page: { unit: string; floor: number | null; room: string; tags: string[]; notes: string } | null;
  done: () => void;
}) {
  const [unit, setUnit] = useState(page?.unit ?? "");
  const [floor, setFloor] = useState(page?.floor?.toString() ?? "");
  const [room, setRoom] = useState(page?.room ?? "");
  const [tags, setTags] = useState((page?.tags ?? []).join("，"));
  const [notes, setNotes] = useState(page?.notes ?? "");
  const [error, setError] = useState<string | null>(null);
  const save = () => {
    const f = floor.trim() === "" ? null : Number.parseInt(floor, 10);
    bridge
      .saveHousehold(building, id ?? "", {
        unit,
        floor: f !== null && Number.isFinite(f) ? f : null,
        room,
        tags: splitTags(tags),
        notes,
      })
      .then(done, (e: Error) => setError(e.message));
  };
  return (
    <div>
      <h1>{id ? t.editHousehold : t.addHousehold}</h1>
      <Field label={t.unit} value={unit} set={setUnit} name="unit" />
      <Field label={t.floor} value={floor} set={setFloor} name="floor" numeric />
      <Field label={t.roomNo} value={room} set={setRoom} name="room" />
      <Field label={t.tagsHint} value={tags} set={setTags} name="tags" />
      <Field label={t.notes} value={notes} set={setNotes} name="notes" multiline />
      <button class="primary" onClick={save} data-testid="save">
        {t.save}
      </button>
      {error && <p class="error">{t.error(error)}</p>}
    </div>
  );
}
