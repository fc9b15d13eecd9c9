// The case page, the bilan diagnostique, interventions and notes: what an intervenant does at
// the person's kitchen table, through the real server and Chromium, axe-checked at every state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, signIn, check, accounts, navigate, submit, focusedId } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

// Opens the case page of a referral of the inbox in `status` (the demo's cases under way already
// have their intervention, procedure and initial bilan; those with an appointment fixed have none).
async function openCase(page, status = "in_progress") {
  await page.goto(`/triage?statut=${status}`);
  await navigate(page, page.locator("table a[href^='/fiches/']").first());
  await navigate(page, page.getByRole("link", { name: "Ouvrir le dossier de la personne" }));
  assert.match(new URL(page.url()).pathname, /^\/personnes\/\d+$/);
}

test("intervenant: bilan initial step by step, saved as you go, scored, compared with the final one", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  page.on("dialog", (d) => d.accept());
  await signIn(page, accounts.intervenant);
  await openCase(page);
  // A case under way shows the demo's visit: its intervention, procedure and finished bilan.
  await page.locator(".timeline-intervention").first().waitFor();
  await page.getByRole("link", { name: /Bilan initial du .*/ }).first().waitFor();
  await check(page, "case-file");

  await openCase(page, "appointment_set");
  await submit(page, "Commencer le bilan initial");
  assert.match(page.url(), /\/bilans\/\d+\/etape\/A$/);
  await check(page, "assessment-step-a");
  const bilan = new URL(page.url()).pathname.replace(/\/etape\/A$/, "");

  // Step E by the stepper; every skill "Fait avec guidage": the page saves on its own.
  await navigate(page, page.getByRole("navigation", { name: "Étapes du bilan" }).getByRole("link", { name: /Compétences/ }));
  const questions = page.locator("fieldset.question");
  const n = await questions.count();
  assert.ok(n >= 10, "the skills of the grid are asked");
  for (let i = 0; i < n; i++) await questions.nth(i).getByLabel("Fait avec guidage").check();
  await page.getByText(/Réponses enregistrées à/).waitFor();
  // Reloading shows the answers kept by the autosave, before any button was pressed.
  await page.reload();
  assert.equal(await questions.first().getByLabel("Fait avec guidage").isChecked(), true);
  await check(page, "assessment-step-e");

  await submit(page, "Enregistrer et passer à l’étape suivante");
  assert.match(page.url(), /\/etape\/F$/);
  await submit(page, "Enregistrer et revenir au résumé");
  await page.getByRole("heading", { name: /Résultat : niveau N1 – Avec guidage/ }).waitFor();
  await page.getByText(/Compétences = 100 × \d+ ÷ \(3 × \d+ éléments évalués\)/).waitFor();
  await check(page, "assessment-show");
  await submit(page, "Terminer le bilan");
  await page.getByText("Terminé", { exact: true }).waitFor();

  // A wrong external score: the message and what was typed stay.
  await page.getByLabel("Score ABC Diag (sur 100)").fill("140");
  await submit(page, "Enregistrer les tests");
  await page.getByRole("alert").getByText(/ABC Diag est un nombre entier de 0 à 100/).waitFor();
  assert.equal(await page.getByLabel("Score ABC Diag (sur 100)").inputValue(), "140");
  await check(page, "assessment-show-errors");

  // The final bilan and the comparison.
  await navigate(page, page.getByRole("link", { name: /Retour au dossier/ }));
  await submit(page, "Commencer le bilan final");
  await page.goto(page.url().replace(/\/etape\/A$/, "/etape/E"));
  const q = page.locator("fieldset.question");
  for (let i = 0; i < (await q.count()); i++) await q.nth(i).getByLabel("Autonome", { exact: true }).check();
  await submit(page, "Enregistrer et revenir au résumé");
  await navigate(page, page.getByRole("link", { name: /Retour au dossier/ }));
  await navigate(page, page.getByRole("link", { name: "Comparer le bilan initial et le bilan final" }));
  // Skills all "Autonome" but access not assessed at T1: N2, one level up (N3 needs access ≥ 67).
  await page.getByText("Progrès de 1 niveau.").waitFor();
  await check(page, "assessment-compare");
  assert.ok(bilan.startsWith("/bilans/"));
  await context.close();
});

