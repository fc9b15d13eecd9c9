import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, signIn, check, accounts } from "./support/harness.mjs";

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

async function submit(page, name) {
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name }).click()]);
}

test("administrator manages structures: errors kept, creation, edition, deactivation", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, accounts.admin);
  await page.goto("/admin/structures");
  await check(page, "admin-structures");
  await page.getByRole("link", { name: "Ajouter une structure" }).click();
  await check(page, "admin-structure-new");

  await page.getByLabel("Code").fill("pas un code !");
  await page.getByLabel("Nom", { exact: true }).fill("Maison France services d’Osny");
  await submit(page, "Enregistrer");
  await page.locator(".error-summary").waitFor();
  assert.equal(await page.getByLabel("Nom", { exact: true }).inputValue(), "Maison France services d’Osny");
  assert.equal(await page.getByLabel("Code").inputValue(), "pas un code !");
  await check(page, "admin-structure-errors");

  await page.getByLabel("Code").fill("FS-OSNY");
  await page.getByLabel("Partenaire").check();
  await page.getByLabel("Territoire").fill("Osny");
  await submit(page, "Enregistrer");
  await page.getByText("La structure a été créée.").waitFor();
  const row = page.getByRole("row", { name: /FS-OSNY/ });
  await row.waitFor();
  assert.match(await row.innerText(), /Active/);

  await row.getByRole("link").click();
  await check(page, "admin-structure-edit");
  await page.getByLabel("Territoire").fill("Osny et environs");
  await submit(page, "Enregistrer");
  await page.getByText("La structure a été enregistrée.").waitFor();
  await page.getByRole("row", { name: /FS-OSNY/ }).getByRole("link").click();
  await submit(page, "Désactiver la structure");
  await page.getByText("La structure a été désactivée.").waitFor();
  assert.match(await page.getByRole("row", { name: /FS-OSNY/ }).innerText(), /Désactivée/);
  await context.close();
});

