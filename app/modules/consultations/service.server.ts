import { and, asc, count, eq, gt, inArray, isNotNull, isNull, notInArray, sql, type SQL } from "drizzle-orm";
import {
  auditEvents,
  consultationInvitees,
  consultationOrganisations,
  consultations,
  meetings,
  organisations,
  users,
} from "../../../db/schema";
import { renderConsultationInvitationEmail } from "../../../emails/consultation-invitation";
import { amongIds, type Db, type DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { containing, keyset } from "~/lib/keyset.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { formatDateTime, zonedToUtc } from "~/lib/time";
import type { Account, Actor } from "../accounts/service.server";
import { consultationVisibleTo, reachedByConsultation, type Viewer } from "../access/gate.server";
import { recordAudit, type RequestOrigin } from "../audit/audit.server";
import { enqueueBroadcast, type BroadcastBatch } from "../broadcasts/service.server";
import { enqueueMail, withdrawMailBeyondAccess } from "../mail/outbox.server";
import type { ConsultationInput, ConsultationListQuery } from "./schema";

export type Consultation = typeof consultations.$inferSelect;

function deadlineFrom(input: ConsultationInput, now: Date): Date {
  const deadline = zonedToUtc(input.deadlineDate, input.deadlineTime, input.deadlineTimeZone);
  if (!deadline) {
    throw new AppError(
      "invalid",
      `${input.deadlineTime} does not exist on that day in ${input.deadlineTimeZone}: the clocks go forward. Choose another time.`,
      "deadlineTime",
    );
  }
  if (deadline.getTime() <= now.getTime()) {
    throw new AppError("invalid", "The input deadline must be in the future.", "deadlineDate");
  }
  return deadline;
}

function assertChoicesExist(db: DbOrTx, input: ConsultationInput) {
  if (input.organisationIds.length > 0) {
    const found = db
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(inArray(organisations.id, input.organisationIds), eq(organisations.active, true)))
      .all();
    if (found.length !== new Set(input.organisationIds).size) {
      throw new AppError("invalid", "Choose organisations from the list.", "organisationIds");
    }
  }
  if (input.personIds.length > 0) {
    const found = db
      .select({ id: users.id })
      .from(users)
      .where(and(inArray(users.id, input.personIds), eq(users.active, true)))
      .all();
    if (found.length !== new Set(input.personIds).size) {
      throw new AppError("invalid", "Choose people from the list.", "personIds");
    }
  }
}

/**
 * Records the chosen organisations and by-name people; the invitations go out on opening. A
 * by-name choice holds for the organisation the person is in now. People no longer chosen lose
 * their by-name invitation at once (their row stays while it records an invitation sent).
 */
function storeChoices(tx: DbOrTx, consultationId: number, input: ConsultationInput) {
  tx.delete(consultationOrganisations).where(eq(consultationOrganisations.consultationId, consultationId)).run();
  for (const organisationId of new Set(input.organisationIds)) {
    tx.insert(consultationOrganisations).values({ consultationId, organisationId }).run();
  }
  const chosen = [...new Set(input.personIds)];
  const unchosen = and(
    eq(consultationInvitees.consultationId, consultationId),
    eq(consultationInvitees.byName, true),
    chosen.length ? notInArray(consultationInvitees.userId, chosen) : undefined,
  );
  tx.delete(consultationInvitees).where(and(unchosen, isNull(consultationInvitees.invitedAt))).run();
  tx.update(consultationInvitees).set({ byName: false }).where(unchosen).run();
  for (const userId of chosen) {
    const organisationId = sql`(select ${users.organisationId} from ${users} where ${users.id} = ${userId})`;
    tx.insert(consultationInvitees)
      .values({ consultationId, userId, byName: true, organisationId })
      .onConflictDoUpdate({
        target: [consultationInvitees.consultationId, consultationInvitees.userId],
        set: { byName: true, organisationId },
      })
      .run();
  }
}

