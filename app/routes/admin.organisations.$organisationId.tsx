import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { OrganisationForm } from "~/components/organisation-form";
import { countryChoices } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, parseForm } from "~/lib/forms";
import { attempt, orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { organisationFormSchema } from "~/modules/organisations/schema";
import { getOrganisation, setOrganisationActive, updateOrganisation } from "~/modules/organisations/service.server";

export const meta: MetaFunction = () => [{ title: "Organisation · Taskforce Consult" }];

const intentSchema = z.enum(["save", "deactivate", "reactivate"]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { organisation: orStatusPage(() => getOrganisation(getDb(), parseId(params.organisationId))), countryOptions: countryChoices() };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const id = parseId(params.organisationId);
  const formData = await readForm(request, context);
  const intent = intentSchema.safeParse(formData.get("intent"));
  if (!intent.success) return data(formFailure({}, "Unknown action."), { status: 400 });
  const actor = { userId: admin.id, origin: requestOrigin(request, context) };
  const db = getDb();
  if (intent.data === "save") {
    const form = parseForm(organisationFormSchema, formData);
    if (!form.ok) return data(form, { status: 400 });
    const outcome = attempt(form.values, () => updateOrganisation(db, id, form.data, actor));
    if (!outcome.ok) return data(outcome, { status: 400 });
  } else {
    orStatusPage(() => setOrganisationActive(db, id, intent.data === "reactivate", actor));
  }
  return redirect(`/admin/organisations/${id}?saved=1`);
}

export default function OrganisationPage() {
  const { organisation, countryOptions } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <section className="narrow" aria-labelledby="organisation-title">
      <h1 id="organisation-title">{organisation.name}</h1>
      {params.get("saved") && !state ? (
        <p className="notice notice--success" role="status">
          Saved.
        </p>
      ) : null}
      {!organisation.active ? (
        <p className="notice notice--warning">This organisation is deactivated: its members cannot sign in.</p>
      ) : null}
      <OrganisationForm state={state} defaults={organisation} submitLabel="Save changes" countryOptions={countryOptions} />
      <Form method="post" className="danger-zone">
        <h2>{organisation.active ? "Deactivate" : "Reactivate"}</h2>
        <p>
          {organisation.active
            ? "Members of a deactivated organisation cannot sign in, and their open sessions end at once."
            : "Its active members will be able to sign in again."}
        </p>
        <button
          type="submit"
          name="intent"
          value={organisation.active ? "deactivate" : "reactivate"}
          className={organisation.active ? "button button--danger" : "button button--secondary"}
        >
          {organisation.active ? "Deactivate organisation" : "Reactivate organisation"}
        </button>
      </Form>
    </section>
  );
}
