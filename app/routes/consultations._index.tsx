import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { CONSULTATION_STATUS_LABELS, CRIME_AREA_LABELS } from "~/lib/labels";
import { requireUser } from "~/modules/auth/guard.server";
import { listConsultationsFor } from "~/modules/consultations/service.server";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Consultations · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:GREEN" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  return {
    viewer,
    canCreate: viewer.roles.includes("coordinator"),
    consultations: listConsultationsFor(getDb(), viewer),
  };
}

export default function Consultations() {
  const { viewer, canCreate, consultations } = useLoaderData<typeof loader>();
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
      {consultations.length === 0 ? (
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
              {consultations.map((consultation) => (
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
    </>
  );
}
