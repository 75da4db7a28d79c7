import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { axeScan, otherOrigin } from "./helpers";

// Issue 12, read side: what an anonymous visitor gets. The demo learner (ada) has public
// badges; their permanent pages `/c/{id}` need no JavaScript, and the embed card may be
// framed by any other site and posts its height (WordPress's protocol).

const DEMO_PASSWORD = "badgefolio-demo";
const VERIFY_LIVE = path.resolve(__dirname, "../../openbadges/interop/verify-live.mjs");

/** Digital Bazaar's verdict on a baked badge image served by the running server. */
function digitalBazaar(file: string, bytes: Buffer, baseURL: string): string {
  const where = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bf-baked-")), file);
  fs.writeFileSync(where, bytes);
  try {
    return execFileSync("node", [VERIFY_LIVE, where, baseURL], { encoding: "utf8" }).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e).trim();
  }
}

/** The ids of Ada's public badges (read through her own session, in a separate context). */
async function adasPublicBadges(request: APIRequestContext, baseURL: string): Promise<string[]> {
  const headers = { Accept: "application/json", Origin: baseURL };
  const signIn = await request.post("/api/sign_in", {
    headers,
    form: { email: "ada@example.org", password: DEMO_PASSWORD },
  });
  expect(signIn.ok()).toBeTruthy();
  const wall = await request.post("/api/portfolio_wall", { headers, form: {} });
  expect(wall.ok()).toBeTruthy();
  const cards: { public_id: string; is_public: boolean }[] = (await wall.json()).cards;
  const ids = cards.filter((c) => c.is_public).map((c) => c.public_id);
  expect(ids.length).toBeGreaterThan(0);
  return ids;
}

test("an anonymous visitor sees a public badge page, verified, without JavaScript or cookies", async ({
  browser,
  playwright,
  baseURL,
}) => {
  const api = await playwright.request.newContext({ baseURL });
  const ids = await adasPublicBadges(api, baseURL!);
  await api.dispose();

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const verified: string[] = [];
  for (const id of ids) {
    const res = await page.goto(`/c/${id}?src=qr`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const verdict = page.getByRole("region", { name: "Verification" });
    await expect(verdict).toBeVisible();
    if ((await verdict.getAttribute("data-mark")) === "verified") {
      await expect(verdict).toContainText("Verified");
      verified.push(id);
    }
    // Open Graph preview and oEmbed discovery for link unfurlers.
    await expect(page.locator('meta[property="og:image"]')).toHaveAttribute("content", new RegExp(`/c/${id}/og\\.png$`));
    await expect(page.locator('link[rel="alternate"][type="application/json+oembed"]')).toHaveCount(1);
  }
  expect(verified.length).toBeGreaterThan(0);
  expect(await context.cookies()).toEqual([]);
  // The baked image downloaded from the page carries the credential, and it verifies with
  // an independent verifier (Digital Bazaar's), as a recruiter's tool would check it.
  let baked = 0;
  for (const id of verified) {
    for (const file of ["badge.png", "badge.svg"]) {
      const res = await context.request.get(`/c/${id}/${file}`);
      if (res.status() === 404) continue;
      expect(res.status(), `${file} of ${id}`).toBe(200);
      expect(digitalBazaar(file, await res.body(), baseURL!)).toBe("valid");
      baked += 1;
    }
  }
  expect(baked).toBeGreaterThan(0);
  // Private or unknown badges are not found.
  const missing = await page.goto("/c/00000000-0000-4000-8000-000000000000");
  expect(missing?.status()).toBe(404);
  await context.close();
});

test("a page on another origin embeds the card, which posts its height back", async ({
  browser,
  playwright,
  baseURL,
}) => {
  const api = await playwright.request.newContext({ baseURL });
  const [id] = await adasPublicBadges(api, baseURL!);
  await api.dispose();

  const context = await browser.newContext();
  const page = await context.newPage();
  // The badge page and the card themselves, for everyone who reads them.
  await page.goto(`${baseURL}/c/${id}`);
  await axeScan(page);
  await page.goto(`${baseURL}/embed/c/${id}`);
  await axeScan(page);
  const other = await otherOrigin();
  const host = other.origin;
  other.serve(
    `<!DOCTYPE html><html><body><script>window.msgs=[];addEventListener("message",(e)=>msgs.push(e.data));</script>` +
      `<iframe id="card" title="Badge" src="${baseURL}/embed/c/${id}#?secret=Ab12Cd34" width="420" height="130"></iframe></body></html>`,
  );
  await page.goto(`${host}/page`);
  const frame = page.frameLocator("#card");
  await expect(frame.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(frame.locator("[data-mark]")).toBeVisible();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { msgs: unknown[] }).msgs.length))
    .toBeGreaterThan(0);
  const msg = await page.evaluate(() => (window as unknown as { msgs: { message: string; value: number; secret: string }[] }).msgs[0]);
  expect(msg.message).toBe("height");
  expect(msg.secret).toBe("Ab12Cd34");
  expect(msg.value).toBeGreaterThan(20);

  // The oEmbed HTML (a blockquote and a sandboxed iframe) embeds as well.
  const oembed = await (await page.request.get(`${baseURL}/oembed?url=${encodeURIComponent(`${baseURL}/c/${id}`)}&maxwidth=500`)).json();
  expect(oembed.type).toBe("rich");
  expect(oembed.width).toBe(500);
  other.serve(`<!DOCTYPE html><html><body>${oembed.html}</body></html>`);
  await page.goto(`${host}/post`);
  await expect(page.locator("blockquote")).toBeVisible();
  await expect(page.frameLocator("iframe").getByRole("heading", { level: 1 })).toBeVisible();

  // Any other page refuses to be framed.
  const page2 = await context.newPage();
  const blocked: string[] = [];
  const res = await page2.request.get(`${baseURL}/c/${id}`);
  expect(res.headers()["x-frame-options"]).toBe("DENY");
  blocked.push(res.headers()["content-security-policy"] ?? "");
  expect(blocked[0]).toContain("frame-ancestors 'none'");
  await context.close();
  await other.close();
});
