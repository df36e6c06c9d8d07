import { z } from "zod";
import { CONSULTATION_STATUSES } from "~/modules/consultations/vocabulary";
import { CRIME_AREAS } from "~/modules/threat-input/vocabulary";
import { addressParam, checkboxes, chosenIds, cursorParam, optionalText } from "~/lib/forms";
import { timeZoneField } from "../accounts/schema";

/** A calendar date that exists (no 30 February). */
export const dateField = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((value) => {
      const day = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value);
    }, message);

/** A 24-hour clock time, 00:00 to 23:59. */
export const clockField = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, message);

export const consultationFormSchema = z.object({
  title: z.string().trim().min(3, "Give the consultation a title.").max(160, "Keep the title under 160 characters."),
  description: z.string().trim().max(5000, "Keep the description under 5,000 characters.").default(""),
  crimeAreas: checkboxes(z.enum(CRIME_AREAS)).pipe(
    z.array(z.enum(CRIME_AREAS)).min(1, "Choose at least one crime area."),
  ),
  deadlineDate: dateField("Enter the deadline's date."),
  deadlineTime: clockField("Enter the deadline's time, like 17:00."),
  deadlineTimeZone: timeZoneField,
  organisationIds: checkboxes(z.coerce.number().int().positive()),
  personIds: checkboxes(z.coerce.number().int().positive()),
});
export type ConsultationInput = z.output<typeof consultationFormSchema>;

/** What a consultation's page asks (app/routes/consultations.$consultationId._index.tsx). */
export const consultationIntentSchema = z.enum(["open", "close"]);

/** The consultations list's address: a value that does not parse is ignored (it comes from a URL). */
export const consultationListSchema = z.object({
  status: addressParam(z.enum(CONSULTATION_STATUSES)),
  q: addressParam(z.string().trim().min(1).max(100)),
  after: cursorParam(),
});
export type ConsultationListQuery = z.output<typeof consultationListSchema>;

/** Where a consultation's page stands in each of its lists (one cursor a list). */
export const consultationPageSchema = z.object({
  invitees: cursorParam(),
  inputs: cursorParam(),
  meetings: cursorParam(),
});
export type ConsultationPageQuery = z.output<typeof consultationPageSchema>;

/**
 * The consultation form as one of its Find buttons sends it (a GET, with every field): who is
 * chosen so far, and the words of a name to look for among organisations and people. A search is
 * never refused: what is not an id is dropped, words past 120 characters are ignored.
 */
export const invitationSearchSchema = z.object({
  organisationIds: chosenIds(),
  personIds: chosenIds(),
  findOrganisations: optionalText(120).catch(undefined),
  findPeople: optionalText(120).catch(undefined),
});
