import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { z } from "zod";
import { EmptyState } from "~/components/empty-state";
import { FindButton, FormErrorSummary, SelectField, TextAreaField, TextField, type FormState } from "~/components/form-fields";
import { MeetingTime } from "~/components/meeting-time";
import { VoteBar } from "~/components/vote-bar";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm, searchStep } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { MEETING_STATUS_LABELS, RSVP_LABELS, VOTE_LABELS } from "~/lib/labels";
import { formatTimeRange, localDateTime } from "~/lib/time";
import { counted, namesAndOthers } from "~/lib/words";
import { requireRole, requireUser } from "~/modules/auth/guard.server";
import {
  actionItemDoneSchema,
  actionItemFormSchema,
  finaliseFormSchema,
  meetingIntentSchema,
  meetingPageSchema,
  ownerSearchSchema,
  recordFormSchema,
  rescheduleFormSchema,
  rsvpFormSchema,
  voteFormSchema,
} from "~/modules/scheduling/schema";
import {
  addActionItem,
  assertFinaliseConfirmed,
  cancelMeeting,
  castVotes,
  finaliseMeeting,
  meetingRecord,
  OWNER_CHOICES_SHOWN,
  ownerChoices,
  pollOverview,
  recordMeeting,
  remindSilentInvitees,
  rescheduleMeeting,
  respondToMeeting,
  rsvpOverview,
  setActionItemDone,
  setAttendeeListOpen,
  viewMeeting,
} from "~/modules/scheduling/service.server";
import { answerChange, answerOnce } from "~/modules/submissions/answer.server";
import { RSVP_RESPONSES, VOTE_ANSWERS, type RsvpResponse } from "~/modules/scheduling/vocabulary";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";
import { Pager } from "~/components/pager";

