import fs from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { CrimeArea } from "../../db/schema";
import {
  applyOverrides,
  areaNumber,
  buildResolver,
  compareNames,
  CORROBORATION_CONFIDENCE_BONUS,
  estimativeWords,
  evaluationWeight,
  finalFigures,
  INFORMATION_CREDIBILITY_FACTORS,
  rankEntities,
  riskBand,
  roundTo,
  SCORE_SHARE_WITHOUT_CONFIDENCE,
  scoreAreas,
  SCORING_RULES,
  SOURCE_RELIABILITY_FACTORS,
  UNKNOWN_GRADE_FACTOR,
} from "~/modules/assessment/scoring";
import type { AreaFigures, AreaOverride, AssessedItem, NameResolver } from "~/modules/assessment/types";
import { LIKELIHOOD_SCALE } from "~/modules/threat-input/scales";

// Every expected figure below is worked out by hand in the comments beside it. Weights are
// source factor x credibility factor: A/1 1.0, B/2 0.8, C/3 0.6, D/4 0.4, E/5 0.2, F/6 0.5.
// The default item is B2 (0.8 x 0.8 = 0.64), impact 3, likelihood 3, trend stable, from
// organisation 1 (a bank in Austria), in the botnets area.

let nextId = 1;
beforeEach(() => {
  nextId = 1;
});

/** An accepted item; ids count up from 1 in each test unless given. */
function item(overrides: Partial<AssessedItem> = {}): AssessedItem {
  const organisationId = overrides.organisationId ?? 1;
  return {
    id: nextId++,
    inputId: 100 + organisationId,
    organisationId,
    organisationCountry: "AT",
    attribution: "named",
    crimeArea: "botnets",
    title: "An item",
    trend: "stable",
    impact: 3,
    likelihood: 3,
    sourceReliability: "B",
    informationCredibility: "2",
    tlp: "TLP:AMBER",
    shareOnward: true,
    observedFrom: "2026-01-01",
    observedTo: null,
    sectors: ["finance"],
    countries: ["AT"],
    actors: [],
    malware: [],
    techniques: [],
    indicators: [],
    ...overrides,
  };
}

/** Items' names as they are, no merges. */
const plain: NameResolver = (_kind, name) => name.trim();

function only(figures: AreaFigures[]): AreaFigures {
  expect(figures).toHaveLength(1);
  return figures[0]!;
}

function override(crimeArea: CrimeArea, fields: Partial<AreaOverride>): AreaOverride {
  return {
    crimeArea,
    score: null,
    trend: null,
    reason: "Analyst judgement",
    byName: "Ana Lyst",
    at: new Date("2026-05-01T10:00:00Z"),
    ...fields,
  };
}

describe("evaluationWeight", () => {
  it("multiplies the Admiralty factors; F and 6 count as 0.5, not 0", () => {
    expect(SOURCE_RELIABILITY_FACTORS).toEqual({ A: 1, B: 0.8, C: 0.6, D: 0.4, E: 0.2, F: 0.5 });
    expect(INFORMATION_CREDIBILITY_FACTORS).toEqual({ "1": 1, "2": 0.8, "3": 0.6, "4": 0.4, "5": 0.2, "6": 0.5 });
    expect(UNKNOWN_GRADE_FACTOR).toBe(0.5);
    expect(evaluationWeight("A", "1")).toBe(1); // 1.0 x 1.0
    expect(evaluationWeight("B", "2")).toBe(0.64); // 0.8 x 0.8
    expect(evaluationWeight("C", "3")).toBe(0.36); // 0.6 x 0.6
    expect(evaluationWeight("E", "5")).toBe(0.04); // 0.2 x 0.2 (not 0.04000000000000001)
    expect(evaluationWeight("F", "1")).toBe(0.5); // 0.5 x 1.0
    expect(evaluationWeight("A", "6")).toBe(0.5); // 1.0 x 0.5
    expect(evaluationWeight("F", "6")).toBe(0.25); // 0.5 x 0.5: unknown, still above E5's 0.04
    expect(evaluationWeight("E", "6")).toBe(0.1); // 0.2 x 0.5
  });
});

