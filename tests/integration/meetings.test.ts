import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meetingRsvps, meetings, meetingSlots, outbox, slotVotes, users } from "../../db/schema";
import type { Visitor } from "../support/http";
import { queueDueReminders } from "~/modules/scheduling/service.server";
import { broadcastsSettled, startPortal, type Portal } from "../support/portal";
import {
  addDays,
  answerGrid,
  clockText,
  dayText,
  euSwitches,
  meetingForm,
  nextEuSwitch,
  nextEuWinterDate,
  offsetMinutes,
  openConsultationFor,
  ranking,
  rowCount,
  todayUtc,
  utcOf,
  voteRows,
  type SlotRow,
} from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer, type ReceivedMail } from "../support/smtp";
import { attr, mainText, selectedValue, sleep, tagWithId, textOfId } from "./html";

const COORDINATOR = "anna.visser@taskforce.example";
const ANDRES = { email: "andres.restrepo@bancocordillera.example", name: "Andrés Restrepo", zone: "America/Bogota", locale: "es-CO" };
const GIULIA = { email: "giulia.rossi@vigilanzadigitale.example", name: "Giulia Rossi", zone: "Europe/Rome", locale: "it-IT" };
const KATHARINA = { email: "katharina.huber@donau-privatbank.example", name: "Katharina Huber" }; // invited, silent until the day before
const DANIEL = "daniel.brooks@prairiebroadband.example"; // Prairie Broadband: not invited
const INVITED = ["Banco Cordillera S.A.", "Vigilanza Digitale S.p.A.", "Donau Privatbank AG"];
const INVITEES = [ANDRES.email, GIULIA.email, KATHARINA.email].sort();
const TITLE = "Banking trojans: first round table";

// Four candidate slots, proposed in Vienna's time. W is a date in Vienna's winter (UTC+1), at
// least 40 days ahead; E is the date of Europe's next clock change.
const W = nextEuWinterDate(40, 4);
const E = nextEuSwitch();
const S3_DATE = addDays(E, 2);
const SLOTS = [
  { date: W, time: "16:00", utc: `${W}T15:00:00.000Z` }, // Bogota 10:00, Rome 16:00
  { date: addDays(W, 1), time: "09:00", utc: `${addDays(W, 1)}T08:00:00.000Z` }, // Bogota 03:00: outside hours
  { date: addDays(W, 2), time: "01:00", utc: `${addDays(W, 2)}T00:00:00.000Z` }, // Bogota 19:00 the day before
  // Just after Europe's next clock change: for Rome, the clocks change between now and then.
  {
    date: S3_DATE,
    time: "14:00",
    utc: utcOf(S3_DATE, "14:00", offsetMinutes(new Date(`${S3_DATE}T12:00:00Z`), "Europe/Vienna")).toISOString(),
  },
];

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
let andres: Visitor;
let giulia: Visitor;
let daniel: Visitor;
let consultationId: number;
let meetingId: number;
/** Slot ids by the index in SLOTS. */
let slotIds: number[];

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  coordinator = await signIn(portal, smtp, COORDINATOR);
  andres = await signIn(portal, smtp, ANDRES.email);
  giulia = await signIn(portal, smtp, GIULIA.email);
  daniel = await signIn(portal, smtp, DANIEL);
  consultationId = await openConsultationFor(portal, coordinator, "Banking trojans, winter round", INVITED);
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const meeting = () => portal.db().select().from(meetings).where(eq(meetings.id, meetingId)).get()!;
/** The outbox once the broadcast worker has composed what the last action committed. */
const outboxTo = async (template: string) => {
  await broadcastsSettled(portal);
  return outboxRowsTo(template);
};
const outboxRowsTo = (template: string) =>
  portal
    .db()
    .select({ to: outbox.toAddress })
    .from(outbox)
    .where(eq(outbox.template, template))
    .all()
    .map((row) => row.to.toLowerCase())
    .sort();
const allVotes = () =>
  portal
    .db()
    .select({ slotId: slotVotes.slotId, userId: slotVotes.userId, answer: slotVotes.answer })
    .from(slotVotes)
    .orderBy(asc(slotVotes.slotId), asc(slotVotes.userId))
    .all();
const allRsvps = () =>
  portal
    .db()
    .select({ userId: meetingRsvps.userId, response: meetingRsvps.response })
    .from(meetingRsvps)
    .orderBy(asc(meetingRsvps.userId))
    .all();
const writes = async () => (await broadcastsSettled(portal), {
  meetings: rowCount(portal, meetings),
  slots: rowCount(portal, meetingSlots),
  votes: rowCount(portal, slotVotes),
  rsvps: rowCount(portal, meetingRsvps),
  outbox: rowCount(portal, outbox),
});
const userId = (email: string) => portal.db().select().from(users).where(eq(users.email, email)).get()!.id;

