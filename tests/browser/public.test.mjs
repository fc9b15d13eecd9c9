// Pages anyone may read, and the 404 page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, signIn, navigate, check, pathOf, accounts } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

test("accessibility statement and legal notice render for anonymous visitors, linked from every page", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await page.goto("/connexion");
  for (const [link, path, heading, name] of [
    ["Accessibilité : non conforme", "/accessibilite", "Déclaration d’accessibilité", "accessibility"],
    ["Mentions légales et données personnelles", "/confidentialite", "Mentions légales et données personnelles", "privacy"],
  ]) {
    const res = await navigate(page, page.locator(".site-footer").getByRole("link", { name: link }));
    assert.equal(res.status(), 200, path);
    assert.equal(pathOf(page), path, "no sign-in asked");
    await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    assert.match(await page.title(), / – Allervers$/);
    await check(page, name);
    await page.goto("/connexion");
  }
  await context.close();
});

test("an unknown address gives the French 404 page, signed in or not", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  let res = await page.goto("/cette-page-n-existe-pas");
  assert.equal(res.status(), 404);
  await page.getByRole("heading", { level: 1, name: "Page introuvable" }).waitFor();
  assert.match(await page.locator("main").innerText(), /erreur 404/);
  await check(page, "not-found");

  await signIn(page, accounts.intervenant);
  res = await page.goto("/admin/structures/999999");
  assert.ok([403, 404].includes(res.status()), `answered ${res.status()}`);
  res = await page.goto("/dossiers/pas-un-numero");
  assert.equal(res.status(), 404);
  await page.getByRole("heading", { level: 1, name: "Page introuvable" }).waitFor();
  await check(page, "not-found-signed-in");
  await navigate(page, page.getByRole("link", { name: "Revenir à l’accueil" }));
  assert.equal(pathOf(page), "/");
  await context.close();
});
