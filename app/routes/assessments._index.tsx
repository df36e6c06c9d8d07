import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { orStatusPage } from "~/lib/http.server";
import { requireUser } from "~/modules/auth/guard.server";
import { listEditions } from "~/modules/assessment/service.server";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Threat assessment · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const editions = orStatusPage(() => listEditions(getDb(), viewer));
  return { viewer, editions, canCreate: viewer.roles.includes("analyst") };
}

export default function Assessments() {
  const { viewer, editions, canCreate } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header page-header--row">
        <h1>Threat assessment</h1>
        {canCreate ? (
          <Link className="button" to="/assessments/new">
            New edition
          </Link>
        ) : null}
      </div>
      <p className="lead">
        Each edition turns accepted stakeholder input into scored crime areas and proposed targets.{" "}
        <Link to="/help/assessment">How the scores are computed</Link>.
      </p>
      {editions.length === 0 ? (
        <EmptyState title="No editions yet.">
          {canCreate ? "Open one on the consultations whose input it should assess." : "The analysts have not opened one yet."}
        </EmptyState>
      ) : (
        <div className="table-wrap" {...scrollRegion("Assessment editions, newest first")}>
          <table className="stacked-table">
            <caption className="visually-hidden">Assessment editions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Edition</th>
                <th scope="col">Period</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {editions.map((edition) => (
                <tr key={edition.id}>
                  <td>
                    <Link to={`/assessments/${edition.id}`}>{edition.title}</Link>
                  </td>
                  <td data-label="Period">
                    {edition.periodFrom} to {edition.periodTo}
                  </td>
                  <td data-label="State" className="stacked-table__key">
                    {edition.publishedAt ? (
                      <>
                        Published <LocalTime at={edition.publishedAt} viewer={viewer} />
                      </>
                    ) : (
                      "Draft"
                    )}
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
