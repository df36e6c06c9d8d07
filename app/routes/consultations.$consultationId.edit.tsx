import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ConsultationForm } from "~/components/consultation-form";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm, searchStep } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { localDateTime } from "~/lib/time";
import { requireRole } from "~/modules/auth/guard.server";
import { invitationOptions } from "~/modules/consultations/form-options.server";
import { consultationFormSchema, invitationSearchSchema } from "~/modules/consultations/schema";
import { consultationChoices, getConsultation, updateConsultation } from "~/modules/consultations/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Edit consultation · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireRole(request, "coordinator");
  const db = getDb();
  const id = parseId(params.consultationId);
  const consultation = orStatusPage(() => getConsultation(db, id));
  const chosen = consultationChoices(db, id);
  const deadline = localDateTime(consultation.inputDeadline, consultation.deadlineTimeZone);
  const search = searchStep(new URL(request.url).searchParams, invitationSearchSchema);
  return {
    consultation,
    searched: search ? { values: search.values } : undefined,
    defaults: {
      title: consultation.title,
      description: consultation.description,
      crimeAreas: consultation.crimeAreas,
      deadlineDate: deadline.date,
      deadlineTime: deadline.time,
      deadlineTimeZone: consultation.deadlineTimeZone,
      organisationIds: chosen.organisationIds.map(String),
      personIds: chosen.personIds.map(String),
    },
    choices: invitationOptions(db, search?.query ?? chosen),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const id = parseId(params.consultationId);
  const form = parseForm(consultationFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  // Saving an open consultation invites the people added: sent once, however often it is posted.
  return answerOnce(request, viewer, form.values, () => {
    updateConsultation(getDb(), id, form.data, { userId: viewer.id, origin: requestOrigin(request, context), appUrl: getEnv().APP_URL });
    return { location: `/consultations/${id}`, message: "Your changes are saved." };
  });
}

export default function EditConsultation() {
  const { consultation, defaults, searched, choices } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>() ?? searched;
  return (
    <section className="narrow-wide" aria-labelledby="edit-consultation-title">
      <h1 id="edit-consultation-title">Edit {consultation.title}</h1>
      {consultation.status === "open" ? (
        <p className="notice notice--warning">
          This consultation is open: people you add are invited by email as soon as you save.
        </p>
      ) : null}
      <ConsultationForm
        state={state}
        defaults={defaults}
        choices={choices}
        submitLabel="Save changes"
      />
    </section>
  );
}