export function createConsultation(db: Db, input: ConsultationInput, actor: Actor, now = new Date()): number {
  const inputDeadline = deadlineFrom(input, now);
  return db.transaction((tx) => {
    assertChoicesExist(tx, input);
    const { id } = tx
      .insert(consultations)
      .values({
        title: input.title,
        description: input.description,
        crimeAreas: input.crimeAreas,
        inputDeadline,
        deadlineTimeZone: input.deadlineTimeZone,
        coordinatorUserId: actor.userId,
        createdAt: now,
      })
      .returning({ id: consultations.id })
      .get();
    storeChoices(tx, id, input);
    recordAudit(tx, {
      action: "consultation.created",
      actorUserId: actor.userId,
      targetType: "consultation",
      targetId: id,
      origin: actor.origin,
      at: now,
    });
    return id;
  });
}

export function getConsultation(db: DbOrTx, id: number): Consultation {
  const row = db.select().from(consultations).where(eq(consultations.id, id)).get();
  if (!row) throw new AppError("not_found", "There is no such consultation.");
  return row;
}

export function updateConsultation(
  db: Db,
  id: number,
  input: ConsultationInput,
  actor: Actor & { appUrl: string },
  now = new Date(),
) {
  const inputDeadline = deadlineFrom(input, now);
  db.transaction((tx) => {
    const consultation = getConsultation(tx, id);
    if (consultation.status === "closed") {
      throw new AppError("conflict", "This consultation is closed and can no longer be changed.");
    }
    assertChoicesExist(tx, input);
    tx.update(consultations)
      .set({
        title: input.title,
        description: input.description,
        crimeAreas: input.crimeAreas,
        inputDeadline,
        deadlineTimeZone: input.deadlineTimeZone,
        updatedAt: now,
      })
      .where(eq(consultations.id, id))
      .run();
    storeChoices(tx, id, input);
    withdrawMailBeyondAccess(tx, now);
    if (consultation.status === "open") sendInvitations(tx, id, now);
    recordAudit(tx, {
      action: "consultation.updated",
      actorUserId: actor.userId,
      targetType: "consultation",
      targetId: id,
      origin: actor.origin,
      at: now,
    });
  });
}

export const INVITEES_PAGE_SIZE = 50;

/** By name, ties by id (the index users_name_idx). */
const inviteeKeyset = (size: number) =>
  keyset<{ name: string; userId: number }>({
    order: "asc",
    keys: [
      { column: users.name, kind: "string", of: (row) => row.name },
      { column: users.id, kind: "number", of: (row) => row.userId },
    ],
    size,
  });
const inviteePages = inviteeKeyset(INVITEES_PAGE_SIZE);

const inviteeColumns = {
  id: users.id,
  name: users.name,
  email: users.email,
  timeZone: users.timeZone,
  locale: users.locale,
  organisationId: users.organisationId,
  organisationName: organisations.name,
};

/**
 * Everyone the consultation reaches now and who can still sign in: the active members of the
 * chosen organisations and the people chosen by name (the need-to-know gate's rule).
 */
export function consultationInviteesNow(db: DbOrTx, consultationId: number) {
  return db
    .select(inviteeColumns)
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(reachedByConsultation(consultationId))
    .orderBy(asc(organisations.name), asc(users.name))
    .all();
}

/**
 * The same people a page at a time, by name (the order of the consultation's invitee list), and
 * only those whose name contains `named` when it is given: for the lists of a meeting's page.
 */
export function consultationInviteesPage(db: DbOrTx, consultationId: number, { after, named, size }: { after?: string; named?: string; size?: number } = {}) {
  const pages = size === undefined ? inviteePages : inviteeKeyset(size);
  const rows = db
    .select({ ...inviteeColumns, userId: users.id })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(reachedByConsultation(consultationId), pages.after(after), named ? containing(users.name, named) : undefined))
    .orderBy(...pages.orderBy)
    .limit(pages.limit)
    .all();
  return pages.page(rows);
}

const organisationPages = keyset<{ name: string; id: number }>({
  order: "asc",
  keys: [
    { column: organisations.name, kind: "string", of: (row) => row.name },
    { column: organisations.id, kind: "number", of: (row) => row.id },
  ],
  size: INVITEES_PAGE_SIZE,
});

/**
 * The organisations of the people the consultation reaches now, a page at a time by name, and on
 * the first page whether it reaches taskforce staff (who belong to none): what invitees see of
 * each other while the attendee list is closed.
 */
