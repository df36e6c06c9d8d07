import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { Pager } from "~/components/pager";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formValues } from "~/lib/forms";
import { counted } from "~/lib/words";
import { notFound } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { broadcastCounts, retryBroadcast, troubledBroadcasts } from "~/modules/broadcasts/service.server";
import { broadcastKindLabel } from "~/modules/broadcasts/vocabulary";
import { outboxOverview, retryDeadMail } from "~/modules/mail/outbox.server";
import { outboxPageSchema, retryFormSchema } from "~/modules/mail/schema";
import { scrollRegion } from "~/components/table-wrap";
import { answerOnce } from "~/modules/submissions/answer.server";

export const meta: MetaFunction = () => [{ title: "Outbox · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const { after } = outboxPageSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  return {
    viewer,
    mailMode: getEnv().mailMode,
    outbox: outboxOverview(db, after),
    broadcasts: { shown: troubledBroadcasts(db), ...broadcastCounts(db) },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const values = formValues(await readForm(request, context));
  const form = retryFormSchema.safeParse(values);
  if (!form.success) notFound();
  const db = getDb();
  const { intent, id } = form.data;
  const retry = RETRIES[intent];
  // Trying again is once per click, however often the click arrives.
  return answerOnce(request, admin, values, () => {
    retry.run(db, id);
    recordAudit(db, {
      action: retry.audited,
      actorUserId: admin.id,
      targetType: retry.targetType,
      targetId: id,
      origin: { ip: context.clientAddress, userAgent: request.headers.get("User-Agent") },
    });
    return { location: "/admin/outbox", message: retry.message };
  });
}

/** What "Try again" does to a given-up message and to a broadcast set aside. */
const RETRIES = {
  "retry-mail": {
    run: retryDeadMail,
    audited: "mail.retried",
    targetType: "outbox",
    message: "The message is queued again: the outbox sends it within seconds.",
  },
  "retry-broadcast": {
    run: retryBroadcast,
    audited: "broadcast.retried",
    targetType: "broadcast",
    message: "The broadcast is tried again within seconds, from where it stopped: this page shows it again if it fails.",
  },
} as const;

export default function Outbox() {
  const { viewer, mailMode, outbox, broadcasts } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  return (
    <>
      <h1>Outbox</h1>
      {failure?.formError ? (
        <p className="notice notice--error" role="alert">
          {failure.formError}
        </p>
      ) : null}
      <p className="muted">
        {mailMode === "smtp"
          ? "Mail is sent through the configured SMTP server."
          : "Demo mail mode: messages go to the portal's own mailbox."}{" "}
        Failed messages are retried with growing pauses and given up after a bounded time. Mail to many people is
        first a broadcast, written into the outbox a batch of people at a time.
      </p>
      <dl className="figures">
        <div>
          <dt>Waiting</dt>
          <dd>{outbox.pending}</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd>{outbox.sent}</dd>
        </div>
        <div className={outbox.dead > 0 ? "figure--alert" : undefined}>
          <dt>Given up</dt>
          <dd>{outbox.dead}</dd>
        </div>
        <div>
          <dt>Broadcasts being written</dt>
          <dd>{broadcasts.underway}</dd>
        </div>
      </dl>
      {broadcasts.troubled > 0 ? (
        <section aria-labelledby="troubled-broadcasts" className="section">
          <h2 id="troubled-broadcasts">Broadcasts with trouble</h2>
          <p className="small">
            These broadcasts failed while being written: the people they have not reached yet get nothing until one
            succeeds. The others go ahead meanwhile.
            {broadcasts.troubled > broadcasts.shown.length ? ` The ${broadcasts.shown.length} oldest of ${broadcasts.troubled}.` : null}
          </p>
          <div className="table-wrap" {...scrollRegion("Broadcasts that failed")}>
            <table className="stacked-table">
              <caption className="visually-hidden">Broadcasts that failed</caption>
              <thead>
                <tr>
                  <th scope="col">Begun</th>
                  <th scope="col">What</th>
                  <th scope="col">State</th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {broadcasts.shown.map((broadcast) => (
                  <tr key={broadcast.id}>
                    <td data-label="Begun">
                      <LocalTime at={broadcast.createdAt} viewer={viewer} />
                    </td>
                    <td className="stacked-table__key">
                      {broadcastKindLabel(broadcast.kind)} (broadcast {broadcast.id}
                      {broadcast.about ? `, ${broadcast.about}` : null}
                      {broadcast.entries > 1 ? `, telling of ${broadcast.entries} changes` : null}
                      {broadcast.sent > 0 ? `, ${counted(broadcast.sent, "message")} written so far` : null})
                    </td>
                    <td data-label="State">
                      {broadcast.setAsideAt ? (
                        <>
                          <span className="badge badge--danger">Set aside</span> after {counted(broadcast.failures, "failure")}
                        </>
                      ) : (
                        <>
                          Retrying ({counted(broadcast.failures, "failure")}), next{" "}
                          {broadcast.nextAttemptAt ? <LocalTime at={broadcast.nextAttemptAt} viewer={viewer} /> : "now"}
                        </>
                      )}
                    </td>
                    <td className="small wrap-anywhere" data-label="Last error">
                      {broadcast.lastError}
                    </td>
                    <td>
                      {broadcast.setAsideAt ? <TryAgain intent="retry-broadcast" id={broadcast.id} /> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <section aria-labelledby="troubled-messages" className="section">
        <h2 id="troubled-messages">Messages with trouble</h2>
        {outbox.troubledTotal > 0 ? <p className="small">{counted(outbox.troubledTotal, "message")}, newest first.</p> : null}
        {outbox.troubled.rows.length === 0 ? (
          <EmptyState title="Every message so far was delivered at the first try." />
        ) : (
          <div className="table-wrap" {...scrollRegion("Messages being retried or given up")}>
            <table className="stacked-table">
              <caption className="visually-hidden">Messages being retried or given up</caption>
              <thead>
                <tr>
                  <th scope="col">Written</th>
                  <th scope="col">To</th>
                  <th scope="col">Subject</th>
                  <th scope="col">State</th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {outbox.troubled.rows.map((message) => (
                  <tr key={message.id}>
                    <td data-label="Written">
                      <LocalTime at={message.createdAt} viewer={viewer} />
                    </td>
                    <td data-label="To" className="wrap-anywhere">
                      {message.toAddress}
                    </td>
                    <td className="stacked-table__key">{message.subject}</td>
                    <td data-label="State" className="stacked-table__key">
                      {message.status === "dead" ? (
                        <span className="badge badge--danger">Given up</span>
                      ) : (
                        <>
                          Retrying ({message.attempts} tries), next <LocalTime at={message.nextAttemptAt} viewer={viewer} />
                        </>
                      )}
                    </td>
                    <td className="small wrap-anywhere" data-label="Last error">
                      {message.lastError}
                    </td>
                    <td>
                      {message.status === "dead" ? <TryAgain intent="retry-mail" id={message.id} /> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager next={outbox.troubled.next} label="Pages of messages with trouble" nextLabel="Older messages" />
      </section>
    </>
  );
}

/** One more try for a given-up message or a broadcast set aside (RETRIES says what each does). */
function TryAgain({ intent, id }: { intent: keyof typeof RETRIES; id: number }) {
  return (
    <ActionForm>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="button button--secondary">
        Try again
      </button>
    </ActionForm>
  );
}
