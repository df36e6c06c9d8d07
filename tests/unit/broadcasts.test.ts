import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { broadcasts, outbox } from "../../db/schema";
import {
  BROADCAST_RETRY,
  broadcastCounts,
  drainBroadcasts,
  enqueueBroadcast,
  joinBroadcast,
  retryBroadcast,
  runBroadcastBatch,
  startBroadcastWorker,
  troubledBroadcasts,
  type BroadcastBatch,
  type BroadcastFailure,
  type BroadcastHandlers,
} from "~/modules/broadcasts/service.server";
import { enqueueMail } from "~/modules/mail/outbox.server";
import { freshDatabase } from "../support/db";
import { appErrorFrom, later, thrownBy } from "./helpers";

const APP_URL = "http://localhost:3000";
const T0 = new Date("2026-03-02T09:00:00Z");
const PEOPLE = [11, 12, 13];

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
beforeEach(() => {
  ({ db, sqlite } = freshDatabase());
});
afterEach(() => sqlite.close());

/** A batch that writes one message to each of PEOPLE after the cursor, `limit` at a time. */
const mailEach =
  (template: string): BroadcastBatch =>
  (tx, _payload, { after, limit, appUrl, now }) => {
    const batch = PEOPLE.filter((id) => id > after).slice(0, limit);
    for (const id of batch) {
      enqueueMail(tx, { to: `person${id}@example.org`, template, subject: template, html: "<p>hello</p>", text: "hello", dedupeKey: `${template}:${id}` }, { appUrl, now });
    }
    return { last: batch.length < limit ? null : batch.at(-1)!, sent: batch.length };
  };

/** A batch that writes its first message, then throws: as a handler meeting data it cannot compose. */
const poisoned: BroadcastBatch = (tx, payload, batch) => {
  mailEach("poisoned")(tx, payload, { ...batch, limit: 1 });
  throw new Error("the meeting's time zone is not one this portal knows");
};

const handlers = (overrides: Partial<BroadcastHandlers> = {}) =>
  ({ "meeting-poll": poisoned, "consultation-invitations": mailEach("invitation"), ...overrides }) as BroadcastHandlers;

const mailOf = (template: string) => db.select().from(outbox).where(eq(outbox.template, template)).all();
const broadcastRow = (id: number) => db.select().from(broadcasts).where(eq(broadcasts.id, id)).get()!;

function runAll(at: Date, failures: BroadcastFailure[], using = handlers()) {
  while (runBroadcastBatch(db, using, APP_URL, at, { onFailure: (failure) => failures.push(failure) })) {
    // next batch
  }
}

