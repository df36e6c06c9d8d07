import type { LoaderFunctionArgs } from "@remix-run/node";
import contentDisposition from "content-disposition";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { notFound, orStatusPage, parseId } from "~/lib/http.server";
import { attachmentsOf, getMailboxMessage } from "~/modules/mail/mailbox.server";

// One attachment of a demo-mailbox message, as a download: whatever a message carries is served
// as a file, never shown on the portal's own origin.
export async function loader({ params }: LoaderFunctionArgs) {
  if (getEnv().mailMode !== "mailbox") notFound();
  const message = orStatusPage(() => getMailboxMessage(getDb(), parseId(params.messageId)));
  const number = parseId(params.number);
  const attachment = (await attachmentsOf(message.raw)).find((candidate) => candidate.number === number);
  if (!attachment) notFound("The message has no such attachment.");
  const charset = attachment.params.charset ? `; charset=${attachment.params.charset}` : "";
  return new Response(new Uint8Array(attachment.content), {
    headers: {
      "Content-Type": `${attachment.contentType}${charset}`,
      "Content-Disposition": contentDisposition(attachment.filename),
      "Content-Length": String(attachment.content.length),
      "Cache-Control": "no-store",
      "Content-Security-Policy": "sandbox; default-src 'none'",
    },
  });
}