describe("scoreAreas: weighting by evaluation", () => {
  it("an A1 item pulls the means more than an E5 item", () => {
    const items = [
      item({ sourceReliability: "A", informationCredibility: "1", impact: 5, likelihood: 5, trend: "increasing" }),
      item({ sourceReliability: "E", informationCredibility: "5", impact: 1, likelihood: 1, trend: "decreasing", organisationId: 2 }),
    ];
    // weights 1 and 0.04, sum 1.04
    // impact = likelihood = (1 x 5 + 0.04 x 1) / 1.04 = 5.04 / 1.04 = 4.846... -> 4.85 (a plain mean would say 3)
    // meanWeight = (1 + 0.04) / 2 = 0.52
    // nothing is named, so nothing is corroborated: confidence = 0.52
    // risk = 4.85 x 4.85 = 23.5225 -> 23.52
    // score = 23.52 x (0.5 + 0.5 x 0.52) = 23.52 x 0.76 = 17.8752 -> 17.9
    // trend: increasing 1 against decreasing 0.04 -> increasing
    // likelihood 4.85 >= 4.5 -> almost certain
    expect(only(scoreAreas(items, plain, ["botnets"]))).toEqual({
      crimeArea: "botnets",
      itemIds: [1, 2],
      items: 2,
      organisations: 2,
      affectedCountries: 1,
      impact: 4.85,
      likelihood: 4.85,
      meanWeight: 0.52,
      corroborated: [],
      corroboratingOrganisations: 0,
      confidence: 0.52,
      trend: "increasing",
      risk: 23.52,
      score: 17.9,
      likelihoodWords: "almost certain",
    });

    // The other way round: the E5 item's 5 barely lifts the A1 item's 1.
    // impact = (1 x 1 + 0.04 x 5) / 1.04 = 1.2 / 1.04 = 1.1538... -> 1.15
    // risk = 1.15 x 1.15 = 1.3225 -> 1.32; score = 1.32 x 0.76 = 1.0032 -> 1.0; 1.15 < 1.5 -> remote
    const reversed = [
      item({ sourceReliability: "A", informationCredibility: "1", impact: 1, likelihood: 1 }),
      item({ sourceReliability: "E", informationCredibility: "5", impact: 5, likelihood: 5, organisationId: 2 }),
    ];
    const figures = only(scoreAreas(reversed, plain, ["botnets"]));
    expect([figures.impact, figures.likelihood, figures.risk, figures.score, figures.likelihoodWords]).toEqual([
      1.15, 1.15, 1.32, 1, "remote",
    ]);
  });

  it("an F6 item still moves the means: unknown counts as 0.5 x 0.5 = 0.25, not 0", () => {
    const a1 = item({ sourceReliability: "A", informationCredibility: "1", impact: 4, likelihood: 2 });
    const f6 = item({ sourceReliability: "F", informationCredibility: "6", impact: 1, likelihood: 5, organisationId: 2 });
    // Alone, the A1 item gives impact 4, likelihood 2.
    const alone = only(scoreAreas([a1], plain, ["botnets"]));
    expect([alone.impact, alone.likelihood]).toEqual([4, 2]);
    // With the F6 item (weight 0.25; sum of weights 1.25):
    // impact = (1 x 4 + 0.25 x 1) / 1.25 = 4.25 / 1.25 = 3.4 (at weight 0 it would stay 4)
    // likelihood = (1 x 2 + 0.25 x 5) / 1.25 = 3.25 / 1.25 = 2.6 -> "roughly even chance" (2.5 <= 2.6 < 3.5)
    // meanWeight = (1 + 0.25) / 2 = 0.625 -> 0.63 (half away from zero)
    // confidence = 0.63 (no corroboration)
    // risk = 3.4 x 2.6 = 8.84
    // score = 8.84 x (0.5 + 0.5 x 0.63) = 8.84 x 0.815 = 7.2046 -> 7.2
    const both = only(scoreAreas([a1, f6], plain, ["botnets"]));
    expect(both).toMatchObject({
      impact: 3.4,
      likelihood: 2.6,
      meanWeight: 0.63,
      confidence: 0.63,
      risk: 8.84,
      score: 7.2,
      likelihoodWords: "roughly even chance",
    });
  });
});

