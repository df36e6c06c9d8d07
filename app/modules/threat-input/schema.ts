import { z } from "zod";
import {
  ATTRIBUTIONS,
  CRIME_AREAS,
  INFORMATION_CREDIBILITY,
  SOURCE_RELIABILITY,
  TARGETED_SECTORS,
  TLP_MARKS,
  TRENDS,
  TRIAGE_STATES,
  type CrimeArea,
  type ThreatActor,
} from "./vocabulary";
import { isCountryCode } from "~/lib/countries";
import { memoize } from "~/lib/memo";
import { addressParam, checkboxes, cursorParam, type FormValues } from "~/lib/forms";
import { dateField } from "../consultations/schema";
import { INDICATOR_TYPES, parseIndicatorLines, validateIndicator, type ParsedIndicator } from "./indicators";
import { groupItems, MAX_INDICATORS_PER_ITEM, MAX_ITEMS } from "./fields";

const text = (value: unknown) => (typeof value === "string" ? value : "");
const splitList = (value: string) =>
  value
    .split(/[\n,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
const unique = <T>(list: T[]) => [...new Set(list)];

/** "Wizard Spider (Grim Spider, UNC1878)", one a line. */
export function parseActors(value: string): ThreatActor[] | string {
  const actors: ThreatActor[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of value.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^([^()]+?)\s*(?:\(([^()]*)\))?$/.exec(line);
    if (!match) return `Line ${index + 1}: write the name, then any aliases in brackets, like "Wizard Spider (Grim Spider, UNC1878)".`;
    const name = match[1]!.trim();
    if (name.length > 120) return `Line ${index + 1}: keep a name under 120 characters.`;
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const aliases = unique(splitList(match[2] ?? "")).filter((alias) => alias.toLowerCase() !== name.toLowerCase());
    actors.push({ name, aliases });
  }
  return actors;
}

const TECHNIQUE = /^T\d{4}(?:\.\d{3})?$/;

export type ItemContext = {
  /** The consultation's crime areas: an item belongs to one of them. */
  crimeAreas: readonly CrimeArea[];
  /** The analysts a TLP:RED item may be addressed to. */
  analystIds: readonly number[];
  /** Today's date (YYYY-MM-DD, UTC): nothing can have been observed after tomorrow. */
  today: string;
  /**
   * The ATT&CK techniques ids are checked against (app/modules/reference/attack.ts, given by the
   * server): an unknown id is refused. Without it only the shape of an id is checked.
   */
  techniques?: { known(id: string): boolean };
};

/** Empty is the one thing to say about an empty field: its other checks wait. */
const required = (message: string) => z.string(message).trim().min(1, { message, abort: true });
const isDate = (value: string | undefined) => value !== undefined && dateField("").safeParse(value).success;

function itemSchema(context: ItemContext) {
  const tomorrow = new Date(Date.parse(`${context.today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return z
    .object({
      crimeArea: z.enum(CRIME_AREAS, "Choose the crime area.").refine((area) => context.crimeAreas.includes(area), {
        message: "Choose one of this consultation's crime areas.",
      }),
      title: required("Give the item a title.")
        .min(3, "Give the item a title of at least 3 characters.")
        .max(200, "Keep the title under 200 characters."),
      observedFrom: dateField("Enter the date from which it was observed."),
      observedTo: z.preprocess(
        (value) => (text(value).trim() === "" ? undefined : value),
        dateField("Enter a date, or leave it empty if it is still going on.").optional(),
      ),
      trend: z.enum(TRENDS, "Choose the trend."),
      impact: z.coerce.number("Choose the impact, 1 to 5.").int().min(1, "Choose the impact, 1 to 5.").max(5, "Choose the impact, 1 to 5."),
      likelihood: z.coerce
        .number("Choose the likelihood, 1 to 5.")
        .int()
        .min(1, "Choose the likelihood, 1 to 5.")
        .max(5, "Choose the likelihood, 1 to 5."),
      sectors: checkboxes(z.enum(TARGETED_SECTORS, "Choose sectors from the list.")).transform(unique),
      countries: z.preprocess(
        (value) => text(value),
        z.string().transform((value, ctx) => {
          const codes = unique(splitList(value.replace(/\s+/g, ",")).map((code) => code.toUpperCase()));
          const wrong = codes.filter((code) => !isCountryCode(code));
          if (wrong.length) {
            ctx.addIssue({
              code: "custom",
              message: `${wrong.join(", ")} ${wrong.length === 1 ? "is not a country code" : "are not country codes"}: use ISO 3166-1 codes such as AT, CO or US.`,
            });
            return z.NEVER;
          }
          return codes;
        }),
      ),
      actors: z.preprocess(
        (value) => text(value),
        z.string().transform((value, ctx) => {
          const actors = parseActors(value);
          if (typeof actors === "string") {
            ctx.addIssue({ code: "custom", message: actors });
            return z.NEVER;
          }
          if (actors.length > 50) {
            ctx.addIssue({ code: "custom", message: "Name at most 50 actors or networks in one item." });
            return z.NEVER;
          }
          return actors;
        }),
      ),
      malware: z.preprocess(
        (value) => text(value),
        z
          .string()
          .transform((value) => unique(splitList(value)))
          .refine((list) => list.length <= 50, "Name at most 50 malware families in one item.")
          .refine((list) => list.every((name) => name.length <= 120), "Keep each malware name under 120 characters."),
      ),
      techniques: z.preprocess(
        (value) => text(value),
        z.string().transform((value, ctx) => {
          const ids = unique(splitList(value.replace(/\s+/g, ",")).map((id) => id.toUpperCase()));
          const wrong = ids.filter((id) => !TECHNIQUE.test(id));
          if (wrong.length) {
            ctx.addIssue({
              code: "custom",
              message: `${wrong.join(", ")}: an ATT&CK technique ID looks like T1566 or T1566.001.`,
            });
            return z.NEVER;
          }
          const unknown = context.techniques ? ids.filter((id) => !context.techniques!.known(id)) : [];
          if (unknown.length) {
            ctx.addIssue({
              code: "custom",
              message: `${unknown.join(", ")} ${unknown.length === 1 ? "is not an ATT&CK technique" : "are not ATT&CK techniques"}: check the ${unknown.length === 1 ? "ID" : "IDs"} at attack.mitre.org, or choose from the suggestions.`,
            });
            return z.NEVER;
          }
          return ids;
        }),
      ),
      indicators: z.preprocess(
        (value) => text(value),
        z.string().transform((value, ctx): ParsedIndicator[] => {
          const parsed = parseIndicatorLines(value);
          if (parsed.rejected.length) {
            const shown = parsed.rejected.slice(0, 5).map((line) => `line ${line.line}: ${line.reason}`);
            const more = parsed.rejected.length - shown.length;
            ctx.addIssue({
              code: "custom",
              message: `${parsed.rejected.length === 1 ? "One line is" : `${parsed.rejected.length} lines are`} not a valid indicator. Correct or remove ${parsed.rejected.length === 1 ? "it" : "them"}: ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}.`,
            });
            return z.NEVER;
          }
          if (parsed.indicators.length > MAX_INDICATORS_PER_ITEM) {
            ctx.addIssue({
              code: "custom",
              message: `An item holds at most ${MAX_INDICATORS_PER_ITEM.toLocaleString("en")} indicators; split them over several items.`,
            });
            return z.NEVER;
          }
          return parsed.indicators;
        }),
      ),
      sourceReliability: z.enum(SOURCE_RELIABILITY, "Grade the source, A to F."),
      informationCredibility: z.enum(INFORMATION_CREDIBILITY, "Grade the information, 1 to 6."),
      tlp: z.enum(TLP_MARKS, "Choose the TLP marking."),
      shareOnward: z.preprocess((value) => value === "on" || value === "true", z.boolean()),
      redRecipients: checkboxes(z.coerce.number().int().positive()).transform(unique),
      attribution: z.enum(ATTRIBUTIONS, "Choose how the taskforce may attribute it."),
      narrative: required("Describe what you have seen.").max(20_000, "Keep the narrative under 20,000 characters."),
      recommendedActions: z.preprocess(
        (value) => text(value),
        z.string().trim().max(10_000, "Keep the recommended actions under 10,000 characters."),
      ),
    })
    .superRefine((item, ctx) => {
      if (isDate(item.observedFrom) && item.observedFrom > tomorrow) {
        ctx.addIssue({ code: "custom", path: ["observedFrom"], message: "The observed period cannot start in the future." });
      }
      if (isDate(item.observedFrom) && isDate(item.observedTo) && item.observedTo! < item.observedFrom) {
        ctx.addIssue({ code: "custom", path: ["observedTo"], message: "The end of the observed period is before its start." });
      }
      if (item.tlp === "TLP:RED") {
        if (item.redRecipients.length === 0) {
          ctx.addIssue({
            code: "custom",
            path: ["redRecipients"],
            message: "TLP:RED is for named recipients only: choose the analysts who may read this item.",
          });
        }
      }
      if (item.redRecipients.some((id) => !context.analystIds.includes(id))) {
        ctx.addIssue({ code: "custom", path: ["redRecipients"], message: "Choose analysts from the list." });
      }
    })
    .transform((item) => ({
      ...item,
      observedTo: item.observedTo ?? null,
      // Named recipients mean something only under TLP:RED.
      redRecipients: item.tlp === "TLP:RED" ? item.redRecipients.sort((a, b) => a - b) : [],
    }));
}

export type ItemInput = z.output<ReturnType<typeof itemSchema>>;

/** The rule for a submitted input: one or more valid items. Messages land at `items.<n>.<field>`. */
function buildFormSchema(context: ItemContext) {
  return z.preprocess(
    (values) => ({ items: groupItems(values as FormValues) }),
    z.object({
      items: z
        .array(itemSchema(context))
        .min(1, "Add at least one item.")
        .max(MAX_ITEMS, `An input holds at most ${MAX_ITEMS} items.`),
    }),
  );
}

type FormSchema = ReturnType<typeof buildFormSchema>;

/** Stands for "no catalogue given" among the catalogues schemas are kept by. */
const SHAPE_ONLY = {};
const formSchemas = new WeakMap<object, (key: string) => FormSchema>();

/**
 * The schema of the threat input form in a context, built once per context and kept: building
 * it costs about ten times checking a form with it (3.3 ms against 0.4 ms for one item), and
 * every submit of a consultation's form is checked in the same context.
 */
export function threatInputFormSchema(context: ItemContext): FormSchema {
  const techniques = context.techniques ?? SHAPE_ONLY;
  let inCatalogue = formSchemas.get(techniques);
  if (!inCatalogue) {
    inCatalogue = memoize(32, (key) => {
      const { crimeAreas, analystIds, today } = JSON.parse(key) as Omit<ItemContext, "techniques">;
      return buildFormSchema({ crimeAreas, analystIds, today, techniques: context.techniques });
    });
    formSchemas.set(techniques, inCatalogue);
  }
  return inCatalogue(JSON.stringify({ crimeAreas: context.crimeAreas, analystIds: context.analystIds, today: context.today }));
}

/** Rejecting says why; accepting needs nothing more than the button. */
export const rejectFormSchema = z.object({
  reason: z.string().trim().min(3, "Say why the input is rejected.").max(2000, "Keep the reason under 2,000 characters."),
});

export const messageFormSchema = z.object({
  body: z.string().trim().min(2, "Write your message.").max(5000, "Keep the message under 5,000 characters."),
});

export const gradeFormSchema = z.object({
  itemId: z.coerce.number().int().positive(),
  sourceReliability: z.enum(SOURCE_RELIABILITY, "Grade the source, A to F."),
  informationCredibility: z.enum(INFORMATION_CREDIBILITY, "Grade the information, 1 to 6."),
  note: z.string().trim().min(3, "Say why you grade it so.").max(2000, "Keep the note under 2,000 characters."),
});


/** The triage queue's filters: a bad value is ignored, not an error (they come from a URL). */
export const triageFilterSchema = z.object({
  /** One consultation, as its page links to its input here. */
  consultationId: addressParam(z.coerce.number().int().positive()),
  // Words of a consultation's title and of an organisation's name, searched on the server: lists
  // of every consultation and organisation would grow with the years of the taskforce.
  consultation: addressParam(z.string().trim().min(1).max(200)),
  organisation: addressParam(z.string().trim().min(1).max(200)),
  crimeArea: addressParam(z.enum(CRIME_AREAS)),
  tlp: addressParam(z.enum(TLP_MARKS)),
  state: addressParam(z.enum(TRIAGE_STATES)),
  /** The cursor of the last row of the page before (keyset pagination). */
  after: cursorParam(),
});
export type TriageFilter = z.output<typeof triageFilterSchema>;

/** One indicator from a form: the type chosen and the value typed, validated and normalised. */
export const indicatorSchema = z
  .object({
    type: z.enum(INDICATOR_TYPES, "Choose the indicator's type."),
    value: z.string("Give the indicator's value."),
  })
  .transform((input, ctx) => {
    const checked = validateIndicator(input.type, input.value);
    if (checked.ok) return { type: input.type, value: checked.value };
    ctx.addIssue({ code: "custom", message: checked.reason, path: ["value"] });
    return z.NEVER;
  });

/** What an input's triage page asks (app/routes/inputs.$inputId._index.tsx). */
export const inputIntentSchema = z.enum(["accept", "reject", "ask", "answer", "grade", "clear-warning"]);
