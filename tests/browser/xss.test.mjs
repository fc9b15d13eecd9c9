// Hostile text in every free-text field of the main journey, looked for wherever it is shown
// again: pages (literal text, no element injected, no dialog), forms shown again (values kept
// whole), PDFs (pdftotext), the steering workbook (strings, never formulas) and La Coop's CSV
// (a cell starting with = + - @ gets its apostrophe). Each payload names its field, so that a
// failure says which one. The subtests share one state and run in order, like journey.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  useServerAndBrowser,
  newPage,
  signIn,
  accounts,
  navigate,
  submit,
  pathOf,
  expectNoAxeViolations,
  expectNoPageProblems,
  screenshot,
} from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

// An HTML payload, and a spreadsheet formula that is an HTML payload too.
const html = (key) => `<img src=x onerror=alert(1)>"'<b>xss-${key}</b>`;
const formula = (sign, key) => `${sign}HYPERLINK("http://evil.example","x")<img src=x onerror=alert(1)>'<b>xss-${key}</b>`;

const P = {
  structureName: html("structure-name"),
  structureTerritory: html("structure-territory"),
  userName: html("user-name"),
  referrerName: html("referrer-name"),
  referrerFunction: html("referrer-function"),
  lastName: html("last-name"),
  usageName: html("usage-name"),
  firstName: html("first-name"),
  address: html("address"),
  city: formula("=", "city"),
  availability: html("availability"),
  adaptations: html("adaptations"),
  carer: html("carer"),
  difficulties: html("difficulties"),
  motive: html("motive"),
  urgencyReason: html("urgency-reason"),
  tripartite: html("tripartite"),
  contactNote: html("contact-note"),
  placeLabel: html("place-label"),
  apptAddress: html("appointment-address"),
  apptCity: formula("-", "appointment-city"),
  purpose: html("purpose"),
  toBring: html("to-bring"),
  summary: html("intervention-summary"),
  note: html("case-note"),
  partner: html("partner-name"),
  orientationReason: html("orientation-reason"),
  nextSteps: html("next-steps"),
  reviewPlace: html("review-place"),
  reviewMinutes: html("review-minutes"),
  reviewDecisions: html("review-decisions"),
  observations: html("quarterly-observations"),
  quarterlyPerspectives: html("quarterly-perspectives"),
  closureNote: html("closure-note"),
  highlights: formula("+", "steering-highlights"),
  steeringDifficulties: formula("-", "steering-difficulties"),
  steeringPerspectives: formula("@", "steering-perspectives"),
};

// The fiche de liaison's text fields, by id.
const referralFields = {
  "#f-referrer-name": P.referrerName,
  "#f-referrer-function": P.referrerFunction,
  "#f-person-last_name": P.lastName,
  "#f-person-usage_name": P.usageName,
  "#f-person-first_name": P.firstName,
  "#f-person-address-line": P.address,
  "#f-person-address-city": P.city,
  "#f-person-availability": P.availability,
  "#f-person-adaptations": P.adaptations,
  "#f-person-carer": P.carer,
  "#f-reasons-difficulties": P.difficulties,
  "#f-reasons-motive": P.motive,
  "#f-urgency_reason": P.urgencyReason,
  "#f-tripartite_availability": P.tripartite,
};

// Dates in Europe/Paris as YYYY-MM-DD.
const parisDay = (days) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(Date.now() + days * 86400000),
  );

// Names may be shown in capitals (« DURAND Gisèle », letters): compared without case, and
// without white space (PDF lines break anywhere).
const squeeze = (s) => s.replace(/\s+/g, "").toLowerCase();

// Every dialog is recorded; the application's own confirmations are accepted, anything else
// (an alert from a payload) is a failure reported by the last subtest and by expectInert.
const dialogs = [];
function watchDialogs(page) {
  page.on("dialog", (d) => {
    if (d.type() !== "confirm") dialogs.push(`${d.type()} « ${d.message()} » on ${page.url()}`);
    return d.type() === "confirm" ? d.accept() : d.dismiss();
  });
}

// What the page or file shows near a missing payload's marker, for the failure message.
function around(text, keys) {
  return keys
    .map((k) => {
      const marker = squeeze(P[k]).match(/xss-[a-z-]+/)[0];
      const at = text.indexOf(marker);
      return `\n  ${k}: ${at < 0 ? "marker absent" : JSON.stringify(text.slice(Math.max(0, at - 80), at + 40))}`;
    })
    .join("");
}

