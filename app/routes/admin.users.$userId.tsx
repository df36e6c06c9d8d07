import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { AccountForm } from "~/components/account-form";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm, searchStep } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { accountFormSchema, accountIntentSchema, accountSearchSchema } from "~/modules/accounts/schema";
import { getAccount, setAccountActive, updateAccount } from "~/modules/accounts/service.server";
import { organisationChoices } from "~/modules/organisations/service.server";
import { answerChange } from "~/modules/submissions/answer.server";

export const meta: MetaFunction = () => [{ title: "Person · Taskforce Consult" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const db = getDb();
  const person = orStatusPage(() => getAccount(db, parseId(params.userId)));
  const search = searchStep(new URL(request.url).searchParams, accountSearchSchema);
  const chosen = search?.query.organisationId ?? (person.organisationId ? [person.organisationId] : []);
  return {
    person,
    isSelf: person.id === admin.id,
    searched: search ? { values: search.values } : undefined,
    // The person's own organisation is offered even once deactivated: saving must not move them.
    organisations: organisationChoices(db, { chosen, find: search?.query.findOrganisation, keepChosen: "any" }),
    timeZones: Intl.supportedValuesOf("timeZone"),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const id = parseId(params.userId);
  const formData = await readForm(request, context);
  const intent = accountIntentSchema.safeParse(formData.get("intent"));
  if (!intent.success) return data(formFailure({}, "Unknown action."), { status: 400 });
  const actor = { userId: admin.id, origin: requestOrigin(request, context) };
  const db = getDb();
  const location = `/admin/users/${id}`;
  if (intent.data === "save") {
    const form = parseForm(accountFormSchema, formData);
    if (!form.ok) return data(form, { status: 400 });
    return answerChange(request, form.values, () => {
      updateAccount(db, id, form.data, actor);
      return { location, message: "The person's account is saved." };
    });
  }
  const active = intent.data === "reactivate";
  return answerChange(request, formValues(formData), () => {
    setAccountActive(db, id, active, actor);
    return { location, message: active ? "The account is active again: the person can sign in." : "The account is deactivated: its sessions have ended." };
  });
}

export default function Person() {
  const { person, isSelf, searched, organisations, timeZones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // The edit form and the (de)activate button are two forms: each shows only its own outcome
  // (the edit form after a Find, what the search brought back).
  const saved = result?.values.intent === "save";
  const state = saved ? result : searched;
  const statusError = result && !saved ? result.formError : undefined;
  return (
    <section aria-labelledby="person-title" className="narrow">
      <h1 id="person-title">{person.name}</h1>
      {!person.active ? (
        <p className="notice notice--warning">This account is deactivated: the person cannot sign in.</p>
      ) : null}
      <AccountForm
        state={state}
        defaults={person}
        organisations={organisations}
        timeZones={timeZones}
        submitLabel="Save changes"
      />
      {isSelf ? null : (
        <ActionForm className="danger-zone">
          <h2>{person.active ? "Deactivate" : "Reactivate"}</h2>
          {statusError ? (
            <p className="notice notice--error" role="alert">
              {statusError}
            </p>
          ) : null}
          <p>
            {person.active
              ? "A deactivated person cannot sign in, and their open sessions end at once."
              : "The person will be able to sign in again."}
          </p>
          <button
            type="submit"
            name="intent"
            value={person.active ? "deactivate" : "reactivate"}
            className={person.active ? "button button--danger" : "button button--secondary"}
          >
            {person.active ? "Deactivate account" : "Reactivate account"}
          </button>
        </ActionForm>
      )}
    </section>
  );
}
