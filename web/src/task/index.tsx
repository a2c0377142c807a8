// One task: what is needed, who holds it, and the next step as one big
// button (claim, start, done). After two offline claims meet, every phone
// shows the same holder, and the one who lost is told so.

import { useState } from "preact/hooks";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

/** One tap per usual length of a service. */
const MINUTES = [30, 60, 90, 120, 180];

export function Task({ t, id, canEdit }: { t: Strings; id: string; canEdit: boolean }) {
  const page = useWorker(() => bridge.task(id), [id]);
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (page === undefined) return <p class="hint">{t.loading}</p>;
  if (page === null) return <p class="hint">{t.noTasks}</p>;
  const step = (s: string) => {
    setError(null);
    bridge.progress(id, s, note.trim()).then(
      () => setNote(""),
      (e: Error) => setError(e.message),
    );
  };
  const label = (s: string) => (s === "claim" ? t.claim : s === "start" ? t.start : t.done);
  const logHours = (minutes: number) => {
    setError(null);
    bridge.logHours(id, minutes, note.trim()).then(
      () => setNote(""),
      (e: Error) => setError(e.message),
    );
  };
  const steps = page.can.filter((s) => s !== "hours" && s !== "rate");
  const rate = (stars: number) => {
    setError(null);
    bridge.rate(id, stars, note.trim()).then(
      () => setNote(""),
      (e: Error) => setError(e.message),
    );
  };
  return (
    <div>
      <h1>{page.title}</h1>
      <p class="sub">
        {page.community} {page.building} · {t.helpKinds[page.kind] ?? page.kind}
      </p>
      <p data-testid="task-state">
        <span class={`state ${page.status}`}>{t.status(page.status)}</span>
        {page.assignee && (
          <span data-testid="assignee" data-volunteer={page.assignee}>
            {" · "}
            {t.claimedBy(page.assignee_name ?? page.assignee)}
          </span>
        )}
        {page.deadline !== null && ` · ${t.deadline(t.date(page.deadline))}`}
        {page.overdue && <span class="overdue"> {t.overdue}</span>}
      </p>
      {page.mine && <p class="mine">{t.youHoldIt}</p>}
      {page.rating !== null && (
        <p class="mine" data-testid="rating">
          {t.rated(page.rating)}
        </p>
      )}
      {page.lost_to && (
        <p class="lost" data-testid="lost">
          {t.lostTo(page.lost_to)}
        </p>
      )}
      {page.detail && <p>{page.detail}</p>}
      {canEdit && page.can.length > 0 && (
        <div>
          {page.can.includes("claim") || (
            <textarea
              class="note"
              rows={2}
              placeholder={page.can.includes("rate") ? t.feedbackHint : t.progressNote}
              value={note}
              onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
            />
          )}
          {steps.map((s) => (
            <button key={s} class="primary" onClick={() => step(s)} data-testid={`step-${s}`}>
              {label(s)}
            </button>
          ))}
          {page.can.includes("rate") && (
            <div>
              <h2>{t.rateIt}</h2>
              <div class="chips stars">
                {[1, 2, 3, 4, 5].map((n) => (
                  <button key={n} class="chip" onClick={() => rate(n)} data-stars={n}>
                    {"★".repeat(n)}
                  </button>
                ))}
              </div>
            </div>
          )}
          {page.can.includes("hours") && (
            <div>
              <h2>{t.logHours}</h2>
              <div class="chips">
                {MINUTES.map((m) => (
                  <button key={m} class="chip" onClick={() => logHours(m)} data-minutes={m}>
                    {t.minutes(m)}
                  </button>
                ))}
              </div>
            </div>
          )}
        </div>
      )}
      {page.hours.length > 0 && (
        <section>
          <h2>{t.hoursLogged}</h2>
          <ul class="rows" data-testid="hours">
            {page.hours.map((h) => (
              <li key={h.id}>
                <div>
                  <span class="big">{t.minutes(h.minutes)}</span>{" "}
                  <span class="sub">
                    {h.volunteer} · {t.date(h.start)}
                  </span>
                  {h.note && <div>{h.note}</div>}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {error && <p class="error">{t.error(error)}</p>}
      <section>
        <h2>{t.history}</h2>
        <ul class="rows">
          {page.events.map((e, i) => (
            <li key={i}>
              <div>
                <span class="big">{t.event(e.kind)}</span> <span class="sub">{e.by} · {t.date(e.at)}</span>
                {e.ignored && <span class="sub"> {t.ignored(e.ignored)}</span>}
                {e.note && <div>{e.note}</div>}
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
