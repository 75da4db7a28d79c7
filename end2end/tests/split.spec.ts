// The WASM is split per route (`cargo leptos build --release --split`): the main bundle
// holds the shell, the router, the landing page and the not-found page; every other page
// (sign-in and sign-up included) loads its chunks (listed per lazy route in the split
// manifest) when it is first shown.
//
// These tests check, in a real browser, that every page a visitor can land on loads
// only existing, hashed, precompressed, year-long-cached files and hydrates; that moving
// between pages afterwards fetches exactly the chunks the next page needs and no others;
// and they print the first-load WASM of every entry page (bytes on the wire).
import { expect, test, type BrowserContext, type Page, type Response } from "@playwright/test";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { waitForHydration } from "./helpers";

const DEMO_PASSWORD = "badgefolio-demo";
/** The first-load budget of issue 7: WASM bytes on the wire before a page is interactive. */
const BUDGET = 200 * 1024;

const pkgDir = path.resolve(process.env.BADGEFOLIO_SITE_ROOT ?? "../target/site", "pkg");

/** Lazy function name → chunk files (`chunk_N.<hash>.wasm`), from the build's manifest. */
function manifest(): Map<string, string[]> {
  const file = fs.readdirSync(pkgDir).find((f) => /^__wasm_split_manifest\..*\.json$/.test(f));
  expect(file, `no split manifest in ${pkgDir}: build with --split`).toBeTruthy();
  const json = JSON.parse(fs.readFileSync(path.join(pkgDir, file!), "utf8")) as Record<string, string[]>;
  return new Map(Object.entries(json).map(([k, v]) => [k, v.map((c) => `${c}.wasm`)]));
}

/** The chunks a lazy route (`PortfolioRoute` → `__portfolio_route_view_…`) needs. */
function chunksOf(m: Map<string, string[]>, route: string | null): string[] {
  if (route === null) return [];
  const snake = route.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  const key = [...m.keys()].find((k) => k.startsWith(`__${snake}_view_`));
  expect(key, `no manifest entry for ${route}`).toBeTruthy();
  return m.get(key!)!;
}

type Seen = { file: string; status: number; headers: Record<string, string>; bytes: number };

/** Records every `/pkg` response of the page. */
function watch(page: Page): Seen[] {
  const seen: Seen[] = [];
  page.on("response", (r: Response) => {
    const p = new URL(r.url()).pathname;
    if (!p.startsWith("/pkg/")) return;
    const headers = r.headers();
    seen.push({ file: p.slice(5), status: r.status(), headers, bytes: Number(headers["content-length"] ?? "0") });
  });
  return seen;
}

/** Year-long caching only for a file whose name carries the MD5 of its content (see
 * server/src/routes/assets.rs: with --split some names are made before the content). */
function cacheControl(file: string): string {
  const hash = file.split(".").slice(-2, -1)[0];
  const md5 = crypto.createHash("md5").update(fs.readFileSync(path.join(pkgDir, file))).digest("base64url");
  return hash === md5 ? "public, max-age=31536000, immutable" : "no-cache";
}

const wasm = (seen: Seen[]) => seen.filter((s) => s.file.endsWith(".wasm"));
const isMain = (f: string) => /^badgefolio\.[A-Za-z0-9_-]{16,}\.wasm$/.test(f);

async function signIn(page: Page, email: string) {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
}

// Entry pages: path, the lazy route that shows it (null: in the main bundle), who visits.
const ENTRY_PAGES: [string, string | null, string | null][] = [
  ["/", null, null],
  ["/signin", "SignInRoute", null],
  ["/signup", "SignUpRoute", null],
  ["/programs", "ProgramsRoute", null],
  ["/programs/data-literacy", "ProgramRoute", null],
  ["/forgot", "ForgotRoute", null],
  ["/portfolio", "PortfolioRoute", "ada@example.org"],
  ["/p/ada", "PublicProfileRoute", null],
  ["/settings", "SettingsRoute", "ada@example.org"],
  ["/manage", "ManageOverviewRoute", "admin@example.edu"],
  ["/manage/demo", "ManageInstitutionRoute", "admin@example.edu"],
  ["/admin/outbox", "OutboxRoute", "admin@example.edu"],
];

