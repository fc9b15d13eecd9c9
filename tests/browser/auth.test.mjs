// Signing in and out: every role, the error states of the form, and the keyboard alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  useServerAndBrowser,
  newPage,
  signIn,
  signOut,
  submit,
  navigate,
  check,
  pathOf,
  focusedId,
  accounts,
  displayNames,
  demoPassword,
} from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

test("every role signs in, lands on its home page with its name, and signs out", async () => {
  for (const [role, email] of Object.entries(accounts)) {
    const { context, page } = await newPage(env.browser, env.server.baseUrl);
    const res = await signIn(page, email);
    assert.equal(res.status(), 200, role);
    assert.equal(pathOf(page), "/", `${role} lands on the home page`);
    await page.getByRole("heading", { level: 1, name: `Bonjour ${displayNames[role]}` }).waitFor();
    assert.match(await page.locator(".account-name").innerText(), new RegExp(displayNames[role]), `${role}: name in the header`);
    assert.match(await page.title(), /^Accueil – Allervers$/);
    await check(page, `home-${role}`);

    await signOut(page);
    assert.equal(pathOf(page), "/connexion", `${role}: signing out leads to the sign-in page`);
    await page.getByRole("status").getByText(/déconnecté/).waitFor();
    assert.equal(await page.locator(".account-name").count(), 0, `${role}: nobody shown as signed in`);
    if (role === "admin") await check(page, "signed-out");

    const again = await page.goto("/");
    assert.equal(pathOf(page), "/connexion", `${role}: after signing out, / asks to sign in again`);
    assert.equal(again.status(), 200);
    await context.close();
  }
});

test("a page asked for before signing in is shown after it, and only on this site", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await page.goto("/admin/utilisateurs");
  assert.equal(pathOf(page), "/connexion");
  assert.equal(await page.locator("input[name=suite]").inputValue(), "/admin/utilisateurs");
  await page.getByLabel("Adresse e-mail professionnelle").fill(accounts.admin);
  await page.getByLabel("Mot de passe", { exact: true }).fill(demoPassword);
  await submit(page, "Se connecter");
  assert.equal(pathOf(page), "/admin/utilisateurs");
  await signOut(page);

  // An address on another site is ignored: no open redirect.
  await page.goto("/connexion?suite=" + encodeURIComponent("//exemple.invalid/piege"));
  assert.equal(await page.locator("input[name=suite]").inputValue(), "/");
  await page.getByLabel("Adresse e-mail professionnelle").fill(accounts.admin);
  await page.getByLabel("Mot de passe", { exact: true }).fill(demoPassword);
  await submit(page, "Se connecter");
  assert.equal(page.url(), env.server.baseUrl + "/");
  await context.close();
});

test("sign-in errors: summary focused and linked to the fields, values kept, nothing revealed", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  const email = page.getByLabel("Adresse e-mail professionnelle");
  const password = page.getByLabel("Mot de passe", { exact: true });
  await page.goto("/connexion");
  assert.equal(await page.title(), "Connexion – Allervers");
  await check(page, "sign-in");

  // Empty form: 422, two errors, each linked to its field; the summary has the focus.
  let res = await submit(page, "Se connecter");
  assert.equal(res.status(), 422);
  assert.equal(pathOf(page), "/connexion");
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  assert.match(await page.title(), /^Erreur : Connexion/);
  assert.deepEqual(await summary.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href"))), ["#f-email", "#f-password"]);
  assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")), true, "focus on the summary");
  assert.equal(await email.getAttribute("aria-invalid"), "true");
  assert.equal(await password.getAttribute("aria-invalid"), "true");
  await check(page, "sign-in-empty");
  await summary.getByRole("link", { name: "Indiquez votre mot de passe." }).click();
  assert.equal(await focusedId(page), "f-password", "the link puts the cursor into the field");
  await summary.getByRole("link", { name: "Indiquez votre adresse e-mail." }).click();
  assert.equal(await focusedId(page), "f-email");

  // Wrong password: 401, one error, the e-mail kept, the password not.
  await email.fill(accounts.intervenant);
  await password.fill("pas le bon mot de passe");
  res = await submit(page, "Se connecter");
  assert.equal(res.status(), 401);
  assert.equal(await summary.locator("li").count(), 1);
  const wrongPassword = await summary.innerText();
  assert.equal(await email.inputValue(), accounts.intervenant, "e-mail kept");
  assert.equal(await password.inputValue(), "", "password never sent back");
  assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")), true);
  await check(page, "sign-in-wrong-password");

  // Unknown account: exactly the same answer, so the form does not tell who has an account.
  await email.fill("personne@inconnue.example");
  await password.fill("pas le bon mot de passe");
  res = await submit(page, "Se connecter");
  assert.equal(res.status(), 401);
  assert.equal(await summary.innerText(), wrongPassword, "same message for an unknown account");
  assert.equal(await email.inputValue(), "personne@inconnue.example");
  await context.close();
});

test("keyboard only: the skip link comes first and the whole sign-in works", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await page.goto("/connexion");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Aller au contenu" });
  assert.equal(await skip.evaluate((a) => a === document.activeElement), true, "first Tab stop: the skip link");
  const box = await skip.boundingBox();
  assert.ok(box && box.y >= 0 && box.height > 0, "the focused skip link is on screen");
  await page.keyboard.press("Enter");
  assert.equal(await focusedId(page), "contenu", "Enter moves the focus to the main content");

  // From the top of the content, the next stops are the e-mail, the password, the button.
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "f-email");
  await page.keyboard.type(accounts.coordinateur);
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "f-password");
  await page.keyboard.type(demoPassword);
  await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(pathOf(page), "/");
  await page.getByRole("heading", { level: 1, name: `Bonjour ${displayNames.coordinateur}` }).waitFor();

  // Signed in, the skip link is still first, and the menu tells where we are.
  await page.keyboard.press("Tab");
  assert.equal(await skip.evaluate((a) => a === document.activeElement), true);
  await page.keyboard.press("Enter");
  assert.equal(await focusedId(page), "contenu");
  assert.equal(await page.locator(".main-nav a[aria-current='page']").innerText(), "Accueil");

  // Signing out from the keyboard: skip link, brand, then the header button. (A fresh load of
  // "/": reloading "/#contenu" would start the Tab order at the content.)
  await page.goto("/");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent.trim()), "Se déconnecter");
  await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(pathOf(page), "/connexion");
  await context.close();
});
