// Access is the relay's: a building head's phone never stores another
// building's document (its IndexedDB is checked, not just the screen), and
// a viewer's phone shows no edit controls.
//
// Environment (besides lib.mjs's): LINLI_HEAD_TOKEN, LINLI_VIEWER_TOKEN
// (community scope), LINLI_OTHER_BUILDING (the document of a building that
// is not hers).

import { PATIENCE, env, run } from "./lib.mjs";

const bare = (url) => url.replace(/^automerge:/, "");

await run("access in the browser", ["head", "viewer"], async (at, head, viewer) => {
  at("a building head signs in and gets her building");
  await head.signIn(env("LINLI_HEAD_TOKEN"), "head-wang");
  await head.page.getByRole("button", { name: /1栋/ }).waitFor({ timeout: PATIENCE });
  await head.waitStatus("全部已保存到服务器");
  await head.shot("01-her-buildings");

  at("her phone holds no other building's document");
  const docs = (await head.storedDocs()).map(bare);
  if (docs.length < 2) throw new Error(`expected the directory and her building, got ${docs}`);
  if (docs.includes(bare(env("LINLI_OTHER_BUILDING")))) throw new Error("another building's document is on her phone");
  if (await head.page.getByRole("button", { name: /2栋/ }).count()) throw new Error("another building is shown");

  at("a viewer sees households but no edit controls");
  await viewer.signIn(env("LINLI_VIEWER_TOKEN"), "office-viewer");
  await viewer.page.locator(".readonly").waitFor({ timeout: PATIENCE });
  await viewer.page.getByRole("button", { name: /1栋/ }).click({ timeout: PATIENCE });
  await viewer.page.locator('[data-household="c01-b001-h0001"]').click({ timeout: PATIENCE });
  await viewer.page.getByText("牟杰永").first().waitFor({ timeout: PATIENCE });
  for (const id of ["log-visit", "ask-for-help", "add-member", "edit-member", "edit-household"]) {
    if (await viewer.page.getByTestId(id).count()) throw new Error(`a viewer sees "${id}"`);
  }
  await viewer.shot("01-read-only-household");
});
