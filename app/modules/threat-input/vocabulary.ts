// The words threat input is written in: crime areas, handling marks, grades, trends. Plain values
// with no import, so that pages take them without the database schema or zod (docs/decisions/023).

/** The taxonomy the whole product speaks (DESIGN.md). */
export const CRIME_AREAS = [
  "malware_coding",
  "malware_testing",
  "malware_distribution",
  "botnets",
  "crime_as_a_service",
  "online_fraud",
  "intrusion",
  "banking_trojans",
  "underground_forums",
  "offenders_and_networks",
] as const;
export type CrimeArea = (typeof CRIME_AREAS)[number];

/** Traffic Light Protocol 2.0 marks (FIRST), as the portal shows and exports them. */
export const TLP_MARKS = ["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"] as const;
export type Tlp = (typeof TLP_MARKS)[number];

/** Admiralty code: how reliable the source is (A-F) and how credible the information (1-6). */
export const SOURCE_RELIABILITY = ["A", "B", "C", "D", "E", "F"] as const;
export type SourceReliability = (typeof SOURCE_RELIABILITY)[number];
export const INFORMATION_CREDIBILITY = ["1", "2", "3", "4", "5", "6"] as const;
export type InformationCredibility = (typeof INFORMATION_CREDIBILITY)[number];

export const THREAT_INPUT_STATUSES = ["draft", "submitted", "withdrawn"] as const;
export type ThreatInputStatus = (typeof THREAT_INPUT_STATUSES)[number];

export const TRIAGE_STATES = ["new", "accepted", "needs_clarification", "rejected"] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];

export const TRENDS = ["new", "increasing", "stable", "decreasing"] as const;
export type Trend = (typeof TRENDS)[number];

export const ATTRIBUTIONS = ["named", "sector_country", "anonymous"] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

export const TARGETED_SECTORS = [
  "finance",
  "telecom",
  "health",
  "energy",
  "government",
  "retail",
  "transport",
  "manufacturing",
  "education",
  "technology",
  "individuals",
] as const;
export type TargetedSector = (typeof TARGETED_SECTORS)[number];

export type ThreatActor = { name: string; aliases: string[] };

export const ITEM_ENTITY_KINDS = ["actor", "malware", "technique"] as const;
export type ItemEntityKind = (typeof ITEM_ENTITY_KINDS)[number];
