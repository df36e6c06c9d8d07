// The calendar issue's acceptance list, over HTTP against the built portal: invitations as a
// real SMTP server receives them, feeds and downloads as a calendar app fetches them, every
// calendar file read with ical.js (tests/support/ical.ts). One portal and one SMTP server for
// the whole file; the describe blocks run in order and build on each other's meetings.
import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type { Attachment } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarFeeds, meetings, meetingSlots, organisations } from "../../db/schema";
import type { Visitor } from "../support/http";
import {
  foldingProblems,
  parseIcs,
  parseSingleEvent,
  physicalLines,
  unfoldedLines,
  type IcsCalendar,
  type IcsEvent,
} from "../support/ical";
import { startPortal, type Portal } from "../support/portal";
import {
  addDays,
  consultationForm,
  createConsultation,
  meetingForm,
  nextEuWinterDate,
  openConsultation,
} from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer, type ReceivedMail } from "../support/smtp";
import { attr, decode, mainText, sleep, tagWithId } from "./html";

// The portal's public address is https (behind a proxy in real life); the tests speak plain
// HTTP to the local port and take only the path of the links it hands out.
const APP_URL = "https://consult.taskforce.example";
const NEUTRAL_TITLE = "Taskforce consultation meeting";

const COORDINATOR = { email: "anna.visser@taskforce.example", name: "Anna Visser" };
const ANDRES = { email: "andres.restrepo@bancocordillera.example", name: "Andrés Restrepo" };
const GIULIA = { email: "giulia.rossi@vigilanzadigitale.example", name: "Giulia Rossi" };
const DANIEL = { email: "daniel.brooks@prairiebroadband.example", name: "Daniel Brooks" }; // only in consultation B
const INVITEES = [ANDRES, GIULIA];

// Emoji (4-byte, and a variation selector) and CJK (3-byte) characters: folding at 75 octets
// has to count bytes and must never cut one of them in two.
const LIFECYCLE_TITLE = "🛡️ 銀行木马对策会议 Banking trojans 🚨 バンキング型トロイの木馬・第二回円卓会議 🔐 网络犯罪工作组";

// A TLP:RED meeting: none of these words may leave the portal.
const RED = {
  title: "Operation NIGHTJAR against the HARROWGATE network",
  agenda: "1. Seizure plan for the KESTREL servers\n2. Arrest warrants for OSPREY",
  place: "Meeting room PEREGRINE",
  videoUrl: "https://video.taskforce.example/merlin-secure",
};
const RED_SECRETS = ["NIGHTJAR", "HARROWGATE", "KESTREL", "OSPREY", "PEREGRINE", "merlin-secure"];

// W is in Vienna's winter (UTC+1) for a few days: 16:00 Vienna is 15:00 UTC.
const W = nextEuWinterDate(40, 6);
const compact = (date: string) => date.replace(/-/g, "");

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
let andres: Visitor;
let giulia: Visitor;
let daniel: Visitor;
/** Consultation A invites Banco Cordillera and Vigilanza Digitale; B only Prairie Broadband. */
let consultationA: number;
let consultationB: number;

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url, APP_URL });
  coordinator = await signIn(portal, smtp, COORDINATOR.email);
  andres = await signIn(portal, smtp, ANDRES.email);
  giulia = await signIn(portal, smtp, GIULIA.email);
  daniel = await signIn(portal, smtp, DANIEL.email);
  const organisationId = (name: string) =>
    String(portal.db().select().from(organisations).where(eq(organisations.name, name)).get()!.id);
  consultationA = await createConsultation(
    coordinator,
    consultationForm({
      title: "Banking trojans, winter round",
      organisationIds: [organisationId("Banco Cordillera S.A."), organisationId("Vigilanza Digitale S.p.A.")],
    }),
  );
  await openConsultation(coordinator, consultationA);
  consultationB = await createConsultation(
    coordinator,
    consultationForm({ title: "Abuse desks and botnets", organisationIds: [organisationId("Prairie Broadband Inc.")] }),
  );
  await openConsultation(coordinator, consultationB);
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

const meetingRow = (id: number) => portal.db().select().from(meetings).where(eq(meetings.id, id)).get()!;
const slotIdsOf = (id: number) =>
  portal
    .db()
    .select({ id: meetingSlots.id })
    .from(meetingSlots)
    .where(eq(meetingSlots.meetingId, id))
    .orderBy(asc(meetingSlots.startsAt))
    .all()
    .map((slot) => slot.id);
const meetingLink = (id: number) => `${APP_URL}/meetings/${id}`;

/** Proposes a meeting through the form; returns its id. */
async function propose(
  consultationId: number,
  slots: { date: string; time: string }[],
  overrides: Record<string, string | string[]>,
): Promise<number> {
  const response = await coordinator.post(`/consultations/${consultationId}/meetings/new`, meetingForm(slots, overrides));
  const body = await response.text();
  expect(response.status, body.includes("<main") ? mainText(body) : body).toBe(302);
  const match = /^\/meetings\/(\d+)$/.exec(response.headers.get("Location") ?? "");
  expect(match, `redirect to ${response.headers.get("Location")}`).not.toBeNull();
  return Number(match![1]);
}

