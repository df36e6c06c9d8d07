import { ActionForm } from "./action-form";
import { CRIME_AREAS } from "~/modules/threat-input/vocabulary";
import { CheckboxGroup, FindButton, FormErrorSummary, SelectField, TextAreaField, TextField, type FormState } from "./form-fields";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { notListed } from "~/lib/words";

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

/** Whom the form offers: those chosen and some more by name, with how many more are to be found. */
export type InvitationChoices = {
  organisations: { id: number; name: string; country: string }[];
  organisationsNotShown: number;
  people: { id: number; name: string; organisationName: string | null }[];
  peopleNotShown: number;
  timeZones: string[];
};

/**
 * The consultation's form. Organisations and people are offered a few at a time (a taskforce
 * has hundreds and a thousand): those chosen, and more found by name with the Find button, which
 * sends the whole form back to this page as a search (a GET) so that nothing typed or ticked is
 * lost, with or without JavaScript. Being the form's first button, it is also what Enter
 * presses: a search, never a save.
 */
export function ConsultationForm({
  state,
  defaults,
  choices,
  submitLabel,
}: {
  state: FormState;
  defaults: Partial<ConsultationDefaults> & { deadlineTimeZone: string };
  choices: InvitationChoices;
  submitLabel: string;
}) {
  const { organisations, people, timeZones } = choices;
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
      <fieldset className="field">
        <legend>Not listed below? Search by name</legend>
        <div className="inline-fields">
          <TextField
            name="findOrganisations"
            label="Find organisations"
            type="search"
            state={state}
            hint={notListed(choices.organisationsNotShown, "organisations")}
          />
          <TextField name="findPeople" label="Find people" type="search" state={state} hint={notListed(choices.peopleNotShown, "people")} />
          <FindButton />
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
