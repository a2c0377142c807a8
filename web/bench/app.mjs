// The field app's figures of issue 10 ("Measured"), taken in Debian's
// Chromium (never a downloaded browser) against the real relay serving the
// app it embeds, signed in by link with real role tokens. Run by
// `linli-bench app` (bench/src/app.rs), which sets the street up with the
// `linli` CLI, times the CLI's side and prints the table; this script only
// drives the browser and prints one JSON object on its last stdout line.
//
// Input: LINLI_BENCH, a JSON object:
//   url, directory          the relay's http URL, the street's directory
//   slow_url                the same relay through a Fast 3G link
//   head   {token, as, household}   a building head of one building
//   grid   {token, as, buildings, reps}   a grid worker of `buildings` buildings
//   households              households in each building
//   reps                    repetitions of each timed step
//   dist                    the web/dist folder (for the gzipped size)
//   chromium                the browser to drive
// Progress goes to stderr; any failed step exits non-zero with the reason.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const cfg = JSON.parse(process.env.LINLI_BENCH ?? "");
const PATIENCE = 180_000;
/** An opening of the app may take minutes (a grid worker's did). */
const OPEN_PATIENCE = 900_000;
/** Chrome DevTools' "Fast 3G" numbers: 562.5 ms, 1.6 Mbit/s down, 750 kbit/s up. */
const FAST_3G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};
const CPU_SLOWDOWN = 4;

const log = (...a) => console.error("app bench:", ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Every file of the built app gzipped at level 9, one by one (the `.gz`
 * copies the build writes beside them left out), and what the relay sends:
 * the `.gz` copy where there is one, else the file. The office's charts
 * (the `echarts-` chunk) are left out: a phone never loads them.
 */
function distSize(dir) {
  let raw = 0;
  let gz = 0;
  let wasm = 0;
  let served = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      if (name.endsWith(".gz") || name.startsWith("echarts-")) continue;
      const bytes = readFileSync(p);
      const zipped = gzipSync(bytes, { level: 9 }).length;
      raw += bytes.length;
      gz += zipped;
      served += existsSync(`${p}.gz`) ? statSync(`${p}.gz`).size : bytes.length;
      if (name.endsWith(".wasm")) wasm += zipped;
    }
  };
  walk(dir);
  return { raw, gzipped: gz, wasm_gzipped: wasm, served };
}

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  args: [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
  ],
});
const browserCdp = await browser.newBrowserCDPSession();

function link(who, url = cfg.url) {
  const p = new URLSearchParams({ token: who.token, directory: cfg.directory, as: who.as });
  return `${url}#${p}`;
}

/** A phone: a fresh profile (no service worker, no IndexedDB) at 360×640. */
async function phone() {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: "zh-CN" });
  const page = await context.newPage();
  page.on("pageerror", (e) => log(`page error: ${e.message}`));
  const cdp = await context.newCDPSession(page);
  return { context, page, cdp };
}

/**
 * From the start of a navigation to `target` until the household cards of
 * the first building are shown, the building opened as soon as its card is.
 */
async function openToHouseholds(page, target) {
  const t0 = Date.now();
  await page.goto(target);
  const building = page.locator("button.card").first();
  await building.waitFor({ timeout: OPEN_PATIENCE });
  const buildings = Date.now() - t0;
  await building.click({ timeout: OPEN_PATIENCE });
  await page.locator("[data-household]").first().waitFor({ timeout: OPEN_PATIENCE });
  return { total: Date.now() - t0, buildings };
}

/** The app is installed: the service worker controls the page. */
async function cached(page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });
}

/**
 * Every document of the phone's buildings has arrived: as many building
 * cards as it should hold, each with all its households.
 */
async function holdsBuildings(page, n) {
  await page.waitForFunction(
    ({ n, households }) => {
      const cards = [...document.querySelectorAll("button.card:not([data-household])")];
      return cards.length === n && cards.every((c) => (c.textContent ?? "").includes(`${households} `));
    },
    { n, households: cfg.households },
    { timeout: PATIENCE, polling: 100 },
  );
}

