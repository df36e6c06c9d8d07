import { bench, describe } from "vitest";
import { enqueueMail, claimDueMail } from "~/modules/mail/outbox.server";
import { freshDatabase } from "../support/db";

// How the outbox holds up under a backlog: writing messages, and claiming a batch when ten
// thousand are waiting (the index on status and next_attempt_at is what keeps this flat).
const appUrl = "http://localhost:3000";
const mail = (i: number) => ({
  to: `person${i}@example.org`,
  template: "bench",
  subject: `Message ${i}`,
  html: "<p>Hello</p>",
  text: "Hello",
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
  bench("claim a batch of 20 from a backlog of 10,000", () => {
    // A lease of 1 ms with a clock that moves on makes every round find due mail again.
    claimDueMail(backlog.db, { owner: "bench", now: new Date(1_000 + round++ * 10), leaseMs: 1, limit: 20 });
  });
});
