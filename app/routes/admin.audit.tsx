import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { auditActionLabel } from "~/lib/labels";
import { requireRole } from "~/modules/auth/guard.server";
import { listAuditEvents } from "~/modules/audit/audit.server";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Audit log · Taskforce Consult" }];

const filterSchema = z.object({
  action: z.string().trim().max(60).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const filter = filterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { viewer, filter, audit: listAuditEvents(getDb(), filter) };
}

export default function AuditLog() {
  const { viewer, filter, audit } = useLoaderData<typeof loader>();
  const pageLink = (page: number) => `?${new URLSearchParams({ ...(filter.action ? { action: filter.action } : {}), page: String(page) })}`;
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Who did what, when and from where. Times in {viewer.timeZone}.</p>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="action">Action starts with</label>
          <input id="action" name="action" type="search" placeholder="sign_in, account, role…" defaultValue={filter.action ?? ""} />
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </Form>
      {audit.rows.length === 0 ? (
        <EmptyState title="No events match." />
      ) : (
        <div className="table-wrap" {...scrollRegion("Audit events, newest first")}>
          <table>
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">On</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {audit.rows.map((event) => (
                <tr key={event.id}>
                  <td>
                    <LocalTime at={event.at} viewer={viewer} />
                  </td>
                  <td>{event.actorName ? `${event.actorName} (${event.actorEmail})` : "—"}</td>
                  <td>
                    {auditActionLabel(event.action)} <code className="muted small">{event.action}</code>
                    {event.detail ? <div className="muted small">{JSON.stringify(event.detail)}</div> : null}
                  </td>
                  <td>{event.targetType ? `${event.targetType} ${event.targetId}` : "—"}</td>
                  <td>
                    {event.ip ?? "—"}
                    {event.userAgent ? <div className="muted small truncate">{event.userAgent}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages" className="pager">
        {filter.page > 1 ? <Link to={pageLink(filter.page - 1)}>Newer</Link> : <span />}
        <span>
          Page {filter.page} of {audit.pages} · {audit.total} events
        </span>
        {filter.page < audit.pages ? <Link to={pageLink(filter.page + 1)}>Older</Link> : <span />}
      </nav>
    </>
  );
}
