import { and, asc, count, desc, eq, getTableColumns, gt, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import {
  consultations,
  organisations,
  roleGrants,
  threatInputIndicators,
  threatInputItemRecipients,
  threatInputItems,
  threatInputMessages,
  threatInputs,
  threatInputVersions,
  users,
  TLP_MARKS,
  type CrimeArea,
  type Sector,
  type Tlp,
  type TriageState,
} from "../../../db/schema";
import { renderThreatInputDigestEmail, renderThreatInputNoticeEmail, type ThreatInputNoticeData } from "../../../emails/threat-input-notice";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { containing, keyset } from "~/lib/keyset.server";
import type { FormValues } from "~/lib/forms";
import { accountIsUsable, type Account, type Actor } from "../accounts/service.server";
import {
  beyondViewer,
  disclosedSource,
  indicatorReadableBy,
  inputDisclosure,
  inputReadableBy,
  isAnalyst,
  isStakeholder,
  itemReadableBy,
  itemReadableFlag,
  mayGiveInput,
  versionReadableBy,
  type Viewer,
} from "../access/gate.server";
import { nameMatcher, sourceWords, WITHHELD_SOURCE, type Disclosure, type NameMatcher } from "../access/sources";
import { recordAudit } from "../audit/audit.server";
import { viewConsultation, type Consultation } from "../consultations/service.server";
import { organisationNames } from "../organisations/service.server";
import { joinBroadcast, type BroadcastBatch } from "../broadcasts/service.server";
import { enqueueMail } from "../mail/outbox.server";
import { fileIndicators, indexItemEntities } from "../intel/entities.server";
import { ATTACK_CATALOGUE, techniqueLabel } from "../reference/attack";
import type { ItemContext, ItemInput, TriageFilter } from "./schema";
import { MAX_DRAFT_CHARACTERS } from "./fields";

export type ThreatInput = typeof threatInputs.$inferSelect;
/** An input as anyone but its own organisation's form reads it: the draft in the making stays out. */
export type InputRecord = Omit<ThreatInput, "draft">;
const { draft: _draftColumn, ...recordColumns } = getTableColumns(threatInputs);
type ItemRow = typeof threatInputItems.$inferSelect;
type AppActor = Actor & { appUrl: string };

/** Marks whose every view is written to the audit log. */
const AUDITED_MARKS: Tlp[] = ["TLP:AMBER+STRICT", "TLP:RED"];
const inputLink = (appUrl: string, inputId: number) => new URL(`/inputs/${inputId}`, appUrl).toString();
const today = (now: Date) => now.toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// The stakeholder's form

/** Why an organisation can no longer change its input, or null while it can. */
export function lockedReason(consultation: Pick<Consultation, "status" | "inputDeadline">, now: Date): string | null {
  if (consultation.status === "closed") return "The consultation is closed: its input can no longer be changed.";
  if (consultation.status !== "open") return "The consultation is not open for input.";
  if (consultation.inputDeadline.getTime() <= now.getTime()) {
    return "The input deadline has passed: the input can no longer be changed.";
  }
  return null;
}

/** Someone a notice goes to. */
type Recipient = { id: number; name: string; email: string };

/** A version one notice to the analysts tells of: one, or each of several submitted in a burst. */
type SubmittedVersion = { inputId: number; version: number; consultationId: number };

/**
 * Tells the analysts of a submitted version, by the broadcast worker. A burst of submits (near a
 * deadline, every bank at once) is one notice, not one per input: a version submitted before the
 * worker began the waiting notice joins it.
 */
const tellAnalysts = (tx: DbOrTx, submitted: SubmittedVersion, now: Date) => joinBroadcast(tx, "threat-input-notices", submitted, now);

/**
 * One batch of the analysts told (in user id order, as broadcasts go): of one version, "received"
 * for a first version and "revised" after, with its link; of several, how many and to which
 * consultations, with the triage queue's link. A notice's key names its versions and the analyst,
 * so a batch composed twice after a crash queues nothing twice.
 */
const analystNoticeBatch: BroadcastBatch = (tx, _payload, { after, limit, appUrl, now, entries }) => {
  const inputs = entries() as SubmittedVersion[];
  const titles = new Map(
    tx
      .select({ id: consultations.id, title: consultations.title })
      .from(consultations)
      .where(inArray(consultations.id, [...new Set(inputs.map((input) => input.consultationId))]))
      .all()
      .map((row) => [row.id, row.title]),
  );
  const batch = analystsAfter(tx, after, limit);
  const only = inputs.length === 1 ? inputs[0]! : null;
  const versions = inputs.map((input) => `${input.inputId}.${input.version}`);
  for (const analyst of batch) {
    if (only) {
      const kind = only.version === 1 ? "received" : "revised";
      const title = titles.get(only.consultationId) ?? "a consultation";
      notify(tx, analyst, `threat-input-${kind}:${only.inputId}:${only.version}:${analyst.id}`, { kind, consultationTitle: title, link: inputLink(appUrl, only.inputId) }, appUrl, now);
      continue;
    }
    enqueueMail(
      tx,
      {
        to: analyst.email,
        template: "threat-input-digest",
        dedupeKey: `threat-input-digest:${versions[0]}-${versions.at(-1)}:${versions.length}:${analyst.id}`,
        ...renderThreatInputDigestEmail({
          name: analyst.name,
          inputs: inputs.length,
          consultationTitles: [...new Set(inputs.map((input) => titles.get(input.consultationId) ?? "a consultation"))],
          link: new URL("/triage", appUrl).toString(),
        }),
      },
      { appUrl, now },
    );
  }
  return { last: batch.length < limit ? null : batch.at(-1)!.id, sent: batch.length };
};

/** The broadcasts this module composes, for the worker. */
export const THREAT_INPUT_BROADCASTS = { "threat-input-notices": analystNoticeBatch } as const;

/** The taskforce's analysts whose account is usable (and who match `where`): who hears of new input. */
const usableAnalysts = (db: DbOrTx, where?: SQL) =>
  db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .innerJoin(roleGrants, and(eq(roleGrants.userId, users.id), eq(roleGrants.role, "analyst")))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(accountIsUsable(), where));

