import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { notFound, orStatusPage, parseId } from "~/lib/http.server";
import { getMailboxMessage } from "~/modules/mail/mailbox.server";

// The HTML part as a mail client would show it, in a sandbox: no scripts, nothing fetched.
export function loader({ params }: LoaderFunctionArgs) {
  if (getEnv().mailMode !== "mailbox") notFound();
  const message = orStatusPage(() => getMailboxMessage(getDb(), parseId(params.messageId)));
  return new Response(message.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    },
  });
}
