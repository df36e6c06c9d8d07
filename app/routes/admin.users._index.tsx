import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ROLES } from "~/modules/accounts/vocabulary";
import { EmptyState } from "~/components/empty-state";
import { getDb } from "~/lib/db.server";
import { counted } from "~/lib/words";
import { Pager } from "~/components/pager";
import { ROLE_LABELS } from "~/lib/labels";
import { requireRole } from "~/modules/auth/guard.server";
import { accountsPage } from "~/modules/accounts/service.server";
import { scrollRegion } from "~/components/table-wrap";
import { peopleFilterSchema } from "~/modules/accounts/schema";

export const meta: MetaFunction = () => [{ title: "People · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const filter = peopleFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { filter, people: accountsPage(getDb(), filter) };
}

export default function People() {
  const { filter, people } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-header page-header--row">
        <h1>People</h1>
        <Link className="button" to="/admin/users/new">
          Add a person
        </Link>
      </div>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="q">Name, email or organisation</label>
          <input id="q" name="q" type="search" defaultValue={filter.q ?? ""} />
        </div>
        <div className="field">
          <label htmlFor="role">Role</label>
          <select id="role" name="role" defaultValue={filter.role ?? ""}>
            <option value="">Any role</option>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </Form>
      <p className="small">
        {counted(people.total, "person", "people")} {filter.q || filter.role ? "match" : "in all"}
      </p>
      {people.rows.length === 0 ? (
        <EmptyState title="Nobody matches this filter." />
      ) : (
        <div className="table-wrap" {...scrollRegion("People with an account")}>
          <table className="stacked-table">
            <caption className="visually-hidden">People with an account</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Organisation</th>
                <th scope="col">Roles</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {people.rows.map((person) => (
                <tr key={person.id}>
                  <td>
                    <Link to={`/admin/users/${person.id}`}>{person.name}</Link>
                  </td>
                  <td data-label="Email" className="wrap-anywhere">{person.email}</td>
                  <td data-label="Organisation">{person.organisationName ?? "Taskforce"}</td>
                  <td data-label="Roles">{person.roles.map((role) => ROLE_LABELS[role]).join(", ")}</td>
                  <td data-label="State">{person.active ? "Active" : <span className="badge badge--muted">Deactivated</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={people.next} label="Pages of people" />
    </>
  );
}
