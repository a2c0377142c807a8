// A building head's day in a real Chromium (Debian's, never a downloaded
// one) against the real linli-relay: she signs in by link, finds a
// household, loses the network, logs a visit, reloads while still offline,
// and sees the visit kept and the status saying it is only on her phone;
// back online, the status turns to "all saved".
//
// Run by tests/tests/e2e/field_app.rs with:
//   LINLI_APP_URL   the relay's http URL (http://127.0.0.1:PORT/)
//   LINLI_TOKEN     her building-head token
//   LINLI_DIRECTORY the street's directory (automerge URL)
//   LINLI_AS        who she is (person id)
//   LINLI_HOUSEHOLD the household she visits
//   LINLI_NOTE      what she writes
//   LINLI_SCREENSHOTS folder for screenshots
// Exits non-zero (with the reason) on any failed step.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const url = env("LINLI_APP_URL");
const household = env("LINLI_HOUSEHOLD");
const note = env("LINLI_NOTE");
const shots = env("LINLI_SCREENSHOTS");
mkdirSync(shots, { recursive: true });
const link = `${url}#token=${encodeURIComponent(env("LINLI_TOKEN"))}&directory=${encodeURIComponent(
  env("LINLI_DIRECTORY"),
)}&as=${encodeURIComponent(env("LINLI_AS"))}`;
const PATIENCE = 60_000;

const browser = await chromium.launch({
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
let step = "start";
const context = await browser.newContext({
  viewport: { width: 360, height: 640 },
  locale: "zh-CN",
});
const page = await context.newPage();
page.on("console", (m) => console.log(`[page ${m.type()}] ${m.text()}`));
page.on("pageerror", (e) => console.log(`[page error] ${e.message}`));

async function shot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function statusText() {
  return (await page.getByTestId("status-text").textContent()) ?? "";
}

async function waitStatus(fragment) {
  await page.getByTestId("status-text").filter({ hasText: fragment }).waitFor({ timeout: PATIENCE });
}

async function openHousehold() {
  await page.getByRole("button", { name: /1栋/ }).click({ timeout: PATIENCE });
  await page.getByPlaceholder("搜索房号或姓名").fill("101");
  await page.locator(`[data-household="${household}"]`).click({ timeout: PATIENCE });
  await page.getByTestId("log-visit").waitFor({ timeout: PATIENCE });
}

try {
  step = "sign in by link";
  await page.goto(link);
  await page.getByRole("button", { name: /1栋/ }).waitFor({ timeout: PATIENCE });
  if (page.url().includes("token=")) throw new Error(`the token stayed in the address bar: ${page.url()}`);
  await waitStatus("全部已保存到服务器");
  await shot("01-buildings");

  step = "find the household";
  await openHousehold();
  await page.getByText("牟杰永").first().waitFor({ timeout: PATIENCE });
  const call = page.locator('a[href^="tel:"]').first();
  if (!(await call.getAttribute("href"))?.startsWith("tel:182")) throw new Error("no tap-to-call number");
  await shot("02-household");

  step = "the app is cached for offline use";
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });

  step = "go offline and log a visit";
  await context.setOffline(true);
  await page.locator(".link-state", { hasText: "未联网" }).waitFor({ timeout: PATIENCE });
  await page.getByTestId("log-visit").click();
  await page.locator("textarea").fill(note);
  await shot("03-log-visit");
  await page.getByTestId("save-visit").click();
  await page.getByTestId("visits").getByText(note).waitFor({ timeout: PATIENCE });
  await waitStatus("1 条修改仅在本机");
  await shot("04-visit-offline");

  step = "reload while offline";
  await page.reload();
  await waitStatus("1 条修改仅在本机");
  await openHousehold();
  await page.getByTestId("visits").getByText(note).waitFor({ timeout: PATIENCE });
  const after = await statusText();
  if (!after.includes("1 条修改仅在本机，最早")) throw new Error(`status after reload: ${after}`);
  await shot("05-after-offline-reload");

  step = "back online: everything reaches the relay";
  await context.setOffline(false);
  await waitStatus("全部已保存到服务器");
  await shot("06-saved");

  step = "English";
  await page.getByRole("button", { name: "English" }).click();
  await waitStatus("All saved on the relay");
  await shot("07-english");
  console.log("building head's day in the browser: ok");
} catch (e) {
  console.error(`FAILED at "${step}": ${e instanceof Error ? e.stack : e}`);
  await shot(`failed-${step.replace(/[^a-z]+/gi, "-")}`).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
