import { createHash } from "node:crypto";
import type { Tlp } from "../../../db/schema";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { nameMatcher } from "../access/sources";
import { technique as attackTechnique } from "../reference/attack";
import type { IndicatorType } from "../threat-input/indicators";
import { INDICATOR_TYPE_LABELS } from "~/lib/labels";
import type { AreaResult, AssessedItem, EntityKind, RankedEntity } from "./types";

// An assessment edition as a STIX 2.1 bundle. Pure apart from node:crypto (UUIDv5) and
// deterministic: the same input gives the same bytes under JSON.stringify, whatever the order of
// the items. Ids stand for what an object is, not for the edition it came in (the taskforce, an
// indicator by type and value, an actor or malware by resolved name, an attack pattern by ATT&CK
// id, a crime area's assessment), so that a consumer that imports two editions updates the objects
// they share instead of piling up duplicates; dateObjects gives each its first `created` and the
// `modified` of its last change. Only the report stands for one edition.
//
// What leaves: the taskforce's identity, the TLP 2.0 markings in use, the report (the figures per
// crime area and the endorsed targets), the actors, networks, malware, techniques and indicators
// the items name, and how they relate within an item. What never leaves: anything about the
// organisations behind the items (name, sector, country), the items' titles and narratives.

export type StixExportInput = {
  edition: { id: number; title: string; periodFrom: string; periodTo: string; publishedAt: Date };
  /** e.g. https://consult.taskforce.example; the edition page is `${portalUrl}/assessments/${id}`. */
  portalUrl: string;
  areas: AreaResult[];
  /** Only the items that may leave the portal: the caller filters. */
  items: AssessedItem[];
  /** Actors and malware, ranked, aliases merged. */
  entities: RankedEntity[];
  /** An item's actor or malware name -> the name of its entity. */
  resolve: (kind: "actor" | "malware", name: string) => string;
  targets: {
    id: number;
    kind: "actor" | "network";
    name: string;
    rationale: string;
    state: "proposed" | "endorsed" | "declined";
    itemIds: number[];
  }[];
  /** Names and aliases of organisations that free text in the export may not carry. */
  withheldNames: string[];
};

// ---------------------------------------------------------------------------------------------
// The output shapes

type StixId = string;

type CommonProperties = {
  type: string;
  spec_version: "2.1";
  id: StixId;
  created_by_ref?: StixId;
  created: string;
  modified: string;
};

type ExternalReference = { source_name: string; description?: string; url?: string; external_id?: string };

export type StixMarkingDefinition = {
  type: "marking-definition";
  spec_version: "2.1";
  id: StixId;
  created: string;
  name: Tlp;
  extensions: Record<string, { extension_type: "property-extension"; tlp_2_0: TlpLevel }>;
};
export type StixIdentity = CommonProperties & {
  type: "identity";
  name: string;
  identity_class: "organization";
  object_marking_refs: StixId[];
};
export type StixReport = CommonProperties & {
  type: "report";
  name: string;
  description: string;
  report_types: ["threat-report"];
  published: string;
  object_refs: StixId[];
  /** The edition's page: on the edition's report, not on a crime area's (the same in every edition). */
  external_references?: ExternalReference[];
  object_marking_refs: StixId[];
};
export type StixThreatActor = CommonProperties & {
  type: "threat-actor";
  name: string;
  aliases?: string[];
  object_marking_refs: StixId[];
};
export type StixIntrusionSet = CommonProperties & {
  type: "intrusion-set";
  name: string;
  aliases?: string[];
  object_marking_refs: StixId[];
};
export type StixMalware = CommonProperties & {
  type: "malware";
  name: string;
  is_family: true;
  aliases?: string[];
  object_marking_refs: StixId[];
};
export type StixAttackPattern = CommonProperties & {
  type: "attack-pattern";
  name: string;
  external_references: ExternalReference[];
  kill_chain_phases?: { kill_chain_name: "mitre-attack"; phase_name: string }[];
  object_marking_refs: StixId[];
};
export type StixIndicator = CommonProperties & {
  type: "indicator";
  name: string;
  indicator_types: ["malicious-activity"];
  pattern: string;
  pattern_type: "stix";
  pattern_version: "2.1";
  valid_from: string;
  object_marking_refs: StixId[];
};
export type StixRelationship = CommonProperties & {
  type: "relationship";
  relationship_type: "indicates" | "uses";
  source_ref: StixId;
  target_ref: StixId;
  object_marking_refs: StixId[];
};