// The payloads `shown` appear as text, and none of them turned into markup.
async function expectInert(page, label, shown, { axe = true, shot = null } = {}) {
  expectNoPageProblems(page, label);
  assert.deepEqual(dialogs, [], `a payload opened a dialog (${label})`);
  const found = await page.evaluate(() => ({
    text: document.body.textContent,
    handlers: [...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `<${el.localName} ${a.name}>`)),
    images: document.querySelectorAll('img[src="x" i]').length,
    bold: [...document.querySelectorAll("b")].map((b) => b.textContent).filter((t) => /xss-/i.test(t)),
  }));
  assert.deepEqual(found.handlers, [], `${label} (${page.url()}): event-handler attributes injected`);
  assert.equal(found.images, 0, `${label} (${page.url()}): <img src=x> injected`);
  assert.deepEqual(found.bold, [], `${label} (${page.url()}): <b> injected`);
  const text = squeeze(found.text);
  const missing = Object.entries(shown).filter(([, v]) => !text.includes(squeeze(v))).map(([k]) => k);
  assert.deepEqual(missing, [], `${label} (${page.url()}): payloads not shown as text${around(text, missing)}`);
  if (axe) await expectNoAxeViolations(page, label);
  if (shot) await screenshot(page, shot);
}

// Form fields shown again hold the whole payload: a quote did not cut an attribute short.
async function expectValues(page, label, fields) {
  for (const [selector, value] of Object.entries(fields)) {
    assert.equal(await page.locator(selector).inputValue(), value, `${label}: ${selector} shown again`);
  }
}

const pick = (...keys) => Object.fromEntries(keys.flat().map((k) => [k, P[k]]));

// Where each text is shown again. The fiche de liaison in full for the team; the referrer reads
// the commune, not the address nor the practical details. Lists and letters name the person by
// her usage name. The case file shows the person, the referrer and the journal.
const referralTexts = ["referrerName", "referrerFunction", "lastName", "usageName", "firstName", "address", "city", "availability", "adaptations", "carer", "difficulties", "motive", "urgencyReason", "tripartite", "structureName"];
const referrerTexts = referralTexts.filter((k) => !["address", "availability", "adaptations", "carer"].includes(k));
const person = ["usageName", "firstName"];
const caseTexts = [...person, "address", "city", "adaptations", "carer", "referrerName", "structureName", "contactNote", "purpose"];
const journalTexts = ["summary", "note", "partner", "orientationReason", "nextSteps", "reviewPlace"];
const appointmentTexts = ["placeLabel", "apptAddress", "apptCity", "purpose", "toBring"];

function withTemp(name, bytes, fn) {
  const dir = mkdtempSync(path.join(tmpdir(), "allervers-xss-"));
  try {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

// Downloads a PDF with the context’s cookies; its text by pdftotext (-layout: a line broken after
// a hyphen keeps its hyphen).
async function pdfText(context, href) {
  const res = await context.request.get(href);
  assert.equal(res.status(), 200, href);
  assert.equal(res.headers()["content-type"], "application/pdf", href);
  return withTemp("out.pdf", await res.body(), (file) => run("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"]));
}

function expectInPdf(text, label, shown) {
  const flat = squeeze(text);
  const missing = Object.entries(shown).filter(([, v]) => !flat.includes(squeeze(v))).map(([k]) => k);
  assert.deepEqual(missing, [], `${label}: payloads not found as text by pdftotext${around(flat, missing)}`);
}

// RFC 4180, as csv::Field writes it (separator « ; », BOM first).
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ";") row.push(field), (field = "");
    else if (c === "\n") row.push(field), rows.push(row), (row = []), (field = "");
    else if (c !== "\r") field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

const xmlText = (s) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, "&");