export function consultationInviteeOrganisations(db: DbOrTx, consultationId: number, after?: string) {
  const reachedIn = (organisation: SQL) =>
    sql`exists (select 1 from ${users} where ${users.organisationId} is ${organisation} and ${reachedByConsultation(consultationId)})`;
  const rows = db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(and(reachedIn(sql`${organisations.id}`), organisationPages.after(after)))
    .orderBy(...organisationPages.orderBy)
    .limit(organisationPages.limit)
    .all();
  const taskforce = !after && !!db.select({ id: users.id }).from(users).leftJoin(organisations, eq(organisations.id, users.organisationId)).where(and(isNull(users.organisationId), reachedByConsultation(consultationId))).get();
  return { ...organisationPages.page(rows), taskforce };
}

/**
 * The time zones of the people the consultation reaches now, each with how many live there and
 * the first few names (by name): bounded by the zones, however many people.
 */
export function consultationInviteeZones(db: DbOrTx, consultationId: number, namesShown = 3) {
  const ranked = db
    .select({
      timeZone: users.timeZone,
      name: users.name,
      rank: sql<number>`row_number() over (partition by ${users.timeZone} order by ${users.name}, ${users.id})`.as("rank"),
      people: sql<number>`count(*) over (partition by ${users.timeZone})`.as("people"),
    })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(reachedByConsultation(consultationId))
    .as("ranked");
  const zones = new Map<string, { timeZone: string; people: number; names: string[] }>();
  // The first of each zone is read even when no name is wanted: it carries the zone's count.
  for (const row of db.select().from(ranked).where(sql`${ranked.rank} <= ${Math.max(namesShown, 1)}`).orderBy(ranked.timeZone, sql`rank`).all()) {
    const zone = zones.get(row.timeZone) ?? { timeZone: row.timeZone, people: row.people, names: [] };
    if (row.rank <= namesShown) zone.names.push(row.name);
    zones.set(row.timeZone, zone);
  }
  return [...zones.values()];
}

/** How many people the consultation reaches now. */
export function countConsultationInvitees(db: DbOrTx, consultationId: number): number {
  return (
    db
      .select({ n: count() })
      .from(users)
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .where(reachedByConsultation(consultationId))
      .get()?.n ?? 0
  );
}

/** Whether the consultation reaches this person now. */
export const reachesNow = (db: DbOrTx, consultationId: number, userId: number) => reachedAmong(db, consultationId, [userId]).has(userId);

/** Which of these people the consultation reaches now. */
export function reachedAmong(db: DbOrTx, consultationId: number, userIds: number[]): Set<number> {
  return new Set(
    db
      .select({ id: users.id })
      .from(users)
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .where(and(reachedByConsultation(consultationId), amongIds(users.id, userIds)))
      .all()
      .map((row) => row.id),
  );
}

/** The same people, a batch at a time in id order: for mail composed in batches (broadcasts). */
export function consultationInviteesAfter(db: DbOrTx, consultationId: number, after: number, limit: number) {
  return db
    .select(inviteeColumns)
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(reachedByConsultation(consultationId), gt(users.id, after)))
    .orderBy(asc(users.id))
    .limit(limit)
    .all();
}

/** How many people the consultation reaches now who have not been sent its invitation yet. */
function countNotYetInvited(db: DbOrTx, consultationId: number): number {
  return (
    db
      .select({ n: count() })
      .from(users)
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .leftJoin(consultationInvitees, and(eq(consultationInvitees.consultationId, consultationId), eq(consultationInvitees.userId, users.id)))
      .where(and(reachedByConsultation(consultationId), isNull(consultationInvitees.invitedAt)))
      .get()?.n ?? 0
  );
}

/**
 * One batch of a consultation's invitations: everyone it reaches who has not been sent the
 * invitation yet gets an email in their own zone, and is recorded as invited.
 */
