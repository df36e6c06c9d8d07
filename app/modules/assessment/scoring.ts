import {
  CRIME_AREAS,
  type CrimeArea,
  type InformationCredibility,
  type SourceReliability,
  type Trend,
} from "~/modules/threat-input/vocabulary";
import type {
  AreaFigures,
  AreaOverride,
  AreaResult,
  AssessedItem,
  EntityKind,
  NameResolver,
  RankedEntity,
} from "./types";

// The threat assessment's scoring rule (DESIGN.md, "The flow", step 5): a score per crime area
// from the accepted items, weighted by their evaluation and by corroboration across independent
// organisations, with a trend; analysts' overrides on top. Pure: no Node-only imports and no
// database, because the help page renders SCORING_RULES in the browser bundle.

// ---------------------------------------------------------------------------------------------
// The rule's numbers, all of them, in one place. SCORING_RULES below is written from these, so
// the help page says what the code does.

/** What a grade that cannot be judged (source F, credibility 6) counts as: unknown, not zero. */
export const UNKNOWN_GRADE_FACTOR = 0.5;

/** The Admiralty code's source reliability as a factor of the evaluation weight. */
export const SOURCE_RELIABILITY_FACTORS: Readonly<Record<SourceReliability, number>> = {
  A: 1.0,
  B: 0.8,
  C: 0.6,
  D: 0.4,
  E: 0.2,
  F: UNKNOWN_GRADE_FACTOR,
};

/** The Admiralty code's information credibility as a factor of the evaluation weight. */
export const INFORMATION_CREDIBILITY_FACTORS: Readonly<Record<InformationCredibility, number>> = {
  "1": 1.0,
  "2": 0.8,
  "3": 0.6,
  "4": 0.4,
  "5": 0.2,
  "6": UNKNOWN_GRADE_FACTOR,
};

/** The grades that mean "cannot be judged". */
export const UNKNOWN_SOURCE_RELIABILITY: SourceReliability = "F";
export const UNKNOWN_INFORMATION_CREDIBILITY: InformationCredibility = "6";

/** Impact and likelihood are graded on this scale; their product, the risk, spans its squares. */
export const RATING_SCALE = { min: 1, max: 5 } as const;

/** An entity is corroborated when at least this many different organisations report it. */
export const CORROBORATION_MIN_ORGANISATIONS = 2;

/** What each corroborating organisation beyond the first adds to the confidence. */
export const CORROBORATION_CONFIDENCE_BONUS = 0.15;

/** The confidence never exceeds this. */
export const MAX_CONFIDENCE = 1;

/**
 * The share of the risk an area keeps at zero confidence; the rest grows with the confidence:
 * score = risk x (S + (1 - S) x confidence). At 0.5, no confidence halves the risk and full
 * confidence keeps all of it.
 */
export const SCORE_SHARE_WITHOUT_CONFIDENCE = 0.5;

/** When two trends carry the same weight, the earlier here wins: the cautious reading. */
export const TREND_TIE_ORDER = ["increasing", "new", "stable", "decreasing"] as const satisfies readonly Trend[];

/**
 * The weighted likelihood in words: the words of the input form's likelihood scale (scales.ts,
 * taken from ICD 203, US Intelligence Community Directive 203), each band holding the means
 * nearest its whole step, so that a mean of exactly 4 reads "likely" as the items' "4 · Likely"
 * do; above the last limit, ESTIMATIVE_WORDS_ABOVE.
 */
export const ESTIMATIVE_BANDS: readonly { below: number; words: string }[] = [
  { below: 1.5, words: "remote" },
  { below: 2.5, words: "unlikely" },
  { below: 3.5, words: "roughly even chance" },
  { below: 4.5, words: "likely" },
];
export const ESTIMATIVE_WORDS_ABOVE = "almost certain";

/**
 * Risk bands of a cell of the likelihood x impact matrix, by the product of its whole steps.
 * Light fills, so that ink text on them keeps well above 4.5:1, and each a step darker than the
 * one before, so that they differ in greyscale too.
 */
export const RISK_BANDS = [
  { key: "low", label: "Low", from: 1, to: 4, fill: "#e3f3e8" },
  { key: "medium", label: "Medium", from: 5, to: 9, fill: "#f8dc8c" },
  { key: "high", label: "High", from: 10, to: 14, fill: "#f5bf8e" },
  { key: "very-high", label: "Very high", from: 15, to: 25, fill: "#ec9c95" },
] as const;

export type RiskBand = (typeof RISK_BANDS)[number];

