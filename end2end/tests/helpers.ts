import { expect, type Page } from "@playwright/test";

/** A unique email for a test run, so tests never collide. */
export function freshEmail(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
}

/** Waits until the WASM app has hydrated (the button is interactive, not a plain form post). */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForSelector("html[data-hydrated]", { state: "attached", timeout: 15_000 });
}

/** Signs up through the form and waits for the portfolio. */
export async function signUp(page: Page, name: string, email: string, password: string) {
  await page.goto("/signup");
  await waitForHydration(page);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
}
