import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { TRIAGE_STATES } from "~/modules/threat-input/vocabulary";
import { ActionForm } from "~/components/action-form";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { MeetingTime } from "~/components/meeting-time";
import { Pager } from "~/components/pager";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues } from "~/lib/forms";
import { parseId, requestOrigin, orStatusPage } from "~/lib/http.server";
import { CONSULTATION_STATUS_LABELS, CRIME_AREA_LABELS, MEETING_STATUS_LABELS } from "~/lib/labels";
import { counted } from "~/lib/words";
import { isStakeholder, isTaskforceStaff } from "~/modules/access/viewer";
import { requireRole, requireUser } from "~/modules/auth/guard.server";
import { consultationIntentSchema } from "~/modules/consultations/schema";
import {
  chosenOrganisationNames,
  closeConsultation,
  consultationInviteeCounts,
  consultationInviteeStates,
  meetingsOf,
  noteFirstView,
  openConsultation,
  viewConsultation,
} from "~/modules/consultations/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";
import { THREAT_INPUT_STATUS_LABELS, TRIAGE_STATE_LABELS } from "~/modules/threat-input/scales";
import {
  givesInput,
  inputCountsOfConsultation,
  inputProgressByOrganisation,
  inputsOfConsultation,
  ownInputStates,
} from "~/modules/threat-input/service.server";
import { consultationPageSchema } from "~/modules/consultations/schema";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Consultation · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const db = getDb();
  const consultation = orStatusPage(() => viewConsultation(db, viewer, parseId(params.consultationId)));
  noteFirstView(db, viewer, consultation.id, requestOrigin(request, context));
  const staff = isTaskforceStaff(viewer);
  const at = consultationPageSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const progress = staff ? inputProgressByOrganisation(db, viewer, consultation.id) : null;
  const invitees = progress ? consultationInviteeStates(db, consultation.id, at.invitees) : null;
  return {
    viewer,
    consultation,
    canManage: viewer.roles.includes("coordinator"),
    organisations: chosenOrganisationNames(db, consultation.id),
    invitees:
      progress && invitees
        ? {
            counts: consultationInviteeCounts(db, consultation.id),
            next: invitees.next,
            rows: invitees.rows.map((invitee) => ({
              ...invitee,
              input: invitee.organisationId === null ? undefined : progress.get(invitee.organisationId),
            })),
          }
        : null,
    inputs: staff
      ? { counts: inputCountsOfConsultation(db, viewer, consultation.id), ...inputsOfConsultation(db, viewer, consultation.id, at.inputs) }
      : null,
    ownInput: isStakeholder(viewer) && givesInput(db, viewer, consultation.id) ? (ownInputStates(db, viewer, [consultation.id]).get(consultation.id) ?? null) : undefined,
    invitedByNameOnly: isStakeholder(viewer) && !givesInput(db, viewer, consultation.id),
    meetings: meetingsOf(db, consultation.id, at.meetings),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(request, "coordinator");
  const id = parseId(params.consultationId);
  const values = formValues(await readForm(request, context));
  const intent = consultationIntentSchema.safeParse(values.intent);
  if (!intent.success) return data(formFailure({}, "Unknown action."), { status: 400 });
  const actor = { userId: viewer.id, origin: requestOrigin(request, context), appUrl: getEnv().APP_URL };
  const db = getDb();
  const location = `/consultations/${id}`;
  // Opening sends the invitations, once however often the button is pressed; a second close
  // would be refused, so a double click is answered as the first.
  return answerOnce(request, viewer, values, () => {
    if (intent.data === "close") {
      closeConsultation(db, id, actor);
      return { location, message: "The consultation is closed: its input can no longer be changed." };
    }
    const invited = openConsultation(db, id, actor);
    return { location, message: `The consultation is open: ${counted(invited, "invitation")} on the way by email.` };
  });
}

const STATE_LABELS = { chosen: "Chosen (not yet invited)", invited: "Invited", viewed: "Viewed" } as const;
const INPUT_LABELS = { drafted: "Input drafted", submitted: "Input submitted", withdrawn: "Input withdrawn" } as const;