/** Waits until `count` messages with this subject have arrived, then a little longer for strays. */
async function mailsWithSubject(subject: string, count: number): Promise<ReceivedMail[]> {
  const deadline = Date.now() + 10_000;
  const matching = () => smtp.received.filter((mail) => mail.subject === subject);
  while (matching().length < count && Date.now() < deadline) await sleep(50);
  await sleep(400); // the worker polls every 100 ms: a message too many would be here by now
  return matching();
}
const recipientsOf = (mails: ReceivedMail[]) => mails.flatMap((mail) => mail.envelopeTo).map((to) => to.toLowerCase()).sort();

/** The field's control is marked invalid and described by its message, which says `message`. */
function expectFieldError(html: string, field: string, message: string) {
  const control = tagWithId(html, field);
  expect(control, `control #${field}`).toBeDefined();
  expect(attr(control, "aria-invalid"), `#${field} aria-invalid`).toBe("true");
  expect(attr(control, "aria-describedby") ?? "", `#${field} aria-describedby`).toContain(`${field}-error`);
  expect(textOfId(html, `${field}-error`)).toContain(message);
  expect(mainText(html)).toContain("Please correct the field marked below.");
}

async function page(visitor: Visitor, path = `/meetings/${meetingId}`) {
  const response = await visitor.get(path);
  expect(response.status, path).toBe(200);
  return response.text();
}

/** Posts and expects the redirect back to the meeting page. */
async function act(visitor: Visitor, form: Record<string, string | string[]>, location = `/meetings/${meetingId}`) {
  const response = await visitor.post(`/meetings/${meetingId}`, form);
  const body = await response.text();
  expect(response.status, mainText(body || "<main></main>")).toBe(302);
  expect(response.headers.get("Location")).toBe(location);
}

const rowFor = (rows: SlotRow[], index: number) => {
  const row = rows.find((candidate) => candidate.slotId === slotIds[index]);
  if (!row) throw new Error(`slot ${index} is not on the page`);
  return row;
};

/** Whether any part of a slot (one hour from `utc`) falls outside 08:00-18:00 local time. */
function outsideHours(utc: string, zone: string): boolean {
  const start = new Date(utc);
  const end = new Date(start.getTime() + 3_600_000);
  const local = (at: Date) => new Date(at.getTime() + offsetMinutes(at, zone) * 60_000);
  const [from, to] = [local(start), local(end)];
  if (from.toISOString().slice(0, 10) !== to.toISOString().slice(0, 10)) return true;
  const minutes = (at: Date) => at.getUTCHours() * 60 + at.getUTCMinutes();
  return minutes(from) < 8 * 60 || minutes(to) > 18 * 60;
}

