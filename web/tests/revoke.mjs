// A phone can be lost. When the office revokes its token, the signed-in
// app says so plainly and deletes the residents' data it holds (IndexedDB
// checked), within seconds.
//
// Environment (besides lib.mjs's): LINLI_HEAD_TOKEN (person "head-wang") and
// LINLI_HEAD_TOKEN2 (her replacement token, named "head-wang-new").

import { PATIENCE, env, ask, link, run } from "./lib.mjs";

await run("revocation in the browser", ["head"], async (at, head) => {
  at("signed in, her building on the phone");
  await head.signIn(env("LINLI_HEAD_TOKEN"), "head-wang");
  await head.page.getByRole("button", { name: /1栋/ }).waitFor({ timeout: PATIENCE });
  await head.waitStatus("全部已保存到服务器");
  if ((await head.storedDocs()).length < 2) throw new Error("her documents are not stored");

  at("signing out with an unsent change asks first, and saying no keeps everything");
  await head.cached();
  await head.offline(true);
  await head.page.getByRole("button", { name: /1栋/ }).click();
  await head.page.locator('[data-household="c01-b001-h0001"]').click({ timeout: PATIENCE });
  await head.page.getByTestId("log-visit").click();
  await head.page.getByTestId("save-visit").click();
  await head.waitStatus("1 条修改仅在本机");
  await head.tab("me");
  await head.shot("01-me");
  const asked = new Promise((resolve) =>
    head.page.once("dialog", async (d) => {
      await d.dismiss();
      resolve(d.message());
    }),
  );
  await head.page.getByTestId("sign-out").click();
  const message = await asked;
  if (!message.includes("1 条修改没有发到服务器")) throw new Error(`sign-out asked: ${message}`);
  await head.waitStatus("1 条修改仅在本机");

  at("a new link for her (the office replaced her token) keeps the unsent change");
  await head.page.goto(link(env("LINLI_HEAD_TOKEN2"), "head-wang"));
  await head.waitStatus("1 条修改仅在本机");
  await head.offline(false);
  await head.waitStatus("全部已保存到服务器");

  at("the office revokes her token");
  await ask("revoke");

  at("the app says she was signed out and holds nothing");
  await head.page.locator('[data-testid=signed-out][data-reason=revoked]').waitFor({ timeout: PATIENCE });
  const left = await head.storedDocs();
  if (left.length) throw new Error(`documents left on the phone: ${left}`);
  await head.shot("02-signed-out");
});
