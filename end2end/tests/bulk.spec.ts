import { expect, test, type Page } from "@playwright/test";
import { axeScan, freshEmail, signIn, waitForHydration } from "./helpers";

const DEMO_PASSWORD = "badgefolio-demo";

test("an issuer admin awards badges from a CSV file: preview with the invalid rows, run, report", async ({ page }) => {
  test.setTimeout(90_000);
  const ada = freshEmail("bulk-ada");
  const bob = freshEmail("bulk-bob");
  const csv = [
    "email,badge,name,evidence_url,narrative",
    `${ada},Data Storytelling,Ada Bulk,https://example.org/story,Presented the city budget`,
    `${bob},Leading Meetings,,,`,
    `${bob},Data Storytelling,,javascript:alert(1),`,
    `${ada},No Such Badge,,,`,
  ].join("\n");

  await signIn(page, "issuer@example.edu", DEMO_PASSWORD);
  await page.goto("/manage/demo");
  await page.getByRole("link", { name: "Award badges from a CSV file" }).click();
  await expect(page).toHaveURL(/\/manage\/demo\/bulk$/);
  await waitForHydration(page);
  await axeScan(page);
  await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "awards.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Check the file" }).click();

  // The preview: counts, and each invalid row with its line and reason.
  await expect(page).toHaveURL(/\/manage\/demo\/bulk\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "Check the file" })).toBeVisible();
  const counts = page.getByTestId("bulk-counts");
  await expect(counts).toContainText("2 valid: will be awarded");
  await expect(counts).toContainText("2 invalid");
  const problems = page.getByTestId("bulk-problems");
  await expect(problems.getByRole("row", { name: /^4 .*The evidence URL must be a web address/ })).toBeVisible();
  await expect(problems.getByRole("row", { name: /^5 .*Unknown badge/ })).toBeVisible();
  await waitForHydration(page);
  await axeScan(page);

  // The run, then its report.
  await page.getByRole("button", { name: "Award 2 badges" }).click();
  const report = page.getByTestId("bulk-report");
  await expect(report).toContainText("2 awarded", { timeout: 30_000 });
  await expect(report).toContainText("0 skipped as duplicates");
  await expect(report).toContainText("0 failed");
  await expect(page.getByRole("heading", { name: "Bulk award report" })).toBeVisible();
  await axeScan(page);
  const href = await page.getByRole("link", { name: "Download the report (CSV)" }).getAttribute("href");
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/csv");
  const text = await res.text();
  expect(text).toContain(`2,${ada},Data Storytelling,awarded,`);
  expect(text).toContain(`4,${bob},Data Storytelling,invalid,`);

  // The same file again: nothing new, every valid row a duplicate.
  await page.goto("/manage/demo/bulk");
  await waitForHydration(page);
  await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "again.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Check the file" }).click();
  await expect(page.getByTestId("bulk-counts")).toContainText("0 valid: will be awarded");
  await expect(page.getByTestId("bulk-counts")).toContainText("2 duplicates: will be skipped");
  await expect(page.getByTestId("bulk-problems")).toContainText("already holds this badge");
});
