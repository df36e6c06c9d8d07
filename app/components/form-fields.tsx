import type { ReactNode } from "react";
import type { FieldErrors, FormValues } from "~/lib/forms";

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

export function TextField({
  name,
  label,
  state,
  hint,
  defaultValue,
  required,
  type = "text",
  autoComplete,
  inputMode,
}: FieldProps & {
  type?: "text" | "email" | "date" | "time" | "number" | "url";
  autoComplete?: string;
  inputMode?: "numeric";
}) {
  const errors = state?.fieldErrors?.[name];
  const describedBy = [hint ? `${name}-hint` : "", errors?.length ? `${name}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={`field${errors?.length ? " field--invalid" : ""}`}>
      <label htmlFor={name}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      <input
        id={name}
        name={name}
        type={type}
        required={required}
        autoComplete={autoComplete}
        inputMode={inputMode}
        defaultValue={valueOf(state, name) ?? defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      <FieldMessage id={`${name}-error`} errors={errors} />
    </div>
  );
}

export function TextAreaField({ name, label, state, hint, defaultValue, required, rows = 5 }: FieldProps & { rows?: number }) {
  const errors = state?.fieldErrors?.[name];
  const describedBy = [hint ? `${name}-hint` : "", errors?.length ? `${name}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={`field${errors?.length ? " field--invalid" : ""}`}>
      <label htmlFor={name}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      <textarea
        id={name}
        name={name}
        rows={rows}
        required={required}
        defaultValue={valueOf(state, name) ?? defaultValue}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      <FieldMessage id={`${name}-error`} errors={errors} />
    </div>
  );
}

export function SelectField({
  name,
  label,
  state,
  hint,
  defaultValue,
  required,
  options,
  placeholder,
  multiple,
  defaultValues,
}: FieldProps & {
  options: { value: string; label: string }[];
  placeholder?: string;
  multiple?: boolean;
  defaultValues?: string[];
}) {
  const errors = state?.fieldErrors?.[name];
  const describedBy = [hint ? `${name}-hint` : "", errors?.length ? `${name}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={`field${errors?.length ? " field--invalid" : ""}`}>
      <label htmlFor={name}>{label}</label>
      {hint ? (
        <p className="field__hint" id={`${name}-hint`}>
          {hint}
        </p>
      ) : null}
      <select
        id={name}
        name={name}
        required={required}
        multiple={multiple}
        size={multiple ? Math.min(10, options.length) : undefined}
        defaultValue={
          multiple
            ? state?.values
              ? [state.values[name] ?? []].flat()
              : defaultValues ?? []
            : valueOf(state, name) ?? defaultValue ?? ""
        }
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy || undefined}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldMessage id={`${name}-error`} errors={errors} />
    </div>
  );
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
  const errors = state?.fieldErrors?.[name];
  const submitted = state?.values ? state.values[name] ?? [] : undefined;
  const checked = submitted === undefined ? defaultValues : Array.isArray(submitted) ? submitted : [submitted];
  return (
    <fieldset
      className={`field${errors?.length ? " field--invalid" : ""}`}
      aria-describedby={errors?.length ? `${name}-error` : undefined}
    >
      <legend>{legend}</legend>
      <div className="checks">
        {options.map((option) => (
          <label key={option.value} className="check">
            <input
              type="checkbox"
              name={name}
              value={option.value}
              defaultChecked={checked.includes(option.value)}
              aria-invalid={errors?.length ? true : undefined}
            />
            {option.label}
          </label>
        ))}
      </div>
      <FieldMessage id={`${name}-error`} errors={errors} />
    </fieldset>
  );
}

export function FormErrorSummary({ state }: { state: FormState }) {
  const count = Object.values(state?.fieldErrors ?? {}).filter((errors) => errors?.length).length;
  if (!state?.formError && count === 0) return null;
  return (
    <div className="notice notice--error" role="alert">
      {state?.formError ?? `Please correct the ${count === 1 ? "field" : `${count} fields`} marked below.`}
    </div>
  );
}
