// One whole journey of a new person, from the referrer's fiche de liaison to the closure of her
// accompaniment, through the real UI only (no database or API write), each role in its own
// browser context, axe-checked on every page visited:
//   prescripteur: writes and sends the fiche, with the person's agreement;
//   coordinateur: finds it in « Fiches reçues », says it is a new person, accepts it for Yanis;
//   intervenant: reaches the person, fixes a visit, notes it honoured, records an intervention,
//     the initial bilan A…H, a RSA opened with its amount, an orientation from the directory, a
//     retour to the referrer (one line unticked) and a point d’étape, the final bilan (skills and
//     rights asked again), the closure and its letter;
//   prescripteur: reads the closed fiche, its reason, what was sent and only that, the review.
// The subtests share one state and run in order; each one needs the previous. Product bugs met on
// the way are noted without stopping the journey, and the last subtest fails with all of them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  useServerAndBrowser,
  newPage,
  demoPassword,
  check,
  accounts,
  displayNames,
  navigate,
  submit,
  pathOf,
  expectNoAxeViolations,
  expectNoPageProblems,
  screenshotDir,
} from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

// Every page visited is axe-checked; the key ones are also kept as full-page screenshots
// (named journey-*, so that no other file's screenshot is overwritten).
async function visited(page, label, { shot = false } = {}) {
  if (shot) {
    await check(page, `journey-${label}`);
  } else {
    const start = performance.now();
    expectNoPageProblems(page, label);
    await expectNoAxeViolations(page, label);
    if (process.env.ALLERVERS_BROWSER_TIMING) process.stderr.write(`axe ${label}: ${Math.round(performance.now() - start)} ms\n`);
  }
}

// Signs in through the form, the sign-in page axe-checked too.
async function signInAs(page, email) {
  await page.goto("/connexion");
  await visited(page, "sign-in");
  await page.getByLabel("Adresse e-mail professionnelle").fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(demoPassword);
  await submit(page, "Se connecter");
}

// Dates in Europe/Paris, the application's time zone, as YYYY-MM-DD; and the minutes since
// midnight there now.
function parisParts(date = new Date()) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: "Europe/Paris",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}
const parisDay = (daysFromNow) => parisParts(new Date(Date.now() + daysFromNow * 86400000)).day;
const frenchDate = (iso) => iso.split("-").reverse().join("/");

// A fictitious person nobody else has: letters only, from the clock.
const stamp = Date.now().toString(36).replace(/[0-9]/g, (d) => "abcdefghij"[d]);
const lastName = `Parcours-${stamp[0].toUpperCase()}${stamp.slice(1)}`;
const firstName = "Odette";
const phone = `06 ${String(Date.now()).slice(-8).match(/../g).join(" ")}`;

const nextSteps = "Odette dépose seule sa déclaration trimestrielle RSA ; l’équipe reste joignable.";
const reviewPlace = "Maison des solidarités de Cergy";
const reviewDay = parisDay(9);

// Shared between the subtests, in order.
const state = { number: "", ficheId: "", casePath: "", sentLines: [], droppedLine: "" };

// The case page of the new person, from the intervenant's context (axe-checked when it was not
// the page shown already).
async function openCase(page, label) {
  if (pathOf(page) !== state.casePath) {
    await page.goto(state.casePath);
    await visited(page, label);
  }
  await page.getByRole("heading", { level: 1, name: new RegExp(`^Dossier de .*${firstName}`) }).waitFor();
}

// Product bugs met on the way: noted where they show, so that the journey goes on and every
// later step is still checked, then reported all together by the last subtest.
const bugs = [];
function expectProduct(ok, message) {
  if (!ok) bugs.push(message);
}

