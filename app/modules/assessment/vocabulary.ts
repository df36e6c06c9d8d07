// An edition's states and the kinds of things it ranks and targets, as stored and as pages offer
// them. Plain values with no import, so that pages take them without the database schema
// (docs/decisions/023).

export const EDITION_STATUSES = ["draft", "published"] as const;
export type EditionStatus = (typeof EDITION_STATUSES)[number];

export const ENTITY_KINDS = ["actor", "malware"] as const;
export const TARGET_KINDS = ["actor", "network"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
export const TARGET_STATES = ["proposed", "endorsed", "declined"] as const;
export type TargetState = (typeof TARGET_STATES)[number];