/** A band in a sentence: "18.0 very high". */
export const RISK_BAND_WORDS = Object.fromEntries(RISK_BANDS.map((band) => [band.key, band.label.toLowerCase()])) as Record<
  RiskBand["key"],
  string
>;

/** The band of the cell that impact and likelihood (1-5, in between allowed) fall in. */
export function riskBand(impact: number, likelihood: number): RiskBand {
  const product = Math.round(impact) * Math.round(likelihood);
  return RISK_BANDS.find((band) => product <= band.to) ?? RISK_BANDS[RISK_BANDS.length - 1]!;
}

/** Decimals kept: means, weights, confidence and risk; the score and its change. */
export const FIGURE_DECIMALS = 2;
export const SCORE_DECIMALS = 1;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Rounds half away from zero, without the binary surprises of 1.005 x 100 = 100.49999... */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const scaled = Number((Math.abs(value) * factor).toPrecision(12));
  const rounded = (Math.sign(value) * Math.round(scaled)) / factor;
  return rounded === 0 ? 0 : rounded; // no -0
}

/**
 * Not a number of the rule: weights and sums of weights are rounded to this many decimals only
 * to shed binary floating-point noise (0.2 x 0.2 = 0.04000000000000001), so that ties are ties.
 */
const NOISE_DECIMALS = 9;

/** Trimmed, inner whitespace collapsed to one space; case kept. */
function spell(name: string): string {
  return name.trim().replace(/\s+/g, " ");
}

/** How names compare: trimmed, whitespace collapsed, case ignored. */
export function nameKey(name: string): string {
  return spell(name).toLowerCase();
}

/**
 * Alphabetical, the same in every runtime (no locale): case-insensitively first, then by code
 * unit so that "LockBit" and "lockbit" still have a fixed order.
 */
