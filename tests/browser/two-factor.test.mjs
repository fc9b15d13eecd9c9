// Two-factor sign-in (issue 7): enrolment (QR code, key, first code, recovery codes shown
// once), the « Code de vérification » step of sign-in with its errors, recovery codes, the
// mandatory setting, the administrator's reset, and the keyboard alone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { useServerAndBrowser, newPage, signIn, signOut, submit, navigate, check, pathOf, focusedId, accounts, displayNames } from "./support/harness.mjs";

const env = useServerAndBrowser({ before, after });

const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32Decode(text) {
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/[\s=]/g, "").toUpperCase()) {
    const index = base32Alphabet.indexOf(ch);
    assert.ok(index >= 0, `base32 character ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA-1, 6 digits) of `secret` for the 30-second step `step`. */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[19] & 15;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 1000000).padStart(6, "0");
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

/** A six-digit code that is none of the codes accepted around now. */
function wrongCode(secret) {
  const step = currentStep();
  const valid = new Set([totp(secret, step - 1), totp(secret, step), totp(secret, step + 1), totp(secret, step + 2)]);
  for (const candidate of ["000000", "111111", "222222"]) if (!valid.has(candidate)) return candidate;
  throw new Error("unreachable");
}

/** The code of the next step: accepted (one step of drift) after any code of this step was used. */
const nextCode = (secret) => totp(secret, currentStep() + 1);

const codeField = (page) => page.getByLabel("Code de vérification", { exact: true });

/** On the enrolment page: the key shown for typing, without its spaces. */
async function readSecret(page) {
  return (await page.locator("#totp-secret").innerText()).replace(/\s/g, "");
}

/** Enrols the signed-in user from « Double authentification »; returns { secret, codes, used }. */
async function enrol(page, { label = "enrol" } = {}) {
  if (pathOf(page) !== "/double-authentification") await page.goto("/double-authentification");
  const secret = await readSecret(page);
  assert.equal(secret.length, 32);
  const used = totp(secret, currentStep());
  await page.getByLabel("Code à 6 chiffres affiché par l’application").fill(used);
  const res = await submit(page, "Activer la double authentification");
  assert.equal(res.status(), 200, `${label}: recovery codes shown`);
  const codes = await page.locator("#recovery-codes li").allInnerTexts();
  assert.equal(codes.length, 10, `${label}: ten recovery codes`);
  return { secret, codes, used };
}

test("enrol, sign out, sign in with a code; reused, wrong and malformed codes refused; recovery codes", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.intervenant);
  assert.equal(pathOf(page), "/", "the demo signs in with the password alone");
  await navigate(page, page.getByRole("link", { name: "Double authentification" }));
  assert.equal(pathOf(page), "/double-authentification");
  assert.equal(await page.title(), "Double authentification – Allervers");
  const qr = page.getByRole("img", { name: "QR code à scanner avec votre application d’authentification" });
  await qr.waitFor();
  const uri = await page.locator("#totp-uri").textContent();
  assert.match(uri, /^otpauth:\/\/totp\/Allervers:yanis\.benali%40emn-cergy\.example\?secret=[A-Z2-7]{32}&issuer=Allervers/);
  assert.match(await page.locator("#totp-secret").innerText(), /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, "groups of four");
  await check(page, "two-factor-enrol");
  const secret = await readSecret(page);
  assert.ok(uri.includes(`secret=${secret}&`));

  // A wrong first code: 422, the error linked to the field, the same key still shown.
  await page.getByLabel("Code à 6 chiffres affiché par l’application").fill(wrongCode(secret));
  let res = await submit(page, "Activer la double authentification");
  assert.equal(res.status(), 422);
  await page.locator(".error-summary").getByText(/ne correspond pas/).waitFor();
  assert.equal(await readSecret(page), secret, "reloading keeps the key already scanned");
  await check(page, "two-factor-enrol-error");
  for (const bad of ["abcdef", "1234567", ""]) {
    await page.getByLabel("Code à 6 chiffres affiché par l’application").fill(bad);
    res = await submit(page, "Activer la double authentification");
    assert.equal(res.status(), 422, `enrolment with « ${bad} »`);
  }

  const { codes, used: enrolmentCode } = await enrol(page);
  for (const code of codes) assert.match(code, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
  await page.getByText("Ils ne seront plus jamais affichés.").waitFor();
  await check(page, "two-factor-recovery-codes");
  await navigate(page, page.getByRole("link", { name: "J’ai noté mes codes, continuer" }));
  assert.equal(pathOf(page), "/");
  await page.goto("/double-authentification");
  await page.getByText(/Il vous reste 10 codes de secours/).waitFor();
  assert.equal(await page.locator("#recovery-codes").count(), 0, "the codes are never shown again");
  await signOut(page);

  // Sign in: the password, then the code page; nothing else is reachable meanwhile.
  res = await signIn(page, accounts.intervenant);
  assert.equal(pathOf(page), "/connexion/code");
  assert.equal(await page.title(), "Code de vérification – Allervers");
  await page.getByText(accounts.intervenant).waitFor();
  assert.equal(await page.locator(".main-nav").count(), 0, "no menu before the second factor");
  await check(page, "two-factor-code");
  await page.goto("/agenda");
  assert.equal(pathOf(page), "/connexion/code", "a half-signed-in session opens no other page");

  // The code already used at enrolment: refused, with a clear message.
  await codeField(page).fill(enrolmentCode);
  res = await submit(page, "Valider");
  assert.equal(res.status(), 401);
  await page.locator(".error-summary").getByText(/déjà servi/).waitFor();
  await page.getByText(accounts.intervenant).waitFor();
  assert.equal(await codeField(page).inputValue(), "", "a refused code is not kept");
  await check(page, "two-factor-code-reused");

  await codeField(page).fill(wrongCode(secret));
  res = await submit(page, "Valider");
  assert.equal(res.status(), 401);
  await page.locator(".error-summary").getByText(/incorrect/).waitFor();
  assert.match(await page.title(), /^Erreur : Code de vérification/);
  await check(page, "two-factor-code-wrong");

  for (const [bad, pattern] of [["", /Saisissez le code/], ["abc", /6 chiffres/], ["1234567", /6 chiffres/], ["12 34 56 78", /6 chiffres/]]) {
    await codeField(page).fill(bad);
    res = await submit(page, "Valider");
    assert.equal(res.status(), 422, `« ${bad} »`);
    await page.locator(".error-summary").getByText(pattern).waitFor();
  }
  await page.locator(".error-summary a").first().click();
  assert.equal(await focusedId(page), "f-code", "the error summary links to the field");

  await codeField(page).fill(nextCode(secret));
  res = await submit(page, "Valider");
  assert.equal(res.status(), 200);
  assert.equal(pathOf(page), "/");
  await page.getByRole("heading", { level: 1, name: `Bonjour ${displayNames.intervenant}` }).waitFor();
  await signOut(page);

  // A recovery code, typed in capitals: signed in, told how many remain; it serves once.
  await signIn(page, accounts.intervenant);
  await codeField(page).fill(codes[0].toUpperCase());
  res = await submit(page, "Valider");
  assert.equal(res.status(), 200);
  assert.equal(pathOf(page), "/double-authentification");
  await page.getByRole("status").getByText(/code de secours/).waitFor();
  await page.getByText(/Il vous reste 9 codes de secours/).waitFor();
  await check(page, "two-factor-status");
  await signOut(page);
  await signIn(page, accounts.intervenant);
  await codeField(page).fill(codes[0]);
  res = await submit(page, "Valider");
  assert.equal(res.status(), 401, "a recovery code serves once");
  // Sign-out from the code page ends the half-signed-in session.
  await submit(page, "Annuler et se déconnecter");
  assert.equal(pathOf(page), "/connexion");
  await page.goto("/connexion/code");
  assert.equal(pathOf(page), "/connexion");
  await context.close();
});

test("the keyboard alone enrols and signs in with a code", async () => {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.coordinateur);
  await page.goto("/double-authentification");
  const secret = await readSecret(page);
  const tabTo = async (id) => {
    for (let i = 0; i < 40 && (await focusedId(page)) !== id; i += 1) await page.keyboard.press("Tab");
    assert.equal(await focusedId(page), id, `Tab reaches #${id}`);
  };
  await tabTo("f-code");
  await page.keyboard.type(totp(secret, currentStep()));
  await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(await page.locator("#recovery-codes li").count(), 10);
  const link = page.getByRole("link", { name: "J’ai noté mes codes, continuer" });
  for (let i = 0; i < 60 && !(await link.evaluate((el) => el === document.activeElement)); i += 1) await page.keyboard.press("Tab");
  await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(pathOf(page), "/");
  await signOut(page);

  await page.goto("/connexion");
  await tabTo("f-email");
  await page.keyboard.type(accounts.coordinateur);
  await page.keyboard.press("Tab");
  await page.keyboard.type("visite-a-domicile-95");
  await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(pathOf(page), "/connexion/code");
  await tabTo("f-code");
  await page.keyboard.type(nextCode(secret));
  await navigate(page, () => page.keyboard.press("Enter"));
  assert.equal(pathOf(page), "/");
  await context.close();
});

