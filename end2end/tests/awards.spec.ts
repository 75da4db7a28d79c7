import { execFileSync } from "node:child_process";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { axeScan, freshEmail, signIn, signUp, waitForHydration } from "./helpers";

const PASSWORD = "correct horse battery";
const DEMO_PASSWORD = "badgefolio-demo";
// The server's binary and data (see playwright.config.ts): the `award` command writes to
// the same database beside the running server.
const bin = process.env.BADGEFOLIO_BIN ?? "../target/release/badgefolio";
const dataDir = process.env.BADGEFOLIO_E2E_DATA_DIR ?? "test-results/e2e-data";

function awardFromCommandLine(badge: string, email: string, name: string) {
  const out = execFileSync(bin, ["award", "--institution", "demo", "--badge", badge, "--email", email, "--name", name], {
    env: { ...process.env, BADGEFOLIO_DATA_DIR: dataDir, BADGEFOLIO_DATABASE_URL: "", BADGEFOLIO_PUBLIC_URL: "", RUST_LOG: "warn" },
    encoding: "utf8",
  });
  expect(out).toMatch(/^awarded /);
}

/** The confirmation link mailed to `to`, read from the outbox by the platform admin. */
async function confirmLink(browser: Browser, to: string): Promise<string> {
  const context = await browser.newContext();
  const admin = await context.newPage();
  try {
    await signIn(admin, "admin@example.edu", DEMO_PASSWORD);
    await admin.goto("/admin/outbox");
    const mail = admin.getByTestId("mail").filter({ has: admin.getByTestId("mail-to").getByText(to, { exact: true }) }).first();
    await expect(mail).toBeVisible();
    const body = (await mail.getByTestId("mail-body").textContent()) ?? "";
    const found = body.match(/\/account\/confirm\?token=[A-Za-z0-9_-]+/);
    expect(found, body).not.toBeNull();
    return found![0];
  } finally {
    await context.close();
  }
}

test("a pending award is claimed on confirmation, stacks into the program, and an admin revokes it", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const email = freshEmail("learner");

  // Two badges of the credit-bearing Data Literacy program, to an address without an account.
  awardFromCommandLine("Data Analysis Foundations", email, "Lin Learner");
  awardFromCommandLine("Data Storytelling", email, "Lin Learner");

  // Signing up alone claims nothing.
  await signUp(page, "Lin Learner", email, PASSWORD);
  await expect(page.getByRole("heading", { name: "No badges yet" })).toBeVisible();

  // Confirming the address does: both badges, the program credential and its notation.
  await page.goto(await confirmLink(browser, email));
  await waitForHydration(page);
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page.getByRole("heading", { name: "Address confirmed" })).toBeVisible();
  await page.goto("/portfolio");
  const badges = page.getByTestId("my-badge");
  await expect(badges).toHaveCount(3);
  await expect(badges.filter({ hasText: "program credential: Data Literacy" })).toHaveCount(1);
  await expect(page.getByTestId("notation-row")).toContainText("Data Literacy");
  await expect(page.getByTestId("my-badge-status").first()).toHaveText("Verified");
  await axeScan(page);
  // The credential JSON downloads as signed.
  const download = await page.request.get((await badges.first().getByRole("link", { name: "Download credential (JSON)" }).getAttribute("href"))!);
  expect(download.status()).toBe(200);
  expect((await download.json()).type).toContain("OpenBadgeCredential");

  // The issuer admin finds the learner's awards and revokes one, with the program.
  const admin = await browser.newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, "issuer@example.edu", DEMO_PASSWORD);
  await adminPage.goto(`/manage/demo/awards?q=${encodeURIComponent(email)}`);
  await waitForHydration(adminPage);
  await expect(adminPage.getByTestId("award-row")).toHaveCount(3);
  await axeScan(adminPage);
  const row = adminPage.getByTestId("award-row").filter({ hasText: "Data Storytelling" }).filter({ hasNotText: "(program credential:" });
  await row.getByText("Revoke…").click();
  await row.getByLabel("Reason (the learner sees it)").fill("Presentation was not the learner's own work");
  await row.getByLabel("Yes, revoke the program credential too").check();
  await axeScan(adminPage);
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(adminPage.getByText("Revoked 2 credentials.")).toBeVisible();
  await expect(adminPage.getByTestId("award-status").filter({ hasText: /^Revoked: Presentation was not the learner's own work$/ })).toHaveCount(1);
  await expect(adminPage.getByTestId("award-status").filter({ hasText: "Revoked: Presentation was not the learner's own work (a badge of this program was revoked)" })).toHaveCount(1);
  await adminPage.goto("/manage/demo/transcripts");
  await expect(adminPage.getByTestId("notation-row").filter({ hasText: email })).toContainText("Revoked");
  await axeScan(adminPage);
  await admin.close();

  // The learner sees it.
  await page.goto("/portfolio");
  await expect(page.getByTestId("my-badge").filter({ hasText: "Data Storytelling" }).getByTestId("my-badge-status")).toHaveText(
    "Revoked: Presentation was not the learner's own work",
  );
  await expect(page.getByTestId("my-badge").filter({ hasText: "program credential" }).getByTestId("my-badge-status")).toContainText("Revoked");
  await expect(page.getByTestId("my-badge").filter({ hasText: "Data Analysis Foundations" }).getByTestId("my-badge-status")).toHaveText("Verified");
});
