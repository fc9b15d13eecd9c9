import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
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

async function click(page, role, name) {
  await Promise.all([page.waitForLoadState("load"), page.getByRole(role, { name, exact: true }).click()]);
}

test("referrer: errors keep what was typed, a draft is saved and resumed, then the fiche is sent", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.prescripteur);
  await page.getByRole("link", { name: "Orienter une personne" }).first().click();
  await page.getByRole("heading", { level: 1, name: "Fiche de liaison" }).waitFor();
  assert.equal(await page.getByLabel("Votre nom").inputValue(), "Nadia Ouedraogo", "prefilled from the account");
  await check(page, "referral-form");

  // Submitting almost nothing: every problem listed at the top, linked, nothing typed lost.
  await page.getByLabel("Nom de naissance").fill("Durand");
  await page.getByLabel("Motif de l’orientation").fill("Ne sait pas se connecter à la CAF.\nA perdu son mot de passe.");
  await click(page, "button", "Transmettre la fiche");
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  const errors = await summary.locator("li").allInnerTexts();
  assert.ok(errors.some((e) => e.includes("prénom")), errors.join("|"));
  assert.ok(errors.some((e) => e.includes("code postal")), errors.join("|"));
  assert.ok(errors.some((e) => e.includes("accord")), errors.join("|"));
  assert.equal(await page.getByLabel("Nom de naissance").inputValue(), "Durand");
  assert.equal(await page.getByLabel("Motif de l’orientation").inputValue(), "Ne sait pas se connecter à la CAF.\nA perdu son mot de passe.");
  await check(page, "referral-form-errors");
  await summary.getByRole("link", { name: /code postal/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f-person-address-postal_code");

  // The procedure search narrows the list.
  await page.getByLabel("Chercher une démarche").fill("complementaire sante");
  assert.equal(await page.locator(".procedures .choice[data-search]:visible").count(), 1);
  await page.locator("#f-reasons-procedures-CPAM-C2S").check();
  await page.getByLabel("Chercher une démarche").fill("");

  await page.getByLabel("Prénom(s)").fill("Gisèle");
  await page.locator("#f-person-phone").fill("06 98 12 34 56");
  await page.getByLabel("Code postal").fill("95000");
  await page.getByLabel("Commune").fill("Cergy");
  await click(page, "button", "Enregistrer le brouillon");
  await page.getByText("Le brouillon est enregistré.").waitFor();
  await check(page, "referrals-mine-with-draft");

  await page.getByRole("link", { name: /^Brouillon modifié le/ }).first().click();
  assert.equal(await page.getByLabel("Prénom(s)").inputValue(), "Gisèle");
  assert.equal(await page.locator("#f-reasons-procedures-CPAM-C2S").isChecked(), true);
  await page.getByLabel("Adresse du domicile").fill("8 allée des Platanes");
  await page.getByLabel("La personne a donné son accord, après avoir été informée").check();
  await page.getByLabel("Date de l’accord").fill(new Date().toISOString().slice(0, 10));
  await page.getByLabel("Accord oral, recueilli par le prescripteur").check();
  await click(page, "button", "Transmettre la fiche");
  await page.getByRole("heading", { level: 1, name: "Fiche transmise" }).waitFor();
  const number = (await page.locator(".reference-number").innerText()).trim();
  assert.match(number, /^FL-\d{4}-\d{5}$/);
  await check(page, "referral-sent");

  await page.getByRole("link", { name: "Mes fiches" }).click();
  const row = page.getByRole("row", { name: new RegExp(number) });
  await row.waitFor();
  assert.match(await row.innerText(), /Reçue/);
  assert.equal(await page.getByRole("link", { name: /^Brouillon modifié le/ }).count(), 1, "only the demo draft is left");
  await row.getByRole("link", { name: number }).click();
  await page.getByRole("heading", { level: 1, name: new RegExp(number) }).waitFor();
  await check(page, "referral-show-referrer");
  await context.close();
});

