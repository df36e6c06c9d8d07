import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { notFound, orStatusPage, parseId } from "~/lib/http.server";
import { getMailboxMessage } from "~/modules/mail/mailbox.server";

export const meta: MetaFunction = () => [{ title: "Message · Demo mailbox" }];

export function loader({ params }: LoaderFunctionArgs) {
  if (getEnv().mailMode !== "mailbox") notFound();
  const message = orStatusPage(() => getMailboxMessage(getDb(), parseId(params.messageId)));
  return { id: message.id, toAddress: message.toAddress, subject: message.subject, text: message.text, messageId: message.messageId };
}

/** The plain-text part, with its web addresses made into links. */
function LinkedText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/\S+)/g);
  return (
    <pre className="mail-text">
      {parts.map((part, index) =>
        /^https?:\/\//.test(part) ? (
          <a key={index} href={part}>
            {part}
          </a>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </pre>
  );
}

export default function MailboxMessage() {
  const message = useLoaderData<typeof loader>();
  return (
    <article className="card" aria-labelledby="message-title">
      <p>
        <Link to="/dev/mailbox">Back to the mailbox</Link>
      </p>
      <h1 id="message-title">{message.subject}</h1>
      <dl className="meta-list">
        <dt>To</dt>
        <dd>{message.toAddress}</dd>
        <dt>Message-ID</dt>
        <dd>
          <code>{message.messageId}</code>
        </dd>
      </dl>
      <LinkedText text={message.text} />
      <p>
        <a href={`/dev/mailbox/${message.id}/html`}>View the HTML version</a>
      </p>
    </article>
  );
}
