// Administration: structures, accounts, temporary passwords, sessions closed by a reset or a
// deactivation, the audit trail.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, signIn, submit, navigate, check, pathOf, focusedId, accounts } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

/** Accepts the next dialog; returns what it was, to be checked once the action is done. */
function acceptNextDialog(page) {
  const seen = { type: null, message: null };
  page.once("dialog", (dialog) => {
    seen.type = dialog.type();
    seen.message = dialog.message();
    return dialog.accept();
  });
  return seen;
}

function row(page, text) {
  return page.getByRole("row", { name: text });
}

test("administrator manages structures: errors kept, creation, edition, deactivation, reactivation", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.admin);
  await navigate(page, page.locator(".main-nav").getByRole("link", { name: "Structures" }));
  assert.equal(pathOf(page), "/admin/structures");
  await row(page, /EMN-CERGY/).waitFor();
  assert.equal(await page.locator(".main-nav a[aria-current='page']").innerText(), "Structures");
  await check(page, "admin-structures");

  await navigate(page, page.getByRole("link", { name: "Ajouter une structure" }));
  assert.equal(pathOf(page), "/admin/structures/nouvelle");
  await check(page, "admin-structure-new");

  // Bad code, no name: 422, both listed, what was typed is still there.
  await page.getByLabel("Code").fill("pas un code !");
  await page.getByLabel("Territoire").fill("Osny");
  await page.getByLabel("Service social départemental").check();
  let res = await submit(page, "Enregistrer");
  assert.equal(res.status(), 422);
  const summary = page.locator(".error-summary");
  assert.deepEqual(await summary.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href"))), ["#f-code", "#f-name"]);
  assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute("data-error-summary")), true);
  assert.equal(await page.getByLabel("Code").inputValue(), "pas un code !");
  assert.equal(await page.getByLabel("Territoire").inputValue(), "Osny");
  assert.equal(await page.getByLabel("Service social départemental").isChecked(), true);
  assert.match(await page.title(), /^Erreur : /);
  await check(page, "admin-structure-errors");
  await summary.getByRole("link").first().click();
  assert.equal(await focusedId(page), "f-code");

  // A code already taken is refused too.
  await page.getByLabel("Code").fill("EMN-CERGY");
  await page.getByLabel("Nom", { exact: true }).fill("Maison France services d’Osny");
  res = await submit(page, "Enregistrer");
  assert.equal(res.status(), 422);
  assert.equal(await summary.locator("li").count(), 1);
  assert.equal(await summary.locator("a").getAttribute("href"), "#f-code");
  assert.equal(await page.getByLabel("Nom", { exact: true }).inputValue(), "Maison France services d’Osny");
  await check(page, "admin-structure-code-taken");

  await page.getByLabel("Code").fill("FS-OSNY");
  await page.getByLabel("Partenaire").check();
  res = await submit(page, "Enregistrer");
  assert.equal(res.status(), 200);
  assert.equal(pathOf(page), "/admin/structures");
  await page.getByRole("status").getByText("La structure a été créée.").waitFor();
  const created = row(page, /FS-OSNY/);
  assert.match(await created.innerText(), /Maison France services d’Osny\s+Partenaire\s+Osny\s+Active/);
  await check(page, "admin-structure-created");

  // Edition: the form comes back filled in; a change is saved.
  await navigate(page, created.getByRole("link"));
  assert.match(pathOf(page), /^\/admin\/structures\/\d+$/);
  assert.equal(await page.getByLabel("Code").inputValue(), "FS-OSNY");
  assert.equal(await page.getByLabel("Partenaire").isChecked(), true);
  await check(page, "admin-structure-edit");
  const editUrl = page.url();
  await page.getByLabel("Nom", { exact: true }).fill("");
  res = await submit(page, "Enregistrer");
  assert.equal(res.status(), 422, "an emptied name is refused on edit too");
  assert.equal(page.url(), editUrl);
  await check(page, "admin-structure-edit-errors");
  await page.getByLabel("Nom", { exact: true }).fill("France services d’Osny");
  await page.getByLabel("Territoire").fill("Osny et environs");
  await submit(page, "Enregistrer");
  await page.getByRole("status").getByText("La structure a été enregistrée.").waitFor();
  assert.match(await row(page, /FS-OSNY/).innerText(), /France services d’Osny\s+Partenaire\s+Osny et environs\s+Active/);

  // Deactivation asks for confirmation; reactivation does not.
  await navigate(page, row(page, /FS-OSNY/).getByRole("link"));
  const structureUrl = page.url();
  page.once("dialog", (dialog) => dialog.dismiss());
  await page.getByRole("button", { name: "Désactiver la structure" }).click();
  assert.equal(page.url(), structureUrl, "cancelling the confirmation keeps the page");
  await page.getByRole("heading", { level: 2, name: "Désactiver la structure" }).waitFor();
  const confirmation = acceptNextDialog(page);
  await submit(page, "Désactiver la structure");
  assert.deepEqual(confirmation, { type: "confirm", message: "Désactiver cette structure ?" }, "asks for confirmation first");
  await page.getByRole("status").getByText("La structure a été désactivée.").waitFor();
  assert.match(await row(page, /FS-OSNY/).innerText(), /Désactivée/);
  await navigate(page, row(page, /FS-OSNY/).getByRole("link"));
  await page.getByRole("heading", { level: 2, name: "Réactiver la structure" }).waitFor();
  await check(page, "admin-structure-disabled");
  await submit(page, "Réactiver la structure");
  await page.getByRole("status").getByText(/La structure a été réactivée/).waitFor();
  assert.match(await row(page, /FS-OSNY/).innerText(), /Active/);
  await context.close();
});

