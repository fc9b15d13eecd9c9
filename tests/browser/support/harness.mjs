// Browser-test harness: a real Allervers server on a temporary SQLite database, driven by
// Debian's Chromium through playwright-core, with axe-core on every page state visited.
//
// Each test file runs in its own process (node --test), starts its own server with fresh demo data
// and stops it in an `after` hook, so files never share state.
//
// Environment: ALLERVERS_BIN (default build/allervers), ALLERVERS_SCREENSHOTS (default
// build/screenshots), ALLERVERS_BROWSER_TIMING=1 to print how long each axe run and screenshot took.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import net from "node:net";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const binary = path.resolve(process.env.ALLERVERS_BIN || path.join(repo, "build/allervers"));
export const screenshotDir = path.resolve(process.env.ALLERVERS_SCREENSHOTS || path.join(repo, "build/screenshots"));
export const demoPassword = "visite-a-domicile-95";

/** One demo account per role, and the name the application greets it with. */
export const accounts = {
  admin: "admin@allervers.example",
  coordinateur: "coordination@emn-cergy.example",
  intervenant: "yanis.benali@emn-cergy.example",
  prescripteur: "as.cergy@ssd95.example",
  pilote: "responsable.territoire@ssd95.example",
};

export const displayNames = {
  admin: "Sofiane Admin",
  coordinateur: "Claire Lefèvre",
  intervenant: "Yanis Benali",
  prescripteur: "Nadia Ouedraogo",
  pilote: "Hélène Garnier",
};

const serverEnv = { ...process.env, ALLERVERS_FAST_PASSWORD_HASHING: "1" };

// Servers still running when the process exits (a crash, an uncaught error): killed, never orphaned.
const running = new Set();
process.on("exit", () => {
  for (const stop of running) stop();
});

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function cli(dbUrl, args) {
  const result = spawnSync(binary, ["--database", dbUrl, ...args], { env: serverEnv, encoding: "utf8", timeout: 60000 });
  if (result.error) {
    throw new Error(`cannot run ${binary} ${args.join(" ")}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`allervers ${args.join(" ")} exited with ${result.status ?? result.signal}:\n${result.stderr}`);
  }
  return result.stdout;
}

function tail(text, lines = 40) {
  return text.split("\n").slice(-lines).join("\n");
}

/**
 * Starts a server with demo data on a free port; returns { baseUrl, dbUrl, cli, stop }.
 * `env(baseUrl)` gives (or promises) more environment variables for the server, once its address
 * is known and before it starts (ProConnect's settings: tests/browser/proconnect.test.mjs).
 * stop() kills the server and removes its temporary directory; it throws if the server had died
 * on its own (a crash is a failure even when every page looked fine).
 */
export async function startServer({ env = () => ({}) } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "allervers-browser-"));
  const dbUrl = `sqlite:${path.join(dir, "browser.db")}`;
  let child = null;
  let stderr = "";
  let stopping = false;
  const killNow = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(killNow);
  try {
    cli(dbUrl, ["migrate"]);
    cli(dbUrl, ["demo"]);
    const port = await freePort();
    child = spawn(binary, ["--database", dbUrl, "--listen", `127.0.0.1:${port}`, "--log-level", "warn", "serve"], {
      env: { ...serverEnv, ...(await env(`http://127.0.0.1:${port}`)) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const baseUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15000;
    for (;;) {
      try {
        const res = await fetch(`${baseUrl}/readyz`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before answering /readyz:\n${tail(stderr)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`the server did not answer /readyz within 15 s:\n${tail(stderr)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      baseUrl,
      dbUrl,
      cli: (args) => cli(dbUrl, args),
      get stderr() {
        return stderr;
      },
      async stop() {
        if (stopping) return;
        stopping = true;
        const diedEarly = child.exitCode !== null || child.signalCode !== null;
        if (!diedEarly) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          const { code } = await exited;
          clearTimeout(timer);
          // The server of `make test` is the ASan/UBSan build: a memory error or a leak found
          // while it served these pages fails the file, with the sanitizer's report.
          if (code !== 0 && /Sanitizer/.test(stderr)) {
            running.delete(killNow);
            rmSync(dir, { recursive: true, force: true });
            throw new Error(`the server's sanitizer reported an error (exit ${code}):\n${tail(stderr, 120)}`);
          }
        }
        running.delete(killNow);
        rmSync(dir, { recursive: true, force: true });
        if (diedEarly) {
          throw new Error(`the server died during the tests (${child.exitCode ?? child.signalCode}):\n${tail(stderr)}`);
        }
      },
    };
  } catch (error) {
    killNow();
    running.delete(killNow);
    throw error;
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Starts the server and the browser for one test file and stops both in `after`, even when a test
 * or the start itself failed. Returns an object whose `server` and `browser` are set by `before`.
 */
export function useServerAndBrowser({ before, after }) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    try {
      await env.browser?.close();
    } finally {
      await env.server?.stop();
    }
  });
  return env;
}

