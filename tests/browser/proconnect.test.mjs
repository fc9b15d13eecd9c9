// Sign-in with ProConnect (issue 7 §2), against a real OpenID Connect provider running here
// (npm's oidc-provider, tests/browser/support/oidc.mjs): the button on the sign-in page, the
// round trip (authorization code, PKCE, state, nonce), the e-mail matched to an existing account
// and never a new one, the provider's logout; and the sign-ins that must fail: a forged
// signature, another audience, an expired token, a nonce already used, a replayed answer, and a
// key rotated by the provider, which must be followed rather than refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, launchBrowser, newPage, check, screenshot, expectNoAxeViolations, pathOf, focusedId, accounts, displayNames } from "./support/harness.mjs";
import { startProvider, clientId, clientSecret } from "./support/oidc.mjs";

const env = { server: null, browser: null, provider: null, firstSignInAt: 0 };

before(async () => {
  // The provider needs the server's address (its redirect URI), the server the provider's: the
  // provider starts once the server's port is chosen, before the server itself.
  env.server = await startServer({
    env: async (baseUrl) => {
      env.provider = await startProvider(baseUrl);
      return {
        ALLERVERS_PROCONNECT_ISSUER: env.provider.issuer,
        ALLERVERS_PROCONNECT_CLIENT_ID: clientId,
        ALLERVERS_PROCONNECT_CLIENT_SECRET: clientSecret,
        ALLERVERS_PUBLIC_URL: baseUrl,
      };
    },
  });
  env.browser = await launchBrowser();
});

after(async () => {
  try {
    await env.browser?.close();
  } finally {
    try {
      await env.server?.stop();
    } finally {
      await env.provider?.stop();
    }
  }
});

const ourOrigin = () => new URL(env.server.baseUrl).origin;

/** A fresh page that records every 5xx of our server (the provider's pages are not ours to check). */
async function freshPage() {
  const { context, page } = await newPage(env.browser, env.server.baseUrl);
  const serverErrors = [];
  page.on("response", (res) => {
    if (res.url().startsWith(ourOrigin()) && res.status() >= 500) serverErrors.push(`${res.status()} ${res.url()}`);
  });
  return { context, page, serverErrors };
}

/**
 * From our sign-in page through the provider's: its login (any password: the account is the
 * e-mail typed) and consent pages. Returns the response of our callback.
 */
async function throughProvider(page, email) {
  await page.goto("/connexion");
  await page.getByRole("link", { name: "S’identifier avec ProConnect" }).click();
  await page.waitForURL((url) => url.origin === env.provider.issuer);
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill("mot-de-passe-chez-le-fournisseur");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const callback = page.waitForResponse((res) => res.url().startsWith(`${ourOrigin()}/connexion/proconnect/retour`));
  await page.getByRole("button", { name: "Continue" }).click();
  const answer = await callback;
  await page.waitForLoadState("load");
  if (!env.firstSignInAt) env.firstSignInAt = Date.now();
  return answer;
}

async function expectSignedOut(page) {
  await page.goto("/");
  assert.equal(pathOf(page), "/connexion", "no session was opened");
}

test("the sign-in page offers ProConnect, with the keyboard too", async () => {
  const { context, page } = await freshPage();
  await page.goto("/connexion");
  const button = page.getByRole("link", { name: "S’identifier avec ProConnect" });
  assert.ok(await button.isVisible());
  assert.match(await page.locator(".sign-in-provider").innerText(), /même adresse e-mail/);
  await check(page, "proconnect-sign-in-page");
  // The ProConnect button is the first control after the header's links.
  for (let i = 0; i < 12 && (await focusedId(page)) !== "f-proconnect"; i += 1) await page.keyboard.press("Tab");
  assert.equal(await focusedId(page), "f-proconnect");
  await Promise.all([page.waitForURL((url) => url.origin === env.provider.issuer), page.keyboard.press("Enter")]);
  const url = new URL(page.url());
  assert.ok(url.pathname.startsWith("/interaction/"), "the provider's login page");
  await context.close();
});

