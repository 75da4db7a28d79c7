import { expect, test, type Browser, type Page } from "@playwright/test";
import { axeScan, freshEmail, signIn, signUp, waitForHydration } from "./helpers";

const PASSWORD = "correct horse battery";
const DEMO_PASSWORD = "badgefolio-demo";

/**
 * Reads the newest mail to `to` with `subject` on the outbox page, as the demo platform
 * admin in a browser of their own, and returns the account link it holds.
 */
async function linkFromOutbox(browser: Browser, to: string, subject: string, path: string): Promise<string> {
  const context = await browser.newContext();
  const admin = await context.newPage();
  try {
    await signIn(admin, "admin@example.edu", DEMO_PASSWORD);
    await admin.goto("/admin/outbox");
    await expect(admin.getByRole("heading", { name: "Outbox", level: 1 })).toBeVisible();
    const mail = admin
      .getByTestId("mail")
      .filter({ has: admin.getByTestId("mail-to").getByText(to, { exact: true }) })
      .filter({ has: admin.getByRole("heading", { name: subject }) })
      .first();
    await expect(mail).toBeVisible();
    // The worker started by `serve` delivers it (into the log, without a mail server) soon.
    await expect
      .poll(
        async () => {
          await admin.reload();
          return mail.getAttribute("data-status");
        },
        { timeout: 10_000 },
      )
      .toBe("sent");
    const body = (await mail.getByTestId("mail-body").textContent()) ?? "";
    const found = body.match(new RegExp(`https?://\\S+${path.replace(/\//g, "\\/")}\\?token=[A-Za-z0-9_-]+`));
    expect(found, body).not.toBeNull();
    await axeScan(admin);
    return found![0];
  } finally {
    await context.close();
  }
}

test("a forgotten password is reset with the link from the outbox", async ({ page, browser }) => {
  const email = freshEmail("reset");
  await signUp(page, "Rosa Reset", email, PASSWORD);
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/$/);

  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await axeScan(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByTestId("forgot-sent")).toContainText("a reset link is on its way");

  const link = await linkFromOutbox(browser, email, "Reset your Badgefolio password", "/account/reset");
  await page.goto(link);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await axeScan(page);
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByTestId("form-error")).toContainText("At least 10 characters");
  await page.getByLabel("New password").fill("a freshly reset passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/signin\?reset=done$/);
  await expect(page.getByTestId("reset-done")).toContainText("Your password was changed");

  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill("a freshly reset passphrase");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
  await expect(page.getByTestId("welcome")).toHaveText("Welcome, Rosa Reset.");

  // The link works once.
  await page.goto(link);
  await waitForHydration(page);
  await page.getByLabel("New password").fill("yet another passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByTestId("form-error")).toContainText("expired or was already used");
});

test("a new account confirms its address with the link from the outbox", async ({ page, browser }) => {
  const email = freshEmail("confirm");
  await signUp(page, "Cleo Confirm", email, PASSWORD);
  await page.goto("/settings");
  await expect(page.getByTestId("email-unconfirmed")).toHaveText("not confirmed");
  await expect(page.getByRole("button", { name: "Resend confirmation" })).toBeVisible();
  await axeScan(page);

  const link = await linkFromOutbox(browser, email, "Confirm your email address for Badgefolio", "/account/confirm");
  await page.goto(link);
  await waitForHydration(page);
  await axeScan(page);
  await page.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(page.getByRole("heading", { name: "Address confirmed" })).toBeVisible();
  await expect(page.getByTestId("confirmed")).toContainText("your email address is confirmed");

  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Account settings" })).toBeVisible();
  await expect(page.getByTestId("email-unconfirmed")).toHaveCount(0);
});

test("the reset form works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.goto("/forgot");
    await page.getByLabel("Email address").fill("nobody-at-all@example.org");
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page).toHaveURL(/\/forgot\?sent=1$/);
    await expect(page.getByTestId("forgot-sent")).toContainText("a reset link is on its way");
  } finally {
    await context.close();
  }
});

test("the outbox is closed to learners", async ({ page }) => {
  const email = freshEmail("nosy");
  await signUp(page, "Nosy Learner", email, PASSWORD);
  const response = await page.goto("/admin/outbox");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("alert")).toContainText("You do not have permission");
  await expect(page.getByTestId("mail")).toHaveCount(0);
});
