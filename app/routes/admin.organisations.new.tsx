import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { OrganisationForm } from "~/components/organisation-form";
import { countryChoices } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm } from "~/lib/forms";
import { requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { organisationFormSchema } from "~/modules/organisations/schema";
import { createOrganisation } from "~/modules/organisations/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";

export const meta: MetaFunction = () => [{ title: "Add an organisation · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { countryOptions: countryChoices() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const form = parseForm(organisationFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  return answerOnce(request, admin, form.values, () => {
    const id = createOrganisation(getDb(), form.data, { userId: admin.id, origin: requestOrigin(request, context) });
    return { location: `/admin/organisations/${id}`, message: `${form.data.name} is added. Add its people from the list of people.` };
  });
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
