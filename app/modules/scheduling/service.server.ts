import { randomUUID } from "node:crypto";
import { and, asc, count, countDistinct, eq, gt, inArray, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import {
  consultations,
  meetingActionItems,
  meetingAttendance,
  meetingRsvps,
  meetings,
  meetingSlots,
  organisations,
  slotVotes,
  users,
  type RsvpResponse,
  type VoteAnswer,
} from "../../../db/schema";
import { renderMeetingPollEmail } from "../../../emails/meeting-poll";
import { renderMeetingReminderEmail } from "../../../emails/meeting-reminder";
import { renderMeetingUpdateEmail, type MeetingUpdateData } from "../../../emails/meeting-update";
import { amongIds, type Db, type DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { formatTimeRange, zonedToUtc } from "~/lib/time";
import { counted } from "~/lib/words";
import type { Account, Actor } from "../accounts/service.server";
import { recordAudit } from "../audit/audit.server";
import { consultationVisibleTo, isTaskforceStaff, reachedByConsultation } from "../access/gate.server";
import { enqueueBroadcast, type BroadcastBatch } from "../broadcasts/service.server";
import {
  consultationInviteeOrganisations,
  consultationInviteesAfter,
  consultationInviteesNow,
  consultationInviteesPage,
  consultationInviteeZones,
  countConsultationInvitees,
  getConsultation,
  reachedAmong,
  reachesNow,
  viewConsultation,
} from "../consultations/service.server";
import { buildCalendar, isWithheld, NEUTRAL_TITLE, type CalendarMeeting } from "../calendar/ics";
import { enqueueMail, withdrawPendingMail } from "../mail/outbox.server";
import { clockChangeBetween, LONGEST_MEETING_MINUTES, outsideWorkingHours, rankSlots } from "./rules";
import type { MeetingInput } from "./schema";

export type Meeting = typeof meetings.$inferSelect;
type AppActor = Actor & { appUrl: string };

export function getMeeting(db: DbOrTx, id: number): Meeting {
  const meeting = db.select().from(meetings).where(eq(meetings.id, id)).get();
  if (!meeting) throw new AppError("not_found", "There is no such meeting.");
  return meeting;
}

/** The people a meeting is for: everyone its consultation reaches now who can still sign in. */
export const meetingInvitees = consultationInviteesNow;
type Invitee = ReturnType<typeof meetingInvitees>[number];

/**
 * Refuses anyone the meeting is not for. Someone who cannot even see the consultation gets
 * not_found, exactly as for a meeting that does not exist, so that ids reveal nothing.
 */
function assertInvitee(db: DbOrTx, meeting: Meeting, viewer: Account, refusal: string) {
  meetingConsultation(db, viewer, meeting);
  if (!reachesNow(db, meeting.consultationId, viewer.id)) {
    throw new AppError("forbidden", refusal);
  }
}

export const meetingLink = (appUrl: string, id: number) => new URL(`/meetings/${id}`, appUrl).toString();

/** What a message or calendar outside the portal may call the meeting. */
const outsideTitle = (meeting: Pick<Meeting, "title" | "tlp">) => (isWithheld(meeting.tlp) ? NEUTRAL_TITLE : meeting.title);
const outsidePlace = (meeting: Pick<Meeting, "place" | "videoUrl" | "tlp">) =>
  isWithheld(meeting.tlp) ? null : [meeting.place, meeting.videoUrl].filter(Boolean).join(" · ") || null;

function organiserOf(db: DbOrTx, meeting: Meeting) {
  const organiser = db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, meeting.organiserUserId))
    .get();
  if (!organiser) throw new Error(`meeting ${meeting.id} has no organiser`);
  return organiser;
}

/** The answers to a meeting: everyone's, or only those of the people given. */
function responsesTo(db: DbOrTx, meetingId: number, among?: number[]) {
  return new Map(
    db
      .select({ userId: meetingRsvps.userId, response: meetingRsvps.response })
      .from(meetingRsvps)
      .where(and(eq(meetingRsvps.meetingId, meetingId), among ? amongIds(meetingRsvps.userId, among) : undefined))
      .all()
      .map((row) => [row.userId, row.response]),
  );
}

/**
 * The meeting as one person's calendar holds it. Other invitees are listed only when the
 * coordinator opened the list and the marking allows it; otherwise the person sees the
 * organiser and themselves.
 */
/** What the calendar objects of many meetings or many recipients share: read once, not per object. */
export type CalendarContext = {
  invitees: (consultationId: number) => { id: number; name: string; email: string }[];
  responses: (meetingId: number) => Map<number, RsvpResponse>;
  organiser: (meeting: Meeting) => { name: string; email: string };
};

/** The context for one meeting, read with three queries. */
export function calendarContextOf(db: DbOrTx, meeting: Meeting): CalendarContext {
  const invitees = meeting.attendeeListOpen && !isWithheld(meeting.tlp) ? meetingInvitees(db, meeting.consultationId) : [];
  const responses = responsesTo(db, meeting.id);
  const organiser = organiserOf(db, meeting);
  return { invitees: () => invitees, responses: () => responses, organiser: () => organiser };
}

/**
 * The meeting as one person's calendar holds it. Other invitees are listed only when the
 * coordinator opened the list and the marking allows it; otherwise the person sees the
 * organiser and themselves.
 */
