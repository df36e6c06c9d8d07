import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { auditActionLabel } from "~/lib/labels";
import { requireUser } from "~/modules/auth/guard.server";
import { homeFor } from "~/modules/home/service.server";
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
        {home.roles.includes("stakeholder") ? (
          <section className="card" aria-labelledby="stakeholder-title">
            <h2 id="stakeholder-title">Your consultations</h2>
            <EmptyState title="No open consultations for your organisation.">
              When the taskforce invites {viewer.organisationName ?? "your organisation"} to a consultation, its
              meetings and input forms appear here, and you are told by email.
            </EmptyState>
          </section>
        ) : null}
        {home.roles.includes("coordinator") ? (
          <section className="card" aria-labelledby="coordinator-title">
            <h2 id="coordinator-title">Consultations you run</h2>
            <EmptyState title="No consultations yet.">
              Consultation rounds, their invitees and meeting polls will be listed here.
            </EmptyState>
          </section>
        ) : null}
        {home.roles.includes("analyst") ? (
          <section className="card" aria-labelledby="analyst-title">
            <h2 id="analyst-title">Inputs waiting for triage</h2>
            <EmptyState title="Nothing waiting.">Submitted threat input will queue here for grading.</EmptyState>
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
            {home.admin.mail.dead > 0 ? (
              <p className="notice notice--error">
                Some messages could not be delivered. <Link to="/admin/outbox">Review the outbox</Link>.
              </p>
            ) : null}
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
