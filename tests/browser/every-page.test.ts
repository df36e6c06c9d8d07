import fs from "node:fs";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { and, count, eq, ne } from "drizzle-orm";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoRound } from "../../db/demo-round";
import { assessmentEditions, broadcasts, consultations, meetings, meetingSlots, organisations, outbox, threatInputs, users } from "../../db/schema";
import { getAccount } from "~/modules/accounts/service.server";
import { claimDueMail, enqueueMail, markFailed } from "~/modules/mail/outbox.server";
import { agencyFormSchema, createAgency, issueKey, keyFormSchema } from "~/modules/taxii/service.server";
import { axeViolations, collectProblems, launchChromium, newContext } from "../support/browser";
import { broadcastsSettled, startPortal, type Portal } from "../support/portal";
import { followLinkInMessage, mailboxMark, openNewestMessageFor, pressSignIn, submit } from "./flows";

// Every page of the story, as each role meets it, on a desktop and on a phone: no axe-core
// violation (WCAG 2.0 to 2.2 A and AA, target size among them, and best practice), nothing that
// scrolls sideways on the phone (neither the page nor a table, whose key columns would then be
// off-screen), no console or page error; and a full-page picture of each, in
// test-results/every-page/, to look at. The data is the demo round a newcomer meets, built
// through the modules' own functions, so that lists and tables are as full as in use. The last
// test fails when the portal has a page that none of the others visited.

const DESKTOP: BrowserContextOptions = { viewport: { width: 1366, height: 768 } };
const PHONE: BrowserContextOptions = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const VIEWPORTS = { desktop: DESKTOP, phone: PHONE } as const;
type Viewport = keyof typeof VIEWPORTS;

const SHOTS = path.resolve("test-results/every-page");

const PEOPLE = {
  coordinator: "anna.visser@taskforce.example",
  bogota: "andres.restrepo@bancocordillera.example",
  vienna: "katharina.huber@donau-privatbank.example",
  analyst: "thomas.keller@taskforce.example",
  admin: "elena.conti@taskforce.example",
} as const;
type Person = keyof typeof PEOPLE;
const SIGN_IN_SUBJECT = "Your sign-in link for Taskforce Consult";

type Ids = ReturnType<typeof arrange>;
let portal: Portal;
let browser: Browser;
let ids: Ids;
/** The route ids of every page looked at, to compare with the portal's own list of pages. */
const routesSeen = new Set<string>();

/**
 * The demo round, an agency with a key, a message the relay refused for good; and the ids of
 * what the pages show.
 */
function arrange(portal: Portal) {
  const db = portal.db();
  seedDemoRound(db, { appUrl: portal.url });
  const idOf = (email: string) => db.select().from(users).where(eq(users.email, email)).get()!.id;
  const admin = getAccount(db, idOf(PEOPLE.admin));
  const actor = { userId: admin.id, origin: {}, appUrl: portal.url };
  const agency = createAgency(db, admin, agencyFormSchema.parse({ name: "Bundeskriminalamt", country: "DE" }), actor);
  issueKey(db, admin, agency, keyFormSchema.parse({ label: "MISP at the BKA" }), actor);

  const byTitle = <T extends { id: number; title: string }>(rows: T[], title: RegExp) => rows.find((row) => title.test(row.title))!.id;
  const autumn = byTitle(db.select().from(consultations).all(), /autumn round/);
  const inputOf = (email: string) => {
    const organisationId = db.select().from(users).where(eq(users.email, email)).get()!.organisationId!;
    return db
      .select({ id: threatInputs.id })
      .from(threatInputs)
      .where(and(eq(threatInputs.consultationId, autumn), eq(threatInputs.organisationId, organisationId)))
      .get()!.id;
  };
  const roundTable = byTitle(db.select().from(meetings).all(), /^Round table/);
  return {
    autumn,
    spring: byTitle(db.select().from(consultations).all(), /spring round/),
    kickOff: byTitle(db.select().from(meetings).all(), /^Kick-off/),
    roundTable,
    roundTableSlot: db.select().from(meetingSlots).where(eq(meetingSlots.meetingId, roundTable)).orderBy(meetingSlots.startsAt).get()!.id,
    published: byTitle(db.select().from(assessmentEditions).all(), /autumn/),
    draft: byTitle(db.select().from(assessmentEditions).all(), /winter/),
    bogotaInput: inputOf(PEOPLE.bogota),
    viennaInput: inputOf(PEOPLE.vienna),
    redInput: inputOf("giulia.rossi@vigilanzadigitale.example"),
    agency,
    person: idOf(PEOPLE.vienna),
    organisation: db.select().from(organisations).where(eq(organisations.name, "Banco Cordillera S.A.")).get()!.id,
  };
}