test("intervenant: an intervention entered with the keyboard alone, then a private note", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.intervenant);
  await openCase(page);
  await navigate(page, page.getByRole("link", { name: "Saisir une intervention" }));
  await check(page, "intervention-form");

  // Nothing ticked: the error summary takes the focus and its link leads to the themes.
  await page.getByRole("button", { name: "Enregistrer l’intervention" }).focus();
  await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("error-summary")), true);
  await check(page, "intervention-form-errors");
  await page.getByRole("link", { name: "Cochez au moins un thème d’accompagnement." }).focus();
  await page.keyboard.press("Enter");
  assert.equal(await focusedId(page), "f-digital_themes");
  // Tab into the first theme and tick it with the space bar, then send with Enter.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Space");
  assert.equal(await page.locator("#f-digital_themes input[type=checkbox]").first().isChecked(), true);
  await page.getByRole("button", { name: "Enregistrer l’intervention" }).focus();
  await navigate(page, () => page.keyboard.press("Enter"));
  await page.getByText("L’intervention est enregistrée.").waitFor();
  assert.match(page.url(), /filtre=interventions/);
  await page.locator(".timeline-intervention").first().waitFor();

  await page.getByLabel("Note", { exact: true }).fill("A reçu son attestation de droits CAF.");
  await page.getByLabel("Note privée").check();
  await submit(page, "Enregistrer la note");
  await page.getByText("La note est enregistrée.").waitFor();
  await page.locator(".timeline-note").getByText("Privée", { exact: true }).waitFor();
  await check(page, "case-file-notes");
  await context.close();

  // A colleague does not see the private note.
  const other = await newPage(env.browser, env.server.baseUrl);
  await signIn(other.page, accounts.coordinateur);
  await other.page.goto(page.url().split("?")[0] + "?filtre=notes");
  assert.equal(await other.page.getByText("A reçu son attestation de droits CAF.").count(), 0);
  await other.context.close();
});

test("intervenant: a procedure followed to the right opened, and an Aidants Connect mandate", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  page.on("dialog", (d) => d.accept());
  await signIn(page, accounts.intervenant);
  await openCase(page);
  await page.getByLabel("Ouvrir une démarche du catalogue").selectOption("CAF-PA");
  await submit(page, "Ouvrir la démarche");
  assert.match(page.url(), /\/demarches\/\d+$/);
  await check(page, "procedure-form");

  await page.getByLabel("Déposée").check();
  await page.getByLabel("Droit ouvert").check();
  await page.getByLabel(/Montant mensuel estimé/).fill("212,40");
  await page.locator("#f-documents input[type=checkbox]").first().check();
  await submit(page, "Enregistrer la démarche");
  await page.getByText("La démarche est enregistrée.").waitFor();
  const row = page.getByRole("row", { name: /Prime d’activité/ });
  await row.getByText("212,40 € par mois").waitFor();
  await row.getByText("Droit ouvert").waitFor();

  await page.getByText("Enregistrer un mandat signé avec Aidants Connect").click();
  await page.getByLabel("1 an").check();
  await submit(page, "Enregistrer le mandat");  // no domain ticked
  await page.getByRole("alert").getByText("Cochez au moins un domaine couvert par le mandat.").waitFor();
  await check(page, "case-file-mandate-errors");
  await page.getByLabel("Argent - Impôts").check();
  await submit(page, "Enregistrer le mandat");
  await page.getByText(/Mandat de 1 an signé le/).waitFor();
  await check(page, "case-file-procedures");
  await context.close();
});

