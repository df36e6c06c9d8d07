import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  auditEvents,
  meetingAttendance,
  meetingRsvps,
  meetings,
  meetingSlots,
  outbox,
  slotVotes,
  type VoteAnswer,
} from "../../db/schema";
import { DEMO_SIGN_INS } from "../../db/seed";
import { formatTimeRange } from "~/lib/time";
import { getAccount } from "~/modules/accounts/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { closeConsultation, createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { meetingFormSchema, rescheduleFormSchema } from "~/modules/scheduling/schema";
import { editSlotRows, slotFields, slotRowsOf } from "~/modules/scheduling/slots";
import {
  cancelMeeting,
  castVotes,
  finaliseConsequences,
  finaliseMeeting,
  getMeeting,
  meetingRecord,
  pollOverview,
  proposeMeeting,
  recordMeeting,
  remindSilentInvitees,
  rescheduleMeeting,
  respondToMeeting,
  rsvpOverview,
  setAttendeeListOpen,
  upcomingFor,
  viewMeeting,
} from "~/modules/scheduling/service.server";
import { BROADCAST_HANDLERS } from "~/modules/broadcasts/handlers.server";
import { drainBroadcasts } from "~/modules/broadcasts/service.server";
import { freshDatabase } from "../support/db";
import { appErrorFrom, failedFields, later, minutes, organisationIdOf, rowCount, userIdOf } from "./helpers";

const APP_URL = "http://localhost:3000";
const origin = { ip: "203.0.113.5", userAgent: "vitest" };
/** Before both DST switches of 2026 (North America: 8 March, Europe: 29 March). */
const T0 = new Date("2026-03-02T09:00:00.000Z");

const ANDRES = "andres.restrepo@bancocordillera.example"; // Banco Cordillera, America/Bogota
const GIULIA = "giulia.rossi@vigilanzadigitale.example"; // Vigilanza Digitale, Europe/Rome
const MARCO = "marco.bianchi@sicurezzadigitale.example"; // Ministero, Europe/Rome: stays silent
const KATHARINA = "katharina.huber@donau-privatbank.example"; // Donau Privatbank: not invited
const THOMAS = "thomas.keller@taskforce.example"; // taskforce analyst: sees all, invited to none
const INVITED = ["Banco Cordillera S.A.", "Vigilanza Digitale S.p.A.", "Ministero per la Sicurezza Digitale"];

// Four candidate slots, proposed in Vienna's time.
const SLOTS = [
  { date: "2026-03-17", time: "16:00", utc: "2026-03-17T15:00:00.000Z" }, // Bogota 10:00, Rome 16:00
  { date: "2026-03-18", time: "09:00", utc: "2026-03-18T08:00:00.000Z" }, // Bogota 03:00: outside hours
  { date: "2026-03-31", time: "16:00", utc: "2026-03-31T14:00:00.000Z" }, // after the EU switch
  { date: "2026-03-19", time: "17:00", utc: "2026-03-19T16:00:00.000Z" }, // Bogota 11:00, Rome 17:00-18:00
];

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
let coordinator: { userId: number; origin: typeof origin; appUrl: string };
let consultationId: number;

beforeEach(() => {
  ({ db, sqlite } = freshDatabase({ seed: true }));
  coordinator = { userId: userIdOf(db, DEMO_SIGN_INS.coordinator), origin, appUrl: APP_URL };
  consultationId = consultation("open");
});
afterEach(() => sqlite.close());

function consultation(status: "draft" | "open" | "closed") {
  const id = createConsultation(
    db,
    consultationFormSchema.parse({
      title: "Banking trojans, spring round",
      crimeAreas: ["banking_trojans"],
      deadlineDate: "2026-05-15",
      deadlineTime: "17:00",
      deadlineTimeZone: "Europe/Vienna",
      organisationIds: INVITED.map((name) => String(organisationIdOf(db, name))),
    }),
    coordinator,
    T0,
  );
  if (status !== "draft") openConsultation(db, id, coordinator, T0);
  if (status === "closed") closeConsultation(db, id, coordinator, T0);
  return id;
}

const account = (email: string) => getAccount(db, userIdOf(db, email));

/** The proposal form as a browser posts it. */
function formValues(overrides: Record<string, unknown> = {}) {
  const values: Record<string, unknown> = {
    title: "First round: banking trojans",
    agenda: "1. Current campaigns\n2. Takedown options",
    durationMinutes: "60",
    place: "",
    videoUrl: "https://meet.taskforce.example/r/first-round",
    timeZone: "Europe/Vienna",
    slot4Date: "",
    slot4Time: "",
  };
  SLOTS.forEach((slot, row) => {
    values[`slot${row}Date`] = slot.date;
    values[`slot${row}Time`] = slot.time;
  });
  return { ...values, ...overrides };
}
const proposal = (overrides: Record<string, unknown> = {}) => meetingFormSchema.parse(formValues(overrides));

