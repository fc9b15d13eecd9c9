// The directory of partners (data·inclusion) and the orientations of a case: searching a service
// for a person, orienting her there with her agreement, following it up; a partner outside the
// directory; the coordinator's import. Through the real server and Chromium, axe-checked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { useServerAndBrowser, newPage, signIn, check, accounts, navigate, submit, focusedId, pathOf } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

// Opens the case page of a referral of the inbox in `status`.
async function openCase(page, status = "in_progress") {
  await page.goto(`/triage?statut=${status}`);
  await navigate(page, page.locator("table a[href^='/fiches/']").first());
  await navigate(page, page.getByRole("link", { name: "Ouvrir le dossier de la personne" }));
  assert.match(pathOf(page), /^\/personnes\/\d+$/);
}

const shareConsent = "Rien n’est transmis au partenaire sans l’accord de la personne : cochez son accord ou décochez ce qui serait partagé.";

test("intervenant: a service found in the directory, the person's agreement, then the follow-up", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.intervenant);
  await openCase(page);
  const casePath = pathOf(page);
  await page.getByRole("heading", { name: /^Orientations vers des partenaires — FL-/ }).waitFor();

  // The directory opened for this case: the whole "Numérique" category, in Cergy.
  await navigate(page, page.getByRole("link", { name: "Chercher un partenaire dans l’annuaire" }));
  assert.equal(pathOf(page), "/partenaires");
  const fiche = new URL(page.url()).searchParams.get("fiche");
  assert.match(fiche, /^\d+$/);
  await page.getByLabel("Thématique").selectOption({ label: "Toute la thématique « Numérique »" });
  assert.equal(await page.getByLabel("Thématique").inputValue(), "numerique");
  await page.getByLabel("Commune ou code postal").fill("cergy");
  await submit(page, "Chercher");
  const results = page.locator(".result-list > li");
  await results.first().waitFor();
  const names = await results.locator("h3").allTextContents();
  // Only the Cergy service of the theme: the Pontoise workshops are elsewhere, the food aid off-theme.
  assert.deepEqual(names, ["Aide aux démarches administratives en ligne"]);
  await results.first().getByText(/France services de Cergy Axe Majeur/).waitFor();
  await page.getByRole("heading", { name: "1 service trouvé" }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get("fiche"), fiche, "the search stays for the case");
  await check(page, "partners-search-for-case");

  // The service's own page, then back to orient towards it: the link names this service.
  const serviceLink = results.first().getByRole("link", { name: "Aide aux démarches administratives en ligne", exact: true });
  const servicePath = await serviceLink.getAttribute("href");
  assert.match(servicePath, /^\/partenaires\/services\/\d+$/);
  const serviceId = servicePath.split("/").pop();
  const orient = results.first().getByRole("link", { name: "Orienter vers ce service : Aide aux démarches administratives en ligne" });
  assert.equal(await orient.getAttribute("href"), `/fiches/${fiche}/orientations/nouvelle?service=${serviceId}`, "the link orients to this service, not to the one whose id is the case's");
  await navigate(page, serviceLink);
  assert.equal(pathOf(page), servicePath);
  await page.getByRole("heading", { name: "Aide aux démarches administratives en ligne" }).waitFor();
  await check(page, "partners-service");
  await page.goBack();
  await navigate(page, orient);
  assert.equal(pathOf(page), `/fiches/${fiche}/orientations/nouvelle`);
  assert.equal(new URL(page.url()).searchParams.get("service"), serviceId);
  await page.getByRole("link", { name: "Aide aux démarches administratives en ligne" }).waitFor();
  // A service of the directory: no name to type.
  assert.equal(await page.getByLabel("Partenaire (structure et service)").count(), 0);
  await check(page, "orientation-form");

  // The whole form with the keyboard alone, the name shared but the agreement forgotten.
  await page.getByLabel("Type de structure").focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowDown");
  assert.equal(await page.getByLabel("Type de structure").inputValue(), "aide_aux_demarches_administratives");
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "f-reason");
  const reason = "Déclarer ses revenus en ligne avec un agent, la personne n’a pas d’ordinateur.";
  await page.keyboard.type(reason);
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "f-status-proposee", "the checked status takes the focus");
  await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "f-follow_up_on");
  // Typed into the date field's segments, each moving on by itself: 6 June, the same whether
  // Chromium's own language puts the day or the month first.
  await page.keyboard.type("06062027");
  assert.equal(await page.getByLabel(/^Date de suivi/).inputValue(), "2027-06-06");
  const shared = page.getByRole("group", { name: /^Ce qui est transmis au partenaire/ });
  const sharedName = shared.getByLabel("Nom et prénom");
  for (let i = 0; i < 5 && !(await sharedName.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await sharedName.evaluate((el) => el === document.activeElement), true, "Tab reaches the first shared item");
  await page.keyboard.press("Space");
  assert.equal(await sharedName.isChecked(), true);
  const save = page.getByRole("button", { name: "Enregistrer l’orientation" });
  for (let i = 0; i < 12 && !(await save.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await save.evaluate((el) => el === document.activeElement), true, "Tab reaches the button");
  const refused = await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(refused.status(), 422);
  const summary = page.getByRole("alert");
  await summary.getByRole("link", { name: shareConsent }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")), true);
  // What was typed stays: the service, the kind, the reason, the date, the item ticked.
  await page.getByRole("link", { name: "Aide aux démarches administratives en ligne" }).waitFor();
  assert.equal(await page.getByLabel("Type de structure").inputValue(), "aide_aux_demarches_administratives");
  assert.equal(await page.getByLabel("Motif de l’orientation", { exact: true }).inputValue(), reason);
  assert.equal(await page.getByLabel(/^Date de suivi/).inputValue(), "2027-06-06");
  assert.equal(await shared.getByLabel("Nom et prénom").isChecked(), true);
  assert.equal(await page.getByLabel("La personne est d’accord pour que ces informations soient transmises").isChecked(), false);
  await check(page, "orientation-form-errors");

  // Still with the keyboard: the summary's link leads to the agreement, Space ticks it, Tab goes
  // to how it was given (Space chooses the first, oral), then on to the button and Enter.
  await summary.getByRole("link", { name: shareConsent }).focus();
  await page.keyboard.press("Enter");
  assert.equal(await focusedId(page), "f-consent");
  await page.keyboard.press("Space");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  assert.equal(await page.getByLabel("Accord oral, donné à l’intervenant·e").isChecked(), true);
  for (let i = 0; i < 4 && !(await save.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await save.evaluate((el) => el === document.activeElement), true);
  const saved = await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(saved.status(), 200);
  assert.equal(pathOf(page), casePath);
  assert.equal(new URL(page.url()).hash, "#orientations");
  await page.getByText("L’orientation est enregistrée.").waitFor();
  const row = page.getByRole("row", { name: /Aide aux démarches administratives en ligne/ });
  await row.getByText(reason).waitFor();
  await row.getByText("Proposée", { exact: true }).waitFor();
  await row.getByText("06/06/2027").waitFor();
  // Its follow-up is in « À faire » until the orientation is done.
  const todo = page.getByRole("link", { name: /^Suivre l’orientation vers Aide aux démarches administratives en ligne/ });
  assert.equal(await todo.count(), 1);
  await check(page, "case-file-orientation");

  // The follow-up: the partner saw the person, the orientation is done.
  await navigate(page, row.getByRole("link", { name: "Aide aux démarches administratives en ligne" }));
  assert.match(pathOf(page), /^\/orientations\/\d+$/);
  const orientationPath = pathOf(page);
  assert.equal(await page.getByLabel("Motif de l’orientation", { exact: true }).inputValue(), reason);
  await page.getByText(/accord recueilli le/).waitFor();
  assert.equal(await page.getByLabel("Accord oral, donné à l’intervenant·e").isChecked(), true);
  const history = page.getByRole("region", { name: "Historique" }).getByRole("listitem");
  assert.equal(await history.count(), 1);
  await check(page, "orientation-show");
  await page.getByLabel("Réalisée").check();
  await page.getByLabel(/^Note de suivi/).fill("Déclaration faite le jour même avec l’agent.");
  await submit(page, "Enregistrer le suivi");
  assert.equal(pathOf(page), casePath);
  await page.getByRole("row", { name: /Aide aux démarches administratives en ligne/ }).getByText("Réalisée", { exact: true }).waitFor();
  assert.equal(await todo.count(), 0, "nothing left to follow");
  await page.goto(orientationPath);
  await page.getByText(/— Réalisée$/).first().waitFor();
  const lines = await history.allTextContents();
  assert.equal(lines.length, 2, `two status changes: ${lines.join(" / ")}`);
  assert.match(lines.join("\n"), /Proposée/);
  assert.match(lines.join("\n"), /Réalisée/);
  assert.equal(await page.getByLabel(/^Note de suivi/).inputValue(), "Déclaration faite le jour même avec l’agent.");
  await check(page, "orientation-show-done");
  await context.close();
});

test("intervenant: a partner outside the directory, by its typed name", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.intervenant);
  await openCase(page);
  const casePath = pathOf(page);
  await navigate(page, page.getByRole("link", { name: "Orienter vers un partenaire hors annuaire" }));
  assert.match(pathOf(page), /^\/fiches\/\d+\/orientations\/nouvelle$/);
  await page.getByLabel("Partenaire (structure et service)").fill("Maison de quartier des Touleuses — écrivain public");
  await page.getByLabel("Type de structure").selectOption("aide_sociale");
  await page.getByLabel("Motif de l’orientation", { exact: true }).fill("Écrire un courrier de recours au bailleur.");
  // Nothing shared: the person goes there herself, no agreement needed.
  await submit(page, "Enregistrer l’orientation");
  assert.equal(pathOf(page), casePath);
  await page.getByText("L’orientation est enregistrée.").waitFor();
  const row = page.getByRole("row", { name: /Maison de quartier des Touleuses — écrivain public/ });
  await row.getByText("Écrire un courrier de recours au bailleur.").waitFor();
  await row.getByText("Proposée", { exact: true }).waitFor();
  await navigate(page, row.getByRole("link", { name: /Maison de quartier des Touleuses/ }));
  await page.getByRole("heading", { level: 1 }).waitFor();
  assert.equal(await page.getByLabel("La personne est d’accord pour que ces informations soient transmises").isChecked(), false);
  await context.close();
});

