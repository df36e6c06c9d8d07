import data from "../../../vendor/reference-data/attack-techniques.json";

// MITRE ATT&CK techniques and sub-techniques, from the vendored MISP galaxy (SOURCE.md in
// vendor/reference-data): what an item's technique ids are checked against, and the names views
// and exports show. Pure; server-side only (the list is 320 kB, too much for the browser bundle).

export type Technique = { id: string; name: string; tactics: string[]; deprecated: boolean; url: string };

/** The shape of a technique id: T1566, or T1566.001 for a sub-technique. */
export const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;

let byId: Map<string, Technique> | undefined;
const techniques = () =>
  (byId ??= new Map(
    data.techniques.map((entry) => [
      entry.id,
      {
        id: entry.id,
        name: entry.name,
        tactics: entry.tactics,
        deprecated: entry.deprecated,
        url: entry.url,
      },
    ]),
  ));

/** The technique with this id (upper case, as the form keeps it), or undefined for an unknown one. */
export const technique = (id: string): Technique | undefined => techniques().get(id.trim().toUpperCase());

/** What the threat input form checks technique ids with (see ItemContext). */
export type TechniqueCatalogue = { known(id: string): boolean; deprecated(id: string): boolean };

export const ATTACK_CATALOGUE: TechniqueCatalogue = {
  known: (id) => technique(id) !== undefined,
  deprecated: (id) => technique(id)?.deprecated === true,
};

/** "T1566.001 Spearphishing Attachment", or the id alone when it is not in the list. */
export function techniqueLabel(id: string): string {
  const found = technique(id);
  return found ? `${found.id} ${found.name}${found.deprecated ? " (deprecated)" : ""}` : id;
}

/** Every technique that is not deprecated, by id: the form's suggestions. */
export function currentTechniques(): { id: string; name: string }[] {
  return [...techniques().values()].filter((entry) => !entry.deprecated).map(({ id, name }) => ({ id, name }));
}

/** The current techniques of the same family as an id (T1566.001: T1566 and its sub-techniques). */
export function relatedTechniques(id: string): { id: string; name: string }[] {
  const parent = id.trim().toUpperCase().slice(0, 5);
  return currentTechniques().filter((entry) => entry.id.slice(0, 5) === parent);
}
