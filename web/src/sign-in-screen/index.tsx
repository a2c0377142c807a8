// Shown when this phone holds no session: how to sign in.

import type { Strings } from "../strings";

export function SignInScreen({ t, busy }: { t: Strings; busy: boolean }) {
  return (
    <div>
      <h1>{busy ? t.signingIn : t.signInNeeded}</h1>
      {!busy && <p class="hint">{t.signInHint}</p>}
    </div>
  );
}