test("coordinateur: importing a data·inclusion export, its report, and a file that is not JSON", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "allervers-partners-"));
  try {
    const good = path.join(dir, "export.json");
    writeFileSync(
      good,
      JSON.stringify({
        structures: [
          { source: "test", id: "ludo-osny", nom: "Médiathèque d’Osny", date_maj: "2026-11-01", commune: "Osny", code_postal: "95520" },
        ],
        services: [
          {
            source: "test",
            id: "ludo-permanence",
            structure_id: "ludo-osny",
            nom: "Permanence numérique du samedi",
            description: "Un conseiller numérique aide à utiliser son smartphone et ses comptes en ligne.",
            date_maj: "2026-11-01",
            thematiques: ["numerique--maitriser-les-fondamentaux-du-numerique", "thematique-inventee"],
          },
          { source: "test", id: "orphelin", structure_id: "inconnue", nom: "Service sans structure", date_maj: "2026-11-01" },
        ],
      }),
    );
    const bad = path.join(dir, "casse.json");
    writeFileSync(bad, "{not json");

    const { context, page } = await newPage(env.browser, env.server.baseUrl);
    await signIn(page, accounts.coordinateur);
    await page.goto("/partenaires");
    // The whole directory, the demo's 8 services.
    await page.getByRole("heading", { name: "8 services" }).waitFor();
    await check(page, "partners-directory");
    await navigate(page, page.getByRole("link", { name: /^Importer un export data·inclusion/ }));
    assert.equal(pathOf(page), "/partenaires/import");
    await check(page, "partners-import");

    await page.getByLabel("Fichier JSON ou CSV").setInputFiles(good);
    const imported = await submit(page, "Importer");
    assert.equal(imported.status(), 200);
    const report = page.getByRole("region", { name: /^Compte rendu de l’import/ });
    await report.getByText("Structures : 1 ajoutée(s), 0 mise(s) à jour").waitFor();
    await report.getByText("Services : 1 ajouté(s), 0 mis à jour").waitFor();
    // The service without its structure is refused; the unknown theme dropped with a warning.
    await report.getByRole("heading", { name: "Enregistrements refusés" }).waitFor();
    await report.getByText(/orphelin/).waitFor();
    await report.getByRole("heading", { name: /^Valeurs ignorées/ }).waitFor();
    await report.getByText(/thematique-inventee/).waitFor();
    await check(page, "partners-import-report");

    // Imported again: updated, not doubled.
    await page.getByLabel("Fichier JSON ou CSV").setInputFiles(good);
    await submit(page, "Importer");
    await report.getByText("Services : 0 ajouté(s), 1 mis à jour").waitFor();

    await page.getByLabel("Fichier JSON ou CSV").setInputFiles(bad);
    const refused = await submit(page, "Importer");
    assert.equal(refused.status(), 422);
    await page.getByRole("alert").getByRole("link").first().waitFor();
    assert.equal(await page.getByRole("region", { name: /^Compte rendu de l’import/ }).count(), 0);
    await check(page, "partners-import-errors");

    // The imported service is found by the words of its description.
    await page.goto("/partenaires");
    await page.getByLabel("Mots du nom ou de la description").fill("smartphone");
    await submit(page, "Chercher");
    assert.deepEqual(await page.locator(".result-list > li h3").allTextContents(), ["Permanence numérique du samedi"]);
    await context.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("prescripteur: the directory is not theirs", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.prescripteur);
  const res = await page.goto("/partenaires");
  assert.equal(res.status(), 403);
  assert.equal((await page.goto("/partenaires/import")).status(), 403);
  await context.close();
});
