import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mailWorkers, outbox } from "../../db/schema";
import { createTransporter, smtpTransportUrl } from "~/lib/mailer.server";
import { claimDueMail, enqueueMail } from "~/modules/mail/outbox.server";
import { BATCH_SIZE, startOutboxWorker } from "~/modules/mail/worker.server";
import {
  heartbeat,
  LEASE_MS,
  machineKey,
  newWorkerIdentity,
  processExists,
  registerWorker,
  retireWorker,
  type WorkerIdentity,
} from "~/modules/mail/workers.server";
import { freshDatabase } from "../support/db";
import { later } from "./helpers";

const APP_URL = "http://localhost:3000";
const POLICY = { baseMs: 10_000, maxMs: 60_000, giveUpAfterMs: 3_600_000 };

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
const cleanups: (() => unknown)[] = [];
beforeEach(() => {
  ({ db, sqlite } = freshDatabase());
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  sqlite.close();
});

const mail = (i: number, to = `person${i}@example.org`) => ({
  to,
  template: "test",
  subject: `Message ${i}`,
  html: `<p>Message ${i}</p>`,
  text: `Message ${i}`,
});
const row = (id: number) => db.select().from(outbox).where(eq(outbox.id, id)).get()!;
const workerIds = () => db.select({ id: mailWorkers.id }).from(mailWorkers).all().map((w) => w.id).sort();

/** A worker on this machine with another PID, as a crashed or a still running process would be. */
const peer = (id: string, pid: number, machine = machineKey()): WorkerIdentity => ({ id, pid, machine });

/** Records a worker as its own process would have, without looking at the others. */
function recorded(worker: WorkerIdentity, at: Date) {
  db.insert(mailWorkers).values({ ...worker, startedAt: at, heartbeatAt: at }).run();
}

/** Enqueues a message and leases it to `owner` at `now`. */
function leasedTo(owner: string, now: Date, i: number) {
  const { id } = enqueueMail(db, mail(i), { appUrl: APP_URL, now })!;
  db.update(outbox).set({ leaseOwner: owner, leaseUntil: later(now, LEASE_MS) }).where(eq(outbox.id, id)).run();
  return id;
}

describe("mail workers", () => {
  it("each have an identity: host, PID and a random part, recorded with a heartbeat", () => {
    const me = newWorkerIdentity();
    expect(me.id).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(me.pid).toBe(process.pid);
    expect(newWorkerIdentity().id).not.toBe(me.id);
    const now = new Date();
    registerWorker(db, me, now);
    expect(db.select().from(mailWorkers).all()).toEqual([{ ...me, startedAt: now, heartbeatAt: now }]);
  });

  it("on start take back at once what a worker of this machine whose process has ended held", () => {
    const now = new Date();
    recorded(peer("crashed", 4_000_001), later(now, -1_000));
    recorded(peer("running", 4_000_002), later(now, -1_000));
    const crashed = leasedTo("crashed", now, 1);
    const running = leasedTo("running", now, 2);
    // No record at all: a worker of an older version, or one already forgotten.
    const orphan = leasedTo("unknown-worker", now, 3);

    const me = peer("me", process.pid);
    const gone = registerWorker(db, me, now, (pid) => pid === 4_000_002);
    expect(gone).toEqual(["crashed"]);
    expect(workerIds()).toEqual(["me", "running"]);
    expect(row(crashed)).toMatchObject({ leaseOwner: null, leaseUntil: null, status: "pending" });
    expect(row(orphan)).toMatchObject({ leaseOwner: null, leaseUntil: null });
    expect(row(running).leaseOwner).toBe("running");
    expect(claimDueMail(db, { owner: "me", now, leaseMs: LEASE_MS }).map((r) => r.id).sort()).toEqual([crashed, orphan].sort());
  });

  it("know a worker whose PID this process now has for gone", () => {
    const now = new Date();
    recorded(peer("before-restart", process.pid), later(now, -500));
    expect(registerWorker(db, peer("after-restart", process.pid), now, () => true)).toEqual(["before-restart"]);
  });

  it("leave another machine's worker its leases until its heartbeat is older than a lease", () => {
    const t0 = new Date();
    const other = peer("elsewhere", process.pid, "another-host/boot/pid:[1]");
    recorded(other, t0);
    const id = leasedTo("elsewhere", t0, 1);
    const me = peer("me", process.pid);

    // Its PID means nothing here, so only its silence counts.
    expect(registerWorker(db, me, later(t0, LEASE_MS), () => false)).toEqual([]);
    expect(row(id).leaseOwner).toBe("elsewhere");
    expect(heartbeat(db, me, later(t0, LEASE_MS + 1), () => false)).toBe(true);
    expect(workerIds()).toEqual(["me"]);
    expect(row(id)).toMatchObject({ leaseOwner: null, leaseUntil: null });
  });

  it("renew all their leases with each heartbeat, and hand them back when they stop", () => {
    const t0 = new Date();
    const me = peer("me", process.pid);
    registerWorker(db, me, t0);
    const ids = [leasedTo("me", t0, 1), leasedTo("me", t0, 2)];
    expect(heartbeat(db, me, later(t0, 2_000))).toBe(true);
    for (const id of ids) expect(row(id).leaseUntil!.getTime()).toBe(t0.getTime() + 2_000 + LEASE_MS);
    expect(db.select().from(mailWorkers).get()!.heartbeatAt.getTime()).toBe(t0.getTime() + 2_000);

    retireWorker(db, me);
    expect(workerIds()).toEqual([]);
    for (const id of ids) expect(row(id)).toMatchObject({ leaseOwner: null, leaseUntil: null, status: "pending" });
  });

  it("say so when they had been taken for dead, and record themselves again", () => {
    const t0 = new Date();
    const me = peer("me", process.pid);
    registerWorker(db, me, t0);
    db.delete(mailWorkers).run();
    expect(heartbeat(db, me, later(t0, 2_000))).toBe(false);
    expect(workerIds()).toEqual(["me"]);
    expect(heartbeat(db, me, later(t0, 4_000))).toBe(true);
  });

  it("ask the system whether a PID runs", () => {
    expect(processExists(process.pid)).toBe(true);
    expect(processExists(2 ** 22 + 12_345)).toBe(false);
  });
});

