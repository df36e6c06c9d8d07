import { and, asc, desc, eq, isNull, lte, ne, or, type SQL } from "drizzle-orm";
import { broadcastEntries, broadcasts } from "../../../db/schema";
import type { Db, DbOrTx } from "~/lib/db.server";

// Mail to many people, off the request path (docs/decisions/017). A change that tells many
// people (opening a consultation, proposing, finalising, moving or cancelling a meeting,
// submitting a threat input, which every analyst is told of, and a meeting's day-before reminders) commits
// with one broadcast row; the worker composes the messages a batch of people at a time, each batch
// in one transaction with the cursor, so a crash repeats at most the batch that was in flight,
// and that batch's messages were never committed.

export type BroadcastKind = "consultation-invitations" | "meeting-poll" | "meeting-update" | "meeting-reminders" | "threat-input-notices";

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
    .where(and(isNull(broadcasts.doneAt), eq(broadcasts.kind, kind), eq(broadcasts.cursor, 0)))
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
 * Returns whether there was anything to do.
 */
export function runBroadcastBatch(
  db: Db,
  handlers: BroadcastHandlers,
  appUrl: string,
  now = new Date(),
  { limit = BROADCAST_BATCH, gathering = {} }: { limit?: number; gathering?: BroadcastGathering } = {},
): boolean {
  return db.transaction((tx) => {
    const job = tx
      .select()
      .from(broadcasts)
      .where(and(isNull(broadcasts.doneAt), due(gathering, now)))
      .orderBy(asc(broadcasts.id))
      .limit(1)
      .get();
    if (!job) return false;
    const handler = handlers[job.kind as BroadcastKind];
    const entries = () => entriesOf(tx, job.id);
    const outcome = handler ? handler(tx, job.payload, { after: job.cursor, limit, appUrl, now, entries }) : { last: null, sent: 0 };
    tx.update(broadcasts)
      .set(
        outcome.last === null
          ? { doneAt: now, sent: job.sent + outcome.sent }
          : { cursor: outcome.last, sent: job.sent + outcome.sent },
      )
      .where(and(eq(broadcasts.id, job.id), eq(broadcasts.cursor, job.cursor)))
      .run();
    return true;
  });
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
 * A broadcast still gathering waits, and those after it go ahead.
 */
export function startBroadcastWorker(
  deps: { db: Db; handlers: BroadcastHandlers; appUrl: string; gathering?: BroadcastGathering; logger?: { error: (o: object, m: string) => void } },
  pollMs: number,
) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      while (!stopped) {
        let worked = false;
        try {
          worked = runBroadcastBatch(deps.db, deps.handlers, deps.appUrl, new Date(), { gathering: deps.gathering });
        } catch (error) {
          deps.logger?.error({ err: error }, "composing a broadcast failed");
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
