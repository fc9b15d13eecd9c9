// The indicators dashboard: the coordinator's exact figures with every filter, the Département's
// under the small-cell rule — through the real server and Chromium, axe-checked at every state.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, signIn, signOut, check, accounts, navigate } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

test("coordinateur and pilote read the indicators of the year, with the keyboard alone", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.coordinateur);
  await navigate(page, page.getByRole("navigation").getByRole("link", { name: "Indicateurs" }));
  await page.getByRole("heading", { level: 1, name: /Indicateurs de l’action/ }).waitFor();
  await check(page, "indicators-quarter");

  // The year, by its preset link; the demo's activity shows with its charts and tables.
  const year = new Date().getFullYear();
  await navigate(page, page.getByRole("navigation", { name: "Périodes" }).getByRole("link", { name: `Année ${year}` }));
  const interventions = page.getByRole("row", { name: /^Interventions \d+/ });
  const count = Number((await interventions.locator("td").first().innerText()).trim());
  assert.ok(count > 10, "the demo's interventions are counted");
  await page.getByRole("img", { name: /Réalisé depuis le 1er janvier/ }).waitFor();
  await check(page, "indicators-year");

  // One intervenant, chosen with the keyboard: fewer interventions.
  await page.getByRole("combobox", { name: "Intervenant·e", exact: true }).focus();
  await page.getByRole("combobox", { name: "Intervenant·e", exact: true }).selectOption({ label: "Yanis Benali" });
  await page.keyboard.press("Tab");
  await Promise.all([page.waitForURL(/intervenant=\d+/), page.keyboard.press("Enter")]);
  const mine = Number((await page.getByRole("row", { name: /^Interventions \d+/ }).locator("td").first().innerText()).trim());
  assert.ok(mine > 0 && mine < count, "one intervenant's share");
  // Targets belong to the whole action: not under a filter.
  assert.equal(await page.getByRole("heading", { name: "Objectifs de l’année" }).count(), 0);

  // A wrong period: the message and the dates typed stay.
  await page.goto(`/indicateurs?du=${year}-12-31&au=${year}-01-01`);
  await page.getByRole("alert").getByText("La date de fin vient après la date de début.").waitFor();
  assert.equal(await page.getByLabel("Du").inputValue(), `${year}-12-31`);
  await check(page, "indicators-422");
  await signOut(page);

  // The Département: no intervenant filter, small counts hidden, nobody named.
  await signIn(page, accounts.pilote);
  await navigate(page, page.getByRole("navigation").getByRole("link", { name: "Indicateurs" }));
  await navigate(page, page.getByRole("navigation", { name: "Périodes" }).getByRole("link", { name: `Année ${year}` }));
  await page.getByText(/Secret statistique/).waitFor();
  assert.equal(await page.getByRole("combobox", { name: "Intervenant·e", exact: true }).count(), 0);
  assert.equal(await page.getByText("Yanis Benali").count(), 0);
  await page.getByRole("cell", { name: "< 5" }).first().waitFor();
  await check(page, "indicators-pilote");
  await context.close();
});

test("coordinateur writes the quarterly report's texts; the pilote reads them and downloads the PDF", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.coordinateur);
  await page.goto("/indicateurs");
  await navigate(page, page.getByRole("link", { name: /Bilan trimestriel de l’action/ }));
  await page.getByRole("heading", { level: 1, name: /Bilan trimestriel de l’action/ }).waitFor();
  await check(page, "steering-form");
  await page.getByLabel("Faits marquants").fill("Deux nouveaux partenaires à Cergy-le-Haut.");
  await page.getByLabel("Perspectives").fill("Ateliers collectifs en janvier.");
  await page.getByLabel("Perspectives").press("Tab");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  await page.getByText("Le texte du bilan trimestriel est enregistré.").waitFor();
  assert.equal(await page.getByLabel("Faits marquants").inputValue(), "Deux nouveaux partenaires à Cergy-le-Haut.");
  await check(page, "steering-saved");
  const pdf = await page.request.get(await page.getByRole("link", { name: /Bilan au format PDF/ }).getAttribute("href"));
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  await signOut(page);

  await signIn(page, accounts.pilote);
  await page.goto("/indicateurs/bilan");
  await page.getByText("Deux nouveaux partenaires à Cergy-le-Haut.").waitFor();
  assert.equal(await page.locator("textarea").count(), 0);
  await check(page, "steering-pilote");
  const xlsx = await page.request.get(await page.getByRole("link", { name: /Classeur pour tableur/ }).getAttribute("href"));
  assert.equal(xlsx.status(), 200);
  await context.close();
});

test("intervenant downloads their activity for La Coop from the home page", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.intervenant);
  await navigate(page, page.getByRole("link", { name: "Export pour La Coop" }));
  await page.getByRole("heading", { level: 1, name: "Export pour La Coop de la médiation numérique" }).waitFor();
  assert.equal(await page.getByLabel("Intervenant·e").count(), 0, "one's own activity only");
  await check(page, "coop-export");
  const year = new Date().getFullYear();
  await page.getByLabel("Du").fill(`${year}-01-01`);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Télécharger le fichier CSV" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^activite-coop-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  await context.close();
});
