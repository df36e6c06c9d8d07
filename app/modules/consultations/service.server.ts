import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import {
  consultationInvitees,
  consultationOrganisations,
  consultations,
  meetings,
  organisations,
  users,
  type ConsultationStatus,
} from "../../../db/schema";
import { renderConsultationInvitationEmail } from "../../../emails/consultation-invitation";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { formatDateTime, zonedToUtc } from "~/lib/time";
import { accountIsUsable, type Account, type Actor } from "../accounts/service.server";
import { recordAudit } from "../audit/audit.server";
import { enqueueMail } from "../mail/outbox.server";
import type { ConsultationInput } from "./schema";

export type Consultation = typeof consultations.$inferSelect;

/** Taskforce staff who work with every consultation. */
export const isTaskforceStaff = (viewer: Pick<Account, "roles">) =>
  viewer.roles.includes("coordinator") || viewer.roles.includes("analyst");

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

/** Records the chosen organisations and by-name people; the invitations go out on opening. */
function storeChoices(tx: DbOrTx, consultationId: number, input: ConsultationInput) {
  tx.delete(consultationOrganisations).where(eq(consultationOrganisations.consultationId, consultationId)).run();
  for (const organisationId of new Set(input.organisationIds)) {
    tx.insert(consultationOrganisations).values({ consultationId, organisationId }).run();
  }
  // People chosen by name who were not yet invited can be unchosen; invitations already sent stand.
  tx.delete(consultationInvitees)
    .where(
      and(
        eq(consultationInvitees.consultationId, consultationId),
        eq(consultationInvitees.byName, true),
        isNull(consultationInvitees.invitedAt),
      ),
    )
    .run();
  for (const userId of new Set(input.personIds)) {
    tx.insert(consultationInvitees)
      .values({ consultationId, userId, byName: true })
      .onConflictDoUpdate({ target: [consultationInvitees.consultationId, consultationInvitees.userId], set: { byName: true } })
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
    if (consultation.status === "open") sendInvitations(tx, id, actor.appUrl, now);
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

/** Everyone the consultation reaches now: active members of chosen organisations, and people chosen by name. */
function currentInvitees(db: DbOrTx, consultationId: number) {
  const chosenOrganisations = db
    .select({ id: consultationOrganisations.organisationId })
    .from(consultationOrganisations)
    .where(eq(consultationOrganisations.consultationId, consultationId));
  const byName = db
    .select({ id: consultationInvitees.userId })
    .from(consultationInvitees)
    .where(and(eq(consultationInvitees.consultationId, consultationId), eq(consultationInvitees.byName, true)));
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      timeZone: users.timeZone,
      locale: users.locale,
    })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        accountIsUsable(),
        or(inArray(users.organisationId, chosenOrganisations), inArray(users.id, byName)),
      ),
    )
    .all();
}