describe("scoreAreas: corroboration across organisations", () => {
  it("three items from one bank naming the same malware corroborate nothing", () => {
    const items = [
      item({ crimeArea: "banking_trojans", malware: ["Emotet"], indicators: [{ type: "domain", value: "evil.example" }] }),
      item({ crimeArea: "banking_trojans", malware: ["emotet "], indicators: [{ type: "domain", value: "evil.example" }] }),
      item({ crimeArea: "banking_trojans", malware: ["EMOTET"] }),
    ];
    const resolve = buildResolver(items, []);
    // All B2 (0.64): impact 3, likelihood 3, meanWeight 0.64; one organisation -> no corroboration
    // confidence = 0.64; risk = 3 x 3 = 9; score = 9 x (0.5 + 0.5 x 0.64) = 9 x 0.82 = 7.38 -> 7.4
    expect(only(scoreAreas(items, resolve, ["banking_trojans"]))).toMatchObject({
      items: 3,
      organisations: 1,
      corroborated: [],
      corroboratingOrganisations: 0,
      meanWeight: 0.64,
      confidence: 0.64,
      risk: 9,
      score: 7.4,
    });
  });

  it("a second and a third organisation corroborate, and confidence rises by 0.15 for each beyond the first", () => {
    expect(CORROBORATION_CONFIDENCE_BONUS).toBe(0.15);
    const bank = [
      item({ crimeArea: "banking_trojans", malware: ["Emotet"] }),
      item({ crimeArea: "banking_trojans", malware: ["emotet "] }),
      item({ crimeArea: "banking_trojans", malware: ["EMOTET"] }),
    ];
    const isp = item({
      crimeArea: "banking_trojans",
      organisationId: 2,
      organisationCountry: "DE",
      // Affected countries count what the items say, not where their reporters are.
      countries: ["AT", "DE"],
      malware: ["Emotet"],
      indicators: [{ type: "domain", value: "evil.example" }],
    });
    const cert = item({
      crimeArea: "banking_trojans",
      organisationId: 3,
      organisationCountry: "DE",
      actors: [{ name: "TA542", aliases: [] }],
      indicators: [{ type: "domain", value: "evil.example" }],
    });

    // Bank + ISP: Emotet from organisations 1 and 2 (items 1-4). Display name: "Emotet" is the
    // primary spelling of items 1 and 4 (twice), "emotet" and "EMOTET" once each.
    // corroboratingOrganisations = 2 -> confidence = 0.64 + 0.15 x (2 - 1) = 0.79
    // score = 9 x (0.5 + 0.5 x 0.79) = 9 x 0.895 = 8.055 -> 8.1
    const two = [...bank, isp];
    expect(only(scoreAreas(two, buildResolver(two, []), ["banking_trojans"]))).toMatchObject({
      items: 4,
      organisations: 2,
      affectedCountries: 2,
      corroborated: [{ kind: "malware", name: "Emotet", organisations: 2, itemIds: [1, 2, 3, 4] }],
      corroboratingOrganisations: 2,
      confidence: 0.79,
      score: 8.1,
    });

    // + the CERT: the domain is corroborated by organisations 2 and 3 (items 4, 5); TA542 only by 3.
    // Both corroborated entities have 2 organisations; by name "domain:evil.example" < "Emotet".
    // corroboratingOrganisations = {1, 2} + {2, 3} = 3 -> confidence = 0.64 + 0.15 x 2 = 0.94
    // score = 9 x (0.5 + 0.5 x 0.94) = 9 x 0.97 = 8.73 -> 8.7
    const three = [...two, cert];
    expect(only(scoreAreas(three, buildResolver(three, []), ["banking_trojans"]))).toMatchObject({
      items: 5,
      organisations: 3,
      affectedCountries: 2,
      corroborated: [
        { kind: "indicator", name: "domain:evil.example", organisations: 2, itemIds: [4, 5] },
        { kind: "malware", name: "Emotet", organisations: 2, itemIds: [1, 2, 3, 4] },
      ],
      corroboratingOrganisations: 3,
      confidence: 0.94,
      score: 8.7,
    });
  });

  it("caps confidence at 1", () => {
    // Five organisations name Qakbot, all A1: 1 + 0.15 x 4 = 1.6 -> 1; score = risk = 3 x 3 = 9
    const items = [1, 2, 3, 4, 5].map((organisationId) =>
      item({ organisationId, sourceReliability: "A", informationCredibility: "1", malware: ["Qakbot"] }),
    );
    expect(only(scoreAreas(items, buildResolver(items, []), ["botnets"]))).toMatchObject({
      corroborated: [{ kind: "malware", name: "Qakbot", organisations: 5, itemIds: [1, 2, 3, 4, 5] }],
      corroboratingOrganisations: 5,
      confidence: 1,
      risk: 9,
      score: 9,
    });
  });

  it("sorts corroborated entities by organisations, then name", () => {
    const items = [
      item({ organisationId: 1, malware: ["Zeus"], actors: [{ name: "Alpha", aliases: [] }] }),
      item({ organisationId: 2, malware: ["Zeus"], actors: [{ name: "alpha", aliases: [] }] }),
      item({ organisationId: 3, malware: ["Zeus"], indicators: [{ type: "md5", value: "0".repeat(32) }] }),
      item({ organisationId: 4, indicators: [{ type: "md5", value: "0".repeat(32) }] }),
    ];
    // Zeus: 3 organisations; "Alpha" (1, 2; tie of spellings -> "Alpha" before "alpha") and the md5 (3, 4): 2 each
    expect(only(scoreAreas(items, buildResolver(items, []), ["botnets"])).corroborated).toEqual([
      { kind: "malware", name: "Zeus", organisations: 3, itemIds: [1, 2, 3] },
      { kind: "actor", name: "Alpha", organisations: 2, itemIds: [1, 2] },
      { kind: "indicator", name: `md5:${"0".repeat(32)}`, organisations: 2, itemIds: [3, 4] },
    ]);
  });
});

