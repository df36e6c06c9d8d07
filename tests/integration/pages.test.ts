import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consultationOrganisations, consultations, meetingAttendance, meetings, meetingSlots, organisations, outbox, slotVotes, threatInputs, users } from "../../db/schema";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { attr, decode, mainText, tableRows, textOf } from "./html";

// Bounded pages (issue 13.1): every list shows at most a page, "next" walks every row once in
// order, filters hold across pages, and page 1 weighs the same at N and at 10×N rows. Rows are
// planted straight into the portal's database, with fixed-width names so that sizes compare.

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let admin: Visitor;
let coordinator: Visitor;
let analyst: Visitor;
const PREFIX = "Zz bulk";
const T0 = Date.UTC(2025, 0, 1);
const pad = (n: number) => String(n).padStart(5, "0");
const userId = (email: string) => portal.db().select().from(users).where(eq(users.email, email)).get()!.id;

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  admin = await signIn(portal, smtp, "elena.conti@taskforce.example");
  coordinator = await signIn(portal, smtp, "anna.visser@taskforce.example");
  analyst = await signIn(portal, smtp, "thomas.keller@taskforce.example");
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

/** The href of the page's link with rel="next" (the pager's), or null on the last page. */
function nextLink(html: string, label: string): string | null {
  const nav = html.match(new RegExp(`<nav\\b[^>]*aria-label="${label}"[^>]*>([\\s\\S]*?)</nav>`))?.[1];
  const tag = nav?.match(/<a\b[^>]*rel="next"[^>]*>/)?.[0];
  return tag ? attr(tag, "href")! : null;
}

/** Follows "next" from `start`, returning each page's rows (by `rowsOf`) and page 1's HTML. */
async function walk(visitor: Visitor, start: string, label: string, rowsOf: (html: string) => string[]) {
  const pages: string[][] = [];
  let first = "";
  for (let url: string | null = start; url; ) {
    const response = await visitor.get(url);
    expect(response.status, url).toBe(200);
    const html = await response.text();
    if (!first) first = html;
    pages.push(rowsOf(html));
    url = nextLink(html, label);
    expect(pages.length).toBeLessThan(100);
  }
  return { pages, rows: pages.flat(), first };
}

const firstCells = (html: string) => tableRows(html).map((row) => row[0]!);
const bulk = (rows: string[]) => rows.filter((row) => row.includes(PREFIX));
/**
 * The page's size without what varies from one response to the next (the one-time form key and
 * the scripts' nonce, wherever they occur) and with every number as one digit (id 40 and id 400
 * are the same row's worth). The cursors in the links may still differ by a few characters.
 */
function weight(html: string): number {
  const varying = [/name="submitKey" value="([^"]+)"/, /nonce="([^"]+)"/].map((pattern) => html.match(pattern)?.[1]);
  const steady = varying.reduce<string>((text, value) => (value ? text.split(value).join("") : text), html);
  return steady.replace(/\d+/g, "0").length;
}

/**
 * Page 1 at 10× the rows weighs what it did: within 100 bytes, what the cursors' lengths and
 * the loader data's encoding (which refers back to repeated values) vary by, never a row's worth.
 */
const expectSameWeight = (large: string, small: string) => expect(Math.abs(weight(large) - weight(small))).toBeLessThan(100);

function plantConsultations(from: number, to: number) {
  const db = portal.db();
  const coordinatorId = userId("thomas.keller@taskforce.example");
  db.transaction((tx) => {
    for (let n = from; n < to; n++) {
      tx.insert(consultations)
        .values({
          title: `${PREFIX} consultation ${pad(n)}`,
          crimeAreas: ["botnets"],
          inputDeadline: new Date(T0 + 400 * 86_400_000),
          deadlineTimeZone: "Europe/Rome",
          status: n % 3 === 0 ? "closed" : "open",
          coordinatorUserId: coordinatorId,
          // Every tenth shares its instant with the one before: the id breaks the tie.
          createdAt: new Date(T0 + (n - (n % 10 === 1 ? 1 : 0)) * 60_000),
        })
        .run();
    }
  });
}