test("intervenant: closing asks for the final bilan, tells the reason, and can be undone", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  page.on("dialog", (d) => d.accept());
  await signIn(page, accounts.intervenant);
  await openCase(page);
  const casePath = new URL(page.url()).pathname;
  await page.getByText("Clôturer l’accompagnement", { exact: true }).first().click();
  await page.getByLabel("Objectifs atteints").check();
  await submit(page, "Clôturer l’accompagnement");
  // The demo case has its initial bilan finished: the final one is asked for first.
  await page.getByRole("alert").getByText(/Le bilan final n’est pas fait/).waitFor();
  await check(page, "case-file-closure-errors");
  await page.getByLabel("Clôturer sans bilan final").check();
  await submit(page, "Clôturer l’accompagnement");
  await page.getByText("L’accompagnement est clôturé. Le prescripteur en est informé.").waitFor();
  await page.getByText(/Clôturé le .* : Objectifs atteints/).waitFor();
  assert.equal(await page.getByRole("link", { name: "Saisir une intervention" }).count(), 0);
  await check(page, "case-file-closed");
  await submit(page, "Rouvrir l’accompagnement");
  await page.getByText("L’accompagnement est rouvert ; son historique est conservé.").waitFor();
  assert.equal(new URL(page.url()).pathname, casePath);
  await page.getByRole("link", { name: "Saisir une intervention" }).waitFor();
  await context.close();
});

test("coordinateur: what is due across the team, from the home page, one intervenant at a time", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.coordinateur);
  const section = page.getByRole("region", { name: "À faire dans l’équipe" });
  await section.getByText(/\d+ à faire, dont \d+ en retard/).waitFor();
  // The demo has persons still to contact days after their fiche was accepted: said in words.
  await section.getByText("En retard").first().waitFor();
  await check(page, "home-due");
  await navigate(page, section.getByRole("link", { name: /Voir (toutes )?les échéances/ }));
  assert.equal(new URL(page.url()).pathname, "/echeances");
  await page.getByRole("columnheader", { name: "Intervenant·e" }).waitFor();
  const all = await page.locator("table.due-list tbody tr").count();
  assert.ok(all >= 4, "the team's reminders are listed");
  await check(page, "due-team");
  // One intervenant's cases, chosen with the keyboard.
  await page.getByLabel("Accompagnements de").focus();
  await page.getByLabel("Accompagnements de").selectOption({ label: "Yanis Benali" });
  await page.keyboard.press("Tab");
  await Promise.all([page.waitForURL(/intervenant=\d+/), page.keyboard.press("Enter")]);
  const mine = await page.locator("table.due-list tbody tr").count();
  assert.ok(mine > 0 && mine < all, "the list keeps one intervenant's cases");
  assert.equal(await page.getByRole("columnheader", { name: "Intervenant·e" }).count(), 0);
  await check(page, "due-one-worker");
  await navigate(page, page.getByRole("link", { name: "Prendre contact avec la personne" }).first());
  assert.match(new URL(page.url()).pathname, /^\/fiches\/\d+\/contact$/);
  await context.close();
});

