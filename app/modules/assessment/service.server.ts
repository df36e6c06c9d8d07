import { containing, decodeCursor, encodeCursor } from "~/lib/keyset.server";
import { and, asc, count, desc, eq, gt, inArray, lt, ne, notInArray, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import {
  assessmentEditionConsultations,
  assessmentEditionFigures,
  assessmentEditionItems,
  assessmentEditionReaderFigures,
  assessmentEditions,
  assessmentOverrides,
  consultations,
  editionStixObjects,
  CRIME_AREAS,
  entityMerges,
  FIGURE_AUDIENCES,
  organisations,
  targetEvidence,
  targetProposals,
  threatInputIndicators,
  threatInputItems,
  threatInputs,
  threatInputVersions,
  users,
  type CrimeArea,
  type FigureAudience,
  type Tlp,
} from "../../../db/schema";
import { csvDocument } from "~/lib/csv";
import { amongIds, type Db, type DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import type { Actor } from "../accounts/service.server";
import {
  beyondViewer,
  disclosedSource,
  MEMBER_AGENCIES,
  indicatorReadableBy,
  isAnalyst,
  itemHiddenFrom,
  isTaskforceStaff,
  itemDisclosure,
  itemReadableBy,
  itemReadableFlag,
  type Gated,
  type Viewer,
} from "../access/gate.server";
import { nameMatcher, type NameMatcher } from "../access/sources";
import { recordAudit } from "../audit/audit.server";
import { organisationNames } from "../organisations/service.server";
import { auditSensitiveView, sourceLabel, strictestMark } from "../threat-input/service.server";
import type { EditionInput, ItemsFilter, MergeInput, ProposalInput } from "./schema";
import { entityKey, referenceName } from "../reference/names";
import { applyOverrides, buildResolver, hasFigures, nameKey, rankEntities, scoreAreas, type ReferenceNames } from "./scoring";
import { buildStixBundle, contentHashOf, dateObjects, type ObjectVersion, type StixBundle } from "./stix.server";
import type { AreaOverride, AreaResult, AreaShown, AssessedItem, NameResolver, RankedEntity } from "./types";

export type Edition = typeof assessmentEditions.$inferSelect;
type Merge = { kind: "actor" | "malware"; from: string; into: string };
/** What a published edition keeps beside its items: the merges in force when it was published. */
type Snapshot = { merges: Merge[] };

/** Stakeholders learn nothing of the assessment, not even that an edition exists. */
function assertReader(viewer: Viewer) {
  if (!isTaskforceStaff(viewer)) throw new AppError("not_found", "There is no such page.");
}

function assertAnalyst(viewer: Viewer) {
  assertReader(viewer);
  if (!isAnalyst(viewer)) throw new AppError("forbidden", "Only the taskforce's analysts work on the assessment.");
}

function getEdition(db: DbOrTx, id: number): Edition {
  const edition = db.select().from(assessmentEditions).where(eq(assessmentEditions.id, id)).get();
  if (!edition) throw new AppError("not_found", "There is no such edition.");
  return edition;
}

function assertDraft(edition: Edition) {
  if (edition.status === "published") throw new AppError("conflict", "This edition is published: its figures are frozen.");
}

// ---------------------------------------------------------------------------------------------
// Editions

export function createEdition(db: Db, viewer: Viewer, input: EditionInput, actor: Actor, now = new Date()): number {
  assertAnalyst(viewer);
  return db.transaction((tx) => {
    const found = tx
      .select({ id: consultations.id })
      .from(consultations)
      .where(and(inArray(consultations.id, input.consultationIds), ne(consultations.status, "draft")))
      .all();
    if (found.length !== new Set(input.consultationIds).size) {
      throw new AppError("invalid", "Choose open or closed consultations from the list.", "consultationIds");
    }
    assertNoWithheldSource(tx, null, [{ field: "title", text: input.title }]);
    const { id } = tx
      .insert(assessmentEditions)
      .values({ title: input.title, periodFrom: input.periodFrom, periodTo: input.periodTo, createdByUserId: viewer.id, createdAt: now })
      .returning({ id: assessmentEditions.id })
      .get();
    for (const consultationId of new Set(input.consultationIds)) {
      tx.insert(assessmentEditionConsultations).values({ editionId: id, consultationId }).run();
    }
    recordAudit(tx, { action: "assessment.created", actorUserId: viewer.id, targetType: "assessment", targetId: id, origin: actor.origin, at: now });
    return id;
  });
}

/** How many consultations the new edition's form offers beside those already chosen. */
export const EDITION_CHOICES_SHOWN = 25;

/**
 * The consultations a new edition can draw on (opened ones), bounded whatever their number:
 * those already chosen, and up to EDITION_CHOICES_SHOWN more, newest first (those whose title
 * holds the words looked for, or the latest), with how many more match.
 */
export function editionChoices(db: DbOrTx, viewer: Viewer, query: { consultationIds: number[]; findConsultations?: string }) {
  assertAnalyst(viewer);
  const chosen = amongIds(consultations.id, query.consultationIds);
  const matching = and(
    ne(consultations.status, "draft"),
    query.findConsultations ? containing(consultations.title, query.findConsultations) : undefined,
    sql`not ${chosen}`,
  );
  const columns = { id: consultations.id, title: consultations.title, status: consultations.status, createdAt: consultations.createdAt };
  const found = db.select(columns).from(consultations).where(matching).orderBy(desc(consultations.createdAt), desc(consultations.id)).limit(EDITION_CHOICES_SHOWN).all();
  const offered = [...db.select(columns).from(consultations).where(and(ne(consultations.status, "draft"), chosen)).all(), ...found];
  return {
    consultations: offered
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
      .map(({ createdAt: _created, ...consultation }) => consultation),
    /** Opened consultations matching the search that are not offered: to be found by title. */
    notShown: (db.select({ n: count() }).from(consultations).where(matching).get()?.n ?? 0) - found.length,
  };
}

export function listEditions(db: DbOrTx, viewer: Viewer) {
  assertReader(viewer);
  return db
    .select({
      id: assessmentEditions.id,
      title: assessmentEditions.title,
      periodFrom: assessmentEditions.periodFrom,
      periodTo: assessmentEditions.periodTo,
      status: assessmentEditions.status,
      publishedAt: assessmentEditions.publishedAt,
    })
    .from(assessmentEditions)
    .orderBy(desc(assessmentEditions.createdAt), desc(assessmentEditions.id))
    .all();
}

// ---------------------------------------------------------------------------------------------
// The items an edition draws on

/**
 * The grade an item counts with: in a published edition the one frozen with it, in a draft the
 * analyst's where they re-graded the item, else the submitter's.
 */
function gradesOf(edition: Edition) {
  return edition.status === "published"
    ? { sourceReliability: assessmentEditionItems.sourceReliability, informationCredibility: assessmentEditionItems.informationCredibility }
    : {
        sourceReliability: sql<AssessedItem["sourceReliability"]>`coalesce(${threatInputItems.gradedSourceReliability}, ${threatInputItems.sourceReliability})`,
        informationCredibility: sql<AssessedItem["informationCredibility"]>`coalesce(${threatInputItems.gradedInformationCredibility}, ${threatInputItems.informationCredibility})`,
      };
}

/**
 * The edition's items, as one query to which `where` adds a condition (the need-to-know gate's,
 * as a rule). A published edition's are those it froze; a draft's are the accepted input of its
 * consultations, current versions only, observed within its period.
 */
function basis<F extends Record<string, unknown>>(db: DbOrTx, edition: Edition, fields: F, where: Gated, also?: SQL) {
  const frozen = edition.status === "published";
  return db
    .select(fields as never)
    .from(threatInputItems)
    .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
    .innerJoin(threatInputs, eq(threatInputs.id, threatInputVersions.inputId))
    .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
    .innerJoin(
      frozen ? assessmentEditionItems : assessmentEditionConsultations,
      frozen
        ? and(eq(assessmentEditionItems.itemId, threatInputItems.id), eq(assessmentEditionItems.editionId, edition.id))
        : and(
            eq(assessmentEditionConsultations.consultationId, threatInputs.consultationId),
            eq(assessmentEditionConsultations.editionId, edition.id),
          ),
    )
    .where(
      and(
        where,
        also,
        frozen
          ? undefined
          : and(
              eq(threatInputs.currentVersion, threatInputVersions.number),
              eq(threatInputs.status, "submitted"),
              eq(threatInputs.triageState, "accepted"),
              sql`${threatInputItems.observedFrom} <= ${edition.periodTo}`,
              or(sql`${threatInputItems.observedTo} IS NULL`, sql`${threatInputItems.observedTo} >= ${edition.periodFrom}`),
            ),
      ),
    )
    .$dynamic();
}

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

/** The items of a list of ids, however long (one JSON parameter). */
const amongItems = (ids: number[]) => amongIds(threatInputItems.id, ids);

/** On a warning list and not cleared by an analyst: kept, but never exported. */
const LISTED = sql`(${threatInputIndicators.warnings} is not null and ${threatInputIndicators.clearedAt} is null)`;

/**
 * The columns of an item that its assessment reads (AssessedItem); the grades come from gradesOf.
 * Not its narrative, recommended actions or grading note: no figure reads them and no export
 * carries them, and over an edition of 100,000 items they would be most of what is read.
 */
const ASSESSED_COLUMNS = {
  id: threatInputItems.id,
  attribution: threatInputItems.attribution,
  crimeArea: threatInputItems.crimeArea,
  title: threatInputItems.title,
  trend: threatInputItems.trend,
  impact: threatInputItems.impact,
  likelihood: threatInputItems.likelihood,
  tlp: threatInputItems.tlp,
  shareOnward: threatInputItems.shareOnward,
  observedFrom: threatInputItems.observedFrom,
  observedTo: threatInputItems.observedTo,
  sectors: threatInputItems.sectors,
  countries: threatInputItems.countries,
  actors: threatInputItems.actors,
  malware: threatInputItems.malware,
  techniques: threatInputItems.techniques,
};

/** An edition's item as a page shows it: its source in the words the gate allows. */
type EditionItem = AssessedItem & { source: string; disclosure: "named" | "sector_country" | "anonymous" };

/**
 * The edition's items that this viewer may read (of a selection), with their indicators: what
 * every figure is built from. Outside the page, values on a warning list leave only once an
 * analyst has cleared them.
 */
function readableItems(db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection = "page", only?: SQL): EditionItem[] {
  const source = disclosedSource(itemDisclosure(viewer, "edition"));
  const rows = basis(
    db,
    edition,
    {
      item: ASSESSED_COLUMNS,
      grades: gradesOf(edition),
      inputId: threatInputs.id,
      organisationId: organisations.id,
      organisationCountry: organisations.country,
      source,
    },
    itemReadableBy(viewer),
    and(SELECTIONS[selection], only),
  ).all() as {
    item: Pick<typeof threatInputItems.$inferSelect, keyof typeof ASSESSED_COLUMNS>;
    grades: Pick<AssessedItem, "sourceReliability" | "informationCredibility">;
    inputId: number;
    organisationId: number;
    organisationCountry: string;
    source: { disclosure: EditionItem["disclosure"]; name: string | null; sector: string | null; country: string | null };
  }[];
  const ids = basis(db, edition, { id: threatInputItems.id }, itemReadableBy(viewer), and(SELECTIONS[selection], only));
  const indicators = new Map<number, { type: string; value: string; listed: boolean }[]>();
  const found = db
    .select({
      id: threatInputIndicators.id,
      itemId: threatInputIndicators.itemId,
      type: threatInputIndicators.type,
      value: threatInputIndicators.value,
      listed: sql<number>`${LISTED}`,
    })
    .from(threatInputIndicators)
    .where(
      and(
        inArray(threatInputIndicators.itemId, ids),
        indicatorReadableBy(viewer),
        selection === "page" ? undefined : sql`not ${LISTED}`,
      ),
    )
    .all();
  // In the order of their ids, sorted here: in SQL the edition's rows come in join order, and an
  // ORDER BY would sort them through a temporary B-tree (tests/unit/query-plans.test.ts).
  for (const row of found.sort(byId)) {
    if (!indicators.has(row.itemId)) indicators.set(row.itemId, []);
    indicators.get(row.itemId)!.push({ type: row.type, value: row.value, listed: row.listed === 1 });
  }
  return rows.sort((a, b) => a.item.id - b.item.id).map(({ item, grades, source: shown, ...row }) => ({
    id: item.id,
    inputId: row.inputId,
    organisationId: row.organisationId,
    organisationCountry: row.organisationCountry,
    attribution: item.attribution,
    crimeArea: item.crimeArea,
    title: item.title,
    trend: item.trend,
    impact: item.impact,
    likelihood: item.likelihood,
    sourceReliability: grades.sourceReliability,
    informationCredibility: grades.informationCredibility,
    tlp: item.tlp,
    shareOnward: item.shareOnward,
    observedFrom: item.observedFrom,
    observedTo: item.observedTo,
    sectors: item.sectors,
    countries: item.countries,
    actors: item.actors,
    malware: item.malware,
    techniques: item.techniques,
    indicators: indicators.get(item.id) ?? [],
    source: sourceLabel(shown),
    disclosure: shown.disclosure,
  }));
}

/** How many items the edition draws on, and how many of them this viewer may read. */
function itemCounts(db: DbOrTx, viewer: Viewer, edition: Edition) {
  const row = basis(
    db,
    edition,
    { total: count(), readable: sql<number>`coalesce(sum(${itemReadableFlag(viewer)}), 0)` },
    beyondViewer("counting what is left out, never showing it"),
  ).get() as unknown as { total: number; readable: number };
  return { total: row.total, hidden: row.total - row.readable };
}

/**
 * The organisations whose items in the edition are not to be named (anonymous, or by sector and
 * country only), whoever may read those items: free text written on the edition may not name
 * them. A new edition (null) has no items yet.
 */
function withheldOrganisationIds(db: DbOrTx, edition: Edition | null): number[] {
  if (!edition) return [];
  return organisationsBehind(
    db,
    basis(db, edition, { id: organisations.id }, beyondViewer("checking free text against every withheld source"), ne(threatInputItems.attribution, "named")),
  );
}

/**
 * The organisations behind a set of the edition's items, each once: read from the (few)
 * organisations, so that the items are not grouped through a temporary B-tree.
 */
function organisationsBehind(db: DbOrTx, items: ReturnType<typeof basis>): number[] {
  return db
    .select({ id: organisations.id })
    .from(organisations)
    .where(inArray(organisations.id, items))
    .all()
    .map((row) => row.id);
}

/** Finds every name and alias of the edition's withheld sources. */
const withheldSources = (db: DbOrTx, edition: Edition | null): NameMatcher =>
  nameMatcher(organisationNames(db, withheldOrganisationIds(db, edition)));

/**
 * Refuses free text that names an organisation whose items in the edition are anonymous or
 * attributed by sector and country only, quoting the words at the field.
 */
function assertNoWithheldSource(db: DbOrTx, edition: Edition | null, texts: { field: string; text: string | undefined }[]) {
  const matcher = withheldSources(db, edition);
  for (const { field, text } of texts) {
    const found = text ? [...new Set(matcher.find(text))] : [];
    if (found.length > 0) {
      throw new AppError(
        "invalid",
        `This names an organisation that asked not to be named as a source: ${found.map((words) => `“${words}”`).join(", ")}. Describe it without its name.`,
        field,
      );
    }
  }
}

function currentMerges(db: DbOrTx): Merge[] {
  return db
    .select({ kind: entityMerges.kind, from: entityMerges.fromName, into: entityMerges.intoName })
    .from(entityMerges)
    .orderBy(asc(entityMerges.at), asc(entityMerges.id))
    .all();
}

/** A published edition's merges as they stood when it was published, or a draft's current ones. */
function mergesOf(db: DbOrTx, edition: Edition): Merge[] {
  if (edition.status === "published") return (edition.snapshot as Snapshot | null)?.merges ?? [];
  return currentMerges(db);
}

function overridesOf(db: DbOrTx, editionId: number): AreaOverride[] {
  return db
    .select({
      crimeArea: assessmentOverrides.crimeArea,
      score: assessmentOverrides.score,
      trend: assessmentOverrides.trend,
      reason: assessmentOverrides.reason,
      byName: users.name,
      at: assessmentOverrides.at,
    })
    .from(assessmentOverrides)
    .leftJoin(users, eq(users.id, assessmentOverrides.byUserId))
    .where(eq(assessmentOverrides.editionId, editionId))
    .all()
    .map((row) => ({ ...row, byName: row.byName ?? "a former analyst" }));
}

/** The editions published before this one, oldest first. */
function publishedBefore(db: DbOrTx, edition: Edition): Edition[] {
  return db
    .select()
    .from(assessmentEditions)
    .where(
      and(
        eq(assessmentEditions.status, "published"),
        ne(assessmentEditions.id, edition.id),
        edition.publishedAt ? lt(assessmentEditions.publishedAt, edition.publishedAt) : undefined,
      ),
    )
    .orderBy(asc(assessmentEditions.publishedAt), asc(assessmentEditions.id))
    .all();
}

type Figures = { items: EditionItem[]; resolve: NameResolver; areas: AreaResult[] };
/** The items a set of figures is computed from, and the selection they were read with. */
type Basis = { items: EditionItem[]; selection: Selection };
type Scores = Map<CrimeArea, number>;

/** Every actor, alias and malware name an item gives, as names compare. */
const namesOf = (item: Pick<AssessedItem, "actors" | "malware">) => [
  ...item.actors.flatMap((actor) => [actor.name, ...actor.aliases]),
  ...item.malware,
].map(nameKey);

/**
 * How names resolve for a set of the edition's items: the analysts' merges, but for those that
 * touch a name only items outside the set give (a TLP:RED actor's, say). Merged into or from, such
 * a name would otherwise name an entity or be listed among its aliases for readers of the set.
 */
function resolverFor(db: DbOrTx, viewer: Viewer, edition: Edition, { items, selection }: { items: Pick<AssessedItem, "actors" | "malware">[]; selection: Selection }): NameResolver {
  const names = { actors: threatInputItems.actors, malware: threatInputItems.malware };
  const left = SELECTIONS[selection];
  const outside = [
    ...basis(db, edition, names, itemHiddenFrom(viewer)).all(),
    ...(left ? basis(db, edition, names, itemReadableBy(viewer), sql`not ${left}`).all() : []),
  ] as Pick<AssessedItem, "actors" | "malware">[];
  const inside = new Set(items.flatMap(namesOf));
  const hidden = new Set(outside.flatMap(namesOf).filter((key) => !inside.has(key)));
  const merges = mergesOf(db, edition).filter((merge) => !hidden.has(nameKey(merge.from)) && !hidden.has(nameKey(merge.into)));
  return buildResolver(items, merges, REFERENCE_NAMES);
}

/** One name for one thing: the reference lists' names, and punctuation aside (docs/decisions/019). */
const REFERENCE_NAMES: ReferenceNames = { name: referenceName, key: entityKey };

/**
 * The figures of an edition from a set of its items: computed, then the analysts' overrides,
 * then the change against the previous published edition's final scores.
 */
function figuresFrom(db: DbOrTx, viewer: Viewer, edition: Edition, set: Basis, previousScores: Scores): Figures {
  const resolve = resolverFor(db, viewer, edition, set);
  const computed = scoreAreas(set.items, resolve, CRIME_AREAS);
  return { items: set.items, resolve, areas: applyOverrides(computed, overridesOf(db, edition.id), previousScores) };
}

const finalScores = (figures: Pick<Figures, "areas">): Scores =>
  new Map(figures.areas.filter(hasFigures).map((area) => [area.crimeArea, area.finalScore]));

/** The crime areas an edition covers: those its consultations asked about. */
function editionScope(db: DbOrTx, editionId: number): Set<CrimeArea> {
  const rows = db
    .select({ crimeAreas: consultations.crimeAreas })
    .from(assessmentEditionConsultations)
    .innerJoin(consultations, eq(consultations.id, assessmentEditionConsultations.consultationId))
    .where(eq(assessmentEditionConsultations.editionId, editionId))
    .all();
  return new Set(rows.flatMap((row) => row.crimeAreas));
}

/**
 * The editions published before this one that a trend may compare it with, oldest first: those
 * covering at least one of its crime areas, each with the areas both cover. An edition over
 * unrelated consultations says nothing about this one's areas.
 */
function comparableBefore(db: DbOrTx, edition: Edition): { edition: Edition; shared: Set<CrimeArea> }[] {
  const scope = editionScope(db, edition.id);
  return publishedBefore(db, edition)
    .map((entry) => ({ edition: entry, shared: new Set([...editionScope(db, entry.id)].filter((area) => scope.has(area))) }))
    .filter((entry) => entry.shared.size > 0);
}

/**
 * The final scores of the comparable editions before this one, oldest first, each from the items
 * this viewer may read of it (and the selection's of those), for the areas both cover: the trend
 * is built from what the viewer may read, like every other figure. An area's previous score is
 * its score in the latest of them that covers it. Where the viewer reads what an audience's
 * frozen figures were computed from, those are read; otherwise each edition is computed anew.
 */
function timelineOf(db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection, frozenFor: FrozenFor | null) {
  const frozen = frozenFor ? frozenScoresBefore(db, edition, frozenFor) : new Map<number, Scores>();
  const earlier = comparableBefore(db, edition).map(({ edition: entry, shared }) => {
    const scores = frozen.get(entry.id) ?? finalScores(earlierFigures(db, viewer, entry, selection, frozenFor));
    return { edition: entry, shared, scores: new Map([...scores].filter(([area]) => shared.has(area))) };
  });
  const previousScores = new Map<CrimeArea, number>();
  for (const area of CRIME_AREAS) {
    const latest = earlier.findLast((entry) => entry.shared.has(area));
    const score = latest?.scores.get(area);
    if (score !== undefined) previousScores.set(area, score);
  }
  return { earlier, previousScores };
}

/**
 * An earlier published edition's figures where none are frozen for this viewer: a reader's own
 * page figures are computed as its page would compute them, and so frozen (decision 027), that a
 * draft's timeline does not compute the editions before it again at every view; otherwise those of
 * the selection, computed anew.
 */
function earlierFigures(db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection, frozenFor: FrozenFor | null): Pick<Figures, "areas"> {
  if (selection === "page" && frozenFor && "reader" in frozenFor) {
    const own = frozenForOf(db, viewer, edition, "page");
    return pageFigures(db, viewer, edition, own, timelineOf(db, viewer, edition, "page", own).previousScores);
  }
  return figuresFrom(db, viewer, edition, selected(db, viewer, edition, selection), new Map());
}

// ---------------------------------------------------------------------------------------------
// Selections and frozen figures (docs/decisions/021)

/**
 * Which of the items a viewer may read a set of figures is built from: all of them on the
 * edition's page; in a default export and the printable report those cleared for onward sharing
 * and not TLP:RED; in a named-recipient export TLP:RED too (only items naming the exporting
 * analyst, the only ones the gate lets them read). Values on a warning list leave only once an
 * analyst has cleared them.
 */
type Selection = "page" | "export" | "named";

/** Each selection's condition on the items the viewer may read (none: all of them). */
const SELECTIONS: Record<Selection, SQL | undefined> = {
  page: undefined,
  export: sql`(${threatInputItems.shareOnward} = 1 and ${threatInputItems.tlp} <> 'TLP:RED')`,
  named: sql`${threatInputItems.shareOnward} = 1`,
};

/** The items of a selection the viewer may read, with what figures are computed from them. */
const selected = (db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection): Basis => ({
  items: readableItems(db, viewer, edition, selection),
  selection,
});

/** The figures publishing freezes for each audience, and the selection each is computed with. */
const FROZEN_SELECTIONS: Record<FigureAudience, Selection> = { staff: "page", export: "export" };

/** Whose frozen figures: an audience's, or one reader's own (an analyst a TLP:RED item names). */
type FrozenFor = { audience: FigureAudience } | { reader: number };

/**
 * Whose frozen figures are exactly what this viewer would compute for a selection over an
 * edition and the editions before it, if any. A default export's items are the same for every
 * reader (no TLP:RED in it, and staff read every other item). On the page, a reader who reads no
 * TLP:RED item of the published editions up to this one reads what "staff" was computed from;
 * one who does (an analyst a RED item names) reads their own, frozen at their first view of it,
 * so that no reader sees figures over items they may not read, nor misses what they may. Until
 * then, and for the editions before it in a timeline, the figures are computed anew.
 */
function frozenForOf(db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection): FrozenFor | null {
  if (selection === "export") return { audience: "export" };
  if (selection === "named") return null;
  const red = db
    .select({ one: sql<number>`1` })
    .from(threatInputItems)
    .innerJoin(assessmentEditionItems, eq(assessmentEditionItems.itemId, threatInputItems.id))
    .innerJoin(assessmentEditions, eq(assessmentEditions.id, assessmentEditionItems.editionId))
    .where(
      and(
        eq(threatInputItems.tlp, "TLP:RED"),
        itemReadableBy(viewer),
        eq(assessmentEditions.status, "published"),
        edition.publishedAt ? sql`${assessmentEditions.publishedAt} <= ${edition.publishedAt.getTime()}` : undefined,
      ),
    )
    .limit(1)
    .get();
  return red ? { reader: viewer.id } : { audience: "staff" };
}

type FrozenFigures = { items: number; handlingMark: Tlp; areas: AreaResult[]; entities: RankedEntity[] };

/** A published edition's figures for an audience or a reader, as publishing froze them (null for a draft). */
function frozenFigures(db: DbOrTx, edition: Edition, frozenFor: FrozenFor | null): FrozenFigures | null {
  if (edition.status !== "published" || frozenFor === null) return null;
  const row =
    "reader" in frozenFor
      ? db
          .select()
          .from(assessmentEditionReaderFigures)
          .where(and(eq(assessmentEditionReaderFigures.editionId, edition.id), eq(assessmentEditionReaderFigures.readerUserId, frozenFor.reader)))
          .get()
      : db
          .select()
          .from(assessmentEditionFigures)
          .where(and(eq(assessmentEditionFigures.editionId, edition.id), eq(assessmentEditionFigures.audience, frozenFor.audience)))
          .get();
  if (!row) return null;
  // JSON keeps an override's date as text.
  const areas = (row.areas as AreaResult[]).map((area) =>
    area.override ? { ...area, override: { ...area.override, at: new Date(area.override.at) } } : area,
  );
  return { items: row.items, handlingMark: row.handlingMark, areas, entities: row.entities as RankedEntity[] };
}

/**
 * The final scores an audience's or a reader's frozen figures give the editions published before
 * this one, by edition, read from the frozen areas in SQL (an area counts with items or a score
 * set by hand).
 */
function frozenScoresBefore(db: DbOrTx, edition: Edition, frozenFor: FrozenFor): Map<number, Scores> {
  const editions = assessmentEditions;
  const [figures, whose] =
    "reader" in frozenFor
      ? [assessmentEditionReaderFigures, sql`${assessmentEditionReaderFigures.readerUserId} = ${frozenFor.reader}`]
      : [assessmentEditionFigures, sql`${assessmentEditionFigures.audience} = ${frozenFor.audience}`];
  // json_each is a table-valued function, which drizzle's builder cannot join: the query is written out.
  const rows = db.all<{ editionId: number; crimeArea: CrimeArea; finalScore: number }>(sql`
    select ${figures.editionId} as editionId, json_extract(area.value, '$.crimeArea') as crimeArea,
      json_extract(area.value, '$.finalScore') as finalScore
    from ${figures} inner join ${editions} on ${editions.id} = ${figures.editionId}, json_each(${figures.areas}) area
    where ${whose} and ${editions.status} = 'published' and ${editions.id} <> ${edition.id}
      ${edition.publishedAt ? sql`and ${editions.publishedAt} < ${edition.publishedAt.getTime()}` : sql``}
      and (json_extract(area.value, '$.items') > 0 or json_extract(area.value, '$.override') is not null)`);
  const scores = new Map<number, Scores>();
  for (const row of rows) {
    if (!scores.has(row.editionId)) scores.set(row.editionId, new Map());
    scores.get(row.editionId)!.set(row.crimeArea, row.finalScore);
  }
  return scores;
}

/**
 * An edition's figures for a viewer and a selection, computed from the items (and the change
 * against the timeline's previous scores, unless given): what frozen figures are made with.
 */
function computeFigures(db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection, previousScores?: Scores): Figures {
  const set = selected(db, viewer, edition, selection);
  const previous = previousScores ?? timelineOf(db, viewer, edition, selection, frozenForOf(db, viewer, edition, selection)).previousScores;
  return figuresFrom(db, viewer, edition, set, previous);
}

// ---------------------------------------------------------------------------------------------
// The edition page

/** How many corroborated names a crime area lists on a page; the rest are counted. */
const CORROBORATED_SHOWN = 12;

/** Free text on an edition as its readers may see it: no withheld source named. */
function redactedAreas(areas: AreaResult[], matcher: NameMatcher): AreaResult[] {
  return areas.map((area) => (area.override ? { ...area, override: { ...area.override, reason: matcher.redact(area.override.reason) } } : area));
}

/** The areas as a page shows them: redacted as exports are, counted where an export lists. */
function areasShown(areas: AreaResult[], matcher: NameMatcher): AreaShown[] {
  return redactedAreas(areas, matcher).map(({ itemIds: _ids, corroborated, ...area }) => ({
    ...area,
    corroborated: corroborated.slice(0, CORROBORATED_SHOWN).map((entity) => ({ kind: entity.kind, name: matcher.redact(entity.name), organisations: entity.organisations })),
    corroboratedTotal: corroborated.length,
  }));
}

function redactedEntities(entities: RankedEntity[], matcher: NameMatcher): RankedEntity[] {
  return entities.map((entity) => ({ ...entity, name: matcher.redact(entity.name), aliases: entity.aliases.map((alias) => matcher.redact(alias)) }));
}

/**
 * The figures of the edition's page for this viewer: those frozen for their audience where there
 * are some, else computed from the items they may read (with the items a draft's analyst may cite).
 */
function pageFigures(db: DbOrTx, viewer: Viewer, edition: Edition, frozenFor: FrozenFor | null, previousScores: Scores) {
  const frozen = frozenFigures(db, edition, frozenFor);
  if (frozen) return frozen;
  const figures = computeFigures(db, viewer, edition, "page", previousScores);
  const { items } = figures;
  const page = {
    items: items.length,
    handlingMark: strictestMark(items.map((item) => item.tlp)),
    areas: figures.areas,
    entities: rankEntities(items, figures.resolve),
  };
  // A reader's own figures of a published edition are frozen at their first view, not at
  // publication: every analyst a RED item names would otherwise be computed in the publishing
  // transaction (59 readers took a minute at 10,000 inputs). They are the same either way: a
  // published edition's items, grades and merges are frozen, and so is who reads a RED item.
  if (edition.status === "published" && frozenFor && "reader" in frozenFor) {
    db.insert(assessmentEditionReaderFigures)
      .values({ editionId: edition.id, readerUserId: frozenFor.reader, ...page })
      .onConflictDoNothing()
      .run();
  }
  return page;
}

export function viewEdition(db: DbOrTx, viewer: Viewer, id: number) {
  assertReader(viewer);
  const edition = getEdition(db, id);
  const frozenFor = frozenForOf(db, viewer, edition, "page");
  const { earlier, previousScores } = timelineOf(db, viewer, edition, "page", frozenFor);
  const editable = isAnalyst(viewer) && edition.status === "draft";
  const page = pageFigures(db, viewer, edition, frozenFor, previousScores);
  const counts = itemCounts(db, viewer, edition);
  const matcher = withheldSources(db, edition);
  const proposals = proposalsFor(db, viewer, edition, matcher);
  return {
    edition: {
      id: edition.id,
      title: edition.title,
      periodFrom: edition.periodFrom,
      periodTo: edition.periodTo,
      status: edition.status,
      publishedAt: edition.publishedAt,
    },
    // A few, sorted here rather than through a temporary B-tree over consultations.
    consultations: db
      .select({ id: consultations.id, title: consultations.title })
      .from(assessmentEditionConsultations)
      .innerJoin(consultations, eq(consultations.id, assessmentEditionConsultations.consultationId))
      .where(eq(assessmentEditionConsultations.editionId, id))
      .all()
      .sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : a.id - b.id)),
    previous: earlier.at(-1) ? { id: earlier.at(-1)!.edition.id, title: earlier.at(-1)!.edition.title } : null,
    areas: areasShown(page.areas, matcher),
    itemCount: page.items,
    /** Items of the edition this viewer may not read: left out of every figure here, and only counted. */
    hiddenItems: counts.hidden,
    /** The strictest mark among the items behind the figures: the page's own handling mark. */
    handlingMark: page.handlingMark,
    entities: redactedEntities(page.entities, matcher),
    proposals: proposals.shown,
    hiddenProposals: proposals.hidden,
    timeline: {
      editions: [...earlier.map((entry) => entry.edition), edition].map((entry) => ({ id: entry.id, title: entry.title })),
      series: CRIME_AREAS.map((area) => ({
        crimeArea: area,
        points: [...earlier.map((entry) => entry.scores), finalScores(page)].map((scores) => scores.get(area) ?? null),
      })),
    },
    canEdit: editable,
  };
}