// Answers the first `count` questions of a bilan step as the person answers them: `scale` is
// the value given to the 0–3 items, `right` the state of the RSA in section G.
async function answerStep(page, count, { scale, right }) {
  const questions = page.locator(".question");
  const n = Math.min(count, await questions.count());
  for (let i = 0; i < n; i++) {
    const q = questions.nth(i);
    const select = q.locator("select");
    const radios = q.locator(":scope > .choices-grid input[type=radio]");
    const box = q.locator("input[type=checkbox]");
    if (await select.count()) {
      const label = (await q.locator("label").first().innerText()).trim();
      if (label === "Demande de RSA") await select.selectOption({ label: right });
      else await select.selectOption({ index: 1 });
    } else if (await radios.count()) {
      const onScale = q.locator(`:scope > .choices-grid input[type=radio][value="${scale}"]`);
      if (await onScale.count()) await onScale.check();
      else await radios.first().check();
      const necessary = q.locator("fieldset.nested").getByLabel("Oui", { exact: true });
      if (await necessary.count()) await necessary.check();
    } else if (await box.count()) {
      await box.first().check();
    } else {
      const input = q.locator("input[type=text], input[type=date]").first();
      if ((await input.getAttribute("type")) === "date") await input.fill(parisDay(0));
      else await input.fill("Sa fille");
    }
  }
}

// A bilan through its steps, a few answers per step (every skill of E), then its summary and
// « Terminer le bilan ». It opens on step A; `from` is the step the stepper leads to first (the
// final bilan skips what did not change), then each step is saved with the button that leads
// to the next one.
async function fillBilan(page, kind, answers, from = "A") {
  assert.match(pathOf(page), /^\/bilans\/\d+\/etape\/A$/);
  const bilanPath = pathOf(page).replace(/\/etape\/A$/, "");
  if (from !== "A") {
    await visited(page, `${kind}-bilan-step-a`);
    await navigate(page, page.getByRole("navigation", { name: "Étapes du bilan" }).locator(`a[href$="/etape/${from}"]`));
  }
  const steps = "ABCDEFGH".slice("ABCDEFGH".indexOf(from), "ABCDEFGH".indexOf(answers.to ?? "H") + 1);
  for (const step of steps) {
    assert.equal(pathOf(page), `${bilanPath}/etape/${step}`);
    await answerStep(page, step === "E" ? 13 : 3, {
      scale: step === "E" ? answers.skills : "BCD".includes(step) ? answers.access : "none",
      right: answers.right,
    });
    if (step === "A") {
      // Answers are kept as they are given, before any button.
      await page.getByText(/Réponses enregistrées à/).waitFor();
    }
    await visited(page, `${kind}-bilan-step-${step.toLowerCase()}`, { shot: step === "E" && kind === "initial" });
    const last = step === steps.at(-1);
    await submit(page, !last ? "Enregistrer et passer à l’étape suivante" : step === "H" ? "Enregistrer et voir le résultat" : "Enregistrer et revenir au résumé");
  }
  assert.equal(pathOf(page), bilanPath);
  await page.getByRole("heading", { level: 2, name: new RegExp(`^Résultat : niveau ${answers.level} – `) }).waitFor();
  await visited(page, `${kind}-bilan-summary`);
  await submit(page, "Terminer le bilan");
  await page.locator("h1").getByText("Terminé", { exact: true }).waitFor();
  await visited(page, `${kind}-bilan-finished`, { shot: kind === "final" });
}