export const meta: MetaFunction = () => [{ title: "Meeting · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const db = getDb();
  const id = parseId(params.meetingId);
  const address = new URL(request.url).searchParams;
  const at = meetingPageSchema.parse(Object.fromEntries(address));
  const now = new Date();
  const view = orStatusPage(() => viewMeeting(db, viewer, id, now, { invited: at.invited }));
  const manages = viewer.roles.includes("coordinator");
  const hasStarted = !!view.meeting.startsAt && view.meeting.startsAt.getTime() <= now.getTime();
  return {
    viewer,
    ...view,
    handlingMark: view.meeting.tlp,
    manages,
    hasStarted,
    coordinator: manages ? coordinatorPanel(view.meeting, hasStarted, at.answers, address, now) : null,
  };
}

/**
 * What the coordinator's part of the page shows: the poll while it runs, the answers to the
 * invitation once the time is set, each a page of invitees (on the `answers` cursor), the record,
 * and once the meeting has begun the owners its action item form offers (found by name with its
 * Find step). Each is read only while the page shows it.
 */
function coordinatorPanel(
  meeting: { id: number; status: string; startsAt: Date | null; timeZone: string },
  hasStarted: boolean,
  answers: string | undefined,
  address: URLSearchParams,
  now: Date,
) {
  const db = getDb();
  const { id, status } = meeting;
  const rsvps = status === "scheduled" ? rsvpOverview(db, id, answers) : null;
  const ownerSearch = rsvps && hasStarted ? searchStep(address, ownerSearchSchema) : null;
  return {
    poll: status === "polling" ? pollOverview(db, id, now, answers) : null,
    rsvps,
    record: rsvps ? meetingRecord(db, id, rsvps.people.rows.map((person) => person.id)) : null,
    owners: rsvps && hasStarted ? ownerChoices(db, id, { named: ownerSearch?.query.findOwner, chosen: ownerSearch?.query.ownerUserId[0] }) : null,
    ownerSearch: ownerSearch ? { values: ownerSearch.values } : undefined,
    timeZones: Intl.supportedValuesOf("timeZone"),
    current: meeting.startsAt ? localDateTime(meeting.startsAt, meeting.timeZone) : null,
  };
}

type Intent = z.infer<typeof meetingIntentSchema>;

const RSVP_SAID: Record<RsvpResponse, string> = { accepted: "you will attend", tentative: "you may attend", declined: "you will not attend" };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const id = parseId(params.meetingId);
  const formData = await readForm(request, context);
  const values = formValues(formData);
  const intent = meetingIntentSchema.safeParse(values.intent);
  if (!intent.success) return data(formFailure(values, "Unknown action."), { status: 400 });
  const db = getDb();
  const location = `/meetings/${id}`;
  const said = (message: string) => ({ location, message });

  if (intent.data === "vote" || intent.data === "rsvp") {
    const viewer = await requireUser(request);
    if (intent.data === "vote") {
      const answers = Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith("slot-")));
      const form = voteFormSchema.safeParse(answers);
      if (!form.success) return data(formFailure(values, "Answer each slot with yes, if need be, or no."), { status: 400 });
      const parsed = Object.entries(form.data).map(([key, answer]) => ({ slotId: Number(key.slice(5)), answer }));
      return answerChange(request, values, () => {
        castVotes(db, viewer, id, parsed);
        return said("Your answers are saved. You can change them until the time is chosen.");
      });
    }
    const form = parseForm(rsvpFormSchema, formData);
    if (!form.ok) return data(form, { status: 400 });
    return answerChange(request, values, () => {
      respondToMeeting(db, viewer, id, form.data.response, getEnv().APP_URL);
      return said(`Your answer is saved: ${RSVP_SAID[form.data.response]}. You can change it.`);
    });
  }

  const viewer = await requireRole(request, "coordinator");
  const actor = { userId: viewer.id, origin: requestOrigin(request, context), appUrl: getEnv().APP_URL };
  // What creates or sends something runs once per one-time key: a repeat gets the first answer.
  const once = (act: () => { location: string; message: string }) => answerOnce(request, viewer, values, act);
  switch (intent.data satisfies Intent) {
    case "remind":
      return once(() => said(`${counted(remindSilentInvitees(db, id, actor), "reminder")} sent by email.`));
    case "finalise": {
      const form = parseForm(finaliseFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return once(() => {
        assertFinaliseConfirmed(db, id, form.data.confirmed);
        finaliseMeeting(db, id, form.data.slotId, actor);
        return said("The time is set: everyone invited is sent the invitation by email, with the calendar file.");
      });
    }
    case "reschedule": {
      const form = parseForm(rescheduleFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return once(() => {
        rescheduleMeeting(db, id, form.data, actor);
        return said("The meeting is moved: everyone invited is told by email, and their calendars follow.");
      });
    }
    case "cancel":
      return once(() => {
        cancelMeeting(db, id, actor);
        return said("The meeting is cancelled: everyone invited is told by email.");
      });
    case "attendee-list":
      return answerChange(request, values, () => {
        const open = values.open === "true";
        setAttendeeListOpen(db, id, open);
        return said(open ? "Invitees now see each other's names." : "Invitees now see each other's organisations only.");
      });
    case "record": {
      const form = parseForm(recordFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return answerChange(request, values, () => {
        recordMeeting(db, id, form.data, actor);
        return said("The attendance and minutes are saved.");
      });
    }
    case "action-item": {
      const form = parseForm(actionItemFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return once(() => {
        addActionItem(db, id, form.data);
        return said(`Action item added: ${form.data.title}`);
      });
    }
    case "action-item-done": {
      const form = parseForm(actionItemDoneSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return answerChange(request, values, () => {
        setActionItemDone(db, id, form.data.itemId, form.data.done);
        return said(form.data.done ? "Action item marked done." : "Action item marked open again.");
      });
    }
  }
  return data(formFailure(values, "Unknown action."), { status: 400 });
}

/** Each form on the page shows only its own outcome. */
function stateFor(result: FormState, intent: Intent): FormState {
  return result?.values?.intent === intent ? result : undefined;
}

export default function MeetingPage() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as FormState;
  const { viewer, meeting, consultation, slots, slotFlags, myVotes, myRsvp, invited, participants, coordinator } = page;
  const flagsOf = (slotId: number) => slotFlags.find((flag) => flag.slotId === slotId);
  // A refusal whose form is not on the page with a place for it (the poll closed meanwhile, say)
  // is shown at the top, so that nobody is left without an answer.
  const formsOnPage = new Set<string>([
    ...(invited && meeting.status === "polling" ? ["vote"] : []),
    ...(invited && meeting.status === "scheduled" ? ["rsvp"] : []),
    ...(page.manages && meeting.status === "polling" ? ["finalise"] : []),
    ...(page.manages && meeting.status === "polling" && coordinator?.poll?.silent.count ? ["remind"] : []),
    ...(page.manages && meeting.status === "scheduled" ? (page.hasStarted ? ["record", "action-item"] : ["reschedule"]) : []),
    ...(page.manages && meeting.status !== "cancelled" && !page.hasStarted ? ["cancel"] : []),
  ]);
  const strayError =
    result?.formError && !formsOnPage.has(String(result.values?.intent ?? "")) ? result.formError : null;
  const where = [meeting.place, meeting.videoUrl].filter(Boolean);

  return (
    <>
      <header className="page-header">
        <p className="eyebrow">
          <Link to={`/consultations/${consultation.id}`}>{consultation.title}</Link> ·{" "}
          <span className={`badge badge--${meeting.status}`}>{MEETING_STATUS_LABELS[meeting.status]}</span>
          {page.manages ? ` · revision ${meeting.revision}` : null}
        </p>
        <h1>{meeting.title}</h1>
        {meeting.startsAt && meeting.endsAt ? (
          <p className="lead">
            <MeetingTime start={meeting.startsAt} end={meeting.endsAt} viewer={viewer} />
          </p>
        ) : (
          <p className="muted">{meeting.durationMinutes} minutes; the time is being chosen.</p>
        )}
        {meeting.status === "scheduled" ? (
          <p>
            <a className="button button--secondary" href={`/meetings/${meeting.id}/calendar.ics`} download>
              Add to my calendar (.ics)
            </a>
          </p>
        ) : null}
        {where.length ? (
          <p>
            {meeting.place ? <>Place: {meeting.place}. </> : null}
            {meeting.videoUrl ? (
              <>
                Video: <a href={meeting.videoUrl}>{meeting.videoUrl}</a>
              </>
            ) : null}
          </p>
        ) : null}
      </header>

      {strayError ? (
        <p className="notice notice--error" role="alert">
          {strayError}
        </p>
      ) : null}
      {meeting.status === "cancelled" ? (
        <p className="notice notice--warning">This meeting was cancelled.</p>
      ) : null}

      {meeting.agenda ? (
        <section aria-labelledby="agenda-title" className="section">
          <h2 id="agenda-title">Agenda</h2>
          <p className="prose">{meeting.agenda}</p>
        </section>
      ) : null}

      {invited && meeting.status === "polling" ? (
        <section aria-labelledby="vote-title" className="section card">
          <h2 id="vote-title">When can you meet?</h2>
          <p className="muted">Times in your zone, {viewer.timeZone}. You can change your answers until the time is chosen.</p>
          <ActionForm>
            <FormErrorSummary state={stateFor(result, "vote")} />
            <input type="hidden" name="intent" value="vote" />
            <div className="table-wrap" {...scrollRegion("Your answer for each proposed slot")}>
              <table className="stacked-table vote-table">
                <caption className="visually-hidden">Your answer for each proposed slot</caption>
                <thead>
                  <tr>
                    <th scope="col">Slot</th>
                    {VOTE_ANSWERS.map((answer) => (
                      <th scope="col" key={answer}>
                        {VOTE_LABELS[answer]}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {slots.map((slot) => (
                    <tr key={slot.id}>
                      <th scope="row">
                        <MeetingTime start={slot.startsAt} end={slot.endsAt} viewer={viewer} />
                        {flagsOf(slot.id)?.outsideMyHours ? (
                          <span className="flag">Outside your working hours</span>
                        ) : null}
                        {flagsOf(slot.id)?.clockChangeForMe ? (
                          <span className="flag">Your clocks change before this date</span>
                        ) : null}
                      </th>
                      {VOTE_ANSWERS.map((answer) => (
                        <td key={answer}>
                          {/* The whole label is the tap target; on a phone it shows the answer's word (data-label). */}
                          <label className="vote-choice" data-label={VOTE_LABELS[answer]}>
                            <input
                              type="radio"
                              name={`slot-${slot.id}`}
                              value={answer}
                              defaultChecked={myVotes[slot.id] === answer}
                              aria-label={`${VOTE_LABELS[answer]}: ${formatTimeRange(new Date(slot.startsAt), new Date(slot.endsAt), viewer)}`}
                            />
                          </label>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <button type="submit" className="button">
              Save my answers
            </button>
          </ActionForm>
        </section>
      ) : null}

      {invited && meeting.status === "scheduled" ? (
        <section aria-labelledby="rsvp-title" className="section card">
          <h2 id="rsvp-title">Will you attend?</h2>
          {myRsvp ? <p>Your answer: <strong>{RSVP_LABELS[myRsvp]}</strong>. You can change it.</p> : null}
          <ActionForm className="actions">
            <FormErrorSummary state={stateFor(result, "rsvp")} />
            <input type="hidden" name="intent" value="rsvp" />
            {RSVP_RESPONSES.map((response) => (
              <button
                key={response}
                type="submit"
                name="response"
                value={response}
                className={myRsvp === response ? "button" : "button button--secondary"}
                aria-pressed={myRsvp === response}
              >
                {RSVP_LABELS[response]}
              </button>
            ))}
          </ActionForm>
        </section>
      ) : null}

      <section aria-labelledby="participants-title" className="section">
        <h2 id="participants-title">Invited</h2>
        {participants.rows.length === 0 ? (
          <EmptyState title="Nobody is invited yet." />
        ) : (
          <ul className="plain-list columns">
            {participants.rows.map((participant) => (
              <li key={participant.key}>
                {participant.name ? `${participant.name} · ` : ""}
                {participant.organisationName ?? "Taskforce"}
              </li>
            ))}
          </ul>
        )}
        <Pager next={participants.next} param="invited" label="Pages of invitees" nextLabel="More invitees" />
      </section>

      {coordinator ? <CoordinatorPanel page={page} result={result} /> : null}
    </>
  );
}

function CoordinatorPanel({ page, result }: { page: ReturnType<typeof useLoaderData<typeof loader>>; result: FormState }) {
  const { viewer, meeting, hasStarted } = page;
  const coordinator = page.coordinator!;
  const { poll, rsvps } = coordinator;
  return (
    <section aria-labelledby="coordinator-title" className="section">
      <h2 id="coordinator-title">For the coordinator</h2>

      {poll ? (
        <>
          <h3>Best slots</h3>
          <FinaliseForm page={page} result={result} />

          <h3>Answers</h3>
          <p>
            {poll.answered} of {counted(poll.invited, "invitee")} answered.
          </p>
          {poll.grid.rows.length === 0 ? (
            <EmptyState title="Nobody is invited yet." />
          ) : (
            <div className="table-wrap" {...scrollRegion("Each invitee's answer per slot")}>
              <table className="grid-table stacked-table">
                <caption className="visually-hidden">Each invitee's answer per slot</caption>
                <thead>
                  <tr>
                    <th scope="col">Invitee</th>
                    {poll.slots.map((slot) => (
                      <th scope="col" key={slot.id}>
                        <MeetingTime start={slot.startsAt} end={slot.endsAt} viewer={viewer} />
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {poll.grid.rows.map((row) => (
                    <tr key={row.invitee.id}>
                      <th scope="row">
                        {row.invitee.name}
                        <div className="muted small">
                          {row.invitee.organisationName ?? "Taskforce"} · {row.invitee.timeZone}
                        </div>
                      </th>
                      {poll.slots.map((slot) => {
                        const answer = row.answers[slot.id];
                        return (
                          <td
                            key={slot.id}
                            className={answer ? `answer answer--${answer}` : "answer"}
                            data-label={formatTimeRange(new Date(slot.startsAt), new Date(slot.endsAt), viewer)}
                          >
                            {answer ? VOTE_LABELS[answer] : "—"}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager next={poll.grid.next} param="answers" label="Pages of answers" nextLabel="More answers" />

          <h3>Not answered yet</h3>
          {poll.silent.count === 0 ? (
            <p>Everyone has answered.</p>
          ) : (
            <ActionForm>
              <FormErrorSummary state={stateFor(result, "remind")} />
              <p>{namesAndOthers(poll.silent.first.map((person) => person.name), poll.silent.count)}</p>
              <input type="hidden" name="intent" value="remind" />
              <button type="submit" className="button button--secondary">
                Remind them by email ({poll.silent.count})
              </button>
            </ActionForm>
          )}
        </>
      ) : null}

      {rsvps ? (
        <>
          <h3>Answers to the invitation</h3>
          <p>
            {rsvps.counts.accepted} accepted · {rsvps.counts.tentative} maybe · {rsvps.counts.declined} declined ·{" "}
            {rsvps.counts.none} no answer
          </p>
          <ul className="plain-list columns">
            {rsvps.people.rows.map((person) => (
              <li key={person.id}>
                {person.name} ({person.organisationName ?? "Taskforce"}): {person.response ? RSVP_LABELS[person.response] : "no answer"}
              </li>
            ))}
          </ul>
          <Pager next={rsvps.people.next} param="answers" label="Pages of answers" nextLabel="More answers" />

          {!hasStarted ? (
            <>
              <h3>Move the meeting</h3>
              <ActionForm className="stack">
                <FormErrorSummary state={stateFor(result, "reschedule")} />
                <input type="hidden" name="intent" value="reschedule" />
                <div className="inline-fields">
                  <TextField name="date" label="New date" type="date" state={stateFor(result, "reschedule")} defaultValue={coordinator.current?.date} />
                  <TextField name="time" label="New start" type="time" state={stateFor(result, "reschedule")} defaultValue={coordinator.current?.time} />
                  <SelectField
                    name="timeZone"
                    label="Time zone"
                    state={stateFor(result, "reschedule")}
                    defaultValue={meeting.timeZone}
                    options={coordinator.timeZones.map((zone) => ({ value: zone, label: zone }))}
                  />
                </div>
                <button type="submit" className="button button--secondary">
                  Move and tell everyone
                </button>
              </ActionForm>
            </>
          ) : (
            <MeetingRecordForms page={page} result={result} />
          )}
        </>
      ) : null}

      {meeting.status !== "cancelled" ? (
        <div className="actions section">
          <ActionForm>
            <input type="hidden" name="intent" value="attendee-list" />
            <input type="hidden" name="open" value={meeting.attendeeListOpen ? "false" : "true"} />
            <button type="submit" className="button button--secondary">
              {meeting.attendeeListOpen ? "Hide invitees' names from each other" : "Show invitees each other's names"}
            </button>
          </ActionForm>
          {!hasStarted ? (
            <ActionForm>
              <FormErrorSummary state={stateFor(result, "cancel")} />
              <input type="hidden" name="intent" value="cancel" />
              <button type="submit" className="button button--danger">
                Cancel the meeting
              </button>
            </ActionForm>
          ) : null}
        </div>
      ) : null}

      {coordinator.record && coordinator.record.actionItems.length === 0 && !coordinator.record.recorded && !hasStarted ? (
        <p className="muted">Attendance, minutes and action items can be kept here once the meeting has started.</p>
      ) : null}
    </section>
  );
}

/**
 * Choosing the slot. Once everyone has answered, the button settles it; before, it leads to a
 * page of its own that says who has not answered and asks to confirm. Nothing is preselected
 * until someone has answered: the first slot of an unanswered poll is no recommendation.
 */
function FinaliseForm({ page, result }: { page: ReturnType<typeof useLoaderData<typeof loader>>; result: FormState }) {
  const { viewer, meeting } = page;
  const poll = page.coordinator!.poll!;
  const slotById = new Map(poll.slots.map((slot) => [slot.id, slot]));
  const everyoneAnswered = poll.silent.count === 0;
  const anyoneAnswered = poll.answered > 0;
  const choices = (
    <>
      <FormErrorSummary state={stateFor(result, "finalise")} />
      <ol className="ranking">
        {poll.ranking.map((tally, index) => {
          const slot = slotById.get(tally.slotId)!;
          return (
            <li key={tally.slotId}>
              <label className="check">
                <input type="radio" name="slotId" value={tally.slotId} required defaultChecked={anyoneAnswered && index === 0} />
                <span>
                  <MeetingTime start={slot.startsAt} end={slot.endsAt} viewer={viewer} />{" "}
                  <VoteBar yes={tally.yes} ifNeedBe={tally.ifNeedBe} no={tally.no} invited={poll.invited} /> {tally.yes} yes,{" "}
                  {tally.ifNeedBe} if need be, {tally.no} no
                </span>
              </label>
              {slot.outsideHoursIn.length ? (
                <span className="flag">
                  Outside working hours in {slot.outsideHoursIn.map((zone) => `${zone.timeZone} (${counted(zone.people, "invitee")})`).join(", ")}
                </span>
              ) : null}
              {slot.clockChangeIn.length ? <span className="flag">Clocks change before this date in {slot.clockChangeIn.join(", ")}</span> : null}
            </li>
          );
        })}
      </ol>
    </>
  );
  if (everyoneAnswered) {
    return (
      <ActionForm className="stack">
        <input type="hidden" name="intent" value="finalise" />
        {choices}
        <button type="submit" className="button" disabled={poll.ranking.length === 0}>
          Choose this slot and tell everyone
        </button>
      </ActionForm>
    );
  }
  return (
    <Form method="get" action={`/meetings/${meeting.id}/finalise`} className="stack">
      {choices}
      <p className="muted small">
        {counted(poll.silent.count, "invitee has", "invitees have")} not answered yet: the next page asks you to confirm before anyone is told.
      </p>
      <button type="submit" className="button" disabled={poll.ranking.length === 0}>
        Choose this slot…
      </button>
    </Form>
  );
}

function MeetingRecordForms({ page, result }: { page: ReturnType<typeof useLoaderData<typeof loader>>; result: FormState }) {
  const { meeting } = page;
  const coordinator = page.coordinator!;
  // Shown only for a meeting that has begun, for which the panel reads both.
  const record = coordinator.record!;
  const owners = coordinator.owners!;
  const people = coordinator.rsvps!.people;
  const invited = Object.values(coordinator.rsvps!.counts).reduce((sum, n) => sum + n, 0);
  const recordState = stateFor(result, "record");
  // After a Find, the form comes back with what was typed in it.
  const itemState = stateFor(result, "action-item") ?? coordinator.ownerSearch;
  return (
    <>
      <h3>Attendance and minutes</h3>
      <ActionForm className="stack">
        <FormErrorSummary state={recordState} />
        <input type="hidden" name="intent" value="record" />
        <fieldset className="field">
          <legend>Present</legend>
          <p className="field__hint">
            {counted(record.present, "person", "people")} present in all.
            {people.rows.length < invited ? " Saving keeps the boxes of the invitees listed here; those on the other pages of answers stay as they were saved." : ""}
          </p>
          <div className="checks">
            {people.rows.map((person) => (
              <label key={person.id} className="check">
                <input type="hidden" name="shown" value={person.id} />
                <input type="checkbox" name="attended" value={person.id} defaultChecked={record.attendance[person.id] ?? false} />
                {person.name}
              </label>
            ))}
          </div>
        </fieldset>
        <TextAreaField name="minutes" label="Minutes" rows={8} state={recordState} defaultValue={meeting.minutes ?? ""} />
        <button type="submit" className="button">
          Save the record
        </button>
      </ActionForm>

      <h3>Action items</h3>
      {record.actionItems.length === 0 ? (
        <EmptyState title="No action items yet." />
      ) : (
        <ul className="plain-list">
          {record.actionItems.map((item) => (
            <li key={item.id} className="action-item">
              <ActionForm className="inline-form">
                <input type="hidden" name="intent" value="action-item-done" />
                <input type="hidden" name="itemId" value={item.id} />
                <input type="hidden" name="done" value={item.done ? "false" : "true"} />
                <button type="submit" className="button button--quiet" aria-label={item.done ? `Mark "${item.title}" open` : `Mark "${item.title}" done`}>
                  {item.done ? "☑" : "☐"}
                </button>
              </ActionForm>
              <span className={item.done ? "done" : undefined}>{item.title}</span>
              <span className="muted small">
                {item.ownerName ? ` · ${item.ownerName}` : ""}
                {item.dueOn ? ` · due ${item.dueOn}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      <ActionForm className="stack">
        <FormErrorSummary state={itemState} />
        <input type="hidden" name="intent" value="action-item" />
        <TextField name="title" label="New action item" state={itemState} />
        <div className="inline-fields">
          <TextField
            name="findOwner"
            label="Find the owner by name"
            type="search"
            state={itemState}
            hint={owners.more ? `The first ${OWNER_CHOICES_SHOWN} invitees by name are listed: find the others by name.` : undefined}
          />
          <FindButton />
        </div>
        <div className="inline-fields">
          <SelectField
            name="ownerUserId"
            label="Owner"
            state={itemState}
            placeholder="Nobody yet"
            options={owners.offered.map((person) => ({ value: String(person.id), label: person.name }))}
          />
          <TextField name="dueOn" label="Due on" type="date" state={itemState} />
        </div>
        <button type="submit" className="button button--secondary">
          Add action item
        </button>
      </ActionForm>
    </>
  );
}
