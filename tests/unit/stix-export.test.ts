import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import type { Sector, Tlp } from "../../db/schema";
import { CRIME_AREA_LABELS, SECTOR_LABELS } from "~/lib/labels";
import {
  STIX_ID_NAMESPACE,
  TLP_2_0_EXTENSION_ID,
  TLP_MARKINGS,
  buildStixBundle,
  patternString,
  uuidV5,
  type StixBundle,
  type StixExportInput,
  type StixObject,
} from "~/modules/assessment/stix.server";
import type { AreaResult, AssessedItem, RankedEntity } from "~/modules/assessment/types";
import { REDACTED_NAME } from "~/modules/access/sources";
import { describeErrors, SCHEMA_OF_TYPE, schemaValidator, stixSchemas, TLP_REFERENCE_FILE } from "../support/stix";
import { parseStixBundle, validateIndicator, type IndicatorType } from "~/modules/threat-input/indicators";

// The STIX export of an assessment edition, checked against the OASIS STIX 2.1 JSON schemas
// (draft 2020-12) with ajv, and against the rules the schemas cannot express: markings, references,
// determinism, and that nothing about the organisations behind the items leaves the portal.

// ---------------------------------------------------------------------------------------------
// The fixture: an edition with four items from four organisations

const PUBLISHED_AT = new Date("2025-04-15T09:30:00Z");

/**
 * An item with the organisation behind it and the item's narrative, which the export must never
 * carry: the portal no longer reads narratives for its figures, but the export is handed them here.
 */
type FixtureItem = AssessedItem & { organisationName: string; organisationSector: Sector; narrative: string };

function item(fields: Partial<FixtureItem> & Pick<AssessedItem, "id" | "tlp" | "crimeArea" | "title">): FixtureItem {
  return {
    inputId: fields.id * 10,
    organisationId: 1,
    organisationCountry: "IT",
    organisationSector: "bank",
    organisationName: "Banca Meridiana SpA",
    attribution: "named",
    narrative: "",
    trend: "increasing",
    impact: 4,
    likelihood: 4,
    sourceReliability: "B",
    informationCredibility: "2",
    shareOnward: true,
    observedFrom: "2025-01-10",
    observedTo: null,
    sectors: ["finance"],
    countries: ["IT", "FR"],
    actors: [],
    malware: [],
    techniques: [],
    indicators: [],
    ...fields,
  };
}

const WALLETS = {
  btc: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
  xmr: "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
};

/** One indicator of each type, with the pattern it must become. Values are as the portal keeps them. */
const INDICATORS: { type: IndicatorType; value: string; pattern: string }[] = [
  { type: "ipv4", value: "198.51.100.7", pattern: "[ipv4-addr:value = '198.51.100.7']" },
  { type: "ipv6", value: "2001:db8::1", pattern: "[ipv6-addr:value = '2001:db8::1']" },
  { type: "domain", value: "trickbot-c2.example", pattern: "[domain-name:value = 'trickbot-c2.example']" },
  {
    type: "url",
    value: "https://login-bank.example/o'brien/verify?step=1",
    pattern: "[url:value = 'https://login-bank.example/o\\'brien/verify?step=1']",
  },
  { type: "email", value: "payroll@fraud-mail.example", pattern: "[email-addr:value = 'payroll@fraud-mail.example']" },
  {
    type: "sha256",
    value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    pattern: "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
  },
  {
    type: "sha1",
    value: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    pattern: "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
  },
  { type: "md5", value: "d41d8cd98f00b204e9800998ecf8427e", pattern: "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']" },
  { type: "btc_wallet", value: WALLETS.btc, pattern: `[x-cryptocurrency-wallet:value = '${WALLETS.btc}']` },
  { type: "xmr_wallet", value: WALLETS.xmr, pattern: `[x-cryptocurrency-wallet:value = '${WALLETS.xmr}']` },
  { type: "file_name", value: "o'brien_invoice.pdf.exe", pattern: "[file:name = 'o\\'brien_invoice.pdf.exe']" },
];
const ind = (type: IndicatorType) => {
  const found = INDICATORS.find((entry) => entry.type === type)!;
  return { type: found.type, value: found.value };
};