export function calendarMeetingFor(
  meeting: Meeting,
  recipient: { id: number; name: string; email: string } | null,
  appUrl: string,
  context: CalendarContext,
): CalendarMeeting {
  if (!meeting.startsAt || !meeting.endsAt) throw new Error(`meeting ${meeting.id} has no time yet`);
  const responses = context.responses(meeting.id);
  const listed =
    meeting.attendeeListOpen && !isWithheld(meeting.tlp)
      ? context.invitees(meeting.consultationId)
      : recipient
        ? [recipient]
        : [];
  return {
    uid: meeting.uid,
    title: meeting.title,
    agenda: meeting.agenda,
    place: meeting.place,
    videoUrl: meeting.videoUrl,
    timeZone: meeting.timeZone,
    startsAt: meeting.startsAt,
    endsAt: meeting.endsAt,
    revision: meeting.revision,
    cancelled: meeting.status === "cancelled",
    tlp: meeting.tlp,
    link: meetingLink(appUrl, meeting.id),
    changedAt: meeting.updatedAt ?? meeting.createdAt,
    organiser: context.organiser(meeting),
    attendees: listed.map((invitee) => ({
      name: invitee.name,
      email: invitee.email,
      response: responses.get(invitee.id) ?? null,
    })),
  };
}

function slotsOf(db: DbOrTx, meetingId: number) {
  return db.select().from(meetingSlots).where(eq(meetingSlots.meetingId, meetingId)).orderBy(asc(meetingSlots.startsAt)).all();
}

/**
 * Each slot as every invitee will read it, before anything is sent: per time zone of the
 * consultation's invitees (and the coordinator's), the local time, whether it falls outside
 * 08:00-18:00 there, and whether the clocks change there before it or during it.
 */
export function previewSlots(
  db: DbOrTx,
  consultationId: number,
  input: { timeZone: string; durationMinutes: number; slots: { row: number; date: string; time: string }[] },
  coordinator: { name: string; timeZone: string; locale: string },
  now = new Date(),
) {
  // Per zone, how many live there and the first names (the coordinator's first): bounded by the
  // zones, however many are invited.
  const zones = new Map(consultationInviteeZones(db, consultationId).map((zone) => [zone.timeZone, zone]));
  const own = zones.get(coordinator.timeZone);
  zones.set(coordinator.timeZone, {
    timeZone: coordinator.timeZone,
    people: (own?.people ?? 0) + 1,
    names: [coordinator.name, ...(own?.names ?? [])],
  });
  return input.slots.map(({ row, date, time }) => {
    const startsAt = zonedToUtc(date, time, input.timeZone);
    if (!startsAt) return { row, date, time, missing: true as const, zones: [] };
    const endsAt = new Date(startsAt.getTime() + input.durationMinutes * 60_000);
    return {
      row,
      date,
      time,
      missing: false as const,
      zones: [...zones.values()].map(({ timeZone, people, names }) => ({
        timeZone,
        people,
        names,
        local: formatTimeRange(startsAt, endsAt, { timeZone, locale: coordinator.locale }),
        outsideHours: outsideWorkingHours(startsAt, endsAt, timeZone),
        clockChangeBefore: clockChangeBetween(now, startsAt, timeZone),
        clockChangeDuring: clockChangeBetween(startsAt, endsAt, timeZone),
      })),
    };
  });
}

export function proposeMeeting(db: Db, consultationId: number, input: MeetingInput, actor: AppActor, now = new Date()) {
  const durationMs = input.durationMinutes * 60_000;
  const seen = new Map<number, number>();
  const slots = input.slots.map(({ row, date, time }) => {
    const startsAt = zonedToUtc(date, time, input.timeZone);
    if (!startsAt) {
      throw new AppError(
        "invalid",
        `${time} does not exist on ${date} in ${input.timeZone}: the clocks go forward. Choose another time.`,
        `slot${row}Time`,
      );
    }
    if (startsAt.getTime() <= now.getTime()) {
      throw new AppError("invalid", "This slot is in the past.", `slot${row}Date`);
    }
    const twin = seen.get(startsAt.getTime());
    if (twin !== undefined) {
      throw new AppError("invalid", `This slot is the same as slot ${twin + 1}.`, `slot${row}Date`);
    }
    seen.set(startsAt.getTime(), row);
    return { startsAt, endsAt: new Date(startsAt.getTime() + durationMs) };
  });

  return db.transaction((tx) => {
    const consultation = getConsultation(tx, consultationId);
    if (consultation.status !== "open") {
      throw new AppError("conflict", "Meetings can be proposed while the consultation is open.");
    }
    const { id } = tx
      .insert(meetings)
      .values({
        uid: `${randomUUID()}@${new URL(actor.appUrl).hostname}`,
        consultationId,
        organiserUserId: actor.userId,
        title: input.title,
        agenda: input.agenda,
        durationMinutes: input.durationMinutes,
        place: input.place ?? null,
        videoUrl: input.videoUrl ?? null,
        timeZone: input.timeZone,
        attendeeListOpen: input.attendeeListOpen,
        tlp: input.tlp,
        createdAt: now,
      })
      .returning({ id: meetings.id })
      .get();
    for (const slot of slots) {
      tx.insert(meetingSlots).values({ meetingId: id, ...slot, timeZone: input.timeZone }).run();
    }
    enqueueBroadcast(tx, "meeting-poll", { meetingId: id, reminder: false }, now);
    recordAudit(tx, {
      action: "meeting.proposed",
      actorUserId: actor.userId,
      targetType: "meeting",
      targetId: id,
      detail: { slots: slots.length },
      origin: actor.origin,
      at: now,
    });
    return id;
  });
}

function sendPollEmail(
  tx: DbOrTx,
  invitee: Invitee,
  meeting: { id: number; title: string; tlp: Meeting["tlp"]; consultationId: number },
  consultationTitle: string,
  slots: { startsAt: Date; endsAt: Date }[],
  appUrl: string,
  now: Date,
  reminder: boolean,
) {
  enqueueMail(
    tx,
    {
      to: invitee.email,
      template: reminder ? "meeting-poll-reminder" : "meeting-poll",
      consultationId: meeting.consultationId,
      recipientUserId: invitee.id,
      ...renderMeetingPollEmail({
        name: invitee.name,
        meetingTitle: outsideTitle(meeting),
        consultationTitle: isWithheld(meeting.tlp) ? "the taskforce's consultation" : consultationTitle,
        slots: slots.map((slot) => formatTimeRange(slot.startsAt, slot.endsAt, invitee)),
        link: meetingLink(appUrl, meeting.id),
        reminder,
      }),
    },
    { appUrl, now },
  );
}

