import { ActionForm } from "./action-form";
import { ROLES } from "~/modules/accounts/vocabulary";
import { CheckboxGroup, FormErrorSummary, SelectField, TextField, type FormState } from "./form-fields";
import { LOCALES, ROLE_LABELS } from "~/lib/labels";

type AccountDefaults = {
  name: string;
  email: string;
  organisationId: number | null;
  timeZone: string;
  locale: string;
  roles: string[];
};

export function AccountForm({
  state,
  defaults,
  organisations,
  timeZones,
  submitLabel,
}: {
  state: FormState;
  defaults?: AccountDefaults;
  organisations: { id: number; name: string }[];
  timeZones: string[];
  submitLabel: string;
}) {
  return (
    <ActionForm noValidate className="stack">
      <FormErrorSummary state={state} />
      <input type="hidden" name="intent" value="save" />
      <TextField name="name" label="Name" required state={state} defaultValue={defaults?.name} />
      <TextField name="email" label="Email address" type="email" required state={state} defaultValue={defaults?.email} />
      <SelectField
        name="organisationId"
        label="Organisation"
        hint="Stakeholders must belong to one; taskforce staff belong to none."
        state={state}
        defaultValue={defaults?.organisationId ? String(defaults.organisationId) : ""}
        placeholder="None (taskforce staff)"
        options={organisations.map((organisation) => ({ value: String(organisation.id), label: organisation.name }))}
      />
      <SelectField
        name="timeZone"
        label="Time zone"
        hint="Left to guess, it is taken from the person's browser when they first sign in."
        state={state}
        defaultValue={defaults?.timeZone ?? ""}
        placeholder={defaults ? undefined : "Guess at first sign-in"}
        options={timeZones.map((zone) => ({ value: zone, label: zone }))}
      />
      <SelectField
        name="locale"
        label="Date and number format"
        state={state}
        defaultValue={defaults?.locale ?? "en-GB"}
        options={LOCALES.map((locale) => ({ value: locale, label: locale }))}
      />
      <CheckboxGroup
        name="roles"
        legend="Roles"
        state={state}
        defaultValues={defaults?.roles ?? []}
        options={ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }))}
      />
      <button type="submit" className="button">
        {submitLabel}
      </button>
    </ActionForm>
  );
}
