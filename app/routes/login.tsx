import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormErrorSummary, TextField } from "~/components/form-fields";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { parseForm } from "~/lib/forms";
import { attempt, requestOrigin } from "~/lib/http.server";
import { getViewer } from "~/modules/auth/guard.server";
import { redirectToField, signInRequestSchema } from "~/modules/auth/schema";
import { requestSignIn, SIGN_IN_LINK_MINUTES } from "~/modules/auth/sign-in.server";

export const meta: MetaFunction = () => [{ title: "Sign in · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = redirectToField.parse(new URL(request.url).searchParams.get("redirectTo") ?? undefined);
  if (await getViewer(request)) throw redirect(redirectTo);
  return { redirectTo };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = parseForm(signInRequestSchema, await readForm(request, context));
  if (!form.ok) return data(form, { status: 400 });
  const outcome = attempt(form.values, () =>
    requestSignIn(getDb(), {
      email: form.data.email,
      redirectTo: form.data.redirectTo,
      origin: requestOrigin(request, context),
      appUrl: getEnv().APP_URL,
    }),
  );
  if (!outcome.ok) return data(outcome, { status: 429 });
  // The same answer whether or not the address has an account.
  return { sent: true as const, email: form.data.email };
}

export default function Login() {
  const { redirectTo } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";

  if (result && "sent" in result) {
    return (
      <section className="narrow card" aria-labelledby="sent-title">
        <h1 id="sent-title">Check your email</h1>
        <p>
          If <strong>{result.email}</strong> belongs to an account, a sign-in link is on its way. It works once and
          for {SIGN_IN_LINK_MINUTES} minutes.
        </p>
        <p className="muted">Nothing after a few minutes? Check the spam folder, or ask for a new link.</p>
        <p>
          <a href={`/login?${new URLSearchParams({ redirectTo })}`}>Ask for a new link</a>
        </p>
      </section>
    );
  }

  const state = result && "ok" in result ? result : undefined;
  return (
    <section className="narrow card" aria-labelledby="login-title">
      <h1 id="login-title">Sign in</h1>
      <p>Enter your work email address. We will send you a link that signs you in: there is no password.</p>
      <Form method="post" noValidate>
        <FormErrorSummary state={state} />
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <TextField name="email" label="Email address" type="email" autoComplete="email" required state={state} />
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Sending…" : "Send me a sign-in link"}
        </button>
      </Form>
    </section>
  );
}
