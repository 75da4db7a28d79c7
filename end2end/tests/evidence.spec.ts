import { expect, test, type Page } from "@playwright/test";
import { axeScan, freshEmail, signIn, signUp, waitForHydration } from "./helpers";

const PASSWORD = "correct horse battery";
const DEMO_PASSWORD = "badgefolio-demo";
const REVIEWER = "reviewer@example.edu";

// A 2×2 PNG (valid, so the review page can show it inline).
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGNkYPj/n4GBgYGJgYGBAQAZGAID8Gm3ZgAAAABJRU5ErkJggg==",
  "base64",
);

// A one-page PDF saying "HELLO PDF" (previewed in a frame on the review page).
const PDF = Buffer.from("JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIgMCBvYmoKPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBvYmoKPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAzMDAgMjAwXSAvQ29udGVudHMgNCAwIFIgL1Jlc291cmNlcyA8PCAvRm9udCA8PCAvRjEgNSAwIFIgPj4gPj4gPj4KZW5kb2JqCjQgMCBvYmoKPDwgL0xlbmd0aCAzOSA+PgpzdHJlYW0KQlQgL0YxIDM2IFRmIDQwIDkwIFRkIChIRUxMTyBQREYpIFRqIEVUCmVuZHN0cmVhbQplbmRvYmoKNSAwIG9iago8PCAvVHlwZSAvRm9udCAvU3VidHlwZSAvVHlwZTEgL0Jhc2VGb250IC9IZWx2ZXRpY2EgPj4KZW5kb2JqCnhyZWYKMCA2CjAwMDAwMDAwMDAgNjU1MzUgZiAKMDAwMDAwMDAwOSAwMDAwMCBuIAowMDAwMDAwMDU4IDAwMDAwIG4gCjAwMDAwMDAxMTUgMDAwMDAgbiAKMDAwMDAwMDI0MSAwMDAwMCBuIAowMDAwMDAwMzMwIDAwMDAwIG4gCnRyYWlsZXIKPDwgL1NpemUgNiAvUm9vdCAxIDAgUiA+PgpzdGFydHhyZWYKNDAwCiUlRU9GCg==", "base64");

async function signOut(page: Page) {
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/$/);
}

/** The card under this heading. */
function section(page: Page, heading: string) {
  return page.locator("section.card", { has: page.getByRole("heading", { name: heading, exact: true }) });
}

/** Opens the learner's submission in the review queue. */
async function openInQueue(page: Page, learnerName: string) {
  await page.goto("/manage/demo/review");
  await waitForHydration(page);
  await page.getByTestId("review-queue").getByRole("link", { name: learnerName }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`${learnerName} · Leading Meetings`);
  await waitForHydration(page);
}

