import type { Sector } from "~/modules/organisations/vocabulary";
import type { Attribution } from "~/modules/threat-input/vocabulary";
import { countryName } from "~/lib/countries";
import { SECTOR_LABELS } from "~/lib/labels";

// How the source of an item is shown, and how an organisation's names are found in free text.
// Pure: the need-to-know gate (gate.server.ts) decides the disclosure; this turns it into words.

/** How much of an item's source a viewer may learn: the item's attribution, or all of it. */
export type Disclosure = Attribution;

const STRICTNESS: readonly Disclosure[] = ["named", "sector_country", "anonymous"];

/** The stricter of two disclosures. */
export const stricterDisclosure = (a: Disclosure, b: Disclosure): Disclosure =>
  STRICTNESS.indexOf(a) >= STRICTNESS.indexOf(b) ? a : b;

/** The strictest of several (named when there are none). */
export const strictestDisclosure = (disclosures: Iterable<Disclosure>): Disclosure =>
  [...disclosures].reduce<Disclosure>(stricterDisclosure, "named");

export const WITHHELD_SOURCE = "An organisation that asked to stay anonymous";

/** The source in the words a disclosure allows: the name, its sector and country, or nothing. */
export function sourceWords(disclosure: Disclosure, organisation: { name: string; sector: Sector; country: string }): string {
  if (disclosure === "named") return organisation.name;
  if (disclosure === "sector_country") return `${SECTOR_LABELS[organisation.sector]} in ${countryName(organisation.country)}`;
  return WITHHELD_SOURCE;
}

// ---------------------------------------------------------------------------------------------
// Finding an organisation's names in free text

/** Stands in for an organisation's name in text that may not name it. */
export const REDACTED_NAME = "[source withheld]";

/**
 * Legal forms people leave out when they name an organisation ("Banco Cordillera's fraud desk"
 * for "Banco Cordillera S.A."), written as the tokens they normalise to.
 */
const LEGAL_FORMS = [
  "ag", "gmbh", "mbh", "kg", "ev", "e v", "sa", "s a", "spa", "s p a", "srl", "s r l", "sl", "s l", "sas", "s a s",
  "nv", "n v", "bv", "b v", "se", "plc", "ltd", "limited", "inc", "llc", "corp", "corporation", "co", "company",
  "ltda", "oy", "ab", "as", "a s", "aps", "sarl", "bhd", "pte", "pty",
].map((form) => form.split(" "));

type Token = { text: string; start: number; end: number };

/** Words of a text, compared without case or accents, with where each stands in the original. */
function tokens(text: string): Token[] {
  const found: Token[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    found.push({
      text: match[0].normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase(),
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  return found;
}

const endsWith = (words: string[], suffix: string[]) =>
  words.length > suffix.length && suffix.every((word, index) => words[words.length - suffix.length + index] === word);

/** A name as words, and the same without its legal form; too short to be telling is dropped. */
function variants(name: string): string[][] {
  const words = tokens(name).map((token) => token.text);
  const found = [words];
  let stripped = words;
  for (let changed = true; changed; ) {
    changed = false;
    for (const form of LEGAL_FORMS) {
      if (endsWith(stripped, form)) {
        stripped = stripped.slice(0, stripped.length - form.length);
        changed = true;
      }
    }
  }
  if (stripped.length !== words.length) found.push(stripped);
  return found.filter((variant) => variant.join("").length >= 3);
}

export type NameMatcher = {
  /** The passages of the text that name one of the organisations, as written there. */
  find(text: string): string[];
  /** The text with every such passage replaced. */
  redact(text: string, replacement?: string): string;
};

/**
 * Finds organisations' names, short names and aliases in text, however it is cased or
 * accented, with or without the legal form, followed by a possessive or not.
 */
export function nameMatcher(names: Iterable<string>): NameMatcher {
  const patterns = [...new Set([...names].flatMap(variants).map((words) => words.join(" ")))]
    .map((joined) => joined.split(" "))
    // The longest first, so that "Banco Cordillera S A" wins over "Banco Cordillera".
    .sort((a, b) => b.length - a.length);
  const spans = (text: string): [number, number][] => {
    if (patterns.length === 0 || text === "") return [];
    const words = tokens(text);
    const found: [number, number][] = [];
    for (let index = 0; index < words.length; ) {
      const pattern = patterns.find((candidate) => candidate.every((word, offset) => words[index + offset]?.text === word));
      if (!pattern) {
        index += 1;
        continue;
      }
      // A legal form written after the name, in any of its spellings, goes with it.
      let end = index + pattern.length;
      const form = LEGAL_FORMS.find((candidate) => candidate.every((word, offset) => words[end + offset]?.text === word));
      if (form) end += form.length;
      found.push([words[index]!.start, words[end - 1]!.end]);
      index = end;
    }
    return found;
  };
  return {
    find: (text) => spans(text).map(([start, end]) => text.slice(start, end)),
    redact(text, replacement = REDACTED_NAME) {
      let result = "";
      let at = 0;
      for (const [start, end] of spans(text)) {
        result += text.slice(at, start) + replacement;
        at = end;
      }
      return result + text.slice(at);
    },
  };
}
