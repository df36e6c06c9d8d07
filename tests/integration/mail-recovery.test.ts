import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox } from "../../db/schema";
import { Visitor } from "../support/http";
import { freePort, startPortal, type Portal } from "../support/portal";
import { linkIn, startSmtpServer } from "../support/smtp";
import { eventually, mainText, sleep } from "./html";

// The portal starts while its SMTP relay is down: nothing listens on the port yet.
let smtpPort: number;
let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;
beforeAll(async () => {
  smtpPort = await freePort();
  portal = await startPortal({
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_RETRY_BASE_MS: "300",
    MAIL_RETRY_MAX_MS: "1000",
    MAIL_POLL_INTERVAL_MS: "100",
  });
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const rowTo = (email: string) => portal.db().select().from(outbox).where(eq(outbox.toAddress, email)).get();

describe("mail while the SMTP server is down", () => {
  it("keeps the message in the outbox and delivers it once, with its first Message-ID, when the server is back", async () => {
    const email = "anna.visser@taskforce.example";
    const asked = await new Visitor(portal.url).post("/login", { email });
    expect(asked.status).toBe(200);
    // The person is told the link is on its way: the outage is the outbox's business.
    expect(mainText(await asked.text())).toContain("Check your email");

    const failed = await eventually(
      () => {
        const row = rowTo(email);
        return row && row.attempts >= 1 ? row : undefined;
      },
      10_000,
      "a failed delivery attempt",
    );
    expect(failed.status).toBe("pending");
    expect(failed.lastError).toBeTruthy();
    expect(failed.sentAt).toBeNull();
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(failed.createdAt.getTime());
    const firstMessageId = failed.messageId;
    expect(firstMessageId).toMatch(/^<[^@>\s]+@localhost>$/);

    smtp = await startSmtpServer(smtpPort);
    const [mail] = await smtp.waitFor(1, 10_000);
    expect(mail!.envelopeTo).toEqual([email]);
    expect(mail!.messageId).toBe(firstMessageId);
    expect(mail!.headers.get("message-id")).toBe(firstMessageId);
    expect(linkIn(mail!, "/login/link")).toContain(`${portal.url}/login/link?token=`);

    const sent = await eventually(
      () => {
        const row = rowTo(email);
        return row?.status === "sent" ? row : undefined;
      },
      5_000,
      "the outbox row to be marked sent",
    );
    expect(sent.messageId).toBe(firstMessageId);
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(sent.lastError).toBeNull();
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(sent.leaseOwner).toBeNull();

    // Later passes of the worker send nothing more.
    await sleep(1_000);
    expect(smtp.received).toHaveLength(1);
    expect(portal.db().select().from(outbox).all()).toHaveLength(1);
  });
});
