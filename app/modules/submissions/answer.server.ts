import { data, redirect } from "@remix-run/node";
import { getDb } from "~/lib/db.server";
import type { FormValues } from "~/lib/forms";
import { attempt } from "~/lib/http.server";
import { readSessionToken } from "~/lib/session.server";
import { setFlash, takeFlash } from "../auth/sessions.server";
import { submitOnce, type Answer } from "./service.server";

// How an action that worked answers: a redirect, and a message that the next page shows once.

/** Sends the person on, with the message kept in their session for the page they land on. */
export async function answer(request: Request, { location, message, status = 302 }: Answer): Promise<ReturnType<typeof redirect>> {
  const token = await readSessionToken(request);
  if (token) setFlash(getDb(), token, message);
  return redirect(location, status);
}

/** Runs an action's change and answers with its message; a refusal is the form's own, with what was typed kept. */
export async function answerChange(request: Request, values: FormValues, act: () => Answer) {
  const outcome = attempt(values, act);
  if (!outcome.ok) return data(outcome, { status: outcome.status ?? 400 });
  return answer(request, outcome.result);
}

/**
 * The action of a form that creates or sends something: `act` runs once per one-time key
 * (submitOnce), and every post of the form with that key gets the first answer, message and
 * all. A refusal is the form's own message: 400 for a missing key, 409 for the key sent again
 * with other content, or whatever `act` refused.
 */
export function answerOnce(request: Request, viewer: { id: number }, values: FormValues, act: () => Answer) {
  const intent = typeof values.intent === "string" && values.intent ? `#${values.intent}` : "";
  const form = `${new URL(request.url).pathname}${intent}`;
  return answerChange(request, values, () => submitOnce(getDb(), { userId: viewer.id, form, values }, act));
}

/** The message an action left for this page, if any: the root layout shows it, once. */
export async function takeMessage(request: Request) {
  const token = await readSessionToken(request);
  return token ? takeFlash(getDb(), token) : null;
}