describe("scoreAreas: areas", () => {
  it("gives every requested area, in the requested order, and zero for an area without items", () => {
    const items = [
      item({ crimeArea: "online_fraud", impact: 4, likelihood: 4 }),
      item({ crimeArea: "intrusion" }), // not requested: ignored
    ];
    const figures = scoreAreas(items, plain, ["malware_coding", "online_fraud"]);
    expect(figures.map((area) => area.crimeArea)).toEqual(["malware_coding", "online_fraud"]);
    expect(figures[0]).toEqual({
      crimeArea: "malware_coding",
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
    });
    // online_fraud: one B2 item: risk 4 x 4 = 16; score = 16 x 0.82 = 13.12 -> 13.1; 3.5 <= 4 < 4.5 -> likely
    expect(figures[1]).toMatchObject({ itemIds: [1], risk: 16, score: 13.1, likelihoodWords: "likely" });
    expect(scoreAreas([], plain, [])).toEqual([]);
  });
});

describe("trend", () => {
  const trendOf = (items: AssessedItem[]) => only(scoreAreas(items, plain, ["botnets"])).trend;

  it("takes the trend with the largest sum of weights", () => {
    // decreasing: A1 = 1; increasing: B2 + B2 = 1.28 -> increasing
    expect(
      trendOf([
        item({ trend: "decreasing", sourceReliability: "A", informationCredibility: "1" }),
        item({ trend: "increasing" }),
        item({ trend: "increasing" }),
      ]),
    ).toBe("increasing");
    // decreasing: A1 = 1; increasing: B2 = 0.64 -> decreasing (weight beats caution)
    expect(
      trendOf([item({ trend: "increasing" }), item({ trend: "decreasing", sourceReliability: "A", informationCredibility: "1" })]),
    ).toBe("decreasing");
  });

  it("breaks ties cautiously: increasing, new, stable, decreasing", () => {
    expect(trendOf([item({ trend: "new" }), item({ trend: "increasing" })])).toBe("increasing");
    expect(trendOf([item({ trend: "stable" }), item({ trend: "new" })])).toBe("new");
    expect(trendOf([item({ trend: "decreasing" }), item({ trend: "stable" })])).toBe("stable");
    // stable: B2 + D4 = 0.64 + 0.16 = 0.8; decreasing: B1 = 0.8 x 1.0 = 0.8 -> a tie -> stable
    expect(
      trendOf([
        item({ trend: "decreasing", sourceReliability: "B", informationCredibility: "1" }),
        item({ trend: "stable" }),
        item({ trend: "stable", sourceReliability: "D", informationCredibility: "4" }),
      ]),
    ).toBe("stable");
    // increasing: C4 + C4 = 0.24 + 0.24 = 0.48; new: C2 = 0.6 x 0.8 = 0.48 -> a tie -> increasing
    expect(
      trendOf([
        item({ trend: "new", sourceReliability: "C", informationCredibility: "2" }),
        item({ trend: "increasing", sourceReliability: "C", informationCredibility: "4" }),
        item({ trend: "increasing", sourceReliability: "C", informationCredibility: "4" }),
      ]),
    ).toBe("increasing");
  });
});

describe("estimative words (ICD 203, the input scale's words)", () => {
  it("puts each band's lower edge in the band", () => {
    const cases: [number, string][] = [
      [1, "remote"],
      [1.49, "remote"],
      [1.5, "unlikely"],
      [2, "unlikely"],
      [2.49, "unlikely"],
      [2.5, "roughly even chance"],
      [3, "roughly even chance"],
      [3.49, "roughly even chance"],
      [3.5, "likely"],
      // A mean of exactly 4 says what an item's "4 · Likely" says.
      [4, "likely"],
      [4.49, "likely"],
      [4.5, "almost certain"],
      [5, "almost certain"],
    ];
    expect(cases.map(([likelihood]) => [likelihood, estimativeWords(likelihood)])).toEqual(cases);
  });

  it("says each whole step of the likelihood in the words the input form gives it", () => {
    for (const step of [1, 2, 3, 4, 5]) expect(estimativeWords(step), String(step)).toBe(LIKELIHOOD_SCALE[step]!.word.toLowerCase());
  });

  it("reads the rounded weighted likelihood", () => {
    // E1 (0.2) says 2, C1 (0.6) says 3: (0.2 x 2 + 0.6 x 3) / 0.8 = 2.2 / 0.8 = 2.75 -> roughly even chance
    const items = [
      item({ likelihood: 2, sourceReliability: "E", informationCredibility: "1" }),
      item({ likelihood: 3, sourceReliability: "C", informationCredibility: "1" }),
    ];
    const figures = only(scoreAreas(items, plain, ["botnets"]));
    expect([figures.likelihood, figures.likelihoodWords]).toEqual([2.75, "roughly even chance"]);
  });
});