const ITEMS: FixtureItem[] = [
  item({
    id: 101,
    tlp: "TLP:AMBER",
    crimeArea: "banking_trojans",
    title: "TrickBot webinjects against Meridiana online banking",
    narrative: "Our fraud desk saw webinjects on 40 customer sessions.",
    observedFrom: "2025-01-10",
    actors: [{ name: "Wizard Spider", aliases: ["Grim Spider"] }],
    malware: ["TrickBot"],
    techniques: ["T1566.001", "T1055"],
    indicators: [ind("ipv4"), ind("domain"), ind("sha256")],
  }),
  item({
    id: 102,
    tlp: "TLP:GREEN",
    crimeArea: "online_fraud",
    title: "Payroll diversion phishing wave at Nordlicht",
    narrative: "Phishing against our customers' payroll departments.",
    organisationId: 2,
    organisationName: "Nordlicht Telekom AG",
    organisationCountry: "DE",
    organisationSector: "isp",
    attribution: "sector_country",
    observedFrom: "2025-02-01",
    actors: [{ name: "Scattered Syndicate", aliases: ["Octo Tempest"] }],
    techniques: ["T1566"],
    indicators: [ind("url"), ind("email"), ind("md5"), ind("sha1"), ind("btc_wallet")],
  }),
  item({
    id: 103,
    tlp: "TLP:AMBER+STRICT",
    crimeArea: "intrusion",
    title: "LockBit intrusion at a provincial ministry",
    narrative: "Initial access through an exposed VPN appliance.",
    organisationId: 3,
    organisationName: "Provincial Ministry of Digital Affairs",
    organisationCountry: "CA",
    organisationSector: "ministry",
    attribution: "anonymous",
    observedFrom: "2024-12-15",
    actors: [{ name: "wizard spider", aliases: [] }],
    malware: ["LockBit"],
    techniques: ["T1486"],
    indicators: [ind("ipv6"), ind("file_name"), ind("xmr_wallet"), ind("ipv4")],
  }),
  item({
    id: 104,
    tlp: "TLP:GREEN",
    crimeArea: "malware_distribution",
    title: "Spam runs dropping Trickbot loaders",
    narrative: "Observed by our sinkhole.",
    organisationId: 4,
    organisationName: "Vigil Security Labs",
    organisationCountry: "FR",
    organisationSector: "security_vendor",
    observedFrom: "2025-03-02",
    actors: [{ name: "Grim Spider", aliases: [] }],
    malware: ["Trickbot"],
    techniques: ["t1566.001"],
    indicators: [ind("domain")],
  }),
];

/** As the assessment's resolver would have it: names and aliases to one entity, case ignored. */
const NAMES: Record<"actor" | "malware", Record<string, string>> = {
  actor: {
    "wizard spider": "Wizard Spider",
    "grim spider": "Wizard Spider",
    "scattered syndicate": "Scattered Syndicate",
    "octo tempest": "Scattered Syndicate",
    "phantom broker": "Phantom Broker",
  },
  malware: { trickbot: "TrickBot", lockbit: "LockBit" },
};
const resolve = (kind: "actor" | "malware", name: string) => NAMES[kind][name.trim().toLowerCase()] ?? name.trim();

const ENTITIES: RankedEntity[] = [
  // "Mummy Spider" came from a withheld (TLP:RED) item through an analyst merge: it stays home.
  { kind: "actor", name: "Wizard Spider", aliases: ["Grim Spider", "Mummy Spider"], weight: 2.1, itemIds: [101, 103, 104], organisations: 3, crimeAreas: ["banking_trojans", "intrusion", "malware_distribution"] },
  { kind: "actor", name: "Scattered Syndicate", aliases: ["Octo Tempest"], weight: 0.8, itemIds: [102], organisations: 1, crimeAreas: ["online_fraud"] },
  { kind: "malware", name: "TrickBot", aliases: [], weight: 1.4, itemIds: [101, 104], organisations: 2, crimeAreas: ["banking_trojans", "malware_distribution"] },
  { kind: "malware", name: "LockBit", aliases: [], weight: 0.6, itemIds: [103], organisations: 1, crimeAreas: ["intrusion"] },
  // Named only by a withheld item: no exported item names it, so it is not exported.
  { kind: "actor", name: "Phantom Broker", aliases: ["Hidden Hand"], weight: 0.5, itemIds: [999], organisations: 1, crimeAreas: ["underground_forums"] },
];