export default function ConsultationPage() {
  const { viewer, consultation, canManage, organisations, invitees, inputs, ownInput, invitedByNameOnly, meetings } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <p className="eyebrow">
          Consultation · <span className={`badge badge--${consultation.status}`}>{CONSULTATION_STATUS_LABELS[consultation.status]}</span>
        </p>
        <h1>{consultation.title}</h1>
        <p className="muted">
          {consultation.crimeAreas.map((area) => CRIME_AREA_LABELS[area]).join(" · ")}
        </p>
        <p>
          Input deadline: <strong><LocalTime at={consultation.inputDeadline} viewer={viewer} /></strong>
        </p>
      </header>
      {failure?.formError ? (
        <p className="notice notice--error" role="alert">
          {failure.formError}
        </p>
      ) : null}
      {canManage ? (
        <div className="actions">
          {consultation.status !== "closed" ? (
            <Link className="button button--secondary" to="edit">
              Edit
            </Link>
          ) : null}
          {consultation.status === "draft" ? (
            <ActionForm>
              <button className="button" type="submit" name="intent" value="open">
                Open and send invitations
              </button>
            </ActionForm>
          ) : null}
          {consultation.status === "open" ? (
            <>
              <Link className="button" to="meetings/new">
                Propose a meeting
              </Link>
              <ActionForm>
                <button className="button button--danger" type="submit" name="intent" value="close">
                  Close (stop new input)
                </button>
              </ActionForm>
            </>
          ) : null}
        </div>
      ) : null}
      {consultation.description ? <p className="prose">{consultation.description}</p> : null}

      {ownInput !== undefined ? (
        <section aria-labelledby="own-input-title" className="section card">
          <h2 id="own-input-title">Your organisation&apos;s threat input</h2>
          {ownInput && ownInput.status !== "draft" ? (
            <p>
              {THREAT_INPUT_STATUS_LABELS[ownInput.status]}
              {ownInput.status === "submitted" ? ` · ${TRIAGE_STATE_LABELS[ownInput.triageState]}` : ""} ·{" "}
              <Link to={`/inputs/${ownInput.id}`}>See it</Link>
              {consultation.status === "open" ? (
                <>
                  {" "}
                  · <Link to="input">Revise it</Link>
                </>
              ) : null}
            </p>
          ) : consultation.status === "open" ? (
            <p>
              <Link className="button" to="input">
                {ownInput ? "Continue your draft" : "Give your input"}
              </Link>
            </p>
          ) : (
            <p className="muted">Your organisation gave no input.</p>
          )}
        </section>
      ) : null}

      {invitedByNameOnly ? (
        <p className="notice">
          You are invited in person, to the meetings. Threat input is given by the organisations invited to the consultation, and
          yours is not among them.
        </p>
      ) : null}

      {inputs ? (
        <section aria-labelledby="inputs-title" className="section">
          <h2 id="inputs-title">Threat input</h2>
          <p>
            <strong>{inputs.counts.submitted}</strong> {inputs.counts.submitted === 1 ? "input is" : "inputs are"} in
            {inputs.counts.withdrawn ? ` (and ${inputs.counts.withdrawn} withdrawn)` : ""}.
            {viewer.roles.includes("analyst") && inputs.rows.length > 0 ? (
              <>
                {" "}
                <Link to={`/triage?consultationId=${consultation.id}`}>Triage them</Link>
              </>
            ) : null}
          </p>
          {inputs.counts.submitted > 0 ? (
            <dl className="figures">
              {TRIAGE_STATES.map((state) => (
                <div key={state}>
                  <dt>{TRIAGE_STATE_LABELS[state]}</dt>
                  <dd>{inputs.counts[state]}</dd>
                </div>
              ))}
            </dl>
          ) : null}
          {inputs.rows.length > 0 ? (
            <div className="table-wrap" {...scrollRegion("Threat input in, newest first")}>
              <table className="stacked-table">
                <caption className="visually-hidden">Threat input in, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Input</th>
                    <th scope="col">State</th>
                    <th scope="col">Submitted</th>
                  </tr>
                </thead>
                <tbody>
                  {inputs.rows.map((input) => (
                    <tr key={input.id}>
                      <td>
                        <Link to={`/inputs/${input.id}`}>Input {input.id}</Link> · v{input.version}
                      </td>
                      <td data-label="State" className="stacked-table__key">
                        {input.status === "withdrawn" ? THREAT_INPUT_STATUS_LABELS.withdrawn : TRIAGE_STATE_LABELS[input.triageState]}
                      </td>
                      <td data-label="Submitted">{input.submittedAt ? <LocalTime at={input.submittedAt} viewer={viewer} /> : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <Pager next={inputs.next} param="inputs" label="Pages of threat input" nextLabel="Older input" />
        </section>
      ) : null}

      <section aria-labelledby="meetings-title" className="section">
        <h2 id="meetings-title">Meetings</h2>
        {meetings.rows.length === 0 ? (
          <EmptyState title="No meetings yet." />
        ) : (
          <>
            <p className="small">{counted(meetings.total, "meeting")}, newest first.</p>
            <ul className="plain-list">
              {meetings.rows.map((meeting) => (
                <li key={meeting.id}>
                  <Link to={`/meetings/${meeting.id}`}>{meeting.title}</Link> ·{" "}
                  <span className={`badge badge--${meeting.status}`}>{MEETING_STATUS_LABELS[meeting.status]}</span>
                  {meeting.startsAt && meeting.endsAt ? (
                    <>
                      {" "}
                      · <MeetingTime start={meeting.startsAt} end={meeting.endsAt} viewer={viewer} />
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        )}
        <Pager next={meetings.next} param="meetings" label="Pages of meetings" nextLabel="Older meetings" />
      </section>

      <section aria-labelledby="organisations-title" className="section">
        <h2 id="organisations-title">Invited organisations</h2>
        {organisations.total === 0 ? (
          <EmptyState title="No organisations chosen." />
        ) : (
          <p>
            {organisations.first.map((organisation) => organisation.name).join(" · ")}
            {organisations.total > organisations.first.length
              ? ` · and ${counted(organisations.total - organisations.first.length, "other")}`
              : ""}
          </p>
        )}
      </section>

      {invitees ? (
        <section aria-labelledby="invitees-title" className="section">
          <h2 id="invitees-title">Invitees</h2>
          <dl className="figures">
            {(["chosen", "invited", "viewed"] as const).map((state) => (
              <div key={state}>
                <dt>{STATE_LABELS[state]}</dt>
                <dd>{invitees.counts[state]}</dd>
              </div>
            ))}
          </dl>
          {invitees.rows.length === 0 ? (
            <EmptyState title="Nobody is invited yet.">Invitations go out when the consultation opens.</EmptyState>
          ) : (
            <div className="table-wrap" {...scrollRegion("Invitees and how far each has got")}>
              <table className="stacked-table">
                <caption className="visually-hidden">Invitees and how far each has got, by name</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Organisation</th>
                    <th scope="col">State</th>
                    <th scope="col">Since</th>
                  </tr>
                </thead>
                <tbody>
                  {invitees.rows.map((invitee) => (
                    <tr key={invitee.userId}>
                      <td>{invitee.name}</td>
                      <td data-label="Organisation">{invitee.organisationName ?? "Taskforce"}</td>
                      <td data-label="State" className="stacked-table__key">
                        {invitee.input ? INPUT_LABELS[invitee.input] : STATE_LABELS[invitee.state]}
                      </td>
                      <td data-label="Since">
                        {invitee.viewedAt ? (
                          <LocalTime at={invitee.viewedAt} viewer={viewer} />
                        ) : invitee.invitedAt ? (
                          <LocalTime at={invitee.invitedAt} viewer={viewer} />
                        ) : (
                          "—"
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager next={invitees.next} param="invitees" label="Pages of invitees" />
        </section>
      ) : null}
    </>
  );
}