test("every entry page loads only existing, hashed, precompressed, cached files and exactly its chunks", async ({ browser }) => {
  test.setTimeout(180_000);
  const m = manifest();
  const report: string[] = [];
  // One sign-in per user (sign-in attempts are rate limited per client address): later
  // contexts start from its cookies, each with an empty browser cache.
  const sessions = new Map<string, Awaited<ReturnType<BrowserContext["storageState"]>>>();
  for (const [url, route, user] of ENTRY_PAGES) {
    if (user && !sessions.has(user)) {
      const context = await browser.newContext();
      await signIn(await context.newPage(), user);
      sessions.set(user, await context.storageState());
      await context.close();
    }
    const context = await browser.newContext(user ? { storageState: sessions.get(user) } : {});
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(msg.text());
    });
    const seen = watch(page);
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(200);
    await waitForHydration(page);
    await page.waitForLoadState("networkidle");
    for (const s of seen) {
      expect(s.status, `${url}: ${s.file}`).toBe(200);
      expect(s.file, url).toMatch(/\.[A-Za-z0-9_-]{16,}\.(js|wasm|css)$/);
      expect(s.headers["cache-control"], `${url}: ${s.file}`).toBe(cacheControl(s.file));
    }
    const fetched = wasm(seen).map((s) => s.file).filter((f) => !isMain(f));
    // Each chunk downloaded once: the page's preload and the loader's fetch share it.
    expect(fetched.length, `${url}: a chunk fetched twice`).toBe(new Set(fetched).size);
    expect(fetched.sort(), url).toEqual([...chunksOf(m, route)].sort());
    // First-load WASM on the wire: the main bundle and the page's chunks, brotli.
    const files = [fs.readdirSync(pkgDir).find(isMain)!, ...chunksOf(m, route)];
    const br = files.reduce((n, f) => n + fs.statSync(path.join(pkgDir, `${f}.br`)).size, 0);
    const raw = files.reduce((n, f) => n + fs.statSync(path.join(pkgDir, f)).size, 0);
    report.push(`first-load: ${url}: ${files.length} WASM files, ${raw} B raw, ${br} B brotli${br > BUDGET ? " (OVER the 200 KB budget)" : ""}`);
    expect(problems, url).toEqual([]);
    await context.close();
  }
  console.log(report.join("\n"));
});

test("moving between pages after the first load fetches exactly the chunks each page needs", async ({ page }) => {
  test.setTimeout(120_000);
  const m = manifest();
  const seen = watch(page);
  await page.goto("/");
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");
  const loaded = new Set(wasm(seen).map((s) => s.file));
  expect([...loaded].every(isMain), [...loaded].join(", ")).toBe(true);

  // Each step: a client-side navigation, then the chunks fetched must be exactly those
  // of the new page not loaded before (none for a page in the main bundle).
  // `go` ends when the new page's own content shows: a lazy page renders only once its
  // chunks are in. A short pause then lets any stray fetch show up.
  const step = async (route: string | null, go: () => Promise<void>) => {
    const before = seen.length;
    await go();
    await page.waitForTimeout(500);
    const fetched = wasm(seen.slice(before)).map((s) => s.file).sort();
    const needed = chunksOf(m, route).filter((c) => !loaded.has(c)).sort();
    expect(fetched, `${route}`).toEqual(needed);
    for (const s of seen.slice(before)) {
      expect(s.status, s.file).toBe(200);
      expect(s.headers["cache-control"], s.file).toBe(cacheControl(s.file));
    }
    fetched.forEach((f) => loaded.add(f));
  };
  await step("SignInRoute", async () => {
    await page.getByRole("link", { name: "Sign in" }).first().click();
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  });
  await step("ProgramsRoute", async () => {
    await page.getByRole("link", { name: "Programs" }).first().click();
    await expect(page).toHaveURL(/\/programs$/);
    await expect(page.getByRole("heading", { name: "Micro-credential programs" })).toBeVisible();
  });
  await step("SignInRoute", async () => {
    await page.getByRole("link", { name: "Sign in" }).first().click();
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  });
  await step("PortfolioRoute", async () => {
    await page.getByLabel("Email address").fill("issuer@example.edu");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/portfolio$/);
    await expect(page.getByRole("heading", { name: "My portfolio" })).toBeVisible();
  });
  await step("ManageOverviewRoute", async () => {
    await page.getByRole("link", { name: "Manage" }).first().click();
    await expect(page).toHaveURL(/\/manage$/);
    await expect(page.getByRole("heading", { name: "Institutions you manage" })).toBeVisible();
  });
  await step("ProgramsRoute", async () => {
    await page.getByRole("link", { name: "Programs" }).first().click();
    await expect(page).toHaveURL(/\/programs$/);
    await expect(page.getByRole("heading", { name: "Micro-credential programs" })).toBeVisible();
  });
  await step("SettingsRoute", async () => {
    await page.getByRole("link", { name: /Account settings for/ }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole("heading", { name: "Account settings" })).toBeVisible();
  });
  // Back to a page seen before: nothing more to fetch.
  await step("ManageOverviewRoute", async () => {
    await page.getByRole("link", { name: "Manage" }).first().click();
    await expect(page).toHaveURL(/\/manage$/);
    await expect(page.getByRole("heading", { name: "Institutions you manage" })).toBeVisible();
  });
});