describe("applyOverrides", () => {
  const items = [
    // botnets: one B2 item, impact 4, likelihood 5: risk 20, confidence 0.64, score = 20 x 0.82 = 16.4, stable
    item({ crimeArea: "botnets", impact: 4, likelihood: 5 }),
    // online_fraud: one A1 item, impact 2, likelihood 2, new: risk 4, confidence 1, score 4
    item({ crimeArea: "online_fraud", impact: 2, likelihood: 2, trend: "new", sourceReliability: "A", informationCredibility: "1" }),
  ];
  const areas: CrimeArea[] = ["botnets", "online_fraud", "intrusion"];

  it("lets an override's score and trend win, keeps the computed ones, and computes change from final scores", () => {
    const figures = scoreAreas(items, plain, areas);
    const botnets = override("botnets", { score: 12.5, trend: "decreasing", reason: "Takedown in March" });
    const fraud = override("online_fraud", { trend: "increasing", reason: "New BEC wave" });
    const previous = new Map<CrimeArea, number>([
      ["botnets", 10],
      ["intrusion", 3.2],
    ]);
    const [b, f, i] = applyOverrides(figures, [botnets, fraud], previous);
    // botnets: final 12.5 (not 16.4), change 12.5 - 10 = 2.5 (not 16.4 - 10 = 6.4)
    expect(b).toMatchObject({ score: 16.4, trend: "stable", finalScore: 12.5, finalTrend: "decreasing", change: 2.5 });
    expect(b!.override).toBe(botnets);
    // online_fraud: only the trend is overridden; no previous score -> change null
    expect(f).toMatchObject({ score: 4, trend: "new", finalScore: 4, finalTrend: "increasing", change: null });
    expect(f!.override).toBe(fraud);
    // intrusion: no items, no override: final 0, change 0 - 3.2 = -3.2
    expect(i).toMatchObject({ score: 0, trend: null, override: null, finalScore: 0, finalTrend: null, change: -3.2 });
  });

  it("puts a score set by hand where it belongs: matrix cell, band and words agree with it", () => {
    // online_fraud: impact 2 x likelihood 2 = 4 at confidence 1 -> score 4, low, unlikely.
    const [fraud] = applyOverrides(scoreAreas(items, plain, ["online_fraud"]), [override("online_fraud", { score: 18, reason: "Direct reports" })], new Map());
    expect(fraud!.final).toEqual(finalFigures(fraud!, fraud!.override));
    // confidence 1 keeps the whole risk: impact and likelihood scaled alike to sqrt(18) = 4.24.
    expect(fraud!.final).toEqual({ impact: 4.24, likelihood: 4.24, likelihoodWords: "likely", band: "very-high" });
    // The computed figures stay beside them.
    expect([fraud!.impact, fraud!.likelihood, fraud!.likelihoodWords]).toEqual([2, 2, "unlikely"]);
    // Tempered by the area's confidence: botnets (0.64, so 0.82 of the risk) set to 8.2 -> risk 10.
    const [botnets] = applyOverrides(scoreAreas(items, plain, ["botnets"]), [override("botnets", { score: 8.2, reason: "Takedown" })], new Map());
    const final = botnets!.final;
    expect(roundTo(final.impact! * final.likelihood! * 0.82, 1)).toBe(8.2);
    // 4 x 5 scaled by sqrt(10 / 20): the same proportions, a cell lower.
    expect(final).toMatchObject({ impact: 2.83, likelihood: 3.54, band: riskBand(2.83, 3.54).key });
  });

  it("meets the end of the scale on one side and gives the rest to the other", () => {
    // impact 4 x likelihood 5 at 0.82: a score of 20 needs a risk of 24.39; likelihood stays 5.
    const [botnets] = applyOverrides(scoreAreas(items, plain, ["botnets"]), [override("botnets", { score: 20, reason: "Wave" })], new Map());
    expect(botnets!.final).toEqual({ impact: 4.88, likelihood: 5, likelihoodWords: "almost certain", band: "very-high" });
  });

  it("places a score set on an area without items on the diagonal, and leaves areas without a score set alone", () => {
    const [intrusion, fraud] = applyOverrides(
      scoreAreas(items, plain, ["intrusion", "online_fraud"]),
      [override("intrusion", { score: 9, reason: "Reports outside the input" }), override("online_fraud", { trend: "increasing", reason: "BEC" })],
      new Map(),
    );
    expect(intrusion!.final).toEqual({ impact: 3, likelihood: 3, likelihoodWords: "roughly even chance", band: "medium" });
    expect(fraud!.final).toEqual({ impact: 2, likelihood: 2, likelihoodWords: "unlikely", band: "low" });
  });

  it("numbers each crime area by its place in the taxonomy, whatever its score", () => {
    expect(areaNumber("malware_coding")).toBe(1);
    expect(areaNumber("offenders_and_networks")).toBe(10);
  });

  it("rounds the change to one decimal, and takes the latest override of an area", () => {
    const figures = scoreAreas(items, plain, ["botnets"]);
    // 16.4 - 16.1 = 0.29999999999999716 in floating point -> 0.3
    expect(applyOverrides(figures, [], new Map([["botnets", 16.1]]))[0]).toMatchObject({ finalScore: 16.4, change: 0.3 });
    const older = override("botnets", { score: 5, at: new Date("2026-05-01T10:00:00Z") });
    const newer = override("botnets", { score: 7, at: new Date("2026-05-02T10:00:00Z") });
    // The newer one wins whatever the order given; change 7 - 16.1 = -9.1
    for (const given of [
      [older, newer],
      [newer, older],
    ]) {
      const [result] = applyOverrides(figures, given, new Map([["botnets", 16.1]]));
      expect(result).toMatchObject({ finalScore: 7, change: -9.1 });
      expect(result!.override).toBe(newer);
    }
    // An override set to 0 is a score, not "no override".
    expect(applyOverrides(figures, [override("botnets", { score: 0 })], new Map())[0]!.finalScore).toBe(0);
  });
});

