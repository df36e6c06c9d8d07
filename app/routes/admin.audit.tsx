import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { Pager } from "~/components/pager";
import { scrollRegion } from "~/components/table-wrap";
import { getDb } from "~/lib/db.server";
import { AUDIT_ACTION_FAMILIES, AUDIT_ACTION_LABELS, auditActionLabel } from "~/lib/labels";
import { requireRole } from "~/modules/auth/guard.server";
import { auditFilterChoices, listAuditEvents } from "~/modules/audit/audit.server";
import { auditFilterFrom, auditFilterSchema } from "~/modules/audit/schema";
import { auditQueryString } from "~/modules/audit/query";
import { detailWords, targetWords } from "~/modules/audit/words";

export const meta: MetaFunction = () => [{ title: "Audit log · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const query = auditFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const db = getDb();
  const audit = listAuditEvents(db, auditFilterFrom(query, viewer.timeZone));
  return {
    viewer,
    query,
    audit: {
      total: audit.total,
      next: audit.next,
      rows: audit.rows.map((row) => ({ ...row, details: detailWords(row.detail, viewer), target: targetWords(row.targetType, row.targetId) })),
    },
    ...auditFilterChoices(db),
  };
}

export default function AuditLog() {
  const { viewer, query, audit, targetTypes } = useLoaderData<typeof loader>();
  const filtered = auditQueryString(query);
  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">Who did what, when and from where. Times to the second in {viewer.timeZone}; days below are days there.</p>
      <Form method="get" className="filters audit-filters" role="search" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="person">Person: name or address</label>
          <input id="person" name="person" type="search" defaultValue={query.person ?? ""} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="organisation">Organisation: by its people or about it</label>
          <input id="organisation" name="organisation" type="search" defaultValue={query.organisation ?? ""} maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="action">What happened</label>
          <select id="action" name="action" defaultValue={query.action ?? ""}>
            <option value="">Anything</option>
            <optgroup label="Kinds of event">
              {Object.entries(AUDIT_ACTION_FAMILIES).map(([code, words]) => (
                <option key={code} value={code}>
                  {words}
                </option>
              ))}
            </optgroup>
            <optgroup label="Events">
              {Object.entries(AUDIT_ACTION_LABELS).map(([code, words]) => (
                <option key={code} value={code}>
                  {words}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <div className="field">
          <label htmlFor="targetType">On</label>
          <select id="targetType" name="targetType" defaultValue={query.targetType ?? ""}>
            <option value="">Anything</option>
            {targetTypes.map((type) => (
              <option key={type} value={type}>
                {targetWords(type, null)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="targetId">Number</label>
          <input id="targetId" name="targetId" type="text" inputMode="numeric" defaultValue={query.targetId ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="from">From</label>
          <input id="from" name="from" type="date" defaultValue={query.from ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="to">Until</label>
          <input id="to" name="to" type="date" defaultValue={query.to ?? ""} />
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </Form>
      <p className="small">
        {audit.total} {audit.total === 1 ? "event matches" : "events match"} ·{" "}
        <a href={`/admin/audit.csv${filtered ? `?${filtered}` : ""}`} download>
          Download these as CSV
        </a>
        {filtered ? (
          <>
            {" "}
            · <Link to="/admin/audit">Clear the filter</Link>
          </>
        ) : null}
      </p>
      {audit.rows.length === 0 ? (
        <EmptyState title="No events match." />
      ) : (
        <div className="table-wrap" {...scrollRegion("Audit events, newest first")}>
          <table className="stacked-table audit-table">
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
                  <td data-label="When">
                    <LocalTime at={event.at} viewer={viewer} seconds />
                  </td>
                  <td data-label="Who" className="wrap-anywhere">{event.actorName ? `${event.actorName} (${event.actorEmail})` : "—"}</td>
                  <td data-label="What" className="stacked-table__key">
                    {auditActionLabel(event.action)} <code className="muted small">{event.action}</code>
                    {event.details ? <div className="muted small">{event.details}</div> : null}
                  </td>
                  <td data-label="On" className="wrap-anywhere">{event.target || "—"}</td>
                  <td data-label="From">
                    {event.ip ?? "—"}
                    {event.userAgent ? <div className="muted small wrap-anywhere">{event.userAgent}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={audit.next} label="Pages of the log" nextLabel="Older" firstLabel="Newest first" />
    </>
  );
}