/** The mail the broadcast worker composes from what the module committed (no worker in unit tests). */
const drain = () => drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, T0);
const written = () => (drain(), {
  meetings: rowCount(db, meetings),
  slots: rowCount(db, meetingSlots),
  votes: rowCount(db, slotVotes),
  rsvps: rowCount(db, meetingRsvps),
  attendance: rowCount(db, meetingAttendance),
  outbox: rowCount(db, outbox),
  audit: rowCount(db, auditEvents),
});

const mails = (template: string) => (drain(), db.select().from(outbox).where(eq(outbox.template, template)).all());
const mailTo = (template: string, email: string) => {
  const found = mails(template).filter((mail) => mail.toAddress === email);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** A proposed meeting and its slot ids, in the order of SLOTS. */
function proposed(overrides: Record<string, unknown> = {}) {
  const meetingId = proposeMeeting(db, consultationId, proposal(overrides), coordinator, T0);
  const byStart = new Map(
    db
      .select()
      .from(meetingSlots)
      .where(eq(meetingSlots.meetingId, meetingId))
      .all()
      .map((slot) => [slot.startsAt.toISOString(), slot.id]),
  );
  return { meetingId, slotIds: SLOTS.map((slot) => byStart.get(slot.utc)!) };
}

function vote(email: string, meetingId: number, slotIds: number[], answers: VoteAnswer[], now = later(T0, minutes(60))) {
  castVotes(
    db,
    account(email),
    meetingId,
    answers.map((answer, index) => ({ slotId: slotIds[index]!, answer })),
    now,
  );
}

describe("meetingFormSchema", () => {
  it("reads the numbered slot rows and skips blank ones", () => {
    const input = proposal();
    expect(input.slots).toEqual(SLOTS.map((slot, row) => ({ row, date: slot.date, time: slot.time })));
    expect(input).toMatchObject({ durationMinutes: 60, timeZone: "Europe/Vienna", attendeeListOpen: false, place: undefined });
  });

  it("refuses a half-filled slot row at the field that is missing", () => {
    expect(failedFields(meetingFormSchema.safeParse(formValues({ slot1Time: "" })))).toEqual(["slot1Time"]);
    expect(failedFields(meetingFormSchema.safeParse(formValues({ slot4Time: "10:00" })))).toEqual(["slot4Date"]);
    expect(failedFields(meetingFormSchema.safeParse(formValues({ slot2Time: "4pm" })))).toEqual(["slot2Time"]);
  });

  it("refuses a proposal without slots at slot0Date", () => {
    const blank = Object.fromEntries(SLOTS.flatMap((_, row) => [[`slot${row}Date`, ""], [`slot${row}Time`, ""]]));
    const result = meetingFormSchema.safeParse(formValues(blank));
    expect(failedFields(result)).toEqual(["slot0Date"]);
    expect(result.error!.issues[0]!.message).toBe("Propose at least one slot.");
  });

  it("refuses a meeting that would end before it starts, an unknown zone and a plain-http video link", () => {
    expect(failedFields(meetingFormSchema.safeParse(formValues({ durationMinutes: "-30" })))).toEqual(["durationMinutes"]);
    expect(failedFields(meetingFormSchema.safeParse(formValues({ durationMinutes: "0" })))).toEqual(["durationMinutes"]);
    expect(failedFields(meetingFormSchema.safeParse(formValues({ timeZone: "Europe/Atlantis" })))).toEqual(["timeZone"]);
    expect(failedFields(meetingFormSchema.safeParse(formValues({ videoUrl: "http://meet.example/r/1" })))).toEqual([
      "videoUrl",
    ]);
  });

  it("refuses a slot date that is not in the calendar at its date field", () => {
    expect(failedFields(meetingFormSchema.safeParse(formValues({ slot1Date: "2026-02-30" })))).toEqual(["slot1Date"]);
  });

  it("refuses a slot time that is not a clock time at its time field", () => {
    expect(failedFields(meetingFormSchema.safeParse(formValues({ slot1Time: "25:00" })))).toEqual(["slot1Time"]);
    expect(failedFields(rescheduleFormSchema.safeParse({ date: "2026-03-20", time: "24:00", timeZone: "Europe/Rome" }))).toEqual([
      "time",
    ]);
  });
});

describe("proposeMeeting", () => {
  it("stores the slots in UTC with endsAt = startsAt + duration, and mails every invitee the slots in their zone", () => {
    const { meetingId, slotIds } = proposed();
    const meeting = getMeeting(db, meetingId);
    expect(meeting).toMatchObject({
      consultationId,
      organiserUserId: coordinator.userId,
      status: "polling",
      revision: 0,
      timeZone: "Europe/Vienna",
      startsAt: null,
      durationMinutes: 60,
      videoUrl: "https://meet.taskforce.example/r/first-round",
    });
    expect(meeting.uid).toMatch(/@localhost$/);

    const slots = db.select().from(meetingSlots).where(eq(meetingSlots.meetingId, meetingId)).all();
    expect(slots).toHaveLength(4);
    expect(slotIds.every(Boolean)).toBe(true);
    for (const slot of slots) {
      expect(slot.endsAt.getTime() - slot.startsAt.getTime()).toBe(minutes(60));
      expect(slot.timeZone).toBe("Europe/Vienna");
    }

    const polls = mails("meeting-poll");
    expect(polls.map((mail) => mail.toAddress).sort()).toEqual([ANDRES, GIULIA, MARCO].sort());
    const andres = account(ANDRES);
    const text = mailTo("meeting-poll", ANDRES).text;
    for (const slot of SLOTS) {
      const start = new Date(slot.utc);
      expect(text).toContain(formatTimeRange(start, later(start, minutes(60)), andres));
    }
    // 16:00 in Vienna on 17 March is 10:00 in Bogota.
    expect(text).toMatch(/10:00.*\(America\/Bogota\)/);
    expect(text).toContain(`${APP_URL}/meetings/${meetingId}`);
  });

  it("refuses a slot in the past at its date field, and writes nothing", () => {
    const before = written();
    const error = appErrorFrom(
      () => proposeMeeting(db, consultationId, proposal({ slot2Date: "2026-03-01" }), coordinator, T0),
      "invalid",
    );
    expect(error.field).toBe("slot2Date");
    expect(written()).toEqual(before);
  });

  it("refuses a duplicate slot at the second one's field, and writes nothing", () => {
    const before = written();
    const error = appErrorFrom(
      () =>
        proposeMeeting(db, consultationId, proposal({ slot3Date: SLOTS[0]!.date, slot3Time: SLOTS[0]!.time }), coordinator, T0),
      "invalid",
    );
    expect(error.field).toBe("slot3Date");
    expect(error.message).toContain("slot 1");
    expect(written()).toEqual(before);
  });

  it("refuses a local time the clocks skip at its time field, and writes nothing", () => {
    const before = written();
    const error = appErrorFrom(
      () => proposeMeeting(db, consultationId, proposal({ slot1Date: "2026-03-29", slot1Time: "02:30" }), coordinator, T0),
      "invalid",
    );
    expect(error.field).toBe("slot1Time");
    expect(written()).toEqual(before);
  });

  it("accepts 03:30 in Toronto on the morning the clocks spring forward (07:30 UTC)", () => {
    const meetingId = proposeMeeting(
      db,
      consultationId,
      proposal({
        timeZone: "America/Toronto",
        ...Object.fromEntries(SLOTS.slice(1).flatMap((_, index) => [[`slot${index + 1}Date`, ""], [`slot${index + 1}Time`, ""]])),
        slot0Date: "2026-03-08",
        slot0Time: "03:30",
      }),
      coordinator,
      T0,
    );
    const slots = db.select().from(meetingSlots).where(eq(meetingSlots.meetingId, meetingId)).all();
    expect(slots.map((slot) => slot.startsAt.toISOString())).toEqual(["2026-03-08T07:30:00.000Z"]);
  });

  it("refuses a consultation that is not open, and writes nothing", () => {
    const draft = consultation("draft");
    const closed = consultation("closed");
    const before = written();
    appErrorFrom(() => proposeMeeting(db, draft, proposal(), coordinator, T0), "conflict");
    appErrorFrom(() => proposeMeeting(db, closed, proposal(), coordinator, T0), "conflict");
    appErrorFrom(() => proposeMeeting(db, 424242, proposal(), coordinator, T0), "not_found");
    expect(written()).toEqual(before);
  });
});

describe("the poll", () => {
  it("ranks the slots from answers given in Bogota and Rome, and lists the silent invitee", () => {
    const { meetingId, slotIds } = proposed();
    const [s1, s2, s3, s4] = slotIds as [number, number, number, number];
    vote(ANDRES, meetingId, slotIds, ["yes", "no", "yes", "if_need_be"]);
    vote(GIULIA, meetingId, slotIds, ["if_need_be", "yes", "yes", "if_need_be"]);

    const overview = pollOverview(db, meetingId, later(T0, minutes(120)));
    expect(overview.ranking.map((tally) => [tally.slotId, tally.yes, tally.ifNeedBe, tally.no])).toEqual([
      [s3, 2, 0, 0],
      [s1, 1, 1, 0],
      [s2, 1, 0, 1],
      [s4, 0, 2, 0],
    ]);
    expect(overview).toMatchObject({ invited: 3, answered: 2, silent: { count: 1 } });
    expect(overview.silent.first.map((invitee) => invitee.name)).toEqual(["Marco Bianchi"]);
    expect(finaliseConsequences(db, meetingId, s3).silent).toEqual({ count: 1, first: [expect.objectContaining({ name: "Marco Bianchi" })] });
    const row = (email: string) => overview.grid.rows.find((entry) => entry.invitee.email === email)!;
    expect(row(ANDRES).answers).toEqual({ [s1]: "yes", [s2]: "no", [s3]: "yes", [s4]: "if_need_be" });
    expect(row(MARCO).answers).toEqual({});
  });

  it("flags a slot outside the Bogota invitee's working hours, and a DST change before a slot", () => {
    const { meetingId, slotIds } = proposed();
    const flags = (now: Date) => new Map(pollOverview(db, meetingId, now).slots.map((slot) => [slot.id, slot]));

    const early = flags(T0);
    // 09:00 in Vienna is 03:00 in Bogota; Rome keeps office hours.
    expect(early.get(slotIds[1]!)!.outsideHoursIn).toEqual([{ timeZone: "America/Bogota", people: 1 }]);
    for (const id of [slotIds[0]!, slotIds[2]!, slotIds[3]!]) expect(early.get(id)!.outsideHoursIn).toEqual([]);
    // Europe changes its clocks on 29 March, between now and the 31 March slot; Bogota never does.
    expect(early.get(slotIds[2]!)!.clockChangeIn.sort()).toEqual(["Europe/Rome", "Europe/Vienna"]);
    for (const id of [slotIds[0]!, slotIds[1]!, slotIds[3]!]) expect(early.get(id)!.clockChangeIn).toEqual([]);

    // Seen after the switch, nothing changes any more before the slot.
    expect(flags(new Date("2026-03-30T09:00:00Z")).get(slotIds[2]!)!.clockChangeIn).toEqual([]);
  });

  it("lets an invitee change their answers until the meeting is finalised", () => {
    const { meetingId, slotIds } = proposed();
    const [s1, , s3, s4] = slotIds as [number, number, number, number];
    vote(ANDRES, meetingId, slotIds, ["yes", "no", "yes", "if_need_be"]);
    vote(GIULIA, meetingId, slotIds, ["if_need_be", "yes", "yes", "if_need_be"]);
    castVotes(db, account(ANDRES), meetingId, [{ slotId: s4, answer: "yes" }], later(T0, minutes(90)));

    const ranking = pollOverview(db, meetingId, T0).ranking;
    // s1 and s4 now tie on one yes and one if-need-be: the earlier slot (17 March) goes first.
    expect(ranking.map((tally) => tally.slotId).slice(0, 3)).toEqual([s3, s1, s4]);
    expect(rowCount(db, slotVotes)).toBe(8);

    finaliseMeeting(db, meetingId, s3, coordinator, later(T0, minutes(180)));
    const before = written();
    const error = appErrorFrom(
      () => castVotes(db, account(ANDRES), meetingId, [{ slotId: s1, answer: "no" }], later(T0, minutes(200))),
      "conflict",
    );
    expect(error.message).toMatch(/poll is closed/);
    expect(written()).toEqual(before);
    expect(db.select().from(slotVotes).where(eq(slotVotes.slotId, s1)).all().map((row) => row.answer).sort()).toEqual([
      "if_need_be",
      "yes",
    ]);
  });

  it("refuses votes from someone who is not invited, and writes nothing", () => {
    const { meetingId, slotIds } = proposed();
    const before = written();
    // An outsider learns nothing, not even that the meeting exists.
    appErrorFrom(() => vote(KATHARINA, meetingId, slotIds, ["yes", "yes", "yes", "yes"]), "not_found");
    // Taskforce staff see every meeting, but only invitees answer its poll.
    appErrorFrom(() => vote(THOMAS, meetingId, slotIds, ["yes", "yes", "yes", "yes"]), "forbidden");
    expect(written()).toEqual(before);
  });

  it("refuses votes for another meeting's slots, and writes nothing", () => {
    const first = proposed();
    const second = proposeMeeting(db, consultationId, proposal({ title: "Second round" }), coordinator, T0);
    const before = written();
    appErrorFrom(
      () =>
        castVotes(
          db,
          account(ANDRES),
          second,
          [{ slotId: first.slotIds[0]!, answer: "yes" }],
          T0,
        ),
      "invalid",
    );
    expect(written()).toEqual(before);
  });

  it("reminds only the invitees who have not answered", () => {
    const { meetingId, slotIds } = proposed();
    vote(ANDRES, meetingId, slotIds, ["yes", "no", "yes", "if_need_be"]);
    vote(GIULIA, meetingId, slotIds, ["if_need_be", "yes", "yes", "if_need_be"]);

    expect(remindSilentInvitees(db, meetingId, coordinator, later(T0, minutes(120)))).toBe(1);
    const reminders = mails("meeting-poll-reminder");
    expect(reminders.map((mail) => mail.toAddress)).toEqual([MARCO]);
    expect(reminders[0]!.text).toContain("We have not yet heard");
    expect(reminders[0]!.text).toContain("(Europe/Rome)");

    vote(MARCO, meetingId, slotIds, ["no", "no", "yes", "no"], later(T0, minutes(150)));
    expect(remindSilentInvitees(db, meetingId, coordinator, later(T0, minutes(180)))).toBe(0);
    expect(mails("meeting-poll-reminder")).toHaveLength(1);
  });
});

describe("finalise, reschedule, cancel", () => {
  function finalised() {
    const { meetingId, slotIds } = proposed();
    finaliseMeeting(db, meetingId, slotIds[2]!, coordinator, later(T0, minutes(180)));
    return { meetingId, slotIds };
  }

  it("finalising gives the meeting the slot's time and tells every invitee once, revision unchanged", () => {
    const { meetingId, slotIds } = finalised();
    const meeting = getMeeting(db, meetingId);
    const slot = db.select().from(meetingSlots).where(eq(meetingSlots.id, slotIds[2]!)).get()!;
    expect(meeting).toMatchObject({
      status: "scheduled",
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      revision: 0,
      finalisedAt: later(T0, minutes(180)),
    });

    const scheduled = mails("meeting-scheduled");
    expect(scheduled.map((mail) => mail.toAddress).sort()).toEqual([ANDRES, GIULIA, MARCO].sort());
    for (const email of [ANDRES, GIULIA, MARCO]) {
      expect(mailTo("meeting-scheduled", email).text).toContain(formatTimeRange(slot.startsAt, slot.endsAt, account(email)));
    }
    // 16:00 in Vienna on 31 March (CEST) is 09:00 in Bogota.
    expect(mailTo("meeting-scheduled", ANDRES).text).toMatch(/09:00.*\(America\/Bogota\)/);

    const before = written();
    appErrorFrom(() => finaliseMeeting(db, meetingId, slotIds[0]!, coordinator, later(T0, minutes(200))), "conflict");
    expect(written()).toEqual(before);
  });

  it("refuses to finalise on a slot that is not the poll's", () => {
    const first = proposed();
    const second = proposeMeeting(db, consultationId, proposal({ title: "Second round" }), coordinator, T0);
    const error = appErrorFrom(() => finaliseMeeting(db, second, first.slotIds[0]!, coordinator, T0), "invalid");
    expect(error.field).toBe("slotId");
    expect(getMeeting(db, second).status).toBe("polling");
  });

  it("refuses to finalise on a slot that has already begun", () => {
    const { meetingId, slotIds } = proposed();
    const error = appErrorFrom(
      () => finaliseMeeting(db, meetingId, slotIds[0]!, coordinator, new Date(SLOTS[0]!.utc)),
      "invalid",
    );
    expect(error.field).toBe("slotId");
    expect(getMeeting(db, meetingId)).toMatchObject({ status: "polling", startsAt: null });
    expect(mails("meeting-scheduled")).toEqual([]);
  });

  it("rescheduling raises the revision by one and tells everyone the old and the new time", () => {
    const { meetingId } = finalised();
    const old = getMeeting(db, meetingId);
    rescheduleMeeting(
      db,
      meetingId,
      { date: "2026-04-02", time: "10:00", timeZone: "Europe/Rome" },
      coordinator,
      later(T0, minutes(300)),
    );
    const moved = getMeeting(db, meetingId);
    expect(moved.revision).toBe(old.revision + 1);
    expect(moved.uid).toBe(old.uid);
    expect(moved.startsAt).toEqual(new Date("2026-04-02T08:00:00.000Z"));
    expect(moved.endsAt).toEqual(new Date("2026-04-02T09:00:00.000Z"));

    expect(mails("meeting-rescheduled").map((mail) => mail.toAddress).sort()).toEqual([ANDRES, GIULIA, MARCO].sort());
    for (const email of [ANDRES, GIULIA, MARCO]) {
      const person = account(email);
      const text = mailTo("meeting-rescheduled", email).text;
      expect(text).toContain(
        `from ${formatTimeRange(old.startsAt!, old.endsAt!, person)} to ${formatTimeRange(moved.startsAt!, moved.endsAt!, person)}`,
      );
    }
    // For Bogota: from 09:00 to 03:00.
    expect(mailTo("meeting-rescheduled", ANDRES).text).toMatch(/from .*09:00.* to .*03:00/);
  });

  it("refuses to reschedule to the same time, to the past or to a skipped hour, and writes nothing", () => {
    const { meetingId } = finalised();
    const before = written();
    const now = later(T0, minutes(300));
    const refusal = (date: string, time: string, timeZone = "Europe/Vienna") =>
      appErrorFrom(() => rescheduleMeeting(db, meetingId, { date, time, timeZone }, coordinator, now), "invalid");

    expect(refusal("2026-03-31", "16:00").field).toBe("date");
    // The same instant, entered in Bogota's time.
    expect(refusal("2026-03-31", "09:00", "America/Bogota").field).toBe("date");
    expect(refusal("2026-03-01", "16:00").field).toBe("date");
    expect(refusal("2026-03-29", "02:30").field).toBe("time");
    expect(written()).toEqual(before);
    expect(getMeeting(db, meetingId).revision).toBe(0);
  });

  it("cancelling raises the revision again, tells everyone, and stops RSVPs", () => {
    const { meetingId } = finalised();
    rescheduleMeeting(db, meetingId, { date: "2026-04-02", time: "10:00", timeZone: "Europe/Rome" }, coordinator, later(T0, minutes(300)));
    cancelMeeting(db, meetingId, coordinator, later(T0, minutes(400)));

    const meeting = getMeeting(db, meetingId);
    expect(meeting).toMatchObject({ status: "cancelled", revision: 2, cancelledAt: later(T0, minutes(400)) });
    expect(mails("meeting-cancelled").map((mail) => mail.toAddress).sort()).toEqual([ANDRES, GIULIA, MARCO].sort());
    expect(mailTo("meeting-cancelled", GIULIA).text).toContain("This meeting has been cancelled.");
    expect(mailTo("meeting-cancelled", GIULIA).text).toContain(
      formatTimeRange(meeting.startsAt!, meeting.endsAt!, account(GIULIA)),
    );

    const before = written();
    const error = appErrorFrom(
      () => respondToMeeting(db, account(ANDRES), meetingId, "accepted", APP_URL, later(T0, minutes(410))),
      "conflict",
    );
    expect(error.message).toMatch(/cancelled/);
    appErrorFrom(() => cancelMeeting(db, meetingId, coordinator, later(T0, minutes(420))), "conflict");
    expect(written()).toEqual(before);
  });
});

describe("RSVP and the meeting record", () => {
  it("refuses an RSVP before the time is chosen", () => {
    const { meetingId } = proposed();
    appErrorFrom(() => respondToMeeting(db, account(ANDRES), meetingId, "accepted", APP_URL, T0), "conflict");
    expect(rowCount(db, meetingRsvps)).toBe(0);
  });

  it("counts the answers, which an invitee can change, and refuses a non-invitee", () => {
    const { meetingId, slotIds } = proposed();
    finaliseMeeting(db, meetingId, slotIds[0]!, coordinator, T0);
    respondToMeeting(db, account(ANDRES), meetingId, "accepted", APP_URL, T0);
    respondToMeeting(db, account(GIULIA), meetingId, "declined", APP_URL, T0);
    expect(rsvpOverview(db, meetingId).counts).toEqual({ accepted: 1, tentative: 0, declined: 1, none: 1 });

    respondToMeeting(db, account(GIULIA), meetingId, "tentative", APP_URL, later(T0, minutes(5)));
    const overview = rsvpOverview(db, meetingId);
    expect(overview.counts).toEqual({ accepted: 1, tentative: 1, declined: 0, none: 1 });
    expect(Object.fromEntries(overview.people.rows.map((person) => [person.email, person.response]))).toEqual({
      [ANDRES]: "accepted",
      [GIULIA]: "tentative",
      [MARCO]: null,
    });

    appErrorFrom(() => respondToMeeting(db, account(KATHARINA), meetingId, "accepted", APP_URL, T0), "not_found");
    appErrorFrom(() => respondToMeeting(db, account(THOMAS), meetingId, "accepted", APP_URL, T0), "forbidden");
    expect(rowCount(db, meetingRsvps)).toBe(2);
  });

  it("asks everyone again when the meeting moves: answers were given for the old time", () => {
    const { meetingId, slotIds } = proposed();
    finaliseMeeting(db, meetingId, slotIds[0]!, coordinator, T0);
    respondToMeeting(db, account(ANDRES), meetingId, "accepted", APP_URL, T0);
    expect(rsvpOverview(db, meetingId).counts.accepted).toBe(1);
    rescheduleMeeting(db, meetingId, { date: "2026-04-02", time: "10:00", timeZone: "Europe/Rome" }, coordinator, later(T0, minutes(5)));
    expect(rsvpOverview(db, meetingId).counts).toEqual({ accepted: 0, tentative: 0, declined: 0, none: 3 });
  });

  it("keeps the record only once the meeting has begun, for invitees only", () => {
    const { meetingId, slotIds } = proposed();
    finaliseMeeting(db, meetingId, slotIds[0]!, coordinator, T0);
    const startsAt = getMeeting(db, meetingId).startsAt!;
    const present = [userIdOf(db, ANDRES), userIdOf(db, GIULIA)];
    const shown = [ANDRES, GIULIA, MARCO].map((email) => userIdOf(db, email));
    const record = { shown, attended: present, minutes: "Agreed to share droppers seen since January." };

    const before = written();
    appErrorFrom(() => recordMeeting(db, meetingId, record, coordinator, later(startsAt, -minutes(1))), "conflict");
    const outsider = appErrorFrom(
      () =>
        recordMeeting(
          db,
          meetingId,
          { ...record, shown: [...shown, userIdOf(db, KATHARINA)], attended: [...present, userIdOf(db, KATHARINA)] },
          coordinator,
          later(startsAt, minutes(70)),
        ),
      "invalid",
    );
    expect(outsider.field).toBe("attended");
    expect(written()).toEqual(before);

    recordMeeting(db, meetingId, record, coordinator, later(startsAt, minutes(70)));
    expect(getMeeting(db, meetingId).minutes).toBe(record.minutes);
    expect(meetingRecord(db, meetingId, shown).attendance).toEqual({
      [userIdOf(db, ANDRES)]: true,
      [userIdOf(db, GIULIA)]: true,
      [userIdOf(db, MARCO)]: false,
    });
    // A box ticked that the form did not show is refused too: the form names whom it shows.
    const unshown = appErrorFrom(
      () => recordMeeting(db, meetingId, { ...record, shown: [userIdOf(db, ANDRES)] }, coordinator, later(startsAt, minutes(71))),
      "invalid",
    );
    expect(unshown.field).toBe("attended");
  });

  it("keeps the attendance a page at a time: saving one page leaves the others' as they were saved", () => {
    const { meetingId, slotIds } = proposed();
    finaliseMeeting(db, meetingId, slotIds[0]!, coordinator, T0);
    const at = later(getMeeting(db, meetingId).startsAt!, minutes(70));
    const [andres, giulia, marco] = [ANDRES, GIULIA, MARCO].map((email) => userIdOf(db, email)) as [number, number, number];
    recordMeeting(db, meetingId, { shown: [andres, giulia], attended: [andres, giulia], minutes: "" }, coordinator, at);
    recordMeeting(db, meetingId, { shown: [marco], attended: [], minutes: "Minutes from the second page." }, coordinator, at);
    const record = meetingRecord(db, meetingId, [andres, giulia, marco]);
    expect(record.attendance).toEqual({ [andres]: true, [giulia]: true, [marco]: false });
    expect(record).toMatchObject({ present: 2, recorded: true });
    expect(getMeeting(db, meetingId).minutes).toBe("Minutes from the second page.");
  });
});

describe("who sees a meeting", () => {
  it("answers not_found to a stakeholder of an uninvited organisation", () => {
    const { meetingId } = proposed();
    appErrorFrom(() => viewMeeting(db, account(KATHARINA), meetingId, T0), "not_found");
    appErrorFrom(() => viewMeeting(db, account(ANDRES), 424242, T0), "not_found");
  });

  it("shows invitees the other organisations but not the names, unless the list is open", () => {
    const { meetingId, slotIds } = proposed();
    const seen = viewMeeting(db, account(ANDRES), meetingId, T0);
    expect(seen.invited).toBe(true);
    expect(seen.participants.rows.every((participant) => participant.name === null)).toBe(true);
    expect(seen.participants.rows.map((participant) => participant.organisationName).sort()).toEqual([...INVITED].sort());
    expect(JSON.stringify(seen.participants)).not.toContain("Giulia");
    // The slots are flagged for the viewer's own day: 09:00 in Vienna is 03:00 in Bogota.
    expect(seen.slotFlags.find((flag) => flag.slotId === slotIds[1])!.outsideMyHours).toBe(true);
    expect(seen.slotFlags.find((flag) => flag.slotId === slotIds[0])!.outsideMyHours).toBe(false);

    // The coordinator always sees who is who.
    const staff = viewMeeting(db, account(DEMO_SIGN_INS.coordinator), meetingId, T0);
    expect(staff.participants.rows.map((participant) => participant.name).sort()).toEqual(
      ["Andrés Restrepo", "Giulia Rossi", "Marco Bianchi"].sort(),
    );

    setAttendeeListOpen(db, meetingId, true);
    const open = viewMeeting(db, account(ANDRES), meetingId, T0);
    expect(open.participants.rows).toContainEqual(expect.objectContaining({ name: "Giulia Rossi", organisationName: "Vigilanza Digitale S.p.A." }));
  });

  it("lists the scheduled meeting under upcoming for an invitee, not for an outsider", () => {
    const { meetingId, slotIds } = proposed();
    const polling = upcomingFor(db, account(ANDRES), T0);
    expect(polling.scheduled).toEqual([]);
    expect(polling.polls.map((poll) => [poll.id, poll.answered])).toEqual([[meetingId, false]]);
    vote(ANDRES, meetingId, slotIds, ["yes", "no", "yes", "if_need_be"]);
    expect(upcomingFor(db, account(ANDRES), T0).polls.map((poll) => [poll.id, poll.answered])).toEqual([[meetingId, true]]);

    finaliseMeeting(db, meetingId, slotIds[2]!, coordinator, T0);
    const upcoming = upcomingFor(db, account(ANDRES), T0);
    expect(upcoming.scheduled.map((meeting) => meeting.id)).toEqual([meetingId]);
    expect(upcoming.scheduled[0]!.startsAt).toEqual(new Date(SLOTS[2]!.utc));
    expect(upcoming.polls).toEqual([]);
    expect(upcomingFor(db, account(DEMO_SIGN_INS.coordinator), T0).scheduled.map((meeting) => meeting.id)).toEqual([meetingId]);

    expect(upcomingFor(db, account(KATHARINA), T0)).toEqual({ scheduled: [], polls: [] });
    // Once it is over, it is no longer upcoming.
    expect(upcomingFor(db, account(ANDRES), new Date("2026-04-01T00:00:00Z")).scheduled).toEqual([]);
  });
});

describe("the proposal form's slot rows", () => {
  const rows = [
    { date: "2026-03-02", time: "16:00" },
    { date: "2026-03-31", time: "09:30" },
  ];

  it("reads as many rows as the form says, else as many as were sent, at least three", () => {
    expect(slotRowsOf({ slotRows: "2", slot0Date: "2026-03-02", slot0Time: "16:00", slot1Date: "2026-03-31", slot1Time: "09:30" })).toEqual(rows);
    expect(slotRowsOf({ slot4Date: "2026-03-02" })).toHaveLength(5);
    expect(slotRowsOf({})).toHaveLength(3);
    expect(slotRowsOf({ slotRows: "999" })).toHaveLength(20);
  });

  it("adds, removes and copies a row to the next day, across a month's end, keeping what was typed", () => {
    expect(editSlotRows(rows, { verb: "add" })).toEqual([...rows, { date: "", time: "" }]);
    expect(editSlotRows(rows, { verb: "remove", row: 0 })).toEqual([rows[1]]);
    expect(editSlotRows([rows[0]!], { verb: "remove", row: 0 })).toEqual([{ date: "", time: "" }]);
    expect(editSlotRows(rows, { verb: "copy", row: 1 })).toEqual([...rows, { date: "2026-04-01", time: "09:30" }]);
    expect(editSlotRows([{ date: "not a date", time: "" }], { verb: "copy", row: 0 })).toEqual([
      { date: "not a date", time: "" },
      { date: "not a date", time: "" },
    ]);
    expect(slotFields(editSlotRows(rows, { verb: "copy", row: 0 }))).toEqual({
      slotRows: "3",
      slot0Date: "2026-03-02",
      slot0Time: "16:00",
      slot1Date: "2026-03-03",
      slot1Time: "16:00",
      slot2Date: "2026-03-31",
      slot2Time: "09:30",
    });
  });
});
