// 导入 (street-admin only): residents.csv or volunteers.csv from the
// office PC, checked and written by the relay exactly as `linli import`
// does; a bar shows each building as it is written, then what changed and
// every rejected line with its reason. Importing the same file again
// changes nothing.

import { useState } from "preact/hooks";
import * as bridge from "../bridge";
import type { OfficeStrings } from "./strings";

interface Report {
  kind: string;
  changes: number;
  lines: string[];
  rejected: { line: number; reasons: string[] }[];
}

type Line =
  | { progress: { done: number; total: number; what: string } }
  | { done: Report }
  | { error: string };

export function ImportSection({ o }: { o: OfficeStrings }) {
  const [busy, setBusy] = useState(false);
  const [at, setAt] = useState<{ done: number; total: number; what: string } | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const start = async (file: File) => {
    setBusy(true);
    setReport(null);
    setError(null);
    setAt(null);
    try {
      await bridge.officeImport(await file.arrayBuffer(), (l) => {
        const line = l as Line;
        if ("progress" in line) setAt(line.progress);
        else if ("done" in line) setReport(line.done);
        else if ("error" in line) setError(line.error);
      });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section data-section="import">
      <h2>{o.importTitle}</h2>
      <p class="hint">{o.importHint}</p>
      <label class="secondary file-pick">
        {o.importPick}
        <input
          type="file"
          accept=".csv,text/csv"
          data-import-file
          disabled={busy}
          onChange={(e) => {
            const f = e.currentTarget.files?.[0];
            e.currentTarget.value = "";
            if (f) void start(f);
          }}
        />
      </label>
      {at && (
        <div class="import-progress" data-import-progress={`${at.done}/${at.total}`}>
          <progress max={Math.max(at.total, 1)} value={at.done} />
          <span>{busy ? o.importing(at.done, at.total, at.what) : o.imported(at.total)}</span>
        </div>
      )}
      {error && <p class="error">{o.failed(error)}</p>}
      {report && (
        <div class="import-report" data-import-done={report.changes} data-rejected={report.rejected.length}>
          <p class="big">{o.importSummary(report.changes, report.rejected.length)}</p>
          {report.rejected.length > 0 && (
            <ul class="rows" data-list="rejected">
              {report.rejected.map((r) => (
                <li key={r.line} class="error">
                  {o.rejectedLine(r.line, r.reasons.join("；"))}
                </li>
              ))}
            </ul>
          )}
          <details>
            <summary>{o.importDetails}</summary>
            <ul class="rows">
              {report.lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          </details>
        </div>
      )}
    </section>
  );
}