/**
 * A session on the page's dedicated worker (Playwright opens none on
 * workers): attached from the browser's session, messages relayed by
 * `Target.sendMessageToTarget`.
 */
async function workerSession() {
  const { targetInfos } = await browserCdp.send("Target.getTargets");
  const workers = targetInfos.filter((t) => t.type === "worker");
  if (workers.length !== 1) throw new Error(`expected one app worker, found ${workers.length}`);
  const { sessionId } = await browserCdp.send("Target.attachToTarget", {
    targetId: workers[0].targetId,
    flatten: false,
  });
  let next = 1;
  const waiting = new Map();
  const listener = (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.error) w.reject(new Error(`${m.error.message}`));
    else w.resolve(m.result);
  };
  browserCdp.on("Target.receivedMessageFromTarget", listener);
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      browserCdp
        .send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch(reject);
    });
  const detach = async () => {
    browserCdp.off("Target.receivedMessageFromTarget", listener);
    await browserCdp.send("Target.detachFromTarget", { sessionId }).catch(() => {});
  };
  return { send, detach };
}

/** Bytes of every WebAssembly.Memory alive in a context (the Rust client's heap). */
async function wasmMemory(send) {
  const proto = await send("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype" });
  const found = await send("Runtime.queryObjects", { prototypeObjectId: proto.result.objectId });
  const sum = await send("Runtime.callFunctionOn", {
    objectId: found.objects.objectId,
    functionDeclaration: "function () { return this.reduce((s, m) => s + m.buffer.byteLength, 0); }",
    returnByValue: true,
  });
  return sum.result.value;
}

/**
 * Memory of the page and its worker after a garbage collection: the JS
 * heap in use of each (CDP `Runtime.getHeapUsage`; `Performance.getMetrics`
 * exists on pages only, and `measureUserAgentSpecificMemory` needs a
 * cross-origin-isolated page, which the app is not) and the wasm linear
 * memory (every `WebAssembly.Memory`, found with `Runtime.queryObjects`).
 */
async function memory(cdp) {
  const worker = await workerSession();
  try {
    const pageSend = (m, p) => cdp.send(m, p);
    await pageSend("HeapProfiler.collectGarbage");
    await worker.send("HeapProfiler.collectGarbage");
    const pageHeap = await pageSend("Runtime.getHeapUsage");
    const workerHeap = await worker.send("Runtime.getHeapUsage");
    return {
      page_js: pageHeap.usedSize,
      worker_js: workerHeap.usedSize,
      wasm: (await wasmMemory(pageSend)) + (await wasmMemory(worker.send)),
    };
  } finally {
    await worker.detach();
  }
}

/** Opens the app `reps` times from its cache, CPU slowed, and says how long each took. */
async function cachedOpens(page, cdp, reps) {
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  const runs = [];
  try {
    for (let i = 0; i < reps; i++) {
      const r = await openToHouseholds(page, cfg.url);
      log(`cached open ${i + 1}/${reps}: buildings ${r.buildings} ms, households ${r.total} ms`);
      runs.push(r);
    }
  } finally {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  }
  return {
    ms: median(runs.map((r) => r.total)),
    buildings_ms: median(runs.map((r) => r.buildings)),
    runs: runs.map((r) => r.total),
  };
}

/**
 * Logging a visit, online: from the tap on save until the status line is
 * `saved` again. A MutationObserver notes each change of the status's
 * class; the end is the last turn to `saved` once the visit is listed. If
 * the page never showed `unsaved` (the relay answered before the status
 * was asked again), the end is when the visit was listed and the run is
 * counted in `never_unsaved`.
 */