// The cells of every sheet of a workbook: {sheet, ref, type, formula, text}.
function xlsxCells(bytes) {
  return withTemp("book.xlsx", bytes, (file) => {
    const names = run("unzip", ["-Z1", file]).split("\n").filter(Boolean);
    const shared = names.includes("xl/sharedStrings.xml")
      ? [...run("unzip", ["-p", file, "xl/sharedStrings.xml"]).matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
          xmlText([...m[1].matchAll(/<t(?: [^>]*)?>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join("")),
        )
      : [];
    const cells = [];
    for (const sheet of names.filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n))) {
      const xml = run("unzip", ["-p", file, sheet]);
      for (const m of xml.matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const attrs = m[1];
        const body = m[2] ?? "";
        const type = /\bt="([^"]+)"/.exec(attrs)?.[1] ?? "n";
        const v = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
        const inline = /<is>([\s\S]*?)<\/is>/.exec(body)?.[1];
        const text = type === "s" ? shared[Number(v)] : type === "inlineStr" ? xmlText(inline.replace(/<[^>]+>/g, "")) : type === "str" ? xmlText(v ?? "") : v;
        cells.push({ sheet, ref: /\br="([^"]+)"/.exec(attrs)?.[1], type, formula: /<f[\s>/]/.test(body), text });
      }
    }
    return cells;
  });
}

const state = { referralId: "", number: "", personPath: "", appointmentPath: "" };

