import { ActionForm } from "./action-form";
import { CRIME_AREAS } from "~/modules/threat-input/vocabulary";
import { CheckboxGroup, FormErrorSummary, SelectField, TextAreaField, TextField, type FormState } from "./form-fields";
import { CRIME_AREA_LABELS } from "~/lib/labels";

export type ConsultationDefaults = {
  title: string;
  description: string;
  crimeAreas: string[];
  deadlineDate: string;
  deadlineTime: string;
  deadlineTimeZone: string;
  organisationIds: string[];
  personIds: string[];
};

export function ConsultationForm({
  state,
  defaults,
  organisations,
  people,
  timeZones,
  submitLabel,
}: {
  state: FormState;
  defaults: Partial<ConsultationDefaults> & { deadlineTimeZone: string };
  organisations: { id: number; name: string; country: string }[];
  people: { id: number; name: string; organisationName: string | null }[];
  timeZones: string[];
  submitLabel: string;
}) {
  return (
    <ActionForm noValidate className="stack">
      <FormErrorSummary state={state} />
      <TextField name="title" label="Title" required state={state} defaultValue={defaults.title} />
      <TextAreaField name="description" label="Description" state={state} defaultValue={defaults.description} />
      <CheckboxGroup
        name="crimeAreas"
        legend="Crime areas"
        state={state}
        defaultValues={defaults.crimeAreas}
        options={CRIME_AREAS.map((area) => ({ value: area, label: CRIME_AREA_LABELS[area] }))}
      />
      <fieldset className="field">
        <legend>Input deadline</legend>
        <div className="inline-fields">
          <TextField name="deadlineDate" label="Date" type="date" required state={state} defaultValue={defaults.deadlineDate} />
          <TextField name="deadlineTime" label="Time" type="time" required state={state} defaultValue={defaults.deadlineTime ?? "17:00"} />
          <SelectField
            name="deadlineTimeZone"
            label="Time zone"
            state={state}
            defaultValue={defaults.deadlineTimeZone}
            options={timeZones.map((zone) => ({ value: zone, label: zone }))}
          />
        </div>
      </fieldset>
      <CheckboxGroup
        name="organisationIds"
        legend="Organisations to invite (all their active members)"
        state={state}
        defaultValues={defaults.organisationIds}
        options={organisations.map((organisation) => ({
          value: String(organisation.id),
          label: `${organisation.name} (${organisation.country})`,
        }))}
      />
      <SelectField
        name="personIds"
        label="People to invite by name"
        hint="Hold Ctrl (or ⌘) to choose several."
        state={state}
        multiple
        defaultValues={defaults.personIds}
        options={people.map((person) => ({
          value: String(person.id),
          label: `${person.name} · ${person.organisationName ?? "Taskforce"}`,
        }))}
      />
      <button type="submit" className="button">
        {submitLabel}
      </button>
    </ActionForm>
  );
}
