// What each role may reach: the coordinator's team page, and the 403 page for everything else.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useServerAndBrowser, newPage, signIn, submit, navigate, check, pathOf, accounts } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

async function expectForbidden(page, path) {
  const res = await page.goto(path);
  assert.equal(res.status(), 403, path);
  await page.getByRole("heading", { level: 1, name: "Accès refusé" }).waitFor();
  assert.match(await page.title(), /^Accès refusé – Allervers$/);
}

test("coordinator manages only the team; structures and audit trail are refused", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.coordinateur);
  const nav = page.locator(".main-nav");
  assert.equal(await nav.getByRole("link", { name: "Structures" }).count(), 0);
  assert.equal(await nav.getByRole("link", { name: "Journal d’audit" }).count(), 0);
  await navigate(page, nav.getByRole("link", { name: "Comptes" }));
  assert.equal(pathOf(page), "/admin/utilisateurs");
  await page.getByRole("heading", { level: 1, name: "Mon équipe" }).waitFor();
  const emails = await page.locator("tbody tr td:nth-child(2)").allInnerTexts();
  assert.ok(emails.length >= 3, emails.join(" "));
  for (const email of emails) {
    assert.match(email, /@emn-cergy\.example$/, "only EMN-CERGY accounts");
  }
  for (const structure of await page.locator("tbody tr td:nth-child(4)").allInnerTexts()) {
    assert.match(structure, /^Équipe mobile numérique de Cergy/);
  }
  await check(page, "team");

  // The form offers the team's roles and structure only.
  await navigate(page, page.getByRole("link", { name: "Créer un compte" }));
  await check(page, "team-user-new");
  assert.deepEqual(await page.getByLabel("Rôle").locator("option").allInnerTexts(), ["Intervenant·e", "Coordinateur·rice"]);
  assert.deepEqual(await page.getByLabel("Structure").locator("option").evaluateAll((o) => o.map((x) => x.value)), ["EMN-CERGY"]);

  // A forged option is refused by the server, not only hidden by the form.
  await page.getByLabel("Prénom et nom").fill("Hugo Lambert");
  await page.getByLabel("Adresse e-mail professionnelle").fill("hugo.lambert@emn-cergy.example");
  await page.getByLabel("Rôle").evaluate((select) => select.add(new Option("Administrateur·rice", "admin")));
  await page.getByLabel("Rôle").selectOption("admin");
  let res = await submit(page, "Créer le compte");
  assert.equal(res.status(), 422);
  await page.locator(".error-summary a[href='#f-role']").getByText("Vous ne pouvez pas attribuer ce rôle dans cette structure.").waitFor();
  await check(page, "team-user-forged-role");
  await page.goto("/admin/utilisateurs");
  assert.equal(await page.getByRole("row", { name: /Hugo Lambert/ }).count(), 0, "no account created with a forged role");

  await navigate(page, page.getByRole("link", { name: "Créer un compte" }));
  await page.getByLabel("Prénom et nom").fill("Hugo Lambert");
  await page.getByLabel("Adresse e-mail professionnelle").fill("hugo.lambert@emn-cergy.example");
  await page.getByLabel("Rôle").selectOption("intervenant");
  await page.getByLabel(/ETP/).fill("1");
  res = await submit(page, "Créer le compte");
  assert.equal(res.status(), 201);
  assert.match(await page.locator("#temporary-password").innerText(), /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  await check(page, "team-user-created");
  await navigate(page, page.getByRole("link", { name: "Retour aux comptes" }));
  assert.match(await page.getByRole("row", { name: /Hugo Lambert/ }).innerText(), /hugo\.lambert@emn-cergy\.example\s+Intervenant·e/);

  // Pages of the administrator: the 403 page, for reading and for writing.
  await expectForbidden(page, "/admin/structures");
  await check(page, "forbidden-coordinator");
  await expectForbidden(page, "/admin/journal");
  await expectForbidden(page, "/admin/structures/nouvelle");
  const csrf = await page.locator("input[name=_csrf]").first().inputValue();
  res = await page.request.post("/admin/structures/nouvelle", {
    form: { _csrf: csrf, code: "PIRATE", name: "Structure pirate", kind: "partenaire", territory: "" },
    maxRedirects: 0,
  });
  assert.equal(res.status(), 403, "POST refused as well");
  await context.close();

  // And the administrator sees no such structure.
  const admin = await newPage(env.browser, env.server.baseUrl);
  await signIn(admin.page, accounts.admin);
  await admin.page.goto("/admin/structures");
  assert.equal(await admin.page.getByRole("row", { name: /PIRATE/ }).count(), 0);
  await admin.context.close();
});

test("intervenant, prescripteur and pilote cannot manage accounts, structures or read the audit trail", async () => {
  for (const role of ["intervenant", "prescripteur", "pilote"]) {
    const { context, page } = await newPage(env.browser, env.server.baseUrl);
    await signIn(page, accounts[role]);
    assert.equal(pathOf(page), "/", role);
    const nav = page.locator(".main-nav");
    for (const name of ["Comptes", "Structures", "Journal d’audit"]) {
      assert.equal(await nav.getByRole("link", { name }).count(), 0, `${role} sees no ${name} link`);
    }
    await expectForbidden(page, "/admin/utilisateurs");
    await check(page, `forbidden-${role}`);
    await expectForbidden(page, "/admin/utilisateurs/nouveau");
    await expectForbidden(page, "/admin/structures");
    await expectForbidden(page, "/admin/journal");
    // The way back works.
    await navigate(page, page.getByRole("link", { name: "Revenir à l’accueil" }));
    assert.equal(pathOf(page), "/");
    await context.close();
  }
});
