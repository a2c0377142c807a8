// Shown when this phone holds no session: how to sign in, or why it was
// signed out (the office revoked its token, or its person signed out).

import type { Strings } from "../strings";

export function SignInScreen({ t, busy, signedOut }: { t: Strings; busy: boolean; signedOut: string | null }) {
  if (busy) return <h1>{t.signingIn}</h1>;
  if (signedOut === "revoked") {
    return (
      <div data-testid="signed-out" data-reason="revoked">
        <h1 class="error">{t.signedOutRevoked}</h1>
        <p>{t.signedOutRevokedHint}</p>
      </div>
    );
  }
  return (
    <div data-testid="signed-out" data-reason={signedOut ?? "never"}>
      <h1>{t.signInNeeded}</h1>
      {signedOut === "signed-out" && <p>{t.signedOutSelf}</p>}
      <p class="hint">{t.signInHint}</p>
    </div>
  );
}