test("intervenant: the person's data — notice handed over, a request with its deadline, answered, copies", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.intervenant);
  await openCase(page);
  // A met person without the notice: the case page says so and lists it to do.
  await page.getByText("pas encore remise").waitFor();
  await page.getByRole("link", { name: "Remettre la notice d’information sur ses données" }).first().waitFor();
  await navigate(page, page.getByRole("link", { name: "Données personnelles et droits de la personne" }));
  assert.match(new URL(page.url()).pathname, /^\/personnes\/\d+\/donnees$/);
  await check(page, "person-data");

  // The notice prints as a PDF; its handover is noted with the keyboard alone.
  const notice = await page.request.get(await page.getByRole("link", { name: "Imprimer la notice d’information (PDF)" }).getAttribute("href"));
  assert.equal(notice.status(), 200);
  assert.equal(notice.headers()["content-type"], "application/pdf");
  await page.getByLabel("Date de remise").focus();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Noter la remise de la notice");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  await page.getByText("La remise de la notice d’information est notée.").waitFor();
  await page.getByText(/Notice remise à la personne le/).waitFor();

  // A request without its kind: 422, the date typed is kept, the summary links to the field.
  await page.getByLabel("Reçue le").fill("03/01/2020");
  let res = await submit(page, "Enregistrer la demande");
  assert.equal(res.status(), 422);
  assert.equal(await page.getByLabel("Reçue le").inputValue(), "03/01/2020");
  assert.equal(await page.locator(".error-summary a").getAttribute("href"), "#f-kind");
  await check(page, "person-data-422");
  await page.getByLabel("Ce que la personne demande").selectOption("acces");
  res = await submit(page, "Enregistrer la demande");
  assert.equal(res.status(), 200);
  await page.getByText("La demande est enregistrée ; la réponse est due dans un mois.").waitFor();
  const item = page.locator("section[aria-labelledby=demandes] li").filter({ hasText: "Accès à ses données" });
  assert.match(await item.innerText(), /reçue le 03\/01\/2020,\s+réponse due le 03\/02\/2020\s+en retard/);
  await page.getByRole("button", { name: "Enregistrer la réponse à la demande reçue le 03/01/2020" }).click();
  await page.getByText("La réponse à la demande est enregistrée.").waitFor();
  assert.match(await item.innerText(), /répondue le/);

  // The copies of her data.
  const json = await page.request.get(await page.getByRole("link", { name: /format lisible par une machine/ }).getAttribute("href"));
  assert.equal(json.status(), 200);
  const body = await json.json();
  assert.ok(body.person.birth_name.length > 0);
  assert.equal(body.requests[0].kind, "acces");
  const pdf = await page.request.get(await page.getByRole("link", { name: "Copie à remettre à la personne (PDF)" }).getAttribute("href"));
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  // An intervenant does not erase; the open case is said.
  assert.equal(await page.getByRole("button", { name: /Anonymiser/ }).count(), 0);
  await page.getByText("Un accompagnement est encore ouvert").waitFor();
  await context.close();
});

test("coordinateur: who consulted the file — the intervenant's opening is listed, keyboard only", async () => {
  // The intervenant opens a case file…
  const worker = await newPage(env.browser, env.server.baseUrl);
  await signIn(worker.page, accounts.intervenant);
  await openCase(worker.page);
  const casePath = new URL(worker.page.url()).pathname;
  // …and may not read who consulted it: that is the coordinator's.
  assert.equal(await worker.page.getByRole("link", { name: "Qui a consulté ce dossier" }).count(), 0);
  assert.equal((await worker.page.goto(`${casePath}/consultations`)).status(), 403);
  await worker.context.close();

  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.coordinateur);
  await page.goto(casePath);
  const link = page.getByRole("link", { name: "Qui a consulté ce dossier" });
  await link.focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  assert.equal(new URL(page.url()).pathname, `${casePath}/consultations`);
  await page.getByRole("heading", { level: 1, name: /^Qui a consulté le dossier de / }).waitFor();
  const rows = page.locator("tbody tr");
  // Newest first: the coordinator's own opening, then the intervenant's.
  assert.match(await rows.nth(0).innerText(), /Claire Lefèvre[\s\S]*Coordinateur·rice[\s\S]*le dossier/);
  const texts = await rows.allInnerTexts();
  assert.ok(texts.some((t) => /Yanis Benali[\s\S]*Intervenant·e[\s\S]*Équipe mobile numérique de Cergy[\s\S]*le dossier/.test(t)), texts.join("\n"));
  await page.getByText(/Le journal est gardé 1 an, puis supprimé\./).waitFor();
  await check(page, "case-access-log");
  // Another team's person, or none at all: not found, as for every case.
  assert.equal((await page.goto("/personnes/999999/consultations")).status(), 404);
  await context.close();
});
