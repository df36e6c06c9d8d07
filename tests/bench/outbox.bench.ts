import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { bench, describe } from "vitest";
import { createTransporter } from "~/lib/mailer.server";
import { claimDueMail, enqueueMail } from "~/modules/mail/outbox.server";
import { BATCH_SIZE, deliverDueMail } from "~/modules/mail/worker.server";
import { freshDatabase } from "../support/db";

// How the outbox holds up under a backlog: writing messages, and claiming a batch when ten
// thousand are waiting (the index on status and next_attempt_at is what keeps this flat).
const appUrl = "http://localhost:3000";
const paragraph = "<p>The consultation round on banking trojans is open until 30 May. Your input is welcome.</p>";
const mail = (i: number) => ({
  to: `person${i % 500}@example.org`,
  template: "bench",
  subject: `Message ${i}`,
  html: `<!DOCTYPE html><html><body>${paragraph.repeat(20)}</body></html>`,
  text: "The consultation round on banking trojans is open until 30 May.\n".repeat(20),
});

describe("outbox", () => {
  const writing = freshDatabase();
  let written = 0;
  bench("enqueue 100 messages in one transaction", () => {
    writing.db.transaction((tx) => {
      for (let i = 0; i < 100; i++) enqueueMail(tx, mail(written++), { appUrl });
    });
  });

  const backlog = freshDatabase();
  backlog.db.transaction((tx) => {
    for (let i = 0; i < 10_000; i++) enqueueMail(tx, mail(i), { appUrl, now: new Date(0) });
  });
  let round = 0;
  bench(`claim a batch of ${BATCH_SIZE} from a backlog of 10,000`, () => {
    // A lease of 1 ms with a clock that moves on makes every round find due mail again.
    claimDueMail(backlog.db, { owner: "bench", now: new Date(1_000 + round++ * 10), leaseMs: 1, limit: BATCH_SIZE });
  });
});

// ---------------------------------------------------------------------------------------------
// Mail throughput: the outbox worker against nodemailer alone, to the same local SMTP sink, in
// one run. Each bench prints its messages/s (the median of its iterations).

const MESSAGES = 300;
const CONNECTIONS = 5;
// As the portal runs it (server/index.ts): MAIL_MAX_CONNECTIONS x 4.
const IN_FLIGHT = CONNECTIONS * 4;

// A bare sink: reads each message and accepts it, nothing more, so that the figures are the
// sender's. It runs in this process, as the sender does: both share the one event loop. Like
// many relays it waits 100 ms before greeting a new client (smtp-server's early-talker check).
let accepted = 0;
const sink = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  logger: false,
  closeTimeout: 100,
  disableReverseLookup: true,
  onData(stream, _session, callback) {
    stream.on("data", () => {});
    stream.on("end", () => {
      accepted += 1;
      callback();
    });
  },
});
await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
const sinkAddress = sink.server.address();
const SINK = { host: "127.0.0.1", port: typeof sinkAddress === "object" && sinkAddress ? sinkAddress.port : 0, secure: false };
const SMTP_URL = `smtp://${SINK.host}:${SINK.port}`;

const message = (i: number) => {
  const { to, subject, html, text } = mail(i);
  return { from: "consult@taskforce.example", to, subject, html, text, messageId: `<bench-${i}@localhost>` };
};

/** Times each iteration of sending `count` messages itself, and prints messages/s when the bench ends. */
function throughput(name: string, count: number, iterations = 5) {
  const seconds: number[] = [];
  return {
    timed: (run: () => Promise<void>) => async () => {
      const started = performance.now();
      const before = accepted;
      await run();
      if (accepted - before < count) throw new Error(`${name}: the sink accepted ${accepted - before} of ${count}`);
      seconds.push((performance.now() - started) / 1000);
    },
    options: {
      iterations,
      time: 0,
      warmupIterations: 1,
      warmupTime: 0,
      teardown: (_task: unknown, mode: "warmup" | "run") => {
        if (mode !== "run") return;
        const median = [...seconds].sort((a, b) => a - b)[Math.floor(seconds.length / 2)]!;
        console.log(`${name}: ${Math.round(count / median)} messages/s (${count} in ${median.toFixed(2)} s, median of ${seconds.length})`);
      },
    },
  };
}

async function inParallel(count: number, limit: number, run: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await run(next++);
    }),
  );
}

describe("mail throughput to a local SMTP server", () => {
  // nodemailer's default: a new connection per message, so each waits for a greeting.
  const single = nodemailer.createTransport(SINK);
  const fresh = throughput("baseline: nodemailer alone, one at a time, a new connection each", 30, 3);
  bench("baseline: nodemailer alone, one at a time, a new connection each (30 messages)", fresh.timed(async () => {
    for (let i = 0; i < 30; i++) await single.sendMail(message(i));
  }), fresh.options);

  const kept = nodemailer.createTransport({ ...SINK, pool: true, maxConnections: 1 });
  const sequential = throughput("baseline: nodemailer alone, one at a time over one kept connection", MESSAGES);
  bench(`baseline: nodemailer alone, one at a time over one kept connection (${MESSAGES})`, sequential.timed(async () => {
    for (let i = 0; i < MESSAGES; i++) await kept.sendMail(message(i));
  }), sequential.options);

  const pooled = nodemailer.createTransport({ ...SINK, pool: true, maxConnections: CONNECTIONS });
  const pool = throughput(`baseline: nodemailer alone, pooled, ${CONNECTIONS} connections, ${IN_FLIGHT} in flight`, MESSAGES);
  bench(`baseline: nodemailer alone, pooled, ${CONNECTIONS} connections, ${IN_FLIGHT} in flight (${MESSAGES})`, pool.timed(async () => {
    await inParallel(MESSAGES, IN_FLIGHT, (i) => pooled.sendMail(message(i)));
  }), pool.options);

  // The portal's own path: the messages are written to the outbox (inside the timing), claimed
  // in batches, sent over the portal's transport and each marked sent.
  const outbox = freshDatabase();
  const deps = {
    db: outbox.db,
    transporter: createTransporter({ SMTP_URL, MAIL_MAX_CONNECTIONS: CONNECTIONS }),
    mailMode: "smtp" as const,
    from: "consult@taskforce.example",
    policy: { baseMs: 10_000, maxMs: 60_000, giveUpAfterMs: 3_600_000 },
    owner: "bench",
    inFlight: IN_FLIGHT,
  };
  let queued = 0;
  const worker = throughput(`the outbox worker, pooled, ${CONNECTIONS} connections, ${IN_FLIGHT} in flight`, MESSAGES);
  bench(`the outbox worker, ${CONNECTIONS} connections, ${IN_FLIGHT} in flight, each marked sent (${MESSAGES})`, worker.timed(async () => {
    outbox.db.transaction((tx) => {
      for (let i = 0; i < MESSAGES; i++) enqueueMail(tx, mail(queued++), { appUrl });
    });
    // As the worker drains: batch after batch until a pass finds nothing due.
    while ((await deliverDueMail(deps)).claimed > 0);
  }), worker.options);
});