const invitationBatch: BroadcastBatch = (tx, raw, { after, limit, appUrl, now }) => {
  const { consultationId } = raw as { consultationId: number };
  const consultation = tx.select().from(consultations).where(eq(consultations.id, consultationId)).get();
  if (!consultation || consultation.status !== "open") return { last: null, sent: 0 };
  const batch = consultationInviteesAfter(tx, consultationId, after, limit);
  if (batch.length === 0) return { last: null, sent: 0 };
  const invited = new Set(
    tx
      .select({ userId: consultationInvitees.userId })
      .from(consultationInvitees)
      .where(
        and(
          eq(consultationInvitees.consultationId, consultationId),
          isNotNull(consultationInvitees.invitedAt),
          inArray(consultationInvitees.userId, batch.map((person) => person.id)),
        ),
      )
      .all()
      .map((row) => row.userId),
  );
  const link = new URL(`/consultations/${consultationId}`, appUrl).toString();
  let sent = 0;
  for (const person of batch) {
    if (invited.has(person.id)) continue;
    tx.insert(consultationInvitees)
      .values({ consultationId, userId: person.id, invitedAt: now, organisationId: person.organisationId })
      .onConflictDoUpdate({ target: [consultationInvitees.consultationId, consultationInvitees.userId], set: { invitedAt: now } })
      .run();
    enqueueMail(
      tx,
      {
        to: person.email,
        template: "consultation-invitation",
        consultationId,
        recipientUserId: person.id,
        ...renderConsultationInvitationEmail({
          name: person.name,
          consultationTitle: consultation.title,
          crimeAreas: consultation.crimeAreas.map((area) => CRIME_AREA_LABELS[area]),
          deadline: formatDateTime(consultation.inputDeadline, person),
          link,
        }),
      },
      { appUrl, now },
    );
    sent += 1;
  }
  return { last: batch.at(-1)!.id, sent };
};

/** The broadcasts this module composes, for the worker. */
export const CONSULTATION_BROADCASTS = { "consultation-invitations": invitationBatch } as const;

/** Invites everyone the consultation reaches who has not been invited yet: a broadcast; returns how many. */
function sendInvitations(tx: DbOrTx, consultationId: number, now: Date): number {
  const waiting = countNotYetInvited(tx, consultationId);
  if (waiting > 0) enqueueBroadcast(tx, "consultation-invitations", { consultationId }, now);
  return waiting;
}

export function openConsultation(db: Db, id: number, actor: Actor & { appUrl: string }, now = new Date()): number {
  return db.transaction((tx) => {
    const consultation = getConsultation(tx, id);
    if (consultation.status !== "draft") {
      throw new AppError("conflict", "Only a draft consultation can be opened.");
    }
    if (consultation.inputDeadline.getTime() <= now.getTime()) {
      throw new AppError("invalid", "The input deadline has passed: move it before opening.");
    }
    if (consultationInviteesNow(tx, id).length === 0) {
      throw new AppError("invalid", "Choose at least one organisation or person to invite before opening.");
    }
    tx.update(consultations).set({ status: "open", openedAt: now, updatedAt: now }).where(eq(consultations.id, id)).run();
    const invited = sendInvitations(tx, id, now);
    recordAudit(tx, {
      action: "consultation.opened",
      actorUserId: actor.userId,
      targetType: "consultation",
      targetId: id,
      detail: { invited },
      origin: actor.origin,
      at: now,
    });
    return invited;
  });
}

export function closeConsultation(db: Db, id: number, actor: Actor, now = new Date()) {
  db.transaction((tx) => {
    const consultation = getConsultation(tx, id);
    if (consultation.status !== "open") throw new AppError("conflict", "Only an open consultation can be closed.");
    tx.update(consultations).set({ status: "closed", closedAt: now, updatedAt: now }).where(eq(consultations.id, id)).run();
    recordAudit(tx, {
      action: "consultation.closed",
      actorUserId: actor.userId,
      targetType: "consultation",
      targetId: id,
      origin: actor.origin,
      at: now,
    });
  });
}

/**
 * The consultation as this person may see it, or not_found: a stakeholder it does not reach now
 * learns nothing, not even that it exists. Reading writes nothing (see noteFirstView).
 */
export function viewConsultation(db: DbOrTx, viewer: Viewer, id: number): Consultation {
  const consultation = db
    .select()
    .from(consultations)
    .where(and(eq(consultations.id, id), consultationVisibleTo(viewer)))
    .get();
  if (!consultation) throw new AppError("not_found", "There is no such consultation.");
  return consultation;
}

