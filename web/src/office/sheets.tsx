// 表格: import (street-admin only), and households, volunteers and tasks
// as CSV (with a BOM, so Excel and WPS show Chinese) or as an Excel workbook.

import { useState } from "preact/hooks";
import { download } from "./api";
import { ImportSection } from "./import";
import type { OfficeStrings } from "./strings";

const WHAT = ["households", "volunteers", "tasks"] as const;
const FILE = { households: "residents", volunteers: "volunteers", tasks: "tasks" };

export function SheetsSection({ o, admin }: { o: OfficeStrings; admin: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const get = (what: (typeof WHAT)[number], format: "csv" | "xlsx") => {
    setError(null);
    download(`export?what=${what}&format=${format}`, `${FILE[what]}.${format}`).catch((e: Error) =>
      setError(e.message),
    );
  };
  return (
    <div data-section="sheets">
      {admin && <ImportSection o={o} />}
      <h2>{o.exportTitle}</h2>
      <p class="hint">{o.exportHint}</p>
      {error && <p class="error">{o.failed(error)}</p>}
      <ul class="rows">
        {WHAT.map((w) => (
          <li key={w}>
            <span class="big">{o.exportWhat[w]}</span>
            <span class="row-actions">
              <button class="small" data-export={`${w}.csv`} onClick={() => get(w, "csv")}>
                {o.csv}
              </button>
              <button class="small" data-export={`${w}.xlsx`} onClick={() => get(w, "xlsx")}>
                {o.xlsx}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