type ProposalRow = {
  id: number;
  kind: "actor" | "network";
  name: string;
  rationale: string;
  state: "proposed" | "endorsed" | "declined";
  proposedAt: Date;
  decidedAt: Date | null;
  decisionNote: string | null;
  proposedByUserId: number | null;
  decidedByUserId: number | null;
  proposedBy: string | null;
  decidedBy: string | null;
  itemIds: number[];
  /** Whether every supporting item is among the items `within` keeps. */
  within: boolean;
};

const outsideEvidence = alias(targetEvidence, "outside_evidence");

/**
 * The edition's proposals, each with whether every item it rests on is among the edition's items
 * that a gate condition (and `also`) keeps: decided in SQL, without reading the items. Without
 * a condition, `within` is left true: for rules on the proposals alone (four eyes).
 */
function proposalsOf(db: DbOrTx, edition: Edition, where?: Gated, also?: SQL): ProposalRow[] {
  const editionId = edition.id;
  const kept = where ? basis(db, edition, { id: threatInputItems.id }, where, also) : null;
  const rows = db
    .select({
      id: targetProposals.id,
      kind: targetProposals.kind,
      name: targetProposals.name,
      rationale: targetProposals.rationale,
      state: targetProposals.state,
      proposedAt: targetProposals.proposedAt,
      decidedAt: targetProposals.decidedAt,
      decisionNote: targetProposals.decisionNote,
      proposedByUserId: targetProposals.proposedByUserId,
      decidedByUserId: targetProposals.decidedByUserId,
      proposedBy: sql<string | null>`(select name from users where id = ${targetProposals.proposedByUserId})`,
      decidedBy: sql<string | null>`(select name from users where id = ${targetProposals.decidedByUserId})`,
      within: kept
        ? sql<number>`not exists (select 1 from ${targetEvidence} ${sql.identifier("outside_evidence")} where ${outsideEvidence.proposalId} = ${targetProposals.id} and ${notInArray(outsideEvidence.itemId, kept)})`
        : sql<number>`1`,
    })
    .from(targetProposals)
    .where(eq(targetProposals.editionId, editionId))
    .orderBy(asc(targetProposals.proposedAt), asc(targetProposals.id))
    .all();
  const evidence = db
    .select({ proposalId: targetEvidence.proposalId, itemId: targetEvidence.itemId })
    .from(targetEvidence)
    .innerJoin(targetProposals, eq(targetProposals.id, targetEvidence.proposalId))
    .where(eq(targetProposals.editionId, editionId))
    .all();
  const byProposal = new Map<number, number[]>();
  for (const entry of evidence) {
    if (!byProposal.has(entry.proposalId)) byProposal.set(entry.proposalId, []);
    byProposal.get(entry.proposalId)!.push(entry.itemId);
  }
  return rows.map((row) => ({
    ...row,
    within: row.within === 1,
    itemIds: (byProposal.get(row.id) ?? []).sort((a, b) => a - b),
  }));
}

