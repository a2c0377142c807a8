// Entry: take a sign-in link's token out of the address bar, start the
// worker, keep the app cached for offline use, and draw.

import { render } from "preact";
import { App } from "./app";
import * as bridge from "./bridge";
import { clearFragment, sessionFromFragment } from "./sign-in";
import "./style.css";

/** Signs in with the link in the address bar, if there is one, and takes
 * the token out of it. */
function takeLink(): Promise<void> {
  const session = sessionFromFragment(location.hash);
  if (location.hash) clearFragment();
  if (!session) return Promise.resolve();
  return bridge.signIn(session).then(async () => {
    // Ask the browser not to evict this phone's records under pressure.
    await navigator.storage?.persist?.().catch(() => false);
  });
}

const signingIn = takeLink();
// A link opened while the app is already open changes only the fragment:
// the page does not load again, so the new link is taken here.
addEventListener("hashchange", () => void takeLink());

// The worker drops its socket when the browser says the network is gone
// and dials again when it is back.
addEventListener("online", () => void bridge.setOnline(true));
addEventListener("offline", () => void bridge.setOnline(false));
if (!navigator.onLine) void bridge.setOnline(false);

if ("serviceWorker" in navigator && import.meta.env.PROD) {
  navigator.serviceWorker.register("/sw.js").catch((e) => console.warn("linli: service worker", e));
}

const root = document.getElementById("app");
if (root) render(<App signingIn={signingIn.then(() => undefined, () => undefined)} />, root);