/**
 * The meeting as this person may see it, or not_found: staff see every meeting, a stakeholder
 * only the meetings of consultations they are invited to.
 */
/** The meeting's consultation, if the viewer may see it; not_found otherwise, as for no meeting at all. */
function meetingConsultation(db: DbOrTx, viewer: Account, meeting: Meeting) {
  try {
    return viewConsultation(db, viewer, meeting.consultationId);
  } catch (error) {
    if (error instanceof AppError) throw new AppError("not_found", "There is no such meeting.");
    throw error;
  }
}

export function viewMeeting(db: DbOrTx, viewer: Account, id: number, now = new Date(), at: { invited?: string } = {}) {
  const meeting = db.select().from(meetings).where(eq(meetings.id, id)).get();
  if (!meeting) throw new AppError("not_found", "There is no such meeting.");
  const consultation = meetingConsultation(db, viewer, meeting);
  const slots = slotsOf(db, id);
  const myVotes = Object.fromEntries(
    db
      .select({ slotId: slotVotes.slotId, answer: slotVotes.answer })
      .from(slotVotes)
      .where(and(eq(slotVotes.userId, viewer.id), inArray(slotVotes.slotId, slots.map((slot) => slot.id))))
      .all()
      .map((vote) => [vote.slotId, vote.answer]),
  ) as Record<number, VoteAnswer>;
  const myRsvp =
    db
      .select({ response: meetingRsvps.response })
      .from(meetingRsvps)
      .where(and(eq(meetingRsvps.meetingId, id), eq(meetingRsvps.userId, viewer.id)))
      .get()?.response ?? null;
  const invited = reachesNow(db, meeting.consultationId, viewer.id);
  return { meeting, consultation, slots, slotFlags: slotFlagsFor(slots, viewer, now), myVotes, myRsvp, invited, participants: participantsOf(db, viewer, meeting, at.invited) };
}

/**
 * The invitees as the viewer may see them, a page at a time. Banks invited together are often
 * competitors: other invitees are shown by organisation only, unless the coordinator opened the
 * list.
 */
function participantsOf(db: DbOrTx, viewer: Account, meeting: Meeting, after: string | undefined) {
  if (isTaskforceStaff(viewer) || meeting.attendeeListOpen) {
    const page = consultationInviteesPage(db, meeting.consultationId, { after });
    return {
      next: page.next,
      rows: page.rows.map((invitee) => ({ key: `person-${invitee.id}`, name: invitee.name as string | null, organisationName: invitee.organisationName })),
    };
  }
  const page = consultationInviteeOrganisations(db, meeting.consultationId, after);
  return {
    next: page.next,
    rows: [
      ...(page.taskforce ? [{ key: "taskforce", name: null, organisationName: null }] : []),
      ...page.rows.map((organisation) => ({ key: `organisation-${organisation.id}`, name: null as string | null, organisationName: organisation.name as string | null })),
    ],
  };
}

function slotFlagsFor(slots: { id: number; startsAt: Date; endsAt: Date }[], viewer: Account, now: Date) {
  return slots.map((slot) => ({
    slotId: slot.id,
    outsideMyHours: outsideWorkingHours(slot.startsAt, slot.endsAt, viewer.timeZone),
    clockChangeForMe: clockChangeBetween(now, slot.startsAt, viewer.timeZone),
  }));
}

export function castVotes(
  db: Db,
  viewer: Account,
  meetingId: number,
  answers: { slotId: number; answer: VoteAnswer }[],
  now = new Date(),
) {
  db.transaction((tx) => {
    const meeting = getMeeting(tx, meetingId);
    assertInvitee(tx, meeting, viewer, "Only the people invited to this meeting can answer its poll.");
    if (meeting.status !== "polling") {
      throw new AppError(
        "conflict",
        meeting.status === "cancelled"
          ? "This meeting was cancelled: the poll is closed."
          : "The poll is closed: the meeting's time has been chosen.",
      );
    }
    const slotIds = new Set(slotsOf(tx, meetingId).map((slot) => slot.id));
    if (answers.length === 0) throw new AppError("invalid", "Answer at least one slot.");
    if (answers.some((answer) => !slotIds.has(answer.slotId))) {
      throw new AppError("invalid", "Answer the poll's own slots.");
    }
    for (const { slotId, answer } of answers) {
      tx.insert(slotVotes)
        .values({ slotId, userId: viewer.id, answer, updatedAt: now })
        .onConflictDoUpdate({ target: [slotVotes.slotId, slotVotes.userId], set: { answer, updatedAt: now } })
        .run();
    }
  });
}

/** How many of those who have not answered the poll's pages name; they count the rest. */
export const SILENT_NAMED = 25;

/** Votes that count: those of people the meeting's consultation still reaches. */
const countedVotes = (meeting: Meeting, slotIds: number[]) =>
  and(
    amongIds(slotVotes.slotId, slotIds),
    sql`exists (select 1 from ${users} left join ${organisations} on ${organisations.id} = ${users.organisationId}
      where ${users.id} = ${slotVotes.userId} and ${reachedByConsultation(meeting.consultationId)})`,
  );

/** How many are invited, how many have answered the poll, and the answers per slot and kind. */
function pollCounts(db: DbOrTx, meeting: Meeting, slotIds: number[]) {
  const invited = countConsultationInvitees(db, meeting.consultationId);
  if (slotIds.length === 0) return { invited, answered: 0, tallies: [] };
  const where = countedVotes(meeting, slotIds);
  const answered = db.select({ n: countDistinct(slotVotes.userId) }).from(slotVotes).where(where).get()?.n ?? 0;
  const tallies = db
    .select({ slotId: slotVotes.slotId, answer: slotVotes.answer, count: count() })
    .from(slotVotes)
    .where(where)
    .groupBy(slotVotes.slotId, slotVotes.answer)
    .all();
  return { invited, answered, tallies };
}