// What went wrong in a page besides its HTML: script errors, CSP refusals, server errors.
const problems = new WeakMap();
const expectedConsoleNoise = /Failed to load resource: the server responded with a status of 4\d\d/;

/** A fresh browser context (no cookies) and a page in it, watched for script and server errors. */
export async function newPage(browser, baseUrl, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ baseURL: baseUrl, locale: "fr-FR", timezoneId: "Europe/Paris", viewport });
  // A missing element fails in seconds, not after Playwright's default 30 s.
  context.setDefaultTimeout(10000);
  context.setDefaultNavigationTimeout(15000);
  const page = await context.newPage();
  const list = [];
  problems.set(page, list);
  page.on("console", (msg) => {
    if (msg.type() === "error" && !expectedConsoleNoise.test(msg.text())) list.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (error) => list.push(`script error: ${error.message}`));
  page.on("response", (res) => {
    if (res.status() >= 500) list.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  return { context, page };
}

/** No script error, CSP refusal or 5xx so far in this page. */
export function expectNoPageProblems(page, label) {
  const list = problems.get(page) ?? [];
  assert.deepEqual(list, [], `problems on ${label}:\n  ${list.join("\n  ")}`);
}

/**
 * Runs `action` (a function, or a locator to click) and waits for the navigation it causes
 * (form posts, redirects). Returns the final response, whose status the caller can check.
 */
export async function navigate(page, action) {
  const act = typeof action === "function" ? action : () => action.click();
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), act()]);
  return response;
}

/** Clicks the button named `name` and waits for the page it leads to. */
export function submit(page, name) {
  return navigate(page, page.getByRole("button", { name, exact: true }));
}

/** Signs in through the form; returns the final response (after the redirect). */
export async function signIn(page, email, password = demoPassword) {
  await page.goto("/connexion");
  await page.getByLabel("Adresse e-mail professionnelle").fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  return submit(page, "Se connecter");
}

export async function signOut(page) {
  return submit(page, "Se déconnecter");
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/**
 * Zero axe violations (WCAG 2.0 and 2.1, levels A and AA) on the page as it is now.
 * Legacy mode runs axe in the page itself instead of finishing the run in a new blank page: half
 * the time, and nothing lost since the strict CSP allows no frames.
 */
export async function expectNoAxeViolations(page, label) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .setLegacyMode(true)
    .analyze();
  const report = results.violations
    .map(
      (v) =>
        `• ${v.id} [${v.impact}] ${v.help}\n  ${v.helpUrl}\n` +
        v.nodes
          .map((n) => `    at ${n.target.join(" ")}\n      ${n.html.slice(0, 200)}\n      ${n.failureSummary.replace(/\n/g, "\n      ")}`)
          .join("\n"),
    )
    .join("\n");
  assert.equal(results.violations.length, 0, `axe: ${results.violations.length} violation(s) on ${label} (${page.url()}):\n${report}`);
}

const shotsTaken = new Set();

/** A full-page PNG in ALLERVERS_SCREENSHOTS; each name once per file, so none is overwritten by mistake. */
export async function screenshot(page, name) {
  assert.ok(/^[a-z0-9-]+$/.test(name), `screenshot name ${name}: lower-case letters, digits and dashes`);
  assert.ok(!shotsTaken.has(name), `screenshot ${name} taken twice`);
  shotsTaken.add(name);
  // `make test` leaves them out (ALLERVERS_NO_SCREENSHOTS=1, tools/run_tests.sh): nobody looks
  // at them there, and they cost a tenth of the browser suite's time.
  if (process.env.ALLERVERS_NO_SCREENSHOTS === "1") return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Checks a page state: no script/CSP/server error, zero axe violations, then a screenshot. */
export async function check(page, name) {
  const start = performance.now();
  expectNoPageProblems(page, name);
  await expectNoAxeViolations(page, name);
  const axeDone = performance.now();
  await screenshot(page, name);
  if (process.env.ALLERVERS_BROWSER_TIMING) {
    const ms = (t) => Math.round(t);
    process.stderr.write(`check ${name}: axe ${ms(axeDone - start)} ms, screenshot ${ms(performance.now() - axeDone)} ms\n`);
  }
}

/** The id of the focused element ("" when none has one). */
export function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id ?? "");
}