test("when mandatory, an account that sees persons enrols before anything else; the pilote does not", async () => {
  const set = (value) => env.server.cli(["setting", "set", "security.totp_required", value]);
  set("1");
  try {
    const { context, page } = await newPage(env.browser, env.server.baseUrl);
    await signIn(page, accounts.prescripteur);
    assert.equal(pathOf(page), "/double-authentification");
    await page.getByText(/obligatoire pour votre compte/).waitFor();
    assert.equal(await page.locator(".main-nav").count(), 0);
    await check(page, "two-factor-mandatory");
    for (const path of ["/", "/fiches", "/connexion/code", "/mot-de-passe"]) {
      await page.goto(path);
      assert.equal(pathOf(page), "/double-authentification", `${path} waits for the enrolment`);
    }
    await enrol(page, { label: "mandatory" });
    await navigate(page, page.getByRole("link", { name: "J’ai noté mes codes, continuer" }));
    assert.equal(pathOf(page), "/");
    await page.locator(".main-nav").waitFor();
    await context.close();

    const pilote = await newPage(env.browser, env.server.baseUrl);
    await signIn(pilote.page, accounts.pilote);
    assert.equal(pathOf(pilote.page), "/", "the pilote sees aggregates only: no second factor required");
    await pilote.context.close();
  } finally {
    set("0");
  }
});

