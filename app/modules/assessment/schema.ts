import { z } from "zod";
import { ENTITY_KINDS, TARGET_KINDS } from "./vocabulary";
import { CRIME_AREAS, TRENDS } from "~/modules/threat-input/vocabulary";
import { checkboxes, chosenIds, cursorParam, optionalText } from "~/lib/forms";
import { dateField } from "../consultations/schema";

export const editionFormSchema = z
  .object({
    title: z.string().trim().min(3, "Give the edition a title.").max(160, "Keep the title under 160 characters."),
    periodFrom: dateField("Enter the first day of the period."),
    periodTo: dateField("Enter the last day of the period."),
    consultationIds: checkboxes(z.coerce.number().int().positive()).pipe(
      z.array(z.number()).min(1, "Choose the consultations this edition draws on."),
    ),
  })
  .refine((edition) => edition.periodTo >= edition.periodFrom, {
    path: ["periodTo"],
    message: "The period ends before it starts.",
  });
export type EditionInput = z.output<typeof editionFormSchema>;

/**
 * The new edition's form as its Find button sends it (a GET, with every field): the consultations
 * chosen so far and words of a title to look for. A search is never refused.
 */
export const editionSearchSchema = z.object({
  consultationIds: chosenIds(),
  findConsultations: optionalText(120).catch(undefined),
});

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const overrideFormSchema = z
  .object({
    crimeArea: z.enum(CRIME_AREAS, "Choose a crime area."),
    score: z.preprocess(
      emptyAsUndefined,
      z.coerce
        .number("Enter a score from 0 to 25, or leave it empty.")
        .min(0, "Enter a score from 0 to 25.")
        .max(25, "Enter a score from 0 to 25.")
        .transform((score) => Math.round(score * 10) / 10)
        .optional(),
    ),
    trend: z.preprocess(emptyAsUndefined, z.enum(TRENDS, "Choose a trend, or leave it empty.").optional()),
    reason: z.string().trim().min(10, "Say why you set it by hand (at least 10 characters).").max(2000, "Keep the reason under 2,000 characters."),
  })
  .refine((override) => override.score !== undefined || override.trend !== undefined, {
    path: ["score"],
    message: "Set a score, a trend, or both.",
  });

export const clearOverrideFormSchema = z.object({ crimeArea: z.enum(CRIME_AREAS, "Choose a crime area.") });

export const mergeFormSchema = z
  .object({
    kind: z.enum(ENTITY_KINDS, "Choose actors or malware."),
    from: z.string().trim().min(1, "Name what to merge.").max(120, "Keep a name under 120 characters."),
    into: z.string().trim().min(1, "Name what it is merged into.").max(120, "Keep a name under 120 characters."),
  })
  .refine((merge) => merge.from.toLowerCase() !== merge.into.toLowerCase(), {
    path: ["into"],
    message: "A name cannot be merged into itself.",
  });
export type MergeInput = z.output<typeof mergeFormSchema>;

export const proposalFormSchema = z.object({
  kind: z.enum(TARGET_KINDS, "Say whether it is an actor or a network."),
  name: z.string().trim().min(2, "Name the actor or network.").max(120, "Keep the name under 120 characters."),
  rationale: z.string().trim().min(20, "Give the rationale (at least 20 characters).").max(5000, "Keep the rationale under 5,000 characters."),
  itemIds: checkboxes(z.coerce.number().int().positive()).pipe(
    z.array(z.number()).min(1, "Choose the items that support the proposal."),
  ),
});
export type ProposalInput = z.output<typeof proposalFormSchema>;

/** Publishing is irreversible: it is confirmed on a page of its own, whose form says so. */
export const publishFormSchema = z.object({
  confirmed: z
    .string()
    .optional()
    .transform((value) => value === "yes"),
});

export const decisionFormSchema = z.object({
  proposalId: z.coerce.number().int().positive(),
  decision: z.enum(["endorsed", "declined"], "Endorse or decline."),
  note: optionalText(2000),
});

export const exportFormSchema = z.object({
  format: z.enum(["stix", "csv"], "Choose STIX or CSV."),
  recipient: z.string().trim().min(3, "Name the recipient (a person and their agency).").max(200, "Keep the recipient under 200 characters."),
  confirm: z.literal("on", "Confirm that the TLP:RED items may go to this recipient."),
});

/** Which items a list of "the items behind a figure" shows. */
export const itemsFilterSchema = z.object({
  area: z.enum(CRIME_AREAS).optional().catch(undefined),
  actor: z.string().trim().min(1).max(120).optional().catch(undefined),
  malware: z.string().trim().min(1).max(120).optional().catch(undefined),
  indicator: z.string().trim().min(1).max(4200).optional().catch(undefined),
  target: z.coerce.number().int().positive().optional().catch(undefined),
  after: cursorParam(),
});
export type ItemsFilter = z.output<typeof itemsFilterSchema>;

/** What an edition's page asks (app/routes/assessments.$editionId._index.tsx). */
export const editionIntentSchema = z.enum(["override", "clear-override", "merge", "decide", "publish", "release"]);
