import { and, asc, desc, eq, inArray, lt, ne, or, sql } from "drizzle-orm";
import {
  assessmentEditionConsultations,
  assessmentEditions,
  assessmentOverrides,
  consultations,
  CRIME_AREAS,
  entityMerges,
  organisations,
  targetEvidence,
  targetProposals,
  threatInputItems,
  threatInputs,
  threatInputVersions,
  users,
  type CrimeArea,
  type Tlp,
} from "../../../db/schema";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import type { Account, Actor } from "../accounts/service.server";
import { recordAudit } from "../audit/audit.server";
import { isTaskforceStaff } from "../consultations/service.server";
import { attributedSource, indicatorsOf, readableItems, strictestMark } from "../threat-input/service.server";
import type { EditionInput, ItemsFilter, MergeInput, ProposalInput } from "./schema";
import { applyOverrides, buildResolver, hasFigures, rankEntities, scoreAreas } from "./scoring";
import { buildStixBundle } from "./stix.server";
import type { AreaOverride, AreaResult, AssessedItem, NameResolver } from "./types";

export type Edition = typeof assessmentEditions.$inferSelect;
type Merge = { kind: "actor" | "malware"; from: string; into: string };
/** What a published edition keeps: the items as read when it was published, and the merges then. */
type Snapshot = { items: AssessedItem[]; merges: Merge[] };

const isAnalyst = (viewer: Pick<Account, "roles">) => viewer.roles.includes("analyst");

/** Stakeholders learn nothing of the assessment, not even that an edition exists. */
function assertReader(viewer: Account) {
  if (!isTaskforceStaff(viewer)) throw new AppError("not_found", "There is no such page.");
}

