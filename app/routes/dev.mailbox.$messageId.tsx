import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { notFound, orStatusPage, parseId } from "~/lib/http.server";
import { attachmentsOf, getMailboxMessage } from "~/modules/mail/mailbox.server";

export const meta: MetaFunction = () => [{ title: "Message · Demo mailbox" }];

export async function loader({ params }: LoaderFunctionArgs) {
  if (getEnv().mailMode !== "mailbox") notFound();
  const message = orStatusPage(() => getMailboxMessage(getDb(), parseId(params.messageId)));
  const attachments = (await attachmentsOf(message.raw)).map(({ number, filename, contentType, params, inline, size }) => ({
    number,
    filename,
    contentType,
    method: params.method ?? null,
    inline,
    size,
  }));
  return {
    id: message.id,
    toAddress: message.toAddress,
    subject: message.subject,
    text: message.text,
    messageId: message.messageId,
    attachments,
  };
}

const sizeText = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KB`);

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
      <h2 id="attachments-title">Attachments</h2>
      {message.attachments.length === 0 ? (
        <p className="muted">This message has no attachments.</p>
      ) : (
        <ul aria-labelledby="attachments-title">
          {message.attachments.map((attachment) => (
            <li key={attachment.number}>
              <a href={`/dev/mailbox/${message.id}/attachments/${attachment.number}`} download={attachment.filename}>
                {attachment.filename}
              </a>{" "}
              <span className="muted">
                {attachment.contentType}
                {attachment.method ? ` (METHOD:${attachment.method})` : ""}, {sizeText(attachment.size)}
                {attachment.inline ? ", inline in the message" : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
