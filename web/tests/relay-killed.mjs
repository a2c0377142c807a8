// The relay is SIGKILLed while the app holds unsent edits; the app keeps
// them (and takes more) and, once the relay is back, they arrive.
//
// Environment (besides lib.mjs's): LINLI_HEAD_TOKEN, LINLI_HOUSEHOLD.

import { PATIENCE, env, ask, run } from "./lib.mjs";

await run("relay killed in the browser", ["head"], async (at, head) => {
  const page = head.page;
  const visit = async (note) => {
    await page.getByTestId("log-visit").click();
    await page.locator("textarea").fill(note);
    await page.getByTestId("save-visit").click();
    await page.getByTestId("visits").getByText(note).waitFor({ timeout: PATIENCE });
  };

  at("signed in, at a household");
  await head.signIn(env("LINLI_HEAD_TOKEN"), "head-wang");
  await page.getByRole("button", { name: /1栋/ }).click({ timeout: PATIENCE });
  await page.locator(`[data-household="${env("LINLI_HOUSEHOLD")}"]`).click({ timeout: PATIENCE });
  await head.waitStatus("全部已保存到服务器");
  await head.cached();

  at("an edit waits on the phone");
  await head.offline(true);
  await visit("停电前记录");
  await head.waitStatus("1 条修改仅在本机");

  at("the relay is killed; the network is back but the relay is not");
  await ask("kill");
  await head.context.setOffline(false);
  await visit("重启后记录");
  await head.waitStatus("2 条修改仅在本机");
  await head.shot("01-relay-down");

  at("the relay restarts: both arrive");
  await ask("restart");
  await head.waitStatus("全部已保存到服务器");
  await head.shot("02-saved-after-restart");
});
