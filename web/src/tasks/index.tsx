// The community boards as a volunteer sees them: her tasks first, then the
// open needs (longest waiting on top), then everything else.

import type { TaskLine } from "../api";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Tasks({ t, open }: { t: Strings; open: (id: string) => void }) {
  const list = useWorker(() => bridge.tasks(), []);
  if (!list) return <p class="hint">{t.loading}</p>;
  const mine = list.filter((x) => (x.mine || x.lost_to !== null) && !closed(x));
  const needs = list.filter((x) => x.status === "open");
  const rest = list.filter((x) => !mine.includes(x) && !needs.includes(x));
  if (list.length === 0) return <p class="hint">{t.noTasks}</p>;
  return (
    <div>
      <Group t={t} title={t.myTasks} list={mine} open={open} id="mine" />
      <Group t={t} title={t.openNeeds} list={needs} open={open} id="open" />
      <Group t={t} title={t.otherTasks} list={rest} open={open} id="other" />
    </div>
  );
}

function closed(x: TaskLine): boolean {
  return x.status === "done" || x.status === "cancelled";
}

function Group({
  t,
  title,
  list,
  open,
  id,
}: {
  t: Strings;
  title: string;
  list: TaskLine[];
  open: (id: string) => void;
  id: string;
}) {
  if (list.length === 0) return null;
  return (
    <section data-testid={`tasks-${id}`}>
      <h2>{title}</h2>
      <ul class="cards">
        {list.map((x) => (
          <li key={x.id}>
            <button class="card" onClick={() => open(x.id)} data-task={x.id}>
              <span class="big">{x.title}</span>
              <span class="sub">
                {x.community} {x.building} · {t.helpKinds[x.kind] ?? x.kind}
              </span>
              <span class="sub">
                <span class={`state ${x.status}`}>{t.status(x.status)}</span>
                {x.assignee && ` · ${t.claimedBy(x.assignee_name ?? x.assignee)}`}
                {x.deadline !== null && ` · ${t.deadline(t.date(x.deadline))}`}
                {x.overdue && <span class="overdue"> {t.overdue}</span>}
              </span>
              {x.lost_to && <span class="lost">{t.lostTo(x.lost_to)}</span>}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
