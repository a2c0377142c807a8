// 任务: overdue tasks, needs nobody has claimed (oldest first), and who
// holds what.

import type { TaskRow, Tasks } from "./api";
import { useOffice } from "./api";
import type { Strings } from "../strings";
import type { OfficeStrings } from "./strings";

function Line({ o, t, x }: { o: OfficeStrings; t: Strings; x: TaskRow }) {
  return (
    <li data-task={x.id}>
      <span class="big">{x.title}</span>
      <span class="sub">
        {x.community_name} {x.building_name} · {t.helpKinds[x.kind] ?? x.kind} · {o.raisedOn(t.date(x.created_at))}
        {x.deadline !== null && ` · ${o.dueOn(t.date(x.deadline))}`}
        {x.assignee && ` · ${t.claimedBy(x.assignee_name ?? x.assignee)}`}
      </span>
    </li>
  );
}

export function TasksSection({ o, t }: { o: OfficeStrings; t: Strings }) {
  const { data, error } = useOffice<Tasks>("tasks", []);
  if (error) return <p class="error">{o.failed(error)}</p>;
  if (!data) return <p class="hint">…</p>;
  return (
    <div data-section="tasks" data-ready="yes">
      <section data-list="overdue">
        <h2 class={data.overdue.length > 0 ? "overdue" : ""}>
          {o.overdue} ({data.overdue.length})
        </h2>
        {data.overdue.length === 0 && <p class="hint">{o.nothing}</p>}
        <ul class="rows">
          {data.overdue.map((x) => <Line key={x.id} o={o} t={t} x={x} />)}
        </ul>
      </section>
      <section data-list="unclaimed">
        <h2>
          {o.unclaimed} ({data.unclaimed.length})
        </h2>
        {data.unclaimed.length === 0 && <p class="hint">{o.nothing}</p>}
        <ul class="rows">
          {data.unclaimed.map((x) => <Line key={x.id} o={o} t={t} x={x} />)}
        </ul>
      </section>
      <section data-list="held">
        <h2>{o.held}</h2>
        {data.held.length === 0 && <p class="hint">{o.nothing}</p>}
        {data.held.map((h) => (
          <div key={h.volunteer}>
            <h3>
              {h.name} ({h.tasks.length})
            </h3>
            <ul class="rows">
              {h.tasks.map((x) => <Line key={x.id} o={o} t={t} x={x} />)}
            </ul>
          </div>
        ))}
      </section>
    </div>
  );
}
