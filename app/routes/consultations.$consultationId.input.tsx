import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useFetcher,
  useLoaderData,
  useNavigation,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { useEffect, useRef } from "react";
import { ActionForm, SubmitKey } from "~/components/action-form";
import { FormErrorSummary } from "~/components/form-fields";
import { LocalTime } from "~/components/local-time";
import { KnownNameLists } from "~/components/item-advice";
import { itemFieldLabel, ThreatItemFieldset } from "~/components/threat-input-form";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { formFailure, formValues, parseValues, type FormFailure, type FormValues } from "~/lib/forms";
import { attempt, orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { readForm } from "~/lib/form-reader.server";
import { setAsideOversizedFiles } from "~/lib/uploads.server";
import { requireStakeholder } from "~/modules/auth/guard.server";
import { adviceFor, suggestionsFor, withPickedNames, type ItemAdvice } from "~/modules/intel/advice.server";
import { appendIndicators, importIndicatorFile, MAX_IMPORT_BYTES } from "~/modules/threat-input/imports";
import { THREAT_INPUT_STATUS_LABELS, TRIAGE_STATE_LABELS } from "~/modules/threat-input/scales";
import { threatInputFormSchema } from "~/modules/threat-input/schema";
import {
  groupItems,
  importFieldName,
  itemCount,
  itemFieldName,
  renumberItems,
  setAsideFieldName,
  setAsideMessage,
  setAsideRejectedIndicators,
  MAX_DRAFT_CHARACTERS,
  MAX_ITEMS,
} from "~/modules/threat-input/fields";
import {
  inputFormContext,
  inputFormFor,
  saveDraft,
  strictestMark,
  submitInput,
  withdrawInput,
} from "~/modules/threat-input/service.server";
import { answer, answerOnce } from "~/modules/submissions/answer.server";
import type { Tlp } from "~/modules/threat-input/vocabulary";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Threat input · Taskforce Consult" }];
/**
 * This form's own body limit: the largest draft the portal keeps, every character of it
 * %-escaped, beside an import file twice the import limit, so that an oversized file still gets
 * its message at its field rather than a refusal of the whole form.
 */
const BODY_LIMIT = 3 * MAX_DRAFT_CHARACTERS + 2 * MAX_IMPORT_BYTES;

export const handle: RouteHandle = { tlp: "TLP:AMBER", bodyLimit: BODY_LIMIT };

const marksOf = (values: FormValues) =>
  groupItems(values)
    .map((item) => item.tlp)
    .filter((mark): mark is Tlp => typeof mark === "string" && mark.startsWith("TLP:"));

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireStakeholder(request);
  const form = orStatusPage(() => inputFormFor(getDb(), viewer, parseId(params.consultationId)));
  return {
    viewer,
    consultation: {
      id: form.consultation.id,
      title: form.consultation.title,
      crimeAreas: form.consultation.crimeAreas,
      inputDeadline: form.consultation.inputDeadline,
    },
    input: form.input && {
      id: form.input.id,
      status: form.input.status,
      triageState: form.input.triageState,
      currentVersion: form.input.currentVersion,
      draftSavedAt: form.input.draftSavedAt,
    },
    values: form.values,
    advice: adviceFor(form.values),
    suggestions: suggestionsFor(adviceFor(form.values)),
    analysts: form.analysts,
    locked: form.locked,
    handlingMark: strictestMark(marksOf(form.values)),
  };
}

type ImportReport = { item: number; added: number; alreadyThere: number; rejected: { line: number; input: string; reason: string }[] };
type ActionResult = (FormFailure | { ok: true; values: FormValues; importReport?: ImportReport; autosavedAt?: Date }) & {
  status?: number;
  /** What the reference data says of each item as the form now stands (warning lists, names). */
  advice?: ItemAdvice[];
};

/** The action's answer, with the advice on the values it carries. */
const reply = (result: ActionResult, status?: number) =>
  data<ActionResult>({ ...result, advice: adviceFor(result.values) }, status === undefined ? undefined : { status });

/** The form as posted, with the names picked from the suggestions moved into their lists. */
const postedForm = (formData: FormData) => withPickedNames(formValues(formData));

