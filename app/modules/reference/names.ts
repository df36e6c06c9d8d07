import actorsData from "../../../vendor/reference-data/threat-actors.json";
import malwareData from "../../../vendor/reference-data/malware-families.json";

// Threat actors (1,041) and malware families (3,683) with their synonyms, from the vendored MISP
// galaxy (SOURCE.md in vendor/reference-data): one name for one thing. Pure; server-side only.
//
// A name is looked up by its key: letters and digits only, in lower case, accents dropped, so
// that case, spacing and punctuation do not matter ("Wizard-Spider", "WIZARD SPIDER"). A name not
// found as given is tried again without trailing words that describe rather than name
// ("Grandoreiro banking trojan", "Conti ransomware", "Lazarus group"). A key that two entries
// share (a synonym of two actors) names neither: guessing would merge two different things.

export type NameKind = "actor" | "malware";

/** How names compare: letters and digits only, lower case, without accents. */
export function entityKey(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

const DESCRIPTIVE_WORDS: Record<NameKind, ReadonlySet<string>> = {
  actor: new Set(["group", "gang", "crew", "team", "actor", "actors", "operators", "apt", "threat", "cluster"]),
  malware: new Set(
    (
      "malware family variant trojan banking banker ransomware locker rat botnet bot loader stealer infostealer backdoor " +
      "worm dropper downloader spyware implant virus kit remote access tool"
    ).split(" "),
  ),
};

type Entry = { name: string; synonyms: string[] };
type Index = { byKey: Map<string, string>; names: string[] };

function buildIndex(entries: Entry[]): Index {
  const primary = new Map<string, string>();
  const synonyms = new Map<string, string | null>();
  const names: string[] = [];
  for (const entry of entries) {
    const name = entry.name.trim().replace(/\s+/g, " ");
    if (entityKey(name) === "") continue;
    names.push(name);
    primary.set(entityKey(name), name);
  }
  for (const entry of entries) {
    const name = entry.name.trim().replace(/\s+/g, " ");
    for (const synonym of entry.synonyms) {
      const key = entityKey(synonym);
      if (key === "" || primary.has(key)) continue;
      const known = synonyms.get(key);
      synonyms.set(key, known === undefined || known === name ? name : null);
    }
  }
  const byKey = new Map(primary);
  for (const [key, name] of synonyms) if (name !== null) byKey.set(key, name);
  names.sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" }));
  return { byKey, names };
}

const indexes: Partial<Record<NameKind, Index>> = {};
const indexOf = (kind: NameKind): Index =>
  (indexes[kind] ??= buildIndex(kind === "actor" ? actorsData.actors : malwareData.families));

/** The reference list's name for what `name` stands for, or undefined when the lists do not know it. */
export function referenceName(kind: NameKind, name: string): string | undefined {
  const { byKey } = indexOf(kind);
  const words = name.trim().split(/\s+/);
  for (let end = words.length; end >= 1; end--) {
    const found = byKey.get(entityKey(words.slice(0, end).join(" ")));
    if (found !== undefined) return found;
    // Only descriptive words are dropped, one at a time from the end.
    if (end === 1 || !DESCRIPTIVE_WORDS[kind].has(entityKey(words[end - 1]!))) return undefined;
  }
  return undefined;
}

/**
 * The key a name is filed under: its reference name's when the lists know it, else its own. Two
 * names with the same key are one thing before any analyst merges anything.
 */
export const resolvedKey = (kind: NameKind, name: string): string => entityKey(referenceName(kind, name) ?? name);

/** Every name of the reference list, sorted: what the form suggests. */
export const knownNames = (kind: NameKind): readonly string[] => indexOf(kind).names;

/**
 * Up to `limit` known names that start like `typed` does (by key), for a name the lists do not
 * know: the form's suggestions without JavaScript.
 */
export function namesLike(kind: NameKind, typed: string, limit = 8): string[] {
  const key = entityKey(typed);
  if (key.length < 3) return [];
  const stem = key.slice(0, Math.min(key.length, 5));
  return indexOf(kind)
    .names.filter((name) => entityKey(name).startsWith(stem))
    .slice(0, limit);
}