describe("proposing a meeting with four slots", () => {
  it("stores the slots in UTC and sends each invitee the poll", async () => {
    const response = await coordinator.post(`/consultations/${consultationId}/meetings/new`, meetingForm(SLOTS, { title: TITLE }));
    await response.text();
    expect(response.status).toBe(302);
    const match = /^\/meetings\/(\d+)$/.exec(response.headers.get("Location") ?? "");
    expect(match, response.headers.get("Location") ?? "no Location").not.toBeNull();
    meetingId = Number(match![1]);

    expect(meeting()).toMatchObject({ title: TITLE, status: "polling", revision: 0, timeZone: "Europe/Vienna", durationMinutes: 60, consultationId });
    const stored = portal.db().select().from(meetingSlots).where(eq(meetingSlots.meetingId, meetingId)).all();
    expect(stored).toHaveLength(4);
    slotIds = SLOTS.map((slot) => {
      const row = stored.find((candidate) => candidate.startsAt.toISOString() === slot.utc);
      expect(row, `a slot at ${slot.utc} (${slot.date} ${slot.time} Vienna)`).toBeDefined();
      expect(row!.endsAt.getTime() - row!.startsAt.getTime()).toBe(3_600_000);
      return row!.id;
    });

    expect(await outboxTo("meeting-poll")).toEqual(INVITEES);
    const polls = await mailsWithSubject(`When can you meet? ${TITLE}`, 3);
    expect(recipientsOf(polls)).toEqual(INVITEES);
    // Each in the invitee's own zone.
    const toAndres = polls.find((mail) => mail.envelopeTo.includes(ANDRES.email))!;
    expect(toAndres.text).toContain(`${dayText(ANDRES.locale, W)}, ${clockText(ANDRES.locale, "10:00")}`);
    expect(toAndres.text).toContain("(America/Bogota)");
  });

  it("shows Bogota each slot in Bogota time, with the day boundary right and the flags that apply", async () => {
    const rows = voteRows(await page(andres));
    expect(rows).toHaveLength(4);
    const { locale } = ANDRES;
    // 16:00 in Vienna's winter is 10:00 in Bogota, the same day.
    const s0 = rowFor(rows, 0);
    expect(s0.dateTime).toBe(SLOTS[0]!.utc);
    expect(s0.text).toBe(`${dayText(locale, W)}, ${clockText(locale, "10:00")}–${clockText(locale, "11:00")} COT (America/Bogota)`);
    expect(s0.flags).toEqual([]);
    // 09:00 Vienna is 03:00 in Bogota: outside working hours.
    const s1 = rowFor(rows, 1);
    expect(s1.text).toBe(`${dayText(locale, addDays(W, 1))}, ${clockText(locale, "03:00")}–${clockText(locale, "04:00")} COT (America/Bogota)`);
    expect(s1.flags).toEqual(["Outside your working hours"]);
    // 01:00 Vienna is 19:00 the evening before in Bogota.
    const s2 = rowFor(rows, 2);
    expect(s2.dateTime).toBe(SLOTS[2]!.utc);
    expect(s2.text).toBe(`${dayText(locale, addDays(W, 1))}, ${clockText(locale, "19:00")}–${clockText(locale, "20:00")} COT (America/Bogota)`);
    expect(s2.flags).toEqual(["Outside your working hours"]);
    // Bogota keeps one time all year: never a clock-change flag.
    const s3 = rowFor(rows, 3);
    expect(s3.text).toContain("(America/Bogota)");
    expect(s3.flags).toEqual(outsideHours(SLOTS[3]!.utc, ANDRES.zone) ? ["Outside your working hours"] : []);
    expect(rows.every((row) => row.checked === undefined)).toBe(true);
    // Every time on the page names the zone.
    expect(mainText(await page(andres))).toContain("Times in your zone, America/Bogota.");
  });

  it("shows Rome the same slots in Rome time, and flags the clock change ahead", async () => {
    const rows = voteRows(await page(giulia));
    const { locale } = GIULIA;
    expect(rowFor(rows, 0).text).toBe(`${dayText(locale, W)}, 16:00–17:00 CET (Europe/Rome)`);
    expect(rowFor(rows, 2).text).toBe(`${dayText(locale, addDays(W, 2))}, 01:00–02:00 CET (Europe/Rome)`);
    expect(rowFor(rows, 1).flags.includes("Outside your working hours")).toBe(false);
    expect(rowFor(rows, 2).flags).toContain("Outside your working hours");
    // Europe's next change lies between now and the last slot, and only that one.
    expect(rowFor(rows, 3).flags).toContain("Your clocks change before this date");
    const now = new Date();
    for (const index of [0, 1, 2]) {
      const changes = offsetMinutes(now, GIULIA.zone) !== offsetMinutes(new Date(SLOTS[index]!.utc), GIULIA.zone);
      expect(rowFor(rows, index).flags.includes("Your clocks change before this date"), `slot ${index}`).toBe(changes);
    }
  });

  it("refuses a stakeholder's proposal with 403 and writes nothing", async () => {
    const before = await writes();
    const response = await giulia.post(`/consultations/${consultationId}/meetings/new`, meetingForm(SLOTS, { title: "Giulia's own meeting" }));
    expect(response.status).toBe(403);
    await response.text();
    expect(await writes()).toEqual(before);
  });
});