test("the administrator resets an account's second factor, with confirmation, and it enrols anew", async () => {
  // The intervenant enrolled in the first test.
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  await signIn(page, accounts.admin);
  await navigate(page, page.locator(".main-nav").getByRole("link", { name: "Comptes" }));
  await navigate(page, page.getByRole("link", { name: new RegExp(displayNames.intervenant) }).first());
  await page.getByRole("heading", { name: "Double authentification" }).waitFor();
  let dialog = null;
  page.once("dialog", (d) => {
    dialog = d.message();
    return d.dismiss();
  });
  await page.getByRole("button", { name: "Réinitialiser la double authentification" }).click();
  assert.match(dialog ?? "", /Réinitialiser la double authentification/);
  assert.ok(pathOf(page).startsWith("/admin/utilisateurs/"), "dismissed: nothing sent");
  page.once("dialog", (d) => d.accept());
  await submit(page, "Réinitialiser la double authentification");
  await page.getByRole("status").getByText(/réinitialisée/).waitFor();
  await page.getByText("Ce compte n’a pas encore activé la double authentification.").waitFor();
  await check(page, "two-factor-admin-reset");
  await navigate(page, page.locator(".main-nav").getByRole("link", { name: "Journal d’audit" }));
  await page.getByText("Réinitialisation de la double authentification").first().waitFor();
  await page.getByText("two_factor.reset", { exact: true }).first().waitFor();
  await context.close();

  const user = await newPage(env.browser, env.server.baseUrl);
  await signIn(user.page, accounts.intervenant);
  assert.equal(pathOf(user.page), "/", "no second factor any more (not mandatory in the demo)");
  await user.context.close();
});
