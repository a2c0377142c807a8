// Logging a visit: an optional note and one tap to save. The worker writes
// it to IndexedDB before this returns, online or not.

import { useState } from "preact/hooks";
import type { Strings } from "../strings";
import * as bridge from "../bridge";

export function LogVisit({ t, id, done }: { t: Strings; id: string; done: () => void }) {
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = () => {
    setBusy(true);
    bridge.logVisit(id, note.trim()).then(done, (e: Error) => {
      setBusy(false);
      setError(e.message);
    });
  };
  return (
    <div>
      <h1>{t.logVisit}</h1>
      <textarea
        class="note"
        rows={4}
        placeholder={t.visitNote}
        value={note}
        onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
      />
      <button class="primary" disabled={busy} onClick={save} data-testid="save-visit">
        {t.saveVisit}
      </button>
      {error && <p class="error">{t.error(error)}</p>}
    </div>
  );
}