async function logVisits(page) {
  const ms = [];
  let neverUnsaved = 0;
  for (let i = 0; i < cfg.reps; i++) {
    const note = `bench visit ${i + 1} ${Date.now()}`;
    await page.getByTestId("log-visit").click({ timeout: PATIENCE });
    await page.locator("textarea").fill(note);
    await page.getByTestId("save-visit").waitFor({ timeout: PATIENCE });
    await page.evaluate(() => {
      const status = document.querySelector("[data-testid=status]");
      const w = (window.__visit = { t0: 0, turns: [], listed: 0 });
      w.observer = new MutationObserver(() => {
        const s = document.querySelector("[data-testid=status]");
        const cls = s && s.classList.contains("saved") ? "saved" : "unsaved";
        const last = w.turns[w.turns.length - 1];
        if (!last || last[0] !== cls) w.turns.push([cls, performance.now()]);
      });
      w.observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
      if (status) w.turns.push([status.classList.contains("saved") ? "saved" : "unsaved", performance.now()]);
      w.t0 = performance.now();
      document.querySelector("[data-testid=save-visit]").click();
    });
    await page.getByTestId("visits").getByText(note).waitFor({ timeout: PATIENCE });
    await page.locator("[data-testid=status].saved").waitFor({ timeout: PATIENCE });
    const r = await page.evaluate(() => {
      const w = window.__visit;
      w.observer.disconnect();
      const after = w.turns.filter(([, t]) => t >= w.t0);
      const sawUnsaved = after.some(([c]) => c === "unsaved");
      const lastSaved = [...after].reverse().find(([c]) => c === "saved");
      return { sawUnsaved, ms: lastSaved ? lastSaved[1] - w.t0 : performance.now() - w.t0 };
    });
    if (!r.sawUnsaved) neverUnsaved++;
    log(`visit ${i + 1}/${cfg.reps}: saved on the relay after ${r.ms.toFixed(1)} ms`);
    ms.push(r.ms);
  }
  return { ms: median(ms), runs: ms, never_unsaved: neverUnsaved };
}

let step = "start";
try {
  const out = { size: distSize(cfg.dist) };

  step = "first sign-in over Fast 3G, CDP";
  {
    // Chromium's emulation, as the issue names it: it slows the page's own
    // requests, not its worker's (the wasm, the relay socket).
    const p = await phone();
    await p.cdp.send("Network.enable");
    await p.cdp.send("Network.emulateNetworkConditions", FAST_3G);
    const r = await openToHouseholds(p.page, link(cfg.head));
    log(`first sign-in, CDP Fast 3G: buildings ${r.buildings} ms, households ${r.total} ms`);
    out.first_signin_cdp = { ms: r.total, buildings_ms: r.buildings };
    await p.context.close();
  }

  step = "first sign-in over Fast 3G, every byte";
  {
    // The same numbers on every byte: through linli-bench's slow link.
    const p = await phone();
    const r = await openToHouseholds(p.page, link(cfg.head, cfg.slow_url));
    log(`first sign-in, Fast 3G link: buildings ${r.buildings} ms, households ${r.total} ms`);
    out.first_signin = { ms: r.total, buildings_ms: r.buildings };
    await p.context.close();
  }

  step = "a building head signs in";
  const head = await phone();
  await head.page.goto(link(cfg.head));
  await holdsBuildings(head.page, 1);
  await head.page.locator("[data-testid=status].saved").waitFor({ timeout: PATIENCE });
  await cached(head.page);

  step = "cached open of a building head's phone";
  out.cached_open = await cachedOpens(head.page, head.cdp, cfg.reps);
  out.head_memory = await memory(head.cdp);

  step = "logging visits";
  await head.page.locator(`[data-household="${cfg.head.household}"]`).click({ timeout: PATIENCE });
  out.visit = await logVisits(head.page);
  await head.context.close();

  step = "a grid worker's phone";
  const grid = await phone();
  await grid.page.goto(link(cfg.grid));
  await holdsBuildings(grid.page, cfg.grid.buildings);
  await grid.page.locator("[data-testid=status].saved").waitFor({ timeout: PATIENCE });
  await cached(grid.page);
  out.grid_open = await cachedOpens(grid.page, grid.cdp, cfg.grid.reps);
  out.grid_memory = await memory(grid.cdp);
  await grid.context.close();

  console.log(JSON.stringify(out));
} catch (e) {
  console.error(`app bench FAILED at "${step}": ${e instanceof Error ? e.stack : e}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