/**
 * The coordinator's view of the poll: the slots ranked, in which zones each falls outside working
 * hours (with how many live there) or follows a clock change, how many are invited, who is
 * silent (the first SILENT_NAMED by name, and how many), and a page of invitees with their answers.
 */
export function pollOverview(db: DbOrTx, meetingId: number, now = new Date(), after?: string) {
  const meeting = getMeeting(db, meetingId);
  const slots = slotsOf(db, meetingId);
  const slotIds = slots.map((slot) => slot.id);
  const { invited, answered, tallies } = pollCounts(db, meeting, slotIds);
  const page = consultationInviteesPage(db, meeting.consultationId, { after });
  const votes = db
    .select({ slotId: slotVotes.slotId, userId: slotVotes.userId, answer: slotVotes.answer })
    .from(slotVotes)
    .where(and(amongIds(slotVotes.slotId, slotIds), amongIds(slotVotes.userId, page.rows.map((invitee) => invitee.id))))
    .all();
  const zones = consultationInviteeZones(db, meeting.consultationId, 0);
  const zoneNames = [...new Set([meeting.timeZone, ...zones.map((zone) => zone.timeZone)])];
  return {
    slots: slots.map((slot) => ({
      ...slot,
      outsideHoursIn: zones
        .filter((zone) => outsideWorkingHours(slot.startsAt, slot.endsAt, zone.timeZone))
        .map((zone) => ({ timeZone: zone.timeZone, people: zone.people })),
      clockChangeIn: zoneNames.filter((zone) => clockChangeBetween(now, slot.startsAt, zone)),
    })),
    ranking: rankSlots(slots, tallies),
    invited,
    answered,
    silent: { count: invited - answered, first: invited > answered ? silentInvitees(db, meeting, slotIds) : [] },
    grid: {
      next: page.next,
      rows: page.rows.map((invitee) => ({
        invitee,
        answers: Object.fromEntries(
          votes.filter((vote) => vote.userId === invitee.id).map((vote) => [vote.slotId, vote.answer]),
        ) as Record<number, VoteAnswer>,
      })),
    },
  };
}

/** How many of the meeting's invitees have not answered its poll. */
function silentCount(db: DbOrTx, meeting: Meeting): number {
  const { invited, answered } = pollCounts(db, meeting, slotsOf(db, meeting.id).map((slot) => slot.id));
  return invited - answered;
}

/** The first SILENT_NAMED of the invitees who have answered none of these slots, by name. */
function silentInvitees(db: DbOrTx, meeting: Meeting, slotIds: number[]) {
  return db
    .select({ id: users.id, name: users.name, organisationName: organisations.name })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        reachedByConsultation(meeting.consultationId),
        sql`not exists (select 1 from ${slotVotes} where ${slotVotes.userId} = ${users.id} and ${amongIds(slotVotes.slotId, slotIds)})`,
      ),
    )
    .orderBy(asc(users.name), asc(users.id))
    .limit(SILENT_NAMED)
    .all();
}

export function remindSilentInvitees(db: Db, meetingId: number, actor: AppActor, now = new Date()): number {
  return db.transaction((tx) => {
    const meeting = getMeeting(tx, meetingId);
    if (meeting.status !== "polling") throw new AppError("conflict", "The poll is closed: nobody needs reminding.");
    const silent = silentCount(tx, meeting);
    if (silent > 0) enqueueBroadcast(tx, "meeting-poll", { meetingId, reminder: true }, now);
    recordAudit(tx, {
      action: "meeting.reminded",
      actorUserId: actor.userId,
      targetType: "meeting",
      targetId: meetingId,
      detail: { reminded: silent },
      origin: actor.origin,
      at: now,
    });
    return silent;
  });
}

type UpdateKind = MeetingUpdateData["kind"];
type UpdatePayload = { meetingId: number; kind: UpdateKind; revision: number; previously: { startsAt: number; endsAt: number } | null };

/** Tells every invitee of a change, by a broadcast composed off the request path (meetingUpdateBatch). */
function tellInvitees(tx: DbOrTx, meeting: Meeting, kind: UpdateKind, now: Date, previously?: { startsAt: Date; endsAt: Date }) {
  const payload: UpdatePayload = {
    meetingId: meeting.id,
    kind,
    revision: meeting.revision,
    previously: previously ? { startsAt: previously.startsAt.getTime(), endsAt: previously.endsAt.getTime() } : null,
  };
  enqueueBroadcast(tx, "meeting-update", payload, now);
}

/** The next invitees of a consultation after a user id, in id order: one batch of a broadcast. */
function inviteeBatch(tx: DbOrTx, consultationId: number, after: number, limit: number) {
  return consultationInviteesAfter(tx, consultationId, after, limit);
}

/**
 * One batch of a change's mail: each invitee gets the email with the iCalendar invitation (RFC
 * 5546: REQUEST for a time, CANCEL for a cancellation) inline, where calendar apps show Accept
 * and Decline, and attached as invite.ics for the apps that only read attachments: nodemailer's
 * icalEvent writes both parts, so no attachment of our own is added (it would arrive twice). A
 * poll called off before its time was chosen never reached a calendar: its cancellation is mail
 * only. A change overtaken by a later one (a higher revision) is not sent: the later one is.
 */