describe("buildResolver", () => {
  it("makes one entity of an actor named by alias in one item and by name in another", () => {
    const items = [
      item({ organisationId: 1, actors: [{ name: "Wizard Spider", aliases: ["UNC1878", "Grim Spider"] }] }),
      item({ organisationId: 2, actors: [{ name: "unc1878", aliases: [] }] }),
      item({ organisationId: 1, actors: [{ name: "  Wizard   Spider ", aliases: [] }] }),
    ];
    const resolve = buildResolver(items, []);
    // Primary spellings: "Wizard Spider" twice (items 1, 3 once whitespace is collapsed), "unc1878" once.
    expect(resolve("actor", "UNC1878")).toBe("Wizard Spider");
    expect(resolve("actor", "grim   spider")).toBe("Wizard Spider");
    expect(resolve("actor", "unc1878")).toBe("Wizard Spider");
    expect(resolve.spellings?.("actor", "unc1878")).toEqual(["Grim Spider", "UNC1878", "Wizard Spider"]);
    // Corroborated by organisations 1 and 2 as one actor.
    expect(only(scoreAreas(items, resolve, ["botnets"])).corroborated).toEqual([
      { kind: "actor", name: "Wizard Spider", organisations: 2, itemIds: [1, 2, 3] },
    ]);
  });

  it("breaks a tie of primary spellings alphabetically", () => {
    const items = [
      item({ actors: [{ name: "Beta Group", aliases: ["Alpha Team"] }] }),
      item({ actors: [{ name: "Alpha Team", aliases: [] }] }),
    ];
    // "Alpha Team" and "Beta Group" are primary once each -> "Alpha Team"
    expect(buildResolver(items, [])("actor", "beta group")).toBe("Alpha Team");
  });

  it("joins names by an analyst's merge, transitively, under the latest merge's target", () => {
    const items = [
      item({ organisationId: 1, actors: [{ name: "Evil Corp", aliases: [] }] }),
      item({ organisationId: 2, actors: [{ name: "Indrik Spider", aliases: [] }] }),
      item({ organisationId: 3, actors: [{ name: "TA505", aliases: [] }] }),
      item({ organisationId: 4, actors: [{ name: "Evil Corp", aliases: [] }] }),
    ];
    const resolve = buildResolver(items, [
      { kind: "actor", from: "TA505", into: "evil corp" },
      { kind: "actor", from: "Evil Corp", into: "Indrik Spider" },
    ]);
    // TA505 -> evil corp, then Evil Corp -> Indrik Spider: one group of three; the latest merge names it,
    // although "Evil Corp" is the most used primary spelling (twice).
    for (const name of ["TA505", "ta505", "Evil Corp", "EVIL CORP", "Indrik Spider"]) {
      expect(resolve("actor", name)).toBe("Indrik Spider");
    }
    expect(only(scoreAreas(items, resolve, ["botnets"])).corroborated).toEqual([
      { kind: "actor", name: "Indrik Spider", organisations: 4, itemIds: [1, 2, 3, 4] },
    ]);
    // The same merges the other way round: the latest is now "TA505 -> evil corp".
    const reversed = buildResolver(items, [
      { kind: "actor", from: "Evil Corp", into: "Indrik Spider" },
      { kind: "actor", from: "TA505", into: "evil corp" },
    ]);
    expect(reversed("actor", "Indrik Spider")).toBe("evil corp");
  });

  it("groups malware only by merges and case, and keeps actors and malware apart", () => {
    const items = [
      item({ malware: ["TrickBot", "Trickster"], actors: [{ name: "Wizard Spider", aliases: ["TrickBot"] }] }),
      item({ malware: ["trickbot"] }),
    ];
    const withoutMerge = buildResolver(items, []);
    expect(withoutMerge("malware", "Trickster")).toBe("Trickster");
    expect(withoutMerge("malware", "TRICKBOT")).toBe("TrickBot"); // "TrickBot" < "trickbot" (a tie, 1 each)
    expect(withoutMerge("actor", "TrickBot")).toBe("Wizard Spider");
    const merged = buildResolver(items, [{ kind: "malware", from: "Trickster", into: "TrickBot" }]);
    expect(merged("malware", "trickster")).toBe("TrickBot");
    expect(merged("actor", "Trickster")).toBe("Trickster"); // the malware merge does not touch actors
  });

  it("returns a name never seen as itself, trimmed", () => {
    const resolve = buildResolver([item({ actors: [{ name: "APT28", aliases: [] }] })], []);
    expect(resolve("actor", "  Lazarus   Group ")).toBe("Lazarus Group");
    expect(resolve("malware", "APT28")).toBe("APT28");
  });
});

