// What every browser test shares: Debian's Chromium (never a downloaded
// one) at a phone's size, signing in by the office's link, screenshots,
// waiting on what a person sees, reading the page's IndexedDB, and asking
// the Rust test that runs the script to act between steps (revoke a token,
// SIGKILL the relay) by printing `@@step NAME` and waiting for its answer
// on stdin.
//
// Environment (set by tests/tests/e2e/field_app.rs):
//   LINLI_APP_URL     the relay's http URL (http://127.0.0.1:PORT/)
//   LINLI_DIRECTORY   the street's directory (automerge URL)
//   LINLI_SCREENSHOTS folder for screenshots
//   LINLI_CHROMIUM    the browser (default /usr/bin/chromium)

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

export const PATIENCE = 60_000;

export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const shots = env("LINLI_SCREENSHOTS");
mkdirSync(shots, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.LINLI_CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

/** The sign-in link the office hands out (`linli-relay token create --public-url`). */
export function link(token, person) {
  return `${env("LINLI_APP_URL")}#token=${encodeURIComponent(token)}&directory=${encodeURIComponent(
    env("LINLI_DIRECTORY"),
  )}&as=${encodeURIComponent(person)}`;
}

/** A phone (its own browser context: its own IndexedDB) used by `who`; a
 * `who` starting with "office" is the street office's PC, a wide screen. */
export async function phone(browser, who) {
  const viewport = who.startsWith("office") ? { width: 1280, height: 860 } : { width: 360, height: 640 };
  const context = await browser.newContext({ viewport, locale: "zh-CN", acceptDownloads: true });
  const page = await context.newPage();
  page.on("console", (m) => console.log(`[${who} ${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => console.log(`[${who} error] ${e.message}`));
  return {
    who,
    context,
    page,
    async signIn(token, person) {
      await page.goto(link(token, person));
      await page.getByTestId("status-text").waitFor({ timeout: PATIENCE });
      if (page.url().includes("token=")) throw new Error(`the token stayed in the address bar: ${page.url()}`);
    },
    async shot(name) {
      await page.screenshot({ path: join(shots, `${who}-${name}.png`), fullPage: true });
    },
    async waitStatus(fragment) {
      await page.getByTestId("status-text").filter({ hasText: fragment }).waitFor({ timeout: PATIENCE });
    },
    async offline(off) {
      await context.setOffline(off);
      await page
        .getByTestId("link-state")
        .filter({ hasText: off ? "未联网" : /已联网|正在同步/ })
        .waitFor({ timeout: PATIENCE });
    },
    async cached() {
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) {
          await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
        }
      });
    },
    /** The document ids whose chunks this phone's IndexedDB holds. */
    async storedDocs() {
      return page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const req = indexedDB.open("linli");
            req.onerror = () => reject(req.error);
            req.onsuccess = () => {
              const db = req.result;
              if (!db.objectStoreNames.contains("chunks")) return resolve([]);
              const all = db.transaction("chunks").objectStore("chunks").getAll();
              all.onsuccess = () => {
                db.close();
                resolve([...new Set(all.result.map((c) => c.doc))]);
              };
              all.onerror = () => reject(all.error);
            };
          }),
      );
    },
    async tab(name) {
      await page.locator(`[data-tab="${name}"]`).click({ timeout: PATIENCE });
    },
  };
}

const lines = createInterface({ input: process.stdin });
const answers = [];
const waiters = [];
lines.on("line", (l) => (waiters.length ? waiters.shift()(l) : answers.push(l)));

/** Asks the Rust test to do `name` (e.g. revoke a token) and waits until done. */
export async function ask(name) {
  console.log(`@@step ${name}`);
  const answer = await new Promise((r) => (answers.length ? r(answers.shift()) : waiters.push(r)));
  if (answer !== "done") throw new Error(`the test could not ${name}: ${answer}`);
}

/** Runs `steps`, naming the failed step and saving a screenshot of every phone. */
export async function run(name, phones, steps) {
  const browser = await launch();
  let step = "start";
  const at = (s) => {
    step = s;
    console.log(`-- ${s}`);
  };
  const open = [];
  try {
    for (const who of phones) open.push(await phone(browser, who));
    await steps(at, ...open);
    console.log(`${name}: ok`);
  } catch (e) {
    console.error(`FAILED at "${step}": ${e instanceof Error ? e.stack : e}`);
    for (const p of open) await p.shot(`failed-${step.replace(/[^a-z]+/gi, "-")}`).catch(() => {});
    process.exitCode = 1;
  } finally {
    lines.close();
    await browser.close();
  }
}
