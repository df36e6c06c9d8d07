import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectProblems, expectAccessible, launchChromium, newContext } from "../support/browser";
import { startPortal, type Portal } from "../support/portal";
import { followLinkInMessage, mailboxMark, openNewestMessageFor, pressSignIn, requestLink, signIn } from "./flows";

const STAKEHOLDER = "katharina.huber@donau-privatbank.example";
const ADMIN = "elena.conti@taskforce.example";
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

// Set SCREENSHOT_DIR (e.g. /tmp/shots) to keep a picture of each page looked at.
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR;

let portal: Portal;
let browser: Browser;
beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchChromium()]);
  if (SCREENSHOT_DIR) fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

async function screenshot(page: Page, name: string) {
  if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** The page fits the width of the screen: nothing makes the whole document scroll sideways. */
async function expectNoHorizontalScroll(page: Page, what: string) {
  const { scrollWidth, clientWidth, widest } = await page.evaluate(() => {
    const root = document.documentElement;
    // The element reaching furthest right, to name in the failure message.
    let widest = "";
    let right = 0;
    for (const element of Array.from(document.body.querySelectorAll("*"))) {
      const box = element.getBoundingClientRect();
      if (box.right > right) {
        right = box.right;
        widest = `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(" ").join(".")}` : ""} (right edge ${Math.round(box.right)}px)`;
      }
    }
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, widest };
  });
  expect(scrollWidth, `${what} scrolls sideways on a phone: ${scrollWidth}px wide in ${clientWidth}px; widest: ${widest}`).toBeLessThanOrEqual(
    clientWidth,
  );
}

describe("accessibility (axe-core, WCAG 2.1 A and AA and best practice)", () => {
  it("has no violations along the sign-in of a stakeholder, nor on their home page", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = collectProblems(page);

    await page.goto(`${portal.url}/login`);
    await expectAccessible(page, "the sign-in page");
    await screenshot(page, "login");

    const before = await mailboxMark(page, portal.url);
    await requestLink(page, portal.url, STAKEHOLDER);
    await expectAccessible(page, 'the "Check your email" answer');

    await openNewestMessageFor(page, portal.url, STAKEHOLDER, before);
    await followLinkInMessage(page, portal.url);
    await expectAccessible(page, "the sign-in link page");

    await pressSignIn(page);
    await page.getByRole("heading", { level: 1, name: "Welcome, Katharina Huber" }).waitFor();
    await expectAccessible(page, "the stakeholder's home page");
    await screenshot(page, "home-stakeholder");

    expect(problems).toEqual([]);
    await context.close();
  });

  it("has no violations on the admin's home page and people list", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = collectProblems(page);

    await signIn(page, portal.url, ADMIN);
    await page.getByRole("heading", { level: 1, name: "Welcome, Elena Conti" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Administration" }).waitFor();
    await expectAccessible(page, "the admin's home page");
    await screenshot(page, "home-admin");

    await page.goto(`${portal.url}/admin/users`);
    await page.getByRole("heading", { level: 1, name: "People" }).waitFor();
    await expectAccessible(page, "the admin's people list");
    await screenshot(page, "admin-users");

    expect(problems).toEqual([]);
    await context.close();
  });
});

describe("on a phone (390 x 844)", () => {
  it("shows the sign-in page and the home pages without sideways scrolling", async () => {
    const stakeholder = await newContext(browser, PHONE);
    const page = await stakeholder.newPage();
    const problems = collectProblems(page);

    await page.goto(`${portal.url}/login`);
    await expectNoHorizontalScroll(page, "the sign-in page");
    await screenshot(page, "login-phone");

    await signIn(page, portal.url, STAKEHOLDER);
    await expectNoHorizontalScroll(page, "the stakeholder's home page");
    // The page is laid out for the phone, not shrunk to fit: its text keeps its size.
    expect(await page.evaluate(() => window.innerWidth)).toBe(390);
    await screenshot(page, "home-stakeholder-phone");
    await stakeholder.close();

    const admin = await newContext(browser, PHONE);
    const adminPage = await admin.newPage();
    const adminProblems = collectProblems(adminPage);
    await signIn(adminPage, portal.url, ADMIN);
    await expectNoHorizontalScroll(adminPage, "the admin's home page");
    await screenshot(adminPage, "home-admin-phone");
    await adminPage.goto(`${portal.url}/admin/users`);
    await expectNoHorizontalScroll(adminPage, "the admin's people list");
    await screenshot(adminPage, "admin-users-phone");
    await admin.close();

    expect([...problems, ...adminProblems]).toEqual([]);
  });
});
