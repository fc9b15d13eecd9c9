// Delegated cases: the team sets how a case is shared, writes the quarterly report, and the SSD's
// territory manager reads it — through the real server and Chromium, axe-checked at every state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, signIn, signOut, check, accounts, navigate, submit } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

test("coordinateur delegates a case, the quarterly report is refused empty, then sent; the pilote reads it", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  // A case under way of the demo (the coordinator's team reads every case of the team).
  await signIn(page, accounts.coordinateur);
  await page.goto("/triage?statut=in_progress");
  await navigate(page, page.locator("table a[href^='/fiches/']").first());
  const number = (await page.locator("h1").innerText()).match(/FL-\d{4}-\d{5}/)[0];
  await navigate(page, page.getByRole("link", { name: "Ouvrir le dossier de la personne" }));
  await check(page, "quarterly-case-before");

  // Keyboard: the radio of the delegated follow-up, then its button.
  await page.getByLabel("Intervention déléguée à l’équipe mobile").focus();
  await page.keyboard.press("Space");
  await submit(page, "Enregistrer le partage du suivi");
  await page.getByText("Le partage du suivi est enregistré.").waitFor();
  await page.getByRole("heading", { name: /Partage du suivi : Intervention déléguée/ }).waitFor();

  await navigate(page, page.getByRole("link", { name: "Rédiger le bilan écrit trimestriel" }));
  await page.getByRole("heading", { level: 2, name: "Ce trimestre" }).waitFor();
  assert.ok((await page.locator("main li").filter({ hasText: /^Statut : / }).count()) === 1);
  await check(page, "quarterly-form");

  await page.getByLabel("Perspectives").fill("Finir la demande d’aide au logement en décembre.");
  await submit(page, "Transmettre le bilan au ou à la responsable de territoire");
  await page.locator(".error-summary").waitFor();
  assert.equal(await page.getByLabel("Perspectives").inputValue(), "Finir la demande d’aide au logement en décembre.");
  await check(page, "quarterly-form-422");

  await page.getByLabel("Observations").fill("La personne consulte seule son compte CAF.");
  await submit(page, "Transmettre le bilan au ou à la responsable de territoire");
  await page.getByText("Le bilan trimestriel est transmis au ou à la responsable de territoire.").waitFor();
  await page.getByRole("heading", { name: /^Transmis le / }).waitFor();
  await check(page, "quarterly-sent");
  await signOut(page);

  // The pilote of the referring SSD finds it and opens the PDF.
  await signIn(page, accounts.pilote);
  await navigate(page, page.getByRole("navigation").getByRole("link", { name: "Bilans trimestriels" }));
  const row = page.locator("tbody tr").filter({ hasText: number });
  await row.waitFor();
  await check(page, "quarterly-list");
  const href = await row.getByRole("link").getAttribute("href");
  const pdf = await context.request.get(href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.equal((await pdf.body()).subarray(0, 5).toString(), "%PDF-");
  await signOut(page);

  // The referrer neither lists nor reads it.
  await signIn(page, accounts.prescripteur);
  assert.equal((await page.goto("/bilans-trimestriels")).status(), 403);
  assert.equal((await context.request.get(href)).status(), 404);
  await context.close();
});
