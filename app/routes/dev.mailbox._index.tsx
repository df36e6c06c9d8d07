import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { notFound } from "~/lib/http.server";
import { listMailbox } from "~/modules/mail/mailbox.server";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Demo mailbox · Taskforce Consult" }];

// Only in demo mail mode, which production never runs in (see the env module).
export function loader(_: LoaderFunctionArgs) {
  if (getEnv().mailMode !== "mailbox") notFound();
  return { messages: listMailbox(getDb()) };
}

export default function Mailbox() {
  const { messages } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <h1>Demo mailbox</h1>
        <p className="muted">
          No SMTP server is configured, so the portal keeps every message it sends here. Set SMTP_URL to deliver real
          mail.
        </p>
      </header>
      {messages.length === 0 ? (
        <EmptyState title="No messages yet.">Ask for a sign-in link on the sign-in page; it will land here.</EmptyState>
      ) : (
        <div className="table-wrap" {...scrollRegion("Messages, newest first")}>
          <table className="stacked-table">
            <caption className="visually-hidden">Messages, newest first</caption>
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Received (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {messages.map((message) => (
                <tr key={message.id}>
                  <td data-label="To" className="wrap-anywhere">
                    {message.toAddress}
                  </td>
                  <td className="stacked-table__key">
                    <Link to={`/dev/mailbox/${message.id}`}>{message.subject}</Link>
                  </td>
                  <td data-label="Received (UTC)">
                    <time dateTime={new Date(message.receivedAt).toISOString()}>
                      {new Date(message.receivedAt).toISOString().replace("T", " ").slice(0, 19)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