/** Invites, with an email each, everyone the consultation reaches who has not been invited yet. */
function sendInvitations(tx: DbOrTx, consultationId: number, appUrl: string, now: Date): number {
  const consultation = getConsultation(tx, consultationId);
  const alreadyInvited = new Set(
    tx
      .select({ userId: consultationInvitees.userId })
      .from(consultationInvitees)
      .where(and(eq(consultationInvitees.consultationId, consultationId), isNotNull(consultationInvitees.invitedAt)))
      .all()
      .map((row) => row.userId),
  );
  const link = new URL(`/consultations/${consultationId}`, appUrl).toString();
  let sent = 0;
  for (const person of currentInvitees(tx, consultationId)) {
    if (alreadyInvited.has(person.id)) continue;
    tx.insert(consultationInvitees)
      .values({ consultationId, userId: person.id, invitedAt: now })
      .onConflictDoUpdate({
        target: [consultationInvitees.consultationId, consultationInvitees.userId],
        set: { invitedAt: now },
      })
      .run();
    enqueueMail(
      tx,
      {
        to: person.email,
        template: "consultation-invitation",
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
  return sent;
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
    if (currentInvitees(tx, id).length === 0) {
      throw new AppError("invalid", "Choose at least one organisation or person to invite before opening.");
    }
    tx.update(consultations).set({ status: "open", openedAt: now, updatedAt: now }).where(eq(consultations.id, id)).run();
    const invited = sendInvitations(tx, id, actor.appUrl, now);
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

/** Whether this person may see the consultation at all: staff always, a stakeholder once invited. */
export function canSeeConsultation(db: DbOrTx, viewer: Account, consultation: Consultation): boolean {
  if (isTaskforceStaff(viewer)) return true;
  if (consultation.status === "draft") return false;
  const invited = db
    .select({ userId: consultationInvitees.userId })
    .from(consultationInvitees)
    .where(
      and(
        eq(consultationInvitees.consultationId, consultation.id),
        eq(consultationInvitees.userId, viewer.id),
        isNotNull(consultationInvitees.invitedAt),
      ),
    )
    .get();
  if (invited) return true;
  if (viewer.organisationId === null) return false;
  return !!db
    .select({ id: consultationOrganisations.organisationId })
    .from(consultationOrganisations)
    .where(
      and(
        eq(consultationOrganisations.consultationId, consultation.id),
        eq(consultationOrganisations.organisationId, viewer.organisationId),
      ),
    )
    .get();
}

/**
 * The consultation as this person may see it, or not_found: a stakeholder of an organisation
 * that is not invited learns nothing, not even that it exists. An invitee's first look is
 * recorded (the coordinator follows who has seen it).
 */
export function viewConsultation(db: DbOrTx, viewer: Account, id: number, now = new Date()): Consultation {
  const consultation = db.select().from(consultations).where(eq(consultations.id, id)).get();
  if (!consultation || !canSeeConsultation(db, viewer, consultation)) {
    throw new AppError("not_found", "There is no such consultation.");
  }
  if (!isTaskforceStaff(viewer)) {
    db.insert(consultationInvitees)
      .values({ consultationId: id, userId: viewer.id, invitedAt: consultation.openedAt ?? now, viewedAt: now })
      .onConflictDoUpdate({
        target: [consultationInvitees.consultationId, consultationInvitees.userId],
        set: { viewedAt: sql`coalesce(${consultationInvitees.viewedAt}, ${now.getTime()})` },
      })
      .run();
  }
  return consultation;
}

export function listConsultationsFor(db: DbOrTx, viewer: Account) {
  const columns = {
    id: consultations.id,
    title: consultations.title,
    status: consultations.status,
    crimeAreas: consultations.crimeAreas,
    inputDeadline: consultations.inputDeadline,
  };
  if (isTaskforceStaff(viewer)) {
    return db.select(columns).from(consultations).orderBy(desc(consultations.createdAt)).all();
  }
  const byInvitation = db
    .select({ id: consultationInvitees.consultationId })
    .from(consultationInvitees)
    .where(and(eq(consultationInvitees.userId, viewer.id), isNotNull(consultationInvitees.invitedAt)));
  const byOrganisation = db
    .select({ id: consultationOrganisations.consultationId })
    .from(consultationOrganisations)
    .where(eq(consultationOrganisations.organisationId, viewer.organisationId ?? -1));
  return db
    .select(columns)
    .from(consultations)
    .where(
      and(
        inArray(consultations.status, ["open", "closed"] satisfies ConsultationStatus[]),
        or(inArray(consultations.id, byInvitation), inArray(consultations.id, byOrganisation)),
      ),
    )
    .orderBy(desc(consultations.createdAt))
    .all();
}

export type InviteeState = "chosen" | "invited" | "viewed";

/** The coordinator's view of who is invited and how far each has got. */
export function consultationInviteeStates(db: DbOrTx, consultationId: number) {
  return db
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      organisationId: users.organisationId,
      organisationName: organisations.name,
      byName: consultationInvitees.byName,
      invitedAt: consultationInvitees.invitedAt,
      viewedAt: consultationInvitees.viewedAt,
    })
    .from(consultationInvitees)
    .innerJoin(users, eq(users.id, consultationInvitees.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(consultationInvitees.consultationId, consultationId))
    .orderBy(asc(organisations.name), asc(users.name))
    .all()
    .map((row) => ({
      ...row,
      state: (row.viewedAt ? "viewed" : row.invitedAt ? "invited" : "chosen") as InviteeState,
    }));
}

/** What the edit form needs: the current choices. */
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
      .where(and(eq(consultationInvitees.consultationId, consultationId), eq(consultationInvitees.byName, true)))
      .all()
      .map((row) => row.id),
  };
}

export function chosenOrganisationNames(db: DbOrTx, consultationId: number) {
  return db
    .select({ id: organisations.id, name: organisations.name })
    .from(consultationOrganisations)
    .innerJoin(organisations, eq(organisations.id, consultationOrganisations.organisationId))
    .where(eq(consultationOrganisations.consultationId, consultationId))
    .orderBy(asc(organisations.name))
    .all();
}

export function meetingsOf(db: DbOrTx, consultationId: number) {
  return db
    .select({
      id: meetings.id,
      title: meetings.title,
      status: meetings.status,
      startsAt: meetings.startsAt,
      endsAt: meetings.endsAt,
    })
    .from(meetings)
    .where(eq(meetings.consultationId, consultationId))
    .orderBy(desc(meetings.createdAt))
    .all();
}