describe("the consultations list", () => {
  it("pages newest first with every consultation once, keeps the filter in its links, and weighs the same at 10× the rows", async () => {
    plantConsultations(0, 40);
    const small = await walk(coordinator, "/consultations?q=bulk", "Pages of consultations", firstCells);
    expect(small.pages[0]).toHaveLength(25);
    expect(mainText(small.first)).toContain("40 consultations match");
    plantConsultations(40, 400);
    const large = await walk(coordinator, "/consultations?q=bulk", "Pages of consultations", firstCells);
    expect(large.pages.every((page) => page.length <= 25)).toBe(true);
    const expected = Array.from({ length: 400 }, (_, n) => `${PREFIX} consultation ${pad(399 - n)}`);
    // Newest first; where two share an instant, the higher id (the later one) first.
    expect(large.rows).toEqual(expected);
    expectSameWeight(large.first, small.first);

    const closed = await walk(coordinator, "/consultations?status=closed&q=bulk", "Pages of consultations", (html) =>
      tableRows(html).map((row) => `${row[0]} ${row[3]}`),
    );
    expect(closed.rows).toHaveLength(134);
    expect(closed.rows.every((row) => row.endsWith("Closed"))).toBe(true);
    expect(nextLink(closed.first, "Pages of consultations")).toMatch(/^\/consultations\?status=closed&q=bulk&after=[\w-]+$/);
  });

  it("searches titles with % and _ taken literally, and ignores a cursor that is not one", async () => {
    expect(firstCells(await (await coordinator.get("/consultations?q=%25")).text())).toEqual([]);
    const response = await coordinator.get("/consultations?q=bulk&after=not-a-cursor&status=nonsense");
    expect(response.status).toBe(200);
    expect(firstCells(await response.text())[0]).toBe(`${PREFIX} consultation ${pad(399)}`);
  });
});

describe("the home page", () => {
  it("counts the consultations in each state and lists a few, the same size at any number", async () => {
    const html = await (await coordinator.get("/")).text();
    const text = mainText(html);
    const open = portal.db().select().from(consultations).where(eq(consultations.status, "open")).all().length;
    expect(text).toContain(`All ${open} open consultations`);
    expect(html).toContain('href="/consultations?status=open"');
    const listed = (html.match(/<h3>Open, newest first<\/h3>\s*<ul[^>]*>([\s\S]*?)<\/ul>/)?.[1] ?? "").match(/<li\b/g) ?? [];
    expect(listed).toHaveLength(5);
    expect(html.length).toBeLessThan(60_000);
  });
});

function plantPeople(from: number, to: number, organisationId: number) {
  portal.db().transaction((tx) => {
    for (let n = from; n < to; n++) {
      tx.insert(users).values({ name: `${PREFIX} person ${pad(n)}`, email: `bulk.${pad(n)}@bulk.example`, organisationId }).run();
    }
  });
}

function plantOrganisations(from: number, to: number) {
  portal.db().transaction((tx) => {
    for (let n = from; n < to; n++) {
      tx.insert(organisations).values({ name: `${PREFIX} organisation ${pad(n)}`, sector: "bank", country: "IT", kind: "private" }).run();
    }
  });
}

const bulkOrganisation = () => portal.db().select().from(organisations).where(eq(organisations.name, `${PREFIX} organisation ${pad(0)}`)).get()!.id;