test("hostile text in every field stays text on every page, letter, workbook and CSV", async (t) => {
  const admin = await newPage(env.browser, env.server.baseUrl);
  const referrer = await newPage(env.browser, env.server.baseUrl);
  const coordinator = await newPage(env.browser, env.server.baseUrl);
  const worker = await newPage(env.browser, env.server.baseUrl);
  const pilote = await newPage(env.browser, env.server.baseUrl);
  const all = [admin, referrer, coordinator, worker, pilote];
  for (const { page } of all) watchDialogs(page);
  t.after(async () => {
    for (const { context } of all) await context.close();
  });

  await t.test("admin: a structure's name and territory, an account's name", async () => {
    const { page } = admin;
    await signIn(page, accounts.admin);
    await page.goto("/admin/structures");
    await navigate(page, page.getByRole("row", { name: /SSD-CERGY/ }).getByRole("link"));
    await page.locator("#f-name").fill(P.structureName);
    await page.locator("#f-territory").fill(P.structureTerritory);
    await submit(page, "Enregistrer");
    assert.equal(pathOf(page), "/admin/structures");
    await expectInert(page, "admin structures", pick("structureName", "structureTerritory"));
    await navigate(page, page.getByRole("row", { name: /SSD-CERGY/ }).getByRole("link"));
    await expectValues(page, "structure form", { "#f-name": P.structureName, "#f-territory": P.structureTerritory });

    await page.goto("/admin/utilisateurs");
    await navigate(page, page.getByRole("link", { name: "Léa Nguyen" }));
    await page.locator("#f-display_name").fill(P.userName);
    await submit(page, "Enregistrer");
    await page.goto("/admin/utilisateurs");
    await expectInert(page, "admin accounts", pick("userName", "structureName"));
    await navigate(page, page.getByRole("row", { name: /lea\.nguyen@/ }).getByRole("link").first());
    await expectValues(page, "account form", { "#f-display_name": P.userName });
  });

  await t.test("prescripteur: the fiche de liaison, shown again after an error, then sent", async () => {
    const { page } = referrer;
    await signIn(page, accounts.prescripteur);
    await page.goto("/fiches/nouvelle");
    for (const [selector, value] of Object.entries(referralFields)) await page.locator(selector).fill(value);
    await page.locator("#f-person-phone").fill("06 41 52 63 74");
    await page.locator("#f-person-address-postal_code").fill("95000");
    await page.locator("#f-reasons-procedures-CAF-RSA").check();
    await page.locator("#f-tripartite_requested").check();
    // No agreement yet: 422, every field shown again whole.
    const refused = await submit(page, "Transmettre la fiche");
    assert.equal(refused.status(), 422);
    await expectValues(page, "referral form 422", referralFields);
    await expectInert(page, "referral form 422", pick("difficulties", "motive", "urgencyReason", "adaptations"));

    await page.getByLabel("La personne a donné son accord, après avoir été informée").check();
    await page.getByLabel("Date de l’accord").fill(parisDay(0));
    await page.getByLabel("Accord oral, recueilli par le prescripteur").check();
    await submit(page, "Transmettre la fiche");
    await page.getByRole("heading", { level: 1, name: "Fiche transmise" }).waitFor();
    state.number = (await page.locator(".reference-number").innerText()).trim();

    await navigate(page, page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Mes fiches" }));
    await expectInert(page, "referrals mine", pick(person, "structureName"), { axe: false });
    await navigate(page, page.getByRole("link", { name: state.number }));
    state.referralId = pathOf(page).split("/").pop();
    await expectInert(page, "referral show (referrer)", pick(referrerTexts));
  });

  await t.test("coordinateur: the inbox, the fiche and the person's form, then accepted", async () => {
    const { page } = coordinator;
    await signIn(page, accounts.coordinateur);
    await page.goto("/triage");
    await expectInert(page, "inbox", pick(person, "city", "structureName", "structureTerritory", "userName"));
    await navigate(page, page.getByRole("link", { name: state.number }));
    await expectInert(page, "referral triage", pick(referralTexts, "userName"), { shot: "xss-referral-triage" });
    await page.goto(`/fiches/${state.referralId}/personne`);
    await expectValues(page, "person form", Object.fromEntries(Object.entries(referralFields).filter(([id]) => id.startsWith("#f-person"))));
    await page.goto(`/fiches/${state.referralId}`);
    const identity = page.getByRole("heading", { name: "Cette personne est peut-être déjà connue" });
    if (await identity.count()) await submit(page, "C’est une nouvelle personne");
    await page.getByLabel("Intervenant·e").first().selectOption({ label: "Yanis Benali" });
    await submit(page, "Accepter la fiche");
    await page.getByText("La fiche est acceptée et confiée.").waitFor();
  });

  await t.test("intervenant: a contact attempt and an appointment, with its letter", async () => {
    const { page, context } = worker;
    await signIn(page, accounts.intervenant);
    await page.goto(`/fiches/${state.referralId}/contact`);
    await page.getByLabel("Résultat").selectOption("joint");
    await page.locator("#f-note").fill(P.contactNote);
    await submit(page, "Enregistrer");
    await page.getByText("La tentative de contact est enregistrée.").waitFor();
    await expectInert(page, "referral show (intervenant)", pick(referralTexts, "contactNote"), { axe: false });

    // Yesterday evening, in a public place: among the visits an intervention can be linked to.
    await page.goto(`/fiches/${state.referralId}/rendez-vous`);
    await page.locator("#f-date").fill(parisDay(-1));
    await page.locator("#f-start_time").fill("19:00");
    await page.locator("#f-place-lieu_public").check();
    await page.locator("#f-place_label").fill(P.placeLabel);
    await page.locator("#f-address_line").fill(P.apptAddress);
    await page.locator("#f-postal_code").fill("95000");
    await page.locator("#f-city").fill(P.apptCity);
    await page.locator("#f-purpose").fill(P.purpose);
    await page.locator("#f-to_bring").fill(P.toBring);
    const appointmentFields = { "#f-place_label": P.placeLabel, "#f-address_line": P.apptAddress, "#f-city": P.apptCity, "#f-purpose": P.purpose, "#f-to_bring": P.toBring };
    await submit(page, "Enregistrer le rendez-vous");
    if (!/^\/rendez-vous\/\d+$/.test(pathOf(page))) {
      // A slot taken in the demo's agenda: the form comes back whole, and is kept anyway.
      await expectValues(page, "appointment form shown again", appointmentFields);
      await page.locator("#f-force").check();
      await submit(page, "Enregistrer le rendez-vous");
    }
    assert.match(pathOf(page), /^\/rendez-vous\/\d+$/);
    state.appointmentPath = pathOf(page);
    await expectInert(page, "appointment", pick(appointmentTexts, person));
    const letter = await pdfText(context, `${state.appointmentPath}/courrier.pdf`);
    expectInPdf(letter, "appointment letter", pick(appointmentTexts, person, "address", "city", "structureName"));
    await page.goto(`${state.appointmentPath}/modifier`);
    await expectValues(page, "appointment edit form", appointmentFields);
  });

  await t.test("intervenant: an intervention, a note, an orientation, a retour and a point d’étape", async () => {
    const { page } = worker;
    await page.goto(`/fiches/${state.referralId}`);
    await navigate(page, page.getByRole("link", { name: "Ouvrir le dossier de la personne" }));
    state.personPath = pathOf(page);
    await expectInert(page, "case file (start)", pick(caseTexts), { axe: false });

    await navigate(page, page.getByRole("link", { name: "Saisir une intervention" }));
    await expectInert(page, "intervention form", pick(person, "userName"), { axe: false });
    await page.locator("#f-digital_themes input[type=checkbox]").first().check();
    await page.locator("#f-appointment").selectOption({ index: 1 });
    await page.locator("#f-summary").fill(P.summary);
    await submit(page, "Enregistrer l’intervention");
    await page.getByText("L’intervention est enregistrée.").waitFor();

    await page.locator("#f-body").fill(P.note);
    await submit(page, "Enregistrer la note");
    await page.getByText("La note est enregistrée.").waitFor();

    await navigate(page, page.getByRole("link", { name: "Orienter vers un partenaire hors annuaire" }));
    await page.locator("#f-partner_name").fill(P.partner);
    await page.locator("#f-partner_kind").selectOption("aide_sociale");
    await page.locator("#f-reason").fill(P.orientationReason);
    await submit(page, "Enregistrer l’orientation");
    await page.getByText("L’orientation est enregistrée.").waitFor();
    const orientationPath = await page.locator("a[href^='/orientations/']").first().getAttribute("href");

    await navigate(page, page.getByRole("link", { name: "Faire un retour au prescripteur" }));
    await expectInert(page, "feedback form", pick(person, "partner", "referrerName", "structureName"), { axe: false });
    await page.locator("#f-next_steps").fill(P.nextSteps);
    await submit(page, "Envoyer le retour au prescripteur");

    await navigate(page, page.getByRole("link", { name: "Planifier un point d’étape" }));
    await page.locator("#f-date").fill(parisDay(7));
    await page.locator("#f-time").fill("14:30");
    await page.locator("#f-place").fill(P.reviewPlace);
    await page.getByLabel("La personne accompagnée").check();
    await page.getByLabel("Prévu", { exact: true }).check();
    await page.locator("#f-minutes").fill(P.reviewMinutes);
    await page.locator("#f-decisions").fill(P.reviewDecisions);
    await submit(page, "Enregistrer le point d’étape");
    assert.equal(pathOf(page), state.personPath);
    await expectInert(page, "case file", pick(caseTexts, journalTexts), { shot: "xss-case-file" });
    const reviewPath = await page.locator("a[href^='/points-etape/']").first().getAttribute("href");

    await page.goto(orientationPath);
    await expectInert(page, "orientation", pick(person, "partner"));
    await expectValues(page, "orientation follow-up", { "#f-reason": P.orientationReason });
    await page.goto(reviewPath);
    await expectValues(page, "point d’étape", { "#f-place": P.reviewPlace, "#f-minutes": P.reviewMinutes, "#f-decisions": P.reviewDecisions });
  });

  await t.test("coordinateur: the case file, the due list, a quarterly report and its PDF", async () => {
    const { page, context } = coordinator;
    await page.goto(state.personPath);
    await expectInert(page, "case file (coordinateur)", pick(caseTexts, journalTexts), { axe: false });
    await page.getByLabel("Intervention déléguée à l’équipe mobile").check();
    await submit(page, "Enregistrer le partage du suivi");
    await navigate(page, page.getByRole("link", { name: "Rédiger le bilan écrit trimestriel" }));
    await page.locator("#f-observations").fill(P.observations);
    await page.locator("#f-perspectives").fill(P.quarterlyPerspectives);
    await submit(page, "Transmettre le bilan au ou à la responsable de territoire");
    await page.getByText("Le bilan trimestriel est transmis au ou à la responsable de territoire.").waitFor();
    await expectInert(page, "quarterly report sent", pick(person, "observations", "quarterlyPerspectives", "partner", "structureName"));
    await page.goto(state.personPath);
    const pdfHref = await page.locator("a[href^='/bilans-trimestriels/']").first().getAttribute("href");
    expectInPdf(await pdfText(context, pdfHref), "quarterly report PDF", pick(person, "observations", "quarterlyPerspectives", "partner", "referrerName", "structureName"));

    await page.goto("/echeances");
    await expectInert(page, "due list", pick(person, "userName"));

    await signIn(pilote.page, accounts.pilote);
    await pilote.page.goto("/bilans-trimestriels");
    await expectInert(pilote.page, "quarterly reports (pilote)", pick(person, "userName"));
  });

  await t.test("intervenant: the closure and its letter, the person's data and La Coop's CSV", async () => {
    const { page, context } = worker;
    await page.goto(state.personPath);
    await page.getByText("Clôturer l’accompagnement", { exact: true }).first().click();
    await page.getByLabel("Objectifs atteints").check();
    await page.locator("#f-closure_note").fill(P.closureNote);
    await page.getByLabel("Clôturer sans bilan final").check();
    await submit(page, "Clôturer l’accompagnement");
    await page.getByText("L’accompagnement est clôturé. Le prescripteur en est informé.").waitFor();
    await expectInert(page, "case file closed", pick(caseTexts, journalTexts, "closureNote"));
    const closure = await pdfText(context, `/fiches/${state.referralId}/cloture/courrier.pdf`);
    expectInPdf(closure, "closure letter", pick(person, "address", "city", "partner", "orientationReason", "referrerName", "structureName"));

    await navigate(page, page.getByRole("link", { name: "Données personnelles et droits de la personne" }));
    await expectInert(page, "person data", pick(person), { axe: false });
    const copy = await pdfText(context, await page.getByRole("link", { name: "Copie à remettre à la personne (PDF)" }).getAttribute("href"));
    expectInPdf(
      copy,
      "copy of the data",
      pick(referralTexts.filter((k) => k !== "referrerName" && k !== "referrerFunction" && k !== "urgencyReason"), "contactNote", "placeLabel", "apptAddress", "purpose", "toBring", "summary", "note", "partner", "orientationReason", "nextSteps", "reviewMinutes", "reviewDecisions", "observations", "quarterlyPerspectives", "closureNote"),
    );
    const notice = await pdfText(context, await page.getByRole("link", { name: "Imprimer la notice d’information (PDF)" }).getAttribute("href"));
    expectInPdf(notice, "information notice", pick(person, "address", "city"));

    // La Coop's export: the person's commune and the appointment's, each with its apostrophe.
    const res = await context.request.get(`/activite/export-coop.csv?du=${parisDay(-7)}&au=${parisDay(0)}`);
    assert.equal(res.status(), 200);
    const rows = parseCsv(await res.text());
    const header = rows[0];
    const mine = rows.filter((r) => r.some((c) => c.includes("xss-city")));
    assert.equal(mine.length, 1, "the intervention is exported once");
    assert.equal(mine[0][header.indexOf("Commune du bénéficiaire")], `'${P.city}`);
    assert.equal(mine[0][header.indexOf("Commune")], `'${P.apptCity}`);
    for (const row of rows) for (const cell of row) assert.ok(!/^[=+\-@]/.test(cell) || /^-?[\d,.]+$/.test(cell), `CSV cell not neutralised: ${cell}`);
  });

  await t.test("prescripteur: the closed fiche with the retour and the point d’étape", async () => {
    const { page } = referrer;
    await page.goto(`/fiches/${state.referralId}`);
    await expectInert(page, "referral show (referrer, closed)", pick(referrerTexts, "nextSteps", "reviewPlace", "partner", "closureNote"), { shot: "xss-referral-referrer" });
  });

  await t.test("coordinateur: the steering report's texts, in its page, PDF and workbook", async () => {
    const { page } = coordinator;
    await page.goto("/indicateurs/bilan");
    await page.locator("#f-highlights").fill(P.highlights);
    await page.locator("#f-difficulties").fill(P.steeringDifficulties);
    await page.locator("#f-perspectives").fill(P.steeringPerspectives);
    await submit(page, "Enregistrer les textes");
    await page.getByText("Le texte du bilan trimestriel est enregistré.").waitFor();
    await expectValues(page, "steering form", { "#f-highlights": P.highlights, "#f-difficulties": P.steeringDifficulties, "#f-perspectives": P.steeringPerspectives });
    // The quarter just written, whatever the day.
    const query = new URL(await page.getByRole("link", { name: /Bilan au format PDF/ }).getAttribute("href"), env.server.baseUrl).search;

    await pilote.page.goto(`/indicateurs/bilan${query}`);
    const texts = pick("highlights", "steeringDifficulties", "steeringPerspectives");
    await expectInert(pilote.page, "steering (pilote)", texts);
    expectInPdf(await pdfText(pilote.context, `/indicateurs/bilan.pdf${query}`), "steering PDF", texts);

    const book = await pilote.context.request.get(`/indicateurs/bilan.xlsx${query}`);
    assert.equal(book.status(), 200);
    const cells = xlsxCells(await book.body());
    assert.deepEqual(cells.filter((c) => c.formula).map((c) => `${c.sheet} ${c.ref}`), [], "no formula in the workbook");
    for (const [key, value] of Object.entries(texts)) {
      const cell = cells.find((c) => c.text === value);
      assert.ok(cell, `${key}: its cell in the workbook`);
      assert.ok(["s", "inlineStr"].includes(cell.type), `${key}: a string cell, not ${cell.type}`);
    }
  });

  await t.test("no payload opened a dialog anywhere", () => {
    assert.deepEqual(dialogs, []);
  });
});