const INTENT = /^(save|autosave|add-item|submit|withdraw|remove-item|import)(?::(\d{1,2}))?$/;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireStakeholder(request);
  const consultationId = parseId(params.consultationId);
  const { formData, oversized } = setAsideOversizedFiles(await readForm(request, context), MAX_IMPORT_BYTES);
  const values = postedForm(formData);
  const intent = INTENT.exec(String(values.intent ?? ""));
  if (!intent) return reply(formFailure(values, "Unknown action."), 400);
  const [, verb, indexText] = intent;
  const index = indexText === undefined ? -1 : Number(indexText);
  const db = getDb();
  const actor = { userId: viewer.id, origin: requestOrigin(request, context), appUrl: getEnv().APP_URL };
  const here = `/consultations/${consultationId}/input`;

  /** Keeps the form as it now stands; a refusal (past the deadline) comes back as the form's message. */
  const keep = (kept: FormValues) => attempt(kept, () => saveDraft(db, viewer, consultationId, kept));

  switch (verb) {
    case "save":
    case "autosave": {
      const saved = keep(values);
      if (!saved.ok) return reply(saved, saved.status ?? 400);
      return verb === "save"
        ? answer(request, { location: here, message: "Draft saved. Anyone of your organisation can carry on with it, and it stays after you sign out." })
        : reply({ ok: true, values, autosavedAt: saved.result.savedAt });
    }
    case "add-item": {
      const count = itemCount(values);
      if (count >= MAX_ITEMS) return reply(formFailure(values, `An input holds at most ${MAX_ITEMS} items.`), 400);
      const { blankItem } = orStatusPage(() => inputFormFor(db, viewer, consultationId));
      const fresh: FormValues = { ...values };
      for (const [key, value] of Object.entries(blankItem)) fresh[key.replace("items.0.", `items.${count}.`)] = value;
      const saved = keep(renumberItems(fresh));
      if (!saved.ok) return reply(saved, saved.status ?? 400);
      return answer(request, { location: `${here}#item-${count + 1}`, message: `Item ${count + 1} added, and the draft saved.` });
    }
    case "remove-item": {
      const saved = keep(renumberItems(values, index));
      if (!saved.ok) return reply(saved, saved.status ?? 400);
      return answer(request, { location: here, message: `Item ${index + 1} removed, and the draft saved.` });
    }
    case "import": {
      const field = importFieldName(index);
      const fail = (message: string) => {
        keep(values);
        return reply(formFailure(values, message, field), 400);
      };
      const tooLarge = oversized.find((file) => file.field === field);
      if (tooLarge) return fail(`"${tooLarge.filename}" is larger than ${MAX_IMPORT_BYTES / 1_000_000} MB; split it into smaller files.`);
      const file = formData.get(field);
      if (!(file instanceof File)) return fail("Choose a file to import first.");
      const outcome = importIndicatorFile({ name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) });
      if ("error" in outcome) return fail(outcome.error);
      const name = itemFieldName(index, "indicators");
      const merged = appendIndicators(String(values[name] ?? ""), outcome.result.indicators);
      const next = { ...values, [name]: merged.text };
      const saved = keep(next);
      if (!saved.ok) return reply(saved, saved.status ?? 400);
      return reply({
        ok: true,
        values: next,
        importReport: { item: index, added: merged.added, alreadyThere: merged.alreadyThere, rejected: outcome.result.rejected },
      });
    }
    case "withdraw":
      // A second withdrawal would be refused: a double click is answered as the first.
      return answerOnce(request, viewer, values, () => {
        withdrawInput(db, viewer, consultationId, actor);
        return { location: here, message: "Your input is withdrawn: the taskforce no longer uses it. You can submit it again until the deadline." };
      });
    default: {
      const form = orStatusPage(() => inputFormContext(db, viewer, consultationId));
      // Lines that are not indicators go to the box beside the list: the rest stays as typed.
      const sorted = setAsideRejectedIndicators(values);
      const parsed = parseValues(threatInputFormSchema(form.context), sorted.values);
      if (!parsed.ok || sorted.setAside.size > 0) {
        const fieldErrors = parsed.ok ? {} : { ...parsed.fieldErrors };
        for (const [item, lines] of sorted.setAside) {
          fieldErrors[setAsideFieldName(item)] = [setAsideMessage(lines)];
        }
        // Nothing is lost: the form as sent is the draft, and comes back with its messages.
        if (!form.locked) keep(sorted.values);
        return reply({ ok: false, fieldErrors, formError: parsed.ok ? undefined : parsed.formError, values: sorted.values }, 400);
      }
      return answerOnce(request, viewer, values, () => {
        const { inputId, version } = submitInput(db, viewer, consultationId, { items: parsed.data.items, values }, actor);
        return {
          location: `/inputs/${inputId}`,
          message: `Version ${version} is submitted. The taskforce's analysts have been told; you can revise or withdraw it until the deadline.`,
          status: 303,
        };
      });
    }
  }
}

/**
 * Counts the times the server sent the form anew (after an import, a removed item, a refused
 * submit): the fields are uncontrolled, so the form is remounted to show what came back.
 */
function useGeneration(values: unknown): number {
  const seen = useRef({ values, generation: 0 });
  if (seen.current.values !== values) seen.current = { values, generation: seen.current.generation + 1 };
  return seen.current.generation;
}

