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

export type MailboxAttachment = {
  /** Its place among the message's attachments, from 1: the download address uses it. */
  number: number;
  filename: string;
  contentType: string;
  /** Parameters of its Content-Type worth showing (a calendar part's METHOD, the charset). */
  params: Record<string, string>;
  inline: boolean;
  size: number;
  content: Buffer;
};

/**
 * The attachments of a filed message, read back from the raw message as a mail client would
 * (mailparser). An invitation has two: the text/calendar part calendar apps read inline (it has
 * no file name, so it is named by its place) and the same file attached as invite.ics.
 */
export async function attachmentsOf(raw: string): Promise<MailboxAttachment[]> {
  // Loaded when a message is opened: mailparser and what it brings (linkify-it, html-to-text,
  // the charset tables) took a third of the portal's start-up, for a page of the demo mailbox.
  const { simpleParser } = await import("mailparser");
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  return parsed.attachments.map((attachment, index) => {
    const header = attachment.headers.get("content-type") as { params?: Record<string, string> } | undefined;
    const calendar = attachment.contentType === "text/calendar";
    return {
      number: index + 1,
      filename: attachment.filename ?? `part-${index + 1}${calendar ? ".ics" : ""}`,
      contentType: attachment.contentType,
      params: header?.params ?? {},
      inline: attachment.contentDisposition !== "attachment",
      size: attachment.size,
      content: attachment.content,
    };
  });
}
