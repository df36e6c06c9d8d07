import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { organisations, outbox } from "../../db/schema";
import { openDatabase } from "~/lib/db.server";
import { createTransporter } from "~/lib/mailer.server";
import { getMailboxMessage, listMailbox } from "~/modules/mail/mailbox.server";
import {
  claimDueMail,
  enqueueMail,
  markSent,
  retryDeadMail,
  retryDelayMs,
  type OutgoingMail,
  type RetryPolicy,
} from "~/modules/mail/outbox.server";
import { deliverDueMail, type OutboxDeps } from "~/modules/mail/worker.server";
import { heartbeat, LEASE_MS, registerWorker } from "~/modules/mail/workers.server";
import { freshDatabase } from "../support/db";
import { freePort } from "../support/portal";
import { startSmtpServer } from "../support/smtp";
import { appErrorFrom, later } from "./helpers";

const APP_URL = "http://localhost:3000";
const FROM = "Taskforce Consult <consult@taskforce.example>";
const POLICY: RetryPolicy = { baseMs: 10_000, maxMs: 15 * 60_000, giveUpAfterMs: 48 * 3_600_000 };

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
let file: string;
const cleanups: (() => unknown)[] = [];

beforeEach(() => {
  ({ db, sqlite, file } = freshDatabase());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  sqlite.close();
});

async function smtpServer(port?: number) {
  const server = await startSmtpServer(port);
  cleanups.push(() => server.close());
  return server;
}

function mail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    to: "katharina.huber@donau-privatbank.example",
    template: "test",
    subject: "Consultation round on banking trojans",
    html: "<!DOCTYPE html><p>Dear Katharina, the <strong>round</strong> is open.</p>",
    text: "Dear Katharina, the round is open.",
    ...overrides,
  };
}

function deps(smtpUrl: string | undefined, overrides: Partial<OutboxDeps> = {}): OutboxDeps {
  const transporter = createTransporter({ SMTP_URL: smtpUrl, MAIL_MAX_CONNECTIONS: 5 });
  cleanups.push(() => transporter.close());
  return {
    db,
    transporter,
    mailMode: smtpUrl ? "smtp" : "mailbox",
    from: FROM,
    policy: POLICY,
    ...overrides,
  };
}

/**
 * A real SMTP server that keeps the first message with this subject waiting (as a slow relay
 * does) until released, and records the Message-ID of every message it accepts.
 */
