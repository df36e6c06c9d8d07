import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ConsultationForm } from "~/components/consultation-form";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm, searchStep } from "~/lib/forms";
import { requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { invitationOptions } from "~/modules/consultations/form-options.server";
import { consultationFormSchema, invitationSearchSchema } from "~/modules/consultations/schema";
import { createConsultation } from "~/modules/consultations/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "New consultation · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const search = searchStep(new URL(request.url).searchParams, invitationSearchSchema);
  return {
    viewer,
    searched: search ? { values: search.values } : undefined,
    choices: invitationOptions(getDb(), search?.query ?? { organisationIds: [], personIds: [] }),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const form = parseForm(consultationFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  return answerOnce(request, viewer, form.values, () => {
    const id = createConsultation(getDb(), form.data, { userId: viewer.id, origin: requestOrigin(request, context) });
    return { location: `/consultations/${id}`, message: "The consultation is saved as a draft. Nobody is invited until you open it." };
  });
}

export default function NewConsultation() {
  const { viewer, searched, choices } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>() ?? searched;
  return (
    <section className="narrow-wide" aria-labelledby="new-consultation-title">
      <h1 id="new-consultation-title">New consultation</h1>
      <p className="muted">It starts as a draft: nobody is invited until you open it.</p>
      <ConsultationForm
        state={state}
        defaults={{ deadlineTimeZone: viewer.timeZone }}
        choices={choices}
        submitLabel="Create draft"
      />
    </section>
  );
}
