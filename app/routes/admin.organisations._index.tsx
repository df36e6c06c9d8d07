import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Pager } from "~/components/pager";
import { EmptyState } from "~/components/empty-state";
import { countryLabels } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { organisationListSchema } from "~/modules/organisations/schema";
import { counted } from "~/lib/words";
import { KIND_LABELS, SECTOR_LABELS } from "~/lib/labels";
import { requireRole } from "~/modules/auth/guard.server";
import { organisationsPage } from "~/modules/organisations/service.server";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Organisations · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const filter = organisationListSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const organisations = organisationsPage(getDb(), filter);
  return { filter, organisations, countries: countryLabels(organisations.rows.map((organisation) => organisation.country)) };
}

export default function Organisations() {
  const { filter, organisations, countries } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header page-header--row">
        <h1>Organisations</h1>
        <Link className="button" to="/admin/organisations/new">
          Add an organisation
        </Link>
      </div>
      <Form method="get" className="filters" role="search" aria-label="Find an organisation">
        <div className="field">
          <label htmlFor="q">Name</label>
          <input id="q" name="q" type="search" defaultValue={filter.q ?? ""} />
        </div>
        <button type="submit" className="button button--secondary">
          Find
        </button>
      </Form>
      <p className="small">
        {counted(organisations.total, "organisation")} {filter.q ? "match" : "in all"}
      </p>
      {organisations.rows.length === 0 && filter.q ? (
        <EmptyState title="No organisation has that in its name." />
      ) : organisations.rows.length === 0 ? (
        <EmptyState title="No organisations yet.">Add the banks, ISPs, vendors, CERTs and ministries the taskforce consults.</EmptyState>
      ) : (
        <div className="table-wrap" {...scrollRegion("Stakeholder organisations")}>
          <table className="stacked-table">
            <caption className="visually-hidden">Stakeholder organisations</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Sector</th>
                <th scope="col">Country</th>
                <th scope="col">Public or private</th>
                <th scope="col" className="num">
                  Active members
                </th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {organisations.rows.map((organisation) => (
                <tr key={organisation.id}>
                  <td>
                    <Link to={`/admin/organisations/${organisation.id}`}>{organisation.name}</Link>
                  </td>
                  <td data-label="Sector">{SECTOR_LABELS[organisation.sector]}</td>
                  <td data-label="Country">{countries[organisation.country]}</td>
                  <td data-label="Public or private">{KIND_LABELS[organisation.kind]}</td>
                  <td className="num" data-label="Active members">
                    {organisation.members}
                  </td>
                  <td data-label="State">{organisation.active ? "Active" : <span className="badge badge--muted">Deactivated</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={organisations.next} label="Pages of organisations" />
    </>
  );
}
