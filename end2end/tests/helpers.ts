import http from "node:http";
import type { AddressInfo } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** A unique email for a test run, so tests never collide. */
export function freshEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
}

/** What each page reported that could stop hydration, kept from its first wait on. */
const reports = new WeakMap<Page, string[]>();

function watch(page: Page): string[] {
  let seen = reports.get(page);
  if (!seen) {
    const list: string[] = [];
    page.on("pageerror", (e) => list.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error") list.push(`console error: ${m.text()}`);
    });
    page.on("requestfailed", (r) => list.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    reports.set(page, list);
    seen = list;
  }
  return seen;
}

/** Waits until the WASM app has hydrated (the button is interactive, not a plain form post).
 *  When it does not, the error says what the page reported (errors, failed requests). */
export async function waitForHydration(page: Page): Promise<void> {
  const seen = watch(page);
  try {
    await page.waitForSelector("html[data-hydrated]", { state: "attached", timeout: 15_000 });
  } catch (e) {
    const said = seen.slice(-20).join("\n") || "(nothing)";
    throw new Error(`${(e as Error).message}\nWhat the page reported:\n${said}`);
  }
}

/** The demo accounts' password (`seed-demo`). */
export const DEMO_PASSWORD = "badgefolio-demo";

/** Signs in through the form and waits for the portfolio. */
export async function signIn(page: Page, email: string, password: string = DEMO_PASSWORD): Promise<void> {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
}

/** Signs the demo learner Ada in. */
export async function signInAda(page: Page): Promise<void> {
  await signIn(page, "ada@example.org");
}

/** Signs up through the form and waits for the portfolio. */
export async function signUp(page: Page, name: string, email: string, password: string) {
  await page.goto("/signup");
  await waitForHydration(page);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
}

/** An axe scan (WCAG 2.2 AA tags) that fails on any serious or critical violation. `legacy`
 *  runs axe inside the page (its frames included) without opening a helper page, which
 *  fails beside sandboxed preview frames such as the share panel's. */
export async function axeScan(page: Page, opts: { legacy?: boolean } = {}): Promise<void> {
  const results = await new AxeBuilder({ page })
    .setLegacyMode(opts.legacy ?? false)
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** A tiny web server on another port of this machine: a page on another origin (another
 *  site's, an ePortfolio's), serving whatever HTML it was last given. */
export async function otherOrigin(
  html = "",
): Promise<{ origin: string; serve: (html: string) => void; close: () => Promise<void> }> {
  let body = html;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    serve: (next) => {
      body = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