/**
 * A message written two days ago that the relay refused, as the worker records it, and a
 * broadcast set aside after its failures: the outbox page's tables of trouble. Written once the
 * demo round's mail is out, the message in one transaction with its claim, so that the portal's
 * own worker never sees it.
 */
async function mailTrouble(portal: Portal) {
  const db = portal.db();
  await broadcastsSettled(portal);
  const deadline = Date.now() + 15_000;
  while (db.select({ n: count() }).from(outbox).where(ne(outbox.status, "sent")).get()!.n > 0) {
    if (Date.now() > deadline) throw new Error("the demo round's mail is still not out after 15 s");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const now = new Date();
  db.transaction(() => {
    const written = new Date(now.getTime() - 2 * 86_400_000);
    const mail = { to: "former.ciso@northernmaple.example", template: "invitation", subject: "You are invited: a consultation of the taskforce", html: "<p>Invitation</p>", text: "Invitation" };
    enqueueMail(db, mail, { appUrl: portal.url, now: written });
    const [row] = claimDueMail(db, { owner: "every-page test", now, leaseMs: 60_000, limit: 1 });
    markFailed(db, row!, "every-page test", "550 5.1.1 <former.ciso@northernmaple.example>: mailbox unavailable", now, { baseMs: 60_000, maxMs: 60_000, giveUpAfterMs: 86_400_000 });
  });
  db.insert(broadcasts)
    .values({
      kind: "meeting-digest",
      payload: {},
      createdAt: new Date(now.getTime() - 3_600_000),
      failures: 5,
      lastError: 'This version of the portal cannot compose a broadcast of the kind "meeting-digest".',
      setAsideAt: now,
    })
    .run();
}

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchChromium()]);
  ids = arrange(portal);
  await mailTrouble(portal);
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** What is wrong with the page on screen, in words; empty when nothing is. */
async function inspect(page: Page, viewport: Viewport): Promise<string[]> {
  const found = (await axeViolations(page)).map(
    (violation) => `${violation.id} (${violation.impact}): ${violation.help}\n      ${violation.targets.join("\n      ")}`,
  );
  if (viewport === "phone") {
    found.push(
      ...(await page.evaluate(() => {
        const problems: string[] = [];
        // Laid out for the phone, not shrunk to fit: its text keeps its size.
        if (window.innerWidth !== 390) problems.push(`laid out ${window.innerWidth}px wide, not for the phone's 390px`);
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) problems.push(`the page scrolls sideways: ${root.scrollWidth}px in ${root.clientWidth}px`);
        for (const element of Array.from(document.querySelectorAll<HTMLElement>("body *"))) {
          if (!["auto", "scroll"].includes(getComputedStyle(element).overflowX) || element.scrollWidth <= element.clientWidth) continue;
          const name = element.getAttribute("aria-label") ?? element.className;
          problems.push(`${element.tagName.toLowerCase()} "${name}" scrolls sideways: ${element.scrollWidth}px in ${element.clientWidth}px`);
        }
        return problems;
      })),
    );
  }
  return found;
}

