// Who is signed in, in which role, how much this phone stores (and whether
// the browser keeps it persistently), and signing out, which asks first,
// and says plainly when changes would be lost.

import { useEffect, useState } from "preact/hooks";
import type { Status } from "../api";
import type { Strings } from "../strings";
import * as bridge from "../bridge";

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function MeScreen({ t, status }: { t: Strings; status: Status }) {
  const [storage, setStorage] = useState<{ used: number; persisted: boolean } | null>(null);
  useEffect(() => {
    const s = navigator.storage;
    if (!s?.estimate) return;
    Promise.all([s.estimate(), s.persisted ? s.persisted() : Promise.resolve(false)]).then(
      ([e, p]) => setStorage({ used: e.usage ?? 0, persisted: p }),
      () => undefined,
    );
  }, []);
  const signOut = () => {
    if (window.confirm(t.signOutConfirm(status.pending))) void bridge.signOut();
  };
  return (
    <div>
      <h1>{t.signedInAs(status.person ?? "")}</h1>
      <p data-testid="role">{t.role(status.role)}</p>
      {storage && <p class="sub">{t.storageUsed(size(storage.used), storage.persisted)}</p>}
      <button class="danger" onClick={signOut} data-testid="sign-out">
        {t.signOut}
      </button>
    </div>
  );
}