const meetingUpdateBatch: BroadcastBatch = (tx, raw, { after, limit, appUrl, now }) => {
  const payload = raw as UpdatePayload;
  const meeting = tx.select().from(meetings).where(eq(meetings.id, payload.meetingId)).get();
  if (!meeting || meeting.revision !== payload.revision) return { last: null, sent: 0 };
  const batch = inviteeBatch(tx, meeting.consultationId, after, limit);
  if (batch.length === 0) return { last: null, sent: 0 };
  const { kind } = payload;
  const method = kind === "cancelled" ? "CANCEL" : "REQUEST";
  const inCalendars = meeting.startsAt !== null && meeting.endsAt !== null;
  const context = inCalendars ? calendarContextOf(tx, meeting) : null;
  const previously = payload.previously ? { startsAt: new Date(payload.previously.startsAt), endsAt: new Date(payload.previously.endsAt) } : null;
  for (const invitee of batch) {
    const ics = context ? buildCalendar({ method, stamp: now, meetings: [calendarMeetingFor(meeting, invitee, appUrl, context)] }) : null;
    enqueueMail(
      tx,
      {
        to: invitee.email,
        template: `meeting-${kind}`,
        consultationId: meeting.consultationId,
        recipientUserId: invitee.id,
        ...renderMeetingUpdateEmail({
          kind,
          name: invitee.name,
          meetingTitle: outsideTitle(meeting),
          when: meeting.startsAt && meeting.endsAt ? formatTimeRange(meeting.startsAt, meeting.endsAt, invitee) : null,
          previously: previously ? formatTimeRange(previously.startsAt, previously.endsAt, invitee) : null,
          where: outsidePlace(meeting),
          link: meetingLink(appUrl, meeting.id),
        }),
        extra: ics ? { icalEvent: { method, content: ics, filename: "invite.ics" } } : undefined,
      },
      { appUrl, now },
    );
  }
  return { last: batch.at(-1)!.id, sent: batch.length };
};

/**
 * One batch of a poll's mail: the slots in each invitee's zone; a reminder only to those who have
 * not answered yet. Nothing once the poll is closed.
 */
const meetingPollBatch: BroadcastBatch = (tx, raw, { after, limit, appUrl, now }) => {
  const payload = raw as { meetingId: number; reminder: boolean };
  const meeting = tx.select().from(meetings).where(eq(meetings.id, payload.meetingId)).get();
  if (!meeting || meeting.status !== "polling") return { last: null, sent: 0 };
  const batch = inviteeBatch(tx, meeting.consultationId, after, limit);
  if (batch.length === 0) return { last: null, sent: 0 };
  const consultation = getConsultation(tx, meeting.consultationId);
  const slots = slotsOf(tx, meeting.id);
  const answered = payload.reminder
    ? new Set(
        tx
          .selectDistinct({ userId: slotVotes.userId })
          .from(slotVotes)
          .innerJoin(meetingSlots, eq(meetingSlots.id, slotVotes.slotId))
          .where(eq(meetingSlots.meetingId, meeting.id))
          .all()
          .map((row) => row.userId),
      )
    : new Set<number>();
  let sent = 0;
  for (const invitee of batch) {
    if (answered.has(invitee.id)) continue;
    sendPollEmail(tx, invitee, meeting, consultation.title, slots, appUrl, now, payload.reminder);
    sent += 1;
  }
  return { last: batch.at(-1)!.id, sent };
};

export function finaliseMeeting(db: Db, meetingId: number, slotId: number, actor: AppActor, now = new Date()) {
  db.transaction((tx) => {
    const meeting = getMeeting(tx, meetingId);
    if (meeting.status !== "polling") throw new AppError("conflict", "This meeting's time has already been settled.");
    const slot = slotsOf(tx, meetingId).find((candidate) => candidate.id === slotId);
    if (!slot) throw new AppError("invalid", "Choose one of this poll's slots.", "slotId");
    if (slot.startsAt.getTime() <= now.getTime()) throw new AppError("invalid", "This slot has already begun.", "slotId");
    const scheduled = tx
      .update(meetings)
      .set({ status: "scheduled", startsAt: slot.startsAt, endsAt: slot.endsAt, finalisedAt: now, updatedAt: now })
      .where(eq(meetings.id, meetingId))
      .returning()
      .get();
    tellInvitees(tx, scheduled, "scheduled", now);
    recordAudit(tx, {
      action: "meeting.finalised",
      actorUserId: actor.userId,
      targetType: "meeting",
      targetId: meetingId,
      detail: { startsAt: slot.startsAt.toISOString() },
      origin: actor.origin,
      at: now,
    });
  });
}

/**
 * What finalising the poll on this slot will do, for the page where the coordinator confirms
 * it: the slot and its answers, everyone who is sent the invitation, and who has not answered.
 */
export function finaliseConsequences(db: DbOrTx, meetingId: number, slotId: number, now = new Date()) {
  const meeting = getMeeting(db, meetingId);
  if (meeting.status !== "polling") throw new AppError("conflict", "This meeting's time has already been settled.");
  const slots = slotsOf(db, meetingId);
  const slotIds = slots.map((candidate) => candidate.id);
  const slot = slots.find((candidate) => candidate.id === slotId);
  const { invited, answered, tallies } = pollCounts(db, meeting, slotIds);
  const tally = rankSlots(slots, tallies).find((candidate) => candidate.slotId === slotId);
  if (!slot || !tally) throw new AppError("invalid", "Choose one of this poll's slots on the meeting's page.", "slotId");
  return { meeting, slot, tally, invited, silent: { count: invited - answered, first: silentInvitees(db, meeting, slotIds) } };
}

/**
 * Finalising before every invitee has answered is confirmed on a page of its own (the people
 * who have not answered lose their say); a post that was not confirmed there is refused.
 */
export function assertFinaliseConfirmed(db: DbOrTx, meetingId: number, confirmed: boolean) {
  if (confirmed) return;
  const meeting = getMeeting(db, meetingId);
  if (meeting.status !== "polling") return;
  const silent = silentCount(db, meeting);
  if (silent > 0) {
    throw new AppError(
      "conflict",
      `${counted(silent, "invitee has", "invitees have")} not answered yet. Choose the slot again and confirm on the next page that you want to settle the time without them.`,
    );
  }
}

