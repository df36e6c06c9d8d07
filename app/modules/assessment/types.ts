import type {
  Attribution,
  CrimeArea,
  InformationCredibility,
  SourceReliability,
  TargetedSector,
  ThreatActor,
  Tlp,
  Trend,
} from "~/modules/threat-input/vocabulary";

// The shapes the assessment's pure parts (scoring, charts, exports) share with its service.

/** An accepted item as the assessment reads it: the grade is the analyst's where they re-graded it. */
export type AssessedItem = {
  id: number;
  inputId: number;
  organisationId: number;
  /** ISO 3166-1 alpha-2 of the organisation behind the item (not the countries it affects). */
  organisationCountry: string;
  attribution: Attribution;
  crimeArea: CrimeArea;
  title: string;
  trend: Trend;
  impact: number;
  likelihood: number;
  sourceReliability: SourceReliability;
  informationCredibility: InformationCredibility;
  tlp: Tlp;
  shareOnward: boolean;
  observedFrom: string;
  observedTo: string | null;
  sectors: TargetedSector[];
  countries: string[];
  actors: ThreatActor[];
  malware: string[];
  techniques: string[];
  /** `listed`: on a MISP warning list and not cleared by an analyst (never exported). */
  indicators: { type: string; value: string; listed?: boolean }[];
};

export type EntityKind = "actor" | "malware";

/**
 * How names are merged into entities: the analysts' merges (name -> the name it was merged
 * into) and the aliases items give. Keys are lower-cased, trimmed names.
 */
export type NameResolver = {
  (kind: EntityKind, name: string): string;
  /**
   * Every name the entity of `name` is known by (items' names and aliases, and the analysts'
   * merges), one spelling per name. Optional: a plain function still resolves; buildResolver
   * (scoring.ts) sets it so that a name known only from a merge is still listed as an alias.
   */
  spellings?: (kind: EntityKind, name: string) => string[];
};

/** The figures of one crime area, every one traceable to `itemIds`. */
export type AreaFigures = {
  crimeArea: CrimeArea;
  itemIds: number[];
  items: number;
  organisations: number;
  /** Distinct countries the items say are affected (not the reporters' countries). */
  affectedCountries: number;
  /** Weighted means, 1-5; null without items. */
  impact: number | null;
  likelihood: number | null;
  /** The mean evaluation weight of the items, 0-1. */
  meanWeight: number | null;
  /** Entities (actors, malware, indicators) reported by two or more organisations. */
  corroborated: { kind: EntityKind | "indicator"; name: string; organisations: number; itemIds: number[] }[];
  /** Organisations that report at least one corroborated entity. */
  corroboratingOrganisations: number;
  /** 0-1. */
  confidence: number | null;
  trend: Trend | null;
  /** impact x likelihood, 1-25. */
  risk: number | null;
  /** risk tempered by confidence; 0 without items. */
  score: number;
  /** The likelihood in the intelligence community's words (ICD 203). */
  likelihoodWords: string | null;
};

export type AreaOverride = {
  crimeArea: CrimeArea;
  score: number | null;
  trend: Trend | null;
  reason: string;
  byName: string;
  at: Date;
};

/** What a crime area shows: computed figures, and what an analyst set by hand, if anything. */
/**
 * A crime area as a page shows it: its figures and counts, the first corroborated names, and no
 * item ids (an area can rest on tens of thousands of items; its items page lists them, paged).
 */
export type AreaShown = Omit<AreaResult, "itemIds" | "corroborated"> & {
  corroborated: { kind: EntityKind | "indicator"; name: string; organisations: number }[];
  corroboratedTotal: number;
};

export type AreaResult = AreaFigures & {
  override: AreaOverride | null;
  finalScore: number;
  finalTrend: Trend | null;
  /**
   * Where the final score puts the area: the computed impact and likelihood, or, with a score
   * set by hand, both scaled to it; with the likelihood's words and the matrix band they give.
   */
  final: {
    impact: number | null;
    likelihood: number | null;
    likelihoodWords: string | null;
    band: "low" | "medium" | "high" | "very-high" | null;
  };
  /** The final score minus the previous edition's final score for the area; null without one. */
  change: number | null;
};

export type RankedEntity = {
  kind: EntityKind;
  name: string;
  /** Other names it is known by, merged into it. */
  aliases: string[];
  /** The sum of the evaluation weights of the items that name it. */
  weight: number;
  itemIds: number[];
  organisations: number;
  crimeAreas: CrimeArea[];
};
