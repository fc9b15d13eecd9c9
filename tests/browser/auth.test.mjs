import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, signIn, signOut, check, accounts } from "./support/harness.mjs";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("every role signs in, lands on its home page and signs out", async () => {
  for (const [role, email] of Object.entries(accounts)) {
    const { context, page } = await newPage(browser, server.baseUrl);
    await signIn(page, email);
    assert.equal(new URL(page.url()).pathname, "/", role);
    await page.getByRole("heading", { level: 1, name: /^Bonjour / }).waitFor();
    await check(page, `home-${role}`);
    await signOut(page);
    await page.getByText("Vous êtes déconnecté·e.").waitFor();
    await page.goto("/");
    assert.match(page.url(), /\/connexion$/, `${role}: signed out means no access`);
    await context.close();
  }
});

test("sign-in errors: summary, focus, links to fields, values kept, nothing revealed", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await page.goto("/connexion");
  await check(page, "sign-in");
  await page.getByRole("button", { name: "Se connecter" }).click();
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  assert.equal(await summary.locator("a").count(), 2);
  assert.match(await page.title(), /^Erreur : /);
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")), true);
  await check(page, "sign-in-empty");
  await summary.getByRole("link", { name: "Indiquez votre mot de passe." }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f-password");

  await page.getByLabel("Adresse e-mail professionnelle").fill(accounts.intervenant);
  await page.getByLabel("Mot de passe").fill("pas le bon mot de passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.locator(".error-summary").waitFor();
  const wrongPassword = await page.locator(".error-summary").innerText();
  assert.equal(await page.getByLabel("Adresse e-mail professionnelle").inputValue(), accounts.intervenant);
  await check(page, "sign-in-wrong-password");

  await page.getByLabel("Adresse e-mail professionnelle").fill("personne@inconnue.example");
  await page.getByLabel("Mot de passe").fill("pas le bon mot de passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.locator(".error-summary").waitFor();
  assert.equal(await page.locator(".error-summary").innerText(), wrongPassword, "same message for an unknown account");
  await context.close();
});

test("keyboard only: skip link first, then the whole sign-in", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await page.goto("/connexion");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Aller au contenu");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "contenu");
  // From the top of the content, the first fields are the e-mail and the password.
  let guard = 0;
  while ((await page.evaluate(() => document.activeElement?.id)) !== "f-email" && guard++ < 10) {
    await page.keyboard.press("Tab");
  }
  await page.keyboard.type(accounts.coordinateur);
  await page.keyboard.press("Tab");
  await page.keyboard.type("visite-a-domicile-95");
  await Promise.all([page.waitForURL((url) => url.pathname === "/"), page.keyboard.press("Enter")]);
  // The navigation is reachable from the keyboard and shows where we are.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "contenu");
  const current = page.locator(".main-nav a[aria-current='page']");
  assert.equal(await current.innerText(), "Accueil");
  await context.close();
});

test("public pages render for anonymous visitors", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  for (const [path, heading, name] of [
    ["/accessibilite", "Déclaration d’accessibilité", "accessibility"],
    ["/confidentialite", "Mentions légales et données personnelles", "privacy"],
  ]) {
    const res = await page.goto(path);
    assert.equal(res.status(), 200);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    await check(page, name);
  }
  const res = await page.goto("/cette-page-n-existe-pas");
  assert.equal(res.status(), 404);
  await page.getByRole("heading", { level: 1, name: "Page introuvable" }).waitFor();
  await check(page, "not-found");
  await context.close();
});
