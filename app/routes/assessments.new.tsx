import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { CheckboxGroup, FindButton, FormErrorSummary, TextField } from "~/components/form-fields";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm, searchStep } from "~/lib/forms";
import { orStatusPage, requestOrigin } from "~/lib/http.server";
import { CONSULTATION_STATUS_LABELS } from "~/lib/labels";
import { requireUser } from "~/modules/auth/guard.server";
import { editionFormSchema, editionSearchSchema } from "~/modules/assessment/schema";
import { createEdition, editionChoices } from "~/modules/assessment/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "New assessment edition · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const search = searchStep(new URL(request.url).searchParams, editionSearchSchema);
  return {
    searched: search ? { values: search.values } : undefined,
    choices: orStatusPage(() => editionChoices(getDb(), viewer, search?.query ?? { consultationIds: [] })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const form = parseForm(editionFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  return answerOnce(request, viewer, form.values, () => {
    const id = createEdition(getDb(), viewer, form.data, { userId: viewer.id, origin: requestOrigin(request, context) });
    return { location: `/assessments/${id}`, message: "The edition is open as a draft: its figures follow the accepted input until you publish it." };
  });
}

export default function NewEdition() {
  const { searched, choices } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>() ?? searched;
  return (
    <section className="narrow-wide" aria-labelledby="new-edition-title">
      <h1 id="new-edition-title">New assessment edition</h1>
      <p className="muted">It draws on the accepted input of the consultations you choose, observed within its period.</p>
      <ActionForm noValidate className="stack">
        <FormErrorSummary state={state} />
        <TextField name="title" label="Title" state={state} hint="Such as “Q1 2027 threat assessment”." />
        <div className="pair">
          <TextField name="periodFrom" label="Period from" type="date" state={state} />
          <TextField name="periodTo" label="Period to" type="date" state={state} />
        </div>
        {/* The form's first button, so also what Enter presses: a search, never an edition opened. */}
        <div className="inline-fields">
          <TextField
            name="findConsultations"
            label="Find consultations"
            type="search"
            state={state}
            hint={
              choices.notShown > 0
                ? `${choices.notShown.toLocaleString("en")} more consultations not listed here: find them by words of their title.`
                : undefined
            }
          />
          <FindButton />
        </div>
        <CheckboxGroup
          name="consultationIds"
          legend="Consultations"
          state={state}
          options={choices.consultations.map((consultation) => ({
            value: String(consultation.id),
            label: `${consultation.title} (${CONSULTATION_STATUS_LABELS[consultation.status].toLowerCase()})`,
          }))}
        />
        <button className="button" type="submit">
          Open the edition
        </button>
      </ActionForm>
    </section>
  );
}
