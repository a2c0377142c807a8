// 数据: the figures of `linli stats` for the street, each community, team
// and volunteer, over a chosen period, with the months as a chart. Every
// number carries its raw value in data-value, so tests compare it with
// `linli stats --json`.

import { useState } from "preact/hooks";
import type { FiguresPage, Figures as F, Row } from "./api";
import { useOffice } from "./api";
import { Chart } from "./chart";
import type { OfficeStrings } from "./strings";

function Num({ value, text, name }: { value: number | null; text: string; name: string }) {
  return (
    <span class="num" data-figure={name} data-value={value === null ? "null" : String(value)}>
      {text}
    </span>
  );
}

function Cards({ o, f }: { o: OfficeStrings; f: F }) {
  const cards: [string, string, number | null, string, string?][] = [
    [o.tasksRaised, "tasks_raised", f.tasks_raised, String(f.tasks_raised)],
    [o.tasksDone, "tasks_done", f.tasks_done, String(f.tasks_done)],
    [o.completionRate, "completion_rate", f.completion_rate, o.percent(f.completion_rate)],
    [
      o.firstResponse,
      "median_first_response_ms",
      f.median_first_response_ms,
      o.duration(f.median_first_response_ms),
      `${o.p90} ${o.duration(f.p90_first_response_ms)}`,
    ],
    [
      o.timeToClose,
      "median_close_ms",
      f.median_close_ms,
      o.duration(f.median_close_ms),
      `${o.p90} ${o.duration(f.p90_close_ms)}`,
    ],
    [
      o.inTarget,
      "within_response_target_share",
      f.within_response_target_share,
      o.percent(f.within_response_target_share),
    ],
    [o.onTime, "within_deadline_share", f.within_deadline_share, o.percent(f.within_deadline_share)],
    [o.rating, "average_rating", f.average_rating, o.stars(f.average_rating), o.ratings(f.ratings)],
    [o.serviceHours, "service_minutes", f.service_minutes, o.hours(f.service_minutes)],
    [o.tasksCancelled, "tasks_cancelled", f.tasks_cancelled, String(f.tasks_cancelled)],
  ];
  return (
    <div class="figure-cards" data-scope="street">
      {cards.map(([label, name, value, text, sub]) => (
        <div class="figure-card" key={name}>
          <span class="figure-label">{label}</span>
          <Num value={value} text={text} name={name} />
          {sub && <span class="sub">{sub}</span>}
        </div>
      ))}
    </div>
  );
}

/** Services delivered per provider team (服务清单), by the teams' names. */
function Delivered({ o, page }: { o: OfficeStrings; page: FiguresPage }) {
  const rows = Object.entries(page.street.services_delivered ?? {});
  if (rows.length === 0) return null;
  const name = (id: string) => page.teams.find((t) => t.id === id)?.name ?? id;
  return (
    <section data-list="services-delivered">
      <h2>{o.servicesDelivered}</h2>
      <ul class="rows">
        {rows.map(([team, n]) => (
          <li key={team} data-team={team} data-value={n}>
            <span class="big">{name(team)}</span> <span class="num">{n}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Table({ o, title, rows, kind }: { o: OfficeStrings; title: string; rows: Row[]; kind: string }) {
  if (rows.length === 0) return null;
  return (
    <section>
      <h2>{title}</h2>
      <div class="table-wrap">
        <table class="office-table" data-table={kind}>
          <thead>
            <tr>
              <th>{o.name}</th>
              <th>{o.tasksRaised}</th>
              <th>{o.tasksDone}</th>
              <th>{o.completionRate}</th>
              <th>{`${o.firstResponse} (${o.median})`}</th>
              <th>{`${o.timeToClose} (${o.median})`}</th>
              <th>{o.onTime}</th>
              <th>{o.rating}</th>
              <th>{o.serviceHours}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const f = r.figures;
              return (
                <tr key={r.id} data-row={r.id}>
                  <td>{r.name}</td>
                  <td><Num name="tasks_raised" value={f.tasks_raised} text={String(f.tasks_raised)} /></td>
                  <td><Num name="tasks_done" value={f.tasks_done} text={String(f.tasks_done)} /></td>
                  <td><Num name="completion_rate" value={f.completion_rate} text={o.percent(f.completion_rate)} /></td>
                  <td>
                    <Num name="median_first_response_ms" value={f.median_first_response_ms} text={o.duration(f.median_first_response_ms)} />
                  </td>
                  <td><Num name="median_close_ms" value={f.median_close_ms} text={o.duration(f.median_close_ms)} /></td>
                  <td>
                    <Num name="within_deadline_share" value={f.within_deadline_share} text={o.percent(f.within_deadline_share)} />
                  </td>
                  <td><Num name="average_rating" value={f.average_rating} text={o.stars(f.average_rating)} /></td>
                  <td><Num name="service_minutes" value={f.service_minutes} text={o.hours(f.service_minutes)} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function trendOption(o: OfficeStrings, page: FiguresPage): Record<string, unknown> {
  return {
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [o.tasksRaised, o.tasksDone, o.serviceHours] },
    grid: { left: 48, right: 56, top: 56, bottom: 32 },
    xAxis: { type: "category", data: page.months.map((m) => m.month) },
    yAxis: [
      { type: "value", minInterval: 1 },
      { type: "value", name: o.serviceHours, splitLine: { show: false } },
    ],
    series: [
      { name: o.tasksRaised, type: "bar", data: page.months.map((m) => m.figures.tasks_raised), itemStyle: { color: "#c98a1b" } },
      { name: o.tasksDone, type: "bar", data: page.months.map((m) => m.figures.tasks_done), itemStyle: { color: "#1d5c4a" } },
      {
        name: o.serviceHours,
        type: "line",
        yAxisIndex: 1,
        data: page.months.map((m) => Math.round(m.figures.service_minutes / 6) / 10),
        itemStyle: { color: "#1f3f8a" },
      },
    ],
  };
}

export function FiguresSection({ o, initial }: { o: OfficeStrings; initial: { from: string; to: string } }) {
  const [period, setPeriod] = useState(initial);
  const [draft, setDraft] = useState(initial);
  const query = [period.from && `from=${period.from}`, period.to && `to=${period.to}`].filter(Boolean).join("&");
  const { data, error } = useOffice<FiguresPage>(`figures${query ? `?${query}` : ""}`, []);
  return (
    <div data-section="figures">
      <form
        class="period"
        onSubmit={(e) => {
          e.preventDefault();
          setPeriod(draft);
        }}
      >
        <label>
          {o.from} <input type="date" name="from" value={draft.from || data?.from} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
        </label>
        <label>
          {o.to} <input type="date" name="to" value={draft.to || data?.to} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
        </label>
        <button class="small" type="submit">{o.show}</button>
      </form>
      {error && <p class="error">{o.failed(error)}</p>}
      {!data && !error && <p class="hint">…</p>}
      {data && (
        <div data-ready="yes" data-from={data.from} data-to={data.to}>
          <h2>
            {o.street} · {data.from} — {data.to}
          </h2>
          <Cards o={o} f={data.street} />
          <Delivered o={o} page={data} />
          {data.months.length > 0 && (
            <section>
              <h2>{o.trend}</h2>
              <Chart option={trendOption(o, data)} height={280} label={o.trend} />
            </section>
          )}
          <Table o={o} title={o.byCommunity} rows={data.communities} kind="communities" />
          <Table o={o} title={o.byTeam} rows={data.teams} kind="teams" />
          <Table o={o} title={o.byVolunteer} rows={data.volunteers} kind="volunteers" />
        </div>
      )}
    </div>
  );
}
