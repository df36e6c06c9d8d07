import type { Transporter } from "nodemailer";
import type { Db } from "~/lib/db.server";
import type { Env } from "~/lib/env.server";
import { fileInMailbox } from "./mailbox.server";
import {
  claimDueMail,
  markFailed,
  markSent,
  stillLeased,
  type OutboxRow,
  type RetryPolicy,
} from "./outbox.server";
import {
  HEARTBEAT_MS,
  LEASE_MS,
  heartbeat,
  newWorkerIdentity,
  registerWorker,
  retireWorker,
  type WorkerIdentity,
} from "./workers.server";

/** How many due messages one pass claims; a full batch is followed by the next one at once. */
export const BATCH_SIZE = 100;

export type OutboxDeps = {
  db: Db;
  transporter: Transporter;
  mailMode: Env["mailMode"];
  from: string;
  policy: RetryPolicy;
  /** The id of the worker that holds the leases. */
  owner?: string;
  /**
   * Messages handed to the transport at once. Well above the pool's connection count, so that
   * each connection has its next message waiting when it finishes one, and a batch's slow tail
   * does not leave connections idle.
   */
  inFlight?: number;
  batchSize?: number;
  logger?: { info: (o: object, m: string) => void; warn: (o: object, m: string) => void };
};

export function retryPolicy(env: Env): RetryPolicy {
  return {
    baseMs: env.MAIL_RETRY_BASE_MS,
    maxMs: env.MAIL_RETRY_MAX_MS,
    giveUpAfterMs: env.MAIL_GIVE_UP_AFTER_HOURS * 3_600_000,
  };
}

async function deliver(deps: OutboxDeps, row: OutboxRow) {
  const extra = (row.extra ?? {}) as { icalEvent?: object; attachments?: object[] };
  const info: { rejected?: unknown[]; message?: Buffer | string } = await deps.transporter.sendMail({
    from: deps.from,
    to: row.toAddress,
    subject: row.subject,
    html: row.html,
    text: row.text,
    messageId: row.messageId,
    ...extra,
  });
  if (info.rejected && info.rejected.length > 0) {
    throw new Error(`recipient refused by the mail server: ${row.toAddress}`);
  }
  return info.message ? info.message.toString() : "";
}

/**
 * Sends one claimed message and records the outcome. True when it went out. `now` is the pass's
 * clock (a test's may be far from the real one) and moves on with the real time since `startedAt`.
 */
async function sendOne(deps: OutboxDeps, owner: string, row: OutboxRow, now: Date, startedAt: number): Promise<boolean> {
  // Still this worker's? Another may have taken it if this one's heartbeat stalled.
  if (!stillLeased(deps.db, row.id, owner, new Date(now.getTime() + Date.now() - startedAt))) return false;
  let raw: string;
  try {
    raw = await deliver(deps, row);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const state = markFailed(deps.db, row, owner, message, now, deps.policy);
    deps.logger?.warn({ outboxId: row.id, state, error: message }, "mail delivery failed");
    return false;
  }
  // The relay has just accepted the message (its reply to DATA resolved sendMail): it is marked
  // sent in the same turn of the event loop, nothing awaited in between. A crash before this
  // commit is the one way a message goes twice, with the same Message-ID.
  const doneAt = new Date(Math.max(now.getTime(), Date.now()));
  if (deps.mailMode === "mailbox") {
    deps.db.transaction((tx) => {
      fileInMailbox(tx, row, raw, doneAt);
      markSent(tx, row.id, owner, doneAt);
    });
  } else {
    // One statement, one commit: no transaction around it to begin and end.
    markSent(deps.db, row.id, owner, doneAt);
  }
  deps.logger?.info({ outboxId: row.id, template: row.template }, "mail sent");
  return true;
}

/** Runs `run` over the items with at most `limit` of them under way at once. */
async function inParallel<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/**
 * One pass: claims a batch of due messages and sends them, several at once, but one recipient's
 * messages one after the other in the order they were written (an invitation before its
 * cancellation). Returns how many were claimed and how many sent.
 */
export async function deliverDueMail(deps: OutboxDeps, now = new Date()): Promise<{ claimed: number; sent: number }> {
  const startedAt = Date.now();
  const owner = deps.owner ?? "worker";
  const claimed = claimDueMail(deps.db, { owner, now, leaseMs: LEASE_MS, limit: deps.batchSize ?? BATCH_SIZE });
  const byRecipient = new Map<string, OutboxRow[]>();
  for (const row of claimed) {
    const key = row.toAddress.toLowerCase();
    const rows = byRecipient.get(key);
    if (rows) rows.push(row);
    else byRecipient.set(key, [row]);
  }
  let sent = 0;
  await inParallel([...byRecipient.values()], deps.inFlight ?? 10, async (rows) => {
    for (const row of rows) if (await sendOne(deps, owner, row, now, startedAt)) sent += 1;
  });
  return { claimed: claimed.length, sent };
}

/**
 * The worker of one process: records itself, takes back the leases of workers that no longer
 * run, beats every HEARTBEAT_MS (renewing its leases) and drains the outbox: batch after batch
 * while there is due mail, then every pollMs. stop() waits for the batch in flight, then hands
 * back what it holds.
 */
export function startOutboxWorker(deps: Omit<OutboxDeps, "owner">, pollMs: number, me: WorkerIdentity = newWorkerIdentity()) {
  const batchSize = deps.batchSize ?? BATCH_SIZE;
  const taken = registerWorker(deps.db, me, new Date());
  if (taken.length > 0) {
    deps.logger?.info({ worker: me.id, gone: taken }, "took back the mail of workers that no longer run");
  }
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const beat = setInterval(() => {
    try {
      if (!heartbeat(deps.db, me, new Date())) {
        deps.logger?.warn({ worker: me.id }, "this mail worker had been taken for dead; its leases may have passed on");
      }
    } catch (error) {
      deps.logger?.warn({ worker: me.id, error: String(error) }, "mail worker heartbeat failed");
    }
  }, HEARTBEAT_MS);

  const drain = async () => {
    while (!stopped) {
      const { claimed } = await deliverDueMail({ ...deps, owner: me.id, batchSize });
      if (claimed < batchSize) return;
    }
  };
  const tick = () => {
    inFlight = drain()
      .catch((error: unknown) => deps.logger?.warn({ error: String(error) }, "outbox pass failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    id: me.id,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(beat);
      await inFlight;
      retireWorker(deps.db, me);
    },
  };
}
