import { ActionForm } from "./action-form";
import { ROLES } from "~/modules/accounts/vocabulary";
import { CheckboxGroup, FindButton, FormErrorSummary, SelectField, TextField, type FormState } from "./form-fields";
import { LOCALES, ROLE_LABELS } from "~/lib/labels";
import { notListed } from "~/lib/words";

type AccountDefaults = {
  name: string;
  email: string;
  organisationId: number | null;
  timeZone: string;
  locale: string;
  roles: string[];
};

/**
 * A person's form. The organisation is chosen from the one chosen so far and the first few by
 * name, or from those found by name with the Find button: it sends the whole form back to this
 * page as a search (a GET), so that nothing typed is lost, with or without JavaScript.
 */
export function AccountForm({
  state,
  defaults,
  organisations,
  timeZones,
  submitLabel,
}: {
  state: FormState;
  defaults?: AccountDefaults;
  organisations: { offered: { id: number; name: string }[]; notShown: number };
  timeZones: string[];
  submitLabel: string;
}) {
  return (
    <ActionForm noValidate className="stack">
      <FormErrorSummary state={state} />
      <input type="hidden" name="intent" value="save" />
      <TextField name="name" label="Name" required state={state} defaultValue={defaults?.name} />
      <TextField name="email" label="Email address" type="email" required state={state} defaultValue={defaults?.email} />
      <div className="inline-fields">
        <TextField
          name="findOrganisation"
          label="Find an organisation"
          type="search"
          state={state}
          hint={notListed(organisations.notShown, "organisations")}
        />
        <FindButton />
      </div>
      <SelectField
        name="organisationId"
        label="Organisation"
        hint="Stakeholders must belong to one; taskforce staff belong to none."
        state={state}
        defaultValue={defaults?.organisationId ? String(defaults.organisationId) : ""}
        placeholder="None (taskforce staff)"
        options={organisations.offered.map((organisation) => ({ value: String(organisation.id), label: organisation.name }))}
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