export function rescheduleMeeting(
  db: Db,
  meetingId: number,
  input: { date: string; time: string; timeZone: string },
  actor: AppActor,
  now = new Date(),
) {
  db.transaction((tx) => {
    const meeting = getMeeting(tx, meetingId);
    if (meeting.status !== "scheduled" || !meeting.startsAt || !meeting.endsAt) {
      throw new AppError("conflict", "Only a scheduled meeting can be moved.");
    }
    const startsAt = zonedToUtc(input.date, input.time, input.timeZone);
    if (!startsAt) {
      throw new AppError("invalid", `${input.time} does not exist on ${input.date} in ${input.timeZone}: the clocks go forward.`, "time");
    }
    if (startsAt.getTime() <= now.getTime()) throw new AppError("invalid", "The new time is in the past.", "date");
    if (startsAt.getTime() === meeting.startsAt.getTime()) {
      throw new AppError("invalid", "That is the meeting's current time.", "date");
    }
    const previously = { startsAt: meeting.startsAt, endsAt: meeting.endsAt };
    // An answer was given for the old time: everyone is asked again, as calendars do (iTIP).
    tx.delete(meetingRsvps).where(eq(meetingRsvps.meetingId, meetingId)).run();
    withdrawPendingMail(tx, reminderKeyPrefix(meetingId), now);
    const moved = tx
      .update(meetings)
      .set({
        startsAt,
        endsAt: new Date(startsAt.getTime() + meeting.durationMinutes * 60_000),
        revision: sql`${meetings.revision} + 1`,
        updatedAt: now,
      })
      .where(eq(meetings.id, meetingId))
      .returning()
      .get();
    tellInvitees(tx, moved, "rescheduled", now, previously);
    recordAudit(tx, {
      action: "meeting.rescheduled",
      actorUserId: actor.userId,
      targetType: "meeting",
      targetId: meetingId,
      detail: { from: previously.startsAt.toISOString(), to: startsAt.toISOString() },
      origin: actor.origin,
      at: now,
    });
  });
}

export function cancelMeeting(db: Db, meetingId: number, actor: AppActor, now = new Date()) {
  db.transaction((tx) => {
    const meeting = getMeeting(tx, meetingId);
    if (meeting.status === "cancelled") throw new AppError("conflict", "This meeting is already cancelled.");
    withdrawPendingMail(tx, reminderKeyPrefix(meetingId), now);
    const cancelled = tx
      .update(meetings)
      .set({ status: "cancelled", cancelledAt: now, revision: sql`${meetings.revision} + 1`, updatedAt: now })
      .where(eq(meetings.id, meetingId))
      .returning()
      .get();
    tellInvitees(tx, cancelled, "cancelled", now);
    recordAudit(tx, {
      action: "meeting.cancelled",
      actorUserId: actor.userId,
      targetType: "meeting",
      targetId: meetingId,
      origin: actor.origin,
      at: now,
    });
  });
}

export function setAttendeeListOpen(db: Db, meetingId: number, open: boolean) {
  getMeeting(db, meetingId);
  db.update(meetings).set({ attendeeListOpen: open, updatedAt: new Date() }).where(eq(meetings.id, meetingId)).run();
}

/**
 * Saves an invitee's answer. Someone who accepts (or answers maybe) after the meeting's
 * reminders were queued for its time gets theirs at once, as the broadcast would have given it.
 */
export function respondToMeeting(db: Db, viewer: Account, meetingId: number, response: RsvpResponse, appUrl: string, now = new Date()) {
  db.transaction((tx) => {
    const meeting = getMeeting(tx, meetingId);
    assertInvitee(tx, meeting, viewer, "Only the people invited to this meeting can answer.");
    if (meeting.status === "cancelled") throw new AppError("conflict", "This meeting was cancelled: no answer is needed.");
    if (meeting.status !== "scheduled") throw new AppError("conflict", "The meeting's time has not been chosen yet.");
    tx.insert(meetingRsvps)
      .values({ meetingId, userId: viewer.id, response, updatedAt: now })
      .onConflictDoUpdate({ target: [meetingRsvps.meetingId, meetingRsvps.userId], set: { response, updatedAt: now } })
      .run();
    const reminded = meeting.startsAt !== null && meeting.remindedFor?.getTime() === meeting.startsAt.getTime();
    if (reminded && response !== "declined" && meeting.startsAt!.getTime() > now.getTime()) queueReminder(tx, meeting, viewer, appUrl, now);
  });
}

export const REMINDER_LEAD_MS = 24 * 3_600_000;

const reminderKeyPrefix = (meetingId: number) => `meeting-reminder:${meetingId}:`;

/**
 * Queues the day-before reminders of the meetings that begin within the next 24 hours: one
 * broadcast a meeting and start time (`remindedFor` keeps which), composed by the worker a batch
 * of invitees at a time, as the other meeting mail is. This runs once a minute on the event loop:
 * it marks the meetings in that window newly due, in one statement, and writes a row for each,
 * whatever the number of invitees. A moved meeting has a new start, so its reminders are queued
 * again for it; a cancelled one is never picked up. Returns how many meetings' reminders it queued.
 */
export function queueDueReminders(db: Db, now = new Date()): number {
  return db.transaction((tx) => {
    const due = tx
      .update(meetings)
      .set({ remindedFor: sql`${meetings.startsAt}` })
      .where(
        and(
          eq(meetings.status, "scheduled"),
          gt(meetings.startsAt, now),
          lte(meetings.startsAt, new Date(now.getTime() + REMINDER_LEAD_MS)),
          or(isNull(meetings.remindedFor), ne(meetings.remindedFor, meetings.startsAt)),
        ),
      )
      .returning({ id: meetings.id, startsAt: meetings.startsAt })
      .all();
    for (const meeting of due) {
      enqueueBroadcast(tx, "meeting-reminders", { meetingId: meeting.id, startsAt: meeting.startsAt!.getTime() }, now);
    }
    return due.length;
  });
}

/**
 * One person's day-before reminder. The outbox's dedupe key (meeting, start time, person) makes
 * it once each, whether the broadcast or a late acceptance queues it first.
 */