export function compareNames(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const byNumber = (a: number, b: number) => a - b;

const ENTITY_KIND_ORDER: Record<EntityKind | "indicator", number> = { actor: 0, malware: 1, indicator: 2 };

/** Counts of each spelling of a name; the best is the most used, ties alphabetical. */
class Spellings {
  private readonly counts = new Map<string, Map<string, number>>();

  add(name: string, times = 1): void {
    const spelling = spell(name);
    if (spelling === "") return;
    const key = spelling.toLowerCase();
    let forKey = this.counts.get(key);
    if (!forKey) this.counts.set(key, (forKey = new Map()));
    forKey.set(spelling, (forKey.get(spelling) ?? 0) + times);
  }

  keys(): IterableIterator<string> {
    return this.counts.keys();
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }

  /** The best spelling of the name with this key. */
  best(key: string): string | undefined {
    const forKey = this.counts.get(key);
    return forKey ? mostUsed(forKey) : undefined;
  }
}

/** The most counted; ties alphabetical. */
function mostUsed(counts: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [spelling, count] of counts) {
    if (best === undefined || count > bestCount || (count === bestCount && compareNames(spelling, best) < 0)) {
      best = spelling;
      bestCount = count;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// 1. Evaluation weights

/** The Admiralty evaluation as a weight, 0-1: source factor x credibility factor. */
export function evaluationWeight(source: SourceReliability, credibility: InformationCredibility): number {
  return roundTo(SOURCE_RELIABILITY_FACTORS[source] * INFORMATION_CREDIBILITY_FACTORS[credibility], NOISE_DECIMALS);
}

function itemWeight(item: AssessedItem): number {
  return evaluationWeight(item.sourceReliability, item.informationCredibility);
}

// ---------------------------------------------------------------------------------------------
// 2. Names into entities

/** Union-find over name keys. */
class Groups {
  private readonly parent = new Map<string, string>();

  add(key: string): void {
    if (!this.parent.has(key)) this.parent.set(key, key);
  }

  has(key: string): boolean {
    return this.parent.has(key);
  }

  find(key: string): string {
    let root = key;
    for (let up = this.parent.get(root); up !== undefined && up !== root; up = this.parent.get(root)) root = up;
    // Path compression.
    for (let at = key; at !== root; ) {
      const up = this.parent.get(at)!;
      this.parent.set(at, root);
      at = up;
    }
    return root;
  }

  union(a: string, b: string): void {
    this.add(a);
    this.add(b);
    const ra = this.find(a);
    const rb = this.find(b);
    // The smaller key becomes the root: the result does not depend on the order of the unions.
    if (ra !== rb) {
      if (ra < rb) this.parent.set(rb, ra);
      else this.parent.set(ra, rb);
    }
  }

  keys(): IterableIterator<string> {
    return this.parent.keys();
  }
}

type Namespace = {
  groups: Groups;
  /** Every spelling seen: items' names and aliases, merges. */
  spellings: Spellings;
  /** Spellings used as an item's primary actor or malware name, counted once per item. */
  primary: Map<string, number>;
  /** Root key -> display name, filled once every name is in. */
  display: Map<string, string>;
  /** Root key -> the names in the group, one spelling each, sorted. */
  members: Map<string, string[]>;
};

function emptyNamespace(): Namespace {
  return { groups: new Groups(), spellings: new Spellings(), primary: new Map(), display: new Map(), members: new Map() };
}

/**
 * The reference lists of actors and malware (app/modules/reference/names.ts), for buildResolver:
 * the known name a name stands for, and the key names compare by beyond case (punctuation).
 */
export type ReferenceNames = { name(kind: EntityKind, name: string): string | undefined; key(name: string): string };

/**
 * How names become entities. Names compare case-insensitively once trimmed and with inner
 * whitespace collapsed. An actor's aliases are the same entity as its name; each analyst merge
 * (`from` -> `into`) joins two groups, transitively. A group shows the `into` name of the latest
 * merge that touched it, else the spelling items use most as a primary name (ties alphabetical).
 * `merges` must be in the order they were made, oldest first: "latest" is the last in the array.
 * Malware has no aliases in items: its names group only by merges and by case and spacing.
 * A name never seen resolves to itself, trimmed (and its inner whitespace collapsed).
 * With `reference`, names equal but for punctuation are one, a name the reference lists know
 * joins the entity of its known name, and a group that no merge names shows its known name.
 */
export function buildResolver(
  items: Pick<AssessedItem, "actors" | "malware">[],
  merges: { kind: EntityKind; from: string; into: string }[],
  reference?: ReferenceNames,
): NameResolver {
  const spaces: Record<EntityKind, Namespace> = { actor: emptyNamespace(), malware: emptyNamespace() };
  const kindOf = new Map<Namespace, EntityKind>([
    [spaces.actor, "actor"],
    [spaces.malware, "malware"],
  ]);
  /** Root key -> the reference lists' name for the group, where they know one. */
  const known: Record<EntityKind, Map<string, string>> = { actor: new Map(), malware: new Map() };

  const see = (space: Namespace, name: string): string | null => {
    const key = nameKey(name);
    if (key === "") return null;
    space.groups.add(key);
    space.spellings.add(name);
    if (reference) {
      // Punctuation and spacing aside, one name; and the reference lists' name for it joins it.
      space.groups.union(key, `\u0000${reference.key(name)}`);
      const canonical = reference.name(kindOf.get(space)!, name);
      if (canonical !== undefined && nameKey(canonical) !== key) {
        space.groups.add(nameKey(canonical));
        space.spellings.add(canonical);
        space.groups.union(key, nameKey(canonical));
        space.groups.union(nameKey(canonical), `\u0000${reference.key(canonical)}`);
      }
    }
    return key;
  };
  const countPrimary = (space: Namespace, names: Iterable<string>) => {
    for (const spelling of new Set([...names].map(spell).filter((s) => s !== ""))) {
      space.primary.set(spelling, (space.primary.get(spelling) ?? 0) + 1);
    }
  };

  for (const item of items) {
    for (const actor of item.actors) {
      const key = see(spaces.actor, actor.name);
      for (const alias of actor.aliases) {
        const aliasKey = see(spaces.actor, alias);
        if (key !== null && aliasKey !== null) spaces.actor.groups.union(key, aliasKey);
      }
    }
    countPrimary(spaces.actor, item.actors.map((actor) => actor.name));
    for (const name of item.malware) see(spaces.malware, name);
    countPrimary(spaces.malware, item.malware);
  }

  const validMerges = merges.filter((merge) => nameKey(merge.from) !== "" && nameKey(merge.into) !== "");
  for (const merge of validMerges) {
    const space = spaces[merge.kind];
    const from = see(space, merge.from)!;
    const into = see(space, merge.into)!;
    space.groups.union(from, into);
  }

  if (reference) {
    for (const kind of ["actor", "malware"] as const) {
      for (const key of spaces[kind].spellings.keys()) {
        const canonical = reference.name(kind, spaces[kind].spellings.best(key)!);
        const root = spaces[kind].groups.find(key);
        if (canonical !== undefined && (!known[kind].has(root) || compareNames(canonical, known[kind].get(root)!) < 0)) known[kind].set(root, canonical);
      }
    }
  }

  for (const space of Object.values(spaces)) {
    // The latest merge that touched a group names it; else the reference lists' name for it.
    for (const merge of validMerges) {
      if (spaces[merge.kind] !== space) continue;
      space.display.set(space.groups.find(nameKey(merge.into)), spell(merge.into));
    }
    for (const [root, canonical] of known[kindOf.get(space)!]) if (!space.display.has(root)) space.display.set(root, canonical);
    // Otherwise the most used primary spelling.
    const primaryByRoot = new Map<string, Map<string, number>>();
    for (const [spelling, count] of space.primary) {
      const root = space.groups.find(spelling.toLowerCase());
      let counts = primaryByRoot.get(root);
      if (!counts) primaryByRoot.set(root, (counts = new Map()));
      counts.set(spelling, count);
    }
    for (const [root, counts] of primaryByRoot) {
      if (!space.display.has(root)) space.display.set(root, mostUsed(counts)!);
    }
    // Members, one spelling each.
    for (const key of space.spellings.keys()) {
      const root = space.groups.find(key);
      let members = space.members.get(root);
      if (!members) space.members.set(root, (members = []));
      members.push(space.spellings.best(key)!);
    }
    for (const [root, members] of space.members) {
      members.sort(compareNames);
      // A group seen only through aliases (not possible from items and merges, kept for safety).
      if (!space.display.has(root)) space.display.set(root, members[0]!);
    }
  }

  const resolve = (kind: EntityKind, name: string): string => {
    const space = spaces[kind];
    const key = nameKey(name);
    if (!space.groups.has(key)) {
      // Spelled otherwise than any seen name, but the same by punctuation or the reference lists.
      const alike = reference ? `\u0000${reference.key(name)}` : "";
      const canonical = reference?.name(kind, name);
      if (reference && space.groups.has(alike)) return space.display.get(space.groups.find(alike)) ?? spell(name);
      if (canonical !== undefined && space.groups.has(nameKey(canonical))) return space.display.get(space.groups.find(nameKey(canonical)))!;
      return canonical ?? spell(name);
    }
    return space.display.get(space.groups.find(key))!;
  };
  const spellings = (kind: EntityKind, name: string): string[] => {
    const space = spaces[kind];
    const key = nameKey(name);
    if (!space.groups.has(key)) return key === "" ? [] : [spell(name)];
    return [...space.members.get(space.groups.find(key))!];
  };
  return Object.assign(resolve, { spellings });
}

// ---------------------------------------------------------------------------------------------
// 3. The figures of each crime area

/** The likelihood (1-5) in ICD 203's estimative words. */
export function estimativeWords(likelihood: number): string {
  for (const band of ESTIMATIVE_BANDS) if (likelihood < band.below) return band.words;
  return ESTIMATIVE_WORDS_ABOVE;
}

/** The entities an item reports, each once: resolved actors and malware, typed indicators. */
function reportedEntities(
  item: AssessedItem,
  resolve: NameResolver,
): Map<string, { kind: EntityKind | "indicator"; name: string }> {
  const entities = new Map<string, { kind: EntityKind | "indicator"; name: string }>();
  const add = (kind: EntityKind | "indicator", name: string) => {
    if (name === "") return;
    const key = `${kind}\u0000${kind === "indicator" ? name : name.toLowerCase()}`;
    if (!entities.has(key)) entities.set(key, { kind, name });
  };
  for (const actor of item.actors) if (spell(actor.name) !== "") add("actor", resolve("actor", actor.name));
  for (const name of item.malware) if (spell(name) !== "") add("malware", resolve("malware", name));
  for (const indicator of item.indicators) add("indicator", `${indicator.type}:${indicator.value}`);
  return entities;
}

function emptyArea(crimeArea: CrimeArea): AreaFigures {
  return {
    crimeArea,
    itemIds: [],
    items: 0,
    organisations: 0,
    affectedCountries: 0,
    impact: null,
    likelihood: null,
    meanWeight: null,
    corroborated: [],
    corroboratingOrganisations: 0,
    confidence: null,
    trend: null,
    risk: null,
    score: 0,
    likelihoodWords: null,
  };
}

/**
 * The figures of each crime area in `areas`, in that order, from that area's items only. Every
 * figure is computed from the rounded figures it shows beside it (risk from the shown impact and
 * likelihood, the score from the shown risk and confidence), so a reader can redo the arithmetic.
 */
export function scoreAreas(items: AssessedItem[], resolve: NameResolver, areas: readonly CrimeArea[]): AreaFigures[] {
  return areas.map((crimeArea) => scoreArea(crimeArea, items.filter((item) => item.crimeArea === crimeArea), resolve));
}

function scoreArea(crimeArea: CrimeArea, items: AssessedItem[], resolve: NameResolver): AreaFigures {
  if (items.length === 0) return emptyArea(crimeArea);

  const weights = items.map(itemWeight);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const weightedMean = (value: (item: AssessedItem) => number) =>
    roundTo(items.reduce((sum, item, i) => sum + weights[i]! * value(item), 0) / totalWeight, FIGURE_DECIMALS);
  const impact = weightedMean((item) => item.impact);
  const likelihood = weightedMean((item) => item.likelihood);
  const meanWeight = roundTo(totalWeight / items.length, FIGURE_DECIMALS);

  // Corroboration: the same entity from different organisations.
  const reports = new Map<
    string,
    { kind: EntityKind | "indicator"; name: string; organisations: Set<number>; itemIds: Set<number> }
  >();
  for (const item of items) {
    for (const [key, entity] of reportedEntities(item, resolve)) {
      let report = reports.get(key);
      if (!report) reports.set(key, (report = { ...entity, organisations: new Set(), itemIds: new Set() }));
      report.organisations.add(item.organisationId);
      report.itemIds.add(item.id);
    }
  }
  const corroboratedReports = [...reports.values()].filter(
    (report) => report.organisations.size >= CORROBORATION_MIN_ORGANISATIONS,
  );
  const corroborated = corroboratedReports
    .map((report) => ({
      kind: report.kind,
      name: report.name,
      organisations: report.organisations.size,
      itemIds: [...report.itemIds].sort(byNumber),
    }))
    .sort(
      (a, b) =>
        b.organisations - a.organisations ||
        compareNames(a.name, b.name) ||
        ENTITY_KIND_ORDER[a.kind] - ENTITY_KIND_ORDER[b.kind],
    );
  const corroboratingOrganisations = new Set(corroboratedReports.flatMap((report) => [...report.organisations])).size;

  // Each corroborating organisation beyond the first adds the bonus.
  const confidence = roundTo(
    Math.min(MAX_CONFIDENCE, meanWeight + CORROBORATION_CONFIDENCE_BONUS * Math.max(0, corroboratingOrganisations - 1)),
    FIGURE_DECIMALS,
  );
  const risk = roundTo(impact * likelihood, FIGURE_DECIMALS);
  const score = roundTo(
    risk * (SCORE_SHARE_WITHOUT_CONFIDENCE + (1 - SCORE_SHARE_WITHOUT_CONFIDENCE) * confidence),
    SCORE_DECIMALS,
  );

  return {
    crimeArea,
    itemIds: items.map((item) => item.id).sort(byNumber),
    items: items.length,
    organisations: new Set(items.map((item) => item.organisationId)).size,
    affectedCountries: new Set(items.flatMap((item) => item.countries)).size,
    impact,
    likelihood,
    meanWeight,
    corroborated,
    corroboratingOrganisations,
    confidence,
    trend: weightiestTrend(items, weights),
    risk,
    score,
    likelihoodWords: estimativeWords(likelihood),
  };
}

function weightiestTrend(items: AssessedItem[], weights: number[]): Trend {
  const sums = new Map<Trend, number>();
  items.forEach((item, i) => sums.set(item.trend, (sums.get(item.trend) ?? 0) + weights[i]!));
  let best: Trend = TREND_TIE_ORDER[0];
  let bestSum = -1;
  // In tie order, so that only a strictly larger sum displaces an earlier trend.
  for (const trend of TREND_TIE_ORDER) {
    const sum = roundTo(sums.get(trend) ?? 0, NOISE_DECIMALS);
    if (sums.has(trend) && sum > bestSum) {
      best = trend;
      bestSum = sum;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// 4. Overrides and change

const clampToScale = (value: number) => Math.min(RATING_SCALE.max, Math.max(RATING_SCALE.min, value));

/**
 * Where an area stands once a score is set by hand: its impact and likelihood scaled alike (along
 * its own diagonal of the matrix) until, tempered by the same confidence, they give the score
 * set, so that the matrix, the band and the likelihood's words say what the final score says.
 * Without items (a score set on an empty area) impact and likelihood are equal. Without a score
 * set, the computed figures.
 */
export function finalFigures(figures: AreaFigures, override: AreaOverride | null): AreaResult["final"] {
  const computed = (impact: number | null, likelihood: number | null): AreaResult["final"] => ({
    impact,
    likelihood,
    likelihoodWords: likelihood === null ? null : estimativeWords(likelihood),
    band: impact === null || likelihood === null ? null : riskBand(impact, likelihood).key,
  });
  if (override?.score === null || override?.score === undefined) return computed(figures.impact, figures.likelihood);
  const temper = SCORE_SHARE_WITHOUT_CONFIDENCE + (1 - SCORE_SHARE_WITHOUT_CONFIDENCE) * (figures.confidence ?? MAX_CONFIDENCE);
  const risk = Math.min(RATING_SCALE.max ** 2, Math.max(RATING_SCALE.min ** 2, override.score / temper));
  if (figures.impact === null || figures.likelihood === null) {
    const side = roundTo(Math.sqrt(risk), FIGURE_DECIMALS);
    return computed(side, side);
  }
  const factor = Math.sqrt(risk / (figures.impact * figures.likelihood));
  // Scaled alike; where one side meets the end of the scale, the other takes the rest.
  const scaled = clampToScale(figures.impact * factor);
  const likelihood = clampToScale(risk / scaled);
  const impact = clampToScale(risk / likelihood);
  return computed(roundTo(impact, FIGURE_DECIMALS), roundTo(likelihood, FIGURE_DECIMALS));
}

/**
 * What each area shows: an override's score (when set) replaces the computed score, its trend
 * (when set) the computed trend; the computed figures stay, and `final` says where the final
 * score puts the area. With several overrides for an area, the latest (`at`; equal times: the
 * later in the array) counts. `change` is the final score minus the previous edition's final
 * score, null when that edition has no score for the area.
 */
export function applyOverrides(
  areas: AreaFigures[],
  overrides: AreaOverride[],
  previousScores: Map<CrimeArea, number>,
): AreaResult[] {
  const latest = new Map<CrimeArea, AreaOverride>();
  for (const override of overrides) {
    const known = latest.get(override.crimeArea);
    if (!known || override.at.getTime() >= known.at.getTime()) latest.set(override.crimeArea, override);
  }
  return areas.map((figures) => {
    const override = latest.get(figures.crimeArea) ?? null;
    const finalScore = override?.score ?? figures.score;
    const finalTrend = override?.trend ?? figures.trend;
    const previous = previousScores.get(figures.crimeArea);
    return {
      ...figures,
      override,
      finalScore,
      finalTrend,
      final: finalFigures(figures, override),
      change: previous === undefined ? null : roundTo(finalScore - previous, SCORE_DECIMALS),
    };
  });
}

/** The number an area carries on every chart and table: its place in the taxonomy, the same in every edition. */
export const areaNumber = (crimeArea: CrimeArea) => CRIME_AREAS.indexOf(crimeArea) + 1;

// ---------------------------------------------------------------------------------------------
// 5. Actors and malware, ranked

/**
 * Actors and malware across all areas, heaviest first (then by name, then actors before
 * malware): the weight is the sum of the evaluation weights of the items naming the entity, each
 * item once however many of its names lead to it.
 */
export function rankEntities(items: AssessedItem[], resolve: NameResolver): RankedEntity[] {
  type Tally = {
    kind: EntityKind;
    name: string;
    spellings: Spellings;
    weight: number;
    itemIds: Set<number>;
    organisations: Set<number>;
    crimeAreas: Set<CrimeArea>;
  };
  const tallies = new Map<string, Tally>();
  const tally = (kind: EntityKind, name: string): Tally => {
    const key = `${kind}\u0000${name.toLowerCase()}`;
    let found = tallies.get(key);
    if (!found) {
      found = {
        kind,
        name,
        spellings: new Spellings(),
        weight: 0,
        itemIds: new Set(),
        organisations: new Set(),
        crimeAreas: new Set(),
      };
      tallies.set(key, found);
    }
    return found;
  };

  for (const item of items) {
    const weight = itemWeight(item);
    const named = new Set<Tally>();
    const name = (kind: EntityKind, spelling: string, aliases: string[]) => {
      if (spell(spelling) === "") return;
      const entity = tally(kind, resolve(kind, spelling));
      entity.spellings.add(spelling);
      for (const alias of aliases) entity.spellings.add(alias);
      if (named.has(entity)) return;
      named.add(entity);
      entity.weight += weight;
      entity.itemIds.add(item.id);
      entity.organisations.add(item.organisationId);
      entity.crimeAreas.add(item.crimeArea);
    };
    for (const actor of item.actors) name("actor", actor.name, actor.aliases);
    for (const malware of item.malware) name("malware", malware, []);
  }

  const ranked = [...tallies.values()].map((entity): RankedEntity => {
    // The resolver knows the names from merges too; its spelling of a name comes first.
    const byKey = new Map<string, string>();
    for (const spelling of resolve.spellings?.(entity.kind, entity.name) ?? []) byKey.set(nameKey(spelling), spelling);
    for (const key of entity.spellings.keys()) if (!byKey.has(key)) byKey.set(key, entity.spellings.best(key)!);
    byKey.delete(nameKey(entity.name));
    return {
      kind: entity.kind,
      name: entity.name,
      aliases: [...byKey.values()].sort(compareNames),
      weight: roundTo(entity.weight, FIGURE_DECIMALS),
      itemIds: [...entity.itemIds].sort(byNumber),
      organisations: entity.organisations.size,
      crimeAreas: CRIME_AREAS.filter((area) => entity.crimeAreas.has(area)),
    };
  });
  return ranked.sort(
    (a, b) =>
      b.weight - a.weight || compareNames(a.name, b.name) || ENTITY_KIND_ORDER[a.kind] - ENTITY_KIND_ORDER[b.kind],
  );
}

// ---------------------------------------------------------------------------------------------
// 6. The rule in words, for the help page

/** 1 -> "1.0", 0.8 -> "0.8", 0.15 -> "0.15". */
function decimal(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function list(parts: string[]): string {
  return parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

const SOURCES_JUDGED = (Object.keys(SOURCE_RELIABILITY_FACTORS) as SourceReliability[]).filter(
  (grade) => grade !== UNKNOWN_SOURCE_RELIABILITY,
);
const CREDIBILITIES_JUDGED = (Object.keys(INFORMATION_CREDIBILITY_FACTORS) as InformationCredibility[]).filter(
  (grade) => grade !== UNKNOWN_INFORMATION_CREDIBILITY,
);
const BEST_SOURCE = SOURCES_JUDGED[0]!;
const WORST_SOURCE = SOURCES_JUDGED[SOURCES_JUDGED.length - 1]!;
const BEST_CREDIBILITY = CREDIBILITIES_JUDGED[0]!;
const WORST_CREDIBILITY = CREDIBILITIES_JUDGED[CREDIBILITIES_JUDGED.length - 1]!;
const SHARE_WITH_CONFIDENCE = roundTo(1 - SCORE_SHARE_WITHOUT_CONFIDENCE, NOISE_DECIMALS);
const weightOf = (source: SourceReliability, credibility: InformationCredibility) =>
  decimal(evaluationWeight(source, credibility));

function bandText(): string {
  const parts: string[] = [];
  let from: number | null = null;
  for (const band of ESTIMATIVE_BANDS) {
    parts.push(from === null ? `below ${band.below}: ${band.words}` : `${from} to below ${band.below}: ${band.words}`);
    from = band.below;
  }
  parts.push(`${from ?? RATING_SCALE.min} and above: ${ESTIMATIVE_WORDS_ABOVE}`);
  return parts.join("; ");
}

/** The whole rule in plain English, written from the constants above. */
export const SCORING_RULES: readonly { title: string; text: string }[] = [
  {
    title: "Evaluation weight",
    text:
      `Every accepted item counts with a weight taken from its Admiralty evaluation (the analyst's grade where they re-graded it). ` +
      `The source's reliability gives one factor (${list(SOURCES_JUDGED.map((g) => `${g} ${decimal(SOURCE_RELIABILITY_FACTORS[g])}`))}) ` +
      `and the information's credibility another (${list(CREDIBILITIES_JUDGED.map((g) => `${g} ${decimal(INFORMATION_CREDIBILITY_FACTORS[g])}`))}); ` +
      `the weight is their product, so an ${BEST_SOURCE}${BEST_CREDIBILITY} item weighs ${weightOf(BEST_SOURCE, BEST_CREDIBILITY)} ` +
      `and an ${WORST_SOURCE}${WORST_CREDIBILITY} item ${weightOf(WORST_SOURCE, WORST_CREDIBILITY)}. ` +
      `A grade that cannot be judged (source ${UNKNOWN_SOURCE_RELIABILITY}, credibility ${UNKNOWN_INFORMATION_CREDIBILITY}) counts as unknown, not as zero: ` +
      `its factor is ${decimal(UNKNOWN_GRADE_FACTOR)}, neither vouching for the item nor discounting it to nothing, ` +
      `so an ${UNKNOWN_SOURCE_RELIABILITY}${UNKNOWN_INFORMATION_CREDIBILITY} item weighs ${weightOf(UNKNOWN_SOURCE_RELIABILITY, UNKNOWN_INFORMATION_CREDIBILITY)}.`,
  },
  {
    title: "Impact and likelihood",
    text:
      `For each crime area, impact and likelihood (${RATING_SCALE.min} to ${RATING_SCALE.max}) are the means of the area's items weighted by their evaluation weight: ` +
      `each item's grade counts in proportion to its weight, so a well-evaluated item pulls the mean more than a poorly evaluated one. ` +
      `The mean evaluation weight is the plain average of the items' weights. These figures are rounded to ${FIGURE_DECIMALS} decimals, ` +
      `and each figure below is computed from the rounded figures shown.`,
  },
  {
    title: "Corroboration",
    text:
      `A threat actor, malware family or indicator is corroborated in a crime area when at least ${CORROBORATION_MIN_ORGANISATIONS} different organisations report it there. ` +
      `Many items from one organisation corroborate nothing: only independent organisations count. ` +
      `Names are compared ignoring case and spacing; an actor's aliases and the analysts' merges (which chain: A into B and B into C puts all three together) make one entity of several names; ` +
      `indicators are compared by type and value. The corroborating organisations are those reporting at least one corroborated entity.`,
  },
  {
    title: "Confidence",
    text:
      `Confidence (0 to ${MAX_CONFIDENCE}) is the mean evaluation weight plus ${CORROBORATION_CONFIDENCE_BONUS} for each corroborating organisation beyond the first, ` +
      `at most ${MAX_CONFIDENCE}, rounded to ${FIGURE_DECIMALS} decimals.`,
  },
  {
    title: "Risk and score",
    text:
      `The risk is impact \u00d7 likelihood (${RATING_SCALE.min * RATING_SCALE.min} to ${RATING_SCALE.max * RATING_SCALE.max}), as harm times likelihood in MoRiLE, rounded to ${FIGURE_DECIMALS} decimals. ` +
      `The score tempers the risk by the confidence: score = risk \u00d7 (${SCORE_SHARE_WITHOUT_CONFIDENCE} + ${SHARE_WITH_CONFIDENCE} \u00d7 confidence), rounded to ${SCORE_DECIMALS} decimal${SCORE_DECIMALS === 1 ? "" : "s"}. ` +
      `Full confidence keeps the whole risk; no confidence keeps ${roundTo(SCORE_SHARE_WITHOUT_CONFIDENCE * 100, NOISE_DECIMALS)}% of it. A crime area without accepted items scores 0.`,
  },
  {
    title: "Trend",
    text:
      `An area's trend is the trend its items report with the largest total evaluation weight. ` +
      `When trends weigh the same, the cautious reading wins, in this order: ${list(TREND_TIE_ORDER.map((trend) => trend))}.`,
  },
  {
    title: "Likelihood in words",
    text:
      `The weighted likelihood is also said in the estimative words of the US Intelligence Community Directive 203: ${bandText()}.`,
  },
  {
    title: "Analyst overrides",
    text:
      `An analyst may override an area's score, its trend or both, with a written reason. The override is what the edition shows as the final score and trend; ` +
      `the computed figures stay beside it, so the difference is always visible. On the matrix, in the band and in the likelihood's words, a score set by hand moves the area ` +
      `along its own diagonal: impact and likelihood are scaled alike until, tempered by the same confidence, they give the score set.`,
  },
  {
    title: "Change against the previous edition",
    text:
      `The change is the area's final score (after any override) minus its final score in the previous edition that covered the same crime area ` +
      `(one of its consultations asked about it), rounded to ${SCORE_DECIMALS} decimal${SCORE_DECIMALS === 1 ? "" : "s"}. ` +
      `Editions over unrelated consultations are not compared. When the previous edition had no score for the area, no change is shown.`,
  },
  {
    title: "Actors and malware",
    text:
      `Threat actors and malware families are ranked across all crime areas by the sum of the evaluation weights of the items naming them; ` +
      `an item counts once for an entity even when it names it under two of its names.`,
  },
];

/** Whether an area has anything to show: accepted items behind it, or a score set by hand. */
export const hasFigures = (area: Pick<AreaResult, "items" | "override">) => area.items > 0 || area.override !== null;
