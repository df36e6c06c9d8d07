import { and, desc, eq, lt, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import {
  consultations,
  entityMerges,
  organisations,
  reportedSubjects,
  threatInputIndicators,
  threatInputItemEntities,
  threatInputItems,
  threatInputs,
  threatInputVersions,
  type CrimeArea,
  type ItemEntityKind,
  type Tlp,
} from "../../../db/schema";
import { jsonParam, type DbOrTx } from "~/lib/db.server";
import { containing } from "~/lib/keyset.server";
import {
  disclosedSource,
  indicatorReadableBy,
  inputReadableBy,
  itemDisclosure,
  itemReadableBy,
  redItemsReadableBy,
  reportedSubjectsReadableBy,
  type Gated,
  type Viewer,
} from "../access/gate.server";
import { TECHNIQUE_ID } from "../reference/attack";
import { referenceName, resolvedKey } from "../reference/names";
import { detectIndicatorType, validateIndicator } from "../threat-input/indicators";
import { sourceLabel } from "../threat-input/service.server";

// Correlation and search (docs/decisions/019): what else the taskforce holds on an indicator, an
// actor, a malware family or a technique, among the inputs the viewer may read (the gate's
// conditions in every query), by index (threat_input_indicators_value_idx,
// threat_input_item_entities_key_idx), in a constant number of statements per page.

export type Subject = { kind: "indicator"; type: string; value: string } | { kind: ItemEntityKind; key: string; also?: string[] };
/** How many organisations (other than the one left out) report a subject. */
export type Reported = { organisations: number };

export const subjectKey = (subject: Subject) =>
  subject.kind === "indicator" ? `indicator ${subject.type} ${subject.value}` : `${subject.kind} ${[subject.key, ...(subject.also ?? [])].join(" ")}`;

/** Only inputs as they stand: their current version, submitted, not withdrawn. */
const current = sql`${threatInputs.currentVersion} = ${threatInputVersions.number} and ${threatInputs.status} = 'submitted'`;

/**
 * The keys the analysts' merges make one (docs/decisions/022): "kind key" -> every key of its
 * group, for keys some merge touches. The assessment's resolver (buildResolver) joins the same
 * names, so correlation and the edition's corroboration count one thing as one. Merges are few
 * (one row each an analyst made), read whole.
 */
function mergedKeys(db: DbOrTx): Map<string, string[]> {
  const parent = new Map<string, string>();
  const find = (key: string): string => {
    const up = parent.get(key) ?? key;
    if (up === key) return key;
    const root = find(up);
    parent.set(key, root);
    return root;
  };
  for (const merge of db.select({ kind: entityMerges.kind, from: entityMerges.fromName, into: entityMerges.intoName }).from(entityMerges).all()) {
    const [from, into] = [resolvedKey(merge.kind, merge.from), resolvedKey(merge.kind, merge.into)];
    if (from === "" || into === "") continue;
    const [a, b] = [find(`${merge.kind} ${from}`), find(`${merge.kind} ${into}`)];
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
    for (const key of [`${merge.kind} ${from}`, `${merge.kind} ${into}`]) if (!parent.has(key)) parent.set(key, key);
  }
  const groups = new Map<string, string[]>();
  for (const key of parent.keys()) {
    const root = find(key);
    groups.set(root, [...(groups.get(root) ?? []), key.slice(key.indexOf(" ") + 1)]);
  }
  return new Map([...parent.keys()].map((key) => [key, groups.get(find(key))!.sort()]));
}

/** Every key a subject is filed under: its own, the other names given with it, and their merges. */
function keysOf(subject: Extract<Subject, { kind: ItemEntityKind }>, merged: Map<string, string[]>): string[] {
  const own = [subject.key, ...(subject.also ?? [])].filter((key) => key !== "");
  return [...new Set(own.flatMap((key) => merged.get(`${subject.kind} ${key}`) ?? [key]))];
}

/**
 * Which inputs do not count: those of an organisation (the one whose item is on the page, "other
 * organisations") or those behind given items (an edition's: "beyond this edition's input").
 */
export type Exclusion = { organisationId?: number; itemIds?: number[] };

/**
 * How many organisations report each subject, counting only what the viewer may read, leaving
 * out the inputs `exclude` names. An actor or malware family counts under every key it is known
 * by (the names given with it, the analysts' merges). The merges, then one statement, whatever
 * the number of subjects (they travel as one JSON parameter): the organisations come from
 * reported_subjects, one row an organisation however many inputs it has (docs/decisions/026),
 * less what the excluded inputs count there, plus the TLP:RED items the viewer reads.
 */
export function correlate(db: DbOrTx, viewer: Viewer, subjects: Subject[], exclude: Exclusion = {}): Map<string, Reported> {
  const found = new Map<string, Reported>();
  if (subjects.length === 0) return found;
  const merged = subjects.some((subject) => subject.kind !== "indicator") ? mergedKeys(db) : new Map<string, string[]>();
  // [subject, kind, type, value]: an indicator by its type and value, a name by each of its keys.
  const wanted = [...new Map(subjects.map((subject) => [subjectKey(subject), subject])).entries()].flatMap(([id, subject]) =>
    subject.kind === "indicator" ? [[id, "indicator", subject.type, subject.value]] : keysOf(subject, merged).map((key) => [id, subject.kind, "", key]),
  );
  const otherOrganisation = (column: SQLWrapper) => (exclude.organisationId === undefined ? sql`1` : sql`${column} <> ${exclude.organisationId}`);
  // The inputs behind the excluded items, and what their standing, non-RED items count in
  // reported_subjects, to take off; then the TLP:RED items the viewer reads outside them.
  const excludedInputs = exclude.itemIds?.length
    ? sql`select distinct ${threatInputVersions.inputId} from json_each(${jsonParam(exclude.itemIds)}) excluded_item
        cross join ${threatInputItems} on ${threatInputItems.id} = excluded_item.value
        inner join ${threatInputVersions} on ${threatInputVersions.id} = ${threatInputItems.versionId}
        where ${itemReadableBy(viewer)}`
    : sql`select null where 0`;
  // The wanted things that the standing items of `inputs` name, of the items `readable` lets
  // through: once from their indicators and once from their names, each by its own index.
  const wantedNamedBy = (inputs: SQL, readable: Gated, where: SQL) => {
    // `items` is the gate's condition, passed in so that the join it guards carries it (the gate
    // rule test reads each fragment over the item tables on its own).
    const named = (mention: SQL, items: Gated) => sql`select wanted.subject, ${threatInputs.organisationId} as organisation_id from ${inputs}
      inner join ${threatInputVersions} on ${threatInputVersions.inputId} = ${threatInputs.id} and ${current}
      inner join ${threatInputItems} on ${threatInputItems.versionId} = ${threatInputVersions.id} and ${items}
      ${mention} where ${where}`;
    return sql`${named(
      sql`inner join ${threatInputIndicators} on ${threatInputIndicators.itemId} = ${threatInputItems.id}
        inner join wanted on wanted.kind = 'indicator' and wanted.type = ${threatInputIndicators.type} and wanted.value = ${threatInputIndicators.value}`,
      readable,
    )} union all ${named(
      sql`inner join ${threatInputItemEntities} on ${threatInputItemEntities.itemId} = ${threatInputItems.id}
        inner join wanted on wanted.kind = ${threatInputItemEntities.kind} and wanted.type = '' and wanted.value = ${threatInputItemEntities.key}`,
      readable,
    )}`;
  };
  const rows = db.all<{ subject: string; organisations: number }>(sql`
    with wanted(subject, kind, type, value) as materialized (select value ->> 0, value ->> 1, value ->> 2, value ->> 3 from json_each(${jsonParam(wanted)})),
    excluded_inputs(id) as materialized (${excludedInputs}),
    counted(subject, organisation_id, items) as (
      select wanted.subject, ${reportedSubjects.organisationId}, sum(${reportedSubjects.items})
      from wanted cross join ${reportedSubjects} on ${reportedSubjects.kind} = wanted.kind and ${reportedSubjects.type} = wanted.type and ${reportedSubjects.value} = wanted.value
      where ${reportedSubjects.items} > 0 and ${reportedSubjectsReadableBy(viewer)} and ${otherOrganisation(reportedSubjects.organisationId)}
      group by wanted.subject, ${reportedSubjects.organisationId}
    ),
    inside(subject, organisation_id, items) as (
      select subject, organisation_id, count(*) from (${wantedNamedBy(
        sql`excluded_inputs cross join ${threatInputs} on ${threatInputs.id} = excluded_inputs.id`,
        itemReadableBy(viewer),
        sql`${threatInputItems.tlp} <> 'TLP:RED'`,
      )}) group by subject, organisation_id
    ),
    red(subject, organisation_id) as (${wantedNamedBy(
      sql`${threatInputs}`,
      redItemsReadableBy(viewer),
      sql`${otherOrganisation(threatInputs.organisationId)} and ${threatInputs.id} not in (select id from excluded_inputs)`,
    )})
    select subject, count(distinct organisation_id) as organisations from (
      select counted.subject, counted.organisation_id from counted
        left join inside on inside.subject = counted.subject and inside.organisation_id = counted.organisation_id
      where counted.items > coalesce(inside.items, 0)
      union all select subject, organisation_id from red
    ) group by subject`);
  for (const row of rows) found.set(row.subject, { organisations: row.organisations });
  return found;
}

type NamingItem = { indicators: { type: string; value: string }[]; actors: { name: string; aliases: string[] }[]; malware: string[]; techniques: string[] };

/**
 * The subjects an item names, as correlation looks them up, each with the words it is shown by:
 * an actor with the aliases the item gives it (the assessment reads them as one entity too).
 */
function subjectsOf(item: NamingItem): { subject: Subject; label: string }[] {
  return [
    ...item.indicators.map((indicator) => ({ subject: { kind: "indicator" as const, type: indicator.type, value: indicator.value }, label: indicator.value })),
    ...item.actors.map((actor) => ({
      subject: { kind: "actor" as const, key: resolvedKey("actor", actor.name), also: actor.aliases.map((alias) => resolvedKey("actor", alias)) },
      label: actor.name,
    })),
    ...item.malware.map((name) => ({ subject: { kind: "malware" as const, key: resolvedKey("malware", name) }, label: name })),
    ...item.techniques.map((id) => ({ subject: { kind: "technique" as const, key: id }, label: id })),
  ];
}

export const searchLink = (q: string) => `/search?${new URLSearchParams({ q })}`;

// ---------------------------------------------------------------------------------------------
// Search

export type SearchQuery = {
  q: string;
  crimeArea?: CrimeArea;
  /** Words of the consultation's title. */
  consultation?: string;
  /** Observed within (YYYY-MM-DD). */
  from?: string;
  to?: string;
  tlp?: Tlp;
  /** The last item id of the page before (keyset, newest first). */
  after?: number;
};

export const SEARCH_PAGE_SIZE = 50;

/** What a search text may stand for: an indicator (defanged forms too), an ATT&CK id, a name. */
export function searchSubjects(q: string): Subject[] {
  const text = q.trim();
  if (text === "") return [];
  const subjects: Subject[] = [];
  const type = detectIndicatorType(text);
  if (type) {
    const checked = validateIndicator(type, text);
    if (checked.ok) subjects.push({ kind: "indicator", type, value: checked.value });
  }
  if (TECHNIQUE_ID.test(text.toUpperCase())) subjects.push({ kind: "technique", key: text.toUpperCase() });
  for (const kind of ["actor", "malware"] as const) {
    const key = resolvedKey(kind, text);
    if (key) subjects.push({ kind, key });
  }
  return subjects;
}

/** The items the viewer may read that name what was searched for, newest first, a page at a time. */
export function searchItems(db: DbOrTx, viewer: Viewer, query: SearchQuery) {
  const subjects = searchSubjects(query.q);
  if (subjects.length === 0) return { subjects, rows: [], next: null };
  const matches = subjects.map((subject) =>
    subject.kind === "indicator"
      ? sql`${threatInputItems.id} in (select ${threatInputIndicators.itemId} from ${threatInputIndicators} where ${threatInputIndicators.type} = ${subject.type} and ${threatInputIndicators.value} = ${subject.value} and ${indicatorReadableBy(viewer)})`
      : sql`${threatInputItems.id} in (select ${threatInputItemEntities.itemId} from ${threatInputItemEntities} where ${threatInputItemEntities.kind} = ${subject.kind} and ${threatInputItemEntities.key} = ${subject.key})`,
  );
  const rows = db
    .select({
      id: threatInputItems.id,
      inputId: threatInputs.id,
      title: threatInputItems.title,
      crimeArea: threatInputItems.crimeArea,
      tlp: threatInputItems.tlp,
      observedFrom: threatInputItems.observedFrom,
      observedTo: threatInputItems.observedTo,
      consultationTitle: consultations.title,
      source: disclosedSource(itemDisclosure(viewer, "working")),
    })
    .from(threatInputItems)
    .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
    .innerJoin(threatInputs, eq(threatInputs.id, threatInputVersions.inputId))
    .innerJoin(consultations, eq(consultations.id, threatInputs.consultationId))
    .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
    .where(
      and(
        itemReadableBy(viewer),
        current,
        or(...matches),
        query.crimeArea ? eq(threatInputItems.crimeArea, query.crimeArea) : undefined,
        query.consultation ? containing(consultations.title, query.consultation) : undefined,
        query.tlp ? eq(threatInputItems.tlp, query.tlp) : undefined,
        query.from ? sql`coalesce(${threatInputItems.observedTo}, '9999-12-31') >= ${query.from}` : undefined,
        query.to ? sql`${threatInputItems.observedFrom} <= ${query.to}` : undefined,
        query.after ? lt(threatInputItems.id, query.after) : undefined,
      ),
    )
    .orderBy(desc(threatInputItems.id))
    .limit(SEARCH_PAGE_SIZE + 1)
    .all();
  const page = rows.slice(0, SEARCH_PAGE_SIZE).map(({ source, ...row }) => ({ ...row, source: sourceLabel(source) }));
  return { subjects, rows: page, next: rows.length > SEARCH_PAGE_SIZE ? page.at(-1)!.id : null };
}

export type ItemCorrelation = { label: string; search: string; organisations: number };

/**
 * For each item of an input shown to an analyst: what else the taskforce holds on what it names,
 * from other organisations (two statements for the whole page).
 */
export function correlationsForInput(db: DbOrTx, viewer: Viewer, inputId: number, items: (NamingItem & { id: number })[]): Record<number, ItemCorrelation[]> {
  const input = db.select({ organisationId: threatInputs.organisationId }).from(threatInputs).where(and(eq(threatInputs.id, inputId), inputReadableBy(viewer))).get();
  if (!input) return {};
  const named = items.map((item) => ({ id: item.id, subjects: subjectsOf(item) }));
  const found = correlate(db, viewer, named.flatMap((item) => item.subjects.map((entry) => entry.subject)), { organisationId: input.organisationId });
  return Object.fromEntries(
    named.map((item) => [
      item.id,
      item.subjects.flatMap(({ subject, label }) => {
        const reported = found.get(subjectKey(subject));
        return reported ? [{ label, search: searchLink(label), ...reported }] : [];
      }),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// Triage: how much of each input in the queue is reported elsewhere

export type Share = { reported: number; of: number };
export type InputCorroboration = {
  indicators: Share;
  actors: Share;
  malware: Share;
  /** Other organisations reporting at least one of these. */
  organisations: number;
  /** What most other organisations report too: the first value to look up. */
  top: { label: string; search: string; organisations: number } | null;
};

/**
 * For a page of the triage queue (at most one page of input ids): per input, how many of the
 * indicators, actor names and malware families of its current version that the viewer may read
 * other organisations report too, in inputs the viewer may read, and by how many organisations in
 * how many inputs. One grouped statement for the page: the page's ids travel as one parameter and
 * every look-up goes by index (threat_input_indicators_value_idx, threat_input_item_entities_key_idx).
 * Names count as correlation counts them (resolved keys, aliases, the analysts' merges).
 */
export function corroborationOfInputs(db: DbOrTx, viewer: Viewer, inputIds: number[]): Record<number, InputCorroboration> {
  if (inputIds.length === 0) return {};
  // Each merged key with its group's first key, which stands for the group.
  const merged = [...mergedKeys(db)].map(([kindKey, group]) => [kindKey.slice(0, kindKey.indexOf(" ")), kindKey.slice(kindKey.indexOf(" ") + 1), group[0]!]);
  // The page's items as the viewer may read them, joined from the page's ids.
  const pageItems = (readable: Gated) => sql`json_each(${jsonParam(inputIds)}) page
    cross join ${threatInputs} on ${threatInputs.id} = page.value
    inner join ${threatInputVersions} on ${threatInputVersions.inputId} = ${threatInputs.id} and ${threatInputVersions.number} = ${threatInputs.currentVersion}
    inner join ${threatInputItems} on ${threatInputItems.versionId} = ${threatInputVersions.id} and ${readable}`;
  // Elsewhere: which organisations report each of the page's subjects, read from
  // reported_subjects (one row an organisation, whatever the number of its inputs), and, for the
  // TLP:RED items it leaves out, from the few such items the viewer reads. (Every list here is
  // the left side of a CROSS JOIN, which SQLite keeps as the outer loop: the look-ups then go by
  // index from the page's values.) The unions per input (how many other organisations in all)
  // are counted below, in memory, over a few thousand rows at most.
  const rows = db.all<SubjectRow>(sql`
    with merged(kind, key, subject) as materialized (select value ->> 0, value ->> 1, value ->> 2 from json_each(${jsonParam(merged)})),
    -- The page's names by their items (CROSS JOIN: by the kind alone, which the IN below offers,
    -- SQLite walked every actor and malware row of the database once per page input).
    mine(input_id, organisation_id, kind, a, b) as materialized (
      select ${threatInputs.id}, ${threatInputs.organisationId}, 'indicator', ${threatInputIndicators.type}, ${threatInputIndicators.value}
      from ${pageItems(itemReadableBy(viewer))} inner join ${threatInputIndicators} on ${threatInputIndicators.itemId} = ${threatInputItems.id}
      union
      select ${threatInputs.id}, ${threatInputs.organisationId}, ${threatInputItemEntities.kind}, ${threatInputItemEntities.kind}, coalesce(merged.subject, ${threatInputItemEntities.key})
      from ${pageItems(itemReadableBy(viewer))} cross join ${threatInputItemEntities} on ${threatInputItemEntities.itemId} = ${threatInputItems.id}
        left join merged on merged.kind = ${threatInputItemEntities.kind} and merged.key = ${threatInputItemEntities.key}
      where ${threatInputItemEntities.kind} in ('actor', 'malware')
    ),
    wanted_values(a, b) as materialized (select distinct a, b from mine where kind = 'indicator'),
    wanted(kind, key, subject) as materialized (
      select distinct kind, b, b from mine where kind <> 'indicator'
      union select merged.kind, merged.key, merged.subject from merged where (merged.kind, merged.subject) in (select kind, b from mine where kind <> 'indicator')
    ),
    others(kind, a, b, organisation_id) as (
      select 'indicator', ${reportedSubjects.type}, ${reportedSubjects.value}, ${reportedSubjects.organisationId}
      from wanted_values cross join ${reportedSubjects} on ${reportedSubjects.kind} = 'indicator' and ${reportedSubjects.type} = wanted_values.a and ${reportedSubjects.value} = wanted_values.b
      where ${reportedSubjects.items} > 0 and ${reportedSubjectsReadableBy(viewer)}
      union
      select wanted.kind, wanted.kind, wanted.subject, ${reportedSubjects.organisationId}
      from wanted cross join ${reportedSubjects} on ${reportedSubjects.kind} = wanted.kind and ${reportedSubjects.type} = '' and ${reportedSubjects.value} = wanted.key
      where ${reportedSubjects.items} > 0 and ${reportedSubjectsReadableBy(viewer)}
      union
      select 'indicator', source.type, source.value, ${threatInputs.organisationId}
      from ${threatInputItems}
        inner join ${threatInputVersions} on ${threatInputVersions.id} = ${threatInputItems.versionId}
        inner join ${threatInputs} on ${threatInputs.id} = ${threatInputVersions.inputId} and ${current}
        inner join ${threatInputIndicators} source on source.item_id = ${threatInputItems.id}
      where ${redItemsReadableBy(viewer)} and (source.type, source.value) in (select a, b from wanted_values)
      union
      select wanted.kind, wanted.kind, wanted.subject, ${threatInputs.organisationId}
      from ${threatInputItems}
        inner join ${threatInputVersions} on ${threatInputVersions.id} = ${threatInputItems.versionId}
        inner join ${threatInputs} on ${threatInputs.id} = ${threatInputVersions.inputId} and ${current}
        inner join ${threatInputItemEntities} source on source.item_id = ${threatInputItems.id}
        inner join wanted on wanted.kind = source.kind and wanted.key = source.key
      where ${redItemsReadableBy(viewer)}
    )
    select 'mine' as side, input_id as inputId, organisation_id as organisationId, kind, a, b from mine
    union all
    select 'other', null, organisation_id, kind, a, b from others`);
  return corroborationFrom(rows);
}

type SubjectKind = "indicator" | "actor" | "malware";
type SubjectOf = { organisationId: number; kind: SubjectKind; a: string; b: string };
/** A subject of a page input ('mine'), or an organisation that reports it ('other'). */
type SubjectRow = (SubjectOf & { side: "mine"; inputId: number }) | (SubjectOf & { side: "other"; inputId: null });
type Candidate = { kind: SubjectKind; value: string; organisations: number };

/** SQLite's BINARY order of two strings (their UTF-8 bytes), which the top subject's tie-break followed. */
const binaryOrder = (x: string, y: string) => Buffer.compare(Buffer.from(x, "utf8"), Buffer.from(y, "utf8"));

/** The order of the first value to look up: most other organisations, then indicators, then by value. */
function ranksBefore(candidate: Candidate, top: Candidate): boolean {
  if (candidate.organisations !== top.organisations) return candidate.organisations > top.organisations;
  if ((candidate.kind === "indicator") !== (top.kind === "indicator")) return candidate.kind === "indicator";
  return binaryOrder(candidate.value, top.value) < 0;
}

/**
 * Per input of the page: its subjects, those another organisation reports too, how many other
 * organisations and inputs report any of them, and the subject most other organisations report.
 */
function corroborationFrom(rows: SubjectRow[]): Record<number, InputCorroboration> {
  const subject = (row: SubjectRow) => `${row.kind}\u0000${row.a}\u0000${row.b}`;
  const elsewhere = new Map<string, Set<number>>();
  for (const row of rows) {
    if (row.side !== "other") continue;
    const organisations = elsewhere.get(subject(row));
    if (organisations) organisations.add(row.organisationId);
    else elsewhere.set(subject(row), new Set([row.organisationId]));
  }
  type Tally = {
    of: Record<SubjectKind, number>;
    reported: Record<SubjectKind, number>;
    organisations: Set<number>;
    top: Candidate | null;
  };
  const tallies = new Map<number, Tally>();
  for (const row of rows) {
    if (row.side !== "mine") continue;
    let tally = tallies.get(row.inputId);
    if (!tally) {
      tally = { of: { indicator: 0, actor: 0, malware: 0 }, reported: { indicator: 0, actor: 0, malware: 0 }, organisations: new Set(), top: null };
      tallies.set(row.inputId, tally);
    }
    tally.of[row.kind] += 1;
    const organisations = new Set<number>();
    for (const organisationId of elsewhere.get(subject(row)) ?? []) {
      if (organisationId === row.organisationId) continue;
      organisations.add(organisationId);
      tally.organisations.add(organisationId);
    }
    if (organisations.size === 0) continue;
    tally.reported[row.kind] += 1;
    const candidate = { kind: row.kind, value: row.b, organisations: organisations.size };
    if (!tally.top || ranksBefore(candidate, tally.top)) tally.top = candidate;
  }
  return Object.fromEntries(
    [...tallies].map(([inputId, tally]) => {
      const top = tally.top;
      const label = top === null ? null : top.kind === "indicator" ? top.value : (referenceName(top.kind, top.value) ?? top.value);
      return [
        inputId,
        {
          indicators: { reported: tally.reported.indicator, of: tally.of.indicator },
          actors: { reported: tally.reported.actor, of: tally.of.actor },
          malware: { reported: tally.reported.malware, of: tally.of.malware },
          organisations: tally.organisations.size,
          top: label === null || top === null ? null : { label, search: searchLink(label), organisations: top.organisations },
        },
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The edition: what beyond its input reports its actors, malware and targets

export type Beyond = Reported & { search: string };

/**
 * For the names an edition's page shows, as the assessment resolved them (each entity with every
 * name it merged into it, each target by its name): how many organisations report it in how many
 * inputs beyond the edition's, counting only what the viewer may read. `itemIds` are the items the
 * page draws on; their inputs are the edition's. A network is looked up among actor names (the
 * ranking files networks and actors together). The merges, then one statement for the page.
 */
export function reportedBeyondEdition(
  db: DbOrTx,
  viewer: Viewer,
  page: {
    entities: { kind: "actor" | "malware"; name: string; aliases: string[] }[];
    targets: { id: number; kind: "actor" | "network"; name: string }[];
    itemIds: number[];
  },
): { entities: Record<string, Beyond>; targets: Record<number, Beyond> } {
  const entitySubject = (entity: (typeof page.entities)[number]): Subject => ({
    kind: entity.kind,
    key: resolvedKey(entity.kind, entity.name),
    also: entity.aliases.map((alias) => resolvedKey(entity.kind, alias)),
  });
  // A target named as a ranked entity (or one of its names) is that entity.
  const byName = new Map(page.entities.filter((entity) => entity.kind === "actor").flatMap((entity) => [entity.name, ...entity.aliases].map((name) => [resolvedKey("actor", name), entity])));
  const targetSubject = (target: (typeof page.targets)[number]): Subject => {
    const entity = byName.get(resolvedKey("actor", target.name));
    return entity ? entitySubject(entity) : { kind: "actor", key: resolvedKey("actor", target.name) };
  };
  const found = correlate(db, viewer, [...page.entities.map(entitySubject), ...page.targets.map(targetSubject)], { itemIds: page.itemIds });
  const beyond = (subject: Subject, name: string): Beyond[] => {
    const reported = found.get(subjectKey(subject));
    return reported ? [{ ...reported, search: searchLink(name) }] : [];
  };
  return {
    entities: Object.fromEntries(page.entities.flatMap((entity) => beyond(entitySubject(entity), entity.name).map((entry) => [`${entity.kind} ${entity.name}`, entry]))),
    targets: Object.fromEntries(page.targets.flatMap((target) => beyond(targetSubject(target), target.name).map((entry) => [target.id, entry]))),
  };
}
