import { and, count, eq, gte, like, lt, or, sql, type SQL } from "drizzle-orm";
import { auditEvents, organisations, users } from "../../../db/schema";
import type { DbOrTx } from "~/lib/db.server";
import { containing, keyset } from "~/lib/keyset.server";
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

/** Newest first, ties by id: the order pages and exports follow (the index audit_events_at_idx). */
const newestFirst = (size: number) =>
  keyset<{ at: Date; id: number }>({
    order: "desc",
    keys: [
      { column: auditEvents.at, kind: "date", of: (row) => row.at },
      { column: auditEvents.id, kind: "number", of: (row) => row.id },
    ],
    size,
  });
const auditPages = newestFirst(AUDIT_PAGE_SIZE);
const exportPages = newestFirst(1000);

/**
 * The filter as SQL: the person who acted; an organisation (someone of it acted, or it was the
 * target); an action or a family of them ("role." for every role change); a target; a range of
 * instants, from inclusive, to exclusive.
 */
const organisationsNamed = (words: string) => sql`select ${organisations.id} as id from ${organisations} where ${containing(organisations.name, words)}`;

function auditWhere(filter: AuditFilter): SQL | undefined {
  return and(
    filter.person
      ? sql`${auditEvents.actorUserId} in (select ${users.id} from ${users} where ${or(containing(users.name, filter.person), containing(users.email, filter.person))})`
      : undefined,
    filter.organisation
      ? or(
          sql`${auditEvents.actorUserId} in (select ${users.id} from ${users} where ${users.organisationId} in (${organisationsNamed(filter.organisation)}))`,
          and(eq(auditEvents.targetType, "organisation"), sql`${auditEvents.targetId} in (select cast(id as text) from (${organisationsNamed(filter.organisation)}))`),
        )
      : undefined,
    filter.action ? (filter.action.endsWith(".") ? like(auditEvents.action, `${filter.action}%`) : eq(auditEvents.action, filter.action)) : undefined,
    filter.targetType ? eq(auditEvents.targetType, filter.targetType) : undefined,
    filter.targetId ? eq(auditEvents.targetId, filter.targetId) : undefined,
    filter.from ? gte(auditEvents.at, filter.from) : undefined,
    filter.to ? lt(auditEvents.at, filter.to) : undefined,
  );
}

function auditRows(db: DbOrTx, filter: AuditFilter, pages: ReturnType<typeof newestFirst>, after: string | undefined) {
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
    .where(and(auditWhere(filter), pages.after(after)))
    .orderBy(...pages.orderBy)
    .limit(pages.limit)
    .all();
}

export type AuditRow = ReturnType<typeof auditRows>[number];

/** One page of the log, newest first, continuing after the cursor `after` (keyset: no page grows slower). */
export function listAuditEvents(db: DbOrTx, filter: AuditFilter & { after?: string }) {
  return {
    ...auditPages.page(auditRows(db, filter, auditPages, filter.after)),
    total: db.select({ n: count() }).from(auditEvents).where(auditWhere(filter)).get()?.n ?? 0,
  };
}

/** The few latest events, for the administrators' home page. */
export function latestAuditEvents(db: DbOrTx, limit: number) {
  return auditRows(db, {}, newestFirst(limit), undefined).slice(0, limit);
}

/** Every event the filter matches, newest first, read in pages of a thousand. */
export function* auditEventsFor(db: DbOrTx, filter: AuditFilter): Generator<AuditRow> {
  let after: string | undefined;
  for (let read = 0; read < AUDIT_EXPORT_LIMIT; ) {
    const page = exportPages.page(auditRows(db, filter, exportPages, after));
    const rows = page.rows.slice(0, AUDIT_EXPORT_LIMIT - read);
    yield* rows;
    read += rows.length;
    if (!page.next) return;
    after = page.next;
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
