// A phone in a person's home: 360 px wide. Nothing may overflow the page sideways (WCAG 1.4.10,
// reflow) and the pages stay free of axe violations; wide tables scroll inside their own box.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, signIn, submit, check, pathOf, accounts } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

async function expectNoSidewaysScroll(page, label) {
  const [scrollWidth, innerWidth] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= innerWidth, `${label}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`);
}

test("360 px wide: sign-in, home, lists, forms and a referral reflow", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl, { width: 360, height: 740 });
  await page.goto("/connexion");
  await submit(page, "Se connecter");
  await page.locator(".error-summary").waitFor();
  await expectNoSidewaysScroll(page, "sign-in errors");
  await check(page, "phone-sign-in-errors");

  await signIn(page, accounts.admin);
  assert.equal(pathOf(page), "/");
  await expectNoSidewaysScroll(page, "home");
  await check(page, "phone-home-admin");

  for (const [path, name] of [
    ["/admin/utilisateurs", "phone-admin-users"],
    ["/admin/journal", "phone-admin-audit"],
    ["/admin/structures/nouvelle", "phone-admin-structure-new"],
    ["/admin/referentiels", "phone-reference"],
  ]) {
    await page.goto(path);
    await expectNoSidewaysScroll(page, path);
    await check(page, name);
  }
  await context.close();

  // A referral's page: label above value, long e-mail addresses wrapped.
  const coordinator = await newPage(env.browser, env.server.baseUrl, { width: 360, height: 740 });
  await signIn(coordinator.page, accounts.coordinateur);
  const res = await coordinator.page.goto("/fiches/1");
  assert.equal(res.status(), 200);
  await expectNoSidewaysScroll(coordinator.page, "/fiches/1");
  await check(coordinator.page, "phone-referral-show");
  await coordinator.context.close();
});
