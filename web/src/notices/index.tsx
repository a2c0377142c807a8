// Notices (通知公告) for this phone's person: unread ones on top, each with
// one big "I have read it" button. Marking read works offline; the street
// office sees it once the phone syncs.

import { useState } from "preact/hooks";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Notices({ t, canEdit }: { t: Strings; canEdit: boolean }) {
  const list = useWorker(() => bridge.notices(), []);
  const [error, setError] = useState<string | null>(null);
  if (!list) return <p class="hint">{t.loading}</p>;
  if (list.length === 0) return <p class="hint">{t.noNotices}</p>;
  const read = (id: string) => {
    setError(null);
    bridge.readNotice(id).catch((e: Error) => setError(e.message));
  };
  return (
    <div>
      {error && <p class="error">{t.error(error)}</p>}
      <ul class="cards">
        {list.map((n) => (
          <li key={n.id} class="card" data-notice={n.id} data-read={n.read_at !== null}>
            <span class="big">
              {n.read_at === null && <span class="state open">{t.unread}</span>} {n.title}
            </span>
            <span class="sub">
              {n.community} · {t.date(n.at)}
              {n.deadline !== null && ` · ${t.readBefore(t.date(n.deadline))}`}
            </span>
            <p class="notice-body">{n.body}</p>
            {n.read_at === null ? (
              canEdit && (
                <button class="primary" onClick={() => read(n.id)} data-testid="mark-read">
                  {t.markRead}
                </button>
              )
            ) : (
              <span class="sub">
                {t.readOn(t.date(n.read_at))} · {t.readBy(n.reads)}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