describe("rankEntities", () => {
  it("sums each item's weight once per entity, lists every other spelling, and sorts by weight", () => {
    const items = [
      // weight 1 (A1)
      item({
        organisationId: 1,
        crimeArea: "intrusion",
        sourceReliability: "A",
        informationCredibility: "1",
        actors: [
          { name: "Wizard Spider", aliases: ["UNC1878"] },
          { name: "UNC1878", aliases: [] }, // the same actor again: the item still counts once
        ],
        malware: ["TrickBot"],
      }),
      // weight 0.64 (B2)
      item({ organisationId: 2, crimeArea: "botnets", actors: [{ name: "grim spider", aliases: [] }], malware: ["trickbot", "Conti"] }),
      // weight 0.25 (F6)
      item({ organisationId: 2, crimeArea: "banking_trojans", sourceReliability: "F", informationCredibility: "6", malware: ["TrickBot"] }),
    ];
    const resolve = buildResolver(items, [
      { kind: "actor", from: "Grim Spider", into: "Wizard Spider" },
      { kind: "actor", from: "Ryuk Gang", into: "Wizard Spider" }, // known only from this merge
    ]);
    expect(rankEntities(items, resolve)).toEqual([
      // TrickBot: 1 + 0.64 + 0.25 = 1.89; "trickbot" is the same name, not an alias.
      // Areas in taxonomy order: botnets, intrusion, banking_trojans.
      {
        kind: "malware",
        name: "TrickBot",
        aliases: [],
        weight: 1.89,
        itemIds: [1, 2, 3],
        organisations: 2,
        crimeAreas: ["botnets", "intrusion", "banking_trojans"],
      },
      // Wizard Spider: 1 (item 1, once although named twice) + 0.64 (item 2 as "grim spider") = 1.64.
      // "grim spider" (item) and "Grim Spider" (merge) tie once each -> "Grim Spider".
      {
        kind: "actor",
        name: "Wizard Spider",
        aliases: ["Grim Spider", "Ryuk Gang", "UNC1878"],
        weight: 1.64,
        itemIds: [1, 2],
        organisations: 2,
        crimeAreas: ["botnets", "intrusion"],
      },
      // Conti: 0.64
      { kind: "malware", name: "Conti", aliases: [], weight: 0.64, itemIds: [2], organisations: 1, crimeAreas: ["botnets"] },
    ]);
  });

  it("works with a plain resolver (aliases from the items only)", () => {
    const items = [item({ actors: [{ name: "FIN7", aliases: ["Carbanak Group"] }] })];
    expect(rankEntities(items, plain)).toEqual([
      { kind: "actor", name: "FIN7", aliases: ["Carbanak Group"], weight: 0.64, itemIds: [1], organisations: 1, crimeAreas: ["botnets"] },
    ]);
  });
});

