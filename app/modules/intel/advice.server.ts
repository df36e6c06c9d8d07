import type { FormValues } from "~/lib/forms";
import { relatedTechniques, technique, TECHNIQUE_ID } from "../reference/attack";
import { namesLike, referenceName, type NameKind } from "../reference/names";
import { warningListsFor, type WarningMatch } from "../reference/warning-lists";
import { parseIndicatorLines } from "../threat-input/indicators";
import { parseActors } from "../threat-input/schema";
import { groupItems } from "../threat-input/fields";

// What the threat input form tells a stakeholder about each item beyond right or wrong, from the
// reference data (which stays on the server): indicators on warning lists, technique names and
// deprecated ones, and the known name each actor or malware name stands for. Shown after every
// save, import and refused submit, and after each autosave with JavaScript.

export type IndicatorAdvice = { type: string; value: string; line: number; kept: boolean; matches: WarningMatch[] };
export type ItemAdvice = {
  warnings: IndicatorAdvice[];
  techniques: { id: string; name: string | null; deprecated: boolean }[];
  names: { kind: NameKind; typed: string; known: string | null }[];
};

const text = (value: string | string[] | undefined) => (typeof value === "string" ? value : "");
const splitList = (value: string) =>
  value
    .split(/[\n,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);

function adviceForItem(item: Record<string, string | string[]>): ItemAdvice {
  const warnings = parseIndicatorLines(text(item.indicators))
    .indicators.map((indicator) => ({
      type: indicator.type,
      value: indicator.value,
      line: indicator.line,
      kept: indicator.keepNote !== undefined,
      matches: warningListsFor(indicator.type, indicator.value),
    }))
    .filter((indicator) => indicator.matches.length > 0);
  const techniques = [...new Set(splitList(text(item.techniques).replace(/\s+/g, ",")).map((id) => id.toUpperCase()))]
    .filter((id) => TECHNIQUE_ID.test(id))
    .map((id) => {
      const found = technique(id);
      return { id, name: found?.name ?? null, deprecated: found?.deprecated ?? false };
    });
  const actors = parseActors(text(item.actors));
  const names = [
    ...(typeof actors === "string" ? [] : actors.map((actor) => ({ kind: "actor" as const, typed: actor.name }))),
    ...[...new Set(splitList(text(item.malware)))].map((typed) => ({ kind: "malware" as const, typed })),
  ].map((name) => ({ ...name, known: referenceName(name.kind, name.typed) ?? null }));
  return { warnings, techniques, names };
}

/** The advice for each item of a form, in the order of its items. */
export const adviceFor = (values: FormValues): ItemAdvice[] => groupItems(values).map(adviceForItem);

/**
 * The names the page's suggestion lists hold without JavaScript: the known names each item
 * already uses, and those that start like a name the lists do not know. (With JavaScript the
 * page loads every known name, once, from /reference/names.)
 */
export function suggestionsFor(advice: ItemAdvice[]) {
  const of = (kind: NameKind) => {
    const names = new Set<string>();
    for (const item of advice) {
      for (const name of item.names) {
        if (name.kind !== kind) continue;
        if (name.known) names.add(name.known);
        else for (const like of namesLike(kind, name.typed)) names.add(like);
      }
    }
    return [...names].slice(0, 200);
  };
  const techniques = new Map<string, { id: string; name: string }>();
  for (const item of advice) for (const typed of item.techniques) for (const entry of relatedTechniques(typed.id)) techniques.set(entry.id, entry);
  return { actor: of("actor"), malware: of("malware"), technique: [...techniques.values()].slice(0, 200) };
}

/** Fields beside an item's lists where a known name is picked from the suggestions. */
export const ADD_FIELDS = { addActor: "actors", addMalware: "malware", addTechnique: "techniques" } as const;

/**
 * The form with each name picked in an "add" field moved into its list (a line of actors or
 * malware, a technique id after a comma), so that picking a suggestion works without JavaScript.
 */
export function withPickedNames(values: FormValues): FormValues {
  const out: FormValues = {};
  const picked: [string, string, string][] = [];
  for (const [key, value] of Object.entries(values)) {
    const match = /^(items\.\d{1,3}\.)(addActor|addMalware|addTechnique)$/.exec(key);
    if (!match) {
      out[key] = value;
      continue;
    }
    const name = text(value).trim();
    if (name) picked.push([`${match[1]}${ADD_FIELDS[match[2] as keyof typeof ADD_FIELDS]}`, match[2]!, name]);
  }
  for (const [field, kind, name] of picked) {
    const current = text(out[field]).replace(/\s+$/, "");
    if (kind === "addTechnique") {
      const id = name.split(/\s/)[0]!.toUpperCase();
      out[field] = current ? `${current}, ${id}` : id;
    } else out[field] = current ? `${current}\n${name}` : name;
  }
  return out;
}