describe("a broadcast whose batch throws", () => {
  it("keeps nothing of the batch, counts the failure and lets the broadcasts after it go ahead", () => {
    const poll = enqueueBroadcast(db, "meeting-poll", { meetingId: 1 }, T0);
    const invitations = enqueueBroadcast(db, "consultation-invitations", { consultationId: 1 }, later(T0, 1_000));
    const failures: BroadcastFailure[] = [];
    runAll(later(T0, 2_000), failures);
    expect(failures).toEqual([{ broadcastId: poll, kind: "meeting-poll", failures: 1, setAside: false, error: expect.any(Error) }]);
    expect(mailOf("poisoned")).toEqual([]);
    expect(mailOf("invitation").map((mail) => mail.toAddress)).toEqual(PEOPLE.map((id) => `person${id}@example.org`));
    expect(broadcastRow(invitations)).toMatchObject({ sent: 3, failures: 0, doneAt: later(T0, 2_000) });
    expect(broadcastRow(poll)).toMatchObject({
      cursor: 0,
      sent: 0,
      doneAt: null,
      failures: 1,
      lastError: "the meeting's time zone is not one this portal knows",
      nextAttemptAt: later(T0, 2_000 + BROADCAST_RETRY.baseMs),
      setAsideAt: null,
    });
  });

  it("is tried again with growing pauses and set aside at the fifth failure, then waits for an admin", () => {
    const poll = enqueueBroadcast(db, "meeting-poll", { meetingId: 1 }, T0);
    const failures: BroadcastFailure[] = [];
    let at = T0;
    const pauses: number[] = [];
    for (let attempt = 1; attempt <= BROADCAST_RETRY.setAsideAfter; attempt += 1) {
      // Not before its time: a moment early, the worker finds nothing to do.
      if (attempt > 1) expect(runBroadcastBatch(db, handlers(), APP_URL, later(at, -1), { onFailure: (failure) => failures.push(failure) })).toBe(false);
      runAll(at, failures);
      const row = broadcastRow(poll);
      if (row.nextAttemptAt && !row.setAsideAt) {
        pauses.push(row.nextAttemptAt.getTime() - at.getTime());
        at = row.nextAttemptAt;
      }
    }
    expect(pauses).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(failures.map((failure) => [failure.failures, failure.setAside])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
    ]);
    expect(broadcastRow(poll)).toMatchObject({ failures: 5, setAsideAt: at, doneAt: null });
    // The page names what it tells of by number: the meeting.
    expect(troubledBroadcasts(db)).toMatchObject([{ id: poll, kind: "meeting-poll", about: "meeting 1", setAsideAt: at }]);
    expect(broadcastCounts(db)).toEqual({ underway: 0, troubled: 1, setAside: 1 });
    // Set aside, it is not taken again however late it gets.
    expect(runBroadcastBatch(db, handlers(), APP_URL, later(at, 30 * 24 * 3_600_000))).toBe(false);
    expect(mailOf("poisoned")).toEqual([]);
  });

  it("is tried once more when an admin asks, from where it stopped, and finishes once its cause is mended", () => {
    const poll = enqueueBroadcast(db, "meeting-poll", { meetingId: 1 }, T0);
    // Its first batch went well before the failures began.
    db.update(broadcasts).set({ cursor: 11, sent: 1, failures: BROADCAST_RETRY.setAsideAfter, setAsideAt: T0 }).where(eq(broadcasts.id, poll)).run();
    const retried = later(T0, 3_600_000);
    retryBroadcast(db, poll, retried);
    expect(broadcastRow(poll)).toMatchObject({ setAsideAt: null, nextAttemptAt: retried, failures: BROADCAST_RETRY.setAsideAfter });
    expect(broadcastCounts(db)).toEqual({ underway: 1, troubled: 1, setAside: 0 });
    // Still broken: one more try, and it is set aside again at once.
    const failures: BroadcastFailure[] = [];
    runAll(retried, failures);
    expect(failures.map((failure) => [failure.failures, failure.setAside])).toEqual([[6, true]]);
    // Mended (a version of the portal that composes it), and tried again: the people after the cursor only.
    retryBroadcast(db, poll, later(retried, 1_000));
    runAll(later(retried, 1_000), failures, handlers({ "meeting-poll": mailEach("poll") }));
    expect(failures).toHaveLength(1);
    expect(mailOf("poll").map((mail) => mail.toAddress)).toEqual(["person12@example.org", "person13@example.org"]);
    expect(broadcastRow(poll)).toMatchObject({ sent: 3, doneAt: later(retried, 1_000), nextAttemptAt: null });
    expect(troubledBroadcasts(db)).toEqual([]);
    expect(broadcastCounts(db)).toEqual({ underway: 0, troubled: 0, setAside: 0 });
  });

  it("refuses a retry of a broadcast that is not set aside", () => {
    const poll = enqueueBroadcast(db, "meeting-poll", { meetingId: 1 }, T0);
    appErrorFrom(() => retryBroadcast(db, poll, T0), "not_found");
    appErrorFrom(() => retryBroadcast(db, poll + 1, T0), "not_found");
  });

  it("of a kind this version has no handler for is counted as a failure, not marked done", () => {
    const stray = db.insert(broadcasts).values({ kind: "meeting-digest", payload: {}, createdAt: T0 }).returning().get();
    const failures: BroadcastFailure[] = [];
    runAll(T0, failures);
    expect(failures).toMatchObject([{ broadcastId: stray.id, kind: "meeting-digest", failures: 1, setAside: false }]);
    expect(broadcastRow(stray.id)).toMatchObject({ doneAt: null, lastError: 'This version of the portal cannot compose a broadcast of the kind "meeting-digest".' });
    expect(troubledBroadcasts(db)).toMatchObject([{ id: stray.id, kind: "meeting-digest", failures: 1, entries: 0, about: null }]);
    expect(broadcastCounts(db)).toEqual({ underway: 1, troubled: 1, setAside: 0 });
  });

  it("throws its error to a caller that does not handle failures, after recording it", () => {
    const poll = enqueueBroadcast(db, "meeting-poll", { meetingId: 1 }, T0);
    expect(thrownBy(() => drainBroadcasts(db, handlers(), APP_URL, T0))).toEqual(new Error("the meeting's time zone is not one this portal knows"));
    expect(broadcastRow(poll).failures).toBe(1);
  });

  it("is not joined by later changes: they gather in a broadcast of their own", () => {
    const failing: BroadcastBatch = () => {
      throw new Error("cannot read the analysts");
    };
    const notices = handlers({ "threat-input-notices": failing });
    const first = joinBroadcast(db, "threat-input-notices", { inputId: 1, version: 1 }, T0);
    runAll(T0, [], notices);
    const second = joinBroadcast(db, "threat-input-notices", { inputId: 2, version: 1 }, later(T0, 1_000));
    const third = joinBroadcast(db, "threat-input-notices", { inputId: 3, version: 1 }, later(T0, 2_000));
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    expect(troubledBroadcasts(db)).toMatchObject([{ id: first, entries: 1, about: null }]);
    expect(broadcastCounts(db)).toMatchObject({ troubled: 1 });
  });
});

describe("the broadcast worker", () => {
  it("logs a failing broadcast and composes the ones after it", async () => {
    const logged: { fields: object; message: string }[] = [];
    const poll = enqueueBroadcast(db, "meeting-poll", { meetingId: 1 }, new Date());
    const invitations = enqueueBroadcast(db, "consultation-invitations", { consultationId: 1 }, new Date());
    const worker = startBroadcastWorker(
      { db, handlers: handlers(), appUrl: APP_URL, logger: { error: (fields, message) => logged.push({ fields, message }) } },
      10,
    );
    const done = (id: number) => db.select({ doneAt: broadcasts.doneAt }).from(broadcasts).where(eq(broadcasts.id, id)).get()!.doneAt !== null;
    for (let waited = 0; !done(invitations) && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.stop();
    expect(done(invitations)).toBe(true);
    expect(logged).toEqual([
      {
        fields: { err: expect.any(Error), broadcastId: poll, kind: "meeting-poll", failures: 1, setAside: false },
        message: "composing a broadcast failed; it is tried again later",
      },
    ]);
    expect(db.select({ id: broadcasts.id, failures: broadcasts.failures }).from(broadcasts).orderBy(asc(broadcasts.id)).all()).toEqual([
      { id: poll, failures: 1 },
      { id: invitations, failures: 0 },
    ]);
  });
});
