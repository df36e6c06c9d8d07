import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { FormErrorSummary, TextField } from "~/components/form-fields";
import { countryLabels } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm } from "~/lib/forms";
import { attempt, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { agencyFormSchema, createAgency, listAgencies } from "~/modules/taxii/service.server";

export const meta: MetaFunction = () => [{ title: "Member agencies · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const agencies = listAgencies(getDb(), viewer);
  return { agencies, countries: countryLabels(agencies.map((agency) => agency.country)) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const formData = await readForm(request, context);
  const form = parseForm(agencyFormSchema, formData);
  if (!form.ok) return data(form, { status: 400 });
  const outcome = attempt(form.values, () => createAgency(getDb(), viewer, form.data, { userId: viewer.id, origin: requestOrigin(request, context) }));
  return outcome.ok ? redirect(`/admin/agencies/${outcome.result}`) : data(outcome, { status: outcome.status ?? 400 });
}

export default function Agencies() {
  const { agencies, countries } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>();
  return (
    <>
      <h1>Member agencies</h1>
      <p className="lead">The police units that pull released editions over TAXII 2.1, each with keys of its own.</p>
      {agencies.length === 0 ? (
        <EmptyState title="No member agencies yet." />
      ) : (
        <div className="table-wrap">
          <table className="stacked-table">
            <caption className="visually-hidden">Member agencies</caption>
            <thead>
              <tr>
                <th scope="col">Agency</th>
                <th scope="col">Country</th>
                <th scope="col" className="num">Keys in use</th>
              </tr>
            </thead>
            <tbody>
              {agencies.map((agency) => (
                <tr key={agency.id}>
                  <td>
                    <Link to={`/admin/agencies/${agency.id}`}>{agency.name}</Link>
                  </td>
                  <td data-label="Country">{countries[agency.country]}</td>
                  <td className="num" data-label="Keys in use">
                    {agency.keys}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="section card" aria-labelledby="add-agency">
        <h2 id="add-agency">Add a member agency</h2>
        <Form method="post" className="stack" noValidate>
          <FormErrorSummary state={state && !state.ok ? state : undefined} />
          <TextField name="name" label="Name" state={state && !state.ok ? state : undefined} />
          <TextField name="country" label="Country" hint="ISO 3166-1 code, such as NL." state={state && !state.ok ? state : undefined} />
          <button className="button" type="submit">
            Add the agency
          </button>
        </Form>
      </section>
    </>
  );
}