const analystsAfter = (db: DbOrTx, after: number, limit: number): Recipient[] =>
  usableAnalysts(db, gt(users.id, after)).orderBy(asc(users.id)).limit(limit).all();

/** The analysts a TLP:RED item may be addressed to, as the form lists them (no addresses). */
export function analystsForRedItems(db: DbOrTx) {
  return usableAnalysts(db)
    .orderBy(asc(users.name))
    .all()
    .map(({ id, name }) => ({ id, name }));
}

/** The organisation's own input to the consultation, draft and all. */
function findInput(db: DbOrTx, viewer: Viewer & { organisationId: number }, consultationId: number): ThreatInput | undefined {
  return db
    .select()
    .from(threatInputs)
    .where(
      and(
        eq(threatInputs.consultationId, consultationId),
        eq(threatInputs.organisationId, viewer.organisationId),
        inputReadableBy(viewer),
      ),
    )
    .get();
}

/** Whether the viewer's organisation gives input to the consultation now (chosen for it). */
export function givesInput(db: DbOrTx, viewer: Viewer, consultationId: number): boolean {
  return !!db.select({ id: consultations.id }).from(consultations).where(and(eq(consultations.id, consultationId), mayGiveInput(viewer, consultationId))).get();
}

/**
 * The consultation, if the viewer's organisation gives input to it now (chosen for it, the
 * person still in it); not_found otherwise, as for a consultation that does not exist.
 */
function consultationForInput(db: DbOrTx, viewer: Viewer & { organisationId: number }, consultationId: number): Consultation {
  const consultation = viewConsultation(db, viewer, consultationId);
  if (!givesInput(db, viewer, consultationId)) throw new AppError("not_found", "There is no such consultation.");
  return consultation;
}

/** What a new item holds: graded as the organisation usually is, marked AMBER, named. */
function startingValues(consultation: Consultation, usualReliability: string | null): FormValues {
  return {
    "items.0.crimeArea": consultation.crimeAreas.length === 1 ? consultation.crimeAreas[0]! : "",
    "items.0.sourceReliability": usualReliability ?? "",
    "items.0.tlp": "TLP:AMBER",
    // Nothing more revealing than "sector and country" unless the organisation chooses it.
    "items.0.attribution": "sector_country",
  };
}

/**
 * What a submitted form is checked against: the consultation as this organisation gives input to
 * it, whether it still may, and the item fields' context. A submit reads no more than this
 * before its transaction (not the draft, which the submit replaces).
 */
export function inputFormContext(db: DbOrTx, viewer: Account & { organisationId: number }, consultationId: number, now = new Date()) {
  const consultation = consultationForInput(db, viewer, consultationId);
  const analysts = analystsForRedItems(db);
  return {
    consultation,
    analysts,
    locked: lockedReason(consultation, now),
    context: {
      crimeAreas: consultation.crimeAreas,
      analystIds: analysts.map((analyst) => analyst.id),
      today: today(now),
      techniques: ATTACK_CATALOGUE,
    } satisfies ItemContext,
  };
}

/** The form as the organisation's page shows it: the context, its input and draft, and a new item's fields. */
export function inputFormFor(db: DbOrTx, viewer: Account & { organisationId: number }, consultationId: number, now = new Date()) {
  const form = inputFormContext(db, viewer, consultationId, now);
  const input = findInput(db, viewer, consultationId) ?? null;
  const organisation = db
    .select({ usualSourceReliability: organisations.usualSourceReliability })
    .from(organisations)
    .where(eq(organisations.id, viewer.organisationId))
    .get();
  const blankItem = startingValues(form.consultation, organisation?.usualSourceReliability ?? null);
  return {
    ...form,
    input,
    values: input?.draft ?? blankItem,
    /** The fields of a new item, numbered 0. */
    blankItem,
  };
}

/** The item fields of a form, and nothing else: what a draft keeps. */
function draftOf(values: FormValues): FormValues {
  const kept = Object.fromEntries(Object.entries(values).filter(([key]) => key.startsWith("items.")));
  if (JSON.stringify(kept).length > MAX_DRAFT_CHARACTERS) {
    throw new AppError("invalid", "This input is too large to keep; split it over fewer, shorter items.");
  }
  return kept;
}

