import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CONSULTATION_STATUSES } from "~/modules/consultations/vocabulary";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { Pager } from "~/components/pager";
import { getDb } from "~/lib/db.server";
import { CONSULTATION_STATUS_LABELS, CRIME_AREA_LABELS } from "~/lib/labels";
import { counted } from "~/lib/words";
import { requireUser } from "~/modules/auth/guard.server";
import { consultationListSchema } from "~/modules/consultations/schema";
import { listConsultationsFor } from "~/modules/consultations/service.server";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Consultations · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:GREEN" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const query = consultationListSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return {
    viewer,
    query,
    canCreate: viewer.roles.includes("coordinator"),
    consultations: listConsultationsFor(getDb(), viewer, query),
  };
}

export default function Consultations() {
  const { viewer, query, canCreate, consultations } = useLoaderData<typeof loader>();
  const filtered = Boolean(query.status || query.q);
  return (
    <>
      <div className="page-header page-header--row">
        <h1>Consultations</h1>
        {canCreate ? (
          <Link className="button" to="/consultations/new">
            New consultation
          </Link>
        ) : null}
      </div>
      <Form method="get" className="filters" role="search" aria-label="Filter the consultations">
        <div className="field">
          <label htmlFor="q">Title</label>
          <input id="q" name="q" type="search" defaultValue={query.q ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="status">State</label>
          <select id="status" name="status" defaultValue={query.status ?? ""}>
            <option value="">Any state</option>
            {CONSULTATION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {CONSULTATION_STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </Form>
      <p className="small">
        {counted(consultations.total, "consultation")} {filtered ? "match" : "in all"}
        {filtered ? (
          <>
            {" "}
            · <Link to="/consultations">Clear the filter</Link>
          </>
        ) : null}
      </p>
      {consultations.rows.length === 0 && filtered ? (
        <EmptyState title="No consultation matches this filter." />
      ) : consultations.rows.length === 0 ? (
        <EmptyState title="No consultations yet.">
          {canCreate
            ? "Create one, choose the organisations to consult, and open it to send the invitations."
            : "When the taskforce invites you or your organisation, the consultation appears here."}
        </EmptyState>
      ) : (
        <div className="table-wrap" {...scrollRegion("Consultations, newest first")}>
          <table className="stacked-table">
            <caption className="visually-hidden">Consultations, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Crime areas</th>
                <th scope="col">Input deadline</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {consultations.rows.map((consultation) => (
                <tr key={consultation.id}>
                  <td>
                    <Link to={`/consultations/${consultation.id}`}>{consultation.title}</Link>
                  </td>
                  <td data-label="Crime areas">{consultation.crimeAreas.map((area) => CRIME_AREA_LABELS[area]).join(", ")}</td>
                  <td data-label="Input deadline">
                    <LocalTime at={consultation.inputDeadline} viewer={viewer} />
                  </td>
                  <td data-label="State" className="stacked-table__key">
                    <span className={`badge badge--${consultation.status}`}>
                      {CONSULTATION_STATUS_LABELS[consultation.status]}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={consultations.next} label="Pages of consultations" nextLabel="Older consultations" firstLabel="Newest first" />
    </>
  );
}
