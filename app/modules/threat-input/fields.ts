import type { FormValues } from "~/lib/forms";
import { parseIndicatorLines } from "./indicators";

// The threat input form's fields as it names them (items.<index>.<field>) and rearranges them
// before they are checked: the form lays itself out with these in the browser too, so this file
// takes no zod (docs/decisions/023); schema.ts checks what the fields hold.

export const MAX_ITEMS = 30;
export const MAX_INDICATORS_PER_ITEM = 20_000;
/** A draft is what the form held; beyond this it is not a form any more. */
export const MAX_DRAFT_CHARACTERS = 3_000_000;

/** The fields of one item, as the form names them: `items.<index>.<field>`. */
export const ITEM_FIELDS = [
  "crimeArea",
  "title",
  "observedFrom",
  "observedTo",
  "trend",
  "impact",
  "likelihood",
  "sectors",
  "countries",
  "actors",
  "malware",
  "techniques",
  "indicators",
  "sourceReliability",
  "informationCredibility",
  "tlp",
  "shareOnward",
  "redRecipients",
  "attribution",
  "narrative",
  "recommendedActions",
] as const;
export type ItemField = (typeof ITEM_FIELDS)[number];

export const itemFieldName = (index: number, field: ItemField) => `items.${index}.${field}`;
/** The file input beside an item's indicators (a file, never a value a draft keeps). */
export const importFieldName = (index: number) => `items.${index}.file`;

const ITEM_KEY = /^items\.(\d{1,3})\.([A-Za-z]+)$/;

/** The form's flat fields, grouped by item and in the order of their indexes. */
export function groupItems(values: FormValues): Record<string, string | string[]>[] {
  const byIndex = new Map<number, Record<string, string | string[]>>();
  for (const [key, value] of Object.entries(values)) {
    const match = ITEM_KEY.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    if (!byIndex.has(index)) byIndex.set(index, {});
    byIndex.get(index)![match[2]!] = value;
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** The same fields renumbered 0..n-1, so that messages and fields line up after a removal. */
export function renumberItems(values: FormValues, without?: number): FormValues {
  const rest: FormValues = {};
  const byIndex = new Map<number, FormValues>();
  for (const [key, value] of Object.entries(values)) {
    const match = ITEM_KEY.exec(key);
    if (!match) {
      rest[key] = value;
      continue;
    }
    const index = Number(match[1]);
    if (index === without) continue;
    if (!byIndex.has(index)) byIndex.set(index, {});
    byIndex.get(index)![match[2]!] = value;
  }
  [...byIndex.keys()]
    .sort((a, b) => a - b)
    .forEach((index, position) => {
      for (const [field, value] of Object.entries(byIndex.get(index)!)) rest[`items.${position}.${field}`] = value;
    });
  return rest;
}

export const itemCount = (values: FormValues) => groupItems(values).length;

/** Where an item's indicator lines that are not indicators are set aside, beside the list. */
export const setAsideFieldName = (index: number) => `items.${index}.indicatorsSetAside`;

/**
 * The form with each item's lines that are not indicators moved out of its list into the box
 * beside it (after whatever was set aside before), so that the rest of the list, and of the form,
 * stays as typed; and, per item index, the lines moved with why.
 */
export function setAsideRejectedIndicators(values: FormValues): {
  values: FormValues;
  setAside: Map<number, { line: number; input: string; reason: string }[]>;
} {
  const kept: FormValues = { ...values };
  const setAside = new Map<number, { line: number; input: string; reason: string }[]>();
  for (const [key, value] of Object.entries(values)) {
    const match = /^items\.(\d{1,3})\.indicators$/.exec(key);
    if (!match || typeof value !== "string") continue;
    const rejected = parseIndicatorLines(value).rejected;
    if (rejected.length === 0) continue;
    const index = Number(match[1]);
    const bad = new Set(rejected.map((line) => line.line));
    const lines = value.split(/\r\n|\r|\n/);
    kept[key] = lines.filter((_, i) => !bad.has(i + 1)).join("\n");
    const before = typeof values[setAsideFieldName(index)] === "string" ? String(values[setAsideFieldName(index)]).trim() : "";
    kept[setAsideFieldName(index)] = [before, ...rejected.map((line) => lines[line.line - 1]!)].filter(Boolean).join("\n");
    setAside.set(index, rejected);
  }
  return { values: kept, setAside };
}

/** What the box of set-aside lines says: each line, and why it is not an indicator. */
export function setAsideMessage(lines: { line: number; input: string; reason: string }[]): string {
  const shown = lines.slice(0, 5).map((line) => `line ${line.line}, “${line.input.length > 60 ? `${line.input.slice(0, 57)}...` : line.input}”: ${line.reason}`);
  const more = lines.length - shown.length;
  return (
    `${lines.length === 1 ? "One line was" : `${lines.length} lines were`} set aside here, not being indicators (${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}). ` +
    "Correct and move them back into the list, or submit again without them."
  );
}