async function slowSmtpServer(slowSubject: string) {
  const accepted: string[] = [];
  let holding = false;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const slowOneArrived = new Promise<void>((resolve) => (arrived = resolve));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const messageId = raw.match(/^Message-ID: *(\S+)/im)?.[1] ?? "";
        const slow = !holding && new RegExp(`^Subject: ${slowSubject}\\r?$`, "m").test(raw);
        if (slow) holding = true;
        void (slow ? (arrived(), released) : Promise.resolve()).then(() => {
          accepted.push(messageId);
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `smtp://127.0.0.1:${port}`, accepted, slowOneArrived, release };
}

const row = (id: number) => db.select().from(outbox).where(eq(outbox.id, id)).get()!;
const allRows = () => db.select().from(outbox).all();

describe("enqueueMail", () => {
  it("is kept or lost together with the change that causes it", () => {
    expect(() =>
      db.transaction((tx) => {
        tx.insert(organisations).values({ name: "Polder Netwerken B.V.", sector: "isp", country: "NL", kind: "private" }).run();
        enqueueMail(tx, mail(), { appUrl: APP_URL });
        throw new Error("the change was refused");
      }),
    ).toThrow("the change was refused");
    expect(allRows()).toHaveLength(0);
    expect(db.select().from(organisations).all()).toHaveLength(0);

    db.transaction((tx) => {
      tx.insert(organisations).values({ name: "Polder Netwerken B.V.", sector: "isp", country: "NL", kind: "private" }).run();
      enqueueMail(tx, mail(), { appUrl: APP_URL });
    });
    expect(allRows()).toHaveLength(1);
  });

  it("fixes a Message-ID on the portal's host and makes the message due at once", () => {
    const now = new Date("2025-03-10T09:00:00Z");
    const queued = enqueueMail(db, mail(), { appUrl: "https://consult.taskforce.example", now })!;
    expect(queued.messageId).toMatch(/^<[0-9a-f-]{36}@consult\.taskforce\.example>$/);
    expect(row(queued.id)).toMatchObject({ status: "pending", attempts: 0, messageId: queued.messageId });
    expect(row(queued.id).nextAttemptAt.getTime()).toBe(now.getTime());
  });

  it("writes a message with a dedupe key only once", () => {
    const first = enqueueMail(db, mail({ dedupeKey: "reminder:meeting-7:user-3" }), { appUrl: APP_URL });
    const second = enqueueMail(db, mail({ dedupeKey: "reminder:meeting-7:user-3", subject: "again" }), {
      appUrl: APP_URL,
    });
    expect(first).not.toBeNull();
    expect(second).toBeNull();
    expect(allRows()).toHaveLength(1);
    expect(allRows()[0]!.subject).toBe("Consultation round on banking trojans");

    // Other keys, and messages without a key, are separate messages.
    enqueueMail(db, mail({ dedupeKey: "reminder:meeting-7:user-4" }), { appUrl: APP_URL });
    enqueueMail(db, mail(), { appUrl: APP_URL });
    enqueueMail(db, mail(), { appUrl: APP_URL });
    expect(allRows()).toHaveLength(4);
  });
});

describe("deliverDueMail over SMTP", () => {
  it("sends a due message with its own Message-ID, once", async () => {
    const smtp = await smtpServer();
    const now = new Date();
    const { id, messageId } = enqueueMail(db, mail(), { appUrl: APP_URL, now })!;
    const worker = deps(smtp.url);

    expect((await deliverDueMail(worker, now)).sent).toBe(1);
    const [received] = await smtp.waitFor(1);
    expect(received!.subject).toBe("Consultation round on banking trojans");
    expect(received!.envelopeTo).toEqual(["katharina.huber@donau-privatbank.example"]);
    expect(received!.to && !Array.isArray(received!.to) ? received!.to.text : "").toBe(
      "katharina.huber@donau-privatbank.example",
    );
    expect(received!.from?.text).toContain("consult@taskforce.example");
    expect(received!.text?.trim()).toBe("Dear Katharina, the round is open.");
    expect(received!.html).toContain("<strong>round</strong>");
    expect(received!.messageId).toBe(messageId);

    const sent = row(id);
    expect(sent.status).toBe("sent");
    expect(sent.sentAt!.getTime()).toBeGreaterThanOrEqual(now.getTime());
    expect(sent).toMatchObject({ attempts: 1, lastError: null, leaseOwner: null, leaseUntil: null });

    expect((await deliverDueMail(worker, later(now, 60_000))).sent).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.received).toHaveLength(1);
  });

  it("leaves a message that is not due yet alone", async () => {
    const smtp = await smtpServer();
    const now = new Date();
    enqueueMail(db, mail(), { appUrl: APP_URL, now: later(now, 5_000) });
    expect((await deliverDueMail(deps(smtp.url), now)).sent).toBe(0);
    expect(smtp.received).toHaveLength(0);
  });

  it("keeps a message through an SMTP outage and sends it once the relay is back", async () => {
    const port = await freePort();
    const worker = deps(`smtp://127.0.0.1:${port}`);
    const t0 = new Date();
    const { id, messageId } = enqueueMail(db, mail(), { appUrl: APP_URL, now: t0 })!;

    expect((await deliverDueMail(worker, t0)).sent).toBe(0);
    const failed = row(id);
    expect(failed).toMatchObject({ status: "pending", attempts: 1, leaseOwner: null, sentAt: null });
    expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(failed.nextAttemptAt.getTime()).toBe(t0.getTime() + POLICY.baseMs);

    const smtp = await smtpServer(port);
    // Before its next attempt is due, the message waits even though the relay is up.
    expect((await deliverDueMail(worker, later(t0, POLICY.baseMs - 1))).sent).toBe(0);
    expect((await deliverDueMail(worker, later(t0, POLICY.baseMs + 1))).sent).toBe(1);
    const [received] = await smtp.waitFor(1);
    expect(received!.messageId).toBe(messageId);
    expect(row(id)).toMatchObject({ status: "sent", attempts: 2, lastError: null });

    expect((await deliverDueMail(worker, later(t0, POLICY.baseMs * 10))).sent).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.received).toHaveLength(1);
  });

  it("backs off further after each failure", async () => {
    const worker = deps(`smtp://127.0.0.1:${await freePort()}`);
    const t0 = new Date();
    const { id } = enqueueMail(db, mail(), { appUrl: APP_URL, now: t0 })!;
    let now = t0;
    for (const expectedDelay of [10_000, 20_000, 40_000]) {
      await deliverDueMail(worker, now);
      const next = row(id).nextAttemptAt.getTime();
      expect(next - now.getTime()).toBe(expectedDelay);
      now = new Date(next);
    }
    expect(row(id).attempts).toBe(3);
  });

  it("gives up on a message that keeps failing for too long, and an admin can retry it", async () => {
    const policy = { ...POLICY, giveUpAfterMs: 60_000 };
    const worker = deps(`smtp://127.0.0.1:${await freePort()}`, { policy });
    const t0 = new Date();
    const { id } = enqueueMail(db, mail(), { appUrl: APP_URL, now: t0 })!;

    await deliverDueMail(worker, later(t0, 59_999));
    expect(row(id).status).toBe("pending");

    const giveUpAt = later(t0, 60_000 + POLICY.baseMs);
    await deliverDueMail(worker, giveUpAt);
    const dead = row(id);
    expect(dead.status).toBe("dead");
    expect(dead.deadAt!.getTime()).toBe(giveUpAt.getTime());
    expect(dead.attempts).toBe(2);
    expect(dead.lastError).toMatch(/ECONNREFUSED|connect/i);
    // Dead means dead: later passes leave it alone.
    await deliverDueMail(worker, later(giveUpAt, 3_600_000));
    expect(row(id).attempts).toBe(2);

    const retryAt = later(giveUpAt, 5_000);
    retryDeadMail(db, id, retryAt);
    expect(row(id)).toMatchObject({ status: "pending", deadAt: null, lastError: dead.lastError });
    expect(row(id).nextAttemptAt.getTime()).toBe(retryAt.getTime());
    expect(row(id).messageId).toBe(dead.messageId);
  });

  it("refuses to retry a message that is not dead", () => {
    const { id } = enqueueMail(db, mail(), { appUrl: APP_URL })!;
    appErrorFrom(() => retryDeadMail(db, id), "not_found");
    appErrorFrom(() => retryDeadMail(db, id + 100), "not_found");
    expect(row(id).status).toBe("pending");
  });

  it("delivers each message exactly once when two workers run at the same time", async () => {
    const smtp = await smtpServer();
    const other = openDatabase(file);
    cleanups.push(() => other.sqlite.close());
    const now = new Date();
    const ids = Array.from({ length: 6 }, (_, i) => enqueueMail(db, mail({ subject: `m${i}` }), { appUrl: APP_URL, now })!);

    const [a, b] = await Promise.all([
      deliverDueMail(deps(smtp.url, { owner: "worker-a" }), now),
      deliverDueMail(deps(smtp.url, { db: other.db, owner: "worker-b" }), now),
    ]);
    expect(a.sent + b.sent).toBe(6);
    await smtp.waitFor(6);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual(ids.map((m) => m.messageId).sort());
    expect(allRows().every((r) => r.status === "sent")).toBe(true);
  });

  it("does not deliver a message twice when a live worker's exchange outlasts the lease it was claimed with", async () => {
    // A slow relay keeps worker A inside the SMTP exchange for "second" past the lease that A
    // claimed it with; A's heartbeat, which its timer runs every HEARTBEAT_MS, renews it.
    const smtp = await slowSmtpServer("second");
    const other = openDatabase(file);
    cleanups.push(() => other.sqlite.close());
    const t0 = new Date();
    const a = { id: "worker-a", machine: "host-a", pid: 1 };
    registerWorker(db, a, t0, () => true);
    enqueueMail(db, mail({ subject: "first" }), { appUrl: APP_URL, now: t0 });
    const second = enqueueMail(db, mail({ subject: "second" }), { appUrl: APP_URL, now: t0 })!;

    const passA = deliverDueMail(deps(smtp.url, { owner: a.id }), t0);
    await smtp.slowOneArrived;
    expect(heartbeat(db, a, later(t0, LEASE_MS - 1), () => true)).toBe(true);
    // Worker B, in another process, polls after the claim's lease but within the renewed one.
    const b = await deliverDueMail(deps(smtp.url, { db: other.db, owner: "worker-b" }), later(t0, LEASE_MS + 1));
    expect(b.claimed).toBe(0);
    smtp.release();
    await passA;

    expect(smtp.accepted.filter((id) => id === second.messageId)).toHaveLength(1);
    expect(row(second.id).status).toBe("sent");
  });

  it("does not send a message whose lease passed to another worker while it waited its turn", async () => {
    // Both go to one person, so A sends them one after the other. While the relay holds "first",
    // A's heartbeat stalls past its lease and worker B takes "second" and sends it.
    const smtp = await slowSmtpServer("first");
    const other = openDatabase(file);
    cleanups.push(() => other.sqlite.close());
    const t0 = new Date();
    enqueueMail(db, mail({ subject: "first" }), { appUrl: APP_URL, now: t0 });
    const second = enqueueMail(db, mail({ subject: "second" }), { appUrl: APP_URL, now: t0 })!;

    const passA = deliverDueMail(deps(smtp.url, { owner: "worker-a" }), t0);
    await smtp.slowOneArrived;
    db.update(outbox).set({ leaseUntil: later(t0, -1) }).where(eq(outbox.id, second.id)).run();
    const b = await deliverDueMail(deps(smtp.url, { db: other.db, owner: "worker-b" }), t0);
    expect(b).toEqual({ claimed: 1, sent: 1 });
    smtp.release();
    expect(await passA).toEqual({ claimed: 2, sent: 1 });

    expect(smtp.accepted.filter((id) => id === second.messageId)).toHaveLength(1);
    expect(row(second.id)).toMatchObject({ status: "sent", attempts: 1 });
  });
});

