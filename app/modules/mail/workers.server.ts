import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { and, eq, inArray, isNotNull, notInArray } from "drizzle-orm";
import { mailWorkers, outbox } from "../../../db/schema";
import type { Db, DbOrTx } from "~/lib/db.server";

// A lease lasts LEASE_MS from the holder's last heartbeat. The heartbeat runs every HEARTBEAT_MS
// while the worker lives, so a live worker never loses a lease, however long an SMTP exchange
// takes, and a dead one's leases are free LEASE_MS after its last beat at the latest. On the
// same machine a restart does not wait even that: the dead process is seen to be gone.
export const HEARTBEAT_MS = 2_000;
export const LEASE_MS = 10_000;

export type WorkerIdentity = { id: string; machine: string; pid: number };

/**
 * The host, boot and PID namespace this process runs in: two workers with the same key see the
 * same processes, so one can ask the system whether the other's PID is still alive. Where /proc
 * is missing (not Linux) only the host name is known, and the PID check is as good as that.
 */
export function machineKey(): string {
  try {
    const boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const pidNamespace = fs.readlinkSync("/proc/self/ns/pid");
    return `${os.hostname()}/${boot}/${pidNamespace}`;
  } catch {
    return os.hostname();
  }
}

export function newWorkerIdentity(): WorkerIdentity {
  return { id: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, machine: machineKey(), pid: process.pid };
}

/** Whether a process with this PID exists here (EPERM: it does, but belongs to someone else). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

type Peer = typeof mailWorkers.$inferSelect;

/** A worker is gone when its heartbeat is older than a lease, or, seen from its own machine, its process is. */
function isGone(peer: Peer, me: WorkerIdentity, now: Date, alive: (pid: number) => boolean): boolean {
  if (peer.id === me.id) return false;
  if (peer.heartbeatAt.getTime() < now.getTime() - LEASE_MS) return true;
  if (peer.machine !== me.machine) return false;
  // This process holds that PID now, so the worker that had it has ended.
  return peer.pid === me.pid || !alive(peer.pid);
}

/**
 * Forgets the workers that no longer run and frees every lease that no running worker holds, so
 * that their mail is due again at once. Returns the ids of the workers found gone.
 */
export function reapGoneWorkers(
  db: DbOrTx,
  me: WorkerIdentity,
  now: Date,
  alive: (pid: number) => boolean = processExists,
): string[] {
  const gone = db
    .select()
    .from(mailWorkers)
    .all()
    .filter((peer) => isGone(peer, me, now, alive))
    .map((peer) => peer.id);
  if (gone.length > 0) db.delete(mailWorkers).where(inArray(mailWorkers.id, gone)).run();
  db.update(outbox)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(
      and(
        eq(outbox.status, "pending"),
        isNotNull(outbox.leaseOwner),
        notInArray(outbox.leaseOwner, db.select({ id: mailWorkers.id }).from(mailWorkers)),
      ),
    )
    .run();
  return gone;
}

/** Records the worker (its identity and first heartbeat) and takes back what gone workers held. */
export function registerWorker(db: Db, me: WorkerIdentity, now: Date, alive?: (pid: number) => boolean): string[] {
  return db.transaction((tx) => {
    tx.insert(mailWorkers)
      .values({ ...me, startedAt: now, heartbeatAt: now })
      .onConflictDoUpdate({ target: mailWorkers.id, set: { heartbeatAt: now } })
      .run();
    return reapGoneWorkers(tx, me, now, alive);
  });
}

/**
 * One heartbeat: the worker's row and all its leases are renewed until now + LEASE_MS. False when
 * another worker had taken this one for dead (its row was gone); it is then recorded again, and
 * the caller must know that the leases it had may have passed to someone else.
 */
export function heartbeat(db: Db, me: WorkerIdentity, now: Date, alive?: (pid: number) => boolean): boolean {
  return db.transaction((tx) => {
    const known = tx.update(mailWorkers).set({ heartbeatAt: now }).where(eq(mailWorkers.id, me.id)).run().changes === 1;
    if (!known) tx.insert(mailWorkers).values({ ...me, startedAt: now, heartbeatAt: now }).run();
    tx.update(outbox)
      .set({ leaseUntil: new Date(now.getTime() + LEASE_MS) })
      .where(and(eq(outbox.leaseOwner, me.id), eq(outbox.status, "pending")))
      .run();
    reapGoneWorkers(tx, me, now, alive);
    return known;
  });
}

/** A worker that stops cleanly hands its leases back and leaves: its mail is due again at once. */
export function retireWorker(db: Db, me: WorkerIdentity) {
  db.transaction((tx) => {
    tx.update(outbox)
      .set({ leaseOwner: null, leaseUntil: null })
      .where(and(eq(outbox.leaseOwner, me.id), eq(outbox.status, "pending")))
      .run();
    tx.delete(mailWorkers).where(eq(mailWorkers.id, me.id)).run();
  });
}
