import { and, asc, desc, eq, gt, isNotNull, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { broadcastEntries, broadcasts } from "../../../db/schema";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { retryDelayMs } from "~/modules/mail/outbox.server";
import type { BroadcastKind } from "./vocabulary";

export type { BroadcastKind };

// Mail to many people, off the request path (docs/decisions/017). A change that tells many
// people (opening a consultation, proposing, finalising, moving or cancelling a meeting,
// submitting a threat input, which every analyst is told of, and a meeting's day-before reminders) commits
// with one broadcast row; the worker composes the messages a batch of people at a time, each batch
// in one transaction with the cursor, so a crash repeats at most the batch that was in flight,
// and that batch's messages were never committed.

/**
 * One batch of a broadcast: the people after `after` (user ids, ascending), at most `limit`.
 * `entries` reads what the changes that joined it tell of (`joinBroadcast`), in the order they joined.
 */
export type BroadcastBatch = (
  tx: DbOrTx,
  payload: Record<string, unknown>,
  batch: { after: number; limit: number; appUrl: string; now: Date; entries: () => unknown[] },
) => { last: number | null; sent: number };

export type BroadcastHandlers = Record<BroadcastKind, BroadcastBatch>;

/**
 * How long a broadcast of a kind that others join (`joinBroadcast`) gathers before the worker
 * composes it, in milliseconds from its first change. Without it the worker, when it keeps up,
 * begins each notice at once and nothing joins it: a burst of two hundred submits near a deadline
 * would be two hundred notices to every analyst instead of a few digests.
 */
export type BroadcastGathering = Partial<Record<BroadcastKind, number>>;

export const BROADCAST_BATCH = 50;

/**
 * A batch that throws (a broadcast whose data the handler cannot compose, a kind this version of
 * the portal has no handler for) is tried again after 30 s, 1, 2 and 4 minutes; at the fifth
 * failure it is set aside until an admin tries it again (retryBroadcast). Never dropped: its
 * people are still owed their mail once the cause is mended.
 */
export const BROADCAST_RETRY = { baseMs: 30_000, maxMs: 15 * 60_000, setAsideAfter: 5 };

/** What a failed batch left: the broadcast is retried later or, at the last failure allowed, set aside. */
export type BroadcastFailure = { broadcastId: number; kind: string; failures: number; setAside: boolean; error: unknown };

export function enqueueBroadcast(tx: DbOrTx, kind: BroadcastKind, payload: Record<string, unknown>, now: Date): number {
  return tx.insert(broadcasts).values({ kind, payload, createdAt: now }).returning({ id: broadcasts.id }).get().id;
}

/**
 * Joins the newest broadcast of this kind that the worker has not begun (no batch of it composed:
 * its cursor is still 0), adding `entry` to what it tells of, or enqueues a new one that tells of
 * the entry alone: for changes that one message can tell of together. The entry is a row of its
 * own: kept in the payload's JSON list, a notice gathering a burst of a thousand submits was
 * rewritten whole at every one of them (2 ms a submit at 5,000). The joining transaction holds the
 * write lock, as the worker's batches do, so a broadcast is never joined while its first batch is
 * being composed.
 */
export function joinBroadcast(tx: DbOrTx, kind: BroadcastKind, entry: unknown, now: Date): number {
  const newestUnbegun = tx
    .select({ id: broadcasts.id })
    .from(broadcasts)
    // One that has failed is not joined: what joins it would wait with it, or be set aside with it.
    .where(and(isNull(broadcasts.doneAt), eq(broadcasts.kind, kind), eq(broadcasts.cursor, 0), eq(broadcasts.failures, 0)))
    .orderBy(desc(broadcasts.id))
    .limit(1)
    .get();
  const broadcastId = newestUnbegun?.id ?? enqueueBroadcast(tx, kind, {}, now);
  tx.insert(broadcastEntries).values({ broadcastId, entry }).run();
  return broadcastId;
}

const entriesOf = (tx: DbOrTx, broadcastId: number) =>
  tx.select({ entry: broadcastEntries.entry }).from(broadcastEntries).where(eq(broadcastEntries.broadcastId, broadcastId)).orderBy(asc(broadcastEntries.id)).all().map((row) => row.entry);

/** A broadcast is due once the kind's gathering time has passed since it was enqueued. */
function due(gathering: BroadcastGathering, now: Date): SQL | undefined {
  const waits = Object.entries(gathering).filter(([, ms]) => ms > 0) as [BroadcastKind, number][];
  if (waits.length === 0) return undefined;
  return and(
    ...waits.map(([kind, ms]) => or(ne(broadcasts.kind, kind), lte(broadcasts.createdAt, new Date(now.getTime() - ms)))),
  );
}

/**
 * Composes the next batch of the oldest unfinished broadcast that is due, in one transaction.
 * Returns whether there was anything to do. A batch that throws leaves nothing of itself: its
 * failure is recorded (recordFailure) and handed to `onFailure`, which by default throws it again.
 */
export function runBroadcastBatch(
  db: Db,
  handlers: BroadcastHandlers,
  appUrl: string,
  now = new Date(),
  {
    limit = BROADCAST_BATCH,
    gathering = {},
    onFailure = (failure) => {
      throw failure.error;
    },
  }: { limit?: number; gathering?: BroadcastGathering; onFailure?: (failure: BroadcastFailure) => void } = {},
): boolean {
  let job: typeof broadcasts.$inferSelect | undefined;
  try {
    return db.transaction((tx) => {
      job = tx
        .select()
        .from(broadcasts)
        .where(
          and(
            isNull(broadcasts.doneAt),
            isNull(broadcasts.setAsideAt),
            or(isNull(broadcasts.nextAttemptAt), lte(broadcasts.nextAttemptAt, now)),
            due(gathering, now),
          ),
        )
        .orderBy(asc(broadcasts.id))
        .limit(1)
        .get();
      if (!job) return false;
      const handler = handlers[job.kind as BroadcastKind];
      if (!handler) throw new Error(`This version of the portal cannot compose a broadcast of the kind "${job.kind}".`);
      const { id, cursor } = job;
      const entries = () => entriesOf(tx, id);
      const outcome = handler(tx, job.payload, { after: cursor, limit, appUrl, now, entries });
      tx.update(broadcasts)
        .set(
          outcome.last === null
            ? { doneAt: now, sent: job.sent + outcome.sent, nextAttemptAt: null }
            : { cursor: outcome.last, sent: job.sent + outcome.sent },
        )
        .where(and(eq(broadcasts.id, id), eq(broadcasts.cursor, cursor)))
        .run();
      return true;
    });
  } catch (error) {
    // Failed before a broadcast was taken (the database itself): nothing to record.
    if (!job) throw error;
    onFailure(recordFailure(db, job, error, now));
    return true;
  }
}

/** Counts a failed batch on its broadcast and sets the next try, or sets the broadcast aside. */
function recordFailure(db: Db, job: typeof broadcasts.$inferSelect, error: unknown, now: Date): BroadcastFailure {
  const failures = job.failures + 1;
  const setAside = failures >= BROADCAST_RETRY.setAsideAfter;
  db.update(broadcasts)
    .set({
      failures,
      lastError: (error instanceof Error ? error.message : String(error)).slice(0, 2000),
      ...(setAside ? { setAsideAt: now } : { nextAttemptAt: new Date(now.getTime() + retryDelayMs(failures, BROADCAST_RETRY)) }),
    })
    .where(and(eq(broadcasts.id, job.id), eq(broadcasts.cursor, job.cursor), isNull(broadcasts.doneAt)))
    .run();
  return { broadcastId: job.id, kind: job.kind, failures, setAside, error };
}

/** An admin's second chance for a broadcast set aside: one more try, from where it stopped. */
export function retryBroadcast(db: DbOrTx, id: number, now = new Date()) {
  const row = db
    .update(broadcasts)
    .set({ setAsideAt: null, nextAttemptAt: now })
    .where(and(eq(broadcasts.id, id), isNotNull(broadcasts.setAsideAt), isNull(broadcasts.doneAt)))
    .returning({ id: broadcasts.id })
    .get();
  if (!row) throw new AppError("not_found", "There is no broadcast set aside with that number.");
}

/**
 * Of the broadcasts not yet done, in one statement: how many are still being written (gathering,
 * composing or waiting to be tried again), how many have failed at least once, and how many wait,
 * set aside, for an admin. The outbox page shows the first two, the admins' home pages warn of
 * the last.
 */
export function broadcastCounts(db: DbOrTx): { underway: number; troubled: number; setAside: number } {
  const row = db
    .select({
      underway: sql<number>`coalesce(sum(${broadcasts.setAsideAt} is null), 0)`,
      troubled: sql<number>`coalesce(sum(${broadcasts.failures} > 0), 0)`,
      setAside: sql<number>`coalesce(sum(${broadcasts.setAsideAt} is not null), 0)`,
    })
    .from(broadcasts)
    .where(isNull(broadcasts.doneAt))
    .get();
  return { underway: row?.underway ?? 0, troubled: row?.troubled ?? 0, setAside: row?.setAside ?? 0 };
}

export const TROUBLED_BROADCASTS_SHOWN = 20;

/**
 * The first of the unfinished broadcasts that have failed, oldest first: a handful at most, since
 * each is set aside after a few tries (broadcastCounts says how many there are).
 */
export function troubledBroadcasts(db: DbOrTx) {
  return db
    .select({
      id: broadcasts.id,
      kind: broadcasts.kind,
      payload: broadcasts.payload,
      sent: broadcasts.sent,
      failures: broadcasts.failures,
      lastError: broadcasts.lastError,
      nextAttemptAt: broadcasts.nextAttemptAt,
      setAsideAt: broadcasts.setAsideAt,
      createdAt: broadcasts.createdAt,
      // Qualified by hand: in a one-table select drizzle names the outer column bare, which
      // inside the subquery would be the entry's own id.
      entries: sql<number>`(select count(*) from "broadcast_entries" where "broadcast_entries"."broadcast_id" = "broadcasts"."id")`,
    })
    .from(broadcasts)
    .where(and(isNull(broadcasts.doneAt), gt(broadcasts.failures, 0)))
    .orderBy(asc(broadcasts.id))
    .limit(TROUBLED_BROADCASTS_SHOWN)
    .all()
    .map(({ payload, ...broadcast }) => ({ ...broadcast, about: aboutOf(payload) }));
}

/** What a broadcast tells of, by number: enough for an admin to tell its coordinator which it is. */
function aboutOf(payload: Record<string, unknown>): string | null {
  if (typeof payload.meetingId === "number") return `meeting ${payload.meetingId}`;
  if (typeof payload.consultationId === "number") return `consultation ${payload.consultationId}`;
  return null;
}

/** Runs every pending batch now, gathered or not: for tests and scripts, which have no worker. */
export function drainBroadcasts(db: Db, handlers: BroadcastHandlers, appUrl: string, now = new Date()) {
  while (runBroadcastBatch(db, handlers, appUrl, now)) {
    // next batch
  }
}

/**
 * The worker: batches one after another, yielding to the event loop between them, so that the
 * portal keeps answering while a thousand invitations are composed; idle, it looks every pollMs.
 * A broadcast still gathering, or waiting to be tried again after a failure, waits, and those
 * after it go ahead.
 */
export function startBroadcastWorker(
  deps: { db: Db; handlers: BroadcastHandlers; appUrl: string; gathering?: BroadcastGathering; logger?: { error: (o: object, m: string) => void } },
  pollMs: number,
) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const report = ({ error, ...failure }: BroadcastFailure) =>
    deps.logger?.error(
      { err: error, ...failure },
      failure.setAside ? "a broadcast failed again and is set aside until an admin tries it again" : "composing a broadcast failed; it is tried again later",
    );
  const tick = () => {
    running = (async () => {
      while (!stopped) {
        let worked = false;
        try {
          worked = runBroadcastBatch(deps.db, deps.handlers, deps.appUrl, new Date(), { gathering: deps.gathering, onFailure: report });
        } catch (error) {
          deps.logger?.error({ err: error }, "the broadcast worker could not take or record a batch");
        }
        if (!worked) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (!stopped) timer = setTimeout(tick, pollMs);
    })();
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