function area(fields: Partial<AreaResult> & Pick<AreaResult, "crimeArea" | "itemIds">): AreaResult {
  const likelihoodWords = "likelihoodWords" in fields ? fields.likelihoodWords! : "likely";
  return {
    items: fields.itemIds.length,
    organisations: fields.itemIds.length,
    affectedCountries: fields.itemIds.length,
    impact: 4,
    likelihood: 4,
    meanWeight: 0.7,
    corroborated: [],
    corroboratingOrganisations: 0,
    confidence: 0.7,
    trend: "increasing",
    risk: 16,
    score: 11.2,
    likelihoodWords: "likely",
    override: null,
    finalScore: 11.2,
    finalTrend: "increasing",
    change: null,
    // The words the export states are the final figures'.
    final: { impact: 4, likelihood: 4, likelihoodWords, band: "very-high" },
    ...fields,
  };
}

const AREAS: AreaResult[] = [
  area({ crimeArea: "banking_trojans", itemIds: [101], finalScore: 12.6, likelihoodWords: "likely" }),
  area({ crimeArea: "online_fraud", itemIds: [102], finalScore: 9, finalTrend: "new", likelihoodWords: "roughly even chance" }),
  area({
    crimeArea: "intrusion",
    itemIds: [103],
    finalScore: 18,
    finalTrend: "stable",
    likelihoodWords: "very likely",
    override: { crimeArea: "intrusion", score: 18, trend: "stable", reason: "Provincial Ministry of Digital Affairs confirmed", byName: "Ana Analyst", at: PUBLISHED_AT },
  }),
  area({ crimeArea: "malware_distribution", itemIds: [104], finalScore: 7.35, finalTrend: "decreasing", likelihoodWords: "likely" }),
  area({ crimeArea: "botnets", itemIds: [], items: 0, impact: null, likelihood: null, score: 0, finalScore: 0, trend: null, finalTrend: null, likelihoodWords: null, risk: null, confidence: null, meanWeight: null }),
];

const TARGETS: StixExportInput["targets"] = [
  {
    id: 9,
    kind: "network",
    name: "Octo Tempest",
    rationale: "Runs the payroll phishing kits behind the wave Nordlicht Telekom AG reported; infrastructure overlaps.",
    state: "endorsed",
    itemIds: [102],
  },
  { id: 7, kind: "actor", name: "Wizard Spider", rationale: "Operators behind TrickBot and LockBit affiliates.", state: "proposed", itemIds: [101, 103] },
  { id: 8, kind: "network", name: "Grim Spider", rationale: "Not enough evidence of a network.", state: "declined", itemIds: [104] },
];

const INPUT: StixExportInput = {
  edition: { id: 12, title: "Threat assessment 2025-Q1", periodFrom: "2025-01-01", periodTo: "2025-03-31", publishedAt: PUBLISHED_AT },
  portalUrl: "https://consult.taskforce.example/",
  areas: AREAS,
  items: ITEMS,
  entities: ENTITIES,
  resolve,
  targets: TARGETS,
  // What the service passes: the name of every organisation behind the exported items.
  withheldNames: ITEMS.map((entry) => entry.organisationName),
};

// ---------------------------------------------------------------------------------------------
// Helpers over a bundle

type Loose = StixObject & Record<string, unknown>;
const objectsOf = (bundle: StixBundle) => bundle.objects as Loose[];
const ofType = (bundle: StixBundle, type: string) => objectsOf(bundle).filter((object) => object.type === type);
/** An object by its name; an attack pattern by its ATT&CK id (its name is ATT&CK's name for it). */
const named = (bundle: StixBundle, type: string, name: string) => {
  const found = ofType(bundle, type).filter((object) =>
    type === "attack-pattern" ? (object.external_references as { external_id: string }[])[0]!.external_id === name : object.name === name,
  );
  expect(found, `${type} "${name}"`).toHaveLength(1);
  return found[0]!;
};
/** The edition's own report (the others are the crime areas' assessments). */
const editionReport = (bundle: StixBundle) => ofType(bundle, "report").find((object) => object.external_references !== undefined)!;
const markOf = (object: Loose): Tlp => {
  const refs = object.object_marking_refs as string[];
  expect(refs).toHaveLength(1);
  return TLP_MARKINGS.find((marking) => marking.id === refs[0])!.name;
};
const rank = (tlp: Tlp) => TLP_MARKINGS.findIndex((marking) => marking.name === tlp);
const strictest = (marks: Tlp[]): Tlp => TLP_MARKINGS[Math.max(0, ...marks.map(rank))]!.name;