describe("the admin lists", () => {
  it("organisations: by name, every one once, searched on the server, the same size at 10×", async () => {
    plantOrganisations(0, 60);
    const small = await walk(admin, "/admin/organisations?q=bulk", "Pages of organisations", firstCells);
    expect(small.pages[0]).toHaveLength(50);
    plantOrganisations(60, 600);
    const large = await walk(admin, "/admin/organisations?q=bulk", "Pages of organisations", firstCells);
    expect(large.rows).toEqual(Array.from({ length: 600 }, (_, n) => `${PREFIX} organisation ${pad(n)}`));
    expectSameWeight(large.first, small.first);
    // Without a search, the seeded organisations come first by name and the planted ones follow, each once.
    const all = await walk(admin, "/admin/organisations", "Pages of organisations", firstCells);
    expect(bulk(all.rows)).toEqual(large.rows);
    expect(new Set(all.rows).size).toBe(all.rows.length);
  });

  it("people: by name, every one once, with the role and search filters kept in the links", async () => {
    const organisationId = bulkOrganisation();
    plantPeople(0, 60, organisationId);
    const small = await walk(admin, "/admin/users?q=bulk.example", "Pages of people", firstCells);
    expect(small.pages[0]).toHaveLength(50);
    plantPeople(60, 600, organisationId);
    const large = await walk(admin, "/admin/users?q=bulk.example", "Pages of people", firstCells);
    expect(large.rows).toEqual(Array.from({ length: 600 }, (_, n) => `${PREFIX} person ${pad(n)}`));
    expectSameWeight(large.first, small.first);
    expect(mainText(large.first)).toContain("600 people match");
    // Nobody planted holds a role: the role filter holds on every page.
    const analysts = await walk(admin, "/admin/users?role=analyst", "Pages of people", (html) => tableRows(html).map((row) => row[3]!));
    expect(analysts.rows.length).toBeGreaterThan(0);
    expect(analysts.rows.every((roles) => roles.includes("Analyst"))).toBe(true);
  });

  it("the outbox: troubled mail newest first, every message once, the same size at 10×", async () => {
    const plant = (from: number, to: number) =>
      portal.db().transaction((tx) => {
        for (let n = from; n < to; n++) {
          const at = new Date(T0 + n * 60_000);
          tx.insert(outbox)
            .values({
              messageId: `<${randomUUID()}@bulk.example>`,
              template: "bulk",
              toAddress: `bulk.${pad(n)}@bulk.example`,
              subject: `${PREFIX} message ${pad(n)}`,
              html: "<p>bulk</p>",
              text: "bulk",
              // Dead ones and retried ones are trouble; sent ones are not, and are never listed.
              status: n % 3 === 2 ? "sent" : n % 3 === 1 ? "pending" : "dead",
              attempts: n % 3 === 2 ? 1 : 3,
              nextAttemptAt: new Date(T0 + 900 * 86_400_000),
              createdAt: at,
              deadAt: n % 3 === 0 ? at : null,
            })
            .run();
        }
      });
    const subjects = (html: string) => tableRows(html).map((row) => row[2]!);
    plant(0, 90);
    const small = await walk(admin, "/admin/outbox", "Pages of messages with trouble", subjects);
    plant(90, 900);
    const large = await walk(admin, "/admin/outbox", "Pages of messages with trouble", subjects);
    expect(large.pages.every((page) => page.length <= 50)).toBe(true);
    const troubled = Array.from({ length: 900 }, (_, n) => 899 - n).filter((n) => n % 3 !== 2);
    expect(bulk(large.rows)).toEqual(troubled.map((n) => `${PREFIX} message ${pad(n)}`));
    expectSameWeight(large.first, small.first);
  });
});

