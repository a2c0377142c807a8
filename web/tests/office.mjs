// The street office in the browser, each step with the token of the
// person who takes it: the office's street-admin token on a wide screen,
// a building head's phone signed in by a link made on the office page, a
// viewer's token for the district.
//
// Environment (besides lib.mjs's): LINLI_ADMIN_TOKEN, LINLI_VIEWER_TOKEN,
// LINLI_DOWNLOADS (a folder for exported files), LINLI_RESIDENTS (the
// community preset's residents.csv), LINLI_BUILDING (the sample building's id),
// LINLI_VOLUNTEER_TOKEN (volunteer v00001 of the community's team).

import { join } from "node:path";
import { readFileSync } from "node:fs";
import { PATIENCE, env, ask, run } from "./lib.mjs";

/** The street's figures as the page shows them: every [data-figure] of the
 * street cards, by name, with its raw value. */
async function streetFigures(page) {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('[data-scope="street"] [data-figure]')) {
      const v = el.dataset.value;
      out[el.dataset.figure] = v === "null" ? null : Number(v);
    }
    return out;
  });
}

/** Each row of a figures table: { id: { figure: value } }. */
async function tableFigures(page, table) {
  return page.evaluate((table) => {
    const out = {};
    for (const row of document.querySelectorAll(`[data-table="${table}"] tr[data-row]`)) {
      const f = {};
      for (const el of row.querySelectorAll("[data-figure]")) {
        const v = el.dataset.value;
        f[el.dataset.figure] = v === "null" ? null : Number(v);
      }
      out[row.dataset.row] = f;
    }
    return out;
  }, table);
}

