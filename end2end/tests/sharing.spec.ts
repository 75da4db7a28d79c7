import { expect, test, type Page } from "@playwright/test";
import { axeScan, signInAda, waitForHydration } from "./helpers";

// Sharing, the learner's side, with the demo learner (Ada: two public badges, the
// first with a seeded share link named "LinkedIn" and views from several sources).
const PUBLIC_BADGE = "Data Analysis Foundations";

async function openPublicBadge(page: Page) {
  await page.getByTestId("my-badge").filter({ hasText: PUBLIC_BADGE }).getByTestId("badge-link").click();
  await expect(page).toHaveURL(/\/portfolio\/badges\/[0-9a-f-]+$/);
  await waitForHydration(page);
  await expect(page.getByTestId("share-panel")).toBeVisible();
}

/** Creates a share link named `name` on the open badge page; returns its URL. */
async function createLink(page: Page, name: string): Promise<string> {
  const form = page.getByTestId("new-link-form");
  if (!(await form.isVisible())) await page.getByText("New share link").click();
  await form.getByLabel("Name (for you, up to 60 characters)").fill(name);
  await form.getByRole("button", { name: "Create link" }).click();
  const row = page.getByTestId("share-link").filter({ hasText: name });
  await expect(row).toHaveAttribute("data-state", "live");
  const url = await row.getByTestId("share-link-url").inputValue();
  expect(url).toMatch(/\/b\/[A-Za-z0-9_-]{43}$/);
  return url;
}

test("the learner shares a public badge: seeded link with views, a new link, LinkedIn, embeds, and the e-mail signature on the clipboard as HTML and text", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInAda(page);
  await openPublicBadge(page);
  const panel = page.getByTestId("share-panel");

  // The permanent link, and the seeded "LinkedIn" link with its views by source.
  await expect(panel.getByTestId("permanent-url")).toHaveValue(/\/c\/[0-9a-f-]{36}$/);
  const seeded = panel.getByTestId("share-link").filter({ hasText: "LinkedIn" }).first();
  await expect(seeded.getByTestId("views")).toContainText("LinkedIn 14");

  // A new link: named, live, with a 43-character token.
  const url = await createLink(page, "Playwright CV");
  expect(url).not.toContain("=");

  // LinkedIn: every parameter parses back.
  const add = new URL(await panel.getByTestId("linkedin-add").getAttribute("href") ?? "");
  expect(add.origin + add.pathname).toBe("https://www.linkedin.com/profile/add");
  expect(add.searchParams.get("startTask")).toBe("CERTIFICATION_NAME");
  expect(add.searchParams.get("name")).toBe(PUBLIC_BADGE);
  expect(add.searchParams.get("organizationName")).toBe("Demo University");
  expect(Number(add.searchParams.get("issueMonth"))).toBeGreaterThanOrEqual(1);
  expect(Number(add.searchParams.get("issueMonth"))).toBeLessThanOrEqual(12);
  expect(add.searchParams.get("certUrl")).toMatch(/\/c\/[0-9a-f-]{36}\?src=linkedin$/);
  expect(add.searchParams.get("certId")).toMatch(/^BF-[0-9A-Z]{10}$/);
  const share = new URL(await panel.getByTestId("linkedin-share").getAttribute("href") ?? "");
  expect([...share.searchParams.keys()]).toEqual(["url"]);

  // Embeds: code, with src markers.
  await expect(panel.getByTestId("embed-iframe").locator("textarea")).toHaveValue(/\/embed\/c\/[0-9a-f-]{36}\?src=embed/);
  await expect(panel.getByTestId("embed-link")).toHaveValue(/\?src=embed$/);
  await expect(panel.getByTestId("embed-image").locator("textarea")).not.toHaveValue(/iframe/);

  // The signature: the preview renders exactly the HTML that is copied.
  const preview = panel.getByTestId("signature-preview");
  const srcdoc = await preview.getAttribute("srcdoc");
  expect(srcdoc).toContain("<table cellpadding=\"0\" cellspacing=\"0\"");
  expect(srcdoc).toContain(`alt="${PUBLIC_BADGE} badge from Demo University"`);
  await panel.getByTestId("copy-signature").click();
  await expect(panel.getByText("Copied (formatted and plain text).")).toBeVisible();
  const clip = await page.evaluate(async () => {
    const items = await navigator.clipboard.read();
    const item = items[0];
    return {
      types: [...item.types],
      html: await (await item.getType("text/html")).text(),
      text: await (await item.getType("text/plain")).text(),
    };
  });
  expect(clip.types).toEqual(expect.arrayContaining(["text/html", "text/plain"]));
  expect(clip.html).toContain("signature.png");
  expect(clip.html).toContain("?src=email");
  // The browser rewrites HTML it reads back from the clipboard; the pieces are there.
  expect(clip.html).toContain(PUBLIC_BADGE);
  expect(clip.html).toMatch(/cellpadding="0"/);
  expect(clip.text).toContain(`${PUBLIC_BADGE} · Demo University`);
  expect(clip.text).toMatch(/Verify: http\S+\/c\/[0-9a-f-]{36}\?src=email/);

  // The row variant holds both public badges.
  await panel.getByTestId("signature-row").check();
  await expect(preview).toHaveAttribute("srcdoc", /<img[^>]*>[\s\S]*<img[^>]*>/);

  // Revoking the new link marks it revoked at once.
  const row = panel.getByTestId("share-link").filter({ hasText: "Playwright CV" });
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(panel.getByTestId("share-link").filter({ hasText: "Playwright CV" })).toHaveAttribute("data-state", "revoked");

  // Every link on one page, with what each shows.
  await page.goto("/portfolio/links");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("My share links");
  await axeScan(page);
  const seededRow = page.getByTestId("share-link").filter({ hasText: "LinkedIn" }).first();
  await expect(seededRow.getByTestId("share-link-target")).toHaveText(`Badge: ${PUBLIC_BADGE}`);
  await expect(page.getByTestId("share-link").filter({ hasText: "Playwright CV" })).toHaveAttribute("data-state", "revoked");
});