describe("bad proposals are refused at the field, keep what was typed, and write nothing", () => {
  async function expectRefused(form: Record<string, string | string[]>, field: string, message: string) {
    const before = await writes();
    const response = await coordinator.post(`/consultations/${consultationId}/meetings/new`, form);
    expect(response.status).toBe(400);
    const html = await response.text();
    expectFieldError(html, field, message);
    expect(attr(tagWithId(html, "title"), "value")).toBe(form.title);
    for (const key of Object.keys(form).filter((name) => /^slot\d(Date|Time)$/.test(name))) {
      expect(attr(tagWithId(html, key), "value") ?? "", key).toBe(form[key]);
    }
    expect(await writes()).toEqual(before);
    return html;
  }

  it("a duplicate slot", async () => {
    await expectRefused(
      meetingForm([SLOTS[0]!, SLOTS[1]!, SLOTS[0]!], { title: "Twice the same slot" }),
      "slot2Date",
      "This slot is the same as slot 1.",
    );
  });

  it("the same instant entered twice in another zone's wall time is a duplicate too", async () => {
    // 16:00 Vienna in winter and 15:00 London are the same instant: proposed in London's zone.
    await expectRefused(
      meetingForm(
        [
          { date: W, time: "15:00" },
          { date: W, time: "15:00" },
        ],
        { title: "Twice in London", timeZone: "Europe/London" },
      ),
      "slot1Date",
      "This slot is the same as slot 1.",
    );
  });

  it("a slot in the past", async () => {
    await expectRefused(
      meetingForm([SLOTS[0]!, { date: addDays(todayUtc(), -1), time: "16:00" }], { title: "Yesterday's meeting" }),
      "slot1Date",
      "This slot is in the past.",
    );
  });

  it("an unknown time zone", async () => {
    const html = await expectRefused(
      meetingForm(SLOTS, { title: "Meeting in Atlantis", timeZone: "Atlantis/Poseidonia" }),
      "timeZone",
      "Choose a time zone from the list, like Europe/Vienna.",
    );
    expect(selectedValue(html, "timeZone")).not.toBe("Atlantis/Poseidonia");
  });

  it("a half-filled slot row", async () => {
    await expectRefused(
      meetingForm([SLOTS[0]!, { date: addDays(W, 1), time: "" }], { title: "Half a slot" }),
      "slot1Time",
      "Enter the slot's start time, like 16:00.",
    );
  });

  it("a slot that ends before it starts (a negative length)", async () => {
    const html = await expectRefused(
      meetingForm(SLOTS, { title: "Backwards meeting", durationMinutes: "-30" }),
      "durationMinutes",
      "A meeting lasts at least 15 minutes.",
    );
    expect(attr(tagWithId(html, "durationMinutes"), "value")).toBe("-30");
  });

  it("a start time that does not exist (the hour skipped when Europe's clocks go forward)", async () => {
    const year = new Date().getUTCFullYear();
    const spring = [euSwitches(year)[0]!, euSwitches(year + 1)[0]!].find((date) => date > addDays(todayUtc(), 1))!;
    await expectRefused(
      meetingForm([{ date: spring, time: "02:30" }], { title: "A meeting in the gap" }),
      "slot0Time",
      `02:30 does not exist on ${spring} in Europe/Vienna`,
    );
  });
});