// ---------------------------------------------------------------------------------------------

describe("the STIX 2.1 export of an edition", () => {
  let bundle: StixBundle;
  beforeAll(() => {
    bundle = buildStixBundle(INPUT);
  });

  it("implements UUIDv5 as RFC 4122 says", () => {
    // The RFC's DNS namespace and the name every UUID library checks against.
    expect(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2");
    expect(uuidV5(STIX_ID_NAMESPACE, "x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("validates against the OASIS bundle schema, and each object against its type's schema", () => {
    const validateBundle = schemaValidator(stixSchemas(), "common/bundle.json");
    const bundleOk = validateBundle(JSON.parse(JSON.stringify(bundle)));
    expect(bundleOk, `the bundle does not validate against bundle.json:\n${describeErrors(validateBundle.errors)}`).toBe(true);

    const failures: string[] = [];
    for (const object of objectsOf(bundle)) {
      const file = SCHEMA_OF_TYPE[object.type];
      if (!file) {
        failures.push(`${object.id}: no schema known for type ${object.type}`);
        continue;
      }
      const validate = schemaValidator(stixSchemas(), file);
      if (!validate(JSON.parse(JSON.stringify(object)))) failures.push(`${object.id} against ${file}:\n${describeErrors(validate.errors)}`);
    }
    expect(failures, failures.join("\n")).toEqual([]);
  });

  it("really validates: a broken object fails the schema with its errors", () => {
    const validate = schemaValidator(stixSchemas(), "sdos/indicator.json");
    const indicator = { ...ofType(bundle, "indicator")[0]!, created: "yesterday" } as Record<string, unknown>;
    delete indicator.pattern;
    expect(validate(indicator)).toBe(false);
    const text = describeErrors(validate.errors);
    expect(text).toMatch(/pattern/);
    expect(text).toMatch(/created/);
  });

  it("holds the objects the fixture calls for", () => {
    const counts: Record<string, number> = {};
    for (const object of bundle.objects) counts[object.type] = (counts[object.type] ?? 0) + 1;
    expect(counts).toEqual({
      "marking-definition": 4, // CLEAR (identity), GREEN, AMBER, AMBER+STRICT; no RED item, no RED marking
      identity: 1,
      report: 5, // the edition's, and one for each of the four crime areas with figures
      "threat-actor": 1, // Wizard Spider; Phantom Broker is named by no exported item
      "intrusion-set": 1, // Scattered Syndicate: an endorsed network target names its alias
      malware: 2,
      "attack-pattern": 4,
      indicator: 11,
      relationship: 27,
    });
    expect(bundle.objects).toHaveLength(56);
    expect(bundle.type).toBe("bundle");
    expect(bundle.id).toMatch(/^bundle--/);
  });

  it("gives every object id, type, spec_version 2.1 and its timestamps", () => {
    const published = PUBLISHED_AT.toISOString();
    expect(published).toBe("2025-04-15T09:30:00.000Z");
    const ids = new Set<string>();
    for (const object of objectsOf(bundle)) {
      expect(object.id.startsWith(`${object.type}--`), object.id).toBe(true);
      expect(ids.has(object.id), `duplicate ${object.id}`).toBe(false);
      ids.add(object.id);
      expect(object.spec_version).toBe("2.1");
      if (object.type === "marking-definition") {
        // Marking definitions are not versioned: no modified (STIX 2.1 §7.2.1); created is OASIS's.
        expect(object.created).toBe("2022-10-01T00:00:00.000Z");
        expect(object).not.toHaveProperty("modified");
      } else {
        expect(object.created).toBe(published);
        expect(object.modified).toBe(published);
      }
    }
  });

  it("writes the TLP 2.0 marking definitions exactly as OASIS defines them, only those in use", () => {
    const markings = ofType(bundle, "marking-definition");
    expect(markings.map((marking) => marking.name).sort()).toEqual(["TLP:AMBER", "TLP:AMBER+STRICT", "TLP:CLEAR", "TLP:GREEN"]);
    expect(named(bundle, "marking-definition", "TLP:AMBER+STRICT")).toEqual({
      type: "marking-definition",
      spec_version: "2.1",
      id: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
      created: "2022-10-01T00:00:00.000Z",
      name: "TLP:AMBER+STRICT",
      extensions: {
        [TLP_2_0_EXTENSION_ID]: { extension_type: "property-extension", tlp_2_0: "amber+strict" },
      },
    });
    expect(TLP_2_0_EXTENSION_ID).toBe("extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
    // The ids are the ones of the vendored OASIS reference file.
    const reference = JSON.parse(fs.readFileSync(TLP_REFERENCE_FILE, "utf8")) as {
      extension_definition: string;
      markings: { name: string; tlp_2_0: string; id: string }[];
    };
    expect(reference.extension_definition).toBe(TLP_2_0_EXTENSION_ID);
    expect(TLP_MARKINGS.map((m) => ({ name: m.name, tlp_2_0: m.level, id: m.id }))).toEqual(reference.markings);
  });

  it("marks every other object with one marking that is in the bundle", () => {
    const markingIds = new Set(ofType(bundle, "marking-definition").map((marking) => marking.id));
    for (const object of objectsOf(bundle)) {
      if (object.type === "marking-definition") continue;
      const refs = object.object_marking_refs as string[] | undefined;
      expect(refs, `${object.id} has no object_marking_refs`).toBeDefined();
      expect(refs).toHaveLength(1);
      for (const ref of refs!) expect(markingIds.has(ref), `${object.id} refers to ${ref}, not in the bundle`).toBe(true);
    }
  });

  it("has the taskforce create every object, and nobody else appear", () => {
    const identities = ofType(bundle, "identity");
    expect(identities).toHaveLength(1);
    const identity = identities[0]!;
    expect(identity).toMatchObject({ name: "International Cybercrime Taskforce", identity_class: "organization" });
    expect(markOf(identity)).toBe("TLP:CLEAR");
    for (const object of objectsOf(bundle)) {
      if (object.type === "marking-definition" || object.type === "identity") continue;
      expect(object.created_by_ref, object.id).toBe(identity.id);
    }
  });

  it("points every relationship at objects in the bundle, with no duplicates", () => {
    const ids = new Set(bundle.objects.map((object) => object.id));
    const seen = new Set<string>();
    for (const relationship of ofType(bundle, "relationship")) {
      expect(ids.has(relationship.source_ref as string), `${relationship.id} source`).toBe(true);
      expect(ids.has(relationship.target_ref as string), `${relationship.id} target`).toBe(true);
      const key = `${relationship.relationship_type} ${relationship.source_ref} ${relationship.target_ref}`;
      expect(seen.has(key), `duplicate ${key}`).toBe(false);
      seen.add(key);
    }
    // Which kinds relate how.
    const typeOf = new Map(bundle.objects.map((object) => [object.id, object.type]));
    const shapes = new Set(
      ofType(bundle, "relationship").map(
        (r) => `${typeOf.get(r.source_ref as string)} ${r.relationship_type} ${typeOf.get(r.target_ref as string)}`,
      ),
    );
    expect([...shapes].sort()).toEqual([
      "indicator indicates intrusion-set",
      "indicator indicates malware",
      "indicator indicates threat-actor",
      "intrusion-set uses attack-pattern",
      "malware uses attack-pattern",
      "threat-actor uses attack-pattern",
      "threat-actor uses malware",
    ]);
  });

  it("refers in the report to every object but the marking definitions, which are its markings", () => {
    const report = editionReport(bundle);
    const expected = bundle.objects
      .filter((object) => object.type !== "marking-definition" && object.id !== report.id)
      .map((object) => object.id);
    expect(report.object_refs).toEqual(expected);
    expect(report).toMatchObject({
      name: "Threat assessment 2025-Q1",
      report_types: ["threat-report"],
      published: "2025-04-15T09:30:00.000Z",
      external_references: [{ source_name: "taskforce-consult", url: "https://consult.taskforce.example/assessments/12", external_id: "12" }],
    });
  });

  it("describes the period, each crime area's figures and the endorsed targets in the report", () => {
    const description = editionReport(bundle).description as string;
    expect(description).toContain("for the period 2025-01-01 to 2025-03-31");
    expect(description).toContain("- Malware distribution: score 7.4, trend decreasing, likelihood likely.");
    expect(description).toContain("- Botnets: score 0, trend not established, likelihood not estimated.");
    expect(description).toContain("- Online fraud: score 9, trend new, likelihood roughly even chance.");
    expect(description).toContain("- Intrusion and ransomware: score 18 (adjusted by an analyst), trend stable, likelihood very likely.");
    expect(description).toContain("- Banking trojans: score 12.6, trend increasing, likelihood likely.");
    // The taxonomy's order, whatever the order of the input.
    const lines = description.split("\n").filter((line) => line.startsWith("- ") && line.includes("score"));
    expect(lines.map((line) => line.slice(2, line.indexOf(":")))).toEqual([
      "Malware distribution",
      "Botnets",
      "Online fraud",
      "Intrusion and ransomware",
      "Banking trojans",
    ]);
    // Endorsed targets only: name and rationale, the organisation it mentions withheld.
    expect(description).toContain(
      `Targets endorsed for investigation:\n- Network Octo Tempest: Runs the payroll phishing kits behind the wave ${REDACTED_NAME} reported; infrastructure overlaps.`,
    );
    expect(description).not.toContain("Wizard Spider");
    expect(description).not.toContain("Not enough evidence");
    // The override's reason and author stay home.
    expect(description).not.toContain("Ana Analyst");
  });

  it("maps actors, networks, malware and techniques", () => {
    const wizard = named(bundle, "threat-actor", "Wizard Spider");
    // "Mummy Spider" is an alias no exported item gives.
    expect(wizard.aliases).toEqual(["Grim Spider"]);
    expect(wizard).not.toHaveProperty("threat_actor_types");
    // A declined network target leaves Wizard Spider an actor; the endorsed one makes an intrusion set.
    expect(named(bundle, "intrusion-set", "Scattered Syndicate").aliases).toEqual(["Octo Tempest"]);
    expect(ofType(bundle, "threat-actor").map((object) => object.name)).toEqual(["Wizard Spider"]);
    expect(named(bundle, "malware", "TrickBot")).toMatchObject({ is_family: true });
    expect(named(bundle, "malware", "TrickBot")).not.toHaveProperty("aliases");
    expect(named(bundle, "malware", "LockBit")).toMatchObject({ is_family: true });
    expect(named(bundle, "attack-pattern", "T1566.001").external_references).toEqual([
      { source_name: "mitre-attack", external_id: "T1566.001", url: "https://attack.mitre.org/techniques/T1566/001/" },
    ]);
    expect(named(bundle, "attack-pattern", "T1566").external_references).toEqual([
      { source_name: "mitre-attack", external_id: "T1566", url: "https://attack.mitre.org/techniques/T1566/" },
    ]);
    // ATT&CK's names, from the vendored list, and its tactics as kill-chain phases.
    expect(ofType(bundle, "attack-pattern").map((object) => object.name).sort()).toEqual([
      "Data Encrypted for Impact",
      "Phishing",
      "Process Injection",
      "Spearphishing Attachment",
    ]);
    expect(named(bundle, "attack-pattern", "T1566.001").kill_chain_phases).toEqual([{ kill_chain_name: "mitre-attack", phase_name: "initial-access" }]);
  });

  it("writes one indicator per type and value, with STIX patterns and the earliest observation", () => {
    for (const { type, value } of INDICATORS) {
      // The fixture holds values as the portal keeps them.
      expect(validateIndicator(type, value)).toEqual({ ok: true, value });
    }
    const byPattern = new Map(ofType(bundle, "indicator").map((indicator) => [indicator.pattern as string, indicator]));
    expect([...byPattern.keys()].sort()).toEqual(INDICATORS.map((entry) => entry.pattern).sort());
    for (const indicator of byPattern.values()) {
      expect(indicator).toMatchObject({ pattern_type: "stix", pattern_version: "2.1", indicator_types: ["malicious-activity"] });
    }
    // 198.51.100.7: items 101 (2025-01-10) and 103 (2024-12-15).
    expect(byPattern.get("[ipv4-addr:value = '198.51.100.7']")!.valid_from).toBe("2024-12-15T00:00:00.000Z");
    expect(byPattern.get("[domain-name:value = 'trickbot-c2.example']")!.valid_from).toBe("2025-01-10T00:00:00.000Z");
  });

  it("escapes quotes and backslashes in pattern values", () => {
    expect(patternString(String.raw`C:\Users\o'brien\a.exe`)).toBe(String.raw`'C:\\Users\\o\'brien\\a.exe'`);
    const patterns = ofType(bundle, "indicator").map((indicator) => indicator.pattern as string);
    expect(patterns).toContain(String.raw`[url:value = 'https://login-bank.example/o\'brien/verify?step=1']`);
    expect(patterns).toContain(String.raw`[file:name = 'o\'brien_invoice.pdf.exe']`);
    // A raw value with both, straight into a pattern.
    const odd = buildStixBundle({
      ...INPUT,
      items: [item({ id: 1, tlp: "TLP:CLEAR", crimeArea: "malware_coding", title: "x", indicators: [{ type: "file_name", value: String.raw`dropper\'s.exe` }] })],
    });
    expect(ofType(odd, "indicator")[0]!.pattern).toBe(String.raw`[file:name = 'dropper\\\'s.exe']`);
  });

  it("reads back through the portal's own STIX import: every indicator, wallets included", () => {
    const parsed = parseStixBundle(JSON.stringify(bundle));
    if ("error" in parsed) throw new Error(parsed.error);
    expect(parsed.rejected).toEqual([]);
    const keys = (list: { type: string; value: string }[]) => list.map((entry) => `${entry.type} ${entry.value}`).sort();
    expect(keys(parsed.indicators)).toEqual(keys(INDICATORS));
  });

  it("marks each object with the strictest TLP of the items it comes from", () => {
    // Independently of the builder: which objects each item gives rise to.
    const indicatorIds = new Map(ofType(bundle, "indicator").map((indicator) => [indicator.pattern as string, indicator.id]));
    const patternOf = (entry: { type: string; value: string }) => INDICATORS.find((i) => i.type === entry.type && i.value === entry.value)!.pattern;
    const entityId = (kind: "actor" | "malware", name: string) => {
      const entity = resolve(kind, name);
      return objectsOf(bundle).find((object) => ["threat-actor", "intrusion-set", "malware"].includes(object.type) && object.name === entity)!.id;
    };
    const objectsOfItem = new Map<number, Set<string>>(
      ITEMS.map((entry) => [
        entry.id,
        new Set([
          ...entry.actors.map((actor) => entityId("actor", actor.name)),
          ...entry.malware.map((name) => entityId("malware", name)),
          ...entry.techniques.map((technique) => named(bundle, "attack-pattern", technique.toUpperCase()).id),
          ...entry.indicators.map((indicator) => indicatorIds.get(patternOf(indicator))!),
        ]),
      ]),
    );
    const expectedMark = (object: Loose): Tlp => {
      const needs = object.type === "relationship" ? [object.source_ref as string, object.target_ref as string] : [object.id];
      const from = ITEMS.filter((entry) => needs.every((id) => objectsOfItem.get(entry.id)!.has(id)));
      expect(from.length, `${object.id} comes from no item`).toBeGreaterThan(0);
      return strictest(from.map((entry) => entry.tlp));
    };
    for (const object of objectsOf(bundle)) {
      if (object.type === "marking-definition") continue;
      const expected =
        object.type === "identity"
          ? "TLP:CLEAR"
          : object.id === editionReport(bundle).id
            ? strictest(ITEMS.map((entry) => entry.tlp))
            : object.type === "report"
              ? strictest(ITEMS.filter((entry) => (object.name as string).endsWith(CRIME_AREA_LABELS[entry.crimeArea])).map((entry) => entry.tlp))
              : expectedMark(object);
      expect(markOf(object), `${object.type} ${String(object.name ?? object.id)}`).toBe(expected);
    }
    // And by hand, for the cases that matter.
    expect(markOf(named(bundle, "threat-actor", "Wizard Spider"))).toBe("TLP:AMBER+STRICT");
    expect(markOf(named(bundle, "malware", "TrickBot"))).toBe("TLP:AMBER");
    expect(markOf(named(bundle, "intrusion-set", "Scattered Syndicate"))).toBe("TLP:GREEN");
    expect(markOf(named(bundle, "attack-pattern", "T1566.001"))).toBe("TLP:AMBER");
    expect(markOf(named(bundle, "attack-pattern", "T1566"))).toBe("TLP:GREEN");
    expect(markOf(ofType(bundle, "indicator").find((i) => (i.pattern as string).includes("198.51.100.7"))!)).toBe("TLP:AMBER+STRICT");
    expect(markOf(ofType(bundle, "indicator").find((i) => (i.pattern as string).includes("trickbot-c2"))!)).toBe("TLP:AMBER");
    expect(markOf(editionReport(bundle))).toBe("TLP:AMBER+STRICT");
  });

  it("uses TLP:RED, and only then its marking, when the caller lets a RED item out", () => {
    const red = buildStixBundle({ ...INPUT, items: [...ITEMS, item({ id: 105, tlp: "TLP:RED", crimeArea: "botnets", title: "r", malware: ["LockBit"] })] });
    expect(markOf(named(red, "malware", "LockBit"))).toBe("TLP:RED");
    expect(markOf(editionReport(red))).toBe("TLP:RED");
    expect(ofType(red, "marking-definition").map((m) => m.name)).toContain("TLP:RED");
    expect(ofType(bundle, "marking-definition").map((m) => m.name)).not.toContain("TLP:RED");
  });

  it("builds byte-identical bundles, whatever the order of the items, entities, areas and targets", () => {
    const first = JSON.stringify(buildStixBundle(INPUT));
    expect(JSON.stringify(buildStixBundle(INPUT))).toBe(first);
    const rotate = <T>(list: T[], by: number) => [...list.slice(by), ...list.slice(0, by)];
    for (const by of [1, 2, 3]) {
      const shuffled: StixExportInput = {
        ...INPUT,
        items: rotate([...ITEMS].reverse(), by).map((entry) => ({
          ...entry,
          indicators: [...entry.indicators].reverse(),
          techniques: [...entry.techniques].reverse(),
        })),
        entities: rotate(ENTITIES, by),
        areas: rotate(AREAS, by),
        targets: rotate(TARGETS, by),
      };
      expect(JSON.stringify(buildStixBundle(shuffled))).toBe(first);
    }
    // Another edition of the same things gives them the same ids: only its own report and bundle differ.
    const other = buildStixBundle({ ...INPUT, edition: { ...INPUT.edition, id: 13 } });
    const ids = new Set(bundle.objects.map((object) => object.id));
    expect(other.objects.filter((object) => !ids.has(object.id)).map((object) => object.id)).toEqual([editionReport(other).id]);
    expect(other.id).not.toBe(bundle.id);
  });

  it("sorts the objects by type, then by id", () => {
    const order = ["marking-definition", "identity", "report", "threat-actor", "intrusion-set", "malware", "attack-pattern", "indicator", "relationship"];
    const keys = bundle.objects.map((object) => [order.indexOf(object.type), object.id] as const);
    for (let i = 1; i < keys.length; i++) {
      const [a, b] = [keys[i - 1]!, keys[i]!];
      expect(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]), `${a[1]} before ${b[1]}`).toBe(true);
    }
  });

  it("carries no organisation, no country or sector of one, and no item's title or narrative", () => {
    const json = JSON.stringify(bundle);
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const forbidden: [string, RegExp][] = [];
    for (const entry of ITEMS) {
      forbidden.push(
        [`item ${entry.id}: organisation name`, new RegExp(escape(entry.organisationName), "i")],
        [`item ${entry.id}: title`, new RegExp(escape(entry.title), "i")],
        [`item ${entry.id}: narrative`, new RegExp(escape(entry.narrative), "i")],
        [`item ${entry.id}: sector`, new RegExp(`"${entry.organisationSector}"`)],
        [`item ${entry.id}: sector label`, new RegExp(`\\b${escape(SECTOR_LABELS[entry.organisationSector])}\\b`)],
        [`item ${entry.id}: country`, new RegExp(`\\b${entry.organisationCountry}\\b`)],
      );
    }
    forbidden.push(
      // Nor the parts of a name, in case a text spelled it differently.
      ["part of an organisation name", /Meridiana|Nordlicht|Provincial|Vigil/i],
      // No property that could hold them, and none of the items' targeted sectors or countries.
      ["a property for sectors, countries, contacts or custom data", /"(sectors?|countr(y|ies)|contact_information|x_[a-z_]+)"\s*:/],
      ["a targeted sector or country", /"finance"|"FR"/],
      // Nor the override's reason or the analyst's name.
      ["the analyst", /Ana Analyst/],
      // Nor a withheld entity or alias.
      ["a withheld entity or alias", /Phantom Broker|Hidden Hand|Mummy Spider/],
    );
    const leaks = forbidden.filter(([, pattern]) => pattern.test(json)).map(([what, pattern]) => `${what}: ${json.match(pattern)![0]}`);
    expect(leaks).toEqual([]);
  });
});