function queueReminder(tx: DbOrTx, meeting: Meeting, invitee: Pick<Invitee, "id" | "name" | "email" | "timeZone" | "locale">, appUrl: string, now: Date) {
  enqueueMail(
    tx,
    {
      to: invitee.email,
      template: "meeting-reminder",
      consultationId: meeting.consultationId,
      recipientUserId: invitee.id,
      dedupeKey: `${reminderKeyPrefix(meeting.id)}${meeting.startsAt!.getTime()}:${invitee.id}`,
      ...renderMeetingReminderEmail({
        name: invitee.name,
        meetingTitle: outsideTitle(meeting),
        when: formatTimeRange(meeting.startsAt!, meeting.endsAt!, invitee),
        where: outsidePlace(meeting),
        link: meetingLink(appUrl, meeting.id),
      }),
    },
    { appUrl, now },
  );
}

/**
 * One batch of a meeting's reminders: the invitees of the batch who accepted or answered maybe.
 * Nothing once the meeting is cancelled or has moved from the time the reminders were queued for
 * (the new time's reminders are queued when they fall due).
 */
const meetingRemindersBatch: BroadcastBatch = (tx, raw, { after, limit, appUrl, now }) => {
  const payload = raw as { meetingId: number; startsAt: number };
  const meeting = tx.select().from(meetings).where(eq(meetings.id, payload.meetingId)).get();
  if (!meeting || meeting.status !== "scheduled" || meeting.startsAt?.getTime() !== payload.startsAt) return { last: null, sent: 0 };
  const batch = inviteeBatch(tx, meeting.consultationId, after, limit);
  if (batch.length === 0) return { last: null, sent: 0 };
  const responses = responsesTo(tx, meeting.id, batch.map((invitee) => invitee.id));
  let sent = 0;
  for (const invitee of batch) {
    const response = responses.get(invitee.id);
    if (response !== "accepted" && response !== "tentative") continue;
    queueReminder(tx, meeting, invitee, appUrl, now);
    sent += 1;
  }
  return { last: batch.at(-1)!.id, sent };
};

/** The broadcasts this module composes, for the worker. */
export const MEETING_BROADCASTS = { "meeting-update": meetingUpdateBatch, "meeting-poll": meetingPollBatch, "meeting-reminders": meetingRemindersBatch } as const;

/**
 * Who said they come, for the coordinator: the counts of each answer over everyone invited (one
 * grouped statement), and a page of invitees with their answer or none yet.
 */
export function rsvpOverview(db: DbOrTx, meetingId: number, after?: string) {
  const meeting = getMeeting(db, meetingId);
  const grouped = db
    .select({ response: meetingRsvps.response, n: count() })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .leftJoin(meetingRsvps, and(eq(meetingRsvps.meetingId, meetingId), eq(meetingRsvps.userId, users.id)))
    .where(reachedByConsultation(meeting.consultationId))
    .groupBy(meetingRsvps.response)
    .all();
  const counts = { accepted: 0, tentative: 0, declined: 0, none: 0 };
  for (const row of grouped) counts[row.response ?? "none"] += row.n;
  const page = consultationInviteesPage(db, meeting.consultationId, { after });
  const responses = responsesTo(db, meetingId, page.rows.map((invitee) => invitee.id));
  return {
    counts,
    people: { next: page.next, rows: page.rows.map((invitee) => ({ ...invitee, response: responses.get(invitee.id) ?? null })) },
  };
}

/**
 * Keeps the attendance of the invitees the form showed (a page of them) and the minutes. The
 * others' attendance stays as it was saved from their own page.
 */
export function recordMeeting(
  db: Db,
  meetingId: number,
  input: { shown: number[]; attended: number[]; minutes: string },
  actor: Actor,
  now = new Date(),
) {
  db.transaction((tx) => {
    const meeting = getMeeting(tx, meetingId);
    if (meeting.status !== "scheduled" || !meeting.startsAt || meeting.startsAt.getTime() > now.getTime()) {
      throw new AppError("conflict", "The record is kept once the meeting has taken place.");
    }
    const shown = [...new Set(input.shown)];
    const invitees = reachedAmong(tx, meeting.consultationId, shown);
    const present = new Set(input.attended);
    if (invitees.size !== shown.length || [...present].some((id) => !invitees.has(id))) {
      throw new AppError("invalid", "Only invitees can be marked as present.", "attended");
    }
    for (const userId of shown) {
      tx.insert(meetingAttendance)
        .values({ meetingId, userId, attended: present.has(userId) })
        .onConflictDoUpdate({
          target: [meetingAttendance.meetingId, meetingAttendance.userId],
          set: { attended: present.has(userId) },
        })
        .run();
    }
    tx.update(meetings).set({ minutes: input.minutes, updatedAt: now }).where(eq(meetings.id, meetingId)).run();
    recordAudit(tx, {
      action: "meeting.recorded",
      actorUserId: actor.userId,
      targetType: "meeting",
      targetId: meetingId,
      detail: { present: countPresent(tx, meetingId) },
      origin: actor.origin,
      at: now,
    });
  });
}

const countPresent = (db: DbOrTx, meetingId: number) =>
  db
    .select({ n: count() })
    .from(meetingAttendance)
    .where(and(eq(meetingAttendance.meetingId, meetingId), eq(meetingAttendance.attended, true)))
    .get()?.n ?? 0;

export function addActionItem(
  db: Db,
  meetingId: number,
  input: { title: string; ownerUserId?: number; dueOn?: string },
  now = new Date(),
) {
  const meeting = getMeeting(db, meetingId);
  if (input.ownerUserId !== undefined) {
    const owner = db.select({ id: users.id }).from(users).where(and(eq(users.id, input.ownerUserId), eq(users.active, true))).get();
    if (!owner) throw new AppError("invalid", "Choose the owner from the list.", "ownerUserId");
  }
  db.insert(meetingActionItems)
    .values({ meetingId: meeting.id, title: input.title, ownerUserId: input.ownerUserId ?? null, dueOn: input.dueOn ?? null, createdAt: now })
    .run();
}