/**
 * The proposals a viewer may read: those whose every supporting item they may read (a target
 * resting on a TLP:RED item is as sensitive as the item), free text without a withheld source,
 * and whether the viewer may decide each (four eyes: never their own proposal).
 */
function proposalsFor(db: DbOrTx, viewer: Viewer, edition: Edition, matcher: NameMatcher) {
  const all = proposalsOf(db, edition, itemReadableBy(viewer));
  const shown = all
    .filter((proposal) => proposal.within)
    .map(({ proposedByUserId, decidedByUserId: _decider, within: _within, ...proposal }) => ({
      ...proposal,
      name: matcher.redact(proposal.name),
      rationale: matcher.redact(proposal.rationale),
      decisionNote: proposal.decisionNote === null ? null : matcher.redact(proposal.decisionNote),
      canDecide: proposal.state === "proposed" && proposedByUserId !== viewer.id,
    }));
  return { shown, hidden: all.length - shown.length };
}

/** How many items a page of "the items behind a figure" lists. */
export const ITEMS_PAGE_SIZE = 50;

/**
 * The items behind one figure of the edition: an area's, an actor's, a malware family's, an
 * indicator's or a target's, among the items this viewer may read. Sources are named only as
 * each item's attribution allows, for every reader. What the viewer may not read is neither
 * shown nor counted here, so the answer is the same whether or not hidden items match.
 */
