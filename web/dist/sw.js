const VERSION = "14ee36b6e7ab9ec3";
const ASSETS = ["/","/assets/index-DpC5T7cU.js","/assets/index-QPw5PZ4a.js","/assets/index-q4ctVGJ6.css","/assets/linli_web_client_bg-CJUth0eL.wasm"];
// The service worker: keeps the app (shell, scripts, the wasm) in a cache
// named for this build, so the app opens with no network for weeks. It never
// touches documents (they live in IndexedDB) and never the /sync socket.
// VERSION and ASSETS are prepended by the build (vite.config.ts).

const CACHE = `linli-app-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith("linli-app-") && n !== CACHE).map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/sync") || url.pathname.startsWith("/api/")) return;
  // The app is one page: every navigation gets the cached shell.
  const key = request.mode === "navigate" ? "/" : url.pathname;
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(key).then((hit) => hit || fetch(request)),
    ),
  );
});
