import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { OrganisationForm } from "~/components/organisation-form";
import { countryChoices } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { organisationFormSchema, organisationIntentSchema } from "~/modules/organisations/schema";
import { getOrganisation, setOrganisationActive, updateOrganisation } from "~/modules/organisations/service.server";
import { answerChange } from "~/modules/submissions/answer.server";

export const meta: MetaFunction = () => [{ title: "Organisation · Taskforce Consult" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { organisation: orStatusPage(() => getOrganisation(getDb(), parseId(params.organisationId))), countryOptions: countryChoices() };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const id = parseId(params.organisationId);
  const formData = await readForm(request, context);
  const intent = organisationIntentSchema.safeParse(formData.get("intent"));
  if (!intent.success) return data(formFailure({}, "Unknown action."), { status: 400 });
  const actor = { userId: admin.id, origin: requestOrigin(request, context) };
  const db = getDb();
  const location = `/admin/organisations/${id}`;
  if (intent.data === "save") {
    const form = parseForm(organisationFormSchema, formData);
    if (!form.ok) return data(form, { status: 400 });
    return answerChange(request, form.values, () => {
      updateOrganisation(db, id, form.data, actor);
      return { location, message: "The organisation is saved." };
    });
  }
  const active = intent.data === "reactivate";
  return answerChange(request, formValues(formData), () => {
    setOrganisationActive(db, id, active, actor);
    return {
      location,
      message: active ? "The organisation is active again: its active members can sign in." : "The organisation is deactivated: its members' sessions have ended.",
    };
  });
}

export default function OrganisationPage() {
  const { organisation, countryOptions } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>();
  return (
    <section className="narrow" aria-labelledby="organisation-title">
      <h1 id="organisation-title">{organisation.name}</h1>
      {!organisation.active ? (
        <p className="notice notice--warning">This organisation is deactivated: its members cannot sign in.</p>
      ) : null}
      <OrganisationForm state={state} defaults={organisation} submitLabel="Save changes" countryOptions={countryOptions} />
      <ActionForm className="danger-zone">
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
      </ActionForm>
    </section>
  );
}