test("a new person's journey, from the fiche de liaison to the closure letter", async (t) => {
  const referrer = await newPage(env.browser, env.server.baseUrl);
  const coordinator = await newPage(env.browser, env.server.baseUrl);
  const worker = await newPage(env.browser, env.server.baseUrl);
  for (const { page } of [referrer, coordinator, worker]) page.on("dialog", (d) => d.accept());
  t.after(async () => {
    await referrer.context.close();
    await coordinator.context.close();
    await worker.context.close();
  });

  await t.test("1. the prescripteur sends a fiche de liaison with the person's agreement", async () => {
    const { page } = referrer;
    await signInAs(page, accounts.prescripteur);
    await visited(page, "referrer-home");
    await navigate(page, page.getByRole("link", { name: "Orienter une personne" }).first());
    await page.getByRole("heading", { level: 1, name: "Fiche de liaison" }).waitFor();
    await page.getByLabel("Nom de naissance").fill(lastName);
    await page.getByLabel("Prénom(s)").fill(firstName);
    await page.locator("#f-person-phone").fill(phone);
    await page.getByLabel("Adresse du domicile").fill("14 rue des Pâtis");
    await page.getByLabel("Code postal").fill("95000");
    await page.getByLabel("Commune").fill("Cergy");
    await page.locator("#f-reasons-procedures-CAF-RSA").check();
    await page.getByLabel("Motif de l’orientation").fill("Doit faire sa demande de RSA en ligne, n’a jamais utilisé d’ordinateur.");
    await page.getByLabel("La personne a donné son accord, après avoir été informée").check();
    await page.getByLabel("Date de l’accord").fill(parisDay(0));
    await page.getByLabel("Accord oral, recueilli par le prescripteur").check();
    await visited(page, "referral-form-filled", { shot: true });
    await submit(page, "Transmettre la fiche");
    await page.getByRole("heading", { level: 1, name: "Fiche transmise" }).waitFor();
    state.number = (await page.locator(".reference-number").innerText()).trim();
    assert.match(state.number, /^FL-\d{4}-\d{5}$/);
    await visited(page, "referral-sent");
  });

  await t.test("2. the coordinateur finds it, says it is a new person, accepts it for an intervenant", async () => {
    const { page } = coordinator;
    await signInAs(page, accounts.coordinateur);
    await visited(page, "coordinator-home");
    await navigate(page, page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Fiches reçues" }));
    await page.getByRole("heading", { level: 1, name: "Fiches reçues" }).waitFor();
    const row = page.getByRole("row", { name: new RegExp(state.number) });
    await row.getByText(new RegExp(lastName, "i")).waitFor();
    await row.getByText("Reçue").waitFor();
    await visited(page, "inbox-with-new", { shot: true });
    await navigate(page, row.getByRole("link", { name: state.number }));
    state.ficheId = pathOf(page).split("/").pop();
    assert.match(state.ficheId, /^\d+$/);
    await page.getByRole("heading", { level: 1, name: new RegExp(`Fiche ${state.number}`) }).waitFor();
    await visited(page, "triage-fiche", { shot: true });

    // The identity check: nobody like her is known, she is a new person.
    const identity = page.getByRole("heading", { name: "Cette personne est peut-être déjà connue" });
    if (await identity.count()) {
      await submit(page, "C’est une nouvelle personne");
      assert.equal(await identity.count(), 0, "the identity check is resolved");
      await visited(page, "triage-fiche-identity-checked");
    }
    await page.getByLabel("Intervenant·e").first().selectOption({ label: displayNames.intervenant });
    await submit(page, "Accepter la fiche");
    await page.getByText("La fiche est acceptée et confiée.").waitFor();
    assert.match(await page.locator("h1 .tag").innerText(), /Acceptée/);
    await page.locator(".side-column").getByText(displayNames.intervenant).first().waitFor();
    await visited(page, "triage-fiche-accepted");
  });

  await t.test("3. the intervenant reaches the person, fixes a visit, then notes it honoured", async () => {
    const { page } = worker;
    await signInAs(page, accounts.intervenant);
    await visited(page, "worker-home");
    await page.goto(`/fiches/${state.ficheId}`);
    await page.getByRole("heading", { level: 2, name: "Prise de contact" }).waitFor();
    await visited(page, "worker-fiche");

    await navigate(page, page.getByRole("link", { name: "Noter une tentative de contact" }));
    await visited(page, "contact-form");
    await page.getByLabel("Résultat").selectOption("joint");
    await page.getByLabel("Note").fill("D’accord pour une visite à domicile.");
    await submit(page, "Enregistrer");
    assert.equal(pathOf(page), `/fiches/${state.ficheId}`);
    await page.getByText("La tentative de contact est enregistrée.").waitFor();
    await page.getByText("Personne jointe").first().waitFor();
    await visited(page, "worker-fiche-contacted");

    // A visit at home tomorrow, on a free slot the form suggests.
    await navigate(page, page.getByRole("link", { name: "Fixer un rendez-vous" }));
    await visited(page, "appointment-form");
    const tomorrow = parisDay(1);
    const me = await page.locator("#f-workers input:checked").first().getAttribute("value");
    assert.equal(await page.getByLabel(displayNames.intervenant, { exact: true }).isChecked(), true, "the form is for the intervenant who fills it");
    // The free slots are looked for in the agenda of whoever the appointment is for.
    const suggestFor = page.getByLabel("Intervenant·e", { exact: true });
    const suggestDefault = await suggestFor.evaluate((el) => el.options[el.selectedIndex]?.text ?? "");
    expectProduct(
      (await suggestFor.inputValue()) === me,
      `/fiches/${state.ficheId}/rendez-vous (« Fixer un rendez-vous », signed in as ${displayNames.intervenant}): the free-slot search « Intervenant·e » defaults to « ${suggestDefault} » (the list's first name), not to ${displayNames.intervenant} ticked below; « Voir les créneaux libres » then looks in ${suggestDefault}'s agenda, and choosing a slot silently replaces ${displayNames.intervenant} by ${suggestDefault} in « Intervenant·es » (the appointment, the intervention prefilled from it and the letter all go to ${suggestDefault})`,
    );
    await suggestFor.selectOption({ label: displayNames.intervenant });
    await page.getByLabel("Jour").fill(tomorrow);
    await submit(page, "Voir les créneaux libres");
    await page.getByText("Créneaux libres d’une heure").waitFor();
    await visited(page, "appointment-form-suggestions");
    await navigate(page, page.locator("section[aria-labelledby=suggestions] a").first());
    assert.equal(await page.getByLabel("Date", { exact: true }).inputValue(), tomorrow);
    assert.equal(await page.getByLabel("Au domicile de la personne").isChecked(), true, "at home by default");
    assert.equal(await page.getByLabel(displayNames.intervenant, { exact: true }).isChecked(), true);
    await visited(page, "appointment-form-slot");
    await submit(page, "Enregistrer le rendez-vous");
    await page.getByText("Le rendez-vous est enregistré.").waitFor();
    assert.match(pathOf(page), /^\/rendez-vous\/\d+$/);
    const appointmentPath = pathOf(page);
    await visited(page, "appointment-tomorrow", { shot: true });
    await page.locator("dl.facts").getByText(displayNames.intervenant, { exact: true }).waitFor();

    // Not started yet: the page only offers to cancel it, « Honoré » is not among the outcomes
    // (AppointmentService::SetOutcome refuses honoured or absent before the start).
    await page.getByRole("heading", { level: 2, name: "Annuler ce rendez-vous" }).waitFor();
    assert.equal(await page.getByLabel("Honoré", { exact: true }).count(), 0);

    // The visit took place earlier than planned: moved to this morning at 7:30 (yesterday when
    // the test runs before then), it has started and its outcome can be written.
    const now = parisParts();
    const visitDay = now.minutes > 7 * 60 + 30 ? now.day : parisDay(-1);
    await navigate(page, page.getByRole("link", { name: "Déplacer ou modifier" }));
    await visited(page, "appointment-edit");
    await page.getByLabel("Date", { exact: true }).fill(visitDay);
    await page.getByLabel("Heure de début").fill("07:30");
    await submit(page, "Enregistrer le rendez-vous");
    assert.equal(pathOf(page), appointmentPath);
    await page.getByText("Le rendez-vous est déplacé").waitFor();
    await page.getByRole("heading", { level: 2, name: "Comment s’est passé ce rendez-vous ?" }).waitFor();
    await visited(page, "appointment-started");
    await page.getByLabel("Honoré", { exact: true }).check();
    await page.getByLabel("Note").fill("Visite faite, la personne avait ses courriers CAF.");
    await submit(page, "Enregistrer le résultat");
    await page.getByText("Le résultat du rendez-vous est enregistré.").waitFor();
    await page.locator("h1 .tag", { hasText: "Honoré" }).waitFor();
    await visited(page, "appointment-honoured", { shot: true });

    await navigate(page, page.getByRole("link", { name: /^Retour à la fiche/ }));
    assert.match(await page.locator("h1 .tag").innerText(), /Accompagnement en cours/);
    await visited(page, "worker-fiche-in-progress");
    await navigate(page, page.getByRole("link", { name: "Ouvrir le dossier de la personne" }));
    assert.match(pathOf(page), /^\/personnes\/\d+$/);
    state.casePath = pathOf(page);
    await visited(page, "case-file-start", { shot: true });
  });

  await t.test("4. an intervention, the initial bilan and the RSA opened with its amount", async () => {
    const { page } = worker;
    await openCase(page, "case-file-step4");
    await navigate(page, page.getByRole("link", { name: "Saisir une intervention" }));
    assert.equal(pathOf(page), `/fiches/${state.ficheId}/interventions/nouvelle`);
    await visited(page, "intervention-form", { shot: true });
    await page.locator("#f-digital_themes input[type=checkbox]").first().check();
    await page.getByLabel(/^Compte rendu/).fill("Création de l’adresse e-mail, puis de l’espace CAF avec la personne.");
    await submit(page, "Enregistrer l’intervention");
    await page.getByText("L’intervention est enregistrée.").waitFor();
    await page.locator(".timeline-intervention").first().waitFor();
    await visited(page, "case-file-intervention");

    await submit(page, "Commencer le bilan initial");
    // At T0: equipment and connection partly there, accounts barely usable, every skill done
    // with guidance, the RSA not asked for: level N1.
    await fillBilan(page, "initial", { access: "2", skills: "1", right: "Non-recours présumé", level: "N1" });
    await navigate(page, page.getByRole("link", { name: /Retour au dossier/ }));
    await page.getByRole("link", { name: /^Bilan initial du / }).waitFor();
    await visited(page, "case-file-initial-bilan");

    await page.getByLabel("Ouvrir une démarche du catalogue").selectOption("CAF-RSA");
    await submit(page, "Ouvrir la démarche");
    assert.match(pathOf(page), /^\/demarches\/\d+$/);
    await visited(page, "procedure-form", { shot: true });
    await page.getByLabel("Finalisée", { exact: true }).check();
    await page.getByLabel("Droit ouvert", { exact: true }).check();
    await page.getByLabel(/Montant mensuel estimé/).fill("607,75");
    await submit(page, "Enregistrer la démarche");
    await page.getByText("La démarche est enregistrée.").waitFor();
    const row = page.getByRole("row", { name: /RSA/ });
    await row.getByText("Finalisée").waitFor();
    await row.getByText("Droit ouvert").waitFor();
    await row.getByText("607,75 € par mois").waitFor();
    await visited(page, "case-file-procedure");
  });

  await t.test("5. an orientation found in the directory, nothing shared, proposed", async () => {
    const { page } = worker;
    await openCase(page, "case-file-step5");
    await navigate(page, page.getByRole("link", { name: "Chercher un partenaire dans l’annuaire" }));
    assert.equal(pathOf(page), "/partenaires");
    assert.equal(new URL(page.url()).searchParams.get("fiche"), state.ficheId);
    await visited(page, "partners-for-case");
    await page.getByLabel("Thématique").selectOption({ label: "Toute la thématique « Numérique »" });
    await page.getByLabel("Commune ou code postal").fill("cergy");
    await submit(page, "Chercher");
    const result = page.locator(".result-list > li").first();
    await result.waitFor();
    const service = (await result.locator("h3").innerText()).trim();
    await visited(page, "partners-search", { shot: true });
    await navigate(page, result.getByRole("link", { name: `Orienter vers ce service : ${service}` }));
    assert.equal(pathOf(page), `/fiches/${state.ficheId}/orientations/nouvelle`);
    await visited(page, "orientation-form", { shot: true });
    await page.getByLabel("Type de structure").selectOption("aide_aux_demarches_administratives");
    await page.getByLabel("Motif de l’orientation", { exact: true }).fill("Faire ses prochaines déclarations avec un agent, près de chez elle.");
    const shared = page.getByRole("group", { name: /^Ce qui est transmis au partenaire/ }).locator("input[type=checkbox]");
    for (let i = 0; i < (await shared.count()); i++) assert.equal(await shared.nth(i).isChecked(), false, "nothing shared by default");
    assert.equal(await page.getByLabel("Proposée", { exact: true }).isChecked(), true);
    await submit(page, "Enregistrer l’orientation");
    assert.equal(pathOf(page), state.casePath);
    await page.getByText("L’orientation est enregistrée.").waitFor();
    const row = page.getByRole("row", { name: new RegExp(service) });
    await row.getByText("Proposée", { exact: true }).waitFor();
    await visited(page, "case-file-orientation");
    state.service = service;
  });

  await t.test("6. a retour to the referrer with one line unticked, and a point d’étape planned", async () => {
    const { page } = worker;
    await openCase(page, "case-file-step6");
    await navigate(page, page.getByRole("link", { name: "Faire un retour au prescripteur" }));
    assert.equal(pathOf(page), `/fiches/${state.ficheId}/retour`);
    await visited(page, "feedback-form", { shot: true });
    const boxes = page.locator("#f-items input[type=checkbox]");
    const labels = (await page.locator("#f-items .choice label").allInnerTexts()).map((s) => s.trim());
    assert.ok(labels.length >= 3, `lines offered: ${labels.join(" | ")}`);
    assert.ok(labels.some((l) => /RSA/.test(l)), `the RSA is offered: ${labels.join(" | ")}`);
    assert.ok(!labels.some((l) => /607/.test(l)), "never an amount");
    // The orientation's line is unticked: the referrer need not know it.
    const dropped = labels.findIndex((l) => l.includes(state.service));
    assert.ok(dropped >= 0, `the orientation is offered: ${labels.join(" | ")}`);
    for (let i = 0; i < labels.length; i++) assert.equal(await boxes.nth(i).isChecked(), true, `${labels[i]} ticked by default`);
    await boxes.nth(dropped).uncheck();
    state.droppedLine = labels[dropped];
    state.sentLines = labels.filter((_, i) => i !== dropped);
    await page.getByLabel(/^Prochaines étapes/).fill(nextSteps);
    await submit(page, "Envoyer le retour au prescripteur");
    await page.getByRole("heading", { name: /^Retours au prescripteur et points d’étape/ }).waitFor();
    await visited(page, "case-file-feedback-sent");

    await navigate(page, page.getByRole("link", { name: "Planifier un point d’étape" }));
    assert.equal(pathOf(page), `/fiches/${state.ficheId}/points-etape/nouveau`);
    await visited(page, "review-form", { shot: true });
    await page.getByLabel("Date", { exact: true }).fill(reviewDay);
    await page.getByLabel("Heure", { exact: true }).fill("14:30");
    await page.getByLabel("Lieu", { exact: true }).fill(reviewPlace);
    await page.getByLabel("La personne accompagnée").check();
    await page.getByLabel("Le ou la prescripteur·rice (SSD ou partenaire)").check();
    await page.getByLabel("Prévu", { exact: true }).check();
    await submit(page, "Enregistrer le point d’étape");
    assert.equal(pathOf(page), state.casePath);
    const section = page.locator("#retours");
    await section.getByText(nextSteps).waitFor();
    for (const line of state.sentLines) await section.getByText(line, { exact: true }).first().waitFor();
    await section.getByText(new RegExp(reviewPlace)).waitFor();
    await visited(page, "case-file-feedback-and-review", { shot: true });
  });

  await t.test("7. the final bilan, the closure and its letter", async () => {
    const { page } = worker;
    await openCase(page, "case-file-step7");
    await submit(page, "Commencer le bilan final");
    // At T1, the skills and the rights asked again: every skill autonomous, the RSA opened.
    // Access not assessed again, so N2 (N3 needs access ≥ 67 at T1).
    await fillBilan(page, "final", { skills: "3", right: "Droit ouvert", to: "G", level: "N2" }, "E");
    await navigate(page, page.getByRole("link", { name: /Retour au dossier/ }));
    await page.getByRole("link", { name: /^Bilan final du / }).waitFor();
    await visited(page, "case-file-final-bilan");
    await navigate(page, page.getByRole("link", { name: "Comparer le bilan initial et le bilan final" }));
    await page.getByText("Progrès de 1 niveau.").waitFor();
    await page.getByRole("heading", { name: "Droits sortis du non-recours" }).locator("xpath=following-sibling::*").getByText("Demande de RSA").first().waitFor();
    await visited(page, "bilan-comparison", { shot: true });

    await openCase(page, "case-file-closure");
    await page.getByText("Clôturer l’accompagnement", { exact: true }).first().click();
    await page.getByLabel("Objectifs atteints").check();
    await visited(page, "case-file-closure-form");
    await submit(page, "Clôturer l’accompagnement");
    await page.getByText("L’accompagnement est clôturé. Le prescripteur en est informé.").waitFor();
    await page.getByText(/Clôturé le .* : Objectifs atteints/).waitFor();
    assert.equal(await page.getByRole("link", { name: "Saisir une intervention" }).count(), 0);
    await visited(page, "case-file-closed", { shot: true });
    // The journal is newest first: the final bilan, finished after the initial one, comes first.
    const journal = (await page.locator("ol.timeline > li").allInnerTexts()).map((x) => x.replace(/\s+/g, " "));
    const initialAt = journal.findIndex((x) => /Bilan initial terminé/.test(x));
    const finalAt = journal.findIndex((x) => /Bilan final terminé/.test(x));
    assert.ok(initialAt >= 0 && finalAt >= 0, `both bilans are in the journal:\n${journal.join("\n")}`);
    expectProduct(
      finalAt < initialAt,
      `case page ${state.casePath}, « Journal du dossier » (said to be newest first): « Bilan final terminé » is listed after « Bilan initial terminé » although it was finished later; bilans and interventions are dated at noon of their day (CaseService timeline), so the same day they are out of order with each other and with the events timed that day:\n  ${journal.slice(0, 6).join("\n  ")}`,
    );

    const link = page.getByRole("link", { name: "Télécharger le courrier de fin d’accompagnement (PDF)" });
    const href = await link.getAttribute("href");
    assert.equal(href, `/fiches/${state.ficheId}/cloture/courrier.pdf`);
    const letter = await worker.context.request.get(href);
    assert.equal(letter.status(), 200);
    assert.equal(letter.headers()["content-type"], "application/pdf");
    const pdf = await letter.body();
    assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
    // Kept with the screenshots, to be read.
    mkdirSync(screenshotDir, { recursive: true });
    writeFileSync(path.join(screenshotDir, "journey-closure-letter.pdf"), pdf);
  });

  await t.test("8. the prescripteur reads the closed fiche: reason, what was sent, the review", async () => {
    const { page } = referrer;
    await navigate(page, page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Mes fiches" }));
    const row = page.getByRole("row", { name: new RegExp(state.number) });
    await row.getByText("Clôturée").waitFor();
    await visited(page, "referrals-mine-closed");
    await navigate(page, row.getByRole("link", { name: state.number }));
    await page.getByRole("heading", { level: 1, name: new RegExp(state.number) }).waitFor();
    assert.equal((await page.locator("h1 .tag").innerText()).trim(), "Clôturée");
    const followUp = page.getByRole("complementary", { name: "Suivi de la fiche" });
    await followUp.getByText("Objectifs atteints", { exact: true }).waitFor();
    assert.equal(await followUp.getByText("objectifs_atteints").count(), 0, "the reason in words, not its code");

    const shared = page.getByRole("region", { name: "Retours et points d’étape" });
    for (const line of state.sentLines) await shared.getByText(line, { exact: true }).waitFor();
    assert.equal(await shared.getByText(state.droppedLine, { exact: true }).count(), 0, "the unticked line is not sent");
    assert.equal(await page.getByText(state.service).count(), 0, "nothing of the orientation reaches the referrer");
    await shared.getByText(nextSteps).waitFor();
    assert.equal(await shared.getByText(/607/).count(), 0, "never an amount");
    const review = shared.locator("li", { hasText: reviewPlace });
    await review.getByText("Prévu", { exact: true }).waitFor();
    await review.getByText(/personne accompagnée/i).waitFor();
    const reviewWhen = await review.locator("p").first().innerText();
    assert.ok(reviewWhen.includes(frenchDate(reviewDay)) || /\d{1,2} \p{L}+ \d{4}/u.test(reviewWhen), `the review's date: ${reviewWhen}`);
    assert.match(reviewWhen, /14\s*h\s*30|14:30/, `the review's time: ${reviewWhen}`);
    await visited(page, "referrer-fiche-closed", { shot: true });
  });

  await t.test("9. no product bug met on the way", () => {
    assert.deepEqual(bugs, [], `${bugs.length} product bug(s):\n- ${bugs.join("\n- ")}`);
  });
});