/** The route ids Remix matched for the page on screen (none on a page without scripts). */
function routeIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const router = (window as { __remixRouter?: { state: { matches: { route: { id: string } }[] } } }).__remixRouter;
    return router ? router.state.matches.map((match) => match.route.id) : [];
  });
}

type Visit = {
  /** The picture's file name, and the page's name in a failure. */
  name: string;
  path: (ids: Ids) => string;
  /** Brings the page to the state to look at: fills a form, presses a button. */
  then?: (page: Page) => Promise<void>;
  /** The answer expected: of the page, or of the form `then` sends. */
  status?: number;
  /** The route this page is, when the page is sent without scripts (so Remix cannot say). */
  route?: string;
};

/** One person (or nobody), on a desktop and on a phone at once, looking at page after page. */
class Viewer {
  readonly pages = {} as Record<Viewport, Page>;
  readonly problems = {} as Record<Viewport, string[]>;
  private contexts: BrowserContext[] = [];

  constructor(readonly who: Person | "signed-out") {}

  async open() {
    for (const viewport of Object.keys(VIEWPORTS) as Viewport[]) {
      const context = await newContext(browser, VIEWPORTS[viewport]);
      this.contexts.push(context);
      this.pages[viewport] = await context.newPage();
      this.problems[viewport] = collectProblems(this.pages[viewport]);
    }
  }

  close() {
    return Promise.all(this.contexts.map((context) => context.close()));
  }

  /** Signs in once, through the demo mailbox, on the desktop; the phone gets the same session. */
  async signIn(email: string) {
    const page = this.pages.desktop;
    const before = await mailboxMark(page, portal.url);
    await page.goto(`${portal.url}/login`);
    await page.getByLabel("Email address").fill(email);
    await submit(page, page.getByRole("button", { name: "Send me a sign-in link" }));
    await openNewestMessageFor(page, portal.url, email, before);
    await followLinkInMessage(page, portal.url);
    await pressSignIn(page);
    await page.getByRole("heading", { level: 1, name: /^Welcome, / }).waitFor();
    await this.pages.phone.context().addCookies(await page.context().cookies());
  }

  async look(visit: Visit) {
    const status = visit.status ?? 200;
    const failures = await Promise.all(
      (Object.keys(this.pages) as Viewport[]).map(async (viewport) => {
        const page = this.pages[viewport];
        const response = await page.goto(`${portal.url}${visit.path(ids)}`);
        if (visit.then) await visit.then(page);
        else if (response?.status() !== status) throw new Error(`${visit.name} answered ${response?.status()}, expected ${status}`);
        const found = await inspect(page, viewport);
        // Chromium reports an answer of 400 or more as a failed load: the one expected is no problem.
        const expected = `Failed to load resource: the server responded with a status of ${status} `;
        found.push(...this.problems[viewport].splice(0).filter((problem) => status === 200 || !problem.includes(expected)));
        for (const id of visit.route ? [visit.route] : await routeIds(page)) routesSeen.add(id);
        await page.screenshot({ path: path.join(SHOTS, `${this.who}-${visit.name}-${viewport}.png`), fullPage: true, scale: "css" });
        return found.length ? [`${visit.name} on a ${viewport} (${page.url()}):\n    ${found.join("\n    ")}`] : [];
      }),
    );
    expect(failures.flat(), failures.flat().join("\n")).toEqual([]);
  }
}

function story(who: Person | "signed-out", visits: Visit[]) {
  describe(who === "signed-out" ? "signed out" : `as the ${who} (${PEOPLE[who]})`, () => {
    const viewer = new Viewer(who);
    beforeAll(() => viewer.open());
    afterAll(() => viewer.close());
    if (who !== "signed-out") it("signs in through the demo mailbox", () => viewer.signIn(PEOPLE[who]));
    for (const visit of visits) it(visit.name, () => viewer.look(visit));
  });
}

/** Opens the newest sign-in message from the demo mailbox. */
async function openSignInMessage(page: Page) {
  await page.getByRole("link", { name: SIGN_IN_SUBJECT, exact: true }).first().click();
  await page.getByRole("heading", { level: 1, name: /sign-in link/i }).waitFor();
}

