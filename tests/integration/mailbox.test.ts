// The demo mailbox (no SMTP_URL): an invitation filed there lists its calendar attachments, and
// each downloads as the very file the message carries, read with ical.js.
import { and, asc, desc, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailboxMessages, meetingSlots, outbox } from "../../db/schema";
import { Visitor } from "../support/http";
import { parseSingleEvent } from "../support/ical";
import { startPortal, type Portal } from "../support/portal";
import { addDays, meetingForm, nextEuWinterDate, openConsultationFor } from "../support/scheduling";
import { linkForm } from "../support/sign-in";
import { decode, eventually, mainText, textOf } from "./html";

const COORDINATOR = "anna.visser@taskforce.example";
const GIULIA = "giulia.rossi@vigilanzadigitale.example";
const TITLE = "Banking trojans: Zürich × 東京 round table";

let demo: Portal;
let coordinator: Visitor;
/** The invitation filed for Giulia. */
let invitation: { id: number; outboxId: number | null };

const filed = (to: string, subject: string) =>
  demo
    .db()
    .select()
    .from(mailboxMessages)
    .where(and(eq(mailboxMessages.toAddress, to), like(mailboxMessages.subject, subject)))
    .orderBy(desc(mailboxMessages.id))
    .get();

/** Signs in from the demo mailbox, as someone trying the portal would. */
async function signInFromMailbox(email: string): Promise<Visitor> {
  const visitor = new Visitor(demo.url);
  const before = filed(email, "Your sign-in link%")?.id ?? 0;
  const asked = await visitor.post("/login", { email });
  await asked.text();
  expect(asked.status).toBe(200);
  const message = await eventually(() => {
    const row = filed(email, "Your sign-in link%");
    return row && row.id > before ? row : undefined;
  });
  const link = /(https?:\/\/\S+\/login\/link\?\S+)/.exec(message.text)?.[1];
  expect(link, "the sign-in link in the message").toBeTruthy();
  const { path, form } = linkForm(link!);
  await (await visitor.get(path)).text();
  const signedIn = await visitor.post(path, form);
  await signedIn.text();
  expect(signedIn.status).toBe(302);
  return visitor;
}

beforeAll(async () => {
  demo = await startPortal({ SMTP_URL: undefined });
  coordinator = await signInFromMailbox(COORDINATOR);
  const consultationId = await openConsultationFor(demo, coordinator, "Banking trojans, winter round", ["Vigilanza Digitale S.p.A."]);
  const date = addDays(nextEuWinterDate(40, 2), 1);
  const proposed = await coordinator.post(`/consultations/${consultationId}/meetings/new`, meetingForm([{ date, time: "16:00" }], { title: TITLE }));
  await proposed.text();
  expect(proposed.status).toBe(302);
  const meetingId = Number(/\/meetings\/(\d+)$/.exec(proposed.headers.get("Location") ?? "")?.[1]);
  const slot = demo.db().select().from(meetingSlots).where(eq(meetingSlots.meetingId, meetingId)).orderBy(asc(meetingSlots.startsAt)).get()!;
  const finalised = await coordinator.post(`/meetings/${meetingId}`, { intent: "finalise", slotId: String(slot.id), confirmed: "yes" });
  await finalised.text();
  expect(finalised.status).toBe(302);
  invitation = await eventually(() => filed(GIULIA, "Meeting scheduled:%"));
});
afterAll(async () => {
  await demo?.stop();
});

type Listed = { href: string; name: string; details: string };

/** The attachments the message page lists: each link, its name and what is said of it. */
function listedAttachments(html: string): Listed[] {
  const list = /<ul aria-labelledby="attachments-title">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li>\s*<a href="([^"]+)"[^>]*>([^<]*)<\/a>([\s\S]*?)<\/li>/g)].map((match) => ({
    href: decode(match[1]!),
    name: decode(match[2]!),
    details: textOf(match[3]!),
  }));
}

describe("the demo mailbox", () => {
  it("lists an invitation's calendar part and its invite.ics on the message page", async () => {
    const page = await coordinator.get(`/dev/mailbox/${invitation.id}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    const listed = listedAttachments(html);
    expect(listed.map(({ href, name }) => ({ href, name }))).toEqual([
      { href: `/dev/mailbox/${invitation.id}/attachments/1`, name: "part-1.ics" },
      { href: `/dev/mailbox/${invitation.id}/attachments/2`, name: "invite.ics" },
    ]);
    expect(listed[0]!.details).toMatch(/^text\/calendar \(METHOD:REQUEST\), [\d.]+ (bytes|KB), inline in the message$/);
    expect(listed[1]!.details).toMatch(/^application\/ics, [\d.]+ (bytes|KB)$/);
  });

  it("downloads each as the file the message carries, a calendar ical.js reads", async () => {
    const bodies: Buffer[] = [];
    for (const number of [1, 2]) {
      const response = await coordinator.get(`/dev/mailbox/${invitation.id}/attachments/${number}`);
      const body = Buffer.from(await response.arrayBuffer());
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="${number === 1 ? "part-1.ics" : "invite.ics"}"`);
      expect(response.headers.get("Content-Type")).toMatch(number === 1 ? /^text\/calendar; charset=utf-8$/ : /^application\/ics/);
      // Never shown as a page of the portal's origin.
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("Content-Security-Policy")).toContain("sandbox");
      const { calendar, event } = parseSingleEvent(body);
      expect(calendar.method).toBe("REQUEST");
      expect(event.summary).toBe(TITLE);
      expect(event.attendees.map((attendee) => attendee.email)).toEqual([GIULIA]);
      bodies.push(body);
    }
    // Both are the very file the portal queued for this message.
    const queued = demo.db().select().from(outbox).where(eq(outbox.id, invitation.outboxId!)).get()!;
    const ics = (queued.extra as { icalEvent: { content: string } }).icalEvent.content;
    for (const body of bodies) expect(body.toString("utf8")).toBe(ics);
  });

  it("names a sign-in message as having no attachments", async () => {
    const signInMessage = filed(COORDINATOR, "Your sign-in link%")!;
    const html = await (await coordinator.get(`/dev/mailbox/${signInMessage.id}`)).text();
    expect(mainText(html)).toContain("This message has no attachments.");
    expect(listedAttachments(html)).toEqual([]);
  });

  it("answers 404 for an attachment or a message that is not there, and for an address that is not a number", async () => {
    for (const path of [
      `/dev/mailbox/${invitation.id}/attachments/3`,
      `/dev/mailbox/${invitation.id}/attachments/0`,
      `/dev/mailbox/${invitation.id}/attachments/first`,
      `/dev/mailbox/999999/attachments/1`,
    ]) {
      const response = await coordinator.get(path);
      await response.text();
      expect(response.status, path).toBe(404);
    }
  });
});
