import { randomUUID } from "node:crypto";
import { and, asc, count, eq, gte, inArray, isNotNull, isNull, lt, lte, notExists, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { organisations, outbox, users } from "../../../db/schema";
import { personMaySee } from "../access/gate.server";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { keyset } from "~/lib/keyset.server";

export type MailExtra = {
  icalEvent?: { method: string; content: string; filename?: string };
  attachments?: { filename: string; content: string; contentType: string }[];
};

export type OutgoingMail = {
  to: string;
  template: string;
  subject: string;
  html: string;
  text: string;
  extra?: MailExtra;
  /** A message with the same key is never written twice. */
  dedupeKey?: string;
  /**
   * Mail about a consultation to a person who may lose access to it: while unsent, it is
   * withdrawn when they do (withdrawMailBeyondAccess).
   */
  consultationId?: number;
  recipientUserId?: number;
};

export type OutboxRow = typeof outbox.$inferSelect;

export type RetryPolicy = { baseMs: number; maxMs: number; giveUpAfterMs: number };

/**
 * Writes a message to the outbox. Call it inside the transaction of the change that causes the
 * message, so that the change and its message are kept or lost together.
 */
export function enqueueMail(
  db: DbOrTx,
  mail: OutgoingMail,
  { appUrl, now = new Date() }: { appUrl: string; now?: Date },
): { id: number; messageId: string } | null {
  const messageId = `<${randomUUID()}@${new URL(appUrl).hostname}>`;
  const inserted = db
    .insert(outbox)
    .values({
      messageId,
      dedupeKey: mail.dedupeKey ?? null,
      template: mail.template,
      toAddress: mail.to,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      extra: mail.extra ?? null,
      consultationId: mail.consultationId ?? null,
      recipientUserId: mail.recipientUserId ?? null,
      nextAttemptAt: now,
      createdAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id, messageId: outbox.messageId })
    .get();
  return inserted ?? null;
}

/**
 * Withdraws messages not yet sent whose dedupe key starts with the prefix, such as the reminders
 * of a meeting that was moved or cancelled: their content no longer holds. A message a worker is
 * sending at this moment is left to it.
 */
export function withdrawPendingMail(db: DbOrTx, dedupeKeyPrefix: string, now: Date): number {
  return db
    .delete(outbox)
    .where(
      and(
        eq(outbox.status, "pending"),
        sql`substr(${outbox.dedupeKey}, 1, ${dedupeKeyPrefix.length}) = ${dedupeKeyPrefix}`,
        or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
      ),
    )
    .run().changes;
}

/**
 * Withdraws the unsent mail about consultations whose recipients they no longer reach (removed,
 * moved to another organisation, deactivated): run in the transaction of every change of access.
 * A message a worker is sending at this moment is left to it.
 */
export function withdrawMailBeyondAccess(db: DbOrTx, now: Date): number {
  const recipient = alias(users, "recipient");
  const recipientOrganisation = alias(organisations, "recipient_organisation");
  const stillReached = db
    .select({ id: recipient.id })
    .from(recipient)
    .leftJoin(recipientOrganisation, eq(recipientOrganisation.id, recipient.organisationId))
    .where(
      and(
        eq(recipient.id, outbox.recipientUserId),
        eq(recipient.active, true),
        or(isNull(recipient.organisationId), eq(recipientOrganisation.active, true)),
        personMaySee(outbox.consultationId, recipient.id, recipient.organisationId),
      ),
    );
  return db
    .delete(outbox)
    .where(
      and(
        eq(outbox.status, "pending"),
        isNotNull(outbox.consultationId),
        or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
        notExists(stillReached),
      ),
    )
    .run().changes;
}

/**
 * Takes up to `limit` due messages for one worker. BEGIN IMMEDIATE takes SQLite's write lock
 * before the read, so two workers cannot both see a message as free; a lease that runs out
 * (its worker crashed) makes the message free again.
 */
export function claimDueMail(
  db: Db,
  { owner, now, leaseMs, limit = 20 }: { owner: string; now: Date; leaseMs: number; limit?: number },
): OutboxRow[] {
  return db.transaction(
    (tx) => {
      const due = tx
        .select({ id: outbox.id })
        .from(outbox)
        .where(
          and(
            eq(outbox.status, "pending"),
            lte(outbox.nextAttemptAt, now),
            or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
          ),
        )
        .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
        .limit(limit)
        .all();
      if (due.length === 0) return [];
      return tx
        .update(outbox)
        .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) })
        .where(inArray(outbox.id, due.map((row) => row.id)))
        .returning()
        .all();
    },
    { behavior: "immediate" },
  );
}

