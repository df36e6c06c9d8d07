import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { AccountForm } from "~/components/account-form";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm, searchStep } from "~/lib/forms";
import { requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { accountFormSchema, accountSearchSchema } from "~/modules/accounts/schema";
import { createAccount } from "~/modules/accounts/service.server";
import { organisationChoices } from "~/modules/organisations/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";

export const meta: MetaFunction = () => [{ title: "Add a person · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  const search = searchStep(new URL(request.url).searchParams, accountSearchSchema);
  return {
    searched: search ? { values: search.values } : undefined,
    organisations: organisationChoices(getDb(), { chosen: search?.query.organisationId ?? [], find: search?.query.findOrganisation }),
    timeZones: Intl.supportedValuesOf("timeZone"),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const admin = await requireRole(request, "admin");
  const form = parseForm(accountFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  return answerOnce(request, admin, form.values, () => {
    const id = createAccount(getDb(), form.data, { userId: admin.id, origin: requestOrigin(request, context) });
    return { location: `/admin/users/${id}`, message: `${form.data.name} is added, and can sign in with ${form.data.email}.` };
  });
}

export default function NewPerson() {
  const { searched, organisations, timeZones } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>() ?? searched;
  return (
    <section className="narrow" aria-labelledby="new-person-title">
      <h1 id="new-person-title">Add a person</h1>
      <AccountForm state={state} organisations={organisations} timeZones={timeZones} submitLabel="Add person" />
    </section>
  );
}
