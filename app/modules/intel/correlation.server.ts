import { and, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import {
  consultations,
  organisations,
  threatInputIndicators,
  threatInputItemEntities,
  threatInputItems,
  threatInputs,
  threatInputVersions,
  type CrimeArea,
  type ItemEntityKind,
  type Tlp,
} from "../../../db/schema";
import type { DbOrTx } from "~/lib/db.server";
import { disclosedSource, indicatorReadableBy, inputReadableBy, itemDisclosure, itemReadableBy, type Viewer } from "../access/gate.server";
import { TECHNIQUE_ID } from "../reference/attack";
import { resolvedKey } from "../reference/names";
import { detectIndicatorType, validateIndicator } from "../threat-input/indicators";
import { sourceLabel } from "../threat-input/service.server";

// Correlation and search (docs/decisions/019): what else the taskforce holds on an indicator, an
// actor, a malware family or a technique, among the inputs the viewer may read (the gate's
// conditions in every query), by index (threat_input_indicators_value_idx,
// threat_input_item_entities_key_idx), in a constant number of statements per page.

export type Subject = { kind: "indicator"; type: string; value: string } | { kind: ItemEntityKind; key: string };
export type Reported = { organisations: number; inputs: number };

export const subjectKey = (subject: Subject) =>
  subject.kind === "indicator" ? `indicator ${subject.type} ${subject.value}` : `${subject.kind} ${subject.key}`;

/** Only inputs as they stand: their current version, submitted, not withdrawn. */
const current = sql`${threatInputs.currentVersion} = ${threatInputVersions.number} and ${threatInputs.status} = 'submitted'`;

/**
 * How many other organisations, in how many inputs, report each subject, counting only what the
 * viewer may read, leaving out the organisation given (the one whose item is on the page). Two
 * statements, whatever the number of subjects.
 */
export function correlate(db: DbOrTx, viewer: Viewer, subjects: Subject[], exclude: { organisationId?: number } = {}): Map<string, Reported> {
  const found = new Map<string, Reported>();
  const indicators = subjects.filter((subject): subject is Extract<Subject, { kind: "indicator" }> => subject.kind === "indicator");
  const entities = subjects.filter((subject): subject is Extract<Subject, { kind: ItemEntityKind }> => subject.kind !== "indicator");
  const other = exclude.organisationId === undefined ? sql`1` : sql`${threatInputs.organisationId} <> ${exclude.organisationId}`;
  const values = (rows: SQL[]) => sql.join(rows, sql`, `);
  for (let from = 0; from < indicators.length; from += 400) {
    const chunk = indicators.slice(from, from + 400);
    const rows = db.all<{ type: string; value: string; organisations: number; inputs: number }>(sql`
      select ${threatInputIndicators.type} as type, ${threatInputIndicators.value} as value,
        count(distinct ${threatInputs.organisationId}) as organisations, count(distinct ${threatInputs.id}) as inputs
      from ${threatInputIndicators}
        inner join ${threatInputItems} on ${threatInputItems.id} = ${threatInputIndicators.itemId}
        inner join ${threatInputVersions} on ${threatInputVersions.id} = ${threatInputItems.versionId}
        inner join ${threatInputs} on ${threatInputs.id} = ${threatInputVersions.inputId}
      where (${threatInputIndicators.type}, ${threatInputIndicators.value}) in (values ${values(chunk.map((s) => sql`(${s.type}, ${s.value})`))})
        and ${current} and ${other} and ${indicatorReadableBy(viewer)}
      group by ${threatInputIndicators.type}, ${threatInputIndicators.value}`);
    for (const row of rows) found.set(subjectKey({ kind: "indicator", type: row.type, value: row.value }), row);
  }
  for (let from = 0; from < entities.length; from += 400) {
    const chunk = entities.slice(from, from + 400);
    const rows = db.all<{ kind: ItemEntityKind; key: string; organisations: number; inputs: number }>(sql`
      select ${threatInputItemEntities.kind} as kind, ${threatInputItemEntities.key} as key,
        count(distinct ${threatInputs.organisationId}) as organisations, count(distinct ${threatInputs.id}) as inputs
      from ${threatInputItemEntities}
        inner join ${threatInputItems} on ${threatInputItems.id} = ${threatInputItemEntities.itemId}
        inner join ${threatInputVersions} on ${threatInputVersions.id} = ${threatInputItems.versionId}
        inner join ${threatInputs} on ${threatInputs.id} = ${threatInputVersions.inputId}
      where (${threatInputItemEntities.kind}, ${threatInputItemEntities.key}) in (values ${values(chunk.map((s) => sql`(${s.kind}, ${s.key})`))})
        and ${current} and ${other} and ${itemReadableBy(viewer)}
      group by ${threatInputItemEntities.kind}, ${threatInputItemEntities.key}`);
    for (const row of rows) found.set(subjectKey({ kind: row.kind, key: row.key }), row);
  }
  return found;
}

/** The subjects an item names, as correlation looks them up. */
export function subjectsOf(item: { indicators: { type: string; value: string }[]; actors: { name: string; aliases: string[] }[]; malware: string[]; techniques: string[] }): Subject[] {
  return [
    ...item.indicators.map((indicator) => ({ kind: "indicator" as const, type: indicator.type, value: indicator.value })),
    ...item.actors.map((actor) => ({ kind: "actor" as const, key: resolvedKey("actor", actor.name) })),
    ...item.malware.map((name) => ({ kind: "malware" as const, key: resolvedKey("malware", name) })),
    ...item.techniques.map((id) => ({ kind: "technique" as const, key: id })),
  ];
}

// ---------------------------------------------------------------------------------------------
// Search

export type SearchQuery = {
  q: string;
  crimeArea?: CrimeArea;
  consultationId?: number;
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
        query.consultationId ? eq(threatInputs.consultationId, query.consultationId) : undefined,
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

export type ItemCorrelation = { label: string; search: string; organisations: number; inputs: number };

/**
 * For each item of an input shown to an analyst: what else the taskforce holds on what it names,
 * from other organisations (two statements for the whole page).
 */
export function correlationsForInput(
  db: DbOrTx,
  viewer: Viewer,
  inputId: number,
  items: { id: number; indicators: { type: string; value: string }[]; actors: { name: string; aliases: string[] }[]; malware: string[]; techniques: string[] }[],
): Record<number, ItemCorrelation[]> {
  const input = db.select({ organisationId: threatInputs.organisationId }).from(threatInputs).where(and(eq(threatInputs.id, inputId), inputReadableBy(viewer))).get();
  if (!input) return {};
  const named = items.map((item) => ({
    id: item.id,
    subjects: [
      ...item.indicators.map((indicator) => ({ subject: { kind: "indicator" as const, type: indicator.type, value: indicator.value }, label: indicator.value })),
      ...item.actors.map((actor) => ({ subject: { kind: "actor" as const, key: resolvedKey("actor", actor.name) }, label: actor.name })),
      ...item.malware.map((name) => ({ subject: { kind: "malware" as const, key: resolvedKey("malware", name) }, label: name })),
      ...item.techniques.map((id) => ({ subject: { kind: "technique" as const, key: id }, label: id })),
    ],
  }));
  const found = correlate(db, viewer, named.flatMap((item) => item.subjects.map((entry) => entry.subject)), { organisationId: input.organisationId });
  return Object.fromEntries(
    named.map((item) => [
      item.id,
      item.subjects.flatMap(({ subject, label }) => {
        const reported = found.get(subjectKey(subject));
        return reported ? [{ label, search: `/search?${new URLSearchParams({ q: label })}`, ...reported }] : [];
      }),
    ]),
  );
}