/** Posts a meeting form and expects the redirect back to the meeting page. */
async function act(visitor: Visitor, meetingId: number, form: Record<string, string>) {
  const response = await visitor.post(`/meetings/${meetingId}`, form);
  const body = await response.text();
  expect(response.status, body.includes("<main") ? mainText(body) : body).toBe(302);
  expect(response.headers.get("Location")).toBe(`/meetings/${meetingId}`);
}

const to = (mail: ReceivedMail, email: string) => mail.envelopeTo.some((address) => address.toLowerCase() === email);

/**
 * Waits until each of `emails` has received a message with this subject, then a little longer
 * for strays; returns the one message per address (and fails on a second).
 */
async function mailsWithSubject(subject: string, emails: string[]): Promise<Map<string, ReceivedMail>> {
  const matching = (email: string) => smtp.received.filter((mail) => mail.subject === subject && to(mail, email));
  const deadline = Date.now() + 10_000;
  while (emails.some((email) => matching(email).length === 0)) {
    if (Date.now() > deadline) {
      const missing = emails.filter((email) => matching(email).length === 0);
      throw new Error(`no "${subject}" for ${missing.join(", ")}; received: ${smtp.received.map((mail) => mail.subject).join(" | ")}`);
    }
    await sleep(25);
  }
  await sleep(300); // the worker polls every 100 ms: a doubled message would be here by now
  return new Map(
    emails.map((email) => {
      const found = matching(email);
      expect(found, `messages "${subject}" to ${email}`).toHaveLength(1);
      return [email, found[0]!];
    }),
  );
}

type ContentType = { value: string; params: Record<string, string> };

/** The leaf parts of a message as written on the wire (every Content-Type that is not multipart). */
const leafParts = (mail: ReceivedMail) => (mail.raw.match(/^Content-Type:(?![ \t]*multipart\/)/gim) ?? []).length;

type Invitation = { inline: Attachment; file: Attachment; calendar: IcsCalendar; event: IcsEvent; ics: Buffer };

/**
 * The iCalendar invitation of a message: a text/calendar part whose Content-Type carries the
 * file's METHOD, and the same file attached once as invite.ics. Both are read with ical.js
 * and must be folded and terminated as RFC 5545 says.
 */
function invitationIn(mail: ReceivedMail, method: "REQUEST" | "CANCEL"): Invitation {
  const inline = mail.attachments.filter((part) => part.contentType === "text/calendar");
  expect(inline, "text/calendar parts").toHaveLength(1);
  const contentType = inline[0]!.headers.get("content-type") as ContentType;
  expect(contentType.params.method, "method= of the text/calendar part").toBe(method);
  expect(contentType.params.charset?.toLowerCase()).toBe("utf-8");

  const files = mail.attachments.filter((part) => part.filename === "invite.ics");
  expect(files, "attachments named invite.ics").toHaveLength(1);
  expect(files[0]!.contentDisposition).toBe("attachment");
  expect(["application/ics", "text/calendar"]).toContain(files[0]!.contentType);
  // Nothing else rides along: text, HTML, the calendar part and the attachment.
  expect(mail.attachments).toHaveLength(2);
  expect(leafParts(mail), "leaf MIME parts").toBe(4);
  expect(files[0]!.content.equals(inline[0]!.content), "the attachment is the inline file").toBe(true);

  for (const part of [inline[0]!, files[0]!]) {
    expect(foldingProblems(part.content), part.filename ?? part.contentType).toEqual([]);
    expect(physicalLines(part.content).endsWithCrlf).toBe(true);
    const { calendar } = parseSingleEvent(part.content);
    expect(calendar.method).toBe(method);
  }
  const ics = inline[0]!.content;
  const { calendar, event } = parseSingleEvent(ics);
  return { inline: inline[0]!, file: files[0]!, calendar, event, ics };
}

/** The mailto addresses a calendar event names, organiser first. */
const peopleIn = (event: IcsEvent) => ({
  organizer: event.organizer?.replace(/^mailto:/i, "").toLowerCase() ?? null,
  attendees: event.attendees.map((attendee) => attendee.email).sort(),
});

