import { expect, test } from "@playwright/test";
import { freshEmail, signUp, waitForHydration } from "./helpers";

const PASSWORD = "correct horse battery";

test("a new learner signs up, lands on the portfolio, signs out and signs in again", async ({ page }) => {
  const email = freshEmail("ada");
  await signUp(page, "Ada Lovelace", email, PASSWORD);
  await expect(page.getByRole("heading", { name: "My portfolio" })).toBeVisible();
  await expect(page.getByTestId("welcome")).toHaveText("Welcome, Ada Lovelace.");
  await expect(page.getByText("No badges yet")).toBeVisible();
  // The header switched to the signed-in links without keeping the "Sign up" button style.
  await expect(page.getByRole("link", { name: /Account settings for Ada Lovelace/ })).not.toHaveClass(/button/);

  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("navigation").getByRole("link", { name: "Sign in" })).toBeVisible();

  // Signed out for real: the portfolio asks to sign in, even after a full reload.
  await page.goto("/portfolio");
  await expect(page.getByRole("heading", { name: "Please sign in" })).toBeVisible();

  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
  await expect(page.getByTestId("welcome")).toHaveText("Welcome, Ada Lovelace.");

  // The session survives a reload (it is a cookie backed by the database).
  await page.reload();
  await expect(page.getByTestId("welcome")).toHaveText("Welcome, Ada Lovelace.");
});

test("a wrong password shows a generic error and keeps the user signed out", async ({ page }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill("ada@example.org");
  await page.getByLabel("Password").fill("definitely not it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("form-error")).toHaveText(
    "The email address or password is not correct.",
  );
  await expect(page).toHaveURL(/\/signin$/);
  // What was typed is still there to correct.
  await expect(page.getByLabel("Email address")).toHaveValue("ada@example.org");
});

test("sign-up explains a duplicate email and a weak password on the form", async ({ page }) => {
  await page.goto("/signup");
  await waitForHydration(page);
  await expect(page.getByText("At least 10 characters")).toBeVisible();
  await page.getByLabel("Your name").fill("Ada Again");
  await page.getByLabel("Email address").fill("ada@example.org");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("form-error")).toContainText("already exists");

  await page.getByLabel("Email address").fill(freshEmail("weak"));
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("form-error")).toContainText("At least 10 characters");
  await expect(page).toHaveURL(/\/signup$/);
});

test("a learner changes their password in account settings", async ({ page }) => {
  const email = freshEmail("grace");
  await signUp(page, "Grace Hopper", email, PASSWORD);
  await page.getByRole("link", { name: /Account settings for/ }).click();
  await expect(page.getByRole("heading", { name: "Account settings" })).toBeVisible();
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password").fill("an even better passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password was changed");
});

test("the demo issuer admin sees their role and institution", async ({ page }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill("issuer@example.edu");
  await page.getByLabel("Password").fill("badgefolio-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
  await page.goto("/settings");
  await expect(page.getByText("Issuer admin at Demo University")).toBeVisible();
});
