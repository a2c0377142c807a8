// Always visible: what `linli status` says, in the person's words: all
// saved on the relay, or how many changes are only on this phone and how
// old the oldest is; online, syncing or offline; when the relay last
// confirmed; and fields two people changed at once, waiting to be settled.

import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function StatusLine({ t, openConflicts }: { t: Strings; openConflicts: () => void }) {
  const status = useWorker(() => bridge.status(), []);
  if (!status) return <div class="status" />;
  if (status.opening) {
    return (
      <div class="status" role="status" data-testid="status">
        <div class="status-main">
          <span>{t.loading}</span>
        </div>
      </div>
    );
  }
  const saved = status.pending === 0;
  const text = saved
    ? t.allSaved
    : t.pending(status.pending, t.age(Math.max(0, Date.now() - (status.oldest_ms ?? Date.now()))));
  const link = !status.connected ? t.offline : saved ? t.online : t.syncing;
  return (
    <div class={saved ? "status saved" : "status unsaved"} role="status" data-testid="status">
      <div class="status-main">
        <span data-testid="status-text">{text}</span>
        <span class="link-state" data-testid="link-state">
          {link}
        </span>
      </div>
      {status.last_confirmed_ms !== null && (
        <div class="status-sub">{t.lastConfirmed(t.date(status.last_confirmed_ms))}</div>
      )}
      {status.conflicts > 0 && (
        <button class="status-conflicts" onClick={openConflicts} data-testid="open-conflicts">
          {t.conflictsWaiting(status.conflicts)}
        </button>
      )}
    </div>
  );
}
