import { redirect } from "@remix-run/node";
import type { Role } from "../../../db/schema";
import { getDb } from "~/lib/db.server";
import { statusPage } from "~/lib/http.server";
import { clearedSessionCookieHeader, readSessionToken } from "~/lib/session.server";
import type { Account } from "../accounts/service.server";
import { resolveSession } from "./sessions.server";

/**
 * A page's loaders (the layout's and the route's) each ask who is viewing; they are given the
 * same Request, so the session is resolved once a page, not once a loader. Only for reads: an
 * action may sign someone in or out, and asks afresh.
 */
const viewersOfPages = new WeakMap<Request, Promise<Account | null>>();

export function getViewer(request: Request): Promise<Account | null> {
  const page = request.method === "GET" || request.method === "HEAD";
  const known = page ? viewersOfPages.get(request) : undefined;
  if (known) return known;
  const viewer = readSessionToken(request).then((token) => (token ? resolveSession(getDb(), token) : null));
  if (page) viewersOfPages.set(request, viewer);
  return viewer;
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