describe("answering the poll", () => {
  it("collects answers from Bogota and Rome and ranks the slots by yes, then if-need-be", async () => {
    // Before anyone has answered, no slot is put forward.
    expect(ranking(await page(coordinator)).map((slot) => slot.preselected)).toEqual([false, false, false, false]);
    await act(andres, {
      intent: "vote",
      [`slot-${slotIds[0]}`]: "yes",
      [`slot-${slotIds[1]}`]: "no",
      [`slot-${slotIds[2]}`]: "if_need_be",
      [`slot-${slotIds[3]}`]: "yes",
    });
    // Said once, on the page the vote leads back to.
    expect(mainText(await page(andres))).toMatch(/^Your answers are saved\. You can change them until the time is chosen\./);
    expect(mainText(await page(andres))).not.toContain("Your answers are saved.");
    await act(giulia, {
      intent: "vote",
      [`slot-${slotIds[0]}`]: "yes",
      [`slot-${slotIds[1]}`]: "if_need_be",
      [`slot-${slotIds[2]}`]: "yes",
      [`slot-${slotIds[3]}`]: "no",
    });
    expect(allVotes()).toHaveLength(8);

    const html = await page(coordinator);
    // S0: 2 yes; S2: 1 yes + 1 if need be; S3: 1 yes; S1: no yes, 1 if need be.
    expect(ranking(html).map(({ slotId, yes, ifNeedBe, no }) => ({ slotId, yes, ifNeedBe, no }))).toEqual([
      { slotId: slotIds[0], yes: 2, ifNeedBe: 0, no: 0 },
      { slotId: slotIds[2], yes: 1, ifNeedBe: 1, no: 0 },
      { slotId: slotIds[3], yes: 1, ifNeedBe: 0, no: 1 },
      { slotId: slotIds[1], yes: 0, ifNeedBe: 1, no: 1 },
    ]);
    expect(ranking(html).map((slot) => slot.preselected)).toEqual([true, false, false, false]);
    // The coordinator sees the times in their own zone (Amsterdam) and the flags per invitee.
    const best = ranking(html)[0]!;
    expect(best.text).toContain("16:00–17:00 CET (Europe/Amsterdam)");
    const early = ranking(html).find((slot) => slot.slotId === slotIds[1])!;
    expect(early.text).toContain("Outside working hours in America/Bogota (1 invitee)");
    expect(early.text).not.toContain("Giulia Rossi");
    const afterSwitch = ranking(html).find((slot) => slot.slotId === slotIds[3])!;
    expect(afterSwitch.text).toMatch(/Clocks change before this date in .*Europe\/Rome/);
    expect(afterSwitch.text).not.toContain("America/Bogota,");

    // The grid, columns in time order; Katharina has not answered.
    const order = portal
      .db()
      .select({ id: meetingSlots.id })
      .from(meetingSlots)
      .where(eq(meetingSlots.meetingId, meetingId))
      .orderBy(asc(meetingSlots.startsAt))
      .all()
      .map((row) => row.id);
    const answers = (votes: string[]) => order.map((id) => votes[slotIds.indexOf(id)]);
    const grid = answerGrid(html);
    expect(grid.get(ANDRES.name)).toEqual(answers(["Yes", "No", "If need be", "Yes"]));
    expect(grid.get(GIULIA.name)).toEqual(answers(["Yes", "If need be", "Yes", "No"]));
    expect(grid.get(KATHARINA.name)).toEqual(["—", "—", "—", "—"]);
    expect(mainText(html)).toContain(`Not answered yet ${KATHARINA.name} Remind them by email (1)`);
  });

  it("lets an invitee see and change their answers", async () => {
    const mine = voteRows(await page(andres));
    expect([0, 1, 2, 3].map((index) => rowFor(mine, index).checked)).toEqual(["yes", "no", "if_need_be", "yes"]);

    await act(andres, { intent: "vote", [`slot-${slotIds[1]}`]: "yes" });
    expect(allVotes()).toHaveLength(8);
    expect(allVotes().find((vote) => vote.slotId === slotIds[1] && vote.userId === userId(ANDRES.email))?.answer).toBe("yes");
    const changed = voteRows(await page(andres));
    expect(rowFor(changed, 1).checked).toBe("yes");
    expect(rowFor(changed, 0).checked).toBe("yes");

    // S1 now ties S2 (1 yes, 1 if need be): the earlier slot goes first.
    expect(ranking(await page(coordinator)).map((slot) => slot.slotId)).toEqual([slotIds[0], slotIds[1], slotIds[2], slotIds[3]]);
  });

  it("refuses a member of an uninvited organisation: 404 on the page and on a vote, nothing written", async () => {
    const before = allVotes();
    const view = await daniel.get(`/meetings/${meetingId}`);
    expect(view.status).toBe(404);
    const viewText = mainText(await view.text());
    expect(viewText).not.toContain(TITLE);

    const vote = await daniel.post(`/meetings/${meetingId}`, { intent: "vote", [`slot-${slotIds[0]}`]: "yes" });
    const voteText = mainText(await vote.text());
    // As for a meeting that does not exist: a stranger learns nothing about this one.
    const missing = await daniel.post(`/meetings/${meetingId + 1000}`, { intent: "vote", [`slot-${slotIds[0]}`]: "yes" });
    await missing.text();
    expect(missing.status).toBe(404);
    expect(vote.status, `the vote was answered: ${voteText}`).toBe(404);
    expect(voteText).not.toContain(TITLE);
    const rsvp = await daniel.post(`/meetings/${meetingId}`, { intent: "rsvp", response: "accepted" });
    const rsvpText = mainText(await rsvp.text());
    expect(rsvp.status, `the RSVP was answered: ${rsvpText}`).toBe(404);
    expect(allVotes()).toEqual(before);
    expect(allRsvps()).toEqual([]);
  });

  it("reminds only the invitees who have not answered", async () => {
    const before = smtp.received.length;
    await act(coordinator, { intent: "remind" });
    expect(await outboxTo("meeting-poll-reminder")).toEqual([KATHARINA.email]);
    const reminders = await mailsWithSubject(`Reminder: when can you meet? ${TITLE}`, 1);
    expect(recipientsOf(reminders)).toEqual([KATHARINA.email]);
    expect(reminders[0]!.text).toContain(`/meetings/${meetingId}`);
    expect(smtp.received.length).toBe(before + 1);
  });

  it("does not let a stakeholder choose the slot (403), and nothing changes", async () => {
    const before = await writes();
    const response = await andres.post(`/meetings/${meetingId}`, { intent: "finalise", slotId: String(slotIds[0]) });
    expect(response.status).toBe(403);
    await response.text();
    expect(meeting()).toMatchObject({ status: "polling", startsAt: null, revision: 0 });
    expect(await writes()).toEqual(before);
  });
});

