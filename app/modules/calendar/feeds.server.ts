import { createHash } from "node:crypto";
import { and, asc, eq, isNotNull, ne, or } from "drizzle-orm";
import { calendarFeeds, consultations, meetings, meetingRsvps, organisations, users } from "../../../db/schema";
import { reachesPerson } from "../access/gate.server";
import type { DbOrTx } from "~/lib/db.server";
import { accountIsUsable } from "../accounts/service.server";
import { hashToken, newSecretToken } from "../auth/tokens.server";
import { calendarMeetingFor } from "../scheduling/service.server";
import { buildCalendar } from "./ics";

export const FEED_ALARM_MINUTES = 15;

/** Makes (or replaces) the person's feed address; the old one stops working at once. */
export function issueFeedToken(db: DbOrTx, userId: number, now = new Date()): string {
  const { token, hash } = newSecretToken();
  db.insert(calendarFeeds)
    .values({ userId, tokenHash: hash, createdAt: now })
    .onConflictDoUpdate({ target: calendarFeeds.userId, set: { tokenHash: hash, createdAt: now } })
    .run();
  return token;
}

export function revokeFeed(db: DbOrTx, userId: number) {
  db.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId)).run();
}

export function feedStatus(db: DbOrTx, userId: number) {
  return db.select({ createdAt: calendarFeeds.createdAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, userId)).get() ?? null;
}

export function feedUrls(appUrl: string, token: string) {
  const https = new URL(`/calendar/${token}.ics`, appUrl).toString();
  return { https, webcal: https.replace(/^https?:/, "webcal:") };
}

export type Feed = { body: string; etag: string; lastModified: Date };

/**
 * The feed behind a token, or null for a wrong, rotated or revoked one: all three take the
 * same path (hash, one indexed lookup), so the answer time tells nothing apart.
 * It holds every meeting with a time that the person is invited to or organises, cancelled
 * ones as STATUS:CANCELLED, with their own answer and a reminder 15 minutes before.
 */
export function feedFor(db: DbOrTx, token: string, appUrl: string): Feed | null {
  // A person who may no longer sign in keeps no window onto the meetings either.
  const owner = db
    .select({ userId: calendarFeeds.userId, organisationId: users.organisationId })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(calendarFeeds.tokenHash, hashToken(token)), accountIsUsable()))
    .get();
  if (!owner) return null;
  // The meetings of the consultations that reach the person now (the gate's rule), and their own.
  const rows = db
    .select({ meeting: meetings })
    .from(meetings)
    .innerJoin(consultations, eq(consultations.id, meetings.consultationId))
    .where(
      and(
        isNotNull(meetings.startsAt),
        or(eq(meetings.organiserUserId, owner.userId), and(ne(consultations.status, "draft"), reachesPerson(consultations.id, owner))),
      ),
    )
    .orderBy(asc(meetings.startsAt))
    .all()
    .map((row) => row.meeting);
  const answeredAt = db
    .select({ updatedAt: meetingRsvps.updatedAt })
    .from(meetingRsvps)
    .where(eq(meetingRsvps.userId, owner.userId))
    .all()
    .map((row) => row.updatedAt.getTime());
  const lastModified = new Date(
    Math.max(0, ...answeredAt, ...rows.map((row) => (row.updatedAt ?? row.createdAt).getTime())),
  );
  const body = buildCalendar({
    method: "PUBLISH",
    name: "Taskforce Consult meetings",
    alarmMinutesBefore: FEED_ALARM_MINUTES,
    meetings: rows.map((meeting) => calendarMeetingFor(db, meeting, owner.userId, appUrl)),
  });
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
  // HTTP dates have whole seconds; rounding up keeps If-Modified-Since honest.
  return { body, etag, lastModified: new Date(Math.ceil(lastModified.getTime() / 1000) * 1000) };
}
