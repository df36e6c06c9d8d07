import { ActionForm } from "./action-form";
import { ORGANISATION_KINDS, SECTORS } from "~/modules/organisations/vocabulary";
import { SOURCE_RELIABILITY } from "~/modules/threat-input/vocabulary";
import { FormErrorSummary, SelectField, TextAreaField, TextField, type FormState } from "./form-fields";
import { KIND_LABELS, SECTOR_LABELS } from "~/lib/labels";
import { SOURCE_RELIABILITY_LABELS } from "~/modules/threat-input/scales";

export function OrganisationForm({
  state,
  defaults,
  submitLabel,
  countryOptions,
}: {
  state: FormState;
  /** countryChoices(), from the loader (see app/lib/countries.ts). */
  countryOptions: { value: string; label: string }[];
  defaults?: { name: string; sector: string; country: string; kind: string; usualSourceReliability: string | null; aliases: string[] };
  submitLabel: string;
}) {
  return (
    <ActionForm noValidate className="stack">
      <FormErrorSummary state={state} />
      <input type="hidden" name="intent" value="save" />
      <TextField name="name" label="Name" required state={state} defaultValue={defaults?.name} />
      <TextAreaField
        name="aliases"
        label="Short names and other names"
        hint="One a line, such as BCO or Cordillera Fraud Desk. Where the organisation gives input anonymously or by sector and country only, text written on an assessment may not use any of them."
        rows={3}
        state={state}
        defaultValue={defaults?.aliases.join("\n")}
      />
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
      <SelectField
        name="usualSourceReliability"
        label="Usual source reliability"
        hint="How reliable the organisation usually is as a source (Admiralty code). It pre-fills the grade of each item it reports."
        state={state}
        defaultValue={defaults?.usualSourceReliability ?? ""}
        placeholder="Not known"
        options={SOURCE_RELIABILITY.map((grade) => ({ value: grade, label: `${grade} · ${SOURCE_RELIABILITY_LABELS[grade].word}` }))}
      />
      <button type="submit" className="button">
        {submitLabel}
      </button>
    </ActionForm>
  );
}