function assertAnalyst(viewer: Account) {
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

export function createEdition(db: Db, viewer: Account, input: EditionInput, actor: Actor, now = new Date()): number {
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

export function editionChoices(db: DbOrTx, viewer: Account) {
  assertAnalyst(viewer);
  return db
    .select({ id: consultations.id, title: consultations.title, status: consultations.status })
    .from(consultations)
    .where(ne(consultations.status, "draft"))
    .orderBy(desc(consultations.createdAt))
    .all();
}

export function listEditions(db: DbOrTx, viewer: Account) {
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
 * Accepted input of the edition's consultations, current version only, whose observed period
 * meets the edition's period; the grade is the analyst's where they re-graded the item.
 */
function liveItems(db: DbOrTx, edition: Edition): AssessedItem[] {
  const rows = db
    .select({
      item: threatInputItems,
      inputId: threatInputs.id,
      organisationId: organisations.id,
      organisationName: organisations.name,
      organisationSector: organisations.sector,
      organisationCountry: organisations.country,
    })
    .from(threatInputItems)
    .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
    .innerJoin(
      threatInputs,
      and(eq(threatInputs.id, threatInputVersions.inputId), eq(threatInputs.currentVersion, threatInputVersions.number)),
    )
    .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
    .innerJoin(
      assessmentEditionConsultations,
      and(
        eq(assessmentEditionConsultations.consultationId, threatInputs.consultationId),
        eq(assessmentEditionConsultations.editionId, edition.id),
      ),
    )
    .where(
      and(
        eq(threatInputs.status, "submitted"),
        eq(threatInputs.triageState, "accepted"),
        sql`${threatInputItems.observedFrom} <= ${edition.periodTo}`,
        or(sql`${threatInputItems.observedTo} IS NULL`, sql`${threatInputItems.observedTo} >= ${edition.periodFrom}`),
      ),
    )
    .orderBy(asc(threatInputItems.id))
    .all();
  const indicators = indicatorsOf(db, rows.map((row) => row.item.id));
  return rows.map(({ item, ...row }) => ({
    id: item.id,
    inputId: row.inputId,
    organisationId: row.organisationId,
    organisationName: row.organisationName,
    organisationSector: row.organisationSector,
    organisationCountry: row.organisationCountry,
    attribution: item.attribution,
    crimeArea: item.crimeArea,
    title: item.title,
    narrative: item.narrative,
    trend: item.trend,
    impact: item.impact,
    likelihood: item.likelihood,
    sourceReliability: item.gradedSourceReliability ?? item.sourceReliability,
    informationCredibility: item.gradedInformationCredibility ?? item.informationCredibility,
    tlp: item.tlp,
    shareOnward: item.shareOnward,
    observedFrom: item.observedFrom,
    observedTo: item.observedTo,
    sectors: item.sectors,
    countries: item.countries,
    actors: item.actors,
    malware: item.malware,
    techniques: item.techniques,
    indicators: (indicators.get(item.id) ?? []).map(({ type, value }) => ({ type, value })),
  }));
}

function currentMerges(db: DbOrTx): Merge[] {
  return db
    .select({ kind: entityMerges.kind, from: entityMerges.fromName, into: entityMerges.intoName })
    .from(entityMerges)
    .orderBy(asc(entityMerges.at), asc(entityMerges.id))
    .all();
}

/** A published edition's frozen items, or a draft's live ones. */
function basisOf(db: DbOrTx, edition: Edition): Snapshot {
  if (edition.status === "published") return edition.snapshot as Snapshot;
  return { items: liveItems(db, edition), merges: currentMerges(db) };
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

type Figures = { items: AssessedItem[]; resolve: NameResolver; areas: AreaResult[] };
type Scores = Map<CrimeArea, number>;

/**
 * The figures of an edition from a set of its items: computed, then the analysts' overrides,
 * then the change against the previous published edition's final scores.
 */
function figuresFrom(db: DbOrTx, edition: Edition, basis: Snapshot, previousScores: Scores): Figures {
  const resolve = buildResolver(basis.items, basis.merges);
  const computed = scoreAreas(basis.items, resolve, CRIME_AREAS);
  return { items: basis.items, resolve, areas: applyOverrides(computed, overridesOf(db, edition.id), previousScores) };
}

const finalScores = (figures: Figures): Scores =>
  new Map(figures.areas.filter(hasFigures).map((area) => [area.crimeArea, area.finalScore]));

/**
 * An edition's figures with the published editions before it, oldest first, each compared with
 * the one before: computed once each, in order.
 */
function timelineOf(db: DbOrTx, edition: Edition) {
  const earlier: { edition: Edition; figures: Figures }[] = [];
  let previousScores: Scores = new Map();
  for (const entry of publishedBefore(db, edition)) {
    const figures = figuresFrom(db, entry, basisOf(db, entry), previousScores);
    earlier.push({ edition: entry, figures });
    previousScores = finalScores(figures);
  }
  return { earlier, previousScores, figures: figuresFrom(db, edition, basisOf(db, edition), previousScores) };
}

// ---------------------------------------------------------------------------------------------
// The edition page

export function viewEdition(db: DbOrTx, viewer: Account, id: number) {
  assertReader(viewer);
  const edition = getEdition(db, id);
  const { earlier, figures } = timelineOf(db, edition);
  // Across editions: every published one up to this one, and this one if it is a draft.
  const timeline = [...earlier, { edition, figures }];
  return {
    edition: {
      id: edition.id,
      title: edition.title,
      periodFrom: edition.periodFrom,
      periodTo: edition.periodTo,
      status: edition.status,
      publishedAt: edition.publishedAt,
    },
    consultations: db
      .select({ id: consultations.id, title: consultations.title })
      .from(assessmentEditionConsultations)
      .innerJoin(consultations, eq(consultations.id, assessmentEditionConsultations.consultationId))
      .where(eq(assessmentEditionConsultations.editionId, id))
      .orderBy(asc(consultations.title))
      .all(),
    previous: earlier.at(-1) ? { id: earlier.at(-1)!.edition.id, title: earlier.at(-1)!.edition.title } : null,
    areas: figures.areas,
    itemCount: figures.items.length,
    /** The strictest mark among the items behind the figures: the page's handling mark. */
    handlingMark: strictestMark(figures.items.map((item) => item.tlp)),
    entities: rankEntities(figures.items, figures.resolve),
    proposals: proposalsOf(db, id),
    timeline: {
      editions: timeline.map((entry) => ({ id: entry.edition.id, title: entry.edition.title })),
      series: CRIME_AREAS.map((area) => ({
        crimeArea: area,
        points: timeline.map((entry) => finalScores(entry.figures).get(area) ?? null),
      })),
    },
    canEdit: isAnalyst(viewer) && edition.status === "draft",
    canDecide: isTaskforceStaff(viewer),
  };
}

/** The items an analyst may cite in a proposal: those of the edition they may read. */
export function proposalCandidates(db: DbOrTx, viewer: Account, id: number, actor: Actor, now = new Date()) {
  assertAnalyst(viewer);
  const edition = getEdition(db, id);
  if (edition.status !== "draft") return [];
  return readableItems(db, viewer, basisOf(db, edition).items, actor, now).shown.map((item) => ({
    id: item.id,
    title: item.title,
    crimeArea: item.crimeArea,
    tlp: item.tlp,
  }));
}

function proposalsOf(db: DbOrTx, editionId: number) {
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
      proposedBy: sql<string | null>`(select name from users where id = ${targetProposals.proposedByUserId})`,
      decidedBy: sql<string | null>`(select name from users where id = ${targetProposals.decidedByUserId})`,
    })
    .from(targetProposals)
    .where(eq(targetProposals.editionId, editionId))
    .orderBy(asc(targetProposals.proposedAt), asc(targetProposals.id))
    .all();
  const evidence = rows.length
    ? db
        .select({ proposalId: targetEvidence.proposalId, itemId: targetEvidence.itemId })
        .from(targetEvidence)
        .where(inArray(targetEvidence.proposalId, rows.map((row) => row.id)))
        .all()
    : [];
  return rows.map((row) => ({
    ...row,
    itemIds: evidence.filter((entry) => entry.proposalId === row.id).map((entry) => entry.itemId).sort((a, b) => a - b),
  }));
}

/**
 * The items behind one figure of the edition: an area's, an actor's, a malware family's or an
 * indicator's. Sources are named only as each item's attribution allows (here for everyone: an
 * anonymous organisation appears on no edition page), and TLP:RED items only for their analysts.
 */
export function itemsBehind(db: DbOrTx, viewer: Account, id: number, filter: ItemsFilter, actor: Actor, now = new Date()) {
  assertReader(viewer);
  const edition = getEdition(db, id);
  const { items, merges } = basisOf(db, edition);
  const resolve = buildResolver(items, merges);
  const evidence = filter.target
    ? new Set(proposalsOf(db, id).find((proposal) => proposal.id === filter.target)?.itemIds ?? [])
    : null;
  const namedActor = filter.actor && resolve("actor", filter.actor);
  const malware = filter.malware && resolve("malware", filter.malware);
  const matches = items.filter(
    (item) =>
      (!evidence || evidence.has(item.id)) &&
      (!filter.area || item.crimeArea === filter.area) &&
      (!namedActor || item.actors.some((named) => resolve("actor", named.name) === namedActor)) &&
      (!malware || item.malware.some((name) => resolve("malware", name) === malware)) &&
      (!filter.indicator || item.indicators.some((indicator) => `${indicator.type}:${indicator.value}` === filter.indicator)),
  );
  const { shown, withheld } = readableItems(db, viewer, matches, actor, now);
  return {
    edition: { id: edition.id, title: edition.title, status: edition.status },
    // The organisation itself stays behind: only the words its attribution allows go out.
    items: shown.map(({ organisationId: _id, organisationName, organisationSector, organisationCountry, ...item }) => ({
      ...item,
      source: attributedSource(item.attribution, { name: organisationName, sector: organisationSector, country: organisationCountry }),
    })),
    withheld,
    handlingMark: strictestMark(shown.map((item) => item.tlp)),
  };
}

// ---------------------------------------------------------------------------------------------
// Analysts' work on a draft

export function setOverride(
  db: Db,
  viewer: Account,
  id: number,
  input: { crimeArea: CrimeArea; score?: number; trend?: AreaOverride["trend"]; reason: string },
  actor: Actor,
  now = new Date(),
) {
  assertAnalyst(viewer);
  db.transaction((tx) => {
    assertDraft(getEdition(tx, id));
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
      detail: { crimeArea: input.crimeArea, score: values.score, trend: values.trend, reason: input.reason },
      origin: actor.origin,
      at: now,
    });
  });
}

