import { Form, NavLink } from "@remix-run/react";
import type { Role } from "~/modules/accounts/vocabulary";
import { ROLE_LABELS } from "~/lib/labels";

type Viewer = { name: string; roles: Role[]; organisationName: string | null };

export function SiteHeader({ viewer, mailMode }: { viewer: Viewer | null; mailMode?: "smtp" | "mailbox" }) {
  return (
    <header className="site-header">
      <div className="site-header__inner">
        <a className="brand" href="/">
          <span className="brand__mark" aria-hidden="true">
            TC
          </span>
          <span className="brand__name">Taskforce Consult</span>
        </a>
        <nav aria-label="Main" className="main-nav">
          <ul>
            {viewer ? (
              <>
                <li>
                  <NavLink to="/" end>
                    Home
                  </NavLink>
                </li>
                {viewer.roles.some((role) => role !== "admin") ? (
                  <li>
                    <NavLink to="/consultations">Consultations</NavLink>
                  </li>
                ) : null}
                {viewer.roles.includes("analyst") ? (
                  <li>
                    <NavLink to="/triage">Triage</NavLink>
                  </li>
                ) : null}
                {viewer.roles.includes("analyst") || viewer.roles.includes("coordinator") ? (
                  <li>
                    <NavLink to="/assessments">Assessment</NavLink>
                  </li>
                ) : null}
                {viewer.roles.includes("admin") ? (
                  <li>
                    <NavLink to="/admin">Admin</NavLink>
                  </li>
                ) : null}
                <li>
                  <NavLink to="/settings">Settings</NavLink>
                </li>
              </>
            ) : (
              <li>
                <NavLink to="/login">Sign in</NavLink>
              </li>
            )}
            {mailMode === "mailbox" ? (
              <li>
                <NavLink to="/dev/mailbox">Demo mailbox</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        {viewer ? (
          <div className="who">
            <span className="who__name">{viewer.name}</span>
            <span className="who__detail">
              {viewer.roles.map((role) => ROLE_LABELS[role]).join(", ")}
              {viewer.organisationName ? ` · ${viewer.organisationName}` : ""}
            </span>
            <Form method="post" action="/logout" className="who__signout">
              <button type="submit" className="button button--quiet">
                Sign out
              </button>
            </Form>
          </div>
        ) : null}
      </div>
    </header>
  );
}
