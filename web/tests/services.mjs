// The services list and notices in the app, each person with their own
// token: a team leader offers a haircut with one place; two building heads
// each request it offline for a household; after syncing both phones agree
// and the later request reads "full"; the leader accepts, finishes the task,
// and the building head rates it. Then a notice from the street office
// reaches both heads; one marks it read offline, and it arrives.
//
// Environment (besides lib.mjs's): LINLI_LEADER_TOKEN (team leader v00001,
// on the team's roster), LINLI_HEAD1_TOKEN and LINLI_HEAD2_TOKEN (building
// heads of 1栋, head-wang and head-zhao), LINLI_OFFICE_TOKEN (the street
// office's street-admin token).

import { PATIENCE, ask, env, run } from "./lib.mjs";

const SAVED = "全部已保存到服务器";

await run("services and notices", ["leader", "head1", "head2", "office"], async (at, leader, head1, head2, office) => {
  at("the team leader offers a haircut with one place");
  await leader.signIn(env("LINLI_LEADER_TOKEN"), "v00001");
  await leader.tab("services");
  await leader.page.getByTestId("publish-service").click({ timeout: PATIENCE });
  await leader.page.locator("[data-kind=haircut]").click();
  await leader.page.locator("input[name=title]").fill("上门理发");
  await leader.page.locator("input[name=when]").fill("每周六上午");
  await leader.page.locator("input[name=capacity]").fill("1");
  await leader.shot("01-offer");
  await leader.page.getByTestId("send-service").click();
  await leader.page.locator("[data-service]", { hasText: "上门理发" }).waitFor({ timeout: PATIENCE });
  await leader.waitStatus(SAVED);
  await leader.shot("02-offered");

  at("two building heads open a household each, then go offline");
  const heads = [
    [head1, env("LINLI_HEAD1_TOKEN"), "head-wang", "c01-b001-h0001"],
    [head2, env("LINLI_HEAD2_TOKEN"), "head-zhao", "c01-b001-h0002"],
  ];
  for (const [h, token, person, household] of heads) {
    await h.signIn(token, person);
    await h.page.getByRole("button", { name: /1栋/ }).click({ timeout: PATIENCE });
    await h.page.locator(`[data-household="${household}"]`).click({ timeout: PATIENCE });
    await h.page.getByTestId("request-service").waitFor({ timeout: PATIENCE });
    await h.waitStatus(SAVED);
    await h.cached();
    await h.offline(true);
  }

  at("each requests the last place offline, head-wang first");
  for (const [h] of heads) {
    await h.page.getByTestId("request-service").click();
    await h.page.locator("[data-service]", { hasText: "上门理发" }).getByTestId("request").click({ timeout: PATIENCE });
    await h.waitStatus("1 条修改仅在本机");
  }
  await head2.tab("services");
  await head2.page.locator("[data-request][data-status=waiting]").waitFor({ timeout: PATIENCE });
  await head2.shot("01-requested-offline");

  at("both come online; both phones agree, and the later one is told it is full");
  await head2.offline(false);
  await head2.waitStatus(SAVED);
  await head1.offline(false);
  await head1.waitStatus(SAVED);
  await head1.tab("services");
  await head1.page.locator("[data-request][data-status=waiting]").waitFor({ timeout: PATIENCE });
  await head2.page.locator("[data-request][data-status=full]").waitFor({ timeout: PATIENCE });
  await head2.page.getByText("名额已满，未排上").waitFor({ timeout: PATIENCE });
  await head2.page.getByText("名额已满（共 1 个）").waitFor({ timeout: PATIENCE });
  await head1.shot("02-holds-the-place");
  await head2.shot("02-told-full");

  at("the leader accepts head-wang's request and serves it");
  await leader.page.locator("[data-request][data-status=waiting]").getByTestId("accept").click({ timeout: PATIENCE });
  await leader.page.locator("[data-request][data-status=accepted]").waitFor({ timeout: PATIENCE });
  if (await leader.page.locator("[data-request][data-status=full] [data-testid=accept]").count())
    throw new Error("a request with no place can be accepted");
  await leader.tab("tasks");
  await leader.page.locator("[data-task]", { hasText: "上门理发" }).click({ timeout: PATIENCE });
  await leader.page.getByText("这是您的任务").waitFor({ timeout: PATIENCE });
  await leader.page.getByTestId("step-done").click();
  await leader.page.locator(".state.done").waitFor({ timeout: PATIENCE });
  await leader.waitStatus(SAVED);

  at("head-wang rates it for the resident");
  await head1.tab("tasks");
  await head1.page.locator("[data-task]", { hasText: "上门理发" }).click({ timeout: PATIENCE });
  await head1.page.locator("[data-stars='5']").click({ timeout: PATIENCE });
  await head1.page.getByTestId("rating").filter({ hasText: "★★★★★" }).waitFor({ timeout: PATIENCE });
  await head1.waitStatus(SAVED);
  await head1.shot("03-rated");

  at("the street office publishes a notice to the community on its page");
  await office.signIn(env("LINLI_OFFICE_TOKEN"), "admin-li");
  await office.page.locator('[data-section-tab="notices"]').click({ timeout: PATIENCE });
  await office.page.getByTestId("new-notice").click({ timeout: PATIENCE });
  await office.page.locator("[data-testid=notice-form] [data-community]").first().click({ timeout: PATIENCE });
  await office.page.locator("input[name=notice-title]").fill("停水通知");
  await office.page.locator("textarea[name=notice-body]").fill("周三9点到17点停水，请提前储水");
  await office.shot("01-new-notice");
  await office.page.getByTestId("send-notice").click();
  await office.page.locator("[data-notice]", { hasText: "停水通知" }).getByTestId("unread").waitFor({ timeout: PATIENCE });
  await office.page.getByText("已读 0 / 2").waitFor({ timeout: PATIENCE });
  for (const [h] of heads) {
    await h.tab("notices");
    await h.page.locator("[data-notice][data-read=false]", { hasText: "停水通知" }).waitFor({ timeout: PATIENCE });
  }
  await head2.shot("04-notice");

  at("head-zhao reads it offline; it arrives when she is back");
  await head2.offline(true);
  await head2.page.getByTestId("mark-read").click();
  await head2.page.locator("[data-notice][data-read=true]").waitFor({ timeout: PATIENCE });
  await head2.waitStatus("1 条修改仅在本机");
  await head2.shot("05-read-offline");
  await head2.offline(false);
  await head2.waitStatus(SAVED);
  await ask("check the office's unread list");

  at("the office's page names who has not read it");
  await office.page.locator('[data-section-tab="tasks"]').click();
  await office.page.locator('[data-section-tab="notices"]').click();
  await office.page.getByText("已读 1 / 2").waitFor({ timeout: PATIENCE });
  await office.page.getByTestId("unread").filter({ hasText: "未读：head-wang" }).waitFor({ timeout: PATIENCE });
  await office.shot("02-who-has-read");
});