describe("the SMTP transport", () => {
  it("pools connections, leaves retries to the outbox, and keeps what SMTP_URL says itself", () => {
    const url = new URL(smtpTransportUrl("smtps://user%40x.example:p%3Ass@relay.example:465?maxConnections=12&socketTimeout=5000", 5));
    expect(url.username).toBe("user%40x.example");
    expect(url.password).toBe("p%3Ass");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      maxConnections: "12",
      socketTimeout: "5000",
      pool: "true",
      maxMessages: "100",
      maxRequeues: "0",
      connectionTimeout: "10000",
      greetingTimeout: "10000",
    });
  });
});

/** A real SMTP server counting its connections and recording each message's subject and recipient. */
async function countingSmtpServer() {
  const accepted: { to: string; subject: string }[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const subject = Buffer.concat(chunks).toString("utf8").match(/^Subject: (.*?)\r?$/m)?.[1] ?? "";
        accepted.push({ to: session.envelope.rcptTo[0]!.address, subject });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `smtp://127.0.0.1:${port}`, accepted, connections: () => connections };
}

async function until(done: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the outbox worker", () => {
  it("drains a backlog batch after batch without waiting for the poll, over a few pooled connections, each message once and each person's in order", async () => {
    const smtp = await countingSmtpServer();
    const transporter = createTransporter({ SMTP_URL: smtp.url, MAIL_MAX_CONNECTIONS: 3 });
    cleanups.push(() => transporter.close());
    const total = 3 * BATCH_SIZE + 7;
    const now = new Date(Date.now() - 1_000);
    db.transaction((tx) => {
      for (let i = 0; i < total; i++) enqueueMail(tx, mail(i, `person${i % 4}@example.org`), { appUrl: APP_URL, now });
    });

    // A poll interval longer than the test: only a worker that goes on after a full batch finishes.
    const worker = startOutboxWorker({ db, transporter, mailMode: "smtp", from: "consult@taskforce.example", policy: POLICY, inFlight: 6 }, 600_000);
    cleanups.push(() => worker.stop());
    await until(() => db.select().from(outbox).where(eq(outbox.status, "sent")).all().length === total, 20_000, "every message to be sent");

    expect(smtp.accepted).toHaveLength(total);
    expect(new Set(smtp.accepted.map((m) => m.subject)).size).toBe(total);
    // Three at a time, each replaced after its 100 messages (maxMessages).
    expect(smtp.connections()).toBeLessThanOrEqual(3 + Math.floor(total / 100));
    for (let person = 0; person < 4; person++) {
      const order = smtp.accepted.filter((m) => m.to === `person${person}@example.org`).map((m) => Number(m.subject.split(" ")[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(workerIds()).toEqual([worker.id]);
    await worker.stop();
    expect(workerIds()).toEqual([]);
  });
});
