import { desc, eq } from "drizzle-orm";
import { mailboxMessages } from "../../../db/schema";
import type { DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import type { OutboxRow } from "./outbox.server";

export function fileInMailbox(db: DbOrTx, row: OutboxRow, raw: string, now: Date) {
  db.insert(mailboxMessages)
    .values({
      outboxId: row.id,
      messageId: row.messageId,
      toAddress: row.toAddress,
      subject: row.subject,
      html: row.html,
      text: row.text,
      raw,
      receivedAt: now,
    })
    .run();
}

export function listMailbox(db: DbOrTx, limit = 200) {
  return db
    .select({
      id: mailboxMessages.id,
      toAddress: mailboxMessages.toAddress,
      subject: mailboxMessages.subject,
      receivedAt: mailboxMessages.receivedAt,
    })
    .from(mailboxMessages)
    .orderBy(desc(mailboxMessages.id))
    .limit(limit)
    .all();
}

export function getMailboxMessage(db: DbOrTx, id: number) {
  const message = db.select().from(mailboxMessages).where(eq(mailboxMessages.id, id)).get();
  if (!message) throw new AppError("not_found", "There is no such message in the mailbox.");
  return message;
}
