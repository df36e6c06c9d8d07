import { expect } from "vitest";
import type { Locator, Page } from "playwright-core";

/**
 * Presses a form's submit button and returns the status of the POST it sent (as a document
 * without JavaScript, as a fetch with it), so that a refused form fails the test at once, with
 * the server's answer in the message, instead of a wait for a page that never comes.
 */
export async function submit(page: Page, button: Locator, expected: "success" | number = "success") {
  const [response] = await Promise.all([
    page.waitForResponse((response) => response.request().method() === "POST", { timeout: 10_000 }),
    button.click(),
  ]);
  const status = response.status();
  const ok = expected === "success" ? status < 400 : status === expected;
  if (!ok) {
    const body = (await response.text().catch(() => "")).replace(/\s+/g, " ").slice(0, 300);
    throw new Error(`POST ${new URL(response.url()).pathname} answered ${status}, expected ${expected}: ${body}`);
  }
  return status;
}

const SIGN_IN_SUBJECT = "Your sign-in link for Taskforce Consult";

/**
 * The newest sign-in message in the demo mailbox (to anyone), or undefined. Other mail (an
 * invitation, a notice to analysts) may arrive at any moment and is not what a sign-in waits for.
 */
function newestSignInRow(page: Page) {
  return page.locator("table tbody tr", { has: page.getByRole("link", { name: SIGN_IN_SUBJECT, exact: true }) }).first();
}

async function newestMessageHref(page: Page): Promise<string | undefined> {
  const row = newestSignInRow(page);
  return (await row.count()) > 0 ? ((await row.getByRole("link").getAttribute("href")) ?? undefined) : undefined;
}

/**
 * Opens the demo mailbox and waits (reloading, as a person would) until a sign-in message newer
 * than `after` has arrived for `email`; the outbox worker delivers within its poll interval.
 */
export async function openNewestMessageFor(page: Page, baseUrl: string, email: string, after: string | undefined) {
  const deadline = Date.now() + 10_000;
  await page.goto(`${baseUrl}/dev/mailbox`);
  for (;;) {
    const newest = newestSignInRow(page);
    if ((await newest.count()) > 0 && (await newestMessageHref(page)) !== after) {
      await expect.poll(() => newest.locator("td").first().textContent()).toBe(email);
      await newest.getByRole("link").click();
      await page.getByRole("heading", { level: 1, name: /sign-in link/i }).waitFor();
      return;
    }
    if (Date.now() > deadline) throw new Error(`no new sign-in message for ${email} arrived in the demo mailbox`);
    await page.waitForTimeout(150);
    await page.reload();
  }
}

/** Which sign-in message is the newest now, so that the next one can be told apart. */
export async function mailboxMark(page: Page, baseUrl: string) {
  await page.goto(`${baseUrl}/dev/mailbox`);
  return newestMessageHref(page);
}

/** Asks for a sign-in link at /login; leaves the page on the "Check your email" answer. */
export async function requestLink(page: Page, baseUrl: string, email: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel("Email address").fill(email);
  await submit(page, page.getByRole("button", { name: "Send me a sign-in link" }));
  await page.getByRole("heading", { level: 1, name: "Check your email" }).waitFor();
}

/** Follows the link of the message on screen to the page with the "Sign in" button. */
export async function followLinkInMessage(page: Page, baseUrl: string) {
  const link = page.locator(".mail-text a", { hasText: `${baseUrl}/login/link` });
  await expect.poll(() => link.count()).toBe(1);
  await link.click();
  await page.getByRole("heading", { level: 1, name: "Sign in to Taskforce Consult" }).waitFor();
}

/** Presses the "Sign in" button of the sign-in link page. */
export async function pressSignIn(page: Page) {
  await submit(page, page.getByRole("button", { name: "Sign in", exact: true }));
}

/** The whole sign-in, as a person does it, ending on the home page. */
export async function signIn(page: Page, baseUrl: string, email: string) {
  const before = await mailboxMark(page, baseUrl);
  await requestLink(page, baseUrl, email);
  await openNewestMessageFor(page, baseUrl, email, before);
  await followLinkInMessage(page, baseUrl);
  await pressSignIn(page);
  await page.getByRole("heading", { level: 1, name: /^Welcome, / }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/");
}
