import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { OrganisationForm } from "~/components/organisation-form";
import { countryChoices } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm } from "~/lib/forms";
import { attempt, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { organisationFormSchema } from "~/modules/organisations/schema";
import { createOrganisation } from "~/modules/organisations/service.server";

export const meta: MetaFunction = () => [{ title: "Add an organisation · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { countryOptions: countryChoices() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const form = parseForm(organisationFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  const outcome = attempt(form.values, () =>
    createOrganisation(getDb(), form.data, { userId: admin.id, origin: requestOrigin(request, context) }),
  );
  if (!outcome.ok) return data(outcome, { status: 400 });
  return redirect(`/admin/organisations/${outcome.result}?saved=1`);
}

export default function NewOrganisation() {
  const state = useActionData<typeof action>();
  const { countryOptions } = useLoaderData<typeof loader>();
  return (
    <section className="narrow" aria-labelledby="new-organisation-title">
      <h1 id="new-organisation-title">Add an organisation</h1>
      <OrganisationForm state={state} submitLabel="Add organisation" countryOptions={countryOptions} />
    </section>
  );
}