/**
 * An invitee's first look at the consultation, for the coordinator who follows who has seen it:
 * written to the audit log (once), the one thing a page view may write.
 */
export function noteFirstView(db: DbOrTx, viewer: Account, consultationId: number, origin: RequestOrigin, now = new Date()) {
  const invitee = db
    .select({ id: users.id })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(users.id, viewer.id), reachedByConsultation(consultationId)))
    .get();
  if (!invitee) return;
  const seen = db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(and(viewsOf(consultationId), eq(auditEvents.actorUserId, viewer.id)))
    .get();
  if (seen) return;
  recordAudit(db, { action: "consultation.viewed", actorUserId: viewer.id, targetType: "consultation", targetId: consultationId, origin, at: now });
}

const viewsOf = (consultationId: number) =>
  and(
    eq(auditEvents.targetType, "consultation"),
    eq(auditEvents.targetId, String(consultationId)),
    eq(auditEvents.action, "consultation.viewed"),
  );

export const CONSULTATIONS_PAGE_SIZE = 25;

/** Newest first (the index consultations_created_idx). */
const consultationPages = keyset<{ createdAt: Date; id: number }>({
  order: "desc",
  keys: [
    { column: consultations.createdAt, kind: "date", of: (row) => row.createdAt },
    { column: consultations.id, kind: "number", of: (row) => row.id },
  ],
  size: CONSULTATIONS_PAGE_SIZE,
});

/** The consultations this person may see, a page at a time, by state and words of the title. */
export function listConsultationsFor(db: DbOrTx, viewer: Viewer, query: ConsultationListQuery = {}) {
  const matching = and(
    consultationVisibleTo(viewer),
    query.status ? eq(consultations.status, query.status) : undefined,
    query.q ? containing(consultations.title, query.q) : undefined,
  );
  const rows = db
    .select({
      id: consultations.id,
      title: consultations.title,
      status: consultations.status,
      crimeAreas: consultations.crimeAreas,
      inputDeadline: consultations.inputDeadline,
      createdAt: consultations.createdAt,
    })
    .from(consultations)
    .where(and(matching, consultationPages.after(query.after)))
    .orderBy(...consultationPages.orderBy)
    .limit(consultationPages.limit)
    .all();
  return {
    ...consultationPages.page(rows),
    total: db.select({ n: count() }).from(consultations).where(matching).get()?.n ?? 0,
  };
}

/** How many consultations this person may see in each state: the home page's figures. */
export function countConsultationsFor(db: DbOrTx, viewer: Viewer): Record<Consultation["status"], number> {
  const counts = { draft: 0, open: 0, closed: 0 };
  for (const row of db
    .select({ status: consultations.status, n: count() })
    .from(consultations)
    .where(consultationVisibleTo(viewer))
    .groupBy(consultations.status)
    .all()) {
    counts[row.status] = row.n;
  }
  return counts;
}

export type InviteeState = "chosen" | "invited" | "viewed";



/** When the person of the row first looked at the consultation (audit_events_target_idx). */
const firstViewOf = (consultationId: number) =>
  sql<number | null>`(select min(${auditEvents.at}) from ${auditEvents} where ${viewsOf(consultationId)} and ${auditEvents.actorUserId} = ${users.id})`;

/**
 * The coordinator's view of who the consultation reaches now and how far each has got, a page
 * at a time by name, continuing after the cursor `after`.
 */
export function consultationInviteeStates(db: DbOrTx, consultationId: number, after?: string) {
  const rows = db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      organisationId: users.organisationId,
      organisationName: organisations.name,
      byName: sql<boolean>`coalesce(${consultationInvitees.byName}, 0)`.mapWith(Boolean),
      invitedAt: consultationInvitees.invitedAt,
      viewedAt: firstViewOf(consultationId).mapWith((ms: number) => new Date(ms)),
    })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .leftJoin(
      consultationInvitees,
      and(eq(consultationInvitees.consultationId, consultationId), eq(consultationInvitees.userId, users.id)),
    )
    .where(and(reachedByConsultation(consultationId), inviteePages.after(after)))
    .orderBy(...inviteePages.orderBy)
    .limit(inviteePages.limit)
    .all()
    .map((row) => ({
      ...row,
      state: (row.viewedAt ? "viewed" : row.invitedAt ? "invited" : "chosen") as InviteeState,
    }));
  return inviteePages.page(rows);
}

