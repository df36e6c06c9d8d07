import { z } from "zod";
import { ROLES } from "./vocabulary";
import { addressParam, checkboxes, chosenIds, cursorParam, optionalText } from "~/lib/forms";
import { LOCALES } from "~/lib/labels";
import { isValidTimeZone } from "~/lib/time";

export const emailField = z
  .string()
  .trim()
  .min(1, "Enter an email address.")
  .max(254, "That address is too long.")
  .pipe(z.email("Enter a valid email address, like name@example.org."));

export const timeZoneField = z
  .string()
  .trim()
  .refine(isValidTimeZone, "Choose a time zone from the list, like Europe/Vienna.");

export const localeField = z.enum(LOCALES, { error: "Choose a language and region from the list." });

export const accountFormSchema = z.object({
  name: z.string().trim().min(1, "Enter the person's name.").max(120, "Keep the name under 120 characters."),
  email: emailField,
  organisationId: z.preprocess(
    (value) => (value === "" || value === undefined ? undefined : value),
    z.coerce.number().int().positive().optional(),
  ),
  // Empty: guessed from the person's browser at their first sign-in.
  timeZone: z.preprocess((value) => (value === "" ? undefined : value), timeZoneField.optional()),
  locale: localeField,
  roles: checkboxes(z.enum(ROLES)).pipe(z.array(z.enum(ROLES)).min(1, "Give the person at least one role.")),
});
export type AccountInput = z.output<typeof accountFormSchema>;

/** The person form's Find step: the organisation chosen so far, and the name to look for. */
export const accountSearchSchema = z.object({
  organisationId: chosenIds(),
  findOrganisation: optionalText(120).catch(undefined),
});

export const preferencesSchema = z.object({
  timeZone: timeZoneField,
  locale: localeField,
});
export type PreferencesInput = z.output<typeof preferencesSchema>;

/** What a person's page in the admin asks (app/routes/admin.users.$userId.tsx). */
export const accountIntentSchema = z.enum(["save", "deactivate", "reactivate"]);

/** What the settings page asks (app/routes/settings.tsx). */
export const settingsIntentSchema = z.enum(["preferences", "feed-issue", "feed-revoke"]);

/** The people list's filters, from its address: a bad one is ignored, not an error. */
export const peopleFilterSchema = z.object({
  q: addressParam(z.string().trim().max(100)),
  role: addressParam(z.enum(ROLES)),
  after: cursorParam(),
});
