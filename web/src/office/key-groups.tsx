// 重点人群: households in each group per community and building, and those
// in a key group not visited in N days with who is responsible; tap a
// building for its households (names and phones only reach tokens that may
// read that building: the relay answers nothing else).

import { useState } from "preact/hooks";
import type { HouseholdRow, KeyGroups } from "./api";
import { useOffice } from "./api";
import type { Strings } from "../strings";
import type { OfficeStrings } from "./strings";

const DAYS = [30, 60, 90];

export function KeyGroupsSection({ o, t }: { o: OfficeStrings; t: Strings }) {
  const [days, setDays] = useState(30);
  const [open, setOpen] = useState<{ id: string; name: string } | null>(null);
  const { data, error } = useOffice<KeyGroups>(`key-groups?days=${days}`, []);
  if (open) return <BuildingHouseholds o={o} t={t} building={open} days={days} close={() => setOpen(null)} />;
  return (
    <div data-section="key-groups">
      <div class="chips">
        {DAYS.map((d) => (
          <button key={d} class={d === days ? "chip on" : "chip"} onClick={() => setDays(d)}>
            {o.notVisitedIn(d)}
          </button>
        ))}
      </div>
      {error && <p class="error">{o.failed(error)}</p>}
      {!data && !error && <p class="hint">…</p>}
      {data && (
        <div data-ready="yes">
          <div class="figure-cards">
            <div class="figure-card">
              <span class="figure-label">{o.households}</span>
              <span class="num">{data.street.households}</span>
            </div>
            <div class="figure-card">
              <span class="figure-label">{o.keyHouseholds}</span>
              <span class="num">{data.street.key_households}</span>
            </div>
            <div class={data.street.not_visited > 0 ? "figure-card warn" : "figure-card"}>
              <span class="figure-label">{o.notVisitedIn(data.days)}</span>
              <span class="num" data-figure="not_visited">{data.street.not_visited}</span>
            </div>
          </div>
          <h2>{o.community}</h2>
          <div class="table-wrap">
            <table class="office-table">
              <thead>
                <tr>
                  <th>{o.community}</th>
                  <th>{o.households}</th>
                  {data.key_tags.map((tag) => <th key={tag}>{t.tag(tag)}</th>)}
                  <th>{o.notVisited}</th>
                </tr>
              </thead>
              <tbody>
                {data.communities.map((c) => (
                  <tr key={c.id}>
                    <td>{c.name}</td>
                    <td>{c.households}</td>
                    {data.key_tags.map((tag) => <td key={tag}>{c.tags[tag] ?? 0}</td>)}
                    <td class={c.not_visited > 0 ? "overdue" : ""}>{c.not_visited}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>{o.building}</h2>
          <div class="table-wrap">
            <table class="office-table" data-table="key-buildings">
              <thead>
                <tr>
                  <th>{o.building}</th>
                  <th>{o.heads}</th>
                  <th>{o.households}</th>
                  {data.key_tags.map((tag) => <th key={tag}>{t.tag(tag)}</th>)}
                  <th>{o.notVisited}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.buildings.map((b) => (
                  <tr key={b.id} data-row={b.id}>
                    <td>
                      {b.community_name} {b.compound_name} {b.name}
                    </td>
                    <td>{b.heads.length > 0 ? b.heads.join("、") : <span class="hint">{o.noHead}</span>}</td>
                    <td>{b.households}</td>
                    {data.key_tags.map((tag) => <td key={tag}>{b.tags[tag] ?? 0}</td>)}
                    <td class={b.not_visited > 0 ? "overdue" : ""} data-figure="not_visited">
                      {b.not_visited}
                    </td>
                    <td>
                      <button class="small" onClick={() => setOpen({ id: b.id, name: `${b.compound_name} ${b.name}` })}>
                        {o.showHouseholds}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </div>
  );
}

function BuildingHouseholds({
  o,
  t,
  building,
  days,
  close,
}: {
  o: OfficeStrings;
  t: Strings;
  building: { id: string; name: string };
  days: number;
  close: () => void;
}) {
  const [which, setWhich] = useState<"not-visited" | "all">("not-visited");
  const { data, error } = useOffice<HouseholdRow[]>(
    `households?building=${encodeURIComponent(building.id)}&which=${which}&days=${days}`,
    [],
  );
  return (
    <div data-section="households">
      <button class="small" onClick={close}>
        ‹ {o.sections["key-groups"]}
      </button>
      <h2>{building.name}</h2>
      <div class="chips">
        <button class={which === "not-visited" ? "chip on" : "chip"} onClick={() => setWhich("not-visited")}>
          {o.onlyNotVisited}
        </button>
        <button class={which === "all" ? "chip on" : "chip"} onClick={() => setWhich("all")}>
          {o.allHouseholds}
        </button>
      </div>
      {error && <p class="error">{o.failed(error)}</p>}
      {data && data.length === 0 && <p class="hint">{o.nothing}</p>}
      {data && data.length > 0 && (
        <div class="table-wrap">
          <table class="office-table" data-table="households">
            <thead>
              <tr>
                <th>{o.address}</th>
                <th>{o.name}</th>
                <th>{o.phones}</th>
                <th>{t.tags}</th>
                <th>{o.lastVisit}</th>
              </tr>
            </thead>
            <tbody>
              {data.map((h) => (
                <tr key={h.id} data-row={h.id}>
                  <td>{t.room(h.unit, h.floor, h.room)}</td>
                  <td>{h.names.join("、")}</td>
                  <td>{h.phones.join(" ")}</td>
                  <td>
                    {h.tags.map((tag) => (
                      <span class="tag" key={tag}>
                        {t.tag(tag)}
                      </span>
                    ))}
                  </td>
                  <td class={h.key && h.last_visit === null ? "overdue" : ""}>
                    {h.last_visit === null ? o.never : t.date(h.last_visit)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