/** How many of the people the consultation reaches are in each state, in one grouped statement. */
export function consultationInviteeCounts(db: DbOrTx, consultationId: number): Record<InviteeState, number> {
  const viewed = sql`exists (select 1 from ${auditEvents} where ${viewsOf(consultationId)} and ${auditEvents.actorUserId} = ${users.id})`;
  const row = db
    .select({
      viewed: sql<number>`coalesce(sum(case when ${viewed} then 1 else 0 end), 0)`,
      invited: sql<number>`coalesce(sum(case when ${consultationInvitees.invitedAt} is not null and not ${viewed} then 1 else 0 end), 0)`,
      all: count(),
    })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .leftJoin(
      consultationInvitees,
      and(eq(consultationInvitees.consultationId, consultationId), eq(consultationInvitees.userId, users.id)),
    )
    .where(reachedByConsultation(consultationId))
    .get();
  const { viewed: seen = 0, invited = 0, all = 0 } = row ?? {};
  return { chosen: all - seen - invited, invited, viewed: seen };
}

/** What the edit form needs: the current choices (a by-name choice only while it holds). */
export function consultationChoices(db: DbOrTx, consultationId: number) {
  return {
    organisationIds: db
      .select({ id: consultationOrganisations.organisationId })
      .from(consultationOrganisations)
      .where(eq(consultationOrganisations.consultationId, consultationId))
      .all()
      .map((row) => row.id),
    personIds: db
      .select({ id: consultationInvitees.userId })
      .from(consultationInvitees)
      .innerJoin(users, eq(users.id, consultationInvitees.userId))
      .where(
        and(
          eq(consultationInvitees.consultationId, consultationId),
          eq(consultationInvitees.byName, true),
          sql`${consultationInvitees.organisationId} is ${users.organisationId}`,
        ),
      )
      .all()
      .map((row) => row.id),
  };
}

/** How many organisations the consultation is put to, and the first few of them by name. */
export function chosenOrganisationNames(db: DbOrTx, consultationId: number, limit = 20) {
  const chosen = eq(consultationOrganisations.consultationId, consultationId);
  return {
    total: db.select({ n: count() }).from(consultationOrganisations).where(chosen).get()?.n ?? 0,
    first: db
      .select({ id: organisations.id, name: organisations.name })
      .from(consultationOrganisations)
      .innerJoin(organisations, eq(organisations.id, consultationOrganisations.organisationId))
      .where(chosen)
      .orderBy(asc(organisations.name))
      .limit(limit)
      .all(),
  };
}

export const MEETINGS_PAGE_SIZE = 10;

/** Newest first (the index meetings_consultation_created_idx). */
const meetingPages = keyset<{ createdAt: Date; id: number }>({
  order: "desc",
  keys: [
    { column: meetings.createdAt, kind: "date", of: (row) => row.createdAt },
    { column: meetings.id, kind: "number", of: (row) => row.id },
  ],
  size: MEETINGS_PAGE_SIZE,
});

/** A consultation's meetings, newest first, a page at a time after the cursor `after`, and how many there are. */
export function meetingsOf(db: DbOrTx, consultationId: number, after?: string) {
  const rows = db
    .select({
      id: meetings.id,
      title: meetings.title,
      status: meetings.status,
      startsAt: meetings.startsAt,
      endsAt: meetings.endsAt,
      createdAt: meetings.createdAt,
    })
    .from(meetings)
    .where(and(eq(meetings.consultationId, consultationId), meetingPages.after(after)))
    .orderBy(...meetingPages.orderBy)
    .limit(meetingPages.limit)
    .all();
  return {
    ...meetingPages.page(rows),
    total: db.select({ n: count() }).from(meetings).where(eq(meetings.consultationId, consultationId)).get()?.n ?? 0,
  };
}