/** A property of the VEVENT as written (unfolded), e.g. DTSTART;TZID=Europe/Vienna:20270105T160000. */
function propertyLines(ics: string | Buffer, name: string): string[] {
  const lines = unfoldedLines(ics);
  const event = lines.slice(lines.indexOf("BEGIN:VEVENT"), lines.indexOf("END:VEVENT"));
  return event.filter((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`));
}

// Feeds -----------------------------------------------------------------------------------------

type IssuedFeed = { https: string; webcal: string; token: string; path: string };

/** Presses "Create my feed address" (or "Make a new address") on the settings page. */
async function issueFeed(visitor: Visitor): Promise<IssuedFeed> {
  const response = await visitor.post("/settings", { intent: "feed-issue" });
  const html = await response.text();
  expect(response.status, mainText(html)).toBe(200);
  // A page with a secret in it is kept by no cache.
  expect(response.headers.get("Cache-Control")).toContain("no-store");
  const https = attr(tagWithId(html, "feed-https"), "value");
  expect(https, "the https address on the page").toBeDefined();
  const match = /^https:\/\/consult\.taskforce\.example\/calendar\/([A-Za-z0-9_-]{43})\.ics$/.exec(https!);
  expect(match, https).not.toBeNull();
  const webcal = decode(html.match(/href="(webcal:[^"]*)"/)?.[1] ?? "");
  expect(webcal).toBe(https!.replace(/^https:/, "webcal:"));
  expect(mainText(html)).toContain("it is shown only this once");
  return { https: https!, webcal, token: match![1]!, path: new URL(https!).pathname };
}

const feedPath = (token: string) => `/calendar/${token}.ics`;

/** Fetches a feed as a calendar app does: no cookie, only the secret address. */
const fetchFeed = (token: string, headers: Record<string, string> = {}) => fetch(`${portal.url}${feedPath(token)}`, { headers });

type FeedRead = { response: Response; body: Buffer; calendar: IcsCalendar };

async function readFeed(token: string): Promise<FeedRead> {
  const response = await fetchFeed(token);
  const body = Buffer.from(await response.arrayBuffer());
  expect(response.status, body.toString("utf8").slice(0, 200)).toBe(200);
  expect(response.headers.get("Content-Type")).toMatch(/^text\/calendar; ?charset=utf-8/i);
  expect(foldingProblems(body)).toEqual([]);
  expect(physicalLines(body).endsWithCrlf).toBe(true);
  const calendar = parseIcs(body);
  expect(calendar.method).toBe("PUBLISH");
  return { response, body, calendar };
}

const eventWithUid = (calendar: IcsCalendar, uid: string) => calendar.events.filter((event) => event.uid === uid);

function onlyEvent(calendar: IcsCalendar, uid: string): IcsEvent {
  const found = eventWithUid(calendar, uid);
  expect(found, `events with UID ${uid}`).toHaveLength(1);
  return found[0]!;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// ---------------------------------------------------------------------------------------------

let andresFeed: IssuedFeed;

describe("the feed address on the settings page", () => {
  it("is shown once, as an https and a webcal address, and the portal keeps only its hash", async () => {
    const before = await andres.get("/settings");
    const beforeHtml = await before.text();
    expect(mainText(beforeHtml)).toContain("Create my feed address");

    andresFeed = await issueFeed(andres);

    const again = await andres.get("/settings");
    const html = await again.text();
    expect(again.status).toBe(200);
    expect(html).not.toContain(andresFeed.token);
    expect(tagWithId(html, "feed-https")).toBeUndefined();
    expect(mainText(html)).toContain("the address is not shown again");
    const stored = portal.db().select().from(calendarFeeds).all();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(andresFeed.token);
  });

  it("serves a calendar to the address alone, without a session, that a private cache may keep but a shared one not", async () => {
    const { response, calendar } = await readFeed(andresFeed.token);
    expect(calendar.events).toEqual([]); // nothing has a time yet
    const cacheControl = (response.headers.get("Cache-Control") ?? "").toLowerCase();
    const directives = cacheControl.split(",").map((directive) => directive.trim());
    expect(directives.includes("private") || directives.includes("no-store"), cacheControl).toBe(true);
    expect(directives.some((directive) => directive === "public" || directive.startsWith("s-maxage")), cacheControl).toBe(false);
    // No freshness lifetime: the subscriber asks again (and gets 304 while nothing changed).
    expect(directives.includes("no-cache") || directives.includes("no-store"), cacheControl).toBe(true);
    expect(directives.some((directive) => directive.startsWith("max-age=") && directive !== "max-age=0")).toBe(false);
    expect(response.headers.get("ETag")).toMatch(/^"[^"]+"$/);
    expect(Number.isNaN(Date.parse(response.headers.get("Last-Modified") ?? ""))).toBe(false);
  });

  it("answers a wrong, a rotated-away and a revoked address alike: 404, the same body, in the same time", async () => {
    // Rotated away: Andrés makes a new address; the first one stops at once.
    const rotated = andresFeed.token;
    andresFeed = await issueFeed(andres);
    expect(andresFeed.token).not.toBe(rotated);
    expect((await readFeed(andresFeed.token)).response.status).toBe(200);
    // Revoked: Giulia makes one and turns it off.
    const revoked = (await issueFeed(giulia)).token;
    expect((await readFeed(revoked)).response.status).toBe(200);
    const off = await giulia.post("/settings", { intent: "feed-revoke" });
    await off.text();
    expect(off.status).toBe(302);
    expect(off.headers.get("Location")).toBe("/settings");
    const wrong = randomBytes(32).toString("base64url");

    const tokens = { wrong, rotated, revoked };
    const kinds = Object.keys(tokens) as (keyof typeof tokens)[];
    const times: Record<keyof typeof tokens, number[]> = { wrong: [], rotated: [], revoked: [] };
    const answers = new Set<string>();
    const warmUp = 5;
    const rounds = warmUp + 21;
    for (let round = 0; round < rounds; round++) {
      // Interleaved, in a rotating order, so that drift and position favour none of them.
      for (let i = 0; i < kinds.length; i++) {
        const kind = kinds[(round + i) % kinds.length]!;
        const started = performance.now();
        const response = await fetchFeed(tokens[kind]);
        const body = await response.text();
        const elapsed = performance.now() - started;
        expect(response.status, kind).toBe(404);
        answers.add(JSON.stringify([response.headers.get("Content-Type"), response.headers.get("Cache-Control"), body]));
        if (round >= warmUp) times[kind].push(elapsed);
      }
    }
    expect([...answers]).toHaveLength(1);
    expect(JSON.parse([...answers][0]!)[2]).not.toMatch(/revoked|rotated|expired|replaced/i);

    const medians = kinds.map((kind) => median(times[kind]));
    const fastest = Math.min(...medians);
    const slowest = Math.max(...medians);
    // Lenient for a busy 2-core CI machine: of the same order means within 5 ms or a factor of 2.
    // A path that did more work for one kind (a second query, a slow hash) would stand out.
    expect(slowest, `median answer times (ms) wrong/rotated/revoked: ${medians.map((m) => m.toFixed(2)).join(" / ")}`).toBeLessThanOrEqual(
      Math.max(fastest * 2, fastest + 5),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("one meeting followed through finalise, reschedule and cancel", () => {
  let meetingId: number;
  let uid: string;
  /** What Andrés's mailbox and feed showed at each step. */
  const andresMails: { kind: string; event: IcsEvent; method: string | null }[] = [];
  let etag: string;
  let lastModified: number;

  it("proposing it (a poll) puts nothing in calendars", async () => {
    meetingId = await propose(consultationA, [{ date: W, time: "16:00" }, { date: addDays(W, 1), time: "10:00" }], {
      title: LIFECYCLE_TITLE,
      agenda: "1. Families seen\n2. Takedown options",
      place: "Room 3.14",
      videoUrl: "https://video.taskforce.example/round-table",
      timeZone: "Europe/Vienna",
    });
    uid = meetingRow(meetingId).uid;
    const polls = await mailsWithSubject(`When can you meet? ${LIFECYCLE_TITLE}`, INVITEES.map((person) => person.email));
    for (const mail of polls.values()) {
      expect(mail.attachments.filter((part) => /calendar|ics/.test(part.contentType))).toEqual([]);
    }
    expect(eventWithUid((await readFeed(andresFeed.token)).calendar, uid)).toEqual([]);
  });

  it("finalising sends each invitee a REQUEST (inline and as invite.ics) naming only the organiser and them", async () => {
    await act(coordinator, meetingId, { intent: "finalise", slotId: String(slotIdsOf(meetingId)[0]), confirmed: "yes" });
    const mails = await mailsWithSubject(`Meeting scheduled: ${LIFECYCLE_TITLE}`, INVITEES.map((person) => person.email));
    for (const invitee of INVITEES) {
      const mail = mails.get(invitee.email)!;
      const { event, calendar, ics } = invitationIn(mail, "REQUEST");
      expect(event.uid).toBe(uid);
      expect(event.sequence).toBe(0);
      expect(event.status).toBe("CONFIRMED");
      expect(event.summary).toBe(LIFECYCLE_TITLE);
      expect(event.startTzid).toBe("Europe/Vienna");
      expect(event.endTzid).toBe("Europe/Vienna");
      expect(calendar.timezones.has("Europe/Vienna")).toBe(true);
      expect(event.start.toISOString()).toBe(`${W}T15:00:00.000Z`);
      expect(event.end.toISOString()).toBe(`${W}T16:00:00.000Z`);
      expect(propertyLines(ics, "DTSTART")).toEqual([`DTSTART;TZID=Europe/Vienna:${compact(W)}T160000`]);
      expect(event.description).toContain(meetingLink(meetingId));
      expect(event.location).toBe("Room 3.14 · https://video.taskforce.example/round-table");
      // The attendee list is closed: the organiser and this invitee, nobody else.
      expect(peopleIn(event)).toEqual({ organizer: COORDINATOR.email, attendees: [invitee.email] });
      expect(propertyLines(ics, "ORGANIZER")[0]).toContain(`CN="${COORDINATOR.name}"`);
      expect(event.attendees[0]).toMatchObject({ partstat: "NEEDS-ACTION", rsvp: "TRUE", name: invitee.name });
      expect(mail.text).toContain(meetingLink(meetingId));
      if (invitee === ANDRES) andresMails.push({ kind: "scheduled", event, method: calendar.method });
    }
  });

  it("the title with emoji and CJK is folded at 75 octets, never inside a character, with CRLF, in the mail", () => {
    const mail = smtp.received.find(
      (candidate) => candidate.subject === `Meeting scheduled: ${LIFECYCLE_TITLE}` && to(candidate, ANDRES.email),
    )!;
    const { ics } = invitationIn(mail, "REQUEST");
    // The folding is exercised: the SUMMARY spans several physical lines.
    const { lines } = physicalLines(ics);
    const start = lines.findIndex((line) => line.toString("utf8").startsWith("SUMMARY:"));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(lines[start + 1]![0], "the SUMMARY continues on a folded line").toBe(0x20);
    expect(lines.filter((line) => line.length >= 70).length).toBeGreaterThan(1);
    expect(propertyLines(ics, "SUMMARY")).toEqual([`SUMMARY:${LIFECYCLE_TITLE}`]);
  });

  it("the invitee's feed shows it with their answer, a reminder 15 minutes before, folded as it should be", async () => {
    const { response, body, calendar } = await readFeed(andresFeed.token);
    const event = onlyEvent(calendar, uid);
    expect(event).toMatchObject({ sequence: 0, status: "CONFIRMED", summary: LIFECYCLE_TITLE, startTzid: "Europe/Vienna" });
    expect(event.start.toISOString()).toBe(`${W}T15:00:00.000Z`);
    expect(peopleIn(event)).toEqual({ organizer: COORDINATOR.email, attendees: [ANDRES.email] });
    expect(event.attendees[0]!.partstat).toBe("NEEDS-ACTION");
    expect(event.alarms).toHaveLength(1);
    expect(event.alarms[0]).toMatchObject({ action: "DISPLAY", triggerSeconds: -15 * 60 });
    expect(event.alarms[0]!.related ?? "START").toBe("START");
    expect(unfoldedLines(body)).toContain(`SUMMARY:${LIFECYCLE_TITLE}`);
    const { lines } = physicalLines(body);
    const summary = lines.findIndex((line) => line.toString("utf8").startsWith("SUMMARY:"));
    expect(lines[summary + 1]![0], "the SUMMARY continues on a folded line").toBe(0x20);

    etag = response.headers.get("ETag")!;
    lastModified = Date.parse(response.headers.get("Last-Modified")!);
    const finalisedAt = meetingRow(meetingId).updatedAt!.getTime();
    expect(lastModified).toBeGreaterThanOrEqual(Math.floor(finalisedAt / 1000) * 1000);
    expect(lastModified).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("answers 304 to If-None-Match with the feed's ETag, with the ETag and Cache-Control again", async () => {
    const cached = await fetchFeed(andresFeed.token, { "If-None-Match": etag });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe("");
    expect(cached.headers.get("ETag")).toBe(etag);
    expect(cached.headers.get("Cache-Control")).toMatch(/private|no-store/);
    expect(Date.parse(cached.headers.get("Last-Modified") ?? "")).toBe(lastModified);
    const inList = await fetchFeed(andresFeed.token, { "If-None-Match": `"something-else", ${etag}` });
    expect(inList.status).toBe(304);
    await inList.text();
    // If-None-Match compares weakly (RFC 9110 §13.1.2): a proxy that compresses the feed, as
    // nginx does with gzip on, hands the client W/"..." and the client sends that back.
    const weak = await fetchFeed(andresFeed.token, { "If-None-Match": `W/${etag}` });
    expect(weak.status).toBe(304);
    await weak.text();
    const any = await fetchFeed(andresFeed.token, { "If-None-Match": "*" });
    expect(any.status).toBe(304);
    await any.text();
    const other = await fetchFeed(andresFeed.token, { "If-None-Match": '"something-else"' });
    expect(other.status).toBe(200);
    await other.text();
  });

  it("answers 304 to If-Modified-Since at or after its Last-Modified, and If-None-Match decides when both come", async () => {
    const httpDate = (ms: number) => new Date(ms).toUTCString();
    const status = async (headers: Record<string, string>) => {
      const response = await fetchFeed(andresFeed.token, headers);
      const body = await response.text();
      if (response.status === 304) {
        expect(body).toBe("");
        expect(response.headers.get("ETag")).toBe(etag);
        expect(Date.parse(response.headers.get("Last-Modified") ?? "")).toBe(lastModified);
      }
      return response.status;
    };
    expect(await status({ "If-Modified-Since": httpDate(lastModified) })).toBe(304);
    expect(await status({ "If-Modified-Since": httpDate(lastModified + 3_600_000) })).toBe(304);
    expect(await status({ "If-Modified-Since": httpDate(lastModified - 1000) })).toBe(200);
    // The obsolete asctime form, which a recipient must read too.
    const asctime = new Date(lastModified).toUTCString().replace(/^(\w{3}), (\d{2}) (\w{3}) (\d{4}) (\S+) GMT$/, (_, day, date, month, year, time) =>
      `${day} ${month} ${String(Number(date)).padStart(2, " ")} ${time} ${year}`,
    );
    expect(await status({ "If-Modified-Since": asctime })).toBe(304);
    // A date the server cannot read is ignored: the whole feed, never an error.
    expect(await status({ "If-Modified-Since": "last Tuesday" })).toBe(200);
    // If-None-Match replaces If-Modified-Since (RFC 9110 §13.2.2), whichever way they disagree.
    expect(await status({ "If-None-Match": '"something-else"', "If-Modified-Since": httpDate(lastModified) })).toBe(200);
    expect(await status({ "If-None-Match": etag, "If-Modified-Since": httpDate(lastModified - 86_400_000) })).toBe(304);
  });

  it("after the invitee accepts in the portal, the feed carries their PARTSTAT and a new ETag", async () => {
    await sleep(1000); // Last-Modified has whole seconds
    await act(andres, meetingId, { intent: "rsvp", response: "accepted" });
    const { response, calendar } = await readFeed(andresFeed.token);
    const event = onlyEvent(calendar, uid);
    expect(event.attendees.map((attendee) => [attendee.email, attendee.partstat])).toEqual([[ANDRES.email, "ACCEPTED"]]);
    expect(response.headers.get("ETag")).not.toBe(etag);
    expect(Date.parse(response.headers.get("Last-Modified")!)).toBeGreaterThan(lastModified);
    const stale = await fetchFeed(andresFeed.token, { "If-None-Match": etag });
    expect(stale.status).toBe(200);
    await stale.text();
    const staleDate = await fetchFeed(andresFeed.token, { "If-Modified-Since": new Date(lastModified).toUTCString() });
    expect(staleDate.status).toBe(200);
    await staleDate.text();
    etag = response.headers.get("ETag")!;
  });

  it('"Add to my calendar" on the meeting page downloads a PUBLISH copy; a non-invitee gets 404', async () => {
    const page = await andres.get(`/meetings/${meetingId}`);
    const html = await page.text();
    const link = html.match(/<a\b[^>]*href="([^"]+)"[^>]*>\s*Add to my calendar/)?.[1];
    expect(link, "the Add to calendar link").toBe(`/meetings/${meetingId}/calendar.ics`);

    const download = await andres.get(decode(link!));
    const body = Buffer.from(await download.arrayBuffer());
    expect(download.status).toBe(200);
    expect(download.headers.get("Content-Type")).toMatch(/^text\/calendar; ?charset=utf-8; ?method=PUBLISH$/i);
    expect(download.headers.get("Content-Disposition")).toMatch(/^attachment; filename="[^"]+\.ics"$/);
    expect(download.headers.get("Cache-Control")).toContain("no-store");
    expect(foldingProblems(body)).toEqual([]);
    const { calendar, event } = parseSingleEvent(body);
    expect(calendar.method).toBe("PUBLISH");
    expect(event).toMatchObject({ uid, sequence: 0, status: "CONFIRMED", summary: LIFECYCLE_TITLE, startTzid: "Europe/Vienna" });
    expect(event.start.toISOString()).toBe(`${W}T15:00:00.000Z`);
    expect(event.end.toISOString()).toBe(`${W}T16:00:00.000Z`);
    expect(peopleIn(event)).toEqual({ organizer: COORDINATOR.email, attendees: [ANDRES.email] });
    expect(event.attendees[0]!.partstat).toBe("ACCEPTED");

    // Daniel's organisation is not invited to this consultation: as if the meeting did not exist.
    const refused = await daniel.get(link!);
    const refusedBody = await refused.text();
    expect(refused.status).toBe(404);
    expect(refusedBody).not.toContain(uid);
    expect(refusedBody).not.toContain("BEGIN:VCALENDAR");
    const missing = await daniel.get(`/meetings/${meetingId + 1000}/calendar.ics`);
    await missing.text();
    expect(missing.status).toBe(404);
  });

  it("rescheduling sends a REQUEST with the same UID and SEQUENCE 1 at the new time; the feed follows", async () => {
    // 11:00 in Bogota three days later: 16:00 UTC, 17:00 in Vienna (the meeting's own zone).
    const newDate = addDays(W, 3);
    await act(coordinator, meetingId, { intent: "reschedule", date: newDate, time: "11:00", timeZone: "America/Bogota" });
    const mails = await mailsWithSubject(`Meeting moved: ${LIFECYCLE_TITLE}`, INVITEES.map((person) => person.email));
    for (const invitee of INVITEES) {
      const { event, calendar, ics } = invitationIn(mails.get(invitee.email)!, "REQUEST");
      expect(event).toMatchObject({ uid, sequence: 1, status: "CONFIRMED", startTzid: "Europe/Vienna" });
      expect(event.start.toISOString()).toBe(`${newDate}T16:00:00.000Z`);
      expect(event.end.toISOString()).toBe(`${newDate}T17:00:00.000Z`);
      expect(propertyLines(ics, "DTSTART")).toEqual([`DTSTART;TZID=Europe/Vienna:${compact(newDate)}T170000`]);
      expect(peopleIn(event)).toEqual({ organizer: COORDINATOR.email, attendees: [invitee.email] });
      // Everyone is asked again for the new time.
      expect(event.attendees[0]!.partstat).toBe("NEEDS-ACTION");
      if (invitee === ANDRES) andresMails.push({ kind: "rescheduled", event, method: calendar.method });
    }
    const { response, calendar } = await readFeed(andresFeed.token);
    const event = onlyEvent(calendar, uid);
    expect(event).toMatchObject({ sequence: 1, status: "CONFIRMED" });
    expect(event.start.toISOString()).toBe(`${newDate}T16:00:00.000Z`);
    expect(event.attendees[0]!.partstat).toBe("NEEDS-ACTION");
    expect(event.alarms.map((alarm) => alarm.triggerSeconds)).toEqual([-900]);
    expect(response.headers.get("ETag")).not.toBe(etag);
  });

  it("cancelling sends METHOD:CANCEL with STATUS:CANCELLED and SEQUENCE 2; the feed shows it cancelled", async () => {
    await act(coordinator, meetingId, { intent: "cancel" });
    const mails = await mailsWithSubject(`Meeting cancelled: ${LIFECYCLE_TITLE}`, INVITEES.map((person) => person.email));
    for (const invitee of INVITEES) {
      const { event, calendar } = invitationIn(mails.get(invitee.email)!, "CANCEL");
      expect(event).toMatchObject({ uid, sequence: 2, status: "CANCELLED" });
      expect(peopleIn(event)).toEqual({ organizer: COORDINATOR.email, attendees: [invitee.email] });
      if (invitee === ANDRES) andresMails.push({ kind: "cancelled", event, method: calendar.method });
    }
    const { calendar } = await readFeed(andresFeed.token);
    const event = onlyEvent(calendar, uid);
    expect(event).toMatchObject({ sequence: 2, status: "CANCELLED" });
    expect(event.alarms).toEqual([]); // no reminder of a meeting that will not take place
  });

  it("the three messages the invitee received share one UID, with SEQUENCE strictly rising", () => {
    expect(andresMails.map((mail) => [mail.kind, mail.method])).toEqual([
      ["scheduled", "REQUEST"],
      ["rescheduled", "REQUEST"],
      ["cancelled", "CANCEL"],
    ]);
    expect(new Set(andresMails.map((mail) => mail.event.uid))).toEqual(new Set([uid]));
    const sequences = andresMails.map((mail) => mail.event.sequence);
    sequences.slice(1).forEach((sequence, index) => expect(sequence).toBeGreaterThan(sequences[index]!));
    // And exactly these three calendar messages for this meeting reached him.
    const withCalendar = smtp.received.filter(
      (mail) =>
        to(mail, ANDRES.email) &&
        mail.attachments.some((part) => part.contentType === "text/calendar" && part.content.toString("utf8").includes(uid)),
    );
    expect(withCalendar).toHaveLength(3);
  });
});

// ---------------------------------------------------------------------------------------------

describe("a meeting whose attendee list is open", () => {
  it("names every invitee in each invitation", async () => {
    const title = "Online fraud: open round table";
    const meetingId = await propose(consultationA, [{ date: addDays(W, 2), time: "15:00" }], {
      title,
      timeZone: "Europe/Rome",
      attendeeListOpen: "on",
    });
    await act(coordinator, meetingId, { intent: "finalise", slotId: String(slotIdsOf(meetingId)[0]), confirmed: "yes" });
    const mails = await mailsWithSubject(`Meeting scheduled: ${title}`, INVITEES.map((person) => person.email));
    for (const invitee of INVITEES) {
      const { event } = invitationIn(mails.get(invitee.email)!, "REQUEST");
      expect(peopleIn(event)).toEqual({ organizer: COORDINATOR.email, attendees: INVITEES.map((person) => person.email).sort() });
      expect(event.startTzid).toBe("Europe/Rome");
      expect(event.start.toISOString()).toBe(`${addDays(W, 2)}T14:00:00.000Z`);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("a person's feed holds their own meetings only", () => {
  it("a stakeholder's feed has no meeting of a consultation they are not invited to", async () => {
    const title = "Prairie abuse desk: botnet sinkholes";
    const theirs = await propose(consultationB, [{ date: addDays(W, 4), time: "09:00" }], { title, timeZone: "America/Chicago" });
    await act(coordinator, theirs, { intent: "finalise", slotId: String(slotIdsOf(theirs)[0]), confirmed: "yes" });
    await mailsWithSubject(`Meeting scheduled: ${title}`, [DANIEL.email]);
    const theirUid = meetingRow(theirs).uid;
    const consultationAUids = portal
      .db()
      .select({ uid: meetings.uid })
      .from(meetings)
      .where(eq(meetings.consultationId, consultationA))
      .all()
      .map((row) => row.uid);
    expect(consultationAUids.length).toBeGreaterThan(0);

    const danielFeed = await readFeed((await issueFeed(daniel)).token);
    expect(danielFeed.calendar.events.map((event) => event.uid)).toEqual([theirUid]);
    expect(danielFeed.body.toString("utf8")).not.toContain("Banking trojans");

    const andresView = await readFeed(andresFeed.token);
    const andresUids = andresView.calendar.events.map((event) => event.uid);
    expect(andresUids).not.toContain(theirUid);
    expect(andresUids.length).toBeGreaterThan(0);
    expect(andresUids.every((uid) => consultationAUids.includes(uid))).toBe(true);
    expect(unfoldedLines(andresView.body).join("\n")).not.toContain(title);

    // The coordinator organises both: their feed holds both consultations' meetings.
    const coordinatorFeed = await readFeed((await issueFeed(coordinator)).token);
    const coordinatorUids = coordinatorFeed.calendar.events.map((event) => event.uid);
    expect(coordinatorUids).toContain(theirUid);
    for (const uid of andresUids) expect(coordinatorUids).toContain(uid);
  });
});

// ---------------------------------------------------------------------------------------------

describe("a TLP:RED meeting leaves the portal as a neutral title and a link", () => {
  let meetingId: number;
  let uid: string;
  const feeds: Record<string, string> = {};

  /** Every text a message carries: the wire bytes, the headers, and each part decoded. */
  function textsOf(mail: ReceivedMail): string[] {
    const html = typeof mail.html === "string" ? mail.html : "";
    const parts = [mail.raw, mail.subject ?? "", mail.text ?? "", html, decode(html)];
    for (const [name, value] of mail.headers) parts.push(`${name}: ${JSON.stringify(value)}`);
    for (const attachment of mail.attachments) {
      parts.push(attachment.content.toString("utf8"), unfoldedLines(attachment.content).join("\n"), attachment.filename ?? "");
    }
    // Every leaf part was looked at: text, HTML and each attachment.
    expect(leafParts(mail)).toBe((mail.text ? 1 : 0) + (mail.html ? 1 : 0) + mail.attachments.length);
    return parts;
  }

  function expectNoSecret(texts: string[], where: string) {
    for (const text of texts) {
      for (const secret of [...RED_SECRETS, RED.title, RED.place]) {
        expect(text.toLowerCase().includes(secret.toLowerCase()), `${where} holds "${secret}"`).toBe(false);
      }
    }
  }

  function expectNeutral(event: IcsEvent) {
    expect(event.uid).toBe(uid);
    expect(event.summary).toBe(NEUTRAL_TITLE);
    expect(event.description).toBe(`Details in the portal: ${meetingLink(meetingId)}`);
    expect(event.location).toBeNull();
    expect(event.component.getFirstPropertyValue("url")).toBe(meetingLink(meetingId));
    for (const alarm of event.alarms) expect(alarm.description).toBe(NEUTRAL_TITLE);
  }

  it("its poll and invitation mails carry only the neutral title and the link, in every part", async () => {
    const before = smtp.received.length;
    meetingId = await propose(consultationA, [{ date: addDays(W, 5), time: "14:00" }], {
      ...RED,
      timeZone: "Europe/Vienna",
      tlp: "TLP:RED",
    });
    uid = meetingRow(meetingId).uid;
    expect(meetingRow(meetingId)).toMatchObject({ tlp: "TLP:RED", title: RED.title, place: RED.place });
    const polls = await mailsWithSubject(`When can you meet? ${NEUTRAL_TITLE}`, INVITEES.map((person) => person.email));
    await act(coordinator, meetingId, { intent: "finalise", slotId: String(slotIdsOf(meetingId)[0]), confirmed: "yes" });
    const invitations = await mailsWithSubject(`Meeting scheduled: ${NEUTRAL_TITLE}`, INVITEES.map((person) => person.email));

    for (const mail of [...polls.values(), ...invitations.values()]) {
      expect(mail.text).toContain(meetingLink(meetingId));
      expect(mail.html).toContain(meetingLink(meetingId));
    }
    for (const invitee of INVITEES) {
      const { event } = invitationIn(invitations.get(invitee.email)!, "REQUEST");
      expectNeutral(event);
      // Under RED the other invitees stay unnamed even to each other.
      expect(peopleIn(event)).toEqual({ organizer: COORDINATOR.email, attendees: [invitee.email] });
    }
    const received = smtp.received.slice(before);
    expect(received.length).toBeGreaterThanOrEqual(4);
    for (const mail of received) expectNoSecret(textsOf(mail), `the message "${mail.subject}" to ${mail.envelopeTo.join(", ")}`);
  });

  it("no feed body shows its title, agenda or place", async () => {
    feeds.andres = andresFeed.token;
    feeds.giulia = (await issueFeed(giulia)).token; // a new address after her revoked one
    feeds.coordinator = (await issueFeed(coordinator)).token;
    for (const [who, token] of Object.entries(feeds)) {
      const { body, calendar } = await readFeed(token);
      expectNeutral(onlyEvent(calendar, uid));
      expect(onlyEvent(calendar, uid).alarms).toHaveLength(1);
      expectNoSecret([body.toString("utf8"), unfoldedLines(body).join("\n")], `${who}'s feed`);
    }
  });

  it("no download shows them either", async () => {
    for (const [who, visitor] of [
      ["Andrés", andres],
      ["the coordinator", coordinator],
    ] as const) {
      const download = await visitor.get(`/meetings/${meetingId}/calendar.ics`);
      const body = Buffer.from(await download.arrayBuffer());
      expect(download.status, who).toBe(200);
      expect(download.headers.get("Content-Disposition") ?? "").not.toMatch(new RegExp(RED_SECRETS.join("|"), "i"));
      const { calendar, event } = parseSingleEvent(body);
      expect(calendar.method).toBe("PUBLISH");
      expectNeutral(event);
      expectNoSecret([body.toString("utf8"), unfoldedLines(body).join("\n")], `${who}'s download`);
    }
  });

  it("its cancellation is as neutral, and so are the feeds afterwards", async () => {
    const before = smtp.received.length;
    await act(coordinator, meetingId, { intent: "cancel" });
    const cancellations = await mailsWithSubject(`Meeting cancelled: ${NEUTRAL_TITLE}`, INVITEES.map((person) => person.email));
    for (const mail of cancellations.values()) {
      const { event } = invitationIn(mail, "CANCEL");
      expectNeutral(event);
      expect(event.status).toBe("CANCELLED");
    }
    for (const mail of smtp.received.slice(before)) expectNoSecret(textsOf(mail), `the message "${mail.subject}"`);
    for (const [who, token] of Object.entries(feeds)) {
      const { body, calendar } = await readFeed(token);
      expect(onlyEvent(calendar, uid).status).toBe("CANCELLED");
      expectNoSecret([body.toString("utf8"), unfoldedLines(body).join("\n")], `${who}'s feed`);
    }
  });

  it("and no message of the whole run, to anyone, ever held them", () => {
    for (const mail of smtp.received) expectNoSecret(textsOf(mail), `the message "${mail.subject}"`);
  });
});

// ---------------------------------------------------------------------------------------------

describe("a meeting cancelled while its time is still being chosen", () => {
  it("tells the invitees by email, without a calendar file (it never reached their calendars)", async () => {
    const title = "Crime-as-a-service: a poll called off";
    const meetingId = await propose(consultationA, [{ date: addDays(W, 1), time: "11:00" }], { title });
    await mailsWithSubject(`When can you meet? ${title}`, INVITEES.map((person) => person.email));
    await act(coordinator, meetingId, { intent: "cancel" });
    expect(meetingRow(meetingId).status).toBe("cancelled");
    const mails = await mailsWithSubject(`Meeting cancelled: ${title}`, INVITEES.map((person) => person.email));
    for (const mail of mails.values()) {
      expect(mail.text).toContain("This meeting has been cancelled.");
      expect(mail.text).toContain(meetingLink(meetingId));
      expect(mail.attachments).toEqual([]);
    }
    expect(eventWithUid((await readFeed(andresFeed.token)).calendar, meetingRow(meetingId).uid)).toEqual([]);
  });
});