test("administrator creates an account; its owner must choose a good password first", async () => {
  const admin = await newPage(env.browser, env.server.baseUrl);
  await signIn(admin.page, accounts.admin);
  await navigate(admin.page, admin.page.locator(".main-nav").getByRole("link", { name: "Comptes" }));
  assert.equal(pathOf(admin.page), "/admin/utilisateurs");
  await admin.page.getByRole("heading", { level: 1, name: "Comptes" }).waitFor();
  await check(admin.page, "admin-users");
  await navigate(admin.page, admin.page.getByRole("link", { name: "Créer un compte" }));
  await check(admin.page, "admin-user-new");

  // Nothing filled in: 422, errors listed, what was chosen kept.
  await admin.page.getByLabel("Adresse e-mail professionnelle").fill("pas-une-adresse");
  let res = await submit(admin.page, "Créer le compte");
  assert.equal(res.status(), 422);
  const summary = admin.page.locator(".error-summary");
  const anchors = await summary.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  assert.ok(anchors.includes("#f-display_name") && anchors.includes("#f-email"), anchors.join(" "));
  assert.equal(await admin.page.getByLabel("Adresse e-mail professionnelle").inputValue(), "pas-une-adresse");
  await check(admin.page, "admin-user-errors");

  await admin.page.getByLabel("Prénom et nom").fill("Inès Haddad");
  await admin.page.getByLabel("Adresse e-mail professionnelle").fill("ines.haddad@emn-cergy.example");
  await admin.page.getByLabel("Rôle").selectOption("intervenant");
  await admin.page.getByLabel("Structure").selectOption("EMN-CERGY");
  await admin.page.getByLabel(/ETP/).fill("0,5");
  res = await submit(admin.page, "Créer le compte");
  assert.equal(res.status(), 201);
  await admin.page.getByRole("heading", { level: 1, name: "Compte créé" }).waitFor();
  const temporary = (await admin.page.locator("#temporary-password").innerText()).trim();
  assert.match(temporary, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  await check(admin.page, "admin-user-created");

  // Shown once: neither the list nor the account's page shows it again.
  await navigate(admin.page, admin.page.getByRole("link", { name: "Retour aux comptes" }));
  const listed = row(admin.page, /Inès Haddad/);
  assert.match(await listed.innerText(), /ines\.haddad@emn-cergy\.example\s+Intervenant·e.*0,5\s+Jamais\s+Actif\s+Mot de passe provisoire/s);
  assert.equal(await admin.page.getByText(temporary).count(), 0);
  await navigate(admin.page, listed.getByRole("link"));
  assert.equal(await admin.page.getByText(temporary).count(), 0);
  assert.equal((await admin.page.content()).includes(temporary), false);

  // The owner signs in with it in another browser: nothing but the password page until changed.
  const owner = await newPage(env.browser, env.server.baseUrl);
  res = await signIn(owner.page, "ines.haddad@emn-cergy.example", temporary);
  assert.equal(pathOf(owner.page), "/mot-de-passe");
  assert.equal(res.status(), 200);
  await owner.page.getByText("vous utilisez un mot de passe provisoire").waitFor();
  assert.equal(await owner.page.locator(".main-nav").count(), 0, "no menu before a personal password");
  await check(owner.page, "password-forced");
  await owner.page.goto("/");
  assert.equal(pathOf(owner.page), "/mot-de-passe", "nothing else before choosing a password");

  const current = owner.page.getByLabel("Mot de passe actuel");
  const fresh = owner.page.getByLabel("Nouveau mot de passe", { exact: true });
  const confirm = owner.page.getByLabel("Confirmez le nouveau mot de passe");

  // Too short.
  await current.fill(temporary);
  await fresh.fill("chat gris");
  await confirm.fill("chat gris");
  res = await submit(owner.page, "Enregistrer le mot de passe");
  assert.equal(res.status(), 422);
  await owner.page.locator(".error-summary a[href='#f-new_password']").waitFor();
  assert.equal(await fresh.getAttribute("aria-invalid"), "true");
  assert.equal(await fresh.inputValue(), "", "passwords are never sent back");
  await check(owner.page, "password-too-short");

  // Long enough but too common.
  await current.fill(temporary);
  await fresh.fill("azerty123456");
  await confirm.fill("azerty123456");
  res = await submit(owner.page, "Enregistrer le mot de passe");
  assert.equal(res.status(), 422);
  await owner.page.locator(".error-summary").getByText(/trop courant/).waitFor();
  await check(owner.page, "password-refused");

  // Wrong current password and a confirmation that differs.
  await current.fill("pas le mot de passe provisoire");
  await fresh.fill("trois petits chats gris 2026");
  await confirm.fill("trois petits chats gris 2027");
  res = await submit(owner.page, "Enregistrer le mot de passe");
  assert.equal(res.status(), 422);
  const anchorsPw = await owner.page.locator(".error-summary a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  assert.ok(anchorsPw.includes("#f-current_password") && anchorsPw.includes("#f-confirm_password"), anchorsPw.join(" "));
  await check(owner.page, "password-mismatch");

  await current.fill(temporary);
  await fresh.fill("trois petits chats gris 2026");
  await confirm.fill("trois petits chats gris 2026");
  await submit(owner.page, "Enregistrer le mot de passe");
  assert.equal(pathOf(owner.page), "/");
  await owner.page.getByRole("status").getByText("Votre mot de passe a été changé.").waitFor();
  await owner.page.getByRole("heading", { level: 1, name: "Bonjour Inès Haddad" }).waitFor();
  await check(owner.page, "password-changed");

  // The temporary password is spent; the new one works.
  await owner.context.clearCookies();
  res = await signIn(owner.page, "ines.haddad@emn-cergy.example", temporary);
  assert.equal(res.status(), 401);
  await signIn(owner.page, "ines.haddad@emn-cergy.example", "trois petits chats gris 2026");
  assert.equal(pathOf(owner.page), "/");

  // Changing one's own password when not forced: the page offers a way out.
  await owner.page.goto("/mot-de-passe");
  await owner.page.getByRole("link", { name: "Annuler" }).waitFor();
  assert.equal(await owner.page.getByText("vous utilisez un mot de passe provisoire").count(), 0);
  await check(owner.page, "password-change");
  await owner.context.close();
  await admin.context.close();
});

test("resetting a password and disabling an account close that account's open sessions", async () => {
  const lea = "lea.nguyen@emn-cergy.example";
  const target = await newPage(env.browser, env.server.baseUrl);
  await signIn(target.page, lea);
  assert.equal(pathOf(target.page), "/");

  const admin = await newPage(env.browser, env.server.baseUrl);
  await signIn(admin.page, accounts.admin);
  await admin.page.goto("/admin/utilisateurs");
  await navigate(admin.page, admin.page.getByRole("link", { name: "Léa Nguyen" }));
  await admin.page.getByRole("heading", { level: 1, name: "Modifier le compte de Léa Nguyen" }).waitFor();
  await check(admin.page, "admin-user-edit");

  // Edit errors keep the values; the account's own page is not a place to lose work.
  await admin.page.getByLabel("Prénom et nom").fill("");
  await admin.page.getByLabel(/ETP/).fill("beaucoup");
  let res = await submit(admin.page, "Enregistrer");
  assert.equal(res.status(), 422);
  assert.equal(await admin.page.getByLabel(/ETP/).inputValue(), "beaucoup");
  await check(admin.page, "admin-user-edit-errors");
  await admin.page.goto("/admin/utilisateurs");
  await navigate(admin.page, admin.page.getByRole("link", { name: "Léa Nguyen" }));

  // Reset: a new temporary password, shown once; Léa's open session ends.
  const confirmation = acceptNextDialog(admin.page);
  await submit(admin.page, "Réinitialiser le mot de passe");
  assert.deepEqual(confirmation, { type: "confirm", message: "Réinitialiser le mot de passe de ce compte ?" }, "asks for confirmation first");
  await admin.page.getByRole("heading", { level: 1, name: "Mot de passe réinitialisé" }).waitFor();
  const temporary = (await admin.page.locator("#temporary-password").innerText()).trim();
  assert.match(temporary, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  await check(admin.page, "admin-user-reset");

  await target.page.reload();
  assert.equal(pathOf(target.page), "/connexion", "the reset closed Léa's session");
  res = await signIn(target.page, lea);
  assert.equal(res.status(), 401, "the old password no longer works");
  await signIn(target.page, lea, temporary);
  assert.equal(pathOf(target.page), "/mot-de-passe", "a reset password must be changed");

  // Disable: Léa, signed in again meanwhile, is signed out at once and cannot come back.
  await admin.page.goto("/admin/utilisateurs");
  await navigate(admin.page, admin.page.getByRole("link", { name: "Léa Nguyen" }));
  const confirmDisable = acceptNextDialog(admin.page);
  await submit(admin.page, "Désactiver le compte");
  assert.deepEqual(confirmDisable, { type: "confirm", message: "Désactiver ce compte ?" }, "asks for confirmation first");
  await admin.page.getByRole("status").getByText("Le compte a été désactivé et ses sessions fermées.").waitFor();
  assert.match(await row(admin.page, /Léa Nguyen/).innerText(), /Désactivé/);
  await check(admin.page, "admin-users-after-disable");

  await target.page.reload();
  assert.equal(pathOf(target.page), "/connexion", "disabling closed Léa's session");
  res = await signIn(target.page, lea, temporary);
  assert.equal(res.status(), 401, "a disabled account cannot sign in");
  assert.equal(pathOf(target.page), "/connexion");

  // Reactivation: no confirmation needed, the account can sign in again.
  await navigate(admin.page, admin.page.getByRole("link", { name: "Léa Nguyen" }));
  await admin.page.getByRole("heading", { level: 2, name: "Réactiver le compte" }).waitFor();
  await check(admin.page, "admin-user-disabled");
  await submit(admin.page, "Réactiver le compte");
  assert.match(await row(admin.page, /Léa Nguyen/).innerText(), /Actif/);
  await signIn(target.page, lea, temporary);
  assert.equal(pathOf(target.page), "/mot-de-passe");

  // Every step is in the audit trail.
  await navigate(admin.page, admin.page.locator(".main-nav").getByRole("link", { name: "Journal d’audit" }));
  assert.equal(pathOf(admin.page), "/admin/journal");
  // In French, by name: "Léa Nguyen", not "compte n° 4"; "Réussie", not "success".
  for (const action of ["Réinitialisation d’un mot de passe", "Désactivation d’un compte", "Réactivation d’un compte"]) {
    const row = admin.page.getByRole("row", { name: new RegExp(action) }).first();
    await row.waitFor();
    assert.match(await row.innerText(), /Sofiane Admin/);
    assert.match(await row.innerText(), /Réussie/);
  }
  const failedSignIn = admin.page.getByRole("row", { name: /Connexion.*Échec/ }).first();
  assert.equal(await failedSignIn.count(), 1, "failed sign-ins are listed as failures");
  await check(admin.page, "admin-audit");
  await target.context.close();
  await admin.context.close();
});

test("admin: the settings, a wrong value refused with the value kept, then saved", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.admin);
  await navigate(page, page.getByRole("navigation").getByRole("link", { name: "Réglages" }));
  await check(page, "settings");
  await page.getByLabel("Budget annuel de l’action, en euros (0 : pas de coût par personne)").fill("-5");
  await page.getByRole("button", { name: "Enregistrer les réglages" }).click();
  await page.getByRole("alert").waitFor();
  assert.equal(await page.getByLabel("Budget annuel de l’action, en euros (0 : pas de coût par personne)").inputValue(), "-5");
  await check(page, "settings-422");
  await page.getByLabel("Budget annuel de l’action, en euros (0 : pas de coût par personne)").fill("72000");
  await page.getByRole("button", { name: "Enregistrer les réglages" }).click();
  await page.getByText("Les réglages sont enregistrés.").waitFor();
  assert.equal(await page.getByLabel("Budget annuel de l’action, en euros (0 : pas de coût par personne)").inputValue(), "72000");
  await context.close();
});

test("admin: data retention, a dry run with the keyboard, then a confirmed purge with its report", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.admin);
  await navigate(page, page.getByRole("navigation").getByRole("link", { name: "Conservation" }));
  assert.equal(pathOf(page), "/admin/conservation");
  await page.getByText("Aucune purge n’a encore eu lieu.").waitFor();
  assert.match(await page.locator("main").innerText(), /rendue anonyme 2 ans après le dernier contact/);
  await check(page, "retention");

  // Keyboard only: focus the dry-run button and press Enter.
  await page.getByRole("button", { name: "Simuler la purge" }).focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  await page.getByText("Simulation faite, rien n’a été changé").waitFor();
  const first = page.getByRole("table").locator("tbody tr").first();
  assert.match(await first.innerText(), /Administrateur\s+simulation/);
  assert.match(await first.innerText(), /rien changé/);

  // The real purge asks first; refused, nothing runs.
  page.once("dialog", (dialog) => dialog.dismiss());
  await page.getByRole("button", { name: "Lancer la purge" }).click();
  assert.equal(await page.getByRole("table").locator("tbody tr").count(), 1);
  const seen = acceptNextDialog(page);
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "Lancer la purge" }).click()]);
  assert.equal(seen.type, "confirm");
  assert.match(seen.message, /sans retour possible/);
  await page.getByText("La purge est faite").waitFor();
  assert.equal(await page.getByRole("table").locator("tbody tr").count(), 2);
  assert.match(await page.getByRole("table").locator("tbody tr").first().innerText(), /faite/);
  await check(page, "retention-report");
  await context.close();
});
