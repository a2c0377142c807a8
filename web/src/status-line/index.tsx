// Always visible: what `linli status` says, in the person's words.

import type { Strings } from "../strings";
import * as bridge from "../bridge";
import { useWorker } from "../use-worker";

export function StatusLine({ t }: { t: Strings }) {
  const status = useWorker(() => bridge.status(), []);
  if (!status) return <div class="status" />;
  const saved = status.pending === 0;
  const text = saved
    ? t.allSaved
    : t.pending(status.pending, t.age(Math.max(0, Date.now() - (status.oldest_ms ?? Date.now()))));
  return (
    <div class={saved ? "status saved" : "status unsaved"} role="status" data-testid="status">
      <span data-testid="status-text">{text}</span>
      <span class="link-state">{status.connected ? t.online : t.offline}</span>
    </div>
  );
}