export type StixObject =
  | StixMarkingDefinition
  | StixIdentity
  | StixReport
  | StixThreatActor
  | StixIntrusionSet
  | StixMalware
  | StixAttackPattern
  | StixIndicator
  | StixRelationship;

export type StixBundle = { type: "bundle"; id: StixId; objects: StixObject[] };

// ---------------------------------------------------------------------------------------------
// Fixed values

/** The namespace of this portal's deterministic ids (UUIDv5). Never change it: ids would change. */
export const STIX_ID_NAMESPACE = "496385d6-593e-4709-a4b8-1fcd43fed20b";

export const TASKFORCE_NAME = "International Cybercrime Taskforce";

/** The OASIS TLP 2.0 extension (cti-stix-common-objects, extension-definition-specifications/tlp-2.0). */
export const TLP_2_0_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
/** The OASIS TLP 2.0 marking definitions were created on this date. */
const TLP_2_0_CREATED = "2022-10-01T00:00:00.000Z";

type TlpLevel = "clear" | "green" | "amber" | "amber+strict" | "red";

/** Least strict first: the order decides which mark an object derived from several items carries. */
export const TLP_MARKINGS: readonly { name: Tlp; level: TlpLevel; id: StixId }[] = [
  { name: "TLP:CLEAR", level: "clear", id: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487" },
  { name: "TLP:GREEN", level: "green", id: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb" },
  { name: "TLP:AMBER", level: "amber", id: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421" },
  { name: "TLP:AMBER+STRICT", level: "amber+strict", id: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003" },
  { name: "TLP:RED", level: "red", id: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1" },
];

const TLP_RANK = new Map<Tlp, number>(TLP_MARKINGS.map((marking, rank) => [marking.name, rank]));

/** The rank of an item's mark; an unknown mark counts as the strictest, never as the mildest. */
function tlpRank(tlp: Tlp): number {
  return TLP_RANK.get(tlp) ?? TLP_MARKINGS.length - 1;
}

/** The order of the objects in the bundle: by type, then by id. */
const TYPE_ORDER: readonly StixObject["type"][] = [
  "marking-definition",
  "identity",
  "report",
  "threat-actor",
  "intrusion-set",
  "malware",
  "attack-pattern",
  "indicator",
  "relationship",
];


// ---------------------------------------------------------------------------------------------
// Small helpers

/** A name-based UUID (RFC 4122 §4.3, version 5: SHA-1). */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
  if (ns.length !== 16) throw new Error(`Not a UUID: ${namespace}`);
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Code-unit order: the same in every runtime and locale. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** How names compare: trimmed, inner whitespace collapsed, case ignored. */
const nameKey = (name: string) => name.trim().replace(/\s+/g, " ").toLowerCase();
const spell = (name: string) => name.trim().replace(/\s+/g, " ");

/** A STIX pattern string literal: quote and backslash escaped. */
export function patternString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** An ATT&CK technique id (T1566, T1566.001), upper-cased; null for anything else. */
function techniqueId(raw: string): string | null {
  const id = raw.trim().toUpperCase();
  return /^T\d{4}(\.\d{3})?$/.test(id) ? id : null;
}

function techniqueUrl(id: string): string {
  return `https://attack.mitre.org/techniques/${id.replace(".", "/")}/`;
}

/** A date (YYYY-MM-DD) or a timestamp as a STIX timestamp with milliseconds; null if unreadable. */
function stixTimestamp(value: string): string | null {
  const text = value.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00.000Z`) : new Date(text);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The indicator types this export knows, with their STIX pattern. */
const PATTERNS: Record<IndicatorType, (value: string) => string> = {
  ipv4: (v) => `[ipv4-addr:value = ${patternString(v)}]`,
  ipv6: (v) => `[ipv6-addr:value = ${patternString(v)}]`,
  domain: (v) => `[domain-name:value = ${patternString(v)}]`,
  url: (v) => `[url:value = ${patternString(v)}]`,
  email: (v) => `[email-addr:value = ${patternString(v)}]`,
  sha256: (v) => `[file:hashes.'SHA-256' = ${patternString(v)}]`,
  sha1: (v) => `[file:hashes.'SHA-1' = ${patternString(v)}]`,
  md5: (v) => `[file:hashes.MD5 = ${patternString(v)}]`,
  file_name: (v) => `[file:name = ${patternString(v)}]`,
  // STIX 2.1 has no wallet observable: a custom object type, x- prefixed so that no consumer
  // mistakes it for a standard one. The portal's own STIX import reads it back.
  btc_wallet: (v) => `[x-cryptocurrency-wallet:value = ${patternString(v)}]`,
  xmr_wallet: (v) => `[x-cryptocurrency-wallet:value = ${patternString(v)}]`,
};

const isIndicatorType = (type: string): type is IndicatorType => Object.hasOwn(PATTERNS, type);

/** One decimal at most, half away from zero (7.35 -> 7.4, not toFixed's 7.3); 9 -> "9". */
function formatScore(score: number): string {
  const scaled = Number((Math.abs(score) * 10).toPrecision(12));
  const rounded = (Math.sign(score) * Math.round(scaled)) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

// ---------------------------------------------------------------------------------------------
// The bundle

/** What an object is derived from: the strictest mark among its items decides its own. */
type Derived = { key: string; rank: number };

export function buildStixBundle(input: StixExportInput): StixBundle {
  const { edition } = input;
  const timestamp = edition.publishedAt.toISOString();
  const idOf = onceEach(stixIdOf);
  const identityId = idOf("identity", nameKey(TASKFORCE_NAME));
  const common = <T extends StixObject["type"]>(type: T, id: StixId) => ({
    type,
    spec_version: "2.1" as const,
    id,
    created_by_ref: identityId,
    created: timestamp,
    modified: timestamp,
  });

  const usedRanks = new Set<number>();
  const markingRefs = (rank: number): StixId[] => {
    usedRanks.add(rank);
    return [TLP_MARKINGS[rank]!.id];
  };

  // Free text (the report, target names, even an entity's name) never names a withheld organisation.
  const matcher = nameMatcher(input.withheldNames);
  const redact = (text: string) => matcher.redact(text);

  // The items in a fixed order, so that nothing below depends on the order they came in.
  const items = [...input.items].sort((a, b) => a.id - b.id);

  // Entities: the ones the exported items name (through the resolver), each with its items.
  const entitiesByKey = new Map<string, RankedEntity>();
  for (const entity of input.entities) entitiesByKey.set(`${entity.kind}\u0000${nameKey(entity.name)}`, entity);
  const entityOf = (kind: EntityKind, name: string): RankedEntity | undefined =>
    spell(name) === "" ? undefined : entitiesByKey.get(`${kind}\u0000${nameKey(input.resolve(kind, name))}`);

  // Networks: entities named by a network target that was not declined.
  const networks = new Set<string>();
  for (const target of input.targets) {
    if (target.kind !== "network" || target.state === "declined" || spell(target.name) === "") continue;
    networks.add(nameKey(input.resolve("actor", target.name)));
  }

  // Every spelling the exported items use: an alias that only withheld items gave stays home.
  const spellingsSeen: Record<EntityKind, Set<string>> = { actor: new Set(), malware: new Set() };
  for (const item of items) {
    for (const actor of item.actors) {
      spellingsSeen.actor.add(nameKey(actor.name));
      for (const alias of actor.aliases) spellingsSeen.actor.add(nameKey(alias));
    }
    for (const name of item.malware) spellingsSeen.malware.add(nameKey(name));
  }

  // One pass over the items: what each names, and the strictest mark behind each object.
  const derived = new Map<string, Derived & { build: () => StixObject }>();
  const derive = (key: string, rank: number, build: () => StixObject) => {
    const found = derived.get(key);
    if (found) found.rank = Math.max(found.rank, rank);
    else derived.set(key, { key, rank, build });
  };
  const earliest = new Map<string, string>(); // indicator key -> valid_from

  const entityObject = (entity: RankedEntity): { key: string; id: StixId; build: (rank: number) => StixObject } => {
    const type: "malware" | "intrusion-set" | "threat-actor" =
      entity.kind === "malware" ? "malware" : networks.has(nameKey(entity.name)) ? "intrusion-set" : "threat-actor";
    const id = idOf(type, nameKey(entity.name));
    const seen = spellingsSeen[entity.kind];
    const own = nameKey(entity.name);
    const aliasKeys = new Set<string>();
    const aliases = entity.aliases
      .map(spell)
      .filter((alias) => {
        const key = nameKey(alias);
        if (key === "" || key === own || !seen.has(key) || aliasKeys.has(key)) return false;
        aliasKeys.add(key);
        return true;
      })
      .sort(byCodeUnit);
    const withAliases = aliases.length > 0 ? { aliases: aliases.map(redact) } : {};
    return {
      key: id,
      id,
      build: (rank): StixObject => {
        const name = redact(spell(entity.name));
        if (type === "malware") {
          return { ...common(type, id), name, is_family: true, ...withAliases, object_marking_refs: markingRefs(rank) };
        }
        return { ...common(type, id), name, ...withAliases, object_marking_refs: markingRefs(rank) };
      },
    };
  };

  // The entities of each item, including those the entity list ties to the item by id.
  const itemIdsOfEntity = new Map<RankedEntity, Set<number>>();
  for (const entity of input.entities) itemIdsOfEntity.set(entity, new Set(entity.itemIds));

  // What each crime area's items gave rise to, for its assessment's note.
  const areaObjects = new Map<string, Set<StixId>>();
  for (const item of items) {
    const rank = tlpRank(item.tlp);
    const entityIds = new Map<RankedEntity, StixId>();
    const name = (entity: RankedEntity | undefined) => {
      if (!entity || entityIds.has(entity)) return;
      const object = entityObject(entity);
      entityIds.set(entity, object.id);
      const build = object.build;
      derive(object.key, rank, () => build(derived.get(object.key)!.rank));
    };
    for (const actor of item.actors) name(entityOf("actor", actor.name));
    for (const malware of item.malware) name(entityOf("malware", malware));
    for (const [entity, itemIds] of itemIdsOfEntity) if (itemIds.has(item.id)) name(entity);

    const actorIds: StixId[] = [];
    const malwareIds: StixId[] = [];
    for (const [entity, id] of entityIds) (entity.kind === "malware" ? malwareIds : actorIds).push(id);

    const techniqueIds = new Set<StixId>();
    for (const raw of item.techniques) {
      const technique = techniqueId(raw);
      if (!technique) continue;
      const id = idOf("attack-pattern", technique);
      techniqueIds.add(id);
      const known = attackTechnique(technique);
      const phases = [...new Set(known?.tactics.map((tactic) => tactic.slice(tactic.indexOf(":") + 1)) ?? [])].sort(byCodeUnit);
      derive(id, rank, () => ({
        ...common("attack-pattern", id),
        name: known?.name ?? technique,
        external_references: [{ source_name: "mitre-attack", external_id: technique, url: techniqueUrl(technique) }],
        ...(phases.length ? { kill_chain_phases: phases.map((phase) => ({ kill_chain_name: "mitre-attack" as const, phase_name: phase })) } : {}),
        object_marking_refs: markingRefs(derived.get(id)!.rank),
      }));
    }

    const indicatorIds = new Set<StixId>();
    const validFrom = stixTimestamp(item.observedFrom) ?? timestamp;
    for (const indicator of item.indicators) {
      const { type, value } = indicator;
      if (!isIndicatorType(type) || value === "") continue;
      const id = idOf("indicator", `${type}:${value}`);
      indicatorIds.add(id);
      const before = earliest.get(id);
      if (before === undefined || validFrom < before) earliest.set(id, validFrom);
      derive(id, rank, () => ({
        ...common("indicator", id),
        name: `${INDICATOR_TYPE_LABELS[type]} ${value}`,
        indicator_types: ["malicious-activity"],
        pattern: PATTERNS[type](value),
        pattern_type: "stix",
        pattern_version: "2.1",
        valid_from: earliest.get(id)!,
        object_marking_refs: markingRefs(derived.get(id)!.rank),
      }));
    }

    const relate = (relationshipType: "indicates" | "uses", source: StixId, target: StixId) => {
      const id = idOf("relationship", `${relationshipType}:${source}:${target}`);
      derive(id, rank, () => ({
        ...common("relationship", id),
        relationship_type: relationshipType,
        source_ref: source,
        target_ref: target,
        object_marking_refs: markingRefs(derived.get(id)!.rank),
      }));
    };
    for (const indicator of indicatorIds) {
      for (const target of [...malwareIds, ...actorIds]) relate("indicates", indicator, target);
    }
    for (const actor of actorIds) {
      for (const target of [...malwareIds, ...techniqueIds]) relate("uses", actor, target);
    }
    for (const malware of malwareIds) {
      for (const technique of techniqueIds) relate("uses", malware, technique);
    }
    const mine = areaObjects.get(item.crimeArea) ?? new Set<StixId>();
    for (const id of [...actorIds, ...malwareIds, ...techniqueIds, ...indicatorIds]) mine.add(id);
    areaObjects.set(item.crimeArea, mine);
  }

  // Each crime area's assessment, a report of its own that every edition updates: the figures,
  // about the objects its items gave rise to. (A STIX note would say it too, but the OASIS bundle
  // schema does not admit notes.)
  const itemRank = new Map(items.map((item) => [item.id, tlpRank(item.tlp)]));
  for (const area of input.areas) {
    if (area.items === 0 && area.override === null) continue;
    const id = idOf("report", `crime-area/${area.crimeArea}`);
    const rank = Math.max(0, ...area.itemIds.map((itemId) => itemRank.get(itemId) ?? 0));
    const refs = [...(areaObjects.get(area.crimeArea) ?? [])].sort(byCodeUnit);
    derive(id, rank, () => ({
      ...common("report", id),
      name: `${TASKFORCE_NAME}: ${CRIME_AREA_LABELS[area.crimeArea]}`,
      description: areaLine(area),
      report_types: ["threat-report"],
      published: timestamp,
      object_refs: refs.length ? refs : [identityId],
      object_marking_refs: markingRefs(derived.get(id)!.rank),
    }));
  }

  // The objects derived from items, built once every item has had its say on their marks.
  const content = [...derived.values()].map((entry) => entry.build());
  const reportRank = Math.max(0, ...items.map((item) => tlpRank(item.tlp)));

  const identity: StixIdentity = {
    type: "identity",
    spec_version: "2.1",
    id: identityId,
    created: timestamp,
    modified: timestamp,
    name: TASKFORCE_NAME,
    identity_class: "organization",
    object_marking_refs: markingRefs(0),
  };

  const reportId = idOf("report", `edition:${edition.id}`);
  const refs = sortObjects([identity, ...content]).map((object) => object.id);
  const editionUrl = `${input.portalUrl.replace(/\/+$/, "")}/assessments/${edition.id}`;
  const report: StixReport = {
    ...common("report", reportId),
    name: redact(edition.title),
    description: describe(input, redact),
    report_types: ["threat-report"],
    published: timestamp,
    object_refs: refs,
    external_references: [
      {
        source_name: "taskforce-consult",
        description: "The threat-assessment edition on the taskforce's consultation portal",
        url: editionUrl,
        external_id: String(edition.id),
      },
    ],
    object_marking_refs: markingRefs(reportRank),
  };

  const markings: StixMarkingDefinition[] = [...usedRanks].map((rank) => {
    const marking = TLP_MARKINGS[rank]!;
    return {
      type: "marking-definition",
      spec_version: "2.1",
      id: marking.id,
      created: TLP_2_0_CREATED,
      name: marking.name,
      extensions: { [TLP_2_0_EXTENSION_ID]: { extension_type: "property-extension", tlp_2_0: marking.level } },
    };
  });

  return {
    type: "bundle",
    id: `bundle--${uuidV5(STIX_ID_NAMESPACE, `bundle/edition:${edition.id}`)}`,
    objects: sortObjects([...markings, identity, report, ...content]),
  };
}

const TYPE_RANK = new Map(TYPE_ORDER.map((type, rank) => [type, rank]));

/** By type (TYPE_ORDER), then id: each object's rank looked up once, not at every comparison. */
function sortObjects<T extends StixObject>(objects: T[]): T[] {
  return objects
    .map((object) => ({ object, rank: TYPE_RANK.get(object.type)! }))
    .sort((a, b) => a.rank - b.rank || byCodeUnit(a.object.id, b.object.id))
    .map((entry) => entry.object);
}

/**
 * An id function that hashes each natural key once per bundle: the same entity, indicator or
 * technique recurs across items and relationships, and each id is a SHA-1.
 */
function onceEach(idOf: (type: string, naturalKey: string) => StixId) {
  const ids = new Map<string, StixId>();
  return (type: string, naturalKey: string): StixId => {
    const key = `${type}/${naturalKey}`;
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = idOf(type, naturalKey)));
    return id;
  };
}

/** The report's text: the period, the figures per crime area, the endorsed targets. */
function describe(input: StixExportInput, redact: (text: string) => string): string {
  const { edition } = input;
  const lines = [
    `Threat assessment of the ${TASKFORCE_NAME} for the period ${edition.periodFrom} to ${edition.periodTo}.`,
    "",
    "Crime areas (final score 0-25, trend, estimative likelihood):",
  ];
  const order = new Map(Object.keys(CRIME_AREA_LABELS).map((area, rank) => [area, rank]));
  const areas = [...input.areas].sort((a, b) => order.get(a.crimeArea)! - order.get(b.crimeArea)!);
  for (const area of areas) lines.push(`- ${areaLine(area)}`);
  const endorsed = input.targets
    .filter((target) => target.state === "endorsed")
    .sort((a, b) => a.id - b.id);
  if (endorsed.length > 0) {
    lines.push("", "Targets endorsed for investigation:");
    for (const target of endorsed) {
      const kind = target.kind === "network" ? "Network" : "Actor";
      lines.push(`- ${kind} ${redact(spell(target.name))}: ${redact(target.rationale.trim())}`);
    }
  }
  return lines.join("\n");
}

/** A crime area's figures in a line, as the report and the area's note say them. */
function areaLine(area: AreaResult): string {
  const adjusted = area.override ? " (adjusted by an analyst)" : "";
  return (
    `${CRIME_AREA_LABELS[area.crimeArea]}: score ${formatScore(area.finalScore)}${adjusted}, ` +
    `trend ${area.finalTrend ?? "not established"}, likelihood ${area.final.likelihoodWords ?? "not estimated"}.`
  );
}

/** The id of what an object stands for: the same in every edition that carries it. */
export function stixIdOf(type: string, naturalKey: string): StixId {
  return `${type}--${uuidV5(STIX_ID_NAMESPACE, `${type}/${naturalKey}`)}`;
}

// ---------------------------------------------------------------------------------------------
// Versions across editions

/** An object's version as an earlier edition let it out. */
export type ObjectVersion = { created: string; modified: string; contentHash: string };

/** What an object says, apart from when: equal hashes, same content. */
export function contentHashOf(object: StixObject): string {
  const { created: _created, ...rest } = object;
  const { modified: _modified, ...content } = rest as typeof rest & { modified?: string };
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/**
 * The bundle with each object dated by its history: one an earlier edition let out with the same
 * content keeps its `created` and `modified`; one with other content keeps its `created` and is
 * modified at `at` (this edition's publication); one never let out before is created at `at`.
 * Marking definitions keep their fixed dates.
 */
export function dateObjects(bundle: StixBundle, history: ReadonlyMap<StixId, ObjectVersion>, at: string): StixBundle {
  return {
    ...bundle,
    objects: bundle.objects.map((object) => {
      if (object.type === "marking-definition") return object;
      const before = history.get(object.id);
      if (!before) return { ...object, created: at, modified: at };
      const same = before.contentHash === contentHashOf(object);
      return { ...object, created: before.created, modified: same ? before.modified : at < before.modified ? before.modified : at };
    }),
  };
}