test("administrator creates an account; its owner must choose a password first", async () => {
  const admin = await newPage(browser, server.baseUrl);
  await signIn(admin.page, accounts.admin);
  await admin.page.goto("/admin/utilisateurs");
  await check(admin.page, "admin-users");
  await admin.page.getByRole("link", { name: "Créer un compte" }).click();
  await check(admin.page, "admin-user-new");
  await submit(admin.page, "Créer le compte");
  await admin.page.locator(".error-summary").waitFor();
  await check(admin.page, "admin-user-errors");

  await admin.page.getByLabel("Prénom et nom").fill("Inès Haddad");
  await admin.page.getByLabel("Adresse e-mail professionnelle").fill("ines.haddad@emn-cergy.example");
  await admin.page.getByLabel("Rôle").selectOption("intervenant");
  await admin.page.getByLabel("Structure").selectOption("EMN-CERGY");
  await admin.page.getByLabel(/ETP/).fill("0,5");
  await submit(admin.page, "Créer le compte");
  const temporary = (await admin.page.locator("#temporary-password").innerText()).trim();
  assert.match(temporary, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  await check(admin.page, "admin-user-created");

  const owner = await newPage(browser, server.baseUrl);
  await signIn(owner.page, "ines.haddad@emn-cergy.example", temporary);
  assert.equal(new URL(owner.page.url()).pathname, "/mot-de-passe");
  await check(owner.page, "password-forced");
  await owner.page.goto("/");
  assert.equal(new URL(owner.page.url()).pathname, "/mot-de-passe", "nothing else before choosing a password");

  await owner.page.getByLabel("Mot de passe actuel").fill(temporary);
  await owner.page.getByLabel("Nouveau mot de passe", { exact: true }).fill("azerty123456");
  await owner.page.getByLabel("Confirmez le nouveau mot de passe").fill("azerty123456");
  await submit(owner.page, "Enregistrer le mot de passe");
  await owner.page.locator(".error-summary").getByText(/trop courant/).waitFor();
  await check(owner.page, "password-refused");

  await owner.page.getByLabel("Mot de passe actuel").fill(temporary);
  await owner.page.getByLabel("Nouveau mot de passe", { exact: true }).fill("trois petits chats gris 2026");
  await owner.page.getByLabel("Confirmez le nouveau mot de passe").fill("trois petits chats gris 2026");
  await submit(owner.page, "Enregistrer le mot de passe");
  assert.equal(new URL(owner.page.url()).pathname, "/");
  await owner.page.getByText("Votre mot de passe a été changé.").waitFor();
  await owner.context.close();
  await admin.context.close();
});

test("resetting and disabling an account close its open sessions", async () => {
  const target = await newPage(browser, server.baseUrl);
  await signIn(target.page, "lea.nguyen@emn-cergy.example");
  assert.equal(new URL(target.page.url()).pathname, "/");

  const admin = await newPage(browser, server.baseUrl);
  admin.page.on("dialog", (dialog) => dialog.accept());
  await signIn(admin.page, accounts.admin);
  await admin.page.goto("/admin/utilisateurs");
  await admin.page.getByRole("link", { name: "Léa Nguyen" }).click();
  await check(admin.page, "admin-user-edit");
  await submit(admin.page, "Réinitialiser le mot de passe");
  await admin.page.locator("#temporary-password").waitFor();
  await check(admin.page, "admin-user-reset");

  await target.page.reload();
  assert.match(target.page.url(), /\/connexion/, "the reset closed the session");

  await admin.page.goto("/admin/utilisateurs");
  await admin.page.getByRole("link", { name: "Léa Nguyen" }).click();
  await submit(admin.page, "Désactiver le compte");
  await admin.page.getByText("Le compte a été désactivé et ses sessions fermées.").waitFor();
  assert.match(await admin.page.getByRole("row", { name: /Léa Nguyen/ }).innerText(), /Désactivé/);

  await admin.page.goto("/admin/journal");
  await admin.page.getByRole("cell", { name: "user.disable" }).first().waitFor();
  await check(admin.page, "admin-audit");
  await target.context.close();
  await admin.context.close();
});

test("coordinator manages only the team; other pages are refused", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.coordinateur);
  await page.goto("/admin/utilisateurs");
  await page.getByRole("heading", { level: 1, name: "Mon équipe" }).waitFor();
  const emails = await page.locator("tbody tr td:nth-child(2)").allInnerTexts();
  assert.ok(emails.length >= 3);
  for (const email of emails) {
    assert.match(email, /@emn-cergy\.example$/);
  }
  await check(page, "team");
  await page.getByRole("link", { name: "Créer un compte" }).click();
  const roles = await page.getByLabel("Rôle").locator("option").allInnerTexts();
  assert.deepEqual(roles, ["Intervenant·e", "Coordinateur·rice"]);
  await page.getByLabel("Prénom et nom").fill("Hugo Lambert");
  await page.getByLabel("Adresse e-mail professionnelle").fill("hugo.lambert@emn-cergy.example");
  await submit(page, "Créer le compte");
  await page.locator("#temporary-password").waitFor();

  for (const path of ["/admin/structures", "/admin/journal"]) {
    const res = await page.goto(path);
    assert.equal(res.status(), 403, path);
  }
  await page.getByRole("heading", { level: 1, name: "Accès refusé" }).waitFor();
  await check(page, "forbidden");
  await context.close();
});

test("intervenant, prescripteur and pilote cannot manage accounts", async () => {
  for (const role of ["intervenant", "prescripteur", "pilote"]) {
    const { context, page } = await newPage(browser, server.baseUrl);
    await signIn(page, accounts[role]);
    const res = await page.goto("/admin/utilisateurs");
    assert.equal(res.status(), 403, role);
    assert.equal(await page.locator(".main-nav a", { hasText: "Comptes" }).count(), 0, `${role} sees no Comptes link`);
    await context.close();
  }
});
