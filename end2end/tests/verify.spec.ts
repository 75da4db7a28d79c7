import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { axeScan, otherOrigin, signInAda, waitForHydration } from "./helpers";

// "Verify a badge" for an anonymous visitor, with and without JavaScript, and the API
// from another origin. The badge is one the demo institution issued to the demo learner
// (downloaded once through her portfolio), baked into a PNG here by hand (an iTXt chunk
// `openbadgecredential`, as the Open Badges 3.0 baking spec says), not by our own code.

const PLAIN_PNG = path.resolve(__dirname, "../../server/tests/fixtures/badge.png");
const VERIFIED = "Verified: this badge is authentic and in good standing.";

let credential = "";
let baked: Buffer;

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0);
  return Buffer.concat([len, typeAndData, crc]);
}

/** A PNG with `text` baked in: an uncompressed iTXt chunk just before IEND. */
function bakePng(png: Buffer, text: string): Buffer {
  const iend = png.length - 12;
  expect(png.subarray(iend + 4, iend + 8).toString("latin1")).toBe("IEND");
  const data = Buffer.concat([
    Buffer.from("openbadgecredential\0", "latin1"),
    Buffer.from([0, 0]), // not compressed
    Buffer.from("\0\0", "latin1"), // no language tag, no translated keyword
    Buffer.from(text, "utf8"),
  ]);
  return Buffer.concat([png.subarray(0, iend), chunk("iTXt", data), png.subarray(iend)]);
}


/** One of the demo learner's credentials, exactly as issued. */
async function demoCredential(browser: Browser): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signInAda(page);
    const badge = page.getByTestId("my-badge").first();
    const href = await badge.getByRole("link", { name: "Download credential (JSON)" }).getAttribute("href");
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    return await res.text();
  } finally {
    await context.close();
  }
}

test.beforeAll(async ({ browser }) => {
  credential = await demoCredential(browser);
  baked = bakePng(fs.readFileSync(PLAIN_PNG), credential);
});

test("an anonymous visitor drops a baked PNG and sees the result at once", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  await page.goto("/verify");
  await expect(page.getByRole("heading", { name: "Verify a badge", level: 1 })).toBeVisible();
  await axeScan(page);
  // Marks this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

  await page.getByLabel("Check that it was issued to (optional)").fill("ada@example.org");
  const dataTransfer = await page.evaluateHandle((b64: string) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], "badge.png", { type: "image/png" }));
    return dt;
  }, baked.toString("base64"));
  await page.dispatchEvent("main", "dragenter", { dataTransfer });
  await page.dispatchEvent("main", "dragover", { dataTransfer });
  await page.dispatchEvent("main", "drop", { dataTransfer });

  const result = page.getByTestId("verify-result");
  await expect(result.getByRole("heading", { name: VERIFIED })).toBeVisible();
  await expect(result).toHaveAttribute("data-verdict", "verified");
  await expect(result).toHaveAttribute("data-standing", "active");
  await expect(result).toContainText("✓");
  await expect(result).toContainText(/Signed by the web domain 127\.0\.0\.1:\d+ \(\/issuers\/demo\)\./);
  await expect(result).toContainText("An institution of this site");
  await expect(result.getByRole("img", { name: /^Badge image/ })).toBeVisible();
  // The technical detail is folded away, and there.
  const details = result.locator("details");
  await expect(details.locator('[data-check="proof"]')).toBeHidden();
  await details.locator("summary").click();
  await expect(details.locator('[data-check="recipient"]')).toContainText("pass");
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  expect(page.url()).toMatch(/\/verify$/);
  await axeScan(page);

  // Choosing a file works the same way; a tampered badge gets no check mark.
  const tampered = JSON.parse(credential);
  tampered.credentialSubject.achievement.name = "Data Wizardry";
  await page.getByLabel("Check that it was issued to (optional)").fill("");
  await page.getByLabel("A baked badge image or a credential file").setInputFiles({
    name: "tampered.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(tampered)),
  });
  await expect(result.getByRole("heading", { name: "Not verified: this badge failed a check." })).toBeVisible();
  await expect(result).not.toContainText("✓");
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  expect(problems).toEqual([]);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an anonymous visitor uploads a baked PNG with the plain form", async ({ page }) => {
    const res = await page.goto("/verify");
    expect(res?.status()).toBe(200);
    await page.getByLabel("A baked badge image or a credential file").setInputFiles({
      name: "badge.png",
      mimeType: "image/png",
      buffer: baked,
    });
    await page.getByLabel("Check that it was issued to (optional)").fill("ada@example.org");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/verify") && r.request().method() === "POST"),
      page.getByRole("button", { name: "Verify" }).click(),
    ]);
    expect(response.status()).toBe(200);
    await expect(page.getByRole("heading", { name: VERIFIED })).toBeVisible();
    await expect(page.getByTestId("verify-result")).toContainText("Data Literacy");
    // The form is there again for the next badge.
    await expect(page.getByRole("button", { name: "Verify" })).toBeVisible();

    // Something that is not a badge: a message, not a crash.
    await page.getByLabel("Or paste the credential JSON or VC-JWT").fill("this is not a badge");
    const [bad] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/verify") && r.request().method() === "POST"),
      page.getByRole("button", { name: "Verify" }).click(),
    ]);
    expect(bad.status()).toBe(422);
    await expect(page.getByRole("alert")).toContainText("not a badge");
  });
});

test("the landing page and the footer link to the verify page", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("link", { name: "Verify a badge" }).first().click();
  await expect(page).toHaveURL(/\/verify$/);
  await expect(page.getByRole("heading", { name: "Verify a badge", level: 1 })).toBeVisible();
});

test("the API answers a cross-origin fetch from another site's page", async ({ page, baseURL }) => {
  // A page of another origin (another port), served here.
  const other = await otherOrigin("<!doctype html><html lang=en><title>Elsewhere</title><h1>Elsewhere</h1></html>");
  try {
    await page.goto(`${other.origin}/`);
    const api = `${baseURL}/api/v1/verify`;
    const answer = await page.evaluate(
      async ({ api, credential }) => {
        // JSON: the browser sends a CORS preflight first.
        const res = await fetch(api, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ credential: JSON.parse(credential), recipient: "ada@example.org" }),
        });
        const body = await res.json();
        // A form upload (no preflight), as a page would send a dropped file.
        const form = new FormData();
        form.append("text", credential);
        const res2 = await fetch(api, { method: "POST", body: form });
        const body2 = await res2.json();
        return {
          status: res.status,
          verdict: body.verdict,
          standing: body.standing,
          recipient: body.checks.find((c: { id: string }) => c.id === "recipient")?.outcome,
          status2: res2.status,
          verdict2: body2.verdict,
          origin: location.origin,
        };
      },
      { api, credential },
    );
    expect(answer.origin).not.toBe(new URL(baseURL!).origin);
    expect(answer).toMatchObject({
      status: 200,
      verdict: "verified",
      standing: "active",
      recipient: "pass",
      status2: 200,
      verdict2: "verified",
    });
  } finally {
    await other.close();
  }
});