test("referrer: the whole form works with the keyboard alone", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.prescripteur);
  await page.goto("/fiches/nouvelle");
  const focus = async (id) => {
    for (let i = 0; i < 80 && (await page.evaluate(() => document.activeElement?.id)) !== id; i++) {
      await page.keyboard.press("Tab");
    }
    assert.equal(await page.evaluate(() => document.activeElement?.id), id);
  };
  await focus("f-person-last_name");
  await page.keyboard.type("Martin");
  await focus("f-person-first_name");
  await page.keyboard.type("Roger");
  await focus("f-person-phone");
  await page.keyboard.type("0612121212");
  await focus("f-person-address-postal_code");
  await page.keyboard.type("95800");
  await page.keyboard.press("Tab");
  await page.keyboard.type("Cergy");
  await focus("f-reasons-procedures-CAF-RSA");
  await page.keyboard.press("Space");
  await focus("f-consent-given");
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab");
  await page.keyboard.type(new Date().toISOString().slice(0, 10).split("-").reverse().join(""));
  // Radio buttons: Tab enters the group, the arrow keys choose.
  await focus("f-consent-how-oral");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f-consent-how-ecrit");
  for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement?.value)) !== "submit"; i++) {
    await page.keyboard.press("Tab");
  }
  await Promise.all([page.waitForURL(/\/transmise$/), page.keyboard.press("Enter")]);
  await page.getByRole("heading", { level: 1, name: "Fiche transmise" }).waitFor();
  await context.close();
});

test("coordinator: inbox, duplicates, acceptance, refusal and redirection", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, accounts.coordinateur);
  await page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Fiches reçues" }).click();
  await page.getByRole("heading", { level: 1, name: "Fiches reçues" }).waitFor();
  await check(page, "inbox");
  const urgencies = await page.locator("table.inbox tbody tr td:first-child .urgency").allInnerTexts();
  assert.deepEqual([...urgencies].sort().reverse(), urgencies, "most urgent first");
  assert.ok((await page.getByText("En retard").count()) >= 1, "old referrals without contact are flagged in words");

  // The duplicate: the CCAS referred Fatoumata Camara again.
  await page.getByRole("row", { name: /Doublon possible/ }).first().getByRole("link").click();
  await page.getByRole("heading", { name: "Cette personne est peut-être déjà connue" }).waitFor();
  assert.ok((await page.getByText("même date de naissance").count()) >= 1);
  await check(page, "referral-duplicates");
  await click(page, "button", "C’est la même personne");
  await page.getByText("La fiche est rattachée à la personne déjà connue").waitFor();
  assert.equal(await page.getByRole("heading", { name: "Cette personne est peut-être déjà connue" }).count(), 0);

  // Correct the person's phone: the old value stays in the history.
  await page.getByRole("link", { name: "Modifier la personne" }).click();
  await check(page, "person-form");
  await page.locator("#f-person-phone").fill("07 12 12 12 12");
  await click(page, "button", "Enregistrer");
  await page.getByText("La fiche de la personne est enregistrée").waitFor();
  const changes = page.getByRole("table", { name: /Historique des corrections/ });
  assert.match(await changes.innerText(), /06 12 45 78 90|\+33612457890/);
  await check(page, "referral-person-history");

  await page.getByLabel("Intervenant·e").first().selectOption({ label: "Léa Nguyen" });
  await click(page, "button", "Accepter la fiche");
  await page.getByText("La fiche est acceptée et confiée.").waitFor();
  assert.match(await page.locator("h1 .tag").innerText(), /Acceptée/);
  await check(page, "referral-accepted");

  // Filter, then refuse another one with a reason and a message.
  await page.goto("/triage?statut=received");
  const received = page.locator("table.inbox tbody tr");
  const before = await received.count();
  await received.first().getByRole("link").click();
  await page.getByLabel("Motif", { exact: true }).selectOption("hors_territoire");
  await page.getByLabel("Message au prescripteur", { exact: false }).first().fill("Le domicile est hors du territoire de Cergy : voir l’équipe de Pontoise.");
  await click(page, "button", "Déclarer non recevable");
  await page.getByText("La fiche est déclarée non recevable.").waitFor();
  await page.goto("/triage?statut=received");
  assert.equal(await received.count(), before - 1);

  // Redirect the next one.
  await received.first().getByRole("link").click();
  await page.getByLabel("Vers").selectOption({ label: "France services de Cergy-le-Haut" });
  await click(page, "button", "Réorienter");
  await page.getByText("La fiche est réorientée.").waitFor();
  assert.match(await page.locator(".side-column").innerText(), /Réorientée vers\s+France services de Cergy-le-Haut/);
  await context.close();
});

