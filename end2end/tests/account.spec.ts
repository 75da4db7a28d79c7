import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { axeScan, signInAda, waitForHydration } from "./helpers";

// The demo learner downloads everything she holds. (Deleting an account is proven by
// the integration tests: the demo accounts are shared by every spec.)

test("the demo learner downloads everything as one zip, with progress", async ({ page }) => {
  await signInAda(page);
  await page.goto("/account/data");
  await waitForHydration(page);
  await expect(page.getByTestId("export-contents")).toContainText("badges issued here");
  await axeScan(page);
  const downloading = page.waitForEvent("download");
  await page.getByTestId("download-everything").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^badgefolio-export-\d{4}-\d{2}-\d{2}\.zip$/);
  const path = await download.path();
  const bytes = readFileSync(path);
  // A zip (local file header signature) that lists its index.
  expect(bytes.subarray(0, 4).toString("hex")).toBe("504b0304");
  expect(bytes.includes(Buffer.from("index.json"))).toBe(true);
  expect(bytes.includes(Buffer.from("index.html"))).toBe(true);
  await expect(page.getByTestId("download-progress")).toContainText("Your file is downloaded.");
});
