import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CheckboxGroup, FormErrorSummary, TextField } from "~/components/form-fields";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm } from "~/lib/forms";
import { attempt, orStatusPage, requestOrigin } from "~/lib/http.server";
import { CONSULTATION_STATUS_LABELS } from "~/lib/labels";
import { requireUser } from "~/modules/auth/guard.server";
import { editionFormSchema } from "~/modules/assessment/schema";
import { createEdition, editionChoices } from "~/modules/assessment/service.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "New assessment edition · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  return { consultations: orStatusPage(() => editionChoices(getDb(), viewer)) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const form = parseForm(editionFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  const outcome = attempt(form.values, () =>
    createEdition(getDb(), viewer, form.data, { userId: viewer.id, origin: requestOrigin(request, context) }),
  );
  if (!outcome.ok) return data(outcome, { status: outcome.status ?? 400 });
  return redirect(`/assessments/${outcome.result}`);
}

export default function NewEdition() {
  const { consultations } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>();
  return (
    <section className="narrow-wide" aria-labelledby="new-edition-title">
      <h1 id="new-edition-title">New assessment edition</h1>
      <p className="muted">It draws on the accepted input of the consultations you choose, observed within its period.</p>
      <Form method="post" noValidate className="stack">
        <FormErrorSummary state={state} />
        <TextField name="title" label="Title" state={state} hint="Such as “Q1 2027 threat assessment”." />
        <div className="pair">
          <TextField name="periodFrom" label="Period from" type="date" state={state} />
          <TextField name="periodTo" label="Period to" type="date" state={state} />
        </div>
        <CheckboxGroup
          name="consultationIds"
          legend="Consultations"
          state={state}
          options={consultations.map((consultation) => ({
            value: String(consultation.id),
            label: `${consultation.title} (${CONSULTATION_STATUS_LABELS[consultation.status].toLowerCase()})`,
          }))}
        />
        <button className="button" type="submit">
          Open the edition
        </button>
      </Form>
    </section>
  );
}
