// Contact, appointments, agendas, letters: the intervenant's day and the referrer's invitations,
// through the real server and Chromium, axe-checked at every state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, signIn, check, accounts, navigate, submit, pathOf } from "./support/harness.mjs";

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

// A weekday far enough ahead to be free in the demo agenda (YYYY-MM-DD, Europe/Paris).
function freeWeekday(daysAhead) {
  const d = new Date(Date.now() + daysAhead * 86400000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

test("intervenant: contact, fix, move and cancel an appointment, print its letter", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.intervenant);

  // An accepted case from the inbox.
  await page.goto("/triage?statut=accepted");
  await navigate(page, page.locator("table a[href^='/fiches/']").first());
  const casePath = pathOf(page);
  await page.getByRole("heading", { level: 2, name: "Prise de contact" }).waitFor();
  await check(page, "case-contacts");

  // A contact attempt: the person is reached.
  await navigate(page, page.getByRole("link", { name: "Noter une tentative de contact" }));
  await check(page, "contact-form");
  await page.getByLabel("Résultat").selectOption("joint");
  await page.getByLabel("Note").fill("D’accord pour une visite, préfère l’après-midi.");
  await submit(page, "Enregistrer");
  assert.equal(pathOf(page), casePath);
  await page.getByText("La tentative de contact est enregistrée.").waitFor();
  await page.getByText("Personne jointe").first().waitFor();

  // Fix an appointment at home, with the suggestions of free slots.
  await navigate(page, page.getByRole("link", { name: "Fixer un rendez-vous" }));
  const day = freeWeekday(12);
  await page.getByLabel("Jour").fill(day);
  await submit(page, "Voir les créneaux libres");
  await page.getByText("Créneaux libres d’une heure").waitFor();
  await check(page, "appointment-form-suggestions");
  await navigate(page, page.locator("section[aria-labelledby=suggestions] a").first());
  assert.equal(await page.getByLabel("Date", { exact: true }).inputValue(), day);
  assert.equal(await page.getByLabel("Heure de début").inputValue(), "09:00", "the least travel first");
  await page.getByLabel("À préparer, en plus").fill("Le dernier courrier de la CAF");
  await submit(page, "Enregistrer le rendez-vous");
  await page.getByText("Le rendez-vous est enregistré.").waitFor();
  assert.match(pathOf(page), /^\/rendez-vous\/\d+$/);
  const appointmentPath = pathOf(page);
  await check(page, "appointment-show");

  // The letter: a PDF, generated on demand.
  const letterHref = await page.getByRole("link", { name: "Courrier de rendez-vous (PDF)" }).getAttribute("href");
  const letter = await context.request.get(letterHref);
  assert.equal(letter.status(), 200);
  assert.equal(letter.headers()["content-type"], "application/pdf");
  assert.equal((await letter.body()).subarray(0, 5).toString(), "%PDF-");
  const ics = await context.request.get(`${appointmentPath}/rendez-vous.ics`);
  assert.match(await ics.text(), /DTSTART;TZID=Europe\/Paris:\d{8}T090000/);

  // A clash with another visit is shown, nothing typed is lost, and it can be forced.
  await navigate(page, page.getByRole("link", { name: "Déplacer ou modifier" }));
  await check(page, "appointment-edit");
  await page.getByLabel("Heure de début").fill("09:30");
  await submit(page, "Enregistrer le rendez-vous");
  assert.equal(pathOf(page), appointmentPath, "moving onto its own slot is no conflict");
  await page.getByText("Le rendez-vous est déplacé").waitFor();
  await page.getByText("9 h 30 à 10 h 30").waitFor();

  // Cancel it, with the keyboard only.
  const cancel = page.getByLabel("Annulé par l’équipe");
  await cancel.focus();
  await page.keyboard.press("Space");
  assert.ok(await cancel.isChecked());
  await page.getByLabel("Note").focus();
  await page.keyboard.type("La personne a trouvé de l’aide auprès de sa fille.");
  await page.keyboard.press("Tab");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  await page.getByText("Le résultat du rendez-vous est enregistré.").waitFor();
  await page.locator("h1 .tag", { hasText: "Annulé par l’équipe" }).waitFor();
  await check(page, "appointment-cancelled");
  await context.close();
});

