// A building head's day in a real Chromium against the real linli-relay:
// she signs in by link, finds a household, loses the network, logs a
// visit and edits a resident's phone, reloads while still offline, and
// sees both kept with "2 changes only on this phone"; back online, the
// status turns to "all saved".
//
// Environment (besides lib.mjs's): LINLI_TOKEN her building-head token,
// LINLI_AS who she is, LINLI_HOUSEHOLD the household, LINLI_NOTE her note,
// LINLI_PHONE the resident's new phone number.

import { PATIENCE, env, run } from "./lib.mjs";

const household = env("LINLI_HOUSEHOLD");
const note = env("LINLI_NOTE");
const newPhone = env("LINLI_PHONE");

await run("building head's day in the browser", ["head"], async (at, head) => {
  const page = head.page;
  const openHousehold = async () => {
    await page.getByRole("button", { name: /1栋/ }).click({ timeout: PATIENCE });
    await page.getByPlaceholder("搜索房号或姓名").fill("101");
    await page.locator(`[data-household="${household}"]`).click({ timeout: PATIENCE });
    await page.getByTestId("log-visit").waitFor({ timeout: PATIENCE });
  };

  at("sign in by link");
  await head.signIn(env("LINLI_TOKEN"), env("LINLI_AS"));
  await page.getByRole("button", { name: /1栋/ }).waitFor({ timeout: PATIENCE });
  await head.waitStatus("全部已保存到服务器");
  await head.shot("01-buildings");

  at("filter by tag and by days since the last visit");
  await page.getByRole("button", { name: /1栋/ }).click();
  await page.locator("[data-days='30']").click();
  await page.locator("[data-household]").first().waitFor({ timeout: PATIENCE });
  await head.shot("02-not-visited-30-days");
  await page.getByRole("button", { name: "‹ 返回" }).click();

  at("find the household");
  await openHousehold();
  await page.getByText("牟杰永").first().waitFor({ timeout: PATIENCE });
  const call = page.locator('a[href^="tel:"]').first();
  if (!(await call.getAttribute("href"))?.startsWith("tel:182")) throw new Error("no tap-to-call number");
  await head.shot("03-household");

  at("the app is cached for offline use");
  await head.cached();

  at("go offline and log a visit");
  await head.offline(true);
  await page.getByTestId("log-visit").click();
  await page.locator("textarea").fill(note);
  await head.shot("04-log-visit");
  await page.getByTestId("save-visit").click();
  await page.getByTestId("visits").getByText(note).waitFor({ timeout: PATIENCE });
  await head.waitStatus("1 条修改仅在本机");

  at("edit a resident's phone, still offline");
  await page.locator("[data-member]", { hasText: "牟杰永" }).getByTestId("edit-member").click();
  await page.locator("input[name=phone]").fill(newPhone);
  await head.shot("05-edit-member");
  await page.getByTestId("save").click();
  await page.locator(`a[href="tel:${newPhone.replace(/[^0-9+]/g, "")}"]`).waitFor({ timeout: PATIENCE });
  await head.waitStatus("2 条修改仅在本机");
  await head.shot("06-two-changes-offline");

  at("reload while offline");
  await page.reload();
  await head.waitStatus("2 条修改仅在本机，最早");
  await openHousehold();
  await page.getByTestId("visits").getByText(note).waitFor({ timeout: PATIENCE });
  await page.getByText(newPhone).waitFor({ timeout: PATIENCE });
  await head.shot("07-after-offline-reload");

  at("back online: everything reaches the relay");
  await head.offline(false);
  await head.waitStatus("全部已保存到服务器");
  await head.shot("08-saved");

  at("English");
  await page.getByRole("button", { name: "English" }).click();
  await head.waitStatus("All saved on the relay");
  await head.shot("09-english");
});
