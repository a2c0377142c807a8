// 通知: the notices the office (or a community) sent to building heads,
// with who has read each and who has not yet, by name; a street admin
// publishes a new one to one or more communities, narrowed to compounds
// or buildings if she likes. The relay writes it on each community's
// newest board, so it reaches exactly those communities' heads.

import { useState } from "preact/hooks";
import type { Directory, NoticeRow } from "./api";
import { post, useOffice } from "./api";
import { Field } from "../form";
import type { Strings } from "../strings";
import type { OfficeStrings } from "./strings";

export function NoticesSection({ o, t, admin }: { o: OfficeStrings; t: Strings; admin: boolean }) {
  const { data, error, reload } = useOffice<NoticeRow[]>("notices", []);
  if (error) return <p class="error">{o.failed(error)}</p>;
  if (!data) return <p class="hint">…</p>;
  return (
    <div data-section="notices" data-ready="yes">
      {admin && <Publish o={o} done={reload} />}
      {data.length === 0 && <p class="hint">{o.nothing}</p>}
      <ul class="rows">
        {data.map((n) => (
          <li key={`${n.id}-${n.community}`} data-notice={n.id} data-community={n.community}>
            <div>
              <span class="big">{n.title}</span>{" "}
              <span class="sub">
                {n.community_name} · {t.date(n.at)}
                {n.deadline !== null && ` · ${t.readBefore(t.date(n.deadline))}`}
              </span>
              {n.body && <div class="notice-body">{n.body}</div>}
              <div data-testid="read-count">{o.readCount(n.read.length, n.read.length + n.unread.length)}</div>
              {n.unread.length > 0 && (
                <div class="overdue" data-testid="unread">
                  {o.unreadBy(n.unread.join("、"))}
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function Publish({ o, done }: { o: OfficeStrings; done: () => void }) {
  const dir = useOffice<Directory>("directory", []);
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [deadline, setDeadline] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  if (!open) {
    return (
      <button class="primary" onClick={() => setOpen(true)} data-testid="new-notice">
        {o.newNotice}
      </button>
    );
  }
  const communities = Object.entries((dir.data as Directory | undefined)?.communities ?? {});
  const toggle = (id: string) => setPicked(picked.includes(id) ? picked.filter((p) => p !== id) : [...picked, id]);
  const send = async () => {
    setError(null);
    try {
      await post("notices", { communities: picked, title, body, deadline: deadline || null });
      setOpen(false);
      setTitle("");
      setBody("");
      setPicked([]);
      done();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="form" data-testid="notice-form">
      <h2>{o.newNotice}</h2>
      <p class="sub">{o.noticeFor}</p>
      <div class="chips">
        {communities.map(([id, c]) => (
          <button key={id} class={picked.includes(id) ? "chip on" : "chip"} onClick={() => toggle(id)} data-community={id}>
            {c.name}
          </button>
        ))}
      </div>
      <Field label={o.noticeTitle} value={title} set={setTitle} name="notice-title" />
      <Field label={o.noticeBody} value={body} set={setBody} name="notice-body" multiline />
      <label class="field">
        <span>{o.noticeDeadline}</span>
        <input
          class="search"
          type="date"
          name="notice-deadline"
          value={deadline}
          onInput={(e) => setDeadline((e.target as HTMLInputElement).value)}
        />
      </label>
      <button class="primary" onClick={() => void send()} data-testid="send-notice">
        {o.publishNotice}
      </button>
      {error && <p class="error">{o.failed(error)}</p>}
    </section>
  );
}
