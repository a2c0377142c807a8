// 设备: which tokens' phones sync, the longest silent first; a week or more
// without syncing is shown in red. Then the documents changed this week.

import type { Devices } from "./api";
import { useOffice } from "./api";
import type { Strings } from "../strings";
import type { OfficeStrings } from "./strings";

const WEEK = 7 * 86_400_000;

export function DevicesSection({ o, t }: { o: OfficeStrings; t: Strings }) {
  const { data, error } = useOffice<Devices>("devices", []);
  if (error) return <p class="error">{o.failed(error)}</p>;
  if (!data) return <p class="hint">…</p>;
  return (
    <div data-section="devices" data-ready="yes">
      <p class="hint">{o.devicesHint}</p>
      <div class="table-wrap">
        <table class="office-table" data-table="devices">
          <thead>
            <tr>
              <th>{o.device}</th>
              <th>{o.role}</th>
              <th>{o.connectedNow}</th>
              <th>{o.lastSeen}</th>
              <th>{o.lastChange}</th>
            </tr>
          </thead>
          <tbody>
            {data.devices.map((d) => {
              const silent = d.last_seen === null || data.now - d.last_seen > WEEK;
              return (
                <tr key={d.name} data-row={d.name} class={silent ? "silent" : ""}>
                  <td>{d.name}</td>
                  <td>{o.roles[d.role] ?? d.role}</td>
                  <td>{o.connections(d.connected)}</td>
                  <td>{d.last_seen === null ? o.never : o.silentFor((data.now - d.last_seen) / 86_400_000)}</td>
                  <td>{d.last_change_at === null ? o.never : t.date(d.last_change_at)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>{o.recentDocuments}</h2>
      <div class="table-wrap">
        <table class="office-table">
          <thead>
            <tr>
              <th>{o.name}</th>
              <th>{o.who}</th>
              <th>{o.when}</th>
            </tr>
          </thead>
          <tbody>
            {data.recent_documents.map((d) => (
              <tr key={d.doc}>
                <td>{d.what}</td>
                <td>{d.token_name}</td>
                <td>{t.date(d.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