test("a learner submits evidence, the reviewer asks for changes, then approves; the learner is told", async ({ page }) => {
  test.setTimeout(180_000);
  const learnerName = `Lena Learner ${Date.now() % 100000}`;
  const email = freshEmail("lena");

  // Enrolled, the learner goes from the program to its badges and opens one.
  await signUp(page, learnerName, email, PASSWORD);
  await page.goto("/programs/team-leadership");
  await waitForHydration(page);
  await page.getByTestId("enroll").click();
  await page.getByTestId("work-on-badges").click();
  await expect(page).toHaveURL(/\/learn\/team-leadership$/);
  await page.getByRole("link", { name: "Leading Meetings" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Evidence: Leading Meetings");
  await waitForHydration(page);
  await axeScan(page);

  // A file, a link and a narrative; a javascript: link is refused with a message.
  await page.getByLabel("Name (optional; the file's name otherwise)").fill("Meeting notes");
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByTestId("evidence-item")).toHaveCount(1);
  await expect(page.getByTestId("evidence-items")).toContainText("Meeting notes");
  await page.getByLabel("Name (optional; the file's name otherwise)").fill("Minutes");
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "minutes.pdf", mimeType: "application/pdf", buffer: PDF });
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(page.getByTestId("evidence-item")).toHaveCount(2);
  // A renamed program is refused with a message.
  await page.getByLabel("File", { exact: true }).setInputFiles({ name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(200)]) });
  await page.getByRole("button", { name: "Upload", exact: true }).click();
  await expect(section(page, "Upload a file").getByTestId("form-error")).toContainText("cannot be evidence");
  await page.getByLabel("Web address (http:// or https://)").fill("javascript:alert(1)");
  await page.getByRole("button", { name: "Add link" }).click();
  await expect(section(page, "Add a link").getByTestId("form-error")).toContainText("Only web links");
  await page.getByLabel("Web address (http:// or https://)").fill("https://example.org/agendas");
  await page.getByLabel("Name (optional)", { exact: true }).fill("Agendas");
  await page.getByRole("button", { name: "Add link" }).click();
  await expect(page.getByTestId("evidence-item")).toHaveCount(3);
  await page.getByLabel("Tell the reviewer what you did and how the evidence shows it").fill("I ran three meetings with agendas and notes.");
  await page.getByRole("button", { name: "Save narrative" }).click();
  await expect(page.getByTestId("history")).toContainText("Saved the narrative");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByTestId("state").first()).toHaveText("Submitted for review");
  await signOut(page);

  // The reviewer sees the evidence inline and asks for changes.
  await signIn(page, REVIEWER, DEMO_PASSWORD);
  await openInQueue(page, learnerName);
  const img = page.getByRole("img", { name: "Evidence: Meeting notes" });
  await expect(img).toBeVisible();
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(2);
  await expect(page.getByRole("link", { name: "Agendas" })).toHaveAttribute("href", "https://example.org/agendas");
  // The PDF shows in Chromium's viewer inside its sandboxed frame.
  await expect(page.locator("iframe[title='Evidence PDF: Minutes']")).toBeVisible();
  await expect.poll(() => page.frames().some((f) => f.url().startsWith("chrome-extension://"))).toBe(true);
  await expect(page.getByTestId("narrative")).toHaveText("I ran three meetings with agendas and notes.");
  await axeScan(page);
  await page.getByRole("radio", { name: "Request changes" }).check();
  await page.getByLabel("Feedback to the learner (required to request changes or reject)").fill("Please add the notes of the third meeting.");
  await page.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByTestId("state").first()).toHaveText("Changes requested");
  await signOut(page);

  // The learner is told, adds the missing piece and resubmits.
  await signIn(page, email, PASSWORD);
  await expect(page.getByTestId("unread-count")).toHaveText("1");
  await page.goto("/learn/team-leadership");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Leading Meetings" }).click();
  await expect(page.getByTestId("feedback")).toContainText("Please add the notes of the third meeting.");
  await waitForHydration(page);
  await page.getByLabel("Web address (http:// or https://)").fill("https://example.org/meeting-3");
  await page.getByRole("button", { name: "Add link" }).click();
  await expect(page.getByTestId("evidence-item")).toHaveCount(4);
  await page.getByRole("button", { name: "Resubmit for review" }).click();
  await expect(page.getByTestId("state").first()).toHaveText("Resubmitted for review");
  await signOut(page);

  // The reviewer scores the rubric and approves.
  await signIn(page, REVIEWER, DEMO_PASSWORD);
  await openInQueue(page, learnerName);
  await page.getByRole("radio", { name: "Exemplary (3 points)" }).check();
  await page.getByRole("radio", { name: "Approve and award the badge" }).check();
  await page.getByRole("button", { name: "Record decision" }).click();
  await expect(page.getByTestId("state").first()).toHaveText("Approved");
  await signOut(page);

  // The learner sees the approval and its notification.
  await signIn(page, email, PASSWORD);
  await expect(page.getByTestId("unread-count")).toHaveText("2");
  await page.getByTestId("notifications-link").click();
  await expect(page.getByTestId("notifications")).toContainText("Approved: Leading Meetings");
  await waitForHydration(page);
  await axeScan(page);
  await page.getByRole("button", { name: "Mark all as read" }).click();
  await expect(page.getByText("Mark all as read")).toHaveCount(0);
  await page.goto("/learn/team-leadership");
  await expect(page.getByTestId("learn-badges")).toContainText("Approved");
  await expect(page.getByTestId("unread-count")).toHaveCount(0);
});
