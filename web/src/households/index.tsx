// A building's households: search by room or name, filter by tag and by
// "not visited in N days", and (for those who may edit) add one.

import { useState } from "preact/hooks";
import type { BuildingCard } from "../api";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

const DAYS = [30, 90];

export function Households({
  t,
  building,
  canEdit,
  open,
  add,
}: {
  t: Strings;
  building: BuildingCard;
  canEdit: boolean;
  open: (id: string) => void;
  add: () => void;
}) {
  const [query, setQuery] = useState("");
  const [tag, setTag] = useState<string | null>(null);
  const [days, setDays] = useState<number | null>(null);
  const list = useWorker(
    () => bridge.households(building.id, { query, tag, not_visited_days: days }),
    [building.id, query, tag, days],
  );
  return (
    <div>
      <h1>{building.name}</h1>
      <input
        class="search"
        type="search"
        placeholder={t.searchPlaceholder}
        value={query}
        onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
      />
      <div class="chips">
        <button class={tag === null ? "chip on" : "chip"} onClick={() => setTag(null)}>
          {t.allTags}
        </button>
        {building.tags.map((x) => (
          <button key={x} class={tag === x ? "chip on" : "chip"} onClick={() => setTag(tag === x ? null : x)} data-tag={x}>
            {t.tag(x)}
          </button>
        ))}
      </div>
      <div class="chips">
        <button class={days === null ? "chip on" : "chip"} onClick={() => setDays(null)}>
          {t.anyVisit}
        </button>
        {DAYS.map((d) => (
          <button key={d} class={days === d ? "chip on" : "chip"} onClick={() => setDays(d)} data-days={d}>
            {t.notVisitedIn(d)}
          </button>
        ))}
      </div>
      {list && list.length === 0 && <p class="hint">{t.noHouseholds}</p>}
      <ul class="cards">
        {(list ?? []).map((h) => (
          <li key={h.id}>
            <button class="card" onClick={() => open(h.id)} data-household={h.id}>
              <span class="big">{t.room(h.unit, h.floor, h.room)}</span>
              <span class="sub">{h.names.join("、")}</span>
              <span class="sub">
                {h.tags.map((x) => (
                  <span class="tag" key={x}>
                    {t.tag(x)}
                  </span>
                ))}
                {h.last_visit !== null ? t.lastVisit(t.date(h.last_visit)) : t.neverVisited}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {canEdit && (
        <button class="secondary" onClick={add} data-testid="add-household">
          + {t.addHousehold}
        </button>
      )}
    </div>
  );
}
