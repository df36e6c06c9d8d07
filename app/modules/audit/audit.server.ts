import { and, count, desc, eq, like } from "drizzle-orm";
import { auditEvents, users } from "../../../db/schema";
import type { DbOrTx } from "~/lib/db.server";

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

export function listAuditEvents(
  db: DbOrTx,
  filter: { page: number; action?: string; actorUserId?: number },
) {
  const where = and(
    filter.action ? like(auditEvents.action, `${filter.action}%`) : undefined,
    filter.actorUserId ? eq(auditEvents.actorUserId, filter.actorUserId) : undefined,
  );
  const rows = db
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
    .where(where)
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((filter.page - 1) * AUDIT_PAGE_SIZE)
    .all();
  const total = db.select({ n: count() }).from(auditEvents).where(where).get()?.n ?? 0;
  return { rows, total, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
}
