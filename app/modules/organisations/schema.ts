import { z } from "zod";
import { ORGANISATION_KINDS, SECTORS } from "./vocabulary";
import { SOURCE_RELIABILITY } from "~/modules/threat-input/vocabulary";
import { isCountryCode } from "~/lib/countries";
import { addressParam, cursorParam } from "~/lib/forms";

export const organisationFormSchema = z.object({
  name: z.string().trim().min(2, "Enter the organisation's name.").max(160, "Keep the name under 160 characters."),
  sector: z.enum(SECTORS, { error: "Choose a sector." }),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .refine(isCountryCode, "Choose a country (ISO 3166-1 code such as AT or CO)."),
  kind: z.enum(ORGANISATION_KINDS, { error: "Say whether the organisation is public or private." }),
  aliases: z
    .string()
    .max(4000, "Keep the names under 4,000 characters in all.")
    .optional()
    .transform((text) => [...new Set((text ?? "").split(/\r?\n/).map((line) => line.trim()).filter(Boolean))])
    .pipe(
      z
        .array(z.string().min(2, "Each name needs at least 2 characters.").max(160, "Keep each name under 160 characters."))
        .max(30, "Give at most 30 names."),
    ),
  // Pre-fills the source grade of every item the organisation reports; empty when not known.
  usualSourceReliability: z.preprocess(
    (value) => (value === "" || value === undefined ? null : value),
    z.enum(SOURCE_RELIABILITY, { error: "Choose a grade from A to F, or none." }).nullable(),
  ),
});
export type OrganisationInput = z.output<typeof organisationFormSchema>;

/** What an organisation's page in the admin asks (app/routes/admin.organisations.$organisationId.tsx). */
export const organisationIntentSchema = z.enum(["save", "deactivate", "reactivate"]);

/** The organisations list's filter and place, from its address: a bad value is ignored. */
export const organisationListSchema = z.object({ q: addressParam(z.string().trim().max(100)), after: cursorParam() });