story("signed-out", [
  { name: "login", path: () => "/login" },
  {
    name: "login-sent",
    path: () => "/login",
    then: async (page) => {
      await page.getByLabel("Email address").fill(PEOPLE.vienna);
      await submit(page, page.getByRole("button", { name: "Send me a sign-in link" }));
      await page.getByRole("heading", { level: 1, name: "Check your email" }).waitFor();
    },
  },
  { name: "mailbox", path: () => "/dev/mailbox" },
  { name: "mailbox-message", path: () => "/dev/mailbox", then: openSignInMessage },
  {
    name: "login-link",
    path: () => "/dev/mailbox",
    then: async (page) => {
      await openSignInMessage(page);
      await followLinkInMessage(page, portal.url);
    },
  },
  { name: "not-found", path: () => "/no-such-page", status: 404 },
  // A refusal of the request guard: the portal's error page, sent without scripts.
  { name: "refused", path: () => "/consultations/%E0%A4%A", status: 400, route: "routes/refused" },
]);

story("coordinator", [
  { name: "home", path: () => "/" },
  { name: "consultations", path: () => "/consultations" },
  { name: "consultation", path: (ids) => `/consultations/${ids.autumn}` },
  { name: "consultation-closed", path: (ids) => `/consultations/${ids.spring}` },
  { name: "consultation-edit", path: (ids) => `/consultations/${ids.autumn}/edit` },
  { name: "consultation-new", path: () => "/consultations/new" },
  {
    name: "consultation-draft",
    path: () => "/consultations/new",
    then: async (page) => {
      await page.getByLabel("Title").fill("Underground forums: winter round");
      await page.getByLabel("Underground forums and marketplaces").check();
      await page.getByLabel("Date", { exact: true }).fill("2027-02-26");
      await page.getByLabel("Time", { exact: true }).fill("17:00");
      await page.getByLabel("Rheinwelle Telekom GmbH (DE)").check();
      await submit(page, page.getByRole("button", { name: "Create draft" }));
      await page.getByRole("button", { name: "Open and send invitations" }).waitFor();
    },
  },
  { name: "meeting-new", path: (ids) => `/consultations/${ids.autumn}/meetings/new` },
  {
    name: "meeting-new-preview",
    path: (ids) => `/consultations/${ids.autumn}/meetings/new`,
    then: async (page) => {
      // Europe's clocks go back on 31 October 2027; America's a week later.
      await page.getByLabel("Title").fill("Follow-up on ransomware");
      await page.getByLabel("Slot 1 date").fill("2027-10-29");
      await page.getByLabel("Slot 1 start").fill("09:00");
      await page.getByLabel("Slot 2 date").fill("2027-11-01");
      await page.getByLabel("Slot 2 start").fill("17:00");
      await submit(page, page.getByRole("button", { name: "Preview in each invitee's time" }));
      await page.getByRole("heading", { level: 2, name: "How each invitee will read the slots" }).waitFor();
    },
  },
  { name: "meeting-poll", path: (ids) => `/meetings/${ids.roundTable}` },
  // Settling the time while some invitees have not answered asks first.
  { name: "meeting-finalise", path: (ids) => `/meetings/${ids.roundTable}/finalise?slotId=${ids.roundTableSlot}` },
  { name: "meeting-scheduled", path: (ids) => `/meetings/${ids.kickOff}` },
  { name: "assessments", path: () => "/assessments" },
  { name: "edition-published", path: (ids) => `/assessments/${ids.published}` },
  { name: "settings", path: () => "/settings" },
]);