await run("the street office", ["office", "head", "officeviewer", "volunteer"], async (at, office, head, viewer, volunteer) => {
  const page = office.page;
  at("the office signs in and lands on its figures");
  await office.signIn(env("LINLI_ADMIN_TOKEN"), "admin-li");
  await page.locator('[data-section="figures"] [data-ready="yes"]').waitFor({ timeout: PATIENCE });

  at("the office imports the community preset's residents, with a progress bar");
  await page.locator('[data-section-tab="sheets"]').click();
  await page.locator("[data-import-file]").setInputFiles(env("LINLI_RESIDENTS"));
  await page.locator("[data-import-progress]").waitFor({ timeout: PATIENCE });
  const report = page.locator("[data-import-done]");
  await report.waitFor({ timeout: PATIENCE });
  if ((await report.getAttribute("data-rejected")) !== "0") throw new Error("rows were rejected");
  if ((await report.getAttribute("data-import-done")) === "0") throw new Error("the import changed nothing");
  const bar = await page.locator("[data-import-progress]").getAttribute("data-import-progress");
  if (bar !== "30/30") throw new Error(`the bar ended at ${bar}`);
  await office.shot("00-imported");
  await page.locator("[data-import-file]").setInputFiles(env("LINLI_RESIDENTS"));
  await page.locator('[data-import-done="0"]').waitFor({ timeout: PATIENCE });

  at("a building head raises a need (her CLI, her token)");
  await ask("raise-a-need");

  at("a volunteer claims and finishes it in her own browser");
  await volunteer.signIn(env("LINLI_VOLUNTEER_TOKEN"), "v00001");
  await volunteer.tab("tasks");
  await volunteer.page.locator("[data-task]", { hasText: "代买降压药" }).click({ timeout: PATIENCE });
  await volunteer.page.getByTestId("step-claim").click({ timeout: PATIENCE });
  await volunteer.page.getByTestId("step-start").click({ timeout: PATIENCE });
  await volunteer.page.getByTestId("step-done").click({ timeout: PATIENCE });
  await volunteer.page.locator(".state.done").waitFor({ timeout: PATIENCE });
  await volunteer.waitStatus("全部已保存到服务器");
  await volunteer.shot("01-done");

  at("the building head rates it (her CLI, her token)");
  await ask("rate-the-need");

  at("the figures page shows what linli stats says");
  await page.locator('[data-section-tab="key-groups"]').click();
  await page.locator('[data-section-tab="figures"]').click();
  await page.locator('[data-section="figures"] [data-ready="yes"]').waitFor({ timeout: PATIENCE });
  await page.locator('[data-scope="street"] [data-figure="tasks_done"][data-value="1"]').waitFor({ timeout: PATIENCE });
  await page.locator(".chart[data-drawn=yes]").waitFor({ timeout: PATIENCE });
  const shown = {
    street: await streetFigures(page),
    communities: await tableFigures(page, "communities"),
    teams: await tableFigures(page, "teams"),
    volunteers: await tableFigures(page, "volunteers"),
    from: await page.locator("[data-from]").getAttribute("data-from"),
    to: await page.locator("[data-to]").getAttribute("data-to"),
  };
  await ask(`compare-figures ${JSON.stringify(shown)}`);
  await office.shot("01-figures");

  at("key groups, tasks and devices");
  await page.locator('[data-section-tab="key-groups"]').click();
  await page.locator('[data-section="key-groups"] [data-ready="yes"]').waitFor({ timeout: PATIENCE });
  await office.shot("02-key-groups");
  await page.locator(`[data-table="key-buildings"] tr[data-row="${env("LINLI_BUILDING")}"] button`).click();
  await page.locator('[data-table="households"] tr[data-row]').first().waitFor({ timeout: PATIENCE });
  await office.shot("03-households");
  await page.locator('[data-section-tab="tasks"]').click();
  await page.locator('[data-section="tasks"][data-ready="yes"]').waitFor({ timeout: PATIENCE });
  await office.shot("04-tasks");
  await page.locator('[data-section-tab="devices"]').click();
  await page.locator('[data-section="devices"][data-ready="yes"]').waitFor({ timeout: PATIENCE });
  await office.shot("05-devices");

  at("households exported as CSV (with a BOM) and as Excel");
  await page.locator('[data-section-tab="sheets"]').click();
  for (const name of ["households.csv", "households.xlsx"]) {
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: PATIENCE }),
      page.locator(`[data-export="${name}"]`).click(),
    ]);
    const path = join(env("LINLI_DOWNLOADS"), download.suggestedFilename());
    await download.saveAs(path);
    const bytes = readFileSync(path);
    if (name.endsWith(".csv") && !(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf))
      throw new Error("the CSV has no BOM: Excel would show the Chinese as mojibake");
    if (name.endsWith(".xlsx") && bytes.subarray(0, 2).toString() !== "PK") throw new Error("not an xlsx");
  }
  await office.shot("06-sheets");
  await ask(`reimport ${join(env("LINLI_DOWNLOADS"), "residents.csv")}`);

  at("the office makes a building head's token, picking her building");
  await page.locator('[data-section-tab="people"]').click();
  const form = page.locator('[data-form="new-token"]');
  await form.locator('input[name="name"]').fill("head-li");
  await form.locator('select[name="role"]').selectOption("building-head");
  await form.locator('input[name="person"]').fill("head-li");
  await form.locator(".pick", { hasText: /^\s*东湖1区 1栋\s*$/ }).click();
  await office.shot("07-new-token");
  await form.locator('button[type="submit"]').click();
  await page.locator('[data-created="head-li"] .qr svg').waitFor({ timeout: PATIENCE });
  const signInLink = await page.locator("[data-link]").getAttribute("data-link");
  if (!signInLink?.includes("#token=")) throw new Error(`no sign-in link: ${signInLink}`);
  await office.shot("08-token-made");

  at("her phone opens the link and holds exactly her building");
  await head.page.goto(signInLink);
  await head.page.getByTestId("status-text").waitFor({ timeout: PATIENCE });
  await head.page.getByRole("button", { name: /1栋/ }).waitFor({ timeout: PATIENCE });
  await head.waitStatus("全部已保存到服务器");
  const cards = await head.page.locator("[data-building]").count();
  if (cards !== 1) throw new Error(`her phone lists ${cards} buildings`);
  await head.shot("01-signed-in-by-office-link");

  at("the office revokes her token and her phone is told");
  await page.locator('[data-section-tab="figures"]').click();
  await page.locator('[data-section-tab="people"]').click();
  page.once("dialog", (d) => d.accept());
  await page.locator('[data-revoke="head-li"]').click({ timeout: PATIENCE });
  await head.page.locator("[data-testid=signed-out][data-reason=revoked]").waitFor({ timeout: PATIENCE });
  await head.shot("02-revoked");
  await office.shot("09-revoked");

  at("a viewer sees the figures but no token or import controls");
  await viewer.signIn(env("LINLI_VIEWER_TOKEN"), "district-li");
  await viewer.tab("office");
  await viewer.page.locator('[data-section="figures"] [data-ready="yes"]').waitFor({ timeout: PATIENCE });
  if (await viewer.page.locator('[data-section-tab="people"]').count()) throw new Error("a viewer sees the tokens page");
  if (await viewer.page.locator("[data-revoke], [data-form=new-token]").count()) throw new Error("a viewer sees token controls");
  await viewer.page.locator('[data-section-tab="sheets"]').click();
  await viewer.page.locator("[data-export]").first().waitFor({ timeout: PATIENCE });
  if (await viewer.page.locator("[data-import-file]").count()) throw new Error("a viewer sees the import");
  await viewer.shot("01-viewer-figures");
});
