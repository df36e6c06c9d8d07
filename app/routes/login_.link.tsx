import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { getDb } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { readForm } from "~/lib/form-reader.server";
import { parseForm } from "~/lib/forms";
import { requestOrigin } from "~/lib/http.server";
import { readSessionToken, sessionCookieHeader } from "~/lib/session.server";
import { signInLinkSchema } from "~/modules/auth/schema";
import { endSession } from "~/modules/auth/sessions.server";
import { inspectSignInLink, redeemSignInLink } from "~/modules/auth/sign-in.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Taskforce Consult" }];

// Mail scanners open every link in a message with GET and HEAD: this page only looks at the
// link; the token is used by the POST of the button below, which no scanner sends.
export function loader({ request }: LoaderFunctionArgs) {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const link = signInLinkSchema.safeParse(params);
  if (!link.success) {
    return data({ valid: false as const, message: "This sign-in link is not complete. Ask for a new one." }, { status: 400 });
  }
  const state = inspectSignInLink(getDb(), link.data.token);
  if (!state.valid) return data({ valid: false as const, message: state.message }, { status: 410 });
  return { valid: true as const, token: link.data.token, redirectTo: link.data.redirectTo };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(signInLinkSchema, await readForm(request, context));
  if (!form.ok) return data({ message: "This sign-in link is not complete. Ask for a new one." }, { status: 400 });
  const origin = requestOrigin(request, context);
  const db = getDb();
  try {
    const { sessionToken } = redeemSignInLink(db, {
      token: form.data.token,
      origin,
      browserTimeZone: form.data.timeZone,
    });
    // A fresh session on every sign-in; whatever session this browser had before ends here.
    const previous = await readSessionToken(request);
    if (previous) endSession(db, previous, origin);
    return redirect(form.data.redirectTo, {
      headers: { "Set-Cookie": await sessionCookieHeader(sessionToken) },
    });
  } catch (error) {
    if (error instanceof AppError) return data({ message: error.message }, { status: error.status });
    throw error;
  }
}

/** The browser's time zone, for a first guess of the person's own (JavaScript only). */
function BrowserTimeZone() {
  const [zone, setZone] = useState("");
  useEffect(() => setZone(Intl.DateTimeFormat().resolvedOptions().timeZone), []);
  return zone ? <input type="hidden" name="timeZone" value={zone} /> : null;
}

function LinkProblem({ message }: { message: string }) {
  return (
    <section className="narrow card" aria-labelledby="link-title">
      <h1 id="link-title">This link cannot sign you in</h1>
      <p>{message}</p>
      <p>
        <a className="button" href="/login">
          Ask for a new link
        </a>
      </p>
    </section>
  );
}

export default function SignInLink() {
  const link = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  if (failure) return <LinkProblem message={failure.message} />;
  if (!link.valid) return <LinkProblem message={link.message} />;
  return (
    <section className="narrow card" aria-labelledby="link-title">
      <h1 id="link-title">Sign in to Taskforce Consult</h1>
      <p>Press the button to finish signing in on this device.</p>
      <Form method="post">
        <input type="hidden" name="token" value={link.token} />
        <input type="hidden" name="redirectTo" value={link.redirectTo} />
        <BrowserTimeZone />
        <button type="submit" className="button">
          Sign in
        </button>
      </Form>
    </section>
  );
}