export function itemsBehind(db: DbOrTx, viewer: Viewer, id: number, filter: ItemsFilter, actor: Actor, now = new Date()) {
  assertReader(viewer);
  const edition = getEdition(db, id);
  const [afterId] = (decodeCursor(filter.after, ["number"]) ?? [0]) as number[];
  const readable = itemReadableBy(viewer);
  // What SQL decides: the crime area, a value among the indicators the viewer reads, a
  // proposal's items (of which only those the viewer may read pass the gate).
  const evidence = filter.target ? (proposalsOf(db, edition, readable).find((proposal) => proposal.id === filter.target)?.itemIds ?? []) : null;
  const indicator = filter.indicator === undefined ? null : /^([^:]*):(.*)$/s.exec(filter.indicator);
  const decided = and(
    filter.area ? eq(threatInputItems.crimeArea, filter.area) : undefined,
    evidence ? amongItems(evidence) : undefined,
    filter.indicator === undefined
      ? undefined
      : indicator
        ? sql`exists (select 1 from ${threatInputIndicators} where ${threatInputIndicators.itemId} = ${threatInputItems.id}
            and ${threatInputIndicators.type} = ${indicator[1]} and ${threatInputIndicators.value} = ${indicator[2]} and ${indicatorReadableBy(viewer)})`
        : sql`0`,
  );
  let matching: { total: number; page: number[]; more: boolean };
  if (filter.actor || filter.malware) {
    // A name matches through the aliases the items give and the analysts' merges, which only all
    // the items' names tell: those are read (not the items' indicators, nor their text), with
    // whether SQL's part of the filter holds; the page's items are then read alone.
    const named = basis(
      db,
      edition,
      { id: threatInputItems.id, actors: threatInputItems.actors, malware: threatInputItems.malware, decided: decided ? sql<number>`(case when ${decided} then 1 else 0 end)` : sql<number>`1` },
      readable,
    ).all() as (Pick<AssessedItem, "id" | "actors" | "malware"> & { decided: number })[];
    const resolve = resolverFor(db, viewer, edition, { items: named, selection: "page" });
    const namedActor = filter.actor && resolve("actor", filter.actor);
    const malware = filter.malware && resolve("malware", filter.malware);
    const ids = named
      .filter(
        (item) =>
          item.decided === 1 &&
          (!namedActor || item.actors.some((one) => resolve("actor", one.name) === namedActor)) &&
          (!malware || item.malware.some((name) => resolve("malware", name) === malware)),
      )
      .map((item) => item.id)
      .sort((a, b) => a - b);
    const rest = ids.filter((itemId) => itemId > afterId!);
    matching = { total: ids.length, page: rest.slice(0, ITEMS_PAGE_SIZE), more: rest.length > ITEMS_PAGE_SIZE };
  } else {
    const total = (basis(db, edition, { n: count() }, readable, decided).get() as unknown as { n: number }).n;
    const page = (
      basis(db, edition, { id: threatInputItems.id }, readable, and(decided, gt(threatInputItems.id, afterId!)))
        .orderBy(asc(threatInputItems.id))
        .limit(ITEMS_PAGE_SIZE + 1)
        .all() as { id: number }[]
    ).map((row) => row.id);
    matching = { total, page: page.slice(0, ITEMS_PAGE_SIZE), more: page.length > ITEMS_PAGE_SIZE };
  }
  // A page of the matches in item order, after the cursor's item, read with all a page shows:
  // the page's work and HTML stay the same size however many items a figure rests on.
  const shown = matching.page.length
    ? readableItems(db, viewer, edition, "page", amongItems(matching.page))
    : [];
  auditSensitiveView(db, viewer, shown, { type: "assessment", id }, actor, now);
  const matcher = withheldSources(db, edition);
  return {
    edition: { id: edition.id, title: edition.title, status: edition.status },
    total: matching.total,
    next: matching.more ? encodeCursor([shown.at(-1)!.id]) : null,
    items: shown.map((item) => ({
      id: item.id,
      inputId: item.inputId,
      crimeArea: item.crimeArea,
      title: item.disclosure === "named" ? item.title : matcher.redact(item.title),
      source: item.source,
      impact: item.impact,
      likelihood: item.likelihood,
      sourceReliability: item.sourceReliability,
      informationCredibility: item.informationCredibility,
      trend: item.trend,
      tlp: item.tlp,
    })),
    /** The same for every drill-down of this edition: how many of its items the viewer may not read. */
    hiddenItems: itemCounts(db, viewer, edition).hidden,
    handlingMark: strictestMark(shown.map((item) => item.tlp)),
  };
}