story("bogota", [
  { name: "home", path: () => "/" },
  { name: "consultations", path: () => "/consultations" },
  { name: "consultation", path: (ids) => `/consultations/${ids.autumn}` },
  { name: "meeting-poll", path: (ids) => `/meetings/${ids.roundTable}` },
  { name: "meeting-scheduled", path: (ids) => `/meetings/${ids.kickOff}` },
  // Accepted, and used in the published edition: what became of it.
  { name: "input", path: (ids) => `/inputs/${ids.bogotaInput}` },
  { name: "input-version", path: (ids) => `/inputs/${ids.bogotaInput}/versions/1` },
  { name: "input-form", path: (ids) => `/consultations/${ids.autumn}/input` },
  { name: "settings", path: () => "/settings" },
]);

story("vienna", [
  { name: "home", path: () => "/" },
  { name: "consultation", path: (ids) => `/consultations/${ids.autumn}` },
  { name: "consultation-closed", path: (ids) => `/consultations/${ids.spring}` },
  // The analysts asked a question that waits for her answer.
  { name: "input-question", path: (ids) => `/inputs/${ids.viennaInput}` },
  {
    name: "input-form-errors",
    path: (ids) => `/consultations/${ids.autumn}/input`,
    status: 400,
    then: async (page) => {
      const item = page.locator('[id="item-1"]');
      await item.getByLabel("Title").fill("");
      await item.getByLabel("Indicators").fill("hxxps://donau-secure[.]example/login\n999.1.1.1");
      await submit(page, page.getByRole("button", { name: /^Submit/ }), 400);
      await page.locator(".error-summary").waitFor();
    },
  },
  { name: "meeting-scheduled", path: (ids) => `/meetings/${ids.kickOff}` },
  { name: "settings", path: () => "/settings" },
]);

story("analyst", [
  { name: "home", path: () => "/" },
  { name: "consultations", path: () => "/consultations" },
  { name: "consultation", path: (ids) => `/consultations/${ids.autumn}` },
  { name: "triage", path: () => "/triage" },
  { name: "input-question", path: (ids) => `/inputs/${ids.viennaInput}` },
  { name: "input-red", path: (ids) => `/inputs/${ids.redInput}` },
  { name: "input-version", path: (ids) => `/inputs/${ids.redInput}/versions/1` },
  { name: "search", path: () => "/search?q=Grandoreiro" },
  { name: "assessments", path: () => "/assessments" },
  { name: "edition-new", path: () => "/assessments/new" },
  { name: "edition-draft", path: (ids) => `/assessments/${ids.draft}` },
  { name: "publish-confirm", path: (ids) => `/assessments/${ids.draft}/publish` },
  { name: "edition-published", path: (ids) => `/assessments/${ids.published}` },
  { name: "items-behind", path: (ids) => `/assessments/${ids.published}/items?area=banking_trojans` },
  { name: "print", path: (ids) => `/assessments/${ids.published}/print` },
  { name: "help", path: () => "/help/assessment" },
  { name: "settings", path: () => "/settings" },
]);

story("admin", [
  { name: "home", path: () => "/" },
  { name: "admin", path: () => "/admin" },
  { name: "people", path: () => "/admin/users" },
  { name: "person-new", path: () => "/admin/users/new" },
  { name: "person", path: (ids) => `/admin/users/${ids.person}` },
  { name: "organisations", path: () => "/admin/organisations" },
  { name: "organisation-new", path: () => "/admin/organisations/new" },
  { name: "organisation", path: (ids) => `/admin/organisations/${ids.organisation}` },
  { name: "agencies", path: () => "/admin/agencies" },
  { name: "agency", path: (ids) => `/admin/agencies/${ids.agency}` },
  { name: "audit", path: () => "/admin/audit" },
  { name: "outbox", path: () => "/admin/outbox" },
  { name: "settings", path: () => "/settings" },
]);

describe("the portal's pages", () => {
  it("were all visited above", async () => {
    const build = (await import(path.resolve("build/index.js"))) as ServerBuild;
    const pages = Object.entries(build.routes)
      .filter(([, route]) => route.module.default !== undefined)
      .map(([id]) => id);
    expect(pages.filter((id) => !routesSeen.has(id))).toEqual([]);
  });
});
