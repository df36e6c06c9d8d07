import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/lib/db.server";
import { requestOrigin } from "~/lib/http.server";
import { clearedSessionCookieHeader, readSessionToken } from "~/lib/session.server";
import { endSession } from "~/modules/auth/sessions.server";

// Signing out changes state, so it is a POST only; a GET just goes home.
export const loader = () => redirect("/");

export async function action({ request, context }: ActionFunctionArgs) {
  const token = await readSessionToken(request);
  if (token) endSession(getDb(), token, requestOrigin(request, context));
  return redirect("/login", { headers: { "Set-Cookie": await clearedSessionCookieHeader() } });
}