describe("finalising, RSVPs, rescheduling and cancelling", () => {
  it("asks the coordinator to confirm on a page of its own while someone has not answered, and refuses a post without it", async () => {
    const html = await page(coordinator);
    // The meeting's page leads to the confirmation page (a GET), not to finalising.
    expect(html).toMatch(new RegExp(`<form method="get" action="/meetings/${meetingId}/finalise"`));
    const confirm = await page(coordinator, `/meetings/${meetingId}/finalise?slotId=${slotIds[0]}`);
    const text = mainText(confirm);
    expect(text).toContain("Settle the time before everyone has answered?");
    expect(text).toMatch(/16:00–17:00 CET \(Europe\/Amsterdam\) ?: 2 yes, 0 if need be, 0 no\./);
    expect(text).toContain(`1 of 3 invitees has not answered yet: ${KATHARINA.name} (Donau Privatbank AG).`);
    expect(text).toContain("All 3 invitees are sent the invitation by email");
    expect(confirm).toContain('name="confirmed" value="yes"');

    const before = writes();
    const unconfirmed = await coordinator.post(`/meetings/${meetingId}`, { intent: "finalise", slotId: String(slotIds[0]) });
    expect(unconfirmed.status).toBe(409);
    expect(mainText(await unconfirmed.text())).toContain(
      "1 invitee has not answered yet. Choose the slot again and confirm on the next page that you want to settle the time without them.",
    );
    expect(writes()).toEqual(before);
    expect(meeting()).toMatchObject({ status: "polling", startsAt: null });

    for (const [path, status] of [
      [`/meetings/${meetingId}/finalise`, 400],
      [`/meetings/${meetingId}/finalise?slotId=999999`, 400],
      [`/meetings/${meetingId + 1000}/finalise?slotId=${slotIds[0]}`, 404],
    ] as const) {
      const response = await coordinator.get(path);
      expect(response.status, path).toBe(status);
      await response.text();
    }
    const stakeholder = await andres.get(`/meetings/${meetingId}/finalise?slotId=${slotIds[0]}`);
    expect(stakeholder.status).toBe(403);
    await stakeholder.text();
  });

  it("finalising sends exactly one email per invitee through the outbox, each in their own zone", async () => {
    await act(coordinator, { intent: "finalise", slotId: String(slotIds[0]), confirmed: "yes" });
    expect(mainText(await page(coordinator))).toMatch(/^The time is set: everyone invited is sent the invitation by email/);
    expect(meeting()).toMatchObject({ status: "scheduled", revision: 0 });
    expect(meeting().startsAt!.toISOString()).toBe(SLOTS[0]!.utc);
    expect(await outboxTo("meeting-scheduled")).toEqual(INVITEES);

    const mails = await mailsWithSubject(`Meeting scheduled: ${TITLE}`, 3);
    expect(recipientsOf(mails)).toEqual(INVITEES);
    const toAndres = mails.find((mail) => mail.envelopeTo.includes(ANDRES.email))!;
    expect(toAndres.text).toContain(
      `${dayText(ANDRES.locale, W)}, ${clockText(ANDRES.locale, "10:00")}–${clockText(ANDRES.locale, "11:00")} COT (America/Bogota)`,
    );
    const toGiulia = mails.find((mail) => mail.envelopeTo.includes(GIULIA.email))!;
    expect(toGiulia.text).toContain(`${dayText(GIULIA.locale, W)}, 16:00–17:00 CET (Europe/Rome)`);

    // The stakeholder's page shows the chosen time in Bogota, and no poll any more.
    const html = await page(andres);
    expect(mainText(html)).toContain(`${clockText(ANDRES.locale, "10:00")}–${clockText(ANDRES.locale, "11:00")} COT (America/Bogota)`);
    expect(html).not.toContain('aria-labelledby="vote-title"');
  });

  it("refuses to finalise a second time with a clear message (409), and sends nothing", async () => {
    const before = await writes();
    const response = await coordinator.post(`/meetings/${meetingId}`, { intent: "finalise", slotId: String(slotIds[1]) });
    expect(response.status).toBe(409);
    expect(mainText(await response.text())).toContain("This meeting's time has already been settled.");
    expect(await writes()).toEqual(before);
    expect(meeting().startsAt!.toISOString()).toBe(SLOTS[0]!.utc);
  });

  it("refuses a vote on the closed poll with a clear message (409), and writes nothing", async () => {
    const before = allVotes();
    const response = await giulia.post(`/meetings/${meetingId}`, { intent: "vote", [`slot-${slotIds[1]}`]: "yes" });
    expect(response.status).toBe(409);
    expect(mainText(await response.text())).toContain("The poll is closed: the meeting's time has been chosen.");
    expect(allVotes()).toEqual(before);
  });

  it("takes RSVPs on the scheduled meeting and shows the coordinator the counts", async () => {
    await act(andres, { intent: "rsvp", response: "declined" });
    await act(andres, { intent: "rsvp", response: "accepted" }); // changed his mind
    await act(giulia, { intent: "rsvp", response: "tentative" });
    expect(allRsvps()).toEqual(
      [
        { userId: userId(ANDRES.email), response: "accepted" },
        { userId: userId(GIULIA.email), response: "tentative" },
      ].sort((a, b) => a.userId - b.userId),
    );
    const text = mainText(await page(coordinator));
    expect(text).toContain("1 accepted · 1 maybe · 0 declined · 1 no answer");
    expect(text).toContain(`${ANDRES.name} (Banco Cordillera S.A.): Accept`);
    expect(text).toContain(`${GIULIA.name} (Vigilanza Digitale S.p.A.): Maybe`);
    expect(text).toContain(`${KATHARINA.name} (Donau Privatbank AG): no answer`);
    expect(mainText(await page(andres))).toMatch(/Your answer: Accept ?\. You can change it\./);
  });

  it("rescheduling raises the revision by one and tells every invitee; a bad new time is refused at its field", async () => {
    const past = await coordinator.post(`/meetings/${meetingId}`, {
      intent: "reschedule",
      date: addDays(todayUtc(), -2),
      time: "10:00",
      timeZone: "Europe/Vienna",
    });
    expect(past.status).toBe(400);
    expectFieldError(await past.text(), "date", "The new time is in the past.");
    const unknownZone = await coordinator.post(`/meetings/${meetingId}`, {
      intent: "reschedule",
      date: addDays(W, 3),
      time: "10:00",
      timeZone: "Europe/Atlantis",
    });
    expect(unknownZone.status).toBe(400);
    expectFieldError(await unknownZone.text(), "timeZone", "Choose a time zone from the list");
    expect(meeting()).toMatchObject({ revision: 0 });
    expect(meeting().startsAt!.toISOString()).toBe(SLOTS[0]!.utc);
    const refusedByStakeholder = await giulia.post(`/meetings/${meetingId}`, {
      intent: "reschedule",
      date: addDays(W, 3),
      time: "10:00",
      timeZone: "Europe/Vienna",
    });
    expect(refusedByStakeholder.status).toBe(403);
    await refusedByStakeholder.text();
    expect(await outboxTo("meeting-rescheduled")).toEqual([]);

    // Moved to 11:00 in Bogota three days later: 16:00 UTC.
    const newDate = addDays(W, 3);
    await act(coordinator, { intent: "reschedule", date: newDate, time: "11:00", timeZone: "America/Bogota" });
    expect(meeting()).toMatchObject({ status: "scheduled", revision: 1 });
    expect(meeting().startsAt!.toISOString()).toBe(`${newDate}T16:00:00.000Z`);
    expect(meeting().endsAt!.toISOString()).toBe(`${newDate}T17:00:00.000Z`);
    expect(await outboxTo("meeting-rescheduled")).toEqual(INVITEES);
    const mails = await mailsWithSubject(`Meeting moved: ${TITLE}`, 3);
    expect(recipientsOf(mails)).toEqual(INVITEES);
    const toGiulia = mails.find((mail) => mail.envelopeTo.includes(GIULIA.email))!;
    expect(toGiulia.text).toContain(
      `from ${dayText(GIULIA.locale, W)}, 16:00–17:00 CET (Europe/Rome) to ${dayText(GIULIA.locale, newDate)}, 17:00–18:00 CET (Europe/Rome)`,
    );
    expect(mainText(await page(coordinator))).toContain("revision 1");
  });

  it("reminds those who will come the day before, and someone who accepts after that at once, each once", async () => {
    // The move asked everyone again; Andrés and Giulia answer for the new time.
    await act(andres, { intent: "rsvp", response: "accepted" });
    await act(giulia, { intent: "rsvp", response: "tentative" });
    // The minutely timer, run as 23 hours before the moved meeting: the time is the one thing the
    // test sets; the built portal's worker composes the reminders and sends them.
    const dayBefore = new Date(meeting().startsAt!.getTime() - 23 * 3_600_000);
    expect(queueDueReminders(portal.db(), dayBefore)).toBe(1);
    expect(await outboxTo("meeting-reminder")).toEqual([ANDRES.email, GIULIA.email].sort());
    // Katharina, silent until now, accepts through the meeting's page: her reminder is queued
    // with her answer, in its transaction, with no broadcast to wait for.
    const katharina = await signIn(portal, smtp, KATHARINA.email);
    await act(katharina, { intent: "rsvp", response: "accepted" });
    expect(outboxRowsTo("meeting-reminder")).toEqual(INVITEES);
    // Answers changed after that queue nothing twice.
    await act(giulia, { intent: "rsvp", response: "accepted" });
    await act(katharina, { intent: "rsvp", response: "tentative" });
    expect(await outboxTo("meeting-reminder")).toEqual(INVITEES);
    const mails = await mailsWithSubject(`Tomorrow: ${TITLE}`, 3);
    expect(recipientsOf(mails)).toEqual(INVITEES);
    expect(mails.find((mail) => mail.envelopeTo.includes(KATHARINA.email))!.text).toContain(`${portal.url}/meetings/${meetingId}`);
  });

  it("cancelling raises the revision again, tells everyone, and stops RSVPs with a clear message (409)", async () => {
    await act(coordinator, { intent: "cancel" });
    expect(meeting()).toMatchObject({ status: "cancelled", revision: 2 });
    expect(await outboxTo("meeting-cancelled")).toEqual(INVITEES);
    const mails = await mailsWithSubject(`Meeting cancelled: ${TITLE}`, 3);
    expect(recipientsOf(mails)).toEqual(INVITEES);

    const before = { rsvps: allRsvps(), writes: await writes() };
    const response = await giulia.post(`/meetings/${meetingId}`, { intent: "rsvp", response: "accepted" });
    expect(response.status).toBe(409);
    expect(mainText(await response.text())).toContain("This meeting was cancelled: no answer is needed.");
    expect(allRsvps()).toEqual(before.rsvps);
    expect(await writes()).toEqual(before.writes);
    expect(meeting()).toMatchObject({ status: "cancelled", revision: 2 });

    // Cancelling twice is refused and changes nothing.
    const again = await coordinator.post(`/meetings/${meetingId}`, { intent: "cancel" });
    expect(again.status).toBe(409);
    expect(mainText(await again.text())).toContain("This meeting is already cancelled.");
    expect(meeting().revision).toBe(2);
  });
});

