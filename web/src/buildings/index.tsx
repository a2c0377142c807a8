// Her buildings: only those the relay shared with this phone.

import type { BuildingCard } from "../api";
import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function Buildings({ t, open }: { t: Strings; open: (b: BuildingCard) => void }) {
  const list = useWorker(() => bridge.buildings(), []);
  if (!list) return <p class="hint">{t.loading}</p>;
  if (list.length === 0) return <p class="hint">{t.noBuildings}</p>;
  return (
    <div>
      <h1>{t.myBuildings}</h1>
      <ul class="cards">
        {list.map((b) => (
          <li key={b.id}>
            <button class="card" onClick={() => open(b)} data-building={b.id}>
              <span class="big">{b.name}</span>
              <span class="sub">
                {b.community} {b.compound} · {t.householdsCount(b.households)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