test("an anonymous visitor opens a share link, and revoking it answers 410", async ({ page, browser }) => {
  await signInAda(page);
  await openPublicBadge(page);
  const url = await createLink(page, `Visitor ${Date.now()}`);
  const visitor = await browser.newContext();
  const anon = await visitor.newPage();
  const res = await anon.goto(url);
  expect(res?.status()).toBe(200);
  await expect(anon.getByText("Verified").first()).toBeVisible();
  const row = page.getByTestId("share-link").filter({ has: page.locator(`input[value="${url}"]`) });
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("share-link").filter({ hasText: "Visitor" }).first()).toHaveAttribute("data-state", "revoked");
  const gone = await anon.goto(url);
  expect(gone?.status()).toBe(410);
  await visitor.close();
});

test("a collection and a program's stack are shared as one link each, and a visitor sees them without signing in", async ({ page, browser }) => {
  await signInAda(page);
  await page.goto("/portfolio/links");
  await waitForHydration(page);

  /** Creates a link in the page's form for `kind` (its summary text) and returns its URL. */
  async function share(summary: string, name: string, target?: string): Promise<string> {
    const form = page.locator("details", { hasText: summary });
    await form.locator("summary").click();
    await form.getByRole("combobox").selectOption(target ? { label: target } : { index: 0 });
    await form.getByLabel("Name (for you, up to 60 characters)").fill(name);
    await form.getByRole("button", { name: "Create link" }).click();
    const row = page.getByTestId("share-link").filter({ hasText: name });
    await expect(row).toHaveAttribute("data-state", "live");
    const url = await row.getByTestId("share-link-url").inputValue();
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
    return url;
  }
  const stamp = Date.now();
  const collection = await share("Share a collection", `Collection ${stamp}`, "Data skills");
  const stack = await share("Share a program stack", `Stack ${stamp}`);

  const visitor = await browser.newContext();
  const anon = await visitor.newPage();
  const res = await anon.goto(collection);
  expect(res?.status()).toBe(200);
  await expect(anon.getByRole("heading", { level: 1 })).toHaveText("Data skills");
  await expect(anon.locator("main")).toContainText("A collection of badges shared by Ada Lovelace");
  await expect(anon.locator("main li").first()).toBeVisible();
  await axeScan(anon);

  const res2 = await anon.goto(stack);
  expect(res2?.status()).toBe(200);
  await expect(anon.locator("main")).toContainText("Ada Lovelace’s progress in this program");
  await expect(anon.locator("main")).toContainText(/\d+ of \d+ badges earned/);
  await expect(anon.locator("main progress")).toHaveCount(1);
  await expect(anon.locator("main")).toContainText("✓ Earned");
  await axeScan(anon);
  expect(await visitor.cookies()).toEqual([]);
  await visitor.close();
});