export function clearOverride(db: Db, viewer: Account, id: number, crimeArea: CrimeArea, actor: Actor, now = new Date()) {
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
export function mergeNames(db: Db, viewer: Account, input: MergeInput, actor: Actor, now = new Date()) {
  assertAnalyst(viewer);
  db.transaction((tx) => {
    tx.insert(entityMerges)
      .values({ kind: input.kind, fromName: input.from, intoName: input.into, byUserId: viewer.id, at: now })
      .onConflictDoUpdate({
        target: [entityMerges.kind, sql`lower(${entityMerges.fromName})`],
        set: { fromName: input.from, intoName: input.into, byUserId: viewer.id, at: now },
      })
      .run();
    recordAudit(tx, {
      action: "assessment.names_merged",
      actorUserId: viewer.id,
      targetType: "entity",
      targetId: `${input.kind}:${input.into}`,
      detail: { kind: input.kind, from: input.from, into: input.into },
      origin: actor.origin,
      at: now,
    });
  });
}

export function proposeTarget(db: Db, viewer: Account, id: number, input: ProposalInput, actor: Actor, now = new Date()): number {
  assertAnalyst(viewer);
  return db.transaction((tx) => {
    const edition = getEdition(tx, id);
    assertDraft(edition);
    const known = new Set(basisOf(tx, edition).items.map((item) => item.id));
    if (!input.itemIds.every((itemId) => known.has(itemId))) {
      throw new AppError("invalid", "Choose supporting items from this edition.", "itemIds");
    }
    const { id: proposalId } = tx
      .insert(targetProposals)
      .values({ editionId: id, kind: input.kind, name: input.name, rationale: input.rationale, proposedByUserId: viewer.id, proposedAt: now })
      .returning({ id: targetProposals.id })
      .get();
    for (const itemId of new Set(input.itemIds)) tx.insert(targetEvidence).values({ proposalId, itemId }).run();
    recordAudit(tx, {
      action: "assessment.target_proposed",
      actorUserId: viewer.id,
      targetType: "target",
      targetId: proposalId,
      detail: { editionId: id, kind: input.kind, name: input.name },
      origin: actor.origin,
      at: now,
    });
    return proposalId;
  });
}

/** A coordinator or an analyst endorses or declines a proposal, once. */
export function decideTarget(
  db: Db,
  viewer: Account,
  id: number,
  input: { proposalId: number; decision: "endorsed" | "declined"; note?: string },
  actor: Actor,
  now = new Date(),
) {
  assertReader(viewer);
  db.transaction((tx) => {
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
      detail: { editionId: id, note: input.note ?? null },
      origin: actor.origin,
      at: now,
    });
  });
}

