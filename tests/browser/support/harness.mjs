// Browser-test harness: a real Allervers server on a temporary SQLite database, driven by
// Debian's Chromium through playwright-core, with axe-core on every page visited.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import net from "node:net";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
export const binary = process.env.ALLERVERS_BIN || path.join(repo, "build/allervers");
export const screenshotDir = process.env.ALLERVERS_SCREENSHOTS || path.join(repo, "build/screenshots");
export const demoPassword = "visite-a-domicile-95";

export const accounts = {
  admin: "admin@allervers.example",
  coordinateur: "coordination@emn-cergy.example",
  intervenant: "yanis.benali@emn-cergy.example",
  prescripteur: "as.cergy@ssd95.example",
  pilote: "responsable.territoire@ssd95.example",
};

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
  const result = spawnSync(binary, ["--database", dbUrl, ...args], {
    env: { ...process.env, ALLERVERS_FAST_PASSWORD_HASHING: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`allervers ${args.join(" ")} failed: ${result.stderr}`);
  }
  return result.stdout;
}

/** Starts a server with demo data; returns { baseUrl, stop }. */
export async function startServer() {
  const dir = mkdtempSync(path.join(tmpdir(), "allervers-browser-"));
  const dbUrl = `sqlite:${path.join(dir, "browser.db")}`;
  cli(dbUrl, ["migrate"]);
  cli(dbUrl, ["demo"]);
  const port = await freePort();
  const child = spawn(binary, ["--database", dbUrl, "--listen", `127.0.0.1:${port}`, "--log-level", "warn", "serve"], {
    env: { ...process.env, ALLERVERS_FAST_PASSWORD_HASHING: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`server did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    baseUrl,
    dbUrl,
    cli: (args) => cli(dbUrl, args),
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
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

export async function newPage(browser, baseUrl) {
  const context = await browser.newContext({ baseURL: baseUrl, locale: "fr-FR", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { context, page };
}

export async function signIn(page, email, password = demoPassword) {
  await page.goto("/connexion");
  await page.getByLabel("Adresse e-mail professionnelle").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Se connecter" }).click()]);
}

export async function signOut(page) {
  await Promise.all([page.waitForURL(/\/connexion/), page.getByRole("button", { name: "Se déconnecter" }).click()]);
}

/** Zero axe violations (WCAG 2.1 A and AA) on the page as it is now. */
export async function expectNoAxeViolations(page, label) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const report = results.violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary}`).join("\n"))
    .join("\n");
  assert.equal(results.violations.length, 0, `axe violations on ${label}:\n${report}`);
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Checks a page state: axe clean, then a screenshot. */
export async function check(page, name) {
  await expectNoAxeViolations(page, name);
  await screenshot(page, name);
}