describe("deterministic ordering", () => {
  it("gives the same figures and ranking whatever the order of the items", () => {
    const make = () => [
      item({ id: 7, organisationId: 1, malware: ["beta"], actors: [{ name: "Gamma", aliases: [] }] }),
      item({ id: 3, organisationId: 2, malware: ["Alpha"], actors: [{ name: "gamma", aliases: [] }] }),
      item({ id: 5, organisationId: 3, malware: ["alpha", "Beta"], trend: "new" }),
      item({ id: 1, organisationId: 2, malware: ["Beta"], crimeArea: "intrusion", trend: "new" }),
    ];
    const forward = make();
    const backward = make().reverse();
    const areas: CrimeArea[] = ["intrusion", "botnets"];
    const a = scoreAreas(forward, buildResolver(forward, []), areas);
    const b = scoreAreas(backward, buildResolver(backward, []), areas);
    expect(b).toEqual(a);
    // botnets: items 3, 5, 7; entities, all 2 organisations, by name: Alpha (2, 3), Beta (1, 3), Gamma (1, 2).
    // Display names: "Alpha"/"alpha" and "Gamma"/"gamma" tie -> capitalised first; "Beta" twice beats "beta".
    expect(a[1]!.itemIds).toEqual([3, 5, 7]);
    expect(a[1]!.corroborated.map((entity) => [entity.name, entity.itemIds])).toEqual([
      ["Alpha", [3, 5]],
      ["Beta", [5, 7]],
      ["Gamma", [3, 7]],
    ]);
    // Trend: stable 0.64 x 2 = 1.28 against new 0.64 -> stable
    expect(a[1]!.trend).toBe("stable");
    // Ranking: Beta 3 x 0.64 = 1.92; then Alpha and Gamma tie at 1.28 -> by name.
    const ranked = rankEntities(forward, buildResolver(forward, []));
    expect(rankEntities(backward, buildResolver(backward, []))).toEqual(ranked);
    expect(ranked.map((entity) => [entity.name, entity.weight])).toEqual([
      ["Beta", 1.92],
      ["Alpha", 1.28],
      ["Gamma", 1.28],
    ]);
  });

  it("orders names alphabetically without a locale", () => {
    expect(["beta", "Alpha", "alpha", "Beta"].sort(compareNames)).toEqual(["Alpha", "alpha", "Beta", "beta"]);
  });

  it("rounds half away from zero, without binary surprises", () => {
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(0.625, 2)).toBe(0.63);
    expect(roundTo(-2.25, 1)).toBe(-2.3);
    expect(Object.is(roundTo(-0.001, 2), 0)).toBe(true);
  });
});

describe("SCORING_RULES", () => {
  const text = SCORING_RULES.map((rule) => `${rule.title}: ${rule.text}`).join("\n");

  it("explains every part of the rule, with the numbers the code uses", () => {
    expect(SCORING_RULES.map((rule) => rule.title)).toEqual([
      "Evaluation weight",
      "Impact and likelihood",
      "Corroboration",
      "Confidence",
      "Risk and score",
      "Trend",
      "Likelihood in words",
      "Analyst overrides",
      "Change against the previous edition",
      "Actors and malware",
    ]);
    expect(text).toContain("(A 1.0, B 0.8, C 0.6, D 0.4 and E 0.2)");
    expect(text).toContain("(1 1.0, 2 0.8, 3 0.6, 4 0.4 and 5 0.2)");
    expect(text).toContain("its factor is 0.5");
    expect(text).toContain("an F6 item weighs 0.25");
    expect(text).toContain("an A1 item weighs 1.0 and an E5 item 0.04");
    expect(text).toContain("at least 2 different organisations");
    expect(text).toContain(`plus ${CORROBORATION_CONFIDENCE_BONUS} for each corroborating organisation beyond the first`);
    expect(text).toContain(`score = risk \u00d7 (${SCORE_SHARE_WITHOUT_CONFIDENCE} + 0.5 \u00d7 confidence)`);
    expect(text).toContain("(1 to 25)");
    expect(text).toContain("increasing, new, stable and decreasing");
    expect(text).toContain(
      "below 1.5: remote; 1.5 to below 2.5: unlikely; 2.5 to below 3.5: roughly even chance; 3.5 to below 4.5: likely; 4.5 and above: almost certain",
    );
    expect(text).not.toMatch(/undefined|NaN|\[object/);
  });

  it("lives in a module the browser bundle can load", () => {
    const source = fs.readFileSync(path.resolve("app/modules/assessment/scoring.ts"), "utf8");
    expect(source).not.toMatch(/from "node:|\.server"|~\/lib\/db|better-sqlite3/);
  });
});