function editableInput(db: DbOrTx, viewer: Account & { organisationId: number }, consultationId: number, now: Date) {
  const consultation = consultationForInput(db, viewer, consultationId);
  const locked = lockedReason(consultation, now);
  if (locked) throw new AppError("conflict", locked);
  return { consultation, input: findInput(db, viewer, consultationId) };
}

/**
 * Keeps the form as typed, valid or not, for the whole organisation: it survives sign-out and
 * another member can carry on with it. A submitted input keeps its versions; the draft is the
 * next revision in the making.
 */
export function saveDraft(
  db: Db,
  viewer: Account & { organisationId: number },
  consultationId: number,
  values: FormValues,
  now = new Date(),
): { inputId: number; savedAt: Date } {
  return db.transaction((tx) => {
    const { input } = editableInput(tx, viewer, consultationId, now);
    const draft = draftOf(values);
    const row = input
      ? tx
          .update(threatInputs)
          .set({ draft, draftSavedAt: now, draftSavedByUserId: viewer.id, updatedAt: now })
          .where(eq(threatInputs.id, input.id))
          .returning({ id: threatInputs.id })
          .get()
      : tx
          .insert(threatInputs)
          .values({
            consultationId,
            organisationId: viewer.organisationId,
            draft,
            draftSavedAt: now,
            draftSavedByUserId: viewer.id,
            createdAt: now,
          })
          .returning({ id: threatInputs.id })
          .get();
    return { inputId: row.id, savedAt: now };
  });
}

export type SubmitOutcome = { inputId: number; version: number };

/**
 * Freezes the items as the input's next version, in one transaction with its audit entry and
 * the analysts' notices. (The route runs it once per form: a repeat gets the first version.)
 */
export function submitInput(
  db: Db,
  viewer: Account & { organisationId: number },
  consultationId: number,
  submission: { items: ItemInput[]; values: FormValues },
  actor: AppActor,
  now = new Date(),
): SubmitOutcome {
  return db.transaction((tx) => {
    const consultation = consultationForInput(tx, viewer, consultationId);
    const locked = lockedReason(consultation, now);
    if (locked) throw new AppError("conflict", locked);

    const input =
      findInput(tx, viewer, consultationId) ??
      tx
        .insert(threatInputs)
        .values({ consultationId, organisationId: viewer.organisationId, createdAt: now })
        .returning()
        .get();
    const number = input.currentVersion + 1;
    const version = tx
      .insert(threatInputVersions)
      .values({
        inputId: input.id,
        number,
        submittedByUserId: viewer.id,
        submittedAt: now,
      })
      .returning({ id: threatInputVersions.id })
      .get();
    submission.items.forEach((item, position) => insertItem(tx, version.id, position, item, now));
    tx.update(threatInputs)
      .set({
        status: "submitted",
        currentVersion: number,
        submittedAt: now,
        withdrawnAt: null,
        // A revision is new input: it is triaged again.
        triageState: "new",
        triageReason: null,
        triagedByUserId: null,
        triagedAt: null,
        draft: draftOf(submission.values),
        draftSavedAt: now,
        draftSavedByUserId: viewer.id,
        updatedAt: now,
      })
      .where(eq(threatInputs.id, input.id))
      .run();
    recordAudit(tx, {
      action: number === 1 ? "threat_input.submitted" : "threat_input.revised",
      actorUserId: viewer.id,
      targetType: "threat_input",
      targetId: input.id,
      detail: { version: number, items: submission.items.length },
      origin: actor.origin,
      at: now,
    });
    // Every analyst is told, by the broadcast worker: the submit commits one row, not a mail each.
    tellAnalysts(tx, { inputId: input.id, version: number, consultationId }, now);
    return { inputId: input.id, version: number };
  });
}

function insertItem(tx: DbOrTx, versionId: number, position: number, item: ItemInput, now: Date) {
  const { indicators, redRecipients, ...fields } = item;
  const row = tx
    .insert(threatInputItems)
    .values({ versionId, position, ...fields })
    .returning({ id: threatInputItems.id })
    .get();
  fileIndicators(tx, row.id, indicators, now);
  indexItemEntities(tx, row.id, item);
  if (redRecipients.length) tx.insert(threatInputItemRecipients).values(redRecipients.map((userId) => ({ itemId: row.id, userId }))).run();
}

function notify(tx: DbOrTx, person: Recipient, dedupeKey: string, data: Omit<ThreatInputNoticeData, "name">, appUrl: string, now: Date) {
  enqueueMail(
    tx,
    { to: person.email, template: `threat-input-${data.kind}`, dedupeKey, ...renderThreatInputNoticeEmail({ ...data, name: person.name }) },
    { appUrl, now },
  );
}

