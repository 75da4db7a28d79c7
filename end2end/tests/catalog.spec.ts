import { expect, test, type Page } from "@playwright/test";
import { axeScan, freshEmail, signIn, signUp, waitForHydration } from "./helpers";

const PASSWORD = "correct horse battery";
const DEMO_PASSWORD = "badgefolio-demo";

async function signOut(page: Page) {
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/$/);
}

/** The path of the last link of this kind mailed to `to`, read from the outbox page. */
async function linkFromOutbox(page: Page, to: string, pattern: RegExp): Promise<string> {
  await page.goto("/admin/outbox");
  const mail = page.getByTestId("mail").filter({ has: page.getByTestId("mail-to").getByText(to, { exact: true }) }).first();
  const body = (await mail.getByTestId("mail-body").textContent()) ?? "";
  const found = body.match(pattern);
  expect(found, body).not.toBeNull();
  return found![0];
}

test("an institution is created, its admin builds a credit-bearing program, a learner finds it and enrolls", async ({ page }) => {
  test.setTimeout(120_000);
  const n = `${Date.now()}`.slice(-7);
  const slug = `tc-${n}`;
  const adminEmail = freshEmail("dean");

  // The platform admin creates the institution and invites its first admin.
  await signIn(page, "admin@example.edu", DEMO_PASSWORD);
  await page.goto("/manage");
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill(`Test College ${n}`);
  await page.getByLabel("Short name for web addresses").fill(slug);
  await page.getByLabel("Web site").fill("https://college.example");
  await page.getByLabel("E-mail of its first admin").fill(adminEmail);
  await page.getByRole("button", { name: "Create institution" }).click();
  await expect(page.getByText("Created. The first admin was sent an invitation")).toBeVisible();
  const invitation = await linkFromOutbox(page, adminEmail, /\/invitations\/accept\?token=[0-9a-f]{64}/);
  await page.goto("/");
  await signOut(page);

  // The invited admin signs up with that address and accepts.
  await signUp(page, "Dean Admin", adminEmail, PASSWORD);
  await page.goto(invitation);
  await waitForHydration(page);
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await expect(page.getByTestId("invitation-accepted")).toBeVisible();
  // Used once: the same link no longer works.
  await page.goto(invitation);
  await expect(page.getByText("This invitation link is not valid")).toBeVisible();

  // Two badges, one with a rubric and an uploaded SVG image.
  for (const [name, competency] of [["Data Analysis", "Critical thinking"], ["Data Storytelling", "Communication"]]) {
    await page.goto(`/manage/${slug}/badges/new`);
    await waitForHydration(page);
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Description", { exact: true }).fill(`${name} for everyone.`);
    await page.getByLabel("Criteria: what earns the badge").fill(`Show your ${name.toLowerCase()}.`);
    await page.getByLabel("Rubric (optional)").fill("Analysis: Exemplary (3), Proficient (2), Developing (1)");
    await page.getByLabel(competency, { exact: true }).check();
    await page.getByLabel(/^Image/).setInputFiles({
      name: "badge.svg",
      mimeType: "image/svg+xml",
      buffer: Buffer.from("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 10 10'><circle cx='5' cy='5' r='4' fill='teal'/></svg>"),
    });
    await page.getByRole("button", { name: "Save badge" }).click();
    await expect(page).toHaveURL(new RegExp(`/manage/${slug}$`));
    await expect(page.getByRole("link", { name })).toBeVisible();
  }
  // An SVG with a script is refused with a clear message.
  await page.goto(`/manage/${slug}/badges/new`);
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill("Evil");
  await page.getByLabel("Description", { exact: true }).fill("x");
  await page.getByLabel("Criteria: what earns the badge").fill("x");
  await page.getByLabel(/^Image/).setInputFiles({
    name: "evil.svg",
    mimeType: "image/svg+xml",
    buffer: Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
  });
  await page.getByRole("button", { name: "Save badge" }).click();
  await expect(page.getByTestId("form-error")).toContainText("<script>");

  // The program: 12 credits are refused and explained, 3 are fine.
  await page.goto(`/manage/${slug}/programs/new`);
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill(`Data Literacy ${n}`);
  await page.getByLabel("Web address name (/programs/…)").fill(`data-${n}`);
  await page.getByLabel("Description", { exact: true }).fill("Read, question and present data.");
  await page.getByLabel("Credits", { exact: true }).fill("12");
  await page.getByLabel("Badge 1").selectOption({ label: "Data Analysis" });
  await page.getByLabel("Badge 2").selectOption({ label: "Data Storytelling" });
  await page.getByRole("button", { name: "Save program" }).click();
  await expect(page.getByTestId("form-error")).toContainText("0 to 11 credits");
  await page.getByLabel("Credits", { exact: true }).fill("3");
  await page.getByRole("button", { name: "Save program" }).click();
  await expect(page).toHaveURL(new RegExp(`/manage/${slug}$`));
  await expect(page.locator(`a[href="/manage/${slug}/programs/data-${n}"]`)).toHaveText(`Data Literacy ${n}`);
  await signOut(page);

  // A learner finds it through the filters, enrolls, and sees it on the portfolio.
  await signUp(page, "Lea Learner", freshEmail("lea"), PASSWORD);
  await page.goto("/programs");
  await waitForHydration(page);
  await page.getByLabel("Search", { exact: true }).fill(n);
  await page.getByLabel("Competency", { exact: true }).selectOption({ label: "Critical thinking" });
  await page.getByLabel("Credit", { exact: true }).selectOption({ label: "Credit-bearing" });
  await page.getByRole("button", { name: "Show programs" }).click();
  await expect(page.getByTestId("program-count")).toHaveText("1 program");
  await page.getByRole("link", { name: `Data Literacy ${n}` }).click();
  await expect(page.getByTestId("program-credits")).toContainText("3 credits · credit-bearing");
  await expect(page.getByRole("cell", { name: "Exemplary (3) · Proficient (2) · Developing (1)" }).first()).toBeVisible();
  await waitForHydration(page);
  await page.getByTestId("enroll").click();
  await expect(page.getByTestId("enrolled")).toBeVisible();
  await page.goto("/portfolio");
  await expect(page.getByTestId("enrollments")).toContainText(`Data Literacy ${n}`);
});

test("the catalog and program pages work without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/programs?credit=yes");
  await expect(page.getByRole("link", { name: "Data Literacy", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Team Leadership Essentials" })).toHaveCount(0);
  await page.getByRole("link", { name: "Data Literacy", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Data Literacy", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Data Analysis Foundations" })).toBeVisible();
  // Signing up, enrolling and withdrawing are plain form posts too.
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Nora NoScript");
  await page.getByLabel("Email address").fill(freshEmail("nora"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
  await page.goto("/programs/intercultural-communication");
  await page.getByTestId("enroll").click();
  await expect(page.getByTestId("enrolled")).toBeVisible();
  await page.getByRole("button", { name: "Withdraw" }).click();
  await expect(page.getByTestId("enroll")).toBeVisible();
  await context.close();
});

test("accessibility scans of the catalog, a program page and the admin screens find no serious or critical violation", async ({ page }) => {
  for (const path of ["/programs", "/programs/data-literacy", "/competencies/teamwork"]) {
    await page.goto(path);
    await waitForHydration(page);
    await axeScan(page);
  }
  await signIn(page, "issuer@example.edu", DEMO_PASSWORD);
  for (const path of ["/manage", "/manage/demo", "/manage/demo/badges/new", "/manage/demo/programs/new", "/manage/demo/programs/data-literacy"]) {
    await page.goto(path);
    await waitForHydration(page);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await axeScan(page);
  }
});
