import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CONSULTATION_STATUSES } from "~/modules/consultations/vocabulary";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { MailTrouble } from "~/components/mail-trouble";
import { getDb } from "~/lib/db.server";
import { auditActionLabel, CONSULTATION_STATUS_LABELS } from "~/lib/labels";
import { MeetingTime } from "~/components/meeting-time";
import { counted } from "~/lib/words";
import { requireUser } from "~/modules/auth/guard.server";
import { homeFor } from "~/modules/home/service.server";
import { THREAT_INPUT_STATUS_LABELS, TRIAGE_STATE_LABELS } from "~/modules/threat-input/scales";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Home · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:GREEN" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  return { viewer, home: homeFor(getDb(), viewer) };
}

export default function Home() {
  const { viewer, home } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <h1>Welcome, {viewer.name}</h1>
        <p className="muted">
          {viewer.organisationName ?? "Taskforce staff"} · times shown in {viewer.timeZone} (
          <Link to="/settings">change</Link>)
        </p>
      </header>
      <div className="grid">
        {home.meetings ? (
          <section className="card" aria-labelledby="meetings-title">
            <h2 id="meetings-title">Upcoming meetings</h2>
            {home.meetings.scheduled.length === 0 ? (
              <EmptyState title="No meetings scheduled." />
            ) : (
              <>
                <p className="small">
                  {counted(home.meetings.counts.scheduled, "meeting")} to come
                  {home.meetings.counts.scheduled > home.meetings.scheduled.length ? "; the next:" : ":"}
                </p>
                <ul className="plain-list">
                  {home.meetings.scheduled.map((meeting) => (
                    <li key={meeting.id}>
                      <Link to={`/meetings/${meeting.id}`}>{meeting.title}</Link>
                      <div className="muted small">
                        <MeetingTime start={meeting.startsAt!} end={meeting.endsAt!} viewer={viewer} />
                      </div>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {home.meetings.polls.length > 0 ? (
              <>
                <h3>{home.roles.includes("stakeholder") ? "Polls waiting for your answer" : "Polls you run"}</h3>
                <p className="small">
                  {counted(home.meetings.counts.polls, "poll")} open
                  {home.meetings.counts.polls > home.meetings.polls.length ? "; the oldest:" : ":"}
                </p>
                <ul className="plain-list">
                  {home.meetings.polls.map((poll) => (
                    <li key={poll.id}>
                      <Link to={`/meetings/${poll.id}`}>{poll.title}</Link>
                      <span className="muted small">
                        {" "}
                        · {poll.consultationTitle}
                        {home.roles.includes("stakeholder") ? (poll.answered ? " · answered" : " · not answered yet") : ""}
                      </span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>
        ) : null}
        {home.consultations ? (
          <section className="card" aria-labelledby="consultations-title">
            <h2 id="consultations-title">
              {home.roles.includes("stakeholder") ? "Your consultations" : "Current consultations"}
            </h2>
            <dl className="figures">
              {CONSULTATION_STATUSES.filter((status) => status !== "draft" || home.consultations!.counts.draft > 0).map((status) => (
                <div key={status}>
                  <dt>{CONSULTATION_STATUS_LABELS[status]}</dt>
                  <dd>
                    <Link to={`/consultations?status=${status}`}>{home.consultations!.counts[status]}</Link>
                  </dd>
                </div>
              ))}
            </dl>
            {home.consultations.open.length === 0 ? (
              <EmptyState title="No open consultations.">
                {home.roles.includes("coordinator") ? (
                  <Link to="/consultations/new">Create a consultation</Link>
                ) : (
                  `When the taskforce invites ${viewer.organisationName ?? "you"} to a consultation, it appears here and you are told by email.`
                )}
              </EmptyState>
            ) : (
              <>
                <h3>Open, newest first</h3>
                <ul className="plain-list">
                  {home.consultations.open.map((consultation) => (
                    <li key={consultation.id}>
                      <Link to={`/consultations/${consultation.id}`}>{consultation.title}</Link>
                      <div className="muted small">
                        Input due <LocalTime at={consultation.inputDeadline} viewer={viewer} />
                        {home.roles.includes("stakeholder") ? (
                          <>
                            {" "}
                            ·{" "}
                            {consultation.input && consultation.input.status !== "draft" ? (
                              <Link to={`/inputs/${consultation.input.id}`}>
                                input {THREAT_INPUT_STATUS_LABELS[consultation.input.status].toLowerCase()}
                                {consultation.input.status === "submitted"
                                  ? `, ${TRIAGE_STATE_LABELS[consultation.input.triageState].toLowerCase()}`
                                  : ""}
                              </Link>
                            ) : (
                              <Link to={`/consultations/${consultation.id}/input`}>
                                {consultation.input ? "continue your draft input" : "give your input"}
                              </Link>
                            )}
                          </>
                        ) : null}
                      </div>
                    </li>
                  ))}
                </ul>
                {home.consultations.counts.open > home.consultations.open.length ? (
                  <p>
                    <Link to="/consultations?status=open">All {counted(home.consultations.counts.open, "open consultation")}</Link>
                  </p>
                ) : null}
              </>
            )}
          </section>
        ) : null}
        {home.awaitingTriage !== null ? (
          <section className="card" aria-labelledby="triage-title">
            <h2 id="triage-title">Threat input</h2>
            {home.awaitingTriage === 0 ? (
              <EmptyState title="Nothing waits for triage." />
            ) : (
              <p>
                <strong>{home.awaitingTriage}</strong> {home.awaitingTriage === 1 ? "input waits" : "inputs wait"} for triage.
              </p>
            )}
            <p>
              <Link to="/triage?state=new">Open the triage queue</Link>
            </p>
          </section>
        ) : null}
        {home.admin ? (
          <section className="card" aria-labelledby="admin-title">
            <h2 id="admin-title">Administration</h2>
            <dl className="figures">
              <div>
                <dt>Active accounts</dt>
                <dd>{home.admin.activeAccounts}</dd>
              </div>
              <div>
                <dt>Active organisations</dt>
                <dd>{home.admin.activeOrganisations}</dd>
              </div>
              <div>
                <dt>Mail waiting</dt>
                <dd>{home.admin.mail.pending}</dd>
              </div>
              <div className={home.admin.mail.dead > 0 ? "figure--alert" : undefined}>
                <dt>Mail given up</dt>
                <dd>{home.admin.mail.dead}</dd>
              </div>
            </dl>
            <MailTrouble mail={home.admin.mail} />
            <h3>Latest activity</h3>
            <ul className="plain-list">
              {home.admin.recentAudit.map((event) => (
                <li key={event.id}>
                  <LocalTime at={event.at} viewer={viewer} /> · {auditActionLabel(event.action)}
                  {event.actorName ? ` · ${event.actorName}` : ""}
                </li>
              ))}
            </ul>
            <p>
              <Link to="/admin/audit">Full audit log</Link>
            </p>
          </section>
        ) : null}
      </div>
    </>
  );
}