test("an agent signs in with ProConnect, is matched by e-mail, and signs out of both", async () => {
  const { context, page, serverErrors } = await freshPage();
  const authorize = page.waitForRequest((req) => req.url().startsWith(`${env.provider.issuer}/auth`));
  const answer = await throughProvider(page, accounts.intervenant);
  const asked = new URL((await authorize).url());
  assert.equal(asked.searchParams.get("client_id"), clientId);
  assert.equal(asked.searchParams.get("code_challenge_method"), "S256");
  assert.match(asked.searchParams.get("code_challenge"), /^[A-Za-z0-9_-]{43}$/);
  assert.ok(asked.searchParams.get("state").length >= 40 && asked.searchParams.get("nonce").length >= 40);
  assert.equal(answer.status(), 303);
  assert.equal(pathOf(page), "/");
  assert.match(await page.locator("body").innerText(), new RegExp(displayNames.intervenant));
  await expectNoAxeViolations(page, "proconnect-home");
  await screenshot(page, "proconnect-home");

  // The same answer again, in another browser: the sign-in it belonged to is spent.
  const other = await freshPage();
  const replay = await other.page.goto(answer.url());
  assert.equal(replay.status(), 400);
  assert.match(await other.page.locator(".field-error").innerText(), /n’a pas abouti/);
  await expectSignedOut(other.page);
  await other.context.close();

  // Signing out ends the provider's session too, then comes back to our sign-in page.
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.waitForURL((url) => url.origin === env.provider.issuer);
  assert.ok(new URL(page.url()).pathname.startsWith("/session/end"));
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await page.waitForURL((url) => url.origin === ourOrigin() && url.pathname === "/connexion");
  await expectSignedOut(page);
  assert.deepEqual(serverErrors, []);
  await context.close();
});

test("an identity without an active account is refused, and no account is created", async () => {
  const { context, page, serverErrors } = await freshPage();
  const answer = await throughProvider(page, "inconnue@administration.example");
  assert.equal(answer.status(), 403);
  const message = await page.locator(".field-error").innerText();
  assert.match(message, /inconnue@administration\.example/);
  assert.match(message, /aucun compte Allervers actif/);
  await expectNoAxeViolations(page, "proconnect-no-account");
  await screenshot(page, "proconnect-no-account");
  await expectSignedOut(page);
  const users = env.server.cli(["user", "list"]);
  assert.doesNotMatch(users, /inconnue@administration/);
  assert.deepEqual(serverErrors, []);
  await context.close();
});

for (const [mode, label] of [
  ["forged-signature", "a forged signature"],
  ["wrong-audience", "a token for another application"],
  ["expired", "an expired token"],
  ["replayed-nonce", "a token of an earlier sign-in (its nonce)"],
]) {
  test(`${label} is refused`, async () => {
    const { context, page, serverErrors } = await freshPage();
    await env.provider.setTamper(mode);
    const answer = await throughProvider(page, accounts.intervenant);
    assert.equal(answer.status(), 400, mode);
    assert.match(await page.locator(".field-error").innerText(), /n’a pas abouti/);
    await expectSignedOut(page);
    assert.deepEqual(serverErrors, []);
    await context.close();
  });
}

test("a key rotated by the provider is fetched and accepted", async () => {
  // The key set is read again at most every 5 s: past that since the first sign-in.
  const wait = env.firstSignInAt + 5500 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const { context, page, serverErrors } = await freshPage();
  await env.provider.setTamper("rotated-key");
  const answer = await throughProvider(page, accounts.coordinateur);
  assert.equal(answer.status(), 303);
  assert.equal(pathOf(page), "/");
  assert.match(await page.locator("body").innerText(), new RegExp(displayNames.coordinateur));
  assert.deepEqual(serverErrors, []);
  await context.close();
});

test("when two-factor sign-in is mandatory, ProConnect without a second factor leads to it", async () => {
  env.server.cli(["setting", "set", "security.totp_required", "1"]);
  try {
    const { context, page } = await freshPage();
    await throughProvider(page, accounts.intervenant);
    assert.equal(pathOf(page), "/double-authentification");
    await context.close();
  } finally {
    env.server.cli(["setting", "set", "security.totp_required", "0"]);
  }
});

test("the administrator's audit trail says which check refused each sign-in", async () => {
  const { context, page } = await freshPage();
  await page.goto("/connexion");
  await page.getByLabel("Adresse e-mail professionnelle").fill(accounts.admin);
  await page.getByLabel("Mot de passe", { exact: true }).fill("visite-a-domicile-95");
  await Promise.all([page.waitForURL("**/"), page.getByRole("button", { name: "Se connecter" }).click()]);
  await page.goto("/admin/journal");
  const journal = await page.locator("main").innerText();
  for (const check of ["bad_signature", "wrong_audience", "expired", "nonce_mismatch", "unknown_account"]) {
    assert.match(journal, new RegExp(check), check);
  }
  assert.doesNotMatch(journal, /eyJ/, "no token in the audit trail");
  assert.doesNotMatch(journal, /inconnue@administration/, "no e-mail in the audit trail");
  await context.close();
});
