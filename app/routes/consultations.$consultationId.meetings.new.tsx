import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { FormErrorSummary, SelectField, TextAreaField, TextField } from "~/components/form-fields";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { getConsultation } from "~/modules/consultations/service.server";
import { meetingFormSchema, SLOT_ROWS } from "~/modules/scheduling/schema";
import { proposeMeeting } from "~/modules/scheduling/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";
import type { RouteHandle } from "~/root";
import { TLP_MARKS } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "Propose a meeting · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const consultation = orStatusPage(() => getConsultation(getDb(), parseId(params.consultationId)));
  return { viewer, consultation, timeZones: Intl.supportedValuesOf("timeZone") };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const consultationId = parseId(params.consultationId);
  const form = parseForm(meetingFormSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  // The poll goes to every invitee by email: one meeting and one set of mails per form sent.
  return answerOnce(request, viewer, form.values, () => {
    const id = proposeMeeting(getDb(), consultationId, form.data, {
      userId: viewer.id,
      origin: requestOrigin(request, context),
      appUrl: getEnv().APP_URL,
    });
    return { location: `/meetings/${id}`, message: "The meeting is proposed: every invitee is asked by email when they can meet." };
  });
}

export default function ProposeMeeting() {
  const { viewer, consultation, timeZones } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>();
  return (
    <section className="narrow-wide" aria-labelledby="propose-title">
      <p className="eyebrow">{consultation.title}</p>
      <h1 id="propose-title">Propose a meeting</h1>
      <p className="muted">Invitees mark each slot yes, if need be, or no, in their own time zone; then you choose one.</p>
      <ActionForm noValidate className="stack">
        <FormErrorSummary state={state} />
        <TextField name="title" label="Title" required state={state} />
        <TextAreaField name="agenda" label="Agenda" state={state} />
        <TextField name="durationMinutes" label="Length in minutes" type="number" inputMode="numeric" required state={state} defaultValue="60" />
        <TextField name="place" label="Place" hint="Leave empty for a video meeting." state={state} />
        <TextField name="videoUrl" label="Video link" type="url" hint="An https:// address." state={state} />
        <SelectField
          name="timeZone"
          label="Time zone of the slots below"
          state={state}
          defaultValue={viewer.timeZone}
          options={timeZones.map((zone) => ({ value: zone, label: zone }))}
        />
        <SelectField
          name="tlp"
          label="Handling mark"
          hint="Under TLP:AMBER+STRICT and TLP:RED, emails and calendars show only “Taskforce consultation meeting” and the portal link."
          state={state}
          defaultValue="TLP:AMBER"
          options={TLP_MARKS.map((mark) => ({ value: mark, label: mark }))}
        />
        <fieldset className="field">
          <legend>Candidate slots</legend>
          <p className="field__hint">Fill in as many rows as you like; empty rows are ignored.</p>
          {Array.from({ length: SLOT_ROWS }, (_, row) => (
            <div className="inline-fields" key={row}>
              <TextField name={`slot${row}Date`} label={`Slot ${row + 1} date`} type="date" state={state} />
              <TextField name={`slot${row}Time`} label={`Slot ${row + 1} start`} type="time" state={state} />
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label className="check">
            <input type="checkbox" name="attendeeListOpen" defaultChecked={state?.values?.attendeeListOpen === "on"} />
            Let invitees see each other&apos;s names (otherwise they see organisations only)
          </label>
        </div>
        <button type="submit" className="button">
          Propose and ask invitees
        </button>
      </ActionForm>
    </section>
  );
}
