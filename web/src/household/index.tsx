// A household's page: logging a visit and asking for help first (the two
// things done at the door), then members (tap a phone number to call),
// tags, notes, the visit log and the help asked for this household.

import type { Screen } from "../app";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Household({
  t,
  id,
  canEdit,
  go,
}: {
  t: Strings;
  id: string;
  canEdit: boolean;
  go: (s: Screen) => void;
}) {
  const page = useWorker(() => bridge.household(id), [id]);
  if (page === undefined) return <p class="hint">{t.loading}</p>;
  if (page === null) return <p class="hint">{t.noHouseholds}</p>;
  return (
    <div>
      <h1>
        {page.building} {t.room(page.unit, page.floor, page.room)}
      </h1>
      {canEdit && (
        <div class="actions">
          <button class="primary" onClick={() => go({ kind: "visit", id })} data-testid="log-visit">
            {t.logVisit}
          </button>
          <button class="help" onClick={() => go({ kind: "help", household: id })} data-testid="ask-for-help">
            {t.askForHelp}
          </button>
          <button class="help" onClick={() => go({ kind: "request-service", household: id })} data-testid="request-service">
            {t.requestService}
          </button>
        </div>
      )}
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
        <ul class="rows" data-testid="members">
          {page.members.map((m) => (
            <li key={m.id} data-member={m.id}>
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
              <div class="row-actions">
                {m.phone && (
                  <a class="call" href={`tel:${m.phone.replace(/[^0-9+]/g, "")}`}>
                    {t.call} {m.phone}
                  </a>
                )}
                {canEdit && (
                  <button
                    class="small"
                    onClick={() => go({ kind: "member-form", household: id, member: m })}
                    data-testid="edit-member"
                  >
                    {t.editMember}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
        {canEdit && (
          <button
            class="secondary"
            onClick={() => go({ kind: "member-form", household: id, member: null })}
            data-testid="add-member"
          >
            + {t.addMember}
          </button>
        )}
      </section>
      {page.notes && (
        <section>
          <h2>{t.notes}</h2>
          <p>{page.notes}</p>
        </section>
      )}
      {canEdit && (
        <button
          class="secondary"
          onClick={() => go({ kind: "household-form", building: page.building_id, id })}
          data-testid="edit-household"
        >
          {t.editHousehold}
        </button>
      )}
      {page.tasks.length > 0 && (
        <section>
          <h2>{t.householdTasks}</h2>
          <ul class="rows">
            {page.tasks.map((task) => (
              <li key={task.id}>
                <button class="link" onClick={() => go({ kind: "task", id: task.id })}>
                  {task.title} · {t.status(task.status)}
                  {task.assignee ? ` · ${t.claimedBy(task.assignee)}` : ""}
                </button>
              </li>
            ))}
          </ul>
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
