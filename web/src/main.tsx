// Entry: take a sign-in link's token out of the address bar, start the
// worker, keep the app cached for offline use, and draw.

import { render } from "preact";
import { App } from "./app";
import * as bridge from "./bridge";
import { clearFragment, sessionFromFragment } from "./sign-in";
import "./style.css";

const session = sessionFromFragment(location.hash);
if (location.hash) clearFragment();
const signingIn = session
  ? bridge.signIn(session).then(async () => {
      // Ask the browser not to evict this phone's records under pressure.
      await navigator.storage?.persist?.().catch(() => false);
    })
  : Promise.resolve();

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
