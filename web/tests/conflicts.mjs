// Two people change the same resident's phone while apart. When both
// phones meet the relay, the status line says a field has two values; the
// conflicts screen shows each with who wrote it, and the building head
// keeps hers. The other phone then shows the settled value too.
//
// Environment (besides lib.mjs's): LINLI_HEAD_TOKEN (head-wang),
// LINLI_GRID_TOKEN (grid-zhao, a grid worker of the same building).

import { PATIENCE, env, run } from "./lib.mjs";

const household = "c01-b001-h0001";

await run("conflicts in the browser", ["head", "grid"], async (at, head, grid) => {
  const editPhone = async (p, phone) => {
    await p.page.getByRole("button", { name: /1栋/ }).click({ timeout: PATIENCE });
    await p.page.locator(`[data-household="${household}"]`).click({ timeout: PATIENCE });
    await p.cached();
    await p.offline(true);
    await p.page.locator("[data-member]", { hasText: "牟杰永" }).getByTestId("edit-member").click();
    await p.page.locator("input[name=phone]").fill(phone);
    await p.page.getByTestId("save").click();
    await p.waitStatus("1 条修改仅在本机");
  };

  at("both sign in");
  await head.signIn(env("LINLI_HEAD_TOKEN"), "head-wang");
  await grid.signIn(env("LINLI_GRID_TOKEN"), "grid-zhao");
  await head.waitStatus("全部已保存到服务器");
  await grid.waitStatus("全部已保存到服务器");

  at("each changes the same phone number offline");
  await editPhone(head, "131-1111-1111");
  await editPhone(grid, "132-2222-2222");

  at("both come back online");
  await grid.offline(false);
  await grid.waitStatus("全部已保存到服务器");
  await head.offline(false);
  await head.waitStatus("全部已保存到服务器");

  at("the status line says a field has two values");
  await head.page.getByTestId("open-conflicts").click({ timeout: PATIENCE });
  const conflict = head.page.getByTestId("conflict");
  await conflict.getByText("131-1111-1111").waitFor({ timeout: PATIENCE });
  await conflict.getByText("132-2222-2222").waitFor({ timeout: PATIENCE });
  await conflict.getByText(/head-wang 写于/).waitFor({ timeout: PATIENCE });
  await conflict.getByText(/grid-zhao 写于/).waitFor({ timeout: PATIENCE });
  await head.shot("01-two-values");

  at("she keeps hers");
  await conflict
    .locator("li", { hasText: "131-1111-1111" })
    .getByTestId("keep")
    .click();
  await head.page.getByText("没有需要确认的信息").waitFor({ timeout: PATIENCE });
  await head.waitStatus("全部已保存到服务器");
  await head.shot("02-settled");

  at("the other phone shows the kept value and no conflict");
  await grid.page.locator('a[href="tel:13111111111"]').waitFor({ timeout: PATIENCE });
  if (await grid.page.getByTestId("open-conflicts").count()) throw new Error("the grid worker still sees a conflict");
});
