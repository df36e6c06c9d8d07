import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { FormErrorSummary, SelectField, TextAreaField, TextField, type FormState } from "~/components/form-fields";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formValues, parseValues } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { getConsultation } from "~/modules/consultations/service.server";
import { meetingFormSchema } from "~/modules/scheduling/schema";
import { editSlotRows, MAX_SLOT_ROWS, slotFields, slotRowsOf } from "~/modules/scheduling/slots";
import { previewSlots, proposeMeeting } from "~/modules/scheduling/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";
import type { RouteHandle } from "~/root";
import { TLP_MARKS } from "~/modules/threat-input/vocabulary";
import { namesAndOthers } from "~/lib/words";

export const meta: MetaFunction = () => [{ title: "Propose a meeting · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const consultation = orStatusPage(() => getConsultation(getDb(), parseId(params.consultationId)));
  return { viewer, consultation, timeZones: Intl.supportedValuesOf("timeZone") };
}

// The row buttons and the preview re-render the form from the server, so they work without JavaScript.
const INTENT = /^(propose|preview|add-slot|remove-slot|copy-slot)(?::(\d{1,2}))?$/;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const consultationId = parseId(params.consultationId);
  const values = formValues(await readForm(request, context));
  const [, verb = "propose", row] = INTENT.exec(String(values.intent ?? "propose")) ?? [];
  if (verb === "add-slot" || verb === "remove-slot" || verb === "copy-slot") {
    const edit = verb === "add-slot" ? ({ verb: "add" } as const) : { verb: verb === "remove-slot" ? ("remove" as const) : ("copy" as const), row: Number(row ?? -1) };
    return data({ ok: true as const, values: { ...values, ...slotFields(editSlotRows(slotRowsOf(values), edit)) }, preview: null });
  }
  const form = parseValues(meetingFormSchema, values);
  if (!form.ok) return data({ ...form, preview: null }, { status: 400 });
  const db = getDb();
  if (verb === "preview") {
    return data({ ok: true as const, values, preview: previewSlots(db, consultationId, form.data, viewer) });
  }
  // The poll goes to every invitee by email: one meeting and one set of mails per form sent.
  return answerOnce(request, viewer, form.values, () => {
    const id = proposeMeeting(db, consultationId, form.data, {
      userId: viewer.id,
      origin: requestOrigin(request, context),
      appUrl: getEnv().APP_URL,
    });
    return { location: `/meetings/${id}`, message: "The meeting is proposed: every invitee is asked by email when they can meet." };
  });
}

type Preview = ReturnType<typeof previewSlots>;

function SlotPreview({ preview }: { preview: Preview }) {
  return (
    <section className="card slot-preview" aria-labelledby="preview-title">
      <h2 id="preview-title">How each invitee will read the slots</h2>
      {preview.map((slot) => (
        <div key={slot.row} className="slot-preview__slot">
          <h3>
            Slot {slot.row + 1}: {slot.date} {slot.time}
          </h3>
          {slot.missing ? (
            <p className="field__error">This time does not exist there: the clocks go forward. Choose another.</p>
          ) : (
            <ul className="plain-list">
              {slot.zones.map((zone) => (
                <li key={zone.timeZone}>
                  <strong>{zone.local}</strong> <span className="muted small">for {namesAndOthers(zone.names, zone.people)}</span>
                  {zone.outsideHours ? <span className="badge badge--danger">outside 08:00–18:00</span> : null}{" "}
                  {zone.clockChangeBefore ? <span className="badge badge--muted">clocks change before then</span> : null}{" "}
                  {zone.clockChangeDuring ? <span className="badge badge--danger">clocks change during it</span> : null}
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}

export default function ProposeMeeting() {
  const { viewer, consultation, timeZones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const state = result as FormState;
  const rows = slotRowsOf(result?.values ?? {});
  return (
    <section className="narrow-wide" aria-labelledby="propose-title">
      <p className="eyebrow">{consultation.title}</p>
      <h1 id="propose-title">Propose a meeting</h1>
      <p className="muted">Invitees mark each slot yes, if need be, or no, in their own time zone; then you choose one.</p>
      {/* Re-mounted with each answer of the server, so that its fields show what came back. */}
      <ActionForm noValidate className="stack" key={JSON.stringify(result?.values ?? null)}>
        {/* Enter in a field proposes, as the last button does, rather than pressing the first row button. */}
        <button type="submit" name="intent" value="propose" className="visually-hidden" tabIndex={-1} aria-hidden="true">
          Propose
        </button>
        <FormErrorSummary state={result?.ok ? undefined : state} />
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
        <fieldset className="field slot-rows">
          <legend>Candidate slots</legend>
          <p className="field__hint">Empty rows are ignored. “Next day” copies a slot to the same time a day later.</p>
          <input type="hidden" name="slotRows" value={rows.length} />
          {rows.map((_, row) => (
            <div className="inline-fields slot-row" key={row}>
              <TextField name={`slot${row}Date`} label={`Slot ${row + 1} date`} type="date" state={state} />
              <TextField name={`slot${row}Time`} label={`Slot ${row + 1} start`} type="time" state={state} />
              <div className="slot-row__actions">
                <button className="button button--quiet" type="submit" name="intent" value={`copy-slot:${row}`} formNoValidate aria-label={`Copy slot ${row + 1} to the next day`}>
                  Next day
                </button>
                <button className="button button--quiet" type="submit" name="intent" value={`remove-slot:${row}`} formNoValidate aria-label={`Remove slot ${row + 1}`}>
                  Remove
                </button>
              </div>
            </div>
          ))}
          {rows.length < MAX_SLOT_ROWS ? (
            <button className="button button--secondary" type="submit" name="intent" value="add-slot" formNoValidate>
              Add a slot
            </button>
          ) : null}
        </fieldset>
        <div className="field">
          <label className="check">
            <input type="checkbox" name="attendeeListOpen" defaultChecked={state?.values?.attendeeListOpen === "on"} />
            Let invitees see each other&apos;s names (otherwise they see organisations only)
          </label>
        </div>
        {result && "preview" in result && result.preview ? <SlotPreview preview={result.preview} /> : null}
        <div className="actions">
          <button type="submit" className="button button--secondary" name="intent" value="preview">
            Preview in each invitee&apos;s time
          </button>
          <button type="submit" className="button" name="intent" value="propose">
            Propose and ask invitees
          </button>
        </div>
      </ActionForm>
    </section>
  );
}
