import { redirect } from "@remix-run/node";
import type { Role } from "../../../db/schema";
import { getDb } from "~/lib/db.server";
import { statusPage } from "~/lib/http.server";
import { clearedSessionCookieHeader, readSessionToken } from "~/lib/session.server";
import type { Account } from "../accounts/service.server";
import { resolveSession } from "./sessions.server";

export async function getViewer(request: Request): Promise<Account | null> {
  const token = await readSessionToken(request);
  return token ? resolveSession(getDb(), token) : null;
}

/** Every loader and action of a signed-in page starts here; it sends strangers to /login. */
export async function requireUser(request: Request): Promise<Account> {
  const viewer = await getViewer(request);
  if (viewer) return viewer;
  const url = new URL(request.url);
  const redirectTo = request.method === "GET" ? `${url.pathname}${url.search}` : "/";
  throw redirect(`/login?${new URLSearchParams({ redirectTo })}`, {
    headers: { "Set-Cookie": await clearedSessionCookieHeader() },
  });
}

/** Like requireUser, and 403 unless the person holds one of these roles. */
export async function requireRole(request: Request, ...roles: Role[]): Promise<Account> {
  const viewer = await requireUser(request);
  if (!roles.some((role) => viewer.roles.includes(role))) {
    statusPage(403, "Your account does not have access to this page.");
  }
  return viewer;
}

/** A stakeholder acting for their organisation: every query they cause is scoped to it. */
export async function requireStakeholder(
  request: Request,
): Promise<Account & { organisationId: number }> {
  const viewer = await requireRole(request, "stakeholder");
  if (viewer.organisationId === null) statusPage(403, "Your account belongs to no organisation.");
  return { ...viewer, organisationId: viewer.organisationId };
}
