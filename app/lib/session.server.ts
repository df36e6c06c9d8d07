import { createCookie } from "@remix-run/node";
import { getEnv } from "./env.server";
import { singleton } from "./singleton.server";

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;

// The cookie only carries the random session token (signed); who it belongs to lives in the
// sessions table, so that sign-out and deactivation end a session on the server at once.
const sessionCookie = () =>
  singleton("session-cookie", () => {
    const env = getEnv();
    const secure = env.APP_URL.startsWith("https://");
    return createCookie(secure ? "__Host-tfc_session" : "tfc_session", {
      httpOnly: true,
      sameSite: "lax",
      secure,
      path: "/",
      secrets: [env.SESSION_SECRET],
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
  });

/** A request's headers do not change: its cookie is verified (an HMAC) once, however often asked. */
const tokensOfRequests = new WeakMap<Request, Promise<string | null>>();

export function readSessionToken(request: Request): Promise<string | null> {
  let token = tokensOfRequests.get(request);
  if (!token) {
    token = sessionCookie()
      .parse(request.headers.get("Cookie"))
      .then((value: unknown) => (typeof value === "string" && value.length > 0 ? value : null));
    tokensOfRequests.set(request, token);
  }
  return token;
}

export function sessionCookieHeader(token: string): Promise<string> {
  return sessionCookie().serialize(token);
}

export function clearedSessionCookieHeader(): Promise<string> {
  return sessionCookie().serialize("", { maxAge: 0 });
}
