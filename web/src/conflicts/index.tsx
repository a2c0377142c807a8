// Fields two people changed at once: each value with who wrote it and
// when; a person keeps one or types the right one, as `linli conflicts`
// and `linli resolve` do.

import { useState } from "preact/hooks";
import type { ConflictLine } from "../api";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Conflicts({ t, canEdit }: { t: Strings; canEdit: boolean }) {
  const list = useWorker(() => bridge.conflicts(), []);
  if (!list) return <p class="hint">{t.loading}</p>;
  return (
    <div>
      <h1>{t.conflicts}</h1>
      {list.length === 0 && <p class="hint">{t.noConflicts}</p>}
      {list.map((c) => (
        <One key={`${c.doc}/${c.path.join("/")}`} t={t} c={c} canEdit={canEdit} />
      ))}
    </div>
  );
}

function One({ t, c, canEdit }: { t: Strings; c: ConflictLine; canEdit: boolean }) {
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const settle = (keep: string, value: string) =>
    bridge.resolve(c.doc, c.path, keep, value).catch((e: Error) => setError(e.message));
  return (
    <section class="conflict" data-testid="conflict">
      <h2>
        {c.place && <span class="sub">{c.place} · </span>}
        {t.conflictField(c.path)}
      </h2>
      <ul class="rows">
        {c.values.map((v) => (
          <li key={v.op}>
            <div>
              <span class="big">{v.text}</span>
              <div class="sub">
                {t.writtenBy(v.author ?? "?", v.at !== null ? t.date(v.at) : "?")}
                {v.winner && ` · ${t.shownNow}`}
              </div>
            </div>
            {canEdit && (
              <button class="small" onClick={() => settle(v.op, "")} data-testid="keep">
                {t.keepThis}
              </button>
            )}
          </li>
        ))}
      </ul>
      {canEdit && (
        <div>
          <input
            class="search"
            placeholder={t.typeNew}
            value={typed}
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          />
          <button class="secondary" disabled={typed.trim() === ""} onClick={() => settle("", typed.trim())}>
            {t.useNew}
          </button>
        </div>
      )}
      {error && <p class="error">{t.error(error)}</p>}
    </section>
  );
}