describe("a consultation's page", () => {
  let consultationId: number;

  function plantRound(from: number, to: number) {
    const db = portal.db();
    const organiserUserId = userId("thomas.keller@taskforce.example");
    db.transaction((tx) => {
      const bulkOrganisations = tx.select({ id: organisations.id }).from(organisations).all().filter((row) => row.id >= bulkOrganisation());
      for (let n = from; n < to; n++) {
        const organisationId = bulkOrganisations[n]!.id;
        tx.insert(consultationOrganisations).values({ consultationId, organisationId }).run();
        tx.insert(threatInputs)
          .values({ consultationId, organisationId, status: n % 5 === 0 ? "withdrawn" : "submitted", currentVersion: 1, submittedAt: new Date(T0 + n * 60_000) })
          .run();
        tx.insert(meetings)
          .values({
            uid: randomUUID(),
            consultationId,
            organiserUserId,
            title: `${PREFIX} meeting ${pad(n)}`,
            durationMinutes: 60,
            timeZone: "Europe/Rome",
            createdAt: new Date(T0 + n * 60_000),
          })
          .run();
      }
    });
  }

  const inviteeNames = (html: string) => tableRows(html.slice(html.indexOf('id="invitees-title"'))).map((row) => row[0]!);
  const inputLinks = (html: string) =>
    tableRows(html.slice(html.indexOf('id="inputs-title"'))).map((row) => row[0]!.replace(/ · v1$/, ""));
  const meetingTitles = (html: string) =>
    [...(html.split('id="meetings-title"')[1]!.split("</section>")[0]!.matchAll(/<a\b[^>]*href="\/meetings\/\d+"[^>]*>([\s\S]*?)<\/a>/g))].map((match) =>
      textOf(match[1]!),
    );

  it("pages invitees, inputs and meetings each on its own cursor, with counts per state, the same size at 10×", async () => {
    consultationId = portal.db().select().from(consultations).where(eq(consultations.title, `${PREFIX} consultation ${pad(1)}`)).get()!.id;
    plantRound(0, 50);
    const path = `/consultations/${consultationId}`;
    const smallHtml = await (await coordinator.get(path)).text();
    plantRound(50, 500);
    const html = await (await coordinator.get(path)).text();
    expectSameWeight(html, smallHtml);
    const text = mainText(html);
    expect(text).toContain("400 inputs are in (and 100 withdrawn)");
    expect(text).toContain("and 480 others");

    // The 600 planted people are all in the first bulk organisation, which the consultation reaches.
    const invitees = await walk(coordinator, path, "Pages of invitees", inviteeNames);
    expect(invitees.pages.every((page) => page.length <= 50)).toBe(true);
    expect(bulk(invitees.rows)).toEqual(Array.from({ length: 600 }, (_, n) => `${PREFIX} person ${pad(n)}`));
    expect(text).toMatch(new RegExp(`Chosen \\(not yet invited\\) ${invitees.rows.length} Invited 0 Viewed 0`));

    const inputs = await walk(analyst, path, "Pages of threat input", inputLinks);
    expect(inputs.pages.every((page) => page.length <= 25)).toBe(true);
    const inputIds = portal
      .db()
      .select({ id: threatInputs.id, submittedAt: threatInputs.submittedAt })
      .from(threatInputs)
      .where(eq(threatInputs.consultationId, consultationId))
      .all()
      .sort((a, b) => b.submittedAt!.getTime() - a.submittedAt!.getTime())
      .map((row) => `Input ${row.id}`);
    expect(inputs.rows).toEqual(inputIds);

    const meetingPages = await walk(coordinator, path, "Pages of meetings", meetingTitles);
    expect(meetingPages.pages.every((page) => page.length <= 10)).toBe(true);
    expect(meetingPages.rows).toEqual(Array.from({ length: 500 }, (_, n) => `${PREFIX} meeting ${pad(499 - n)}`));
  });

  it("keeps each list's place when another list moves on", async () => {
    const path = `/consultations/${consultationId}`;
    const first = await (await coordinator.get(path)).text();
    const meetingsNext = decode(nextLink(first, "Pages of meetings")!);
    const second = await (await coordinator.get(meetingsNext)).text();
    const inviteesNext = decode(nextLink(second, "Pages of invitees")!);
    expect(inviteesNext).toMatch(/meetings=[\w-]+&invitees=[\w-]+$/);
    const third = await (await coordinator.get(inviteesNext)).text();
    expect(meetingTitles(third)).toEqual(meetingTitles(second));
    expect(inviteeNames(third)).not.toEqual(inviteeNames(second));
  });
});