describe("retryDelayMs", () => {
  it("doubles from the base and stops at the cap", () => {
    expect(retryDelayMs(1, POLICY)).toBe(10_000);
    expect(retryDelayMs(2, POLICY)).toBe(20_000);
    expect(retryDelayMs(3, POLICY)).toBe(40_000);
    expect(retryDelayMs(7, POLICY)).toBe(640_000);
    expect(retryDelayMs(8, POLICY)).toBe(POLICY.maxMs);
    expect(retryDelayMs(60, POLICY)).toBe(POLICY.maxMs);
  });
});

describe("leases", () => {
  it("give two workers on separate connections disjoint messages", () => {
    const other = openDatabase(file);
    cleanups.push(() => other.sqlite.close());
    const now = new Date();
    for (let i = 0; i < 6; i++) enqueueMail(db, mail({ subject: `m${i}` }), { appUrl: APP_URL, now });

    const a = claimDueMail(db, { owner: "worker-a", now, leaseMs: LEASE_MS, limit: 4 });
    const b = claimDueMail(other.db, { owner: "worker-b", now, leaseMs: LEASE_MS, limit: 4 });
    expect(a).toHaveLength(4);
    expect(b).toHaveLength(2);
    const idsA = a.map((r) => r.id);
    const idsB = b.map((r) => r.id);
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
    expect(new Set([...idsA, ...idsB]).size).toBe(6);
    expect(a.every((r) => r.leaseOwner === "worker-a" && r.leaseUntil!.getTime() === now.getTime() + LEASE_MS)).toBe(true);

    expect(claimDueMail(db, { owner: "worker-c", now: later(now, 1000), leaseMs: LEASE_MS })).toEqual([]);
  });

  it("free a message whose worker's lease ran out, and ignore the late worker", () => {
    const other = openDatabase(file);
    cleanups.push(() => other.sqlite.close());
    const now = new Date();
    const { id } = enqueueMail(db, mail(), { appUrl: APP_URL, now })!;

    expect(claimDueMail(db, { owner: "worker-a", now, leaseMs: 60_000 })).toHaveLength(1);
    // At the lease's last millisecond it still belongs to worker-a.
    expect(claimDueMail(other.db, { owner: "worker-b", now: later(now, 60_000), leaseMs: 60_000 })).toEqual([]);
    const taken = claimDueMail(other.db, { owner: "worker-b", now: later(now, 60_001), leaseMs: 60_000 });
    expect(taken.map((r) => r.id)).toEqual([id]);
    expect(taken[0]!.leaseOwner).toBe("worker-b");

    markSent(db, id, "worker-a", later(now, 60_002));
    expect(row(id)).toMatchObject({ status: "pending", leaseOwner: "worker-b", sentAt: null, attempts: 0 });

    markSent(other.db, id, "worker-b", later(now, 60_003));
    expect(row(id)).toMatchObject({ status: "sent", leaseOwner: null, attempts: 1 });
    expect(row(id).sentAt!.getTime()).toBe(later(now, 60_003).getTime());
  });
});

