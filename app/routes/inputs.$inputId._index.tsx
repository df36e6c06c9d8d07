import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { InputOutcome } from "~/components/input-outcome";
import { InputView } from "~/components/threat-input-view";
import { countryLabels } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm, type FormFailure } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { contributionsOf } from "~/modules/assessment/service.server";
import { requireRole, requireUser } from "~/modules/auth/guard.server";
import { correlationsForInput } from "~/modules/intel/correlation.server";
import { clearIndicatorWarning, clearWarningFormSchema } from "~/modules/intel/warnings.server";
import { gradeFormSchema, inputIntentSchema, messageFormSchema, rejectFormSchema } from "~/modules/threat-input/schema";
import {
  answerQuestion,
  askQuestion,
  decideTriage,
  gradeItem,
  viewInput,
} from "~/modules/threat-input/service.server";
import { answerChange, answerOnce } from "~/modules/submissions/answer.server";
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

export async function action({ request, params, context }: ActionFunctionArgs) {
  const id = parseId(params.inputId);
  const formData = await readForm(request, context);
  const values = formValues(formData);
  const intent = inputIntentSchema.safeParse(values.intent);
  if (!intent.success) return data<FormFailure>(formFailure(values, "Unknown action."), { status: 400 });
  const db = getDb();
  const origin = requestOrigin(request, context);
  const said = (message: string) => ({ location: `/inputs/${id}`, message });

  if (intent.data === "answer") {
    const viewer = await requireUser(request);
    const form = parseForm(messageFormSchema, formData);
    if (!form.ok) return data(form, { status: 400 });
    // A message and its notices are sent once, however often the button is pressed.
    return answerOnce(request, viewer, values, () => {
      answerQuestion(db, viewer, id, form.data.body, { userId: viewer.id, origin, appUrl: getEnv().APP_URL });
      return said("Your answer is sent. The analysts who asked are told by email.");
    });
  }

  const viewer = await requireRole(request, "analyst");
  const actor = { userId: viewer.id, origin, appUrl: getEnv().APP_URL };
  switch (intent.data) {
    case "accept":
      return answerChange(request, values, () => {
        decideTriage(db, viewer, id, { decision: "accept" }, actor);
        return said("The input is accepted: it counts in the draft editions over its consultation.");
      });
    case "reject": {
      const form = parseForm(rejectFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return answerChange(request, values, () => {
        decideTriage(db, viewer, id, { decision: "reject", reason: form.data.reason }, actor);
        return said("The input is rejected, with your reason: it counts nowhere.");
      });
    }
    case "ask": {
      const form = parseForm(messageFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return answerOnce(request, viewer, values, () => {
        askQuestion(db, viewer, id, form.data.body, actor);
        return said("Your question is sent. The organisation is told by email, and the input waits for its answer.");
      });
    }
    case "grade": {
      const form = parseForm(gradeFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return answerChange(request, values, () => {
        gradeItem(db, viewer, id, form.data, actor);
        return said("Your grade is saved beside the organisation's own.");
      });
    }
    case "clear-warning": {
      const form = parseForm(clearWarningFormSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      return answerChange(request, values, () => {
        clearIndicatorWarning(db, viewer, id, form.data, actor);
        return said("The value is cleared for export, with your reason: it leaves with exports and TAXII.");
      });
    }
  }
}

export default function InputPage() {
  const { viewer, view, countries, canTriage, reply, editLink, contributions, correlations } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const state = failure && !failure.ok ? failure : undefined;
  return (
    <>
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