/** Autosaving changes nothing the page shows: no reload, so that nobody loses the caret. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "autosave" ? false : defaultShouldRevalidate;

/** With JavaScript, the draft is kept every few seconds while the person types. */
function useAutosave(form: React.RefObject<HTMLFormElement>, enabled: boolean) {
  const fetcher = useFetcher<typeof action>();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    const element = form.current;
    if (!element || !enabled) return;
    const schedule = () => {
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        const body = new FormData(element);
        for (const [key, value] of [...body.entries()]) if (value instanceof File) body.delete(key);
        body.set("intent", "autosave");
        fetcher.submit(body, { method: "post" });
      }, 3000);
    };
    element.addEventListener("input", schedule);
    element.addEventListener("change", schedule);
    return () => {
      element.removeEventListener("input", schedule);
      element.removeEventListener("change", schedule);
      clearTimeout(timer.current);
    };
    // fetcher.submit is stable; the form element is the only thing that matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [form, enabled]);
  const saved = fetcher.data && "autosavedAt" in fetcher.data ? fetcher.data.autosavedAt : undefined;
  return { saving: fetcher.state !== "idle", savedAt: saved, advice: fetcher.data && "advice" in fetcher.data ? fetcher.data.advice : undefined };
}

export default function ThreatInputForm() {
  const { viewer, consultation, input, values: draft, analysts, locked, advice: draftAdvice, suggestions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const formRef = useRef<HTMLFormElement>(null);
  const autosave = useAutosave(formRef, !locked);
  const values = result?.values ?? draft;
  const state = { values, fieldErrors: result && !result.ok ? result.fieldErrors : undefined, formError: result && !result.ok ? result.formError : undefined };
  const count = Math.max(1, itemCount(values));
  const submitted = !!input && input.currentVersion > 0;
  const busy = navigation.state === "submitting";
  const importReport = result?.ok ? result.importReport : undefined;
  const formKey = useGeneration(values);
  // The newest word on the items: the last autosave's, else the last action's, else the draft's.
  const advice = autosave.advice ?? (result && "advice" in result ? result.advice : undefined) ?? draftAdvice;

  return (
    <>
      <header className="page-header">
        <p className="eyebrow">
          <Link to={`/consultations/${consultation.id}`}>{consultation.title}</Link> · Your organisation&apos;s threat input
        </p>
        <h1>{submitted ? "Revise your threat input" : "Threat input"}</h1>
        <p>
          Input deadline: <strong><LocalTime at={consultation.inputDeadline} viewer={viewer} /></strong>
        </p>
        {input ? (
          <p className="muted">
            {THREAT_INPUT_STATUS_LABELS[input.status]}
            {submitted ? (
              <>
                {" "}
                (version {input.currentVersion}, {TRIAGE_STATE_LABELS[input.triageState].toLowerCase()}) ·{" "}
                <Link to={`/inputs/${input.id}`}>See what was submitted</Link>
              </>
            ) : null}
          </p>
        ) : null}
      </header>

      {locked ? (
        <p className="notice notice--warning" role="status">
          {locked}
        </p>
      ) : null}
      <FormErrorSummary state={state} fieldLabel={itemFieldLabel} />
      {importReport ? (
        <div className="notice notice--success" role="status">
          <p>
            Item {importReport.item + 1}: {importReport.added} {importReport.added === 1 ? "indicator" : "indicators"} imported
            {importReport.alreadyThere ? `, ${importReport.alreadyThere} already listed` : ""}
            {importReport.rejected.length ? `; ${importReport.rejected.length} ${importReport.rejected.length === 1 ? "row was" : "rows were"} left out:` : "."}
          </p>
          {importReport.rejected.length ? (
            <ul className="rejected-lines small">
              {importReport.rejected.slice(0, 100).map((row) => (
                <li key={`${row.line}-${row.input}`}>
                  Line {row.line}: <code>{row.input.length > 60 ? `${row.input.slice(0, 57)}...` : row.input}</code> — {row.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      <Form method="post" encType="multipart/form-data" ref={formRef} key={formKey} noValidate>
        <SubmitKey />
        {Array.from({ length: count }, (_, index) => (
          <ThreatItemFieldset
            key={index}
            index={index}
            count={count}
            state={state}
            crimeAreas={consultation.crimeAreas}
            analysts={analysts}
            disabled={!!locked}
            advice={advice[index]}
          />
        ))}
        <KnownNameLists suggestions={suggestions} />
        {locked ? null : (
          <div className="actions sticky-actions">
            <button className="button button--secondary" type="submit" name="intent" value="add-item" formNoValidate>
              Add another item
            </button>
            <button className="button button--secondary" type="submit" name="intent" value="save" formNoValidate>
              Save draft
            </button>
            <button className="button" type="submit" name="intent" value="submit" disabled={busy}>
              {submitted ? "Submit revision" : "Submit input"}
            </button>
            <span className="muted small" aria-live="polite">
              {autosave.saving ? "Saving draft…" : autosave.savedAt ? <>Draft saved at <LocalTime at={autosave.savedAt} viewer={viewer} /></> : null}
            </span>
          </div>
        )}
      </Form>

      {input?.status === "submitted" && !locked ? (
        <section className="section danger-zone" aria-labelledby="withdraw-title">
          <h2 id="withdraw-title">Withdraw the input</h2>
          <p>The taskforce will no longer use it. Its versions stay readable, and you can submit again until the deadline.</p>
          <ActionForm>
            <button className="button button--danger" type="submit" name="intent" value="withdraw">
              Withdraw input
            </button>
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}