describe("proposing slots without JavaScript", () => {
  const form = (extra: Record<string, string>) => ({
    title: "Preview round",
    durationMinutes: "60",
    timeZone: "Europe/Vienna",
    tlp: "TLP:AMBER",
    slotRows: "2",
    slot0Date: SLOTS[0]!.date,
    slot0Time: SLOTS[0]!.time,
    slot1Date: SLOTS[1]!.date,
    slot1Time: SLOTS[1]!.time,
    ...extra,
  });
  const path = () => `/consultations/${consultationId}/meetings/new`;

  it("copies a slot to the next day and removes one, re-rendering the form as typed", async () => {
    const before = portal.db().select().from(meetings).all().length;
    const copied = await coordinator.post(path(), form({ intent: "copy-slot:0" }));
    expect(copied.status).toBe(200);
    const html = await copied.text();
    expect(attr(tagWithId(html, "slot1Date"), "value")).toBe(addDays(SLOTS[0]!.date, 1));
    expect(attr(tagWithId(html, "slot1Time"), "value")).toBe(SLOTS[0]!.time);
    expect(attr(tagWithId(html, "slot2Date"), "value")).toBe(SLOTS[1]!.date);
    expect(attr(tagWithId(html, "title"), "value")).toBe("Preview round");
    const removed = await (await coordinator.post(path(), form({ intent: "remove-slot:0" }))).text();
    expect(attr(tagWithId(removed, "slot0Date"), "value")).toBe(SLOTS[1]!.date);
    expect(tagWithId(removed, "slot1Date")).toBeUndefined();
    const added = await (await coordinator.post(path(), form({ intent: "add-slot" }))).text();
    expect(attr(tagWithId(added, "slot2Date"), "value") ?? "").toBe("");
    // Nothing was proposed, nobody was asked.
    expect(portal.db().select().from(meetings).all().length).toBe(before);
  });

  it("previews each slot in every invitee's zone, flagging what falls outside working hours", async () => {
    const before = portal.db().select().from(meetings).all().length;
    const response = await coordinator.post(path(), form({ intent: "preview" }));
    expect(response.status).toBe(200);
    const text = mainText(await response.text());
    expect(text).toContain("How each invitee will read the slots");
    // Slot 2, 09:00 in Vienna, is 03:00 in Bogota: flagged for Andrés.
    const second = text.slice(text.indexOf("Slot 2:"));
    expect(second).toMatch(/America\/Bogota\) for Andrés Restrepo outside 08:00–18:00/);
    expect(text.slice(text.indexOf("Slot 1:"), text.indexOf("Slot 2:"))).not.toContain("outside 08:00–18:00");
    expect(portal.db().select().from(meetings).all().length).toBe(before);
  });
});
