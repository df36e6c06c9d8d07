import { and, count, desc, eq, gte, like, lt, or, sql, type SQL } from "drizzle-orm";
import { auditEvents, users } from "../../../db/schema";
import type { DbOrTx } from "~/lib/db.server";
import type { AuditFilter } from "./schema";

/** Where a request came from, as the audit log records it. */
export type RequestOrigin = { ip?: string | null; userAgent?: string | null };

export type AuditEntry = {
  action: string;
  actorUserId?: number | null;
  targetType?: string;
  targetId?: string | number;
  detail?: Record<string, unknown>;
  origin?: RequestOrigin;
  at?: Date;
};

export function recordAudit(db: DbOrTx, entry: AuditEntry) {
  db.insert(auditEvents)
    .values({
      action: entry.action,
      actorUserId: entry.actorUserId ?? null,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined ? null : String(entry.targetId),
      detail: entry.detail ?? null,
      ip: entry.origin?.ip ?? null,
      userAgent: entry.origin?.userAgent?.slice(0, 300) ?? null,
      at: entry.at ?? new Date(),
    })
    .run();
}

export const AUDIT_PAGE_SIZE = 50;
/** The most rows one CSV export carries: an investigation narrows its filter before that. */
export const AUDIT_EXPORT_LIMIT = 100_000;

/** Newest first, ties by id: the order pages and exports follow, and the key they continue from. */
export type AuditCursor = { at: Date; id: number };

/**
 * The filter as SQL: the person who acted; an organisation (someone of it acted, or it was the
 * target); an action or a family of them ("role." for every role change); a target; a range of
 * instants, from inclusive, to exclusive.
 */
function auditWhere(filter: AuditFilter): SQL | undefined {
  return and(
    filter.actorUserId ? eq(auditEvents.actorUserId, filter.actorUserId) : undefined,
    filter.organisationId
      ? or(
          sql`${auditEvents.actorUserId} in (select ${users.id} from ${users} where ${users.organisationId} = ${filter.organisationId})`,
          and(eq(auditEvents.targetType, "organisation"), eq(auditEvents.targetId, String(filter.organisationId))),
        )
      : undefined,
    filter.action ? (filter.action.endsWith(".") ? like(auditEvents.action, `${filter.action}%`) : eq(auditEvents.action, filter.action)) : undefined,
    filter.targetType ? eq(auditEvents.targetType, filter.targetType) : undefined,
    filter.targetId ? eq(auditEvents.targetId, filter.targetId) : undefined,
    filter.from ? gte(auditEvents.at, filter.from) : undefined,
    filter.to ? lt(auditEvents.at, filter.to) : undefined,
  );
}

const olderThan = (cursor: AuditCursor) =>
  or(lt(auditEvents.at, cursor.at), and(eq(auditEvents.at, cursor.at), lt(auditEvents.id, cursor.id)));

function auditRows(db: DbOrTx, filter: AuditFilter, after: AuditCursor | undefined, limit: number) {
  return db
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      action: auditEvents.action,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      ip: auditEvents.ip,
      userAgent: auditEvents.userAgent,
      detail: auditEvents.detail,
      actorUserId: auditEvents.actorUserId,
      actorName: users.name,
      actorEmail: users.email,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorUserId))
    .where(and(auditWhere(filter), after ? olderThan(after) : undefined))
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(limit)
    .all();
}

export type AuditRow = ReturnType<typeof auditRows>[number];

/** One page of the log, newest first, continuing after `after` (keyset: no page grows slower). */
export function listAuditEvents(db: DbOrTx, filter: AuditFilter & { after?: AuditCursor }, limit = AUDIT_PAGE_SIZE) {
  const rows = auditRows(db, filter, filter.after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > limit && last ? ({ at: last.at, id: last.id } satisfies AuditCursor) : null,
    total: db.select({ n: count() }).from(auditEvents).where(auditWhere(filter)).get()?.n ?? 0,
  };
}

/** Every event the filter matches, newest first, read in pages of a thousand. */
export function* auditEventsFor(db: DbOrTx, filter: AuditFilter): Generator<AuditRow> {
  let after: AuditCursor | undefined;
  for (let read = 0; read < AUDIT_EXPORT_LIMIT; ) {
    const rows = auditRows(db, filter, after, Math.min(1000, AUDIT_EXPORT_LIMIT - read));
    yield* rows;
    read += rows.length;
    const last = rows.at(-1);
    if (!last || rows.length < 1000) return;
    after = { at: last.at, id: last.id };
  }
}

/** The people and organisations the filter offers, and the targets the log names. */
export function auditFilterChoices(db: DbOrTx) {
  return {
    targetTypes: db
      .selectDistinct({ type: auditEvents.targetType })
      .from(auditEvents)
      .where(sql`${auditEvents.targetType} is not null`)
      .orderBy(auditEvents.targetType)
      .all()
      .map((row) => row.type!),
  };
}
