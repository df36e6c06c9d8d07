import { Form } from "@remix-run/react";
import { ORGANISATION_KINDS, SECTORS } from "../../db/schema";
import { FormErrorSummary, SelectField, TextField, type FormState } from "./form-fields";
import { COUNTRY_CODES, countryName, MEMBER_COUNTRIES } from "~/lib/countries";
import { KIND_LABELS, SECTOR_LABELS } from "~/lib/labels";

const countryOptions = [
  ...MEMBER_COUNTRIES,
  ...COUNTRY_CODES.filter((code) => !MEMBER_COUNTRIES.includes(code)),
].map((code) => ({ value: code, label: `${countryName(code)} (${code})` }));

export function OrganisationForm({
  state,
  defaults,
  submitLabel,
}: {
  state: FormState;
  defaults?: { name: string; sector: string; country: string; kind: string };
  submitLabel: string;
}) {
  return (
    <Form method="post" noValidate className="stack">
      <FormErrorSummary state={state} />
      <input type="hidden" name="intent" value="save" />
      <TextField name="name" label="Name" required state={state} defaultValue={defaults?.name} />
      <SelectField
        name="sector"
        label="Sector"
        state={state}
        defaultValue={defaults?.sector}
        placeholder="Choose a sector"
        options={SECTORS.map((sector) => ({ value: sector, label: SECTOR_LABELS[sector] }))}
      />
      <SelectField
        name="country"
        label="Country"
        hint="Member countries first."
        state={state}
        defaultValue={defaults?.country}
        placeholder="Choose a country"
        options={countryOptions}
      />
      <SelectField
        name="kind"
        label="Public or private"
        state={state}
        defaultValue={defaults?.kind}
        placeholder="Choose one"
        options={ORGANISATION_KINDS.map((kind) => ({ value: kind, label: KIND_LABELS[kind] }))}
      />
      <button type="submit" className="button">
        {submitLabel}
      </button>
    </Form>
  );
}
