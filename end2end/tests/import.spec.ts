import { expect, test } from "@playwright/test";
import path from "node:path";
import { axeScan, signInAda, waitForHydration } from "./helpers";

// The demo learner imports a baked PNG made elsewhere (an OB 3.0 credential signed with
// Digital Bazaar's libraries by a did:key issuer, baked with Node: see
// openbadges/interop/make-import-fixtures.mjs) and finds it on her wall. No fresh
// sign-ups (the sign-up allowance belongs to other specs).
const BAKED = path.join(__dirname, "..", "..", "openbadges", "tests", "fixtures", "independent", "import-baked.png");

test("the demo learner imports a baked PNG from elsewhere and sees it on her wall", async ({ page }) => {
  await signInAda(page);
  // The seeded import is there already, marked as imported.
  await expect(page.getByTestId("my-badge").filter({ hasText: "Open Source Contributor" })).toContainText("Imported");

  await page.getByTestId("import-link").click();
  await expect(page).toHaveURL(/\/portfolio\/import$/);
  await waitForHydration(page);
  await axeScan(page);
  await page.getByLabel("A badge file").setInputFiles(BAKED);
  await page.getByRole("button", { name: "Verify and import" }).click();
  await expect(page.getByTestId("import-done")).toContainText("Imported and verified");

  const opened = page.getByTestId("import-done").getByRole("link", { name: "Open the badge" });
  const badgeUrl = await opened.getAttribute("href");

  // Again: refused, with the reason.
  await page.goto("/portfolio/import");
  await waitForHydration(page);
  await page.getByLabel("A badge file").setInputFiles(BAKED);
  await page.getByRole("button", { name: "Verify and import" }).click();
  await expect(page.getByRole("alert")).toContainText("already imported");

  await page.goto(badgeUrl!);
  await expect(page.getByTestId("badge-detail")).toContainText("Community Mentor");
  await expect(page.getByTestId("verification-mark")).toContainText("Verified");

  await page.goto("/portfolio");
  const card = page.getByTestId("my-badge").filter({ hasText: "Community Mentor" });
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId("imported")).toHaveText("Imported");
  await expect(card).toHaveAttribute("data-mark", "verified");
});
