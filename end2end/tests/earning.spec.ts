import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn, signInAda, waitForHydration } from "./helpers";

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
  await signInAda(page);

  // Her badges issued here (imported ones, seeded or added by other specs, aside).
  const badges = page.getByTestId("my-badge").filter({ hasNot: page.getByTestId("imported") });
  await expect(badges).toHaveCount(4);
  const program = badges.filter({ hasText: "program credential: Data Literacy" });
  await expect(program).toHaveCount(1);
  await expect(program.getByTestId("my-badge-status")).toHaveText(/verified/i);
  await expect(page.getByRole("heading", { name: "My transcript notations" })).toBeVisible();
  await expect(page.getByRole("region", { name: "My transcript notations" }).getByRole("table")).toContainText("Data Literacy");

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
  await signIn(page, "grace@example.org");
  const revoked = page.getByTestId("my-badge").filter({ hasText: "Global Perspectives" });
  await expect(revoked.getByTestId("my-badge-status")).toContainText(/revoked/i);
  await expect(revoked).toContainText("Issued by mistake");
  const href = await revoked.getByRole("link", { name: "Download credential (JSON)" }).getAttribute("href");
  const res = await page.request.get(href!);
  expect(digitalBazaar(await res.text(), baseURL!)).toBe("revoked");
});

async function signOut(page: Page) {
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/$/);
}

/** The reviewer opens the learner's submission for this badge and records a decision. */
async function decide(page: Page, learner: string, badge: string, levels: string[], decision: string, feedback = "") {
  await page.goto("/manage/demo/review");
  await waitForHydration(page);
  await page.getByTestId("review-queue").getByRole("row").filter({ hasText: badge }).filter({ hasText: learner })
    .getByRole("link", { name: learner }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`${learner} · ${badge}`);
  await waitForHydration(page);
  for (const level of levels) await page.getByRole("radio", { name: level }).check();
  await page.getByRole("radio", { name: decision }).check();
  if (feedback) await page.getByLabel("Feedback to the learner (required to request changes or reject)").fill(feedback);
  await page.getByRole("button", { name: "Record decision" }).click();
}

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGNkYPj/n4GBgYGJgYGBAQAZGAID8Gm3ZgAAAABJRU5ErkJggg==",
  "base64",
);

test("a learner earns both badges of a credit-bearing program through review; the program credential and its notation appear and verify", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  // A demo learner (confirmed address) who is not in this program yet: a fresh sign-up
  // would spend the per-address sign-up allowance the other specs need.
  const learner = "Grace Hopper";
  const email = "grace@example.org";
  const badges = ["Data Analysis Foundations", "Data Storytelling"];

  // Enroll, then a file, a link and a narrative for each badge, submitted.
  await signIn(page, email, DEMO_PASSWORD);
  await page.goto("/programs/data-literacy");
  await waitForHydration(page);
  await page.getByTestId("enroll").click();
  await page.getByTestId("work-on-badges").click();
  await expect(page).toHaveURL(/\/learn\/data-literacy$/);
  for (const badge of badges) {
    await page.goto("/learn/data-literacy");
    await waitForHydration(page);
    await page.getByRole("link", { name: badge }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Evidence: ${badge}`);
    await waitForHydration(page);
    await page.getByLabel("File", { exact: true }).setInputFiles({ name: "chart.png", mimeType: "image/png", buffer: PNG });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await expect(page.getByTestId("evidence-item")).toHaveCount(1);
    await page.getByLabel("Web address (http:// or https://)").fill(`https://example.org/tess/${badges.indexOf(badge)}`);
    await page.getByRole("button", { name: "Add link" }).click();
    await expect(page.getByTestId("evidence-item")).toHaveCount(2);
    await page.getByLabel("Tell the reviewer what you did and how the evidence shows it").fill(`My work for ${badge}.`);
    await page.getByRole("button", { name: "Save narrative" }).click();
    await expect(page.getByTestId("history")).toContainText("Saved the narrative");
    await page.getByRole("button", { name: "Submit for review" }).click();
    await expect(page.getByTestId("state").first()).toHaveText("Submitted for review");
  }
  await signOut(page);

  // The reviewer asks for changes on the first badge.
  await signIn(page, "reviewer@example.edu", DEMO_PASSWORD);
  await decide(page, learner, badges[0], [], "Request changes", "Please add your reflection.");
  await expect(page.getByTestId("state").first()).toHaveText("Changes requested");
  await signOut(page);

  // The learner adds it and resubmits.
  await signIn(page, email, DEMO_PASSWORD);
  await page.goto("/learn/data-literacy");
  await waitForHydration(page);
  await page.getByRole("link", { name: badges[0] }).click();
  await expect(page.getByTestId("feedback")).toContainText("Please add your reflection.");
  await waitForHydration(page);
  await page.getByLabel("Web address (http:// or https://)").fill("https://example.org/tess/reflection");
  await page.getByRole("button", { name: "Add link" }).click();
  await expect(page.getByTestId("evidence-item")).toHaveCount(3);
  await page.getByRole("button", { name: "Resubmit for review" }).click();
  await expect(page.getByTestId("state").first()).toHaveText("Resubmitted for review");
  await signOut(page);

  // The reviewer scores and approves both.
  await signIn(page, "reviewer@example.edu", DEMO_PASSWORD);
  await decide(page, learner, badges[0], ["Exemplary (3 points)", "Insightful (2 points)"], "Approve and award the badge");
  await expect(page.getByTestId("state").first()).toHaveText("Approved");
  await decide(page, learner, badges[1], ["Proficient (2 points)"], "Approve and award the badge");
  await expect(page.getByTestId("state").first()).toHaveText("Approved");
  await signOut(page);

  // Two badges and the program credential they stack into, with the transcript notation;
  // each verifies with Digital Bazaar's verifier (beside the learner's earlier, revoked ones).
  await signIn(page, email, DEMO_PASSWORD);
  const wall = page.locator('[data-testid="my-badge"][data-mark="verified"]');
  await expect(wall).toHaveCount(3);
  await expect(wall.filter({ hasText: "program credential: Data Literacy" })).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "My transcript notations" })).toBeVisible();
  await expect(page.getByRole("region", { name: "My transcript notations" }).getByRole("table")).toContainText("Data Literacy");
  await expect(page.getByRole("region", { name: "My transcript notations" }).getByRole("table")).toContainText("3");
  for (const item of await wall.all()) {
    const href = await item.getByRole("link", { name: "Download credential (JSON)" }).getAttribute("href");
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(digitalBazaar(await res.text(), baseURL!)).toBe("valid");
  }
});