test("coordinator: CSV import in Windows-1252 with a preview and a report", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "allervers-csv-"));
  const file = path.join(dir, "export-ssd.csv");
  const today = new Date().toLocaleDateString("fr-FR");
  const csv =
    "Nom;Prénom;Date de naissance;Téléphone;Adresse;Code postal;Commune;Démarches;Urgence;Accord date\r\n" +
    `Lévêque;Hélène;03/02/1950;06 21 43 65 87;1 rue Nationale;95000;Cergy;CAF-AL;1;${today}\r\n` +
    `Guérin;François;;01 30 30 30 30;2 rue des Écoles;95800;Cergy;DGFIP-DIR;0;${today}\r\n` +
    `Sans-Code;Ali;;06 00 00 00 01;3 rue X;9500;Cergy;XYZ-999;5;${today}\r\n`;
  writeFileSync(file, Buffer.from(csv, "latin1"));

  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.coordinateur);
  await page.getByRole("link", { name: "Import CSV" }).click();
  await check(page, "import-upload");
  await click(page, "button", "Vérifier le fichier");
  await page.locator(".error-summary").waitFor();
  await page.getByLabel("Structure qui oriente ces personnes").selectOption({ label: "CCAS de Cergy" });
  await page.getByLabel("Fichier CSV").setInputFiles(file);
  await click(page, "button", "Vérifier le fichier");
  await page.getByRole("heading", { level: 1, name: "Vérifier l’import" }).waitFor();
  assert.match(await page.locator("dl").innerText(), /Windows-1252/);
  assert.match(await page.getByRole("status").first().innerText(), /2\s+ligne\(s\) prête\(s\)/);
  assert.match(await page.getByRole("row", { name: /LÉVÊQUE Hélène/ }).innerText(), /Prête/);
  const bad = page.getByRole("row", { name: /SANS-CODE Ali/ });
  assert.match(await bad.innerText(), /code postal/);
  assert.match(await bad.innerText(), /XYZ-999/);
  await check(page, "import-preview");
  await click(page, "button", "Importer les 2 ligne(s) prête(s)");
  await page.getByRole("heading", { level: 1, name: "Import terminé" }).waitFor();
  assert.equal(await page.locator("main ul.plain-list").first().locator("li").count(), 2);
  await check(page, "import-report");
  await page.goto("/triage");
  await page.getByRole("row", { name: /LÉVÊQUE Hélène/ }).waitFor();
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});

test("administrator: reference data and API tokens shown once", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  page.on("dialog", (dialog) => dialog.accept());
  await signIn(page, accounts.admin);
  await page.getByRole("link", { name: "Référentiels" }).click();
  await page.getByRole("cell", { name: "CAF-RSA" }).waitFor();
  await check(page, "reference");
  await page.getByRole("link", { name: "Jetons d’API" }).click();
  await check(page, "tokens");
  await page.getByLabel("Structure").selectOption({ label: "CCAS de Cergy" });
  await page.getByLabel(/Libellé/).fill("Logiciel du CCAS");
  await click(page, "button", "Créer le jeton");
  const token = (await page.locator("#created-token").innerText()).trim();
  assert.match(token, /^av_[A-Za-z0-9_-]{40,}$/);
  await check(page, "tokens-created");
  const res = await fetch(`${server.baseUrl}/api/v1/referrals`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  await page.goto("/admin/jetons");
  assert.equal(await page.locator("#created-token").count(), 0, "never shown again");
  await page.getByRole("row", { name: /Logiciel du CCAS/ }).getByRole("button", { name: /Révoquer/ }).click();
  await page.getByText("Le jeton est révoqué").waitFor();
  const after = await fetch(`${server.baseUrl}/api/v1/referrals`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(after.status, 401);
  await context.close();
});

test("another structure's referral is not found, not forbidden", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, "as.pontoise@ssd95.example");
  const res = await page.goto("/fiches/1");
  assert.equal(res.status(), 404);
  const res2 = await page.goto("/triage");
  assert.equal(res2.status(), 403);
  await context.close();
});