describe("a meeting's page", () => {
  const NAME = "Zz meeting person";
  const personNames = (html: string) => [...html.matchAll(new RegExp(`${NAME} \\d{5}`, "g"))].map((match) => match[0]);
  const sectionOf = (html: string, id: string) => html.slice(html.indexOf(`id="${id}"`)).split("</section>")[0]!;
  // The poll's table of answers, or the list of answers to the invitation once the time is set.
  const answerRows = (html: string) => personNames(sectionOf(html, "coordinator-title").match(/<table class="grid-table[\s\S]*?<\/table>/)?.[0] ?? "");
  const invitedNames = (html: string) => personNames(sectionOf(html, "participants-title"));

  let meetingId: number;
  let organisationId: number;
  let slotIds: number[];
  // Every third answers the first slot; every second lives in Bogota, where 09:00 in Rome is 03:00.
  function plantInvitees(from: number, to: number) {
    portal.db().transaction((tx) => {
      for (let n = from; n < to; n++) {
        const { id } = tx
          .insert(users)
          .values({ name: `${NAME} ${pad(n)}`, email: `meeting.${pad(n)}@bulk.example`, organisationId, timeZone: n % 2 ? "America/Bogota" : "Europe/Rome" })
          .returning({ id: users.id })
          .get();
        if (n % 3 === 0) tx.insert(slotVotes).values({ slotId: slotIds[0]!, userId: id, answer: "yes", updatedAt: new Date(T0) }).run();
      }
    });
  }

  it("pages its invitees and their answers, counts over everyone, and weighs the same at 10×", async () => {
    const db = portal.db();
    organisationId = db.insert(organisations).values({ name: "Zz meeting bank", sector: "bank", country: "IT", kind: "private" }).returning().get().id;
    const consultationId = db
      .insert(consultations)
      .values({
        title: "Zz meeting round",
        crimeAreas: ["botnets"],
        inputDeadline: new Date(Date.now() + 30 * 86_400_000),
        deadlineTimeZone: "Europe/Rome",
        status: "open",
        coordinatorUserId: userId("anna.visser@taskforce.example"),
      })
      .returning()
      .get().id;
    db.insert(consultationOrganisations).values({ consultationId, organisationId }).run();
    meetingId = db
      .insert(meetings)
      .values({ uid: randomUUID(), consultationId, organiserUserId: userId("anna.visser@taskforce.example"), title: "Zz meeting", durationMinutes: 60, timeZone: "Europe/Rome" })
      .returning()
      .get().id;
    const day = Date.UTC(2027, 5, 1, 7); // 09:00 in Rome
    slotIds = [0, 1].map(
      (n) =>
        db
          .insert(meetingSlots)
          .values({ meetingId, startsAt: new Date(day + n * 86_400_000), endsAt: new Date(day + n * 86_400_000 + 3_600_000), timeZone: "Europe/Rome" })
          .returning()
          .get().id,
    );
    const path = `/meetings/${meetingId}`;
    plantInvitees(0, 60);
    const small = await (await coordinator.get(path)).text();
    plantInvitees(60, 600);
    const large = await (await coordinator.get(path)).text();
    expectSameWeight(large, small);

    const text = mainText(large);
    expect(text).toContain("200 of 600 invitees answered.");
    expect(text).toContain("Outside working hours in America/Bogota (300 invitees)");
    // The first 25 who have not answered, by name, and how many more; the reminder goes to all of them.
    const silent = Array.from({ length: 600 }, (_, n) => n).filter((n) => n % 3 !== 0);
    expect(text).toContain(`${silent.slice(0, 25).map((n) => `${NAME} ${pad(n)}`).join(", ")} and 375 others`);
    expect(text).toContain("Remind them by email (400)");

    const everyone = Array.from({ length: 600 }, (_, n) => `${NAME} ${pad(n)}`);
    const answers = await walk(coordinator, path, "Pages of answers", answerRows);
    expect(answers.pages.every((page) => page.length <= 50)).toBe(true);
    expect(answers.rows).toEqual(everyone);
    const invited = await walk(analyst, path, "Pages of invitees", invitedNames);
    expect(invited.pages.every((page) => page.length <= 50)).toBe(true);
    expect(invited.rows).toEqual(everyone);
  });

  it("shows an invitee the organisations only, and keeps the attendance a page at a time", async () => {
    const db = portal.db();
    const path = `/meetings/${meetingId}`;
    const invitee = await signIn(portal, smtp, `meeting.${pad(1)}@bulk.example`);
    const seen = await (await invitee.get(path)).text();
    expect(invitedNames(seen)).toEqual([]);
    expect(textOf(sectionOf(seen, "participants-title"))).toContain("Zz meeting bank");

    // The meeting took place: its record is kept from the answers' pages, each saving its own people.
    const startsAt = new Date(Date.now() - 2 * 3_600_000);
    db.update(meetings).set({ status: "scheduled", startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) }).where(eq(meetings.id, meetingId)).run();
    const first = await (await coordinator.get(path)).text();
    const second = await (await coordinator.get(decode(nextLink(first, "Pages of answers")!))).text();
    const shown = [...second.matchAll(/name="shown" value="(\d+)"/g)].map((match) => match[1]!);
    expect(shown).toHaveLength(50);
    const attended = shown.slice(0, 10);
    const response = await coordinator.post(path, { intent: "record", shown, attended, minutes: "Second page's record." });
    expect(response.status).toBe(302);
    const rows = db.select().from(meetingAttendance).where(eq(meetingAttendance.meetingId, meetingId)).all();
    expect(rows.map((row) => String(row.userId)).sort()).toEqual([...shown].sort());
    expect(rows.filter((row) => row.attended).map((row) => String(row.userId)).sort()).toEqual([...attended].sort());
    expect(mainText(await (await coordinator.get(path)).text())).toContain("10 people present in all.");
    // A box for someone the form did not show is refused at the field, and nothing is written;
    // so is a list of those shown that is not one of ids.
    const outsider = String(userId("katharina.huber@donau-privatbank.example"));
    const refused = await coordinator.post(path, { intent: "record", shown: [outsider], attended: [outsider], minutes: "" });
    expect(refused.status).toBe(400);
    const malformed = await coordinator.post(path, { intent: "record", shown: ["x", shown[0]!], attended: [], minutes: "Kept?" });
    expect(malformed.status).toBe(400);
    expect(db.select().from(meetingAttendance).where(eq(meetingAttendance.meetingId, meetingId)).all()).toHaveLength(50);
    expect(db.select().from(meetings).where(eq(meetings.id, meetingId)).get()!.minutes).toBe("Second page's record.");
  });

  it("offers the first owners by name and finds the others, keeping what was typed", async () => {
    const path = `/meetings/${meetingId}`;
    const owners = (html: string) => [...(html.match(/<select[^>]*name="ownerUserId"[\s\S]*?<\/select>/)?.[0] ?? "").matchAll(/<option value="(\d+)"[^>]*>([^<]*)</g)].map((match) => match[2]!);
    const page = await (await coordinator.get(path)).text();
    expect(owners(page)).toHaveLength(25);
    expect(mainText(page)).toContain("The first 25 invitees by name are listed: find the others by name.");
    const found = await (await coordinator.get(`${path}?intent=action-item&title=Share+the+droppers&findOwner=person+00599&ownerUserId=&dueOn=2027-07-01&find=1`)).text();
    expect(owners(found)).toEqual([`${NAME} 00599`]);
    expect(found).toMatch(/name="title"[^>]*value="Share the droppers"/);
    expect(found).toMatch(/name="dueOn"[^>]*value="2027-07-01"/);

    // The same search by an invitee, whose page has no such form: it names nobody.
    const invitee = await signIn(portal, smtp, `meeting.${pad(2)}@bulk.example`);
    const asked = await invitee.get(`${path}?intent=action-item&findOwner=person&find=1`);
    expect(asked.status).toBe(200);
    const html = await asked.text();
    expect(owners(html)).toEqual([]);
    // Their own name, as the page's header shows it, and nobody else's.
    expect(new Set(personNames(html))).toEqual(new Set([`${NAME} ${pad(2)}`]));
  });

  it("answers addresses whose cursors are not cursors with the first pages", async () => {
    const path = `/meetings/${meetingId}`;
    const first = await (await coordinator.get(path)).text();
    const response = await coordinator.get(`${path}?invited=%25%25%27&answers=not-a-cursor`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(invitedNames(html)).toEqual(invitedNames(first));
    expect(answerRows(html)).toEqual(answerRows(first));
  });
});
