import { randomUUID } from "node:crypto";
import type { Transporter } from "nodemailer";
import type { Db } from "~/lib/db.server";
import type { Env } from "~/lib/env.server";
import { fileInMailbox } from "./mailbox.server";
import {
  claimDueMail,
  markFailed,
  markSent,
  renewLease,
  type OutboxRow,
  type RetryPolicy,
} from "./outbox.server";

// Longer than the SMTP transport's own time-outs added up, so a live worker always finishes
// (or fails) a message before its lease can run out and another worker take it. The lease is
// renewed message by message, so a slow batch does not eat into the later messages' time.
export const LEASE_MS = 5 * 60_000;

export type OutboxDeps = {
  db: Db;
  transporter: Transporter;
  mailMode: Env["mailMode"];
  from: string;
  policy: RetryPolicy;
  owner?: string;
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

/** One pass: claims what is due, sends it, records each outcome. Returns how many were sent. */
export async function deliverDueMail(deps: OutboxDeps, now = new Date()): Promise<number> {
  const owner = deps.owner ?? "worker";
  const claimed = claimDueMail(deps.db, { owner, now, leaseMs: LEASE_MS });
  let sent = 0;
  for (const row of claimed) {
    const sendingAt = Math.max(now.getTime(), Date.now());
    if (!renewLease(deps.db, row.id, owner, new Date(sendingAt + LEASE_MS))) continue;
    try {
      const raw = await deliver(deps, row);
      const doneAt = new Date(Math.max(now.getTime(), Date.now()));
      deps.db.transaction((tx) => {
        if (deps.mailMode === "mailbox") fileInMailbox(tx, row, raw, doneAt);
        markSent(tx, row.id, owner, doneAt);
      });
      sent += 1;
      deps.logger?.info({ outboxId: row.id, template: row.template }, "mail sent");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const state = markFailed(deps.db, row, owner, message, now, deps.policy);
      deps.logger?.warn({ outboxId: row.id, state, error: message }, "mail delivery failed");
    }
  }
  return sent;
}

/** Runs deliverDueMail every pollMs until stopped; stop() waits for the pass in flight. */
export function startOutboxWorker(deps: OutboxDeps, pollMs: number) {
  const owner = deps.owner ?? `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const tick = () => {
    inFlight = deliverDueMail({ ...deps, owner })
      .catch((error: unknown) => deps.logger?.warn({ error: String(error) }, "outbox pass failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  timer = setTimeout(tick, 0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
