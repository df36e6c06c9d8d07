import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { InputOutcome } from "~/components/input-outcome";
import { InputView } from "~/components/threat-input-view";
import { countryLabels } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm, type FormFailure } from "~/lib/forms";
import { attempt, orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { contributionsOf } from "~/modules/assessment/service.server";
import { requireRole, requireUser } from "~/modules/auth/guard.server";
import { correlationsForInput } from "~/modules/intel/correlation.server";
import { clearIndicatorWarning, clearWarningFormSchema } from "~/modules/intel/warnings.server";
import { gradeFormSchema, messageFormSchema, rejectFormSchema } from "~/modules/threat-input/schema";
import {
  answerQuestion,
  askQuestion,
  decideTriage,
  gradeItem,
  viewInput,
} from "~/modules/threat-input/service.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Threat input · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const db = getDb();
  const view = orStatusPage(() =>
    viewInput(db, viewer, parseId(params.inputId), { userId: viewer.id, origin: requestOrigin(request, context) }),
  );
  const own = view.own;
  const analyst = viewer.roles.includes("analyst");
  return {
    viewer,
    view,
    countries: countryLabels(view.items.flatMap((item) => item.countries)),
    // What other organisations reported of the same, for the analysts: counts and a search link.
    correlations: analyst ? correlationsForInput(db, viewer, view.input.id, view.items) : {},
    handlingMark: view.handlingMark,
    canTriage: analyst && view.input.status === "submitted",
    reply: own ? ("answer" as const) : analyst && view.input.status === "submitted" ? ("ask" as const) : null,
    editLink: own && !view.locked ? `/consultations/${view.consultation.id}/input` : null,
    contributions: own ? contributionsOf(db, viewer, view.input.id) : null,
  };
}

const intentSchema = z.enum(["accept", "reject", "ask", "answer", "grade", "clear-warning"]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const id = parseId(params.inputId);
  const formData = await readForm(request, context);
  const values = formValues(formData);
  const intent = intentSchema.safeParse(values.intent);
  if (!intent.success) return data<FormFailure>(formFailure(values, "Unknown action."), { status: 400 });
  const db = getDb();
  const origin = requestOrigin(request, context);
  const done = () => redirect(`/inputs/${id}`);

  if (intent.data === "answer") {
    const viewer = await requireUser(request);
    const form = parseForm(messageFormSchema, formData);
    if (!form.ok) return data(form, { status: 400 });
    const outcome = attempt(values, () =>
      answerQuestion(db, viewer, id, form.data.body, { userId: viewer.id, origin, appUrl: getEnv().APP_URL }),
    );
    return outcome.ok ? done() : data(outcome, { status: outcome.status ?? 400 });
  }

  const viewer = await requireRole(request, "analyst");
  const actor = { userId: viewer.id, origin, appUrl: getEnv().APP_URL };
  let outcome;
  switch (intent.data) {
    case "accept":
      outcome = attempt(values, () => decideTriage(db, viewer, id, { decision: "accept" }, actor));
      break;
    case "reject": {
      const form = parseForm(rejectFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      outcome = attempt(values, () => decideTriage(db, viewer, id, { decision: "reject", reason: form.data.reason }, actor));
      break;
    }
    case "ask": {
      const form = parseForm(messageFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      outcome = attempt(values, () => askQuestion(db, viewer, id, form.data.body, actor));
      break;
    }
    case "grade": {
      const form = parseForm(gradeFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      outcome = attempt(values, () => gradeItem(db, viewer, id, form.data, actor));
      break;
    }
    case "clear-warning": {
      const form = parseForm(clearWarningFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      outcome = attempt(values, () => clearIndicatorWarning(db, viewer, id, form.data, actor));
      break;
    }
  }
  return outcome.ok ? done() : data(outcome, { status: outcome.status ?? 400 });
}

export default function InputPage() {
  const { viewer, view, countries, canTriage, reply, editLink, contributions, correlations } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [params] = useSearchParams();
  const state = failure && !failure.ok ? failure : undefined;
  const submitted = params.get("submitted");
  return (
    <>
      {submitted ? (
        <p className="notice notice--success" role="status">
          Version {submitted} is submitted. The taskforce&apos;s analysts have been told; you can revise or withdraw it until the deadline.
        </p>
      ) : null}
      <InputView
        view={view}
        viewer={viewer}
        countries={countries}
        triage={{ state, canTriage }}
        correlations={correlations}
        editLink={editLink}
        reply={
          reply
            ? { intent: reply, label: reply === "ask" ? "Ask the organisation a question" : "Answer the taskforce", state }
            : undefined
        }
      />
      {contributions ? <InputOutcome contributions={contributions} viewer={viewer} /> : null}
    </>
  );
}
