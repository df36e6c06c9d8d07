import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectProblems, launchChromium, newContext } from "../support/browser";
import { startPortal, type Portal } from "../support/portal";
import { followLinkInMessage, mailboxMark, openNewestMessageFor, pressSignIn, requestLink, submit } from "./flows";

const STAKEHOLDER = { email: "katharina.huber@donau-privatbank.example", name: "Katharina Huber", organisation: "Donau Privatbank AG" };

let portal: Portal;
let browser: Browser;
beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** The handling mark is the first thing on the page, at its very top, and says which TLP applies. */
async function expectHandlingMarkAtTop(page: Page, tlp: string) {
  const mark = page.locator(".handling-mark").first();
  expect(await mark.isVisible()).toBe(true);
  expect(await mark.innerText()).toMatch(new RegExp(`^${tlp.replace("+", "\\+")}\\b`));
  const box = await mark.boundingBox();
  expect(box?.y).toBe(0);
  expect(box!.height).toBeGreaterThan(10);
  // Nothing visible sits above it (the skip link is off screen until focused).
  const header = await page.locator(".site-header").boundingBox();
  expect(header!.y).toBeGreaterThanOrEqual(box!.y + box!.height - 1);
}

async function expectSignedInHome(page: Page) {
  await page.getByRole("heading", { level: 1, name: `Welcome, ${STAKEHOLDER.name}` }).waitFor();
  expect(new URL(page.url()).pathname).toBe("/");
  expect(await page.locator("main").textContent()).toContain(STAKEHOLDER.organisation);
  expect(await page.locator(".site-header").textContent()).toContain(STAKEHOLDER.organisation);
}

/** Every POST the page sends, as "document" (a plain form) or "fetch" (Remix's enhanced form). */
function recordPosts(page: Page) {
  const posts: string[] = [];
  page.on("request", (request) => {
    // Remix's single fetch posts to the route's ".data" address.
    const route = new URL(request.url()).pathname.replace(/\.data$/, "");
    if (request.method() === "POST") posts.push(`${request.resourceType()} ${route}`);
  });
  return posts;
}

/** Signing out with the header's button ends the session: home sends the visitor back to /login. */
async function signOut(page: Page) {
  await submit(page, page.getByRole("button", { name: "Sign out" }));
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  await page.goto(`${portal.url}/`);
  expect(new URL(page.url()).pathname).toBe("/login");
}

describe("a stakeholder signs in with the link from the demo mailbox", () => {
  it("works with JavaScript, without a console error, page error or CSP violation", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = collectProblems(page);
    const posts = recordPosts(page);
    const before = await mailboxMark(page, portal.url);

    await requestLink(page, portal.url, STAKEHOLDER.email);
    expect(await page.locator("main").textContent()).toContain(STAKEHOLDER.email);

    await openNewestMessageFor(page, portal.url, STAKEHOLDER.email, before);
    await followLinkInMessage(page, portal.url);
    // Opening the link signed nobody in yet: that takes the button.
    expect((await context.cookies()).filter((cookie) => /session/i.test(cookie.name))).toEqual([]);
    await pressSignIn(page);

    await expectSignedInHome(page);
    const [session] = (await context.cookies()).filter((cookie) => /session/i.test(cookie.name));
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await page.reload();
    await expectSignedInHome(page);
    await signOut(page);

    // JavaScript is on: Remix sent every form with fetch, without loading a new document.
    expect(posts).toEqual(["fetch /login", "fetch /login/link", "fetch /logout"]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("works with JavaScript disabled: every form is a plain HTML form", async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    const problems = collectProblems(page);
    const posts = recordPosts(page);
    const before = await mailboxMark(page, portal.url);

    await requestLink(page, portal.url, STAKEHOLDER.email);
    expect(await page.locator("main").textContent()).toContain(STAKEHOLDER.email);

    await openNewestMessageFor(page, portal.url, STAKEHOLDER.email, before);
    await followLinkInMessage(page, portal.url);
    await pressSignIn(page);

    await expectSignedInHome(page);
    await signOut(page);

    // Each form was posted by the browser itself, and each answer was a new document.
    expect(posts).toEqual(["document /login", "document /login/link", "document /logout"]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows an invalid email address at its field, with and without JavaScript", async () => {
    for (const javaScriptEnabled of [true, false]) {
      const context = await newContext(browser, { javaScriptEnabled });
      const page = await context.newPage();
      const problems = collectProblems(page);
      await page.goto(`${portal.url}/login`);
      await page.getByLabel("Email address").fill("not an address");
      await submit(page, page.getByRole("button", { name: "Send me a sign-in link" }), 400);
      await page.locator("#email-error").waitFor();
      expect(await page.getByLabel("Email address").getAttribute("aria-invalid")).toBe("true");
      expect(await page.getByLabel("Email address").inputValue()).toBe("not an address");
      expect(await page.getByRole("alert").textContent()).toMatch(/correct/i);
      // A failed form answers 400, which the browser reports as a failed resource load.
      expect(problems.filter((problem) => !/status of 400/.test(problem))).toEqual([]);
      await context.close();
    }
  });
});

describe("the handling mark", () => {
  it("is visible at the top of the sign-in page and of the home page", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const before = await mailboxMark(page, portal.url);
    await page.goto(`${portal.url}/login`);
    await expectHandlingMarkAtTop(page, "TLP:CLEAR");

    await requestLink(page, portal.url, STAKEHOLDER.email);
    await openNewestMessageFor(page, portal.url, STAKEHOLDER.email, before);
    await followLinkInMessage(page, portal.url);
    await pressSignIn(page);
    await expectSignedInHome(page);
    await expectHandlingMarkAtTop(page, "TLP:GREEN");
    await context.close();
  });
});
