import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { waitForHydration } from "./helpers";

const DEMO_PASSWORD = "badgefolio-demo";
const VERIFY_LIVE = path.resolve(__dirname, "../../openbadges/interop/verify-live.mjs");

/** Runs Digital Bazaar's verifier on a credential issued by the running server. */
function digitalBazaar(json: string, baseURL: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bf-cred-")), "credential.json");
  fs.writeFileSync(file, json);
  try {
    return execFileSync("node", [VERIFY_LIVE, file, baseURL], { encoding: "utf8" }).trim();
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e).trim();
  }
}

test("the demo learner's stacked program credential and its notation are shown, and verify with Digital Bazaar's verifier", async ({ page, baseURL }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill("ada@example.org");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);

  const badges = page.getByTestId("my-badge");
  await expect(badges).toHaveCount(3);
  const program = badges.filter({ hasText: "program credential: Data Literacy" });
  await expect(program).toHaveCount(1);
  await expect(program.getByTestId("my-badge-status")).toHaveText(/active/i);
  await expect(page.getByRole("heading", { name: "My transcript notations" })).toBeVisible();
  await expect(page.getByRole("table")).toContainText("Data Literacy");

  // Every credential on the wall, exactly as stored, checked by an independent verifier
  // against the issuer's DID document and status list served by this server.
  for (const item of await badges.all()) {
    const href = await item.getByRole("link", { name: "Download credential (JSON)" }).getAttribute("href");
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(digitalBazaar(await res.text(), baseURL!)).toBe("valid");
  }
});

test("a revoked demo badge is shown as revoked and Digital Bazaar's verifier says so", async ({ page, baseURL }) => {
  await page.goto("/signin");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill("grace@example.org");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
  const revoked = page.getByTestId("my-badge").filter({ hasText: "Global Perspectives" });
  await expect(revoked.getByTestId("my-badge-status")).toContainText(/revoked/i);
  await expect(revoked).toContainText("Issued by mistake");
  const href = await revoked.getByRole("link", { name: "Download credential (JSON)" }).getAttribute("href");
  const res = await page.request.get(href!);
  expect(digitalBazaar(await res.text(), baseURL!)).toBe("revoked");
});
