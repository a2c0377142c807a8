// A household's page: members (tap a phone number to call), tags, notes,
// the visit log, and the way to log a visit.

import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Household({ t, id, logVisit }: { t: Strings; id: string; logVisit: () => void }) {
  const page = useWorker(() => bridge.household(id), [id]);
  if (page === undefined) return <p class="hint">{t.loading}</p>;
  if (page === null) return <p class="hint">{t.noHouseholds}</p>;
  return (
    <div>
      <h1>
        {page.building} {t.room(page.unit, page.floor, page.room)}
      </h1>
      <button class="primary" onClick={logVisit} data-testid="log-visit">
        {t.logVisit}
      </button>
      {page.tags.length > 0 && (
        <section>
          <h2>{t.tags}</h2>
          {page.tags.map((tag) => (
            <span class="tag" key={tag}>
              {t.tag(tag)}
            </span>
          ))}
        </section>
      )}
      <section>
        <h2>{t.members}</h2>
        <ul class="rows">
          {page.members.map((m) => (
            <li key={m.id}>
              <div>
                <span class="big">{m.name}</span>{" "}
                <span class="sub">
                  {t.relation(m.relation)} · {t.bornIn(m.birth_year)}
                </span>
                {m.tags.map((tag) => (
                  <span class="tag" key={tag}>
                    {t.tag(tag)}
                  </span>
                ))}
                {m.note && <div class="sub">{m.note}</div>}
              </div>
              {m.phone && (
                <a class="call" href={`tel:${m.phone.replace(/[^0-9+]/g, "")}`}>
                  {t.call} {m.phone}
                </a>
              )}
            </li>
          ))}
        </ul>
      </section>
      {page.notes && (
        <section>
          <h2>{t.notes}</h2>
          <p>{page.notes}</p>
        </section>
      )}
      <section>
        <h2>{t.visits}</h2>
        {page.visits.length === 0 && <p class="hint">{t.noVisits}</p>}
        <ul class="rows" data-testid="visits">
          {page.visits.map((v) => (
            <li key={v.id}>
              <div>
                <span class="big">{t.date(v.at)}</span> <span class="sub">{v.by}</span>
                {v.note && <div>{v.note}</div>}
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