export function setActionItemDone(db: Db, meetingId: number, itemId: number, done: boolean) {
  const changed = db
    .update(meetingActionItems)
    .set({ done })
    .where(and(eq(meetingActionItems.id, itemId), eq(meetingActionItems.meetingId, meetingId)))
    .run().changes;
  if (changed !== 1) throw new AppError("not_found", "There is no such action item.");
}

/**
 * The meeting's record: the attendance of these people (the page of invitees shown), how many
 * were present in all, whether anything is recorded yet, and the action items.
 */
export function meetingRecord(db: DbOrTx, meetingId: number, userIds: number[]) {
  const attendance = Object.fromEntries(
    db
      .select({ userId: meetingAttendance.userId, attended: meetingAttendance.attended })
      .from(meetingAttendance)
      .where(and(eq(meetingAttendance.meetingId, meetingId), amongIds(meetingAttendance.userId, userIds)))
      .all()
      .map((row) => [row.userId, row.attended]),
  ) as Record<number, boolean>;
  const recorded = !!db.select({ id: meetingAttendance.userId }).from(meetingAttendance).where(eq(meetingAttendance.meetingId, meetingId)).limit(1).get();
  const actionItems = db
    .select({
      id: meetingActionItems.id,
      title: meetingActionItems.title,
      dueOn: meetingActionItems.dueOn,
      done: meetingActionItems.done,
      ownerName: users.name,
    })
    .from(meetingActionItems)
    .leftJoin(users, eq(users.id, meetingActionItems.ownerUserId))
    .where(eq(meetingActionItems.meetingId, meetingId))
    .orderBy(asc(meetingActionItems.id))
    .all();
  return { attendance, present: countPresent(db, meetingId), recorded, actionItems };
}

/** How many possible owners the action item form offers before a search. */
export const OWNER_CHOICES_SHOWN = 25;

/**
 * Whom the action item form offers as owner: the meeting's invitees by name (those whose name
 * contains `named`, when searched), at most OWNER_CHOICES_SHOWN, and always the one already
 * chosen; with whether there are more than shown.
 */
export function ownerChoices(db: DbOrTx, meetingId: number, { named, chosen }: { named?: string; chosen?: number } = {}) {
  const meeting = getMeeting(db, meetingId);
  const page = consultationInviteesPage(db, meeting.consultationId, { named, size: OWNER_CHOICES_SHOWN });
  const offered = page.rows.map((invitee) => ({ id: invitee.id, name: invitee.name }));
  if (chosen !== undefined && !offered.some((person) => person.id === chosen)) {
    const person = db.select({ id: users.id, name: users.name }).from(users).where(and(eq(users.id, chosen), eq(users.active, true))).get();
    if (person) offered.unshift(person);
  }
  return { offered, more: page.next !== null };
}

/** The meetings a person's home page counts: those they organise (staff) or are invited to (stakeholders). */
function upcomingConditions(viewer: Account, now: Date) {
  // The consultations table is joined by both queries: the gate's condition applies to it as it stands.
  const mine = isTaskforceStaff(viewer) ? eq(meetings.organiserUserId, viewer.id) : consultationVisibleTo(viewer);
  return {
    // A meeting not yet over began at most the longest meeting ago: the bound on startsAt lets
    // the index seek past the years of meetings that are over instead of reading them all.
    scheduled: and(
      mine,
      eq(meetings.status, "scheduled"),
      gt(meetings.startsAt, new Date(now.getTime() - LONGEST_MEETING_MINUTES * 60_000)),
      gt(meetings.endsAt, now),
    ),
    polls: and(mine, eq(meetings.status, "polling")),
  };
}

/** How many meetings are still to come for this person, and how many polls still run. */
export function countUpcomingFor(db: DbOrTx, viewer: Account, now = new Date()) {
  const where = upcomingConditions(viewer, now);
  const counted = (condition: SQL | undefined) =>
    db
      .select({ n: count() })
      .from(meetings)
      .innerJoin(consultations, eq(consultations.id, meetings.consultationId))
      .where(condition)
      .get()?.n ?? 0;
  return { scheduled: counted(where.scheduled), polls: counted(where.polls) };
}

/**
 * The next meetings to come for this person (soonest first, at most `limit`), and the polls
 * that still run (oldest first), each with whether this person has answered it.
 */
export function upcomingFor(db: DbOrTx, viewer: Account, now = new Date(), limit = 5) {
  const where = upcomingConditions(viewer, now);
  const columns = {
    id: meetings.id,
    title: meetings.title,
    status: meetings.status,
    startsAt: meetings.startsAt,
    endsAt: meetings.endsAt,
    consultationTitle: consultations.title,
  };
  const scheduled = db
    .select(columns)
    .from(meetings)
    .innerJoin(consultations, eq(consultations.id, meetings.consultationId))
    .where(where.scheduled)
    .orderBy(asc(meetings.startsAt), asc(meetings.id))
    .limit(limit)
    .all();
  const polls = db
    .select(columns)
    .from(meetings)
    .innerJoin(consultations, eq(consultations.id, meetings.consultationId))
    .where(where.polls)
    .orderBy(asc(meetings.createdAt), asc(meetings.id))
    .limit(limit)
    .all();
  const answered = new Set(
    polls.length
      ? db
          .select({ meetingId: meetingSlots.meetingId })
          .from(slotVotes)
          .innerJoin(meetingSlots, eq(meetingSlots.id, slotVotes.slotId))
          .where(and(eq(slotVotes.userId, viewer.id), inArray(meetingSlots.meetingId, polls.map((poll) => poll.id))))
          .all()
          .map((row) => row.meetingId)
      : [],
  );
  return { scheduled, polls: polls.map((poll) => ({ ...poll, answered: answered.has(poll.id) })) };
}
