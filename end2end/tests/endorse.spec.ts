import { expect, test } from "@playwright/test";
import { axeScan, signInAda, waitForHydration } from "./helpers";

// The demo learner asks for an endorsement, an anonymous second browser gives it
// through the link, she approves it and sees it; then she makes a collection.

test("Ada asks for an endorsement, a signed-out visitor gives it, Ada approves it", async ({ page, browser }) => {
  await signInAda(page);
  await page.getByTestId("my-badge").filter({ hasText: "Data Storytelling" }).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/portfolio\/badges\//);
  await waitForHydration(page);
  const panel = page.getByTestId("endorsements");
  await panel.getByLabel("Their name").fill("Edsger Dijkstra");
  await panel.getByRole("button", { name: "Create the link" }).click();
  const linkField = panel.getByTestId("endorsement-link");
  await expect(linkField).toBeVisible();
  const link = await linkField.inputValue();
  expect(link).toMatch(/\/endorse\/[A-Za-z0-9_-]{43}$/);
  await expect(panel.getByTestId("open-requests")).toContainText("Edsger Dijkstra");

  // A second, signed-out browser gives the endorsement.
  const visitor = await browser.newContext();
  const anon = await visitor.newPage();
  await anon.goto(new URL(link).pathname);
  await expect(anon.getByTestId("endorse-badge")).toHaveText("Data Storytelling");
  await expect(anon.getByTestId("endorse")).toContainText("Ada Lovelace");
  await waitForHydration(anon);
  await expect(anon.getByLabel("Your name (as it will appear)")).toHaveValue("Edsger Dijkstra");
  await axeScan(anon);
  await anon.getByLabel("Your statement").fill("Ada tells the story in the data <b>clearly</b>.");
  await anon.getByRole("button", { name: "Give my endorsement" }).click();
  await expect(anon.getByTestId("endorse-thanks")).toBeVisible();
  // The link is spent.
  await anon.reload();
  await expect(anon.locator("body")).toContainText("thank you");
  await visitor.close();

  // Ada approves it and sees it with the badge. She comes back through her wall: reloading
  // this page here failed to hydrate in two CI runs (a WASM panic, "unreachable", never
  // seen locally; open on issue 11), which this journey does not cover.
  await page.goto("/portfolio");
  await waitForHydration(page);
  await page.getByTestId("my-badge").filter({ hasText: "Data Storytelling" }).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/portfolio\/badges\//);
  const pending = page.getByTestId("pending-endorsements");
  await expect(pending).toContainText("Ada tells the story in the data <b>clearly</b>.");
  await pending.getByRole("button", { name: "Approve and show it" }).click();
  const approved = page.getByTestId("approved-endorsements");
  await expect(approved).toContainText("Ada tells the story in the data <b>clearly</b>.");
  await expect(approved).toContainText("Edsger Dijkstra");
  await expect(approved).toContainText("signed endorsement credential");
});

test("Ada makes a collection and orders its badges", async ({ page }) => {
  await signInAda(page);
  await page.getByTestId("collections-link").click();
  await expect(page).toHaveURL(/\/portfolio\/collections$/);
  await waitForHydration(page);
  await axeScan(page);
  const form = page.getByTestId("new-collection");
  await form.getByLabel("Name").fill("Job applications");
  await form.getByLabel("Description (optional)").fill("For the data analyst job.");
  await form.getByRole("button", { name: "Create collection" }).click();
  const card = page.getByTestId("collection").filter({ has: page.getByRole("heading", { name: "Job applications" }) });
  await expect(card).toBeVisible();
  await card.getByLabel("Add a badge").selectOption({ index: 0 });
  await card.getByRole("button", { name: "Add", exact: true }).click();
  await expect(card.getByTestId("collection-items").locator("li")).toHaveCount(1);
  await card.getByLabel("Add a badge").selectOption({ index: 0 });
  await card.getByRole("button", { name: "Add", exact: true }).click();
  await expect(card.getByTestId("collection-items").locator("li")).toHaveCount(2);
  const items = card.getByTestId("collection-items").locator("li");
  const second = await items.nth(1).locator("a, span").first().innerText();
  // Keyboard: focus the second badge's "Up" button and press Enter.
  await items.nth(1).getByRole("button", { name: /up$/ }).focus();
  await page.keyboard.press("Enter");
  await expect(items.nth(0)).toContainText(second);
  // The seeded collection is there too.
  await expect(page.getByTestId("collection").filter({ has: page.getByRole("heading", { name: "Data skills" }) })).toBeVisible();
});
