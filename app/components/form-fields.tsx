import { useEffect, useRef, type ReactNode } from "react";
import { FIND, type FieldErrors, type FormValues } from "~/lib/forms";

/** What an action sends back to its form: messages at the fields, and every value kept. */
export type FormState = { fieldErrors?: FieldErrors; formError?: string; values?: FormValues } | undefined;

const valueOf = (state: FormState, name: string) => {
  const value = state?.values?.[name];
  return Array.isArray(value) ? value[0] : value;
};

function FieldMessage({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p className="field__error" id={id}>
      {errors.join(" ")}
    </p>
  );
}

type FieldProps = {
  name: string;
  label: string;
  state: FormState;
  hint?: ReactNode;
  defaultValue?: string;
  required?: boolean;
};

/**
 * The frame every single-control field shares: label, hint, the message at the field, and the
 * aria wiring between them. The control itself comes from the render function.
 */
function Field({
  name,
  label,
  state,
  hint,
  children,
}: Pick<FieldProps, "name" | "label" | "state" | "hint"> & {
  children: (aria: { "aria-invalid"?: true; "aria-describedby"?: string }) => ReactNode;
}) {
  const errors = state?.fieldErrors?.[name];
  const invalid = !!errors?.length;
  const describedBy = [hint ? `${name}-hint` : "", invalid ? `${name}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={`field${invalid ? " field--invalid" : ""}`}>
      <label htmlFor={name}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      {children({ "aria-invalid": invalid ? true : undefined, "aria-describedby": describedBy || undefined })}
      <FieldMessage id={`${name}-error`} errors={errors} />
    </div>
  );
}

export function TextField({
  type = "text",
  autoComplete,
  inputMode,
  ...field
}: FieldProps & {
  type?: "text" | "email" | "date" | "time" | "number" | "url" | "search";
  autoComplete?: string;
  inputMode?: "numeric";
}) {
  return (
    <Field {...field}>
      {(aria) => (
        <input
          id={field.name}
          name={field.name}
          type={type}
          required={field.required}
          autoComplete={autoComplete}
          inputMode={inputMode}
          defaultValue={valueOf(field.state, field.name) ?? field.defaultValue}
          {...aria}
        />
      )}
    </Field>
  );
}

export function TextAreaField({ rows = 5, ...field }: FieldProps & { rows?: number }) {
  return (
    <Field {...field}>
      {(aria) => (
        <textarea
          id={field.name}
          name={field.name}
          rows={rows}
          required={field.required}
          defaultValue={valueOf(field.state, field.name) ?? field.defaultValue}
          {...aria}
        />
      )}
    </Field>
  );
}

export function SelectField({
  options,
  placeholder,
  multiple,
  defaultValues,
  ...field
}: FieldProps & {
  options: { value: string; label: string }[];
  placeholder?: string;
  multiple?: boolean;
  defaultValues?: string[];
}) {
  const { name, state } = field;
  return (
    <Field {...field}>
      {(aria) => (
        <select
          id={name}
          name={name}
          required={field.required}
          multiple={multiple}
          size={multiple ? Math.min(10, options.length) : undefined}
          defaultValue={
            multiple
              ? state?.values
                ? [state.values[name] ?? []].flat()
                : (defaultValues ?? [])
              : (valueOf(state, name) ?? field.defaultValue ?? "")
          }
          {...aria}
        >
          {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

type ChoiceOption = { value: string; label: ReactNode; hint?: string };

/**
 * A group of checkboxes or radios: one fieldset with its legend, hint and message, the message
 * tied to the group and each box marked invalid with it.
 */
function ChoiceGroup({
  type,
  name,
  legend,
  state,
  options,
  hint,
  chosen,
  layout,
}: {
  type: "checkbox" | "radio";
  name: string;
  legend: string;
  state: FormState;
  options: ChoiceOption[];
  hint?: ReactNode;
  chosen: string[];
  layout: "checks" | "choices" | "choices choices--row";
}) {
  const errors = state?.fieldErrors?.[name];
  const invalid = !!errors?.length;
  const describedBy = [hint ? `${name}-hint` : "", invalid ? `${name}-error` : ""].filter(Boolean).join(" ");
  return (
    <fieldset id={name} className={`field${invalid ? " field--invalid" : ""}`} aria-describedby={describedBy || undefined}>
      <legend>{legend}</legend>
      {hint ? (
        <p className="field__hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      <div className={layout}>
        {options.map((option) => (
          <label key={option.value} className={layout === "checks" ? "check" : "choice"}>
            <input
              type={type}
              name={name}
              value={option.value}
              defaultChecked={chosen.includes(option.value)}
              aria-invalid={invalid ? true : undefined}
            />
            {option.hint === undefined ? (
              option.label
            ) : (
              <span>
                <span className="choice__label">{option.label}</span>
                <span className="choice__hint">{option.hint}</span>
              </span>
            )}
          </label>
        ))}
      </div>
      <FieldMessage id={`${name}-error`} errors={errors} />
    </fieldset>
  );
}

/** Submitted values win over defaults; a group posted with nothing ticked is empty, not the default. */
function chosenIn(state: FormState, name: string, defaults: string[]): string[] {
  if (!state?.values) return defaults;
  const value = state.values[name] ?? [];
  return Array.isArray(value) ? value : [value];
}

export function CheckboxGroup({
  name,
  legend,
  state,
  options,
  defaultValues = [],
}: {
  name: string;
  legend: string;
  state: FormState;
  options: { value: string; label: string }[];
  defaultValues?: string[];
}) {
  return (
    <ChoiceGroup type="checkbox" layout="checks" name={name} legend={legend} state={state} options={options} chosen={chosenIn(state, name, defaultValues)} />
  );
}

/**
 * One choice among a few, each with its words and, where a scale needs explaining, what it
 * means: the numbers of a scale are never shown alone.
 */
export function RadioGroup({
  defaultValue,
  compact,
  ...group
}: {
  name: string;
  legend: string;
  state: FormState;
  options: ChoiceOption[];
  hint?: ReactNode;
  defaultValue?: string;
  compact?: boolean;
}) {
  return (
    <ChoiceGroup
      type="radio"
      layout={compact ? "choices choices--row" : "choices"}
      chosen={chosenIn(group.state, group.name, defaultValue === undefined ? [] : [defaultValue])}
      {...group}
    />
  );
}

/**
 * What is wrong with a form, first in it: a line for each field, linking to it, and focus taken
 * so that a keyboard or screen reader starts here. Without JavaScript the browser's autofocus
 * does it; with it (the answer comes by fetch), the effect below.
 */
export function FormErrorSummary({ state, fieldLabel }: { state: FormState; fieldLabel?: (name: string) => string | undefined }) {
  const fields = Object.entries(state?.fieldErrors ?? {}).filter((entry): entry is [string, string[]] => !!entry[1]?.length);
  const summary = useRef<HTMLDivElement>(null);
  const shown = !!state?.formError || fields.length > 0;
  useEffect(() => {
    if (shown) summary.current?.focus();
  }, [state, shown]);
  if (!shown) return null;
  return (
    <div className="notice notice--error error-summary" role="alert" id="error-summary" tabIndex={-1} autoFocus ref={summary}>
      <p className="error-summary__title">
        {state?.formError ?? `Please correct the ${fields.length === 1 ? "field" : `${fields.length} fields`} marked below.`}
      </p>
      {fields.length > 0 ? (
        <ul className="error-summary__list">
          {fields.map(([name, errors]) => {
            const label = fieldLabel?.(name);
            return (
              <li key={name}>
                <a href={`#${name}`}>
                  {label ? `${label}: ` : ""}
                  {errors.join(" ")}
                </a>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * A form's Find button: the whole form sent back to its page as a search (a GET, unchecked), so
 * that what was typed and ticked comes back with what was found (searchStep in app/lib/forms.ts).
 * Put first in the form, it is what Enter presses: a search that writes nothing.
 */
export function FindButton() {
  return (
    <button type="submit" className="button button--secondary find-button" formMethod="get" formNoValidate name={FIND} value="1">
      Find
    </button>
  );
}
