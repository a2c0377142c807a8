// The street office's figures page on a street, in Debian's Chromium on an
// office PC's screen, signed in by link with the street-admin token. Run by
// `linli-bench office` (bench/src/office.rs); prints one JSON object last.
//
// Input: LINLI_BENCH, a JSON object: url, directory, token, reps, chromium.

import { chromium } from "playwright-core";

const cfg = JSON.parse(process.env.LINLI_BENCH ?? "");
const PATIENCE = 600_000;
const log = (...a) => console.error("office bench:", ...a);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await chromium.launch({
  executablePath: cfg.chromium,
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "zh-CN" });
const page = await context.newPage();
page.on("pageerror", (e) => log("page error:", e.message));

/** Until every figure and the chart are on the screen. */
async function figuresShown() {
  await page.locator('[data-section="figures"] [data-ready="yes"]').waitFor({ timeout: PATIENCE });
  await page.locator(".chart[data-drawn=yes]").waitFor({ timeout: PATIENCE });
}

const link = `${cfg.url}#token=${encodeURIComponent(cfg.token)}&directory=${encodeURIComponent(cfg.directory)}&as=office-pc`;
let t = Date.now();
await page.goto(link);
await figuresShown();
const first = Date.now() - t;
log(`first open ${first} ms`);
await page.evaluate(async () => {
  await navigator.serviceWorker.ready;
});
const opens = [];
for (let i = 0; i < cfg.reps; i++) {
  t = Date.now();
  await page.goto(cfg.url);
  await figuresShown();
  opens.push(Date.now() - t);
  log(`open ${opens.at(-1)} ms`);
}
await browser.close();
console.log(JSON.stringify({ first_open_ms: first, open_ms: median(opens), opens }));
