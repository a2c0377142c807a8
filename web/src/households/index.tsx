// A building's households, searchable by room or name.

import { useState } from "preact/hooks";
import type { BuildingCard } from "../api";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Households({
  t,
  building,
  open,
}: {
  t: Strings;
  building: BuildingCard;
  open: (id: string) => void;
}) {
  const [query, setQuery] = useState("");
  const list = useWorker(() => bridge.households(building.id, query), [building.id, query]);
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
      {list && list.length === 0 && <p class="hint">{t.noHouseholds}</p>}
      <ul class="cards">
        {(list ?? []).map((h) => (
          <li key={h.id}>
            <button class="card" onClick={() => open(h.id)} data-household={h.id}>
              <span class="big">{t.room(h.unit, h.floor, h.room)}</span>
              <span class="sub">{h.names.join("、")}</span>
              <span class="sub">
                {h.tags.map((tag) => (
                  <span class="tag" key={tag}>
                    {t.tag(tag)}
                  </span>
                ))}
                {h.last_visit !== null ? t.lastVisit(t.date(h.last_visit)) : t.neverVisited}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