describe("the demo mailbox", () => {
  it("files the rendered message, Message-ID and all, when no SMTP_URL is set", async () => {
    const now = new Date();
    const { id, messageId } = enqueueMail(db, mail(), { appUrl: APP_URL, now })!;
    const worker = deps(undefined);
    expect(worker.mailMode).toBe("mailbox");

    expect((await deliverDueMail(worker, now)).sent).toBe(1);
    const listed = listMailbox(db);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      toAddress: "katharina.huber@donau-privatbank.example",
      subject: "Consultation round on banking trojans",
    });
    const message = getMailboxMessage(db, listed[0]!.id);
    expect(message).toMatchObject({ outboxId: id, messageId });
    expect(message.raw).toMatch(new RegExp(`^Message-ID: ${messageId.replace(/[.]/g, "\\.")}\\r?$`, "m"));
    expect(message.raw).toMatch(/^Subject: Consultation round on banking trojans\r?$/m);
    expect(message.raw).toMatch(/^To: katharina\.huber@donau-privatbank\.example\r?$/m);
    expect(row(id).status).toBe("sent");

    expect((await deliverDueMail(worker, later(now, 60_000))).sent).toBe(0);
    expect(listMailbox(db)).toHaveLength(1);
    appErrorFrom(() => getMailboxMessage(db, listed[0]!.id + 1), "not_found");
  });
});