const heldBy = (id: number, owner: string) =>
  and(eq(outbox.id, id), eq(outbox.leaseOwner, owner), eq(outbox.status, "pending"));

/**
 * Whether the worker still holds the message's lease at this moment: checked just before the
 * message is handed to the relay. A read, not a write: the worker's heartbeat renews its leases.
 */
export function stillLeased(db: DbOrTx, id: number, owner: string, now: Date): boolean {
  return (
    db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(heldBy(id, owner), gte(outbox.leaseUntil, now)))
      .get() !== undefined
  );
}

export function markSent(db: DbOrTx, id: number, owner: string, now: Date) {
  db.update(outbox)
    .set({
      status: "sent",
      sentAt: now,
      attempts: sql`${outbox.attempts} + 1`,
      leaseOwner: null,
      leaseUntil: null,
      lastError: null,
    })
    .where(heldBy(id, owner))
    .run();
}

export function retryDelayMs(attempts: number, policy: Pick<RetryPolicy, "baseMs" | "maxMs">): number {
  return Math.min(policy.baseMs * 2 ** Math.max(0, attempts - 1), policy.maxMs);
}

/** Schedules the next try with exponential backoff, or gives up once the message is too old. */
export function markFailed(
  db: Db,
  row: OutboxRow,
  owner: string,
  error: string,
  now: Date,
  policy: RetryPolicy,
): "pending" | "dead" {
  const attempts = row.attempts + 1;
  const giveUp = now.getTime() - row.createdAt.getTime() >= policy.giveUpAfterMs;
  db.update(outbox)
    .set({
      attempts,
      lastError: error.slice(0, 2000),
      leaseOwner: null,
      leaseUntil: null,
      ...(giveUp
        ? { status: "dead" as const, deadAt: now }
        : { nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, policy)) }),
    })
    .where(heldBy(row.id, owner))
    .run();
  return giveUp ? "dead" : "pending";
}

/** An admin's second chance for a dead message: one more try, with the same Message-ID. */
export function retryDeadMail(db: Db, id: number, now = new Date()) {
  const row = db
    .update(outbox)
    .set({ status: "pending", deadAt: null, nextAttemptAt: now })
    .where(and(eq(outbox.id, id), eq(outbox.status, "dead")))
    .returning({ id: outbox.id })
    .get();
  if (!row) throw new AppError("not_found", "There is no dead message with that number.");
}

/**
 * Mail being retried or given up: the partial index outbox_troubled_idx's own condition
 * (db/schema.ts), word for word and with literals, so that SQLite reads the list through it. A
 * CASE, because as `status = 'dead' or ...` SQLite would rather read outbox_due_idx twice and sort.
 */
export const troubledMail = sql`(case when ${outbox.status} = 'dead' then 1 when ${outbox.status} = 'pending' and ${outbox.attempts} > 0 then 1 else 0 end) = 1`;

export const TROUBLED_PAGE_SIZE = 50;

/** Newest first (the index outbox_troubled_idx). */
const troubledPages = keyset<{ createdAt: Date; id: number }>({
  order: "desc",
  keys: [
    { column: outbox.createdAt, kind: "date", of: (row) => row.createdAt },
    { column: outbox.id, kind: "number", of: (row) => row.id },
  ],
  size: TROUBLED_PAGE_SIZE,
});

/** How many messages wait, went and were given up. */
export function outboxCounts(db: DbOrTx) {
  const counts = Object.fromEntries(
    db
      .select({ status: outbox.status, n: count() })
      .from(outbox)
      .groupBy(outbox.status)
      .all()
      .map((row) => [row.status, row.n]),
  ) as Partial<Record<OutboxRow["status"], number>>;
  return { pending: counts.pending ?? 0, sent: counts.sent ?? 0, dead: counts.dead ?? 0 };
}

/** The counts, and the messages with trouble a page at a time, newest first, after the cursor `after`. */
export function outboxOverview(db: DbOrTx, after?: string) {
  const troubled = db
    .select({
      id: outbox.id,
      messageId: outbox.messageId,
      template: outbox.template,
      toAddress: outbox.toAddress,
      subject: outbox.subject,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      nextAttemptAt: outbox.nextAttemptAt,
      createdAt: outbox.createdAt,
      deadAt: outbox.deadAt,
    })
    .from(outbox)
    .where(and(troubledMail, troubledPages.after(after)))
    .orderBy(...troubledPages.orderBy)
    .limit(troubledPages.limit)
    .all();
  return {
    ...outboxCounts(db),
    troubled: troubledPages.page(troubled),
    troubledTotal: db.select({ n: count() }).from(outbox).where(troubledMail).get()?.n ?? 0,
  };
}