test("intervenant: a conflicting appointment is refused until confirmed", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.intervenant);
  await page.goto("/triage?statut=accepted");
  await navigate(page, page.locator("table a[href^='/fiches/']").nth(1));
  const day = freeWeekday(15);
  for (const time of ["14:00", "15:05"]) {
    await navigate(page, page.getByRole("link", { name: "Fixer un rendez-vous" }));
    await page.getByLabel("Date", { exact: true }).fill(day);
    await page.getByLabel("Heure de début").fill(time);
    await submit(page, "Enregistrer le rendez-vous");
    if (time === "14:00") {
      await page.getByText("Le rendez-vous est enregistré.").waitFor();
      await navigate(page, page.getByRole("link", { name: /Retour à la fiche/ }));
    }
  }
  await page.getByRole("heading", { name: "Ce créneau pose problème" }).waitFor();
  await page.getByText(/Moins de 20 minutes de trajet/).waitFor();
  assert.equal(await page.getByLabel("Heure de début").inputValue(), "15:05", "what was typed is kept");
  await check(page, "appointment-conflict");
  await page.getByLabel("Garder ce créneau malgré tout").check();
  await submit(page, "Enregistrer le rendez-vous");
  await page.getByText("Le rendez-vous est enregistré.").waitFor();
  await context.close();
});

test("agendas: week, day and list views, the day sheet, keyboard to an appointment", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.coordinateur);
  await navigate(page, page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Agenda", exact: true }));
  await page.getByRole("heading", { level: 1, name: /Agenda/ }).waitFor();
  await check(page, "agenda-week-team");
  const items = page.locator(".agenda-item a");
  const thisWeek = await items.count();
  await navigate(page, page.getByRole("link", { name: "Période suivante →" }));
  // The demo plans its next four working days: on a Monday they all fall in this week, on a
  // Friday in the next one. Together the two weeks hold them, whatever the day of the run.
  assert.ok(thisWeek + (await items.count()) >= 7, "the demo's coming days are planned");
  await check(page, "agenda-week-next");
  await navigate(page, page.getByRole("link", { name: "Liste", exact: true }));
  await check(page, "agenda-list");
  await navigate(page, page.getByRole("link", { name: "Jour", exact: true }));
  await check(page, "agenda-day");

  // One intervenant's agenda, chosen with the form.
  await page.getByLabel("Agenda de").selectOption({ label: "Léa Nguyen" });
  await submit(page, "Afficher");
  assert.match(page.url(), /intervenant=\d+/);

  // Keyboard: the first appointment of the list view opens with Enter.
  await page.goto("/agenda?vue=liste&intervenant=equipe");
  const first = page.locator(".agenda-item a").first();
  const href = await first.getAttribute("href");
  await first.focus();
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  assert.equal(pathOf(page), href);

  await page.goto("/agenda/feuille-de-route");
  await page.getByRole("heading", { level: 1, name: /Feuille de route/ }).waitFor();
  await check(page, "day-sheet");
  await page.goto("/agenda/calendrier");
  await check(page, "calendar-feed");
  await submit(page, "Créer mon adresse d’abonnement");
  const url = await page.locator(".secret code").innerText();
  assert.match(url, /\/calendrier\/[A-Za-z0-9_-]+\.ics$/);
  const feed = await context.request.get(new URL(url).pathname);
  assert.equal(feed.status(), 200);
  assert.match(await feed.text(), /BEGIN:VCALENDAR/);
  await context.close();
});

test("referrer: sees the tripartite invitations and answers", async () => {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signIn(page, accounts.prescripteur);
  await navigate(page, page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Rendez-vous tripartites" }));
  await check(page, "invitations");
  const planned = page.locator("tbody tr", { hasText: "Présence confirmée" }).first();
  await navigate(page, planned.getByRole("link"));
  await check(page, "invitation-show");
  await navigate(page, page.getByRole("button", { name: "Je ne pourrai pas venir" }));
  await page.getByText("Votre réponse est transmise à l’équipe mobile.").waitFor();
  await page.getByText("Votre réponse actuelle : Ne pourra pas venir.").waitFor();
  // No letter for a referrer.
  const letter = await context.request.get(`${pathOf(page)}/courrier.pdf`);
  assert.equal(letter.status(), 403);
  await context.close();
});