// ---------------------------------------------------------------------------------------------
// What became of a stakeholder's input

/**
 * What the published editions made of one input of the viewer's organisation: for each edition
 * that used some of its items, those items, their crime areas, and each area's figures computed
 * from these items alone (with the grades frozen with the edition). Only the viewer's own items
 * are read (the gate's itemReadableBy: a stakeholder reads their organisation's): nothing of
 * another organisation, not even the edition's own figures, which rest on theirs.
 */
export function contributionsOf(db: DbOrTx, viewer: Viewer, inputId: number) {
  if (viewer.organisationId === null || isTaskforceStaff(viewer)) return [];
  const rows = db
    .select({
      editionId: assessmentEditions.id,
      editionTitle: assessmentEditions.title,
      publishedAt: assessmentEditions.publishedAt,
      item: ASSESSED_COLUMNS,
      sourceReliability: assessmentEditionItems.sourceReliability,
      informationCredibility: assessmentEditionItems.informationCredibility,
      organisationCountry: organisations.country,
    })
    .from(assessmentEditionItems)
    .innerJoin(assessmentEditions, and(eq(assessmentEditions.id, assessmentEditionItems.editionId), eq(assessmentEditions.status, "published")))
    .innerJoin(threatInputItems, eq(threatInputItems.id, assessmentEditionItems.itemId))
    .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
    .innerJoin(threatInputs, eq(threatInputs.id, threatInputVersions.inputId))
    .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
    .where(and(itemReadableBy(viewer), eq(threatInputs.id, inputId), eq(threatInputs.organisationId, viewer.organisationId)))
    .orderBy(desc(assessmentEditions.publishedAt), asc(threatInputItems.id))
    .all();
  const editions = new Map<number, { id: number; title: string; publishedAt: Date | null; items: AssessedItem[] }>();
  for (const row of rows) {
    if (!editions.has(row.editionId)) editions.set(row.editionId, { id: row.editionId, title: row.editionTitle, publishedAt: row.publishedAt, items: [] });
    editions.get(row.editionId)!.items.push({
      ...row.item,
      inputId,
      organisationId: viewer.organisationId,
      organisationCountry: row.organisationCountry,
      sourceReliability: row.sourceReliability,
      informationCredibility: row.informationCredibility,
      indicators: [],
    });
  }
  return [...editions.values()].map((edition) => {
    const areas = CRIME_AREAS.filter((area) => edition.items.some((item) => item.crimeArea === area));
    return {
      id: edition.id,
      title: edition.title,
      publishedAt: edition.publishedAt,
      items: edition.items.map((item) => ({ id: item.id, title: item.title, crimeArea: item.crimeArea })),
      areas: scoreAreas(edition.items, buildResolver(edition.items, []), areas),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Analysts' work on a draft

export function setOverride(
  db: Db,
  viewer: Viewer,
  id: number,
  input: { crimeArea: CrimeArea; score?: number; trend?: AreaOverride["trend"]; reason: string },
  actor: Actor,
  now = new Date(),
) {
  assertAnalyst(viewer);
  db.transaction((tx) => {
    const edition = getEdition(tx, id);
    assertDraft(edition);
    assertNoWithheldSource(tx, edition, [{ field: "reason", text: input.reason }]);
    const values = { score: input.score ?? null, trend: input.trend ?? null, reason: input.reason, byUserId: viewer.id, at: now };
    tx.insert(assessmentOverrides)
      .values({ editionId: id, crimeArea: input.crimeArea, ...values })
      .onConflictDoUpdate({ target: [assessmentOverrides.editionId, assessmentOverrides.crimeArea], set: values })
      .run();
    recordAudit(tx, {
      action: "assessment.overridden",
      actorUserId: viewer.id,
      targetType: "assessment",
      targetId: id,
      // No free text in the audit log: its readers (admins) may not read what an edition rests on.
      detail: { crimeArea: input.crimeArea, score: values.score, trend: values.trend },
      origin: actor.origin,
      at: now,
    });
  });
}

export function clearOverride(db: Db, viewer: Viewer, id: number, crimeArea: CrimeArea, actor: Actor, now = new Date()) {
  assertAnalyst(viewer);
  db.transaction((tx) => {
    assertDraft(getEdition(tx, id));
    const removed = tx
      .delete(assessmentOverrides)
      .where(and(eq(assessmentOverrides.editionId, id), eq(assessmentOverrides.crimeArea, crimeArea)))
      .run().changes;
    if (removed === 0) throw new AppError("conflict", `${CRIME_AREA_LABELS[crimeArea]} has no score set by hand.`);
    recordAudit(tx, {
      action: "assessment.override_cleared",
      actorUserId: viewer.id,
      targetType: "assessment",
      targetId: id,
      detail: { crimeArea },
      origin: actor.origin,
      at: now,
    });
  });
}

/** From now on `from` is read as `into`, in every draft edition (published ones keep their names). */
export function mergeNames(db: Db, viewer: Viewer, input: MergeInput, actor: Actor, now = new Date()) {
  assertAnalyst(viewer);
  db.transaction((tx) => {
    const merge = tx
      .insert(entityMerges)
      .values({ kind: input.kind, fromName: input.from, intoName: input.into, byUserId: viewer.id, at: now })
      .onConflictDoUpdate({
        target: [entityMerges.kind, sql`lower(${entityMerges.fromName})`],
        set: { fromName: input.from, intoName: input.into, byUserId: viewer.id, at: now },
      })
      .returning({ id: entityMerges.id })
      .get();
    recordAudit(tx, {
      action: "assessment.names_merged",
      actorUserId: viewer.id,
      // The names may be a TLP:RED item's: the log points at the merge, it does not repeat them.
      targetType: "entity_merge",
      targetId: merge.id,
      detail: { kind: input.kind },
      origin: actor.origin,
      at: now,
    });
  });
}

export function proposeTarget(db: Db, viewer: Viewer, id: number, input: ProposalInput, actor: Actor, now = new Date()): number {
  assertAnalyst(viewer);
  return db.transaction((tx) => {
    const edition = getEdition(tx, id);
    assertDraft(edition);
    // The chosen items among those of the edition the analyst may read, looked up by their ids
    // (one parameter, however many): not by reading every item of the edition.
    const chosen = [...new Set(input.itemIds)];
    const known = basis(tx, edition, { id: threatInputItems.id }, itemReadableBy(viewer), amongItems(chosen)).all();
    if (known.length !== chosen.length) {
      throw new AppError("invalid", "Choose supporting items from this edition.", "itemIds");
    }
    assertNoWithheldSource(tx, edition, [
      { field: "name", text: input.name },
      { field: "rationale", text: input.rationale },
    ]);
    const { id: proposalId } = tx
      .insert(targetProposals)
      .values({ editionId: id, kind: input.kind, name: input.name, rationale: input.rationale, proposedByUserId: viewer.id, proposedAt: now })
      .returning({ id: targetProposals.id })
      .get();
    for (const itemId of chosen) tx.insert(targetEvidence).values({ proposalId, itemId }).run();
    recordAudit(tx, {
      action: "assessment.target_proposed",
      actorUserId: viewer.id,
      targetType: "target",
      targetId: proposalId,
      detail: { editionId: id, kind: input.kind, items: input.itemIds.length },
      origin: actor.origin,
      at: now,
    });
    return proposalId;
  });
}

/**
 * A coordinator or an analyst endorses or declines a proposal, once, with four eyes: never the
 * person who proposed it, and only someone who may read every item it rests on.
 */
export function decideTarget(
  db: Db,
  viewer: Viewer,
  id: number,
  input: { proposalId: number; decision: "endorsed" | "declined"; note?: string },
  actor: Actor,
  now = new Date(),
) {
  assertReader(viewer);
  db.transaction((tx) => {
    const edition = getEdition(tx, id);
    const proposal = proposalsFor(tx, viewer, edition, nameMatcher([])).shown.find(
      (shown) => shown.id === input.proposalId,
    );
    if (!proposal) throw new AppError("not_found", "There is no such proposal.");
    if (proposal.state !== "proposed") throw new AppError("conflict", "This proposal has already been decided.");
    if (!proposal.canDecide) {
      throw new AppError("forbidden", "Four eyes: a proposal is endorsed or declined by someone other than the analyst who proposed it.");
    }
    assertNoWithheldSource(tx, edition, [{ field: "note", text: input.note }]);
    const decided = tx
      .update(targetProposals)
      .set({ state: input.decision, decidedByUserId: viewer.id, decidedAt: now, decisionNote: input.note ?? null })
      .where(and(eq(targetProposals.id, input.proposalId), eq(targetProposals.editionId, id), eq(targetProposals.state, "proposed")))
      .returning({ id: targetProposals.id })
      .get();
    if (!decided) throw new AppError("conflict", "This proposal has already been decided.");
    recordAudit(tx, {
      action: `assessment.target_${input.decision}`,
      actorUserId: viewer.id,
      targetType: "target",
      targetId: input.proposalId,
      detail: { editionId: id },
      origin: actor.origin,
      at: now,
    });
  });
}

/**
 * Publishing cannot be undone: it is confirmed on a page of its own, and a post that was not
 * confirmed there is refused (once the viewer is known to be an analyst, of a draft).
 */
export function assertPublishConfirmed(db: DbOrTx, viewer: Viewer, id: number, confirmed: boolean) {
  assertAnalyst(viewer);
  assertDraft(getEdition(db, id));
  if (!confirmed) throw new AppError("invalid", "Publishing freezes the edition for good: confirm it on the publishing page first.");
}

/** Freezes the edition: its items (as read now, with their grades), names and overrides stay as they are. */
export function publishEdition(db: Db, viewer: Viewer, id: number, actor: Actor & { appUrl?: string }, now = new Date()) {
  assertAnalyst(viewer);
  db.transaction((tx) => {
    const edition = getEdition(tx, id);
    assertDraft(edition);
    const selfEndorsed = proposalsOf(tx, edition).filter(
      (proposal) => proposal.state === "endorsed" && proposal.decidedByUserId === proposal.proposedByUserId,
    );
    if (selfEndorsed.length > 0) {
      throw new AppError(
        "conflict",
        `Four eyes: ${selfEndorsed.length === 1 ? "an endorsed target has" : `${selfEndorsed.length} endorsed targets have`} no endorser other than the analyst who proposed it. Have someone else decide before publishing.`,
      );
    }
    const frozen = basis(
      tx,
      edition,
      { editionId: sql<number>`${id}`, itemId: threatInputItems.id, ...gradesOf(edition) },
      beyondViewer("freezing every item the edition draws on"),
    );
    const items = tx.insert(assessmentEditionItems).select(frozen as never).run().changes;
    if (items === 0) {
      throw new AppError("conflict", "There is nothing to publish: no accepted input meets this edition's consultations and period.");
    }
    tx.update(assessmentEditions)
      .set({ status: "published", publishedAt: now, publishedByUserId: viewer.id, snapshot: { merges: currentMerges(tx) } satisfies Snapshot, updatedAt: now })
      .where(eq(assessmentEditions.id, id))
      .run();
    const published = getEdition(tx, id);
    freezeFigures(tx, published, actor.appUrl ?? "http://localhost");
    recordAudit(tx, {
      action: "assessment.published",
      actorUserId: viewer.id,
      targetType: "assessment",
      targetId: id,
      detail: { items },
      origin: actor.origin,
      at: now,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Exports

export type ExportRequest = { format: "stix" | "csv" | "print"; recipient?: string };

/**
 * What may leave the portal, from what the exporting person may read: items the organisation
 * let the taskforce share onward, and TLP:RED only in a named-recipient export (an analyst may
 * read a RED item only when it names them, so a RED item leaves only with the analysts it names).
 * The figures are computed anew from exactly those items, so nothing withheld shows through.
 */
function exportable(db: DbOrTx, viewer: Viewer, edition: Edition, request: ExportRequest) {
  const selection = exportSelection(request);
  const figures = computeFigures(db, viewer, edition, selection);
  return { ...figures, selection, left: leftOut(db, viewer, edition, request), names: exportNames(db, viewer, edition, selection) };
}

const exportSelection = (request: ExportRequest): Selection => (request.recipient === undefined ? "export" : "named");

/**
 * What free text in an export may not name: every organisation behind its items, and every
 * withheld source.
 */
function exportNames(db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection) {
  const behind = organisationsBehind(db, basis(db, edition, { id: organisations.id }, itemReadableBy(viewer), SELECTIONS[selection]));
  return [...organisationNames(db, behind), ...organisationNames(db, withheldOrganisationIds(db, edition))];
}

/** The targets that may leave with an export: every supporting item among those exported, and not declined. */
function exportedTargets(db: DbOrTx, viewer: Viewer, edition: Edition, selection: Selection, matcher: NameMatcher) {
  return proposalsOf(db, edition, itemReadableBy(viewer), SELECTIONS[selection])
    .filter((proposal) => proposal.within)
    .map((proposal) => ({
      id: proposal.id,
      kind: proposal.kind,
      name: matcher.redact(proposal.name),
      rationale: matcher.redact(proposal.rationale),
      state: proposal.state,
      itemIds: proposal.itemIds,
    }));
}

export type ExportFile = { filename: string; contentType: string; body: string; tlp: Tlp };

export function exportEdition(db: DbOrTx, viewer: Viewer, id: number, request: ExportRequest & { format: "stix" | "csv" }, actor: Actor & { appUrl: string }, now = new Date()): ExportFile {
  assertAnalyst(viewer);
  const edition = getEdition(db, id);
  if (edition.status !== "published") throw new AppError("conflict", "Only a published edition can be exported.");
  const figures = exportable(db, viewer, edition, request);
  const matcher = nameMatcher(figures.names);
  const tlp = strictestMark(figures.items.map((item) => item.tlp));
  const targets = exportedTargets(db, viewer, edition, figures.selection, matcher);
  const areas = redactedAreas(figures.areas, matcher);
  const slug = `taskforce-assessment-${edition.id}${request.recipient ? "-named-recipient" : ""}`;
  const file: ExportFile =
    request.format === "stix"
      ? {
          filename: `${slug}.stix.json`,
          contentType: "application/stix+json;version=2.1",
          // Compact: the bundle is read by machines, and indentation doubled its size.
          body: JSON.stringify(datedBundle(db, edition, stixBundleFrom(edition, figures, areas, targets, actor.appUrl))),
          tlp,
        }
      : { filename: `${slug}.csv`, contentType: "text/csv; charset=utf-8", body: editionCsv(areas, targets, tlp), tlp };
  recordAudit(db, {
    action: request.recipient ? "assessment.exported_named" : "assessment.exported",
    actorUserId: viewer.id,
    targetType: "assessment",
    targetId: id,
    detail: {
      format: request.format,
      recipient: request.recipient ?? null,
      items: figures.items.length,
      redItems: figures.items.filter((item) => item.tlp === "TLP:RED").length,
      left: figures.left,
      tlp,
    },
    origin: actor.origin,
    at: now,
  });
  return file;
}

function stixBundleFrom(
  edition: Edition,
  figures: Pick<ReturnType<typeof exportable>, "items" | "resolve" | "names">,
  areas: AreaResult[],
  targets: ReturnType<typeof exportedTargets>,
  portalUrl: string,
): StixBundle {
  return buildStixBundle({
    edition: { id: edition.id, title: edition.title, periodFrom: edition.periodFrom, periodTo: edition.periodTo, publishedAt: edition.publishedAt! },
    portalUrl,
    areas,
    items: figures.items,
    entities: rankEntities(figures.items, figures.resolve),
    resolve: figures.resolve,
    targets,
    withheldNames: figures.names,
  });
}

/** What the member agencies may receive of a published edition, as a STIX bundle: a default export read for them. */
function memberAgencyBundle(db: DbOrTx, edition: Edition, figures: Figures, portalUrl: string): StixBundle {
  const names = exportNames(db, MEMBER_AGENCIES, edition, "export");
  const matcher = nameMatcher(names);
  const targets = exportedTargets(db, MEMBER_AGENCIES, edition, "export", matcher);
  return stixBundleFrom(edition, { ...figures, names }, redactedAreas(figures.areas, matcher), targets, portalUrl);
}

/**
 * The versions the editions published up to this one let out of each object (latest last), as
 * frozen at their publication: what dates the objects of an export or a TAXII collection.
 */
function objectHistory(db: DbOrTx, edition: Edition, ids: string[]): Map<string, ObjectVersion> {
  const history = new Map<string, ObjectVersion>();
  for (let from = 0; from < ids.length; from += 500) {
    const rows = db
      .select({ stixId: editionStixObjects.stixId, created: editionStixObjects.created, modified: editionStixObjects.modified, contentHash: editionStixObjects.contentHash })
      .from(editionStixObjects)
      .innerJoin(assessmentEditions, eq(assessmentEditions.id, editionStixObjects.editionId))
      .where(
        and(
          inArray(editionStixObjects.stixId, ids.slice(from, from + 500)),
          sql`${assessmentEditions.publishedAt} <= ${edition.publishedAt!.getTime()}`,
        ),
      )
      .orderBy(asc(assessmentEditions.publishedAt), asc(assessmentEditions.id))
      .all();
    for (const row of rows) {
      const first = history.get(row.stixId);
      history.set(row.stixId, {
        created: (first?.created ?? row.created.toISOString()),
        modified: row.modified.toISOString(),
        contentHash: row.contentHash,
      });
    }
  }
  return history;
}

const datedBundle = (db: DbOrTx, edition: Edition, bundle: StixBundle): StixBundle =>
  dateObjects(bundle, objectHistory(db, edition, bundle.objects.map((object) => object.id)), edition.publishedAt!.toISOString());

/**
 * Freezes, at publication, the STIX objects the member agencies may receive of the edition,
 * dated against the editions published before it: what TAXII serves, unchanged ever after.
 */
function freezeStixObjects(tx: DbOrTx, edition: Edition, figures: Figures, portalUrl: string) {
  const bundle = datedBundle(tx, edition, memberAgencyBundle(tx, edition, figures, portalUrl));
  for (const object of bundle.objects) {
    const created = new Date(object.created);
    tx.insert(editionStixObjects)
      .values({
        editionId: edition.id,
        stixId: object.id,
        type: object.type,
        created,
        modified: "modified" in object ? new Date(object.modified) : created,
        contentHash: contentHashOf(object),
        object: object as unknown as Record<string, unknown>,
      })
      .run();
  }
}

/**
 * Freezes, at publication, the figures of each audience (docs/decisions/021), computed as their
 * readers' pages would compute them, and the member agencies' STIX objects from the default
 * export's: what the edition's pages, timeline and TAXII read ever after.
 */
function freezeFigures(tx: DbOrTx, edition: Edition, portalUrl: string) {
  for (const audience of FIGURE_AUDIENCES) {
    // The member agencies' reader reads as every audience's does: every item but TLP:RED.
    const figures = computeFigures(tx, MEMBER_AGENCIES, edition, FROZEN_SELECTIONS[audience]);
    tx.insert(assessmentEditionFigures)
      .values({
        editionId: edition.id,
        audience,
        items: figures.items.length,
        handlingMark: strictestMark(figures.items.map((item) => item.tlp)),
        areas: figures.areas,
        entities: rankEntities(figures.items, figures.resolve),
      })
      .run();
    if (audience === "export") freezeStixObjects(tx, edition, figures, portalUrl);
  }
}

/**
 * The STIX objects of a published edition for an audience of member agencies, as frozen when it
 * was published (the export rules: no TLP:RED, only what was cleared for onward sharing, no
 * warning-listed value, no organisation). Empty for an edition not published.
 */
export function stixObjectsForMemberAgencies(db: DbOrTx, editionId: number) {
  return db
    .select({ object: editionStixObjects.object, modified: editionStixObjects.modified })
    .from(editionStixObjects)
    .where(eq(editionStixObjects.editionId, editionId))
    .orderBy(asc(editionStixObjects.stixId))
    .all();
}

/** The printable report: the same rules as a default export, from what the reader may read. */
export function printableEdition(db: DbOrTx, viewer: Viewer, id: number) {
  assertReader(viewer);
  const edition = getEdition(db, id);
  const names = exportNames(db, viewer, edition, "export");
  const matcher = nameMatcher(names);
  const figures = reportFigures(db, viewer, edition);
  return {
    edition: { id: edition.id, title: edition.title, periodFrom: edition.periodFrom, periodTo: edition.periodTo, status: edition.status, publishedAt: edition.publishedAt },
    areas: areasShown(figures.areas, matcher),
    entities: redactedEntities(figures.entities.slice(0, 20), matcher),
    proposals: exportedTargets(db, viewer, edition, "export", matcher).filter((proposal) => proposal.state !== "declined"),
    left: leftOut(db, viewer, edition, { format: "print" }),
    handlingMark: figures.handlingMark,
  };
}

/** The default export's figures: as frozen for a published edition (the same for every reader), else computed. */
function reportFigures(db: DbOrTx, viewer: Viewer, edition: Edition): Omit<FrozenFigures, "items"> {
  const frozen = frozenFigures(db, edition, frozenForOf(db, viewer, edition, "export"));
  if (frozen) return frozen;
  const figures = computeFigures(db, viewer, edition, "export");
  return { areas: figures.areas, entities: rankEntities(figures.items, figures.resolve), handlingMark: strictestMark(figures.items.map((item) => item.tlp)) };
}

/** What an export leaves out, counted in SQL: never what the items say. */
function leftOut(db: DbOrTx, viewer: Viewer, edition: Edition, request: ExportRequest) {
  const counts = basis(
    db,
    edition,
    {
      notShareable: sql<number>`coalesce(sum(case when ${threatInputItems.shareOnward} = 0 then 1 else 0 end), 0)`,
      red: sql<number>`coalesce(sum(case when ${threatInputItems.shareOnward} = 1 and ${threatInputItems.tlp} = 'TLP:RED' then 1 else 0 end), 0)`,
    },
    itemReadableBy(viewer),
  ).get() as unknown as { notShareable: number; red: number };
  const exported = basis(db, edition, { id: threatInputItems.id }, itemReadableBy(viewer), SELECTIONS[exportSelection(request)]);
  const listed = db
    .select({ values: count() })
    .from(threatInputIndicators)
    .where(and(inArray(threatInputIndicators.itemId, exported), indicatorReadableBy(viewer), LISTED))
    .get()!;
  return {
    notShareable: counts.notShareable,
    /** Values on a warning list, not cleared by an analyst, of the items the export carries: left out of it. */
    listed: listed.values,
    /** TLP:RED items the person may read that this export leaves out (all of them but in a named-recipient export). */
    red: request.recipient === undefined ? counts.red : 0,
    /** Items the exporting person may not read (TLP:RED for other analysts): never exported. */
    unreadable: itemCounts(db, viewer, edition).hidden,
  };
}

/** What an analyst is told before exporting: what a default export leaves out. */
export function exportSummary(db: DbOrTx, viewer: Viewer, id: number) {
  assertAnalyst(viewer);
  const edition = getEdition(db, id);
  return { published: edition.status === "published", ...leftOut(db, viewer, edition, { format: "stix" }) };
}

const CSV_COLUMNS = [
  "record",
  "crime_area",
  "items",
  "organisations",
  "affected_countries",
  "impact",
  "likelihood",
  "final_impact",
  "final_likelihood",
  "likelihood_words",
  "band",
  "confidence",
  "computed_score",
  "final_score",
  "change",
  "trend",
  "override_reason",
  "target_kind",
  "target_name",
  "target_state",
  "rationale",
  "supporting_items",
  "tlp",
] as const;

function editionCsv(areas: AreaResult[], targets: ReturnType<typeof exportedTargets>, tlp: Tlp): string {
  const row = (values: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>) => CSV_COLUMNS.map((column) => values[column] ?? null);
  const lines: (string | number | null)[][] = [[...CSV_COLUMNS]];
  for (const area of areas) {
    lines.push(
      row({
        record: "crime_area",
        crime_area: CRIME_AREA_LABELS[area.crimeArea],
        items: area.items,
        organisations: area.organisations,
        affected_countries: area.affectedCountries,
        impact: area.impact,
        likelihood: area.likelihood,
        final_impact: area.final.impact,
        final_likelihood: area.final.likelihood,
        likelihood_words: area.final.likelihoodWords,
        band: area.final.band,
        confidence: area.confidence,
        computed_score: area.score,
        final_score: area.finalScore,
        change: area.change,
        trend: area.finalTrend,
        override_reason: area.override?.reason ?? null,
        tlp,
      }),
    );
  }
  for (const target of targets) {
    lines.push(
      row({
        record: "target",
        target_kind: target.kind,
        target_name: target.name,
        target_state: target.state,
        rationale: target.rationale,
        supporting_items: target.itemIds.length,
        tlp,
      }),
    );
  }
  return csvDocument(lines);
}