/** Takes the input back: analysts see it as withdrawn and nothing of it counts any more. */
export function withdrawInput(
  db: Db,
  viewer: Account & { organisationId: number },
  consultationId: number,
  actor: Actor,
  now = new Date(),
) {
  db.transaction((tx) => {
    const { input } = editableInput(tx, viewer, consultationId, now);
    if (!input || input.status !== "submitted") throw new AppError("conflict", "Only a submitted input can be withdrawn.");
    tx.update(threatInputs)
      .set({ status: "withdrawn", withdrawnAt: now, updatedAt: now })
      .where(eq(threatInputs.id, input.id))
      .run();
    recordAudit(tx, {
      action: "threat_input.withdrawn",
      actorUserId: viewer.id,
      targetType: "threat_input",
      targetId: input.id,
      detail: { version: input.currentVersion },
      origin: actor.origin,
      at: now,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Reading inputs, item by item, as each viewer may (the need-to-know gate decides)

/**
 * The input, if this person may read it: their own organisation's, or any submitted one for
 * the taskforce's staff. Everyone else, and staff asking for a draft never submitted, learns
 * nothing (not_found), not even that it exists. The draft in the making stays out.
 */
export function visibleInput(db: DbOrTx, viewer: Viewer, inputId: number): InputRecord {
  const input = db
    .select(recordColumns)
    .from(threatInputs)
    .where(and(eq(threatInputs.id, inputId), inputReadableBy(viewer)))
    .get();
  if (!input) throw new AppError("not_found", "There is no such input.");
  return input;
}

/**
 * Writes one audit entry for a page that shows AMBER+STRICT or RED items: who, when, from
 * where, and which items. One entry per view, however many items it shows.
 */
export function auditSensitiveView(
  db: DbOrTx,
  viewer: Viewer,
  shown: { id: number; tlp: Tlp }[],
  target: { type: string; id: number },
  actor: Actor,
  now: Date,
) {
  const sensitive = shown.filter((item) => AUDITED_MARKS.includes(item.tlp));
  if (sensitive.length === 0) return;
  recordAudit(db, {
    action: "threat_input.items_viewed",
    actorUserId: viewer.id,
    targetType: target.type,
    targetId: target.id,
    detail: {
      items: sensitive.map((item) => item.id),
      marks: [...new Set(sensitive.map((item) => item.tlp))],
    },
    origin: actor.origin,
    at: now,
  });
}

/** The items of one version that this person may read, with their indicators and RED analysts. */
function itemsOfVersion(db: DbOrTx, viewer: Viewer, versionId: number, redact: NameMatcher | null) {
  const rows = db
    .select()
    .from(threatInputItems)
    .where(and(eq(threatInputItems.versionId, versionId), itemReadableBy(viewer)))
    .orderBy(asc(threatInputItems.position))
    .all();
  const counts = db
    .select({ total: count(), readable: sql<number>`coalesce(sum(${itemReadableFlag(viewer)}), 0)` })
    .from(threatInputItems)
    .where(eq(threatInputItems.versionId, versionId))
    .get()!;
  const indicators = byItem(
    db
      .select({
        itemId: threatInputIndicators.itemId,
        id: threatInputIndicators.id,
        type: threatInputIndicators.type,
        value: threatInputIndicators.value,
        comment: threatInputIndicators.comment,
        warnings: threatInputIndicators.warnings,
        keepNote: threatInputIndicators.keepNote,
        clearedAt: threatInputIndicators.clearedAt,
        clearReason: threatInputIndicators.clearReason,
      })
      .from(threatInputIndicators)
      .innerJoin(threatInputItems, eq(threatInputItems.id, threatInputIndicators.itemId))
      .where(and(eq(threatInputItems.versionId, versionId), indicatorReadableBy(viewer)))
      .orderBy(asc(threatInputIndicators.id))
      .all(),
  );
  const recipients = byItem(
    db
      .select({ itemId: threatInputItemRecipients.itemId, id: users.id, name: users.name })
      .from(threatInputItemRecipients)
      .innerJoin(users, eq(users.id, threatInputItemRecipients.userId))
      .innerJoin(threatInputItems, eq(threatInputItems.id, threatInputItemRecipients.itemId))
      .where(and(eq(threatInputItems.versionId, versionId), itemReadableBy(viewer)))
      .orderBy(asc(users.name))
      .all(),
  );
  const text = (value: string) => (redact ? redact.redact(value) : value);
  return {
    items: rows.map((row) => ({
      ...row,
      title: text(row.title),
      narrative: text(row.narrative),
      recommendedActions: text(row.recommendedActions),
      gradeNote: row.gradeNote === null ? null : text(row.gradeNote),
      actors: row.actors.map((actor) => ({ name: text(actor.name), aliases: actor.aliases.map(text) })),
      malware: row.malware.map(text),
      techniqueLabels: row.techniques.map(techniqueLabel),
      indicators: (indicators.get(row.id) ?? []).map((indicator) => ({
        ...indicator,
        comment: indicator.comment === null ? null : text(indicator.comment),
        keepNote: indicator.keepNote === null ? null : text(indicator.keepNote),
        clearReason: indicator.clearReason === null ? null : text(indicator.clearReason),
      })),
      recipients: recipients.get(row.id) ?? [],
    })),
    withheld: counts.total - counts.readable,
  };
}

/** Rows of several items, each item's in a list of its own (in the rows' order). */
function byItem<T extends { itemId: number }>(rows: T[]): Map<number, Omit<T, "itemId">[]> {
  const map = new Map<number, Omit<T, "itemId">[]>();
  for (const { itemId, ...rest } of rows) {
    if (!map.has(itemId)) map.set(itemId, []);
    map.get(itemId)!.push(rest);
  }
  return map;
}

/**
 * Who the input is from, in the words this person may read (the gate's disclosure): the
 * organisation itself for its own members and the analysts; for everyone else, no more than
 * the strictest attribution any of its items asked for. Beyond "named", the organisation's
 * names are also taken out of what its people wrote, and their own names are not shown.
 */
function sourceOf(db: DbOrTx, viewer: Viewer, inputId: number) {
  const source = db
    .select({ ...disclosedSource(inputDisclosure(viewer)), organisationId: organisations.id })
    .from(threatInputs)
    .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
    .where(and(eq(threatInputs.id, inputId), inputReadableBy(viewer)))
    .get()!;
  const named = source.disclosure === "named";
  return {
    label: sourceLabel(source),
    named,
    redact: named ? null : nameMatcher(organisationNames(db, source.organisationId)),
  };
}

/** The words for a source as the gate disclosed it (disclosedSource's columns). */
export function sourceLabel(source: { disclosure: Disclosure; name: string | null; sector: string | null; country: string | null }) {
  if (source.disclosure === "named" && source.name !== null) return source.name;
  if (source.disclosure === "sector_country" && source.sector !== null && source.country !== null) {
    return sourceWords("sector_country", { name: "", sector: source.sector as Sector, country: source.country });
  }
  return WITHHELD_SOURCE;
}

function versionRow(db: DbOrTx, viewer: Viewer, inputId: number, number: number) {
  return db
    .select({
      id: threatInputVersions.id,
      number: threatInputVersions.number,
      submittedAt: threatInputVersions.submittedAt,
      submittedBy: users.name,
    })
    .from(threatInputVersions)
    .leftJoin(users, eq(users.id, threatInputVersions.submittedByUserId))
    .where(and(eq(threatInputVersions.inputId, inputId), eq(threatInputVersions.number, number), versionReadableBy(viewer)))
    .get();
}

/**
 * One version of an input (the current one unless a number is given) as this person may see
 * it; a view that shows AMBER+STRICT or RED items is audited.
 */
export function viewInput(db: DbOrTx, viewer: Viewer, inputId: number, actor: Actor, options: { version?: number } = {}, now = new Date()) {
  const input = visibleInput(db, viewer, inputId);
  const consultation = db
    .select({
      id: consultations.id,
      title: consultations.title,
      status: consultations.status,
      inputDeadline: consultations.inputDeadline,
    })
    .from(consultations)
    .where(eq(consultations.id, input.consultationId))
    .get()!;
  const source = sourceOf(db, viewer, input.id);
  const number = options.version ?? input.currentVersion;
  const version = number > 0 ? versionRow(db, viewer, input.id, number) : undefined;
  if (options.version !== undefined && !version) throw new AppError("not_found", "There is no such version.");
  const shown = version ? itemsOfVersion(db, viewer, version.id, source.redact) : { items: [], withheld: 0 };
  if (version) auditSensitiveView(db, viewer, shown.items, { type: "threat_input", id: input.id }, actor, now);
  const versions = db
    .select({ number: threatInputVersions.number, submittedAt: threatInputVersions.submittedAt })
    .from(threatInputVersions)
    .where(and(eq(threatInputVersions.inputId, input.id), versionReadableBy(viewer)))
    .orderBy(desc(threatInputVersions.number))
    .all();
  return {
    // Only what the page shows: ids of the organisation or its people stay home.
    input: {
      id: input.id,
      status: input.status,
      triageState: input.triageState,
      triageReason: input.triageReason,
      currentVersion: input.currentVersion,
      submittedAt: input.submittedAt,
      withdrawnAt: input.withdrawnAt,
    },
    /** Whether the viewer belongs to the organisation whose input it is. */
    own: isStakeholder(viewer) && viewer.organisationId === input.organisationId,
    consultation,
    // The person who submitted would name the organisation as surely as its name.
    version: version ? { ...version, submittedBy: source.named ? version.submittedBy : null } : null,
    isCurrent: number === input.currentVersion,
    /** Why the organisation can no longer change it, or null. */
    locked: lockedReason(consultation, now),
    ...shown,
    source: { label: source.label, named: source.named },
    versions,
    messages: messagesOf(db, input.id, source.redact),
    /** The strictest mark among what is shown: the page's own handling mark. */
    handlingMark: strictestMark(shown.items.map((item) => item.tlp)),
  };
}

/** The strictest of the marks (TLP_MARKS runs from CLEAR to RED), never below the portal's own AMBER. */
export function strictestMark(marks: Tlp[]): Tlp {
  return marks.reduce<Tlp>((worst, mark) => (TLP_MARKS.indexOf(mark) > TLP_MARKS.indexOf(worst) ? mark : worst), "TLP:AMBER");
}

/** The thread; where the source is withheld, its people's names and its names in their words are too. */
function messagesOf(db: DbOrTx, inputId: number, redact: NameMatcher | null) {
  return db
    .select({
      id: threatInputMessages.id,
      body: threatInputMessages.body,
      fromTaskforce: threatInputMessages.fromTaskforce,
      createdAt: threatInputMessages.createdAt,
      authorName: users.name,
    })
    .from(threatInputMessages)
    .leftJoin(users, eq(users.id, threatInputMessages.authorUserId))
    .where(eq(threatInputMessages.inputId, inputId))
    .orderBy(asc(threatInputMessages.createdAt), asc(threatInputMessages.id))
    .all()
    .map((message) =>
      redact ? { ...message, authorName: message.fromTaskforce ? message.authorName : null, body: redact.redact(message.body) } : message,
    );
}

// ---------------------------------------------------------------------------------------------
// Triage

export const TRIAGE_PAGE_SIZE = 50;

/** Newest submission first (the index threat_inputs_submitted_idx). */
const triagePages = keyset<{ submittedAt: Date | null; id: number }>({
  order: "desc",
  keys: [
    { column: threatInputs.submittedAt, kind: "date", of: (row) => row.submittedAt! },
    { column: threatInputs.id, kind: "number", of: (row) => row.id },
  ],
  size: TRIAGE_PAGE_SIZE,
});

/**
 * The analysts' queue: inputs submitted or withdrawn, newest first, a page at a time (keyset:
 * `after` is the last row's cursor), with what this viewer may read of each. Filters, counts and
 * the areas and marks shown are computed in SQL over the items the viewer may read only.
 */
export function triageQueue(db: DbOrTx, viewer: Viewer, filter: TriageFilter) {
  const readable = (extra?: SQL) =>
    sql`from ${threatInputItems} where ${threatInputItems.versionId} = ${threatInputVersions.id} and ${itemReadableBy(viewer)}${extra ? sql` and ${extra}` : sql``}`;
  const rows = db
    .select({
      id: threatInputs.id,
      consultationId: threatInputs.consultationId,
      consultationTitle: consultations.title,
      source: disclosedSource(inputDisclosure(viewer)),
      status: threatInputs.status,
      triageState: threatInputs.triageState,
      version: threatInputs.currentVersion,
      submittedAt: threatInputs.submittedAt,
      items: sql<number>`(select count(*) ${readable()})`,
      total: sql<number>`(select count(*) from ${threatInputItems} where ${threatInputItems.versionId} = ${threatInputVersions.id} and ${beyondViewer("counting what is left out, never showing it")})`,
      crimeAreas: sql<string | null>`(select group_concat(distinct ${threatInputItems.crimeArea}) ${readable()})`,
      marks: sql<string | null>`(select group_concat(distinct ${threatInputItems.tlp}) ${readable()})`,
    })
    .from(threatInputs)
    .innerJoin(consultations, eq(consultations.id, threatInputs.consultationId))
    .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
    .innerJoin(
      threatInputVersions,
      and(eq(threatInputVersions.inputId, threatInputs.id), eq(threatInputVersions.number, threatInputs.currentVersion)),
    )
    .where(
      and(
        isNotNull(threatInputs.submittedAt),
        inputReadableBy(viewer),
        filter.consultationId ? eq(threatInputs.consultationId, filter.consultationId) : undefined,
        filter.consultation ? containing(consultations.title, filter.consultation) : undefined,
        // By name only where the source is named to this viewer, as the queue shows it.
        filter.organisation ? and(containing(organisations.name, filter.organisation), sql`${inputDisclosure(viewer)} = 'named'`) : undefined,
        filter.state ? and(eq(threatInputs.triageState, filter.state), eq(threatInputs.status, "submitted")) : undefined,
        filter.crimeArea ? sql`exists (select 1 ${readable(eq(threatInputItems.crimeArea, filter.crimeArea))})` : undefined,
        filter.tlp ? sql`exists (select 1 ${readable(eq(threatInputItems.tlp, filter.tlp))})` : undefined,
        triagePages.after(filter.after),
      ),
    )
    .orderBy(...triagePages.orderBy)
    .limit(triagePages.limit)
    .all();
  const { rows: shown, next } = triagePages.page(rows);
  const page = shown.map(({ source, total, crimeAreas, marks, submittedAt, ...row }) => ({
    ...row,
    submittedAt: submittedAt!,
    source: sourceLabel(source),
    crimeAreas: (crimeAreas?.split(",") ?? []) as CrimeArea[],
    marks: (marks?.split(",") ?? []) as Tlp[],
    withheld: total - row.items,
  }));
  return { rows: page, next };
}

/** The filters' choices: consultations and organisations with input the viewer may read. */
/** The consultation the queue is narrowed to, by its title, if it has input this viewer reads. */
export function triageConsultation(db: DbOrTx, viewer: Viewer, consultationId: number | undefined) {
  if (consultationId === undefined) return null;
  return (
    db
      .select({ id: consultations.id, title: consultations.title })
      .from(consultations)
      .where(
        and(
          eq(consultations.id, consultationId),
          sql`exists (select 1 from ${threatInputs} where ${threatInputs.consultationId} = ${consultations.id} and ${isNotNull(threatInputs.submittedAt)} and ${inputReadableBy(viewer)})`,
        ),
      )
      .get() ?? null
  );
}

function submittedInputForTriage(db: DbOrTx, viewer: Account, inputId: number) {
  if (!isAnalyst(viewer)) throw new AppError("forbidden", "Only the taskforce's analysts triage input.");
  const input = visibleInput(db, viewer, inputId);
  if (input.status !== "submitted") throw new AppError("conflict", "This input was withdrawn by its organisation.");
  return input;
}

export function decideTriage(
  db: Db,
  viewer: Account,
  inputId: number,
  decision: { decision: "accept" } | { decision: "reject"; reason: string },
  actor: Actor,
  now = new Date(),
) {
  db.transaction((tx) => {
    const input = submittedInputForTriage(tx, viewer, inputId);
    const state: TriageState = decision.decision === "accept" ? "accepted" : "rejected";
    tx.update(threatInputs)
      .set({
        triageState: state,
        triageReason: decision.decision === "reject" ? decision.reason : null,
        triagedByUserId: viewer.id,
        triagedAt: now,
        updatedAt: now,
      })
      .where(eq(threatInputs.id, input.id))
      .run();
    recordAudit(tx, {
      action: `threat_input.${state}`,
      actorUserId: viewer.id,
      targetType: "threat_input",
      targetId: input.id,
      detail: { version: input.currentVersion, from: input.triageState },
      origin: actor.origin,
      at: now,
    });
  });
}

/** The members of the organisation who can act on its input: its active stakeholders. */
function organisationMembers(db: DbOrTx, organisationId: number): Recipient[] {
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .innerJoin(roleGrants, and(eq(roleGrants.userId, users.id), eq(roleGrants.role, "stakeholder")))
    .where(and(eq(users.organisationId, organisationId), accountIsUsable()))
    .all();
}

function consultationTitle(db: DbOrTx, consultationId: number) {
  return db.select({ title: consultations.title }).from(consultations).where(eq(consultations.id, consultationId)).get()!.title;
}

/**
 * An analyst's question to the organisation: it goes on the input's thread, the input waits for
 * clarification, and the organisation's members get a notice with the link (never the question:
 * it may quote TLP:RED content).
 */
export function askQuestion(db: Db, viewer: Account, inputId: number, body: string, actor: AppActor, now = new Date()) {
  db.transaction((tx) => {
    const input = submittedInputForTriage(tx, viewer, inputId);
    const message = tx
      .insert(threatInputMessages)
      .values({ inputId, authorUserId: viewer.id, fromTaskforce: true, body, createdAt: now })
      .returning({ id: threatInputMessages.id })
      .get();
    tx.update(threatInputs)
      .set({ triageState: "needs_clarification", triagedByUserId: viewer.id, triagedAt: now, triageReason: null, updatedAt: now })
      .where(eq(threatInputs.id, inputId))
      .run();
    const title = consultationTitle(tx, input.consultationId);
    for (const member of organisationMembers(tx, input.organisationId)) {
      notify(tx, member, `threat-input-question:${message.id}:${member.id}`, {
        kind: "question",
        consultationTitle: title,
        link: inputLink(actor.appUrl, inputId),
      }, actor.appUrl, now);
    }
    recordAudit(tx, {
      action: "threat_input.question_asked",
      actorUserId: viewer.id,
      targetType: "threat_input",
      targetId: inputId,
      origin: actor.origin,
      at: now,
    });
  });
}

/** The organisation's answer: back to the analysts' queue, and the analysts who asked are told. */
export function answerQuestion(db: Db, viewer: Account, inputId: number, body: string, actor: AppActor, now = new Date()) {
  db.transaction((tx) => {
    const input = visibleInput(tx, viewer, inputId);
    if (viewer.organisationId !== input.organisationId) {
      throw new AppError("forbidden", "Only the organisation that submitted the input answers here.");
    }
    const message = tx
      .insert(threatInputMessages)
      .values({ inputId, authorUserId: viewer.id, fromTaskforce: false, body, createdAt: now })
      .returning({ id: threatInputMessages.id })
      .get();
    if (input.triageState === "needs_clarification") {
      tx.update(threatInputs).set({ triageState: "new", updatedAt: now }).where(eq(threatInputs.id, inputId)).run();
    }
    const askers = tx
      .selectDistinct({ id: users.id, name: users.name, email: users.email })
      .from(threatInputMessages)
      .innerJoin(users, eq(users.id, threatInputMessages.authorUserId))
      .where(and(eq(threatInputMessages.inputId, inputId), eq(threatInputMessages.fromTaskforce, true)))
      .all();
    const title = consultationTitle(tx, input.consultationId);
    for (const asker of askers) {
      notify(tx, asker, `threat-input-answer:${message.id}:${asker.id}`, {
        kind: "answer",
        consultationTitle: title,
        link: inputLink(actor.appUrl, inputId),
      }, actor.appUrl, now);
    }
    recordAudit(tx, {
      action: "threat_input.question_answered",
      actorUserId: viewer.id,
      targetType: "threat_input",
      targetId: inputId,
      origin: actor.origin,
      at: now,
    });
  });
}

/** An analyst's own grade of an item's evaluation, with the reason; the submitter's stays beside it. */
export function gradeItem(
  db: Db,
  viewer: Account,
  inputId: number,
  grade: { itemId: number; sourceReliability: ItemRow["sourceReliability"]; informationCredibility: ItemRow["informationCredibility"]; note: string },
  actor: Actor,
  now = new Date(),
) {
  db.transaction((tx) => {
    const input = submittedInputForTriage(tx, viewer, inputId);
    const item = tx
      .select({ id: threatInputItems.id, tlp: threatInputItems.tlp, sourceReliability: threatInputItems.sourceReliability, informationCredibility: threatInputItems.informationCredibility, gradedSourceReliability: threatInputItems.gradedSourceReliability, gradedInformationCredibility: threatInputItems.gradedInformationCredibility })
      .from(threatInputItems)
      .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
      .where(
        and(
          eq(threatInputItems.id, grade.itemId),
          eq(threatInputVersions.inputId, inputId),
          eq(threatInputVersions.number, input.currentVersion),
          itemReadableBy(viewer),
        ),
      )
      .get();
    if (!item) {
      throw new AppError("not_found", "There is no such item in the current version.");
    }
    tx.update(threatInputItems)
      .set({
        gradedSourceReliability: grade.sourceReliability,
        gradedInformationCredibility: grade.informationCredibility,
        gradeNote: grade.note,
        gradedByUserId: viewer.id,
        gradedAt: now,
      })
      .where(eq(threatInputItems.id, item.id))
      .run();
    const before = `${item.gradedSourceReliability ?? item.sourceReliability}${item.gradedInformationCredibility ?? item.informationCredibility}`;
    recordAudit(tx, {
      action: "threat_input.item_graded",
      actorUserId: viewer.id,
      targetType: "threat_input_item",
      targetId: item.id,
      detail: { inputId, from: before, to: `${grade.sourceReliability}${grade.informationCredibility}` },
      origin: actor.origin,
      at: now,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Summaries for other pages

export type InputProgress = "submitted" | "withdrawn";

/** How far each organisation has got with its input, as far as the viewer may read (never a draft for staff). */
export function inputProgressByOrganisation(db: DbOrTx, viewer: Viewer, consultationId: number): Map<number, InputProgress | "drafted"> {
  const rows = db
    .select({ organisationId: threatInputs.organisationId, status: threatInputs.status })
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, consultationId), inputReadableBy(viewer)))
    .all();
  return new Map(rows.map((row) => [row.organisationId, row.status === "draft" ? "drafted" : row.status]));
}

export const CONSULTATION_INPUTS_PAGE_SIZE = 25;

/** Newest submission first, within one consultation (threat_inputs_consultation_submitted_idx). */
const consultationInputPages = keyset<{ submittedAt: Date | null; id: number }>({
  order: "desc",
  keys: [
    { column: threatInputs.submittedAt, kind: "date", of: (row) => row.submittedAt! },
    { column: threatInputs.id, kind: "number", of: (row) => row.id },
  ],
  size: CONSULTATION_INPUTS_PAGE_SIZE,
});

/** The inputs in for a consultation that the viewer may read, a page at a time after the cursor `after`. */
export function inputsOfConsultation(db: DbOrTx, viewer: Viewer, consultationId: number, after?: string) {
  const rows = db
    .select({
      id: threatInputs.id,
      status: threatInputs.status,
      triageState: threatInputs.triageState,
      version: threatInputs.currentVersion,
      submittedAt: threatInputs.submittedAt,
    })
    .from(threatInputs)
    .where(
      and(
        eq(threatInputs.consultationId, consultationId),
        isNotNull(threatInputs.submittedAt),
        inputReadableBy(viewer),
        consultationInputPages.after(after),
      ),
    )
    .orderBy(...consultationInputPages.orderBy)
    .limit(consultationInputPages.limit)
    .all();
  return consultationInputPages.page(rows);
}

/** How many of those inputs are withdrawn, and how many of the others in each triage state. */
export function inputCountsOfConsultation(db: DbOrTx, viewer: Viewer, consultationId: number) {
  const counts = { withdrawn: 0, new: 0, accepted: 0, needs_clarification: 0, rejected: 0 } satisfies Record<
    "withdrawn" | TriageState,
    number
  >;
  const rows = db
    .select({ status: threatInputs.status, triageState: threatInputs.triageState, n: count() })
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, consultationId), isNotNull(threatInputs.submittedAt), inputReadableBy(viewer)))
    .groupBy(threatInputs.status, threatInputs.triageState)
    .all();
  for (const row of rows) counts[row.status === "withdrawn" ? "withdrawn" : row.triageState] += row.n;
  return { ...counts, submitted: rows.reduce((sum, row) => sum + (row.status === "submitted" ? row.n : 0), 0) };
}

/** How many inputs the viewer may read wait for an analyst's decision. */
export function countAwaitingTriage(db: DbOrTx, viewer: Viewer): number {
  return (
    db
      .select({ n: count() })
      .from(threatInputs)
      .where(and(eq(threatInputs.status, "submitted"), eq(threatInputs.triageState, "new"), inputReadableBy(viewer)))
      .get()?.n ?? 0
  );
}

/** A stakeholder's own organisation's input to each of these consultations (those a page shows). */
export function ownInputStates(db: DbOrTx, viewer: Viewer, consultationIds: number[]) {
  if (!isStakeholder(viewer) || consultationIds.length === 0) return new Map<number, never>();
  return new Map(
    db
      .select({
        consultationId: threatInputs.consultationId,
        id: threatInputs.id,
        status: threatInputs.status,
        triageState: threatInputs.triageState,
      })
      .from(threatInputs)
      .where(
        and(
          eq(threatInputs.organisationId, viewer.organisationId),
          inArray(threatInputs.consultationId, consultationIds),
          inputReadableBy(viewer),
        ),
      )
      .all()
      .map((row) => [row.consultationId, row]),
  );
}
