import { expect, test } from "@playwright/test";
import { axeScan } from "./helpers";

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the landing page renders fully", async ({ page }) => {
    const res = await page.goto("/");
    expect(res?.status()).toBe(200);
    await expect(
      page.getByRole("heading", { name: "Micro-credentials you own, badges anyone can verify" }),
    ).toBeVisible();
    await expect(page.getByRole("link", { name: "Create your free portfolio" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "How it works" })).toBeVisible();
  });

  test("unknown pages answer 404 with a helpful page", async ({ page }) => {
    const res = await page.goto("/this/does/not/exist");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  });
});

test("the app hydrates under the Content-Security-Policy without errors", async ({ page }) => {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  const res = await page.goto("/");
  // The landing page is made once per build: its inline scripts are allowed by hash.
  const csp = res?.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("'sha256-");
  expect(csp).not.toContain("unsafe-inline");
  await page.waitForSelector("html[data-hydrated]", { state: "attached" });
  // Client-side navigation works after hydration (a broken bundle would fail here).
  await page.getByRole("link", { name: "Sign in" }).first().click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(problems).toEqual([]);
});

for (const path of ["/", "/signin", "/signup"]) {
  test(`accessibility scan of ${path} finds no serious or critical violation`, async ({ page }) => {
    await page.goto(path);
    await page.waitForSelector("html[data-hydrated]", { state: "attached" });
    await axeScan(page);
  });
}

test("the landing page loads only hashed, precompressed, cached files; moving to a lazy page fetches only its chunks", async ({ page }) => {
  const seen: { path: string; status: number; headers: Record<string, string> }[] = [];
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/pkg/")) seen.push({ path, status: r.status(), headers: r.headers() });
  });
  await page.goto("/");
  await page.waitForSelector("html[data-hydrated]", { state: "attached" });
  await page.waitForLoadState("networkidle");
  // The main bundle (no lazy chunk: the landing page is in it), its JS glue, the split
  // loader and the stylesheet.
  const kinds = seen.map((s) => s.path.split(".").pop()).sort();
  expect(kinds).toEqual(["css", "js", "js", "wasm"]);
  for (const s of seen) {
    expect(s.status, s.path).toBe(200);
    expect(s.path).toMatch(/^\/pkg\/(badgefolio|__wasm_split)\.[A-Za-z0-9_-]{16,}\.(js|wasm|css)$/);
    // A year for files named by their content's hash; the JS glue and main WASM of a
    // split build are named before their final content, so they are revalidated.
    expect(["public, max-age=31536000, immutable", "no-cache"], s.path).toContain(s.headers["cache-control"]);
    expect(s.headers["content-encoding"], s.path).toBe("br");
  }
  // Sign-in is a lazy page: moving there fetches its chunks only (split.spec.ts checks
  // exactly which), never the main bundle again.
  const before = seen.length;
  await page.getByRole("link", { name: "Sign in" }).first().click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  for (const s of seen.slice(before)) {
    expect(s.status, s.path).toBe(200);
    expect(s.path).not.toMatch(/^\/pkg\/badgefolio\./);
  }
});
