import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { axeScan, signInAda, waitForHydration } from "./helpers";

// The demo learner (seeded: handle `ada`, two of her four badges public, one expiring soon). No fresh
// sign-ups here: the per-address sign-up allowance belongs to other specs.

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}

/** What sticks out sideways (nothing may, down to a 360 px phone). */
async function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width + 1) return [];
    return [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      .slice(0, 8)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
  });
}

test("the demo learner filters her wall, opens a verified badge and shares it on her public profile", async ({ page, browser }, testInfo) => {
  // A long journey with three axe scans (the badge page now holds the share panel).
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await signInAda(page);
  // Her badges issued here (imported ones are counted in import.spec.ts).
  const cards = page.getByTestId("my-badge").filter({ hasNot: page.getByTestId("imported") });
  await expect(cards).toHaveCount(4);
  await expect(page.getByTestId("stack").filter({ hasText: "Data Literacy" })).toContainText("2 of 2 badges");
  // One of them runs out soon, and the wall says so on its card.
  await expect(cards.filter({ hasText: "Research Data Handling" }).getByTestId("my-badge-status")).toHaveText(/expires soon|expiring soon/i);
  await expect(page.getByTestId("competencies")).toContainText("Communication");
  await screenshot(page, testInfo, "wall-desktop");
  await axeScan(page, { legacy: true });

  // Before: Data Storytelling is private, so the public profile (signed out) lacks it.
  const visitor = await browser.newContext();
  const anon = await visitor.newPage();
  await anon.goto("/p/ada");
  await expect(anon.getByTestId("public-badge")).toHaveCount(2);
  await expect(anon.getByTestId("public-profile")).not.toContainText("Data Storytelling");

  // Filter by competency: at once, in place, and in the URL (shareable, works without JS).
  await page.getByLabel("Competency", { exact: true }).selectOption({ label: "Communication" });
  await expect(page).toHaveURL(/competency=communication/);
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("Data Storytelling");
  await expect(page.getByTestId("wall-count")).toContainText(/1 of \d+ badges matches/);
  // Search and status filters narrow too; clearing brings everything back.
  await page.getByLabel("Search", { exact: true }).fill("analysis");
  await expect(page).toHaveURL(/q=analysis/);
  await expect(cards).toHaveCount(0);
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(cards).toHaveCount(4);

  // A phone: one column, nothing sideways.
  await page.setViewportSize({ width: 360, height: 800 });
  await expect(cards).toHaveCount(4);
  expect(await overflows(page)).toEqual([]);
  await screenshot(page, testInfo, "wall-phone");

  // Keyboard: the first card's link is reachable and opens the badge page.
  await page.setViewportSize({ width: 1280, height: 900 });
  const storytelling = cards.filter({ hasText: "Data Storytelling" }).getByTestId("badge-link");
  await storytelling.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/portfolio\/badges\/[0-9a-f-]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Data Storytelling");
  await expect(page.getByTestId("verification-mark")).toHaveText("Verified");
  await expect(page.getByTestId("standing")).toHaveText("Active");
  await expect(page.getByTestId("narrative")).toContainText("bike racks");
  await expect(page.getByTestId("visibility")).toContainText("Private");
  await axeScan(page, { legacy: true });

  // Share it: the toggle (a form that also works without JS).
  await page.getByRole("button", { name: "Show on my public profile" }).click();
  await expect(page.getByTestId("visibility")).toContainText("Public");
  await expect(page.getByRole("button", { name: "Hide from my public profile" })).toBeVisible();

  // The signed-out visitor now sees it, server-rendered.
  await anon.goto("/p/ada");
  await expect(anon.getByTestId("public-badge")).toHaveCount(3);
  const shared = anon.getByTestId("public-badge").filter({ hasText: "Data Storytelling" });
  await expect(shared).toContainText("Demo University");
  await expect(shared).toContainText("Verified");
  await axeScan(anon, { legacy: true });
  await visitor.close();

  // Without JavaScript at all, the profile is complete.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto("/p/ada");
  await expect(plain.getByTestId("public-badge")).toHaveCount(3);
  await expect(plain.getByRole("heading", { level: 1 })).toHaveText("Ada Lovelace");
  await noJs.close();
});

test("without JavaScript the wall filters through its GET form", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAda(page);
  const cookies = await context.cookies();
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  await noJs.addCookies(cookies);
  const plain = await noJs.newPage();
  await plain.goto("/portfolio");
  await expect(plain.getByTestId("my-badge").filter({ hasNot: plain.getByTestId("imported") })).toHaveCount(4);
  await plain.getByLabel("Competency", { exact: true }).selectOption({ label: "Communication" });
  await plain.getByRole("button", { name: "Show badges" }).click();
  await expect(plain).toHaveURL(/competency=communication/);
  await expect(plain.getByTestId("my-badge")).toHaveCount(1);
  await noJs.close();
  await context.close();
});
