// A building head asks for help for a household; two volunteers see the
// need on their boards, both claim it while offline, and come back online:
// both phones show one holder, and the one who lost is told who has it.
//
// Environment (besides lib.mjs's): LINLI_HEAD_TOKEN, LINLI_V1_TOKEN and
// LINLI_V2_TOKEN (volunteers v00001 and v00002, scoped to the community).

import { PATIENCE, env, run } from "./lib.mjs";

const title = "代买降压药";

await run("help and an offline claim race", ["head", "v1", "v2"], async (at, head, v1, v2) => {
  at("the building head asks for help for a household");
  await head.signIn(env("LINLI_HEAD_TOKEN"), "head-wang");
  await head.page.getByRole("button", { name: /1栋/ }).click({ timeout: PATIENCE });
  await head.page.locator('[data-household="c01-b001-h0001"]').click({ timeout: PATIENCE });
  await head.page.getByTestId("ask-for-help").click({ timeout: PATIENCE });
  await head.page.locator("[data-kind=errand]").click();
  await head.page.locator("input[name=title]").fill(title);
  await head.shot("01-ask-for-help");
  await head.page.getByTestId("send-help").click();
  await head.page.getByRole("button", { name: new RegExp(title) }).waitFor({ timeout: PATIENCE });
  await head.waitStatus("全部已保存到服务器");
  await head.shot("02-help-asked");

  at("two volunteers see it on their boards");
  for (const [v, token, person] of [
    [v1, env("LINLI_V1_TOKEN"), "v00001"],
    [v2, env("LINLI_V2_TOKEN"), "v00002"],
  ]) {
    await v.signIn(token, person);
    await v.tab("tasks");
    await v.page.locator("[data-task]", { hasText: title }).click({ timeout: PATIENCE });
    await v.page.getByTestId("step-claim").waitFor({ timeout: PATIENCE });
    await v.waitStatus("全部已保存到服务器");
    await v.cached();
  }
  await v1.shot("01-need-on-board");

  at("both claim it while offline, v00001 first");
  await v1.offline(true);
  await v2.offline(true);
  await v1.page.getByTestId("step-claim").click();
  await v1.waitStatus("1 条修改仅在本机");
  await v2.page.getByTestId("step-claim").click();
  await v2.waitStatus("1 条修改仅在本机");
  await v2.page.getByText("这是您的任务").waitFor({ timeout: PATIENCE });
  await v2.shot("02-claimed-offline");

  at("v00002 comes online first, then v00001");
  await v2.offline(false);
  await v2.waitStatus("全部已保存到服务器");
  await v1.offline(false);
  await v1.waitStatus("全部已保存到服务器");

  at("both phones show one holder; the loser is told");
  await v1.page.locator("[data-testid=assignee][data-volunteer=v00001]").waitFor({ timeout: PATIENCE });
  await v1.page.getByText("这是您的任务").waitFor({ timeout: PATIENCE });
  await v2.page.locator("[data-testid=assignee][data-volunteer=v00001]").waitFor({ timeout: PATIENCE });
  await v2.page.getByTestId("lost").filter({ hasText: "v00001 先认领了" }).waitFor({ timeout: PATIENCE });
  if (await v2.page.getByTestId("step-start").count()) throw new Error("the loser can still start the task");
  await v1.shot("03-winner");
  await v2.shot("03-loser");

  at("the winner starts and finishes");
  await v1.page.getByTestId("step-start").click();
  await v1.page.getByTestId("step-done").click({ timeout: PATIENCE });
  await v1.page.locator(".state.done").waitFor({ timeout: PATIENCE });

  at("the winner logs her hours with her own token");
  await v1.page.locator("[data-minutes='90']").click({ timeout: PATIENCE });
  await v1.page.getByTestId("hours").getByText("1 小时 30 分钟").waitFor({ timeout: PATIENCE });
  await v1.waitStatus("全部已保存到服务器");
  await v1.shot("04-done");

  at("the building head sees who helped");
  await head.page.getByText(/已完成/).first().waitFor({ timeout: PATIENCE });
  await head.shot("03-help-done");
});