/** Freezes the edition: its items (as read now), names and overrides stay as they are. */
export function publishEdition(db: Db, viewer: Account, id: number, actor: Actor, now = new Date()) {
  assertAnalyst(viewer);
  db.transaction((tx) => {
    const edition = getEdition(tx, id);
    assertDraft(edition);
    const snapshot: Snapshot = { items: liveItems(tx, edition), merges: currentMerges(tx) };
    if (snapshot.items.length === 0) {
      throw new AppError("conflict", "There is nothing to publish: no accepted input meets this edition's consultations and period.");
    }
    tx.update(assessmentEditions)
      .set({ status: "published", publishedAt: now, publishedByUserId: viewer.id, snapshot, updatedAt: now })
      .where(eq(assessmentEditions.id, id))
      .run();
    recordAudit(tx, {
      action: "assessment.published",
      actorUserId: viewer.id,
      targetType: "assessment",
      targetId: id,
      detail: { items: snapshot.items.length },
      origin: actor.origin,
      at: now,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Exports

export type ExportRequest = { format: "stix" | "csv" | "print"; recipient?: string };

/**
 * What may leave the portal: items the organisation let the taskforce share onward, and never
 * TLP:RED unless an analyst names the recipient and confirms it. The figures are computed anew
 * from exactly those items, so nothing withheld shows through them.
 */
function exportable(db: DbOrTx, edition: Edition, request: ExportRequest) {
  const basis = basisOf(db, edition);
  const allowed = basis.items.filter((item) => item.shareOnward && (request.recipient !== undefined || item.tlp !== "TLP:RED"));
  const figures = figuresFrom(db, edition, { ...basis, items: allowed }, timelineOf(db, edition).previousScores);
  return {
    ...figures,
    left: {
      notShareable: basis.items.filter((item) => !item.shareOnward).length,
      red: basis.items.filter((item) => item.shareOnward && item.tlp === "TLP:RED").length - allowed.filter((item) => item.tlp === "TLP:RED").length,
    },
  };
}

export type ExportFile = { filename: string; contentType: string; body: string; tlp: Tlp };

export function exportEdition(db: DbOrTx, viewer: Account, id: number, request: ExportRequest & { format: "stix" | "csv" }, actor: Actor & { appUrl: string }, now = new Date()): ExportFile {
  assertAnalyst(viewer);
  const edition = getEdition(db, id);
  if (edition.status !== "published") throw new AppError("conflict", "Only a published edition can be exported.");
  const figures = exportable(db, edition, request);
  const tlp = strictestMark(figures.items.map((item) => item.tlp));
  const targets = proposalsOf(db, id);
  const slug = `taskforce-assessment-${edition.id}${request.recipient ? "-named-recipient" : ""}`;
  const file: ExportFile =
    request.format === "stix"
      ? {
          filename: `${slug}.stix.json`,
          contentType: "application/stix+json;version=2.1",
          body: JSON.stringify(
            buildStixBundle({
              edition: { id: edition.id, title: edition.title, periodFrom: edition.periodFrom, periodTo: edition.periodTo, publishedAt: edition.publishedAt! },
              portalUrl: actor.appUrl,
              areas: figures.areas,
              items: figures.items,
              entities: rankEntities(figures.items, figures.resolve),
              resolve: figures.resolve,
              targets,
            }),
            null,
            2,
          ),
          tlp,
        }
      : { filename: `${slug}.csv`, contentType: "text/csv; charset=utf-8", body: editionCsv(figures.areas, targets, tlp), tlp };
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
      tlp,
    },
    origin: actor.origin,
    at: now,
  });
  return file;
}

/** The printable report: the same rules as a default export. */
export function printableEdition(db: DbOrTx, viewer: Account, id: number) {
  assertReader(viewer);
  const edition = getEdition(db, id);
  const figures = exportable(db, edition, { format: "print" });
  return {
    edition: { id: edition.id, title: edition.title, periodFrom: edition.periodFrom, periodTo: edition.periodTo, status: edition.status, publishedAt: edition.publishedAt },
    areas: figures.areas,
    entities: rankEntities(figures.items, figures.resolve).slice(0, 20),
    proposals: proposalsOf(db, id).filter((proposal) => proposal.state !== "declined"),
    left: figures.left,
    handlingMark: strictestMark(figures.items.map((item) => item.tlp)),
  };
}

/** What an analyst is told before exporting: what a default export leaves out. */
export function exportSummary(db: DbOrTx, viewer: Account, id: number) {
  assertAnalyst(viewer);
  const edition = getEdition(db, id);
  return { published: edition.status === "published", ...exportable(db, edition, { format: "stix" }).left };
}

const CSV_COLUMNS = [
  "record",
  "crime_area",
  "items",
  "organisations",
  "countries",
  "impact",
  "likelihood",
  "likelihood_words",
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

/** A field as spreadsheets read it safely: quoted when needed, and never taken for a formula. */
function csvField(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === "string") text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function editionCsv(areas: AreaResult[], targets: ReturnType<typeof proposalsOf>, tlp: Tlp): string {
  const row = (values: Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>) =>
    CSV_COLUMNS.map((column) => csvField(values[column] ?? null)).join(",");
  const lines = [CSV_COLUMNS.join(",")];
  for (const area of areas) {
    lines.push(
      row({
        record: "crime_area",
        crime_area: CRIME_AREA_LABELS[area.crimeArea],
        items: area.items,
        organisations: area.organisations,
        countries: area.countries,
        impact: area.impact,
        likelihood: area.likelihood,
        likelihood_words: area.likelihoodWords,
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
  return `${lines.join("\r\n")}\r\n`;
}

