import { z } from "zod";

/**
 * The field that carries a rendered page's one-time key in every form that posts: a repeat of a
 * post that creates or sends something gets the first answer (docs/decisions/020).
 */
export const SUBMIT_KEY = "submitKey";

/**
 * The name of a form's Find button: it sends the whole form back to its page as a search step (a
 * GET), whose loader shows again what was typed and ticked and offers what the search found.
 */
export const FIND = "find";

/**
 * A parameter of a list's address (a filter, a cursor): empty is absent, and a value that does
 * not parse is ignored rather than refused, since addresses are edited, shared and outlived.
 */
export const addressParam = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional()).catch(undefined);

/** A list's cursor in its address (see app/lib/keyset.server.ts). */
export const cursorParam = () => addressParam(z.string().regex(/^[A-Za-z0-9_-]{1,1000}$/));

export type FieldErrors = Record<string, string[] | undefined>;
export type FormValues = Record<string, string | string[]>;

export type FormFailure = {
  ok: false;
  fieldErrors: FieldErrors;
  formError?: string;
  values: FormValues;
  /** The HTTP status the refusal means (400 unless a module said otherwise). */
  status?: number;
};
export type FormResult<T> = { ok: true; data: T; values: FormValues } | FormFailure;

/** Repeated names (checkbox groups) become arrays; files are not form values. */
export function formValues(formData: FormData | URLSearchParams): FormValues {
  const values: FormValues = {};
  for (const key of new Set(formData.keys())) {
    const all = formData.getAll(key).filter((v): v is string => typeof v === "string");
    values[key] = all.length > 1 ? all : (all[0] ?? "");
  }
  return values;
}

export function parseForm<S extends z.ZodType>(
  schema: S,
  formData: FormData,
): FormResult<z.output<S>> {
  return parseValues(schema, formValues(formData));
}

/** The same for values already read from a form (and perhaps rearranged). */
export function parseValues<S extends z.ZodType>(schema: S, values: FormValues): FormResult<z.output<S>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, values };
  const fieldErrors: FieldErrors = {};
  let formError: string | undefined;
  for (const issue of result.error.issues) {
    const key = issue.path.join(".");
    if (!key) {
      formError ??= issue.message;
      continue;
    }
    (fieldErrors[key] ??= []).push(issue.message);
  }
  return { ok: false, fieldErrors, formError, values };
}

export function formFailure(
  values: FormValues,
  message: string,
  field?: string,
): FormFailure {
  return field
    ? { ok: false, fieldErrors: { [field]: [message] }, values }
    : { ok: false, fieldErrors: {}, formError: message, values };
}

/** A checkbox group: absent means none ticked, one tick arrives as a plain string. */
export function checkboxes<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) => (value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]),
    z.array(item),
  );
}

/**
 * The search step a page's URL holds (its form sent by the Find button), if any: every field as
 * sent, to be shown again, and what the schema reads of them (whom or what to offer).
 */
export function searchStep<S extends z.ZodType>(params: URLSearchParams, schema: S): { values: FormValues; query: z.output<S> } | null {
  if (!params.has(FIND)) return null;
  const values = formValues(params);
  return { values, query: schema.parse(values) };
}

/**
 * The ids ticked in a list, as a form's search step carries them in its URL (a GET): whatever is
 * not a positive id is dropped, not refused, for a search is never refused.
 */
export function chosenIds() {
  return z.preprocess(
    (value) => (value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]).map(Number).filter((id) => Number.isSafeInteger(id) && id > 0),
    z.array(z.number()),
  );
}

/** An optional text field: an empty input means "not given". */
export function optionalText(max = 200) {
  return z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.string().trim().max(max).optional(),
  );
}
