import { createHash, randomBytes } from "node:crypto";
import { and, asc, desc, eq, getTableColumns, inArray, isNotNull, sql } from "drizzle-orm";
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
  type Attribution,
  type Sector,
  type Tlp,
  type TriageState,
} from "../../../db/schema";
import { renderThreatInputNoticeEmail, type ThreatInputNoticeData } from "../../../emails/threat-input-notice";
import { countryName } from "~/lib/countries";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import type { FormValues } from "~/lib/forms";
import { SECTOR_LABELS } from "~/lib/labels";
import { accountIsUsable, type Account, type Actor } from "../accounts/service.server";
import { recordAudit } from "../audit/audit.server";
import { isTaskforceStaff, viewConsultation, type Consultation } from "../consultations/service.server";
import { enqueueMail } from "../mail/outbox.server";
import { MAX_DRAFT_CHARACTERS, type ItemContext, type ItemInput, type TriageFilter } from "./schema";

export type ThreatInput = typeof threatInputs.$inferSelect;
/** An input as anyone but its own organisation's form reads it: the draft in the making stays out. */
export type InputRecord = Omit<ThreatInput, "draft">;
const { draft: _draftColumn, ...recordColumns } = getTableColumns(threatInputs);
type ItemRow = typeof threatInputItems.$inferSelect;
type AppActor = Actor & { appUrl: string };

/** Marks whose every view is written to the audit log. */
const AUDITED_MARKS: Tlp[] = ["TLP:AMBER+STRICT", "TLP:RED"];
const isAnalyst = (viewer: Pick<Account, "roles">) => viewer.roles.includes("analyst");
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

/** The taskforce's active analysts, who receive the notices of new input. */
function activeAnalysts(db: DbOrTx): Recipient[] {
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .innerJoin(roleGrants, and(eq(roleGrants.userId, users.id), eq(roleGrants.role, "analyst")))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(accountIsUsable())
    .orderBy(asc(users.name))
    .all();
}

/** The analysts a TLP:RED item may be addressed to, as the form lists them (no addresses). */
export function analystsForRedItems(db: DbOrTx) {
  return activeAnalysts(db).map(({ id, name }) => ({ id, name }));
}

function findInput(db: DbOrTx, consultationId: number, organisationId: number): ThreatInput | undefined {
  return db
    .select()
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, consultationId), eq(threatInputs.organisationId, organisationId)))
    .get();
}

/** What a new item holds: graded as the organisation usually is, marked AMBER, named. */
function startingValues(consultation: Consultation, usualReliability: string | null): FormValues {
  return {
    "items.0.crimeArea": consultation.crimeAreas.length === 1 ? consultation.crimeAreas[0]! : "",
    "items.0.sourceReliability": usualReliability ?? "",
    "items.0.tlp": "TLP:AMBER",
    "items.0.attribution": "named",
  };
}

/** Everything the input form of a stakeholder's organisation needs, for one consultation. */
export function inputFormFor(db: DbOrTx, viewer: Account & { organisationId: number }, consultationId: number, now = new Date()) {
  const consultation = viewConsultation(db, viewer, consultationId, now);
  const input = findInput(db, consultationId, viewer.organisationId) ?? null;
  const organisation = db
    .select({ usualSourceReliability: organisations.usualSourceReliability })
    .from(organisations)
    .where(eq(organisations.id, viewer.organisationId))
    .get();
  const usualReliability = organisation?.usualSourceReliability ?? null;
  const analysts = analystsForRedItems(db);
  const blankItem = startingValues(consultation, usualReliability);
  return {
    consultation,
    input,
    values: input?.draft ?? blankItem,
    /** The fields of a new item, numbered 0. */
    blankItem,
    analysts,
    locked: lockedReason(consultation, now),
    context: {
      crimeAreas: consultation.crimeAreas,
      analystIds: analysts.map((analyst) => analyst.id),
      today: today(now),
    } satisfies ItemContext,
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
  const consultation = viewConsultation(db, viewer, consultationId, now);
  const locked = lockedReason(consultation, now);
  if (locked) throw new AppError("conflict", locked);
  return { consultation, input: findInput(db, consultationId, viewer.organisationId) };
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

/** The one-time key a rendered submit form carries (see submitInput). */
export const newSubmitKey = () => randomBytes(18).toString("base64url");

const contentHash = (items: ItemInput[]) => createHash("sha256").update(JSON.stringify(items)).digest("hex");

export type SubmitOutcome = { inputId: number; version: number; repeated: boolean };

/**
 * Freezes the items as the input's next version, in one transaction with its audit entry and
 * the analysts' notices. The form's one-time key makes a repeat (a double click, a resent post)
 * answer with the version it already made; the same key with other content is refused.
 */
export function submitInput(
  db: Db,
  viewer: Account & { organisationId: number },
  consultationId: number,
  submission: { items: ItemInput[]; idempotencyKey: string; values: FormValues },
  actor: AppActor,
  now = new Date(),
): SubmitOutcome {
  const hash = contentHash(submission.items);
  return db.transaction((tx) => {
    const consultation = viewConsultation(tx, viewer, consultationId, now);
    const existing = findInput(tx, consultationId, viewer.organisationId);
    if (existing) {
      const earlier = tx
        .select({ number: threatInputVersions.number, contentHash: threatInputVersions.contentHash })
        .from(threatInputVersions)
        .where(
          and(eq(threatInputVersions.inputId, existing.id), eq(threatInputVersions.idempotencyKey, submission.idempotencyKey)),
        )
        .get();
      if (earlier) {
        if (earlier.contentHash !== hash) {
          throw new AppError(
            "conflict",
            "This form was already submitted, with other content. Reload the page to submit your changes as a new revision.",
          );
        }
        return { inputId: existing.id, version: earlier.number, repeated: true };
      }
    }
    const locked = lockedReason(consultation, now);
    if (locked) throw new AppError("conflict", locked);

    const input =
      existing ??
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
        idempotencyKey: submission.idempotencyKey,
        contentHash: hash,
      })
      .returning({ id: threatInputVersions.id })
      .get();
    submission.items.forEach((item, position) => insertItem(tx, version.id, position, item));
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
    const kind = number === 1 ? "received" : "revised";
    for (const analyst of activeAnalysts(tx)) {
      notify(tx, analyst, `threat-input-${kind}:${input.id}:${number}:${analyst.id}`, {
        kind,
        consultationTitle: consultation.title,
        link: inputLink(actor.appUrl, input.id),
      }, actor.appUrl, now);
    }
    return { inputId: input.id, version: number, repeated: false };
  });
}

function insertItem(tx: DbOrTx, versionId: number, position: number, item: ItemInput) {
  const { indicators, redRecipients, ...fields } = item;
  const row = tx
    .insert(threatInputItems)
    .values({ versionId, position, ...fields })
    .returning({ id: threatInputItems.id })
    .get();
  for (const indicator of indicators) {
    tx.insert(threatInputIndicators)
      .values({ itemId: row.id, type: indicator.type, value: indicator.value, comment: indicator.comment ?? null })
      .run();
  }
  for (const userId of redRecipients) tx.insert(threatInputItemRecipients).values({ itemId: row.id, userId }).run();
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
// Reading inputs, item by item, as each viewer may

/**
 * The input, if this person may see it: their own organisation's, or any submitted one for the
 * taskforce's staff. Everyone else, and staff asking for a draft never submitted, learns
 * nothing (not_found), not even that it exists.
 */
export function visibleInput(db: DbOrTx, viewer: Account, inputId: number): InputRecord {
  const input = db.select(recordColumns).from(threatInputs).where(eq(threatInputs.id, inputId)).get();
  const own = !!input && viewer.organisationId !== null && input.organisationId === viewer.organisationId;
  const staff = !!input && isTaskforceStaff(viewer) && input.currentVersion > 0;
  if (!input || !(own || staff)) throw new AppError("not_found", "There is no such input.");
  return input;
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

type Recipients = Map<number, { id: number; name: string }[]>;

function recipientsOf(db: DbOrTx, itemIds: number[]): Recipients {
  if (itemIds.length === 0) return new Map();
  return byItem(
    db
      .select({ itemId: threatInputItemRecipients.itemId, id: users.id, name: users.name })
      .from(threatInputItemRecipients)
      .innerJoin(users, eq(users.id, threatInputItemRecipients.userId))
      .where(inArray(threatInputItemRecipients.itemId, itemIds))
      .orderBy(asc(users.name))
      .all(),
  );
}

/**
 * TLP:RED is for the named analysts (and the organisation that wrote it) alone: coordinators
 * and the other analysts do not see it.
 */
function maySeeItem(viewer: Account, organisationId: number, item: Pick<ItemRow, "id" | "tlp">, recipients: Recipients) {
  if (viewer.organisationId !== null && viewer.organisationId === organisationId) return true;
  if (!isTaskforceStaff(viewer)) return false;
  if (item.tlp !== "TLP:RED") return true;
  return (recipients.get(item.id) ?? []).some((recipient) => recipient.id === viewer.id);
}

type ItemOfInput = { id: number; tlp: Tlp; inputId: number; organisationId: number };

/**
 * The items this person may read, with every AMBER+STRICT and RED one among them written to the
 * audit log as viewed; the others are only counted. Every page that shows items goes through here.
 */
export function readableItems<T extends ItemOfInput>(db: DbOrTx, viewer: Account, items: T[], actor: Actor, now = new Date()) {
  const recipients = recipientsOf(db, items.filter((item) => item.tlp === "TLP:RED").map((item) => item.id));
  const shown = items.filter((item) => maySeeItem(viewer, item.organisationId, item, recipients));
  for (const item of shown) {
    if (!AUDITED_MARKS.includes(item.tlp)) continue;
    recordAudit(db, {
      action: "threat_input.item_viewed",
      actorUserId: viewer.id,
      targetType: "threat_input_item",
      targetId: item.id,
      detail: { inputId: item.inputId, tlp: item.tlp },
      origin: actor.origin,
      at: now,
    });
  }
  return { shown, withheld: items.length - shown.length, recipients };
}

/** The indicators of several items, each item's in the order they were given. */
export function indicatorsOf(db: DbOrTx, itemIds: number[]) {
  return byItem(
    itemIds.length === 0
      ? []
      : db
          .select({
            itemId: threatInputIndicators.itemId,
            type: threatInputIndicators.type,
            value: threatInputIndicators.value,
            comment: threatInputIndicators.comment,
          })
          .from(threatInputIndicators)
          .where(inArray(threatInputIndicators.itemId, itemIds))
          .orderBy(asc(threatInputIndicators.id))
          .all(),
  );
}

/** The items of one version that this person may see, and how many are withheld from them. */
function itemsOfVersion(db: DbOrTx, viewer: Account, input: InputRecord, versionId: number, actor: Actor, now: Date) {
  const rows = db
    .select()
    .from(threatInputItems)
    .where(eq(threatInputItems.versionId, versionId))
    .orderBy(asc(threatInputItems.position))
    .all();
  const { shown, recipients } = readableItems(
    db,
    viewer,
    rows.map((row) => ({ ...row, inputId: input.id, organisationId: input.organisationId })),
    actor,
    now,
  );
  const indicators = indicatorsOf(db, shown.map((row) => row.id));
  return {
    items: shown.map((row) => ({
      ...row,
      indicators: indicators.get(row.id) ?? [],
      recipients: recipients.get(row.id) ?? [],
    })),
    withheld: rows.length - shown.length,
    attributions: rows.map((row) => row.attribution),
  };
}

const STRICTNESS: Attribution[] = ["named", "sector_country", "anonymous"];

/**
 * Who the input is from, in the words this person may read: the organisation itself for its
 * own members and the analysts; for everyone else, no more than the strictest attribution any
 * of its items asked for.
 */
function sourceFor(db: DbOrTx, viewer: Account, input: InputRecord, attributions: Attribution[]) {
  const organisation = db
    .select({ name: organisations.name, sector: organisations.sector, country: organisations.country })
    .from(organisations)
    .where(eq(organisations.id, input.organisationId))
    .get()!;
  const own = viewer.organisationId === input.organisationId;
  if (own || isAnalyst(viewer)) return { label: organisation.name, named: true };
  const strictest = attributions.reduce<Attribution>(
    (worst, attribution) => (STRICTNESS.indexOf(attribution) > STRICTNESS.indexOf(worst) ? attribution : worst),
    "named",
  );
  return { label: attributedSource(strictest, organisation), named: strictest === "named" };
}

/** How a source is named where its attribution choice holds: the name, its sector and country, or nothing. */
export function attributedSource(attribution: Attribution, organisation: { name: string; sector: Sector; country: string }): string {
  if (attribution === "named") return organisation.name;
  if (attribution === "sector_country") return `${SECTOR_LABELS[organisation.sector]} in ${countryName(organisation.country)}`;
  return "An organisation that asked to stay anonymous";
}

function versionRow(db: DbOrTx, inputId: number, number: number) {
  return db
    .select({
      id: threatInputVersions.id,
      number: threatInputVersions.number,
      submittedAt: threatInputVersions.submittedAt,
      submittedBy: users.name,
    })
    .from(threatInputVersions)
    .leftJoin(users, eq(users.id, threatInputVersions.submittedByUserId))
    .where(and(eq(threatInputVersions.inputId, inputId), eq(threatInputVersions.number, number)))
    .get();
}

/**
 * One version of an input (the current one unless a number is given) as this person may see
 * it; every view of an AMBER+STRICT or RED item is audited.
 */
export function viewInput(db: DbOrTx, viewer: Account, inputId: number, actor: Actor, options: { version?: number } = {}, now = new Date()) {
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
  const number = options.version ?? input.currentVersion;
  const version = number > 0 ? versionRow(db, input.id, number) : undefined;
  if (options.version !== undefined && !version) throw new AppError("not_found", "There is no such version.");
  const shown = version
    ? itemsOfVersion(db, viewer, input, version.id, actor, now)
    : { items: [], withheld: 0, attributions: [] as Attribution[] };
  const versions = db
    .select({ number: threatInputVersions.number, submittedAt: threatInputVersions.submittedAt })
    .from(threatInputVersions)
    .where(eq(threatInputVersions.inputId, input.id))
    .orderBy(desc(threatInputVersions.number))
    .all();
  return {
    input,
    consultation,
    version: version ?? null,
    isCurrent: number === input.currentVersion,
    /** Why the organisation can no longer change it, or null. */
    locked: lockedReason(consultation, now),
    ...shown,
    source: sourceFor(db, viewer, input, shown.attributions),
    versions,
    messages: messagesOf(db, input.id),
    /** The strictest mark among what is shown: the page's own handling mark. */
    handlingMark: strictestMark(shown.items.map((item) => item.tlp)),
  };
}

/** The strictest of the marks (TLP_MARKS runs from CLEAR to RED), never below the portal's own AMBER. */
export function strictestMark(marks: Tlp[]): Tlp {
  return marks.reduce<Tlp>((worst, mark) => (TLP_MARKS.indexOf(mark) > TLP_MARKS.indexOf(worst) ? mark : worst), "TLP:AMBER");
}

function messagesOf(db: DbOrTx, inputId: number) {
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
    .all();
}

// ---------------------------------------------------------------------------------------------
// Triage

/** The analysts' queue: inputs submitted or withdrawn, with what each viewer may see of them. */
export function triageQueue(db: DbOrTx, viewer: Account, filter: TriageFilter) {
  const rows = db
    .select({
      input: threatInputs,
      consultationTitle: consultations.title,
      organisationName: organisations.name,
      versionId: threatInputVersions.id,
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
        filter.consultationId ? eq(threatInputs.consultationId, filter.consultationId) : undefined,
        filter.organisationId ? eq(threatInputs.organisationId, filter.organisationId) : undefined,
        filter.state ? and(eq(threatInputs.triageState, filter.state), eq(threatInputs.status, "submitted")) : undefined,
      ),
    )
    .orderBy(desc(threatInputs.submittedAt), desc(threatInputs.id))
    .all();
  const versionIds = rows.map((row) => row.versionId);
  const items = versionIds.length
    ? db
        .select({ id: threatInputItems.id, versionId: threatInputItems.versionId, crimeArea: threatInputItems.crimeArea, tlp: threatInputItems.tlp })
        .from(threatInputItems)
        .where(inArray(threatInputItems.versionId, versionIds))
        .all()
    : [];
  const recipients = recipientsOf(db, items.filter((item) => item.tlp === "TLP:RED").map((item) => item.id));
  return rows
    .map((row) => {
      const own = items.filter((item) => item.versionId === row.versionId);
      const visible = own.filter((item) => maySeeItem(viewer, row.input.organisationId, item, recipients));
      return {
        id: row.input.id,
        consultationId: row.input.consultationId,
        consultationTitle: row.consultationTitle,
        organisationName: row.organisationName,
        status: row.input.status,
        triageState: row.input.triageState,
        version: row.input.currentVersion,
        submittedAt: row.input.submittedAt!,
        crimeAreas: [...new Set(visible.map((item) => item.crimeArea))],
        marks: [...new Set(visible.map((item) => item.tlp))],
        items: visible.length,
        withheld: own.length - visible.length,
      };
    })
    .filter(
      (row) =>
        (!filter.crimeArea || row.crimeAreas.includes(filter.crimeArea)) && (!filter.tlp || row.marks.includes(filter.tlp)),
    );
}

/** The filters' choices: consultations and organisations that have input at all. */
export function triageChoices(db: DbOrTx) {
  const submitted = isNotNull(threatInputs.submittedAt);
  return {
    consultations: db
      .selectDistinct({ id: consultations.id, title: consultations.title })
      .from(threatInputs)
      .innerJoin(consultations, eq(consultations.id, threatInputs.consultationId))
      .where(submitted)
      .orderBy(asc(consultations.title))
      .all(),
    organisations: db
      .selectDistinct({ id: organisations.id, name: organisations.name })
      .from(threatInputs)
      .innerJoin(organisations, eq(organisations.id, threatInputs.organisationId))
      .where(submitted)
      .orderBy(asc(organisations.name))
      .all(),
  };
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
        ),
      )
      .get();
    if (!item || !maySeeItem(viewer, input.organisationId, item, recipientsOf(tx, [item.id]))) {
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

export type InputProgress = "drafted" | "submitted" | "withdrawn";

/** How far each organisation has got with its input to a consultation. */
export function inputProgressByOrganisation(db: DbOrTx, consultationId: number): Map<number, InputProgress> {
  const rows = db
    .select({ organisationId: threatInputs.organisationId, status: threatInputs.status })
    .from(threatInputs)
    .where(eq(threatInputs.consultationId, consultationId))
    .all();
  return new Map(rows.map((row) => [row.organisationId, row.status === "draft" ? "drafted" : row.status]));
}

/** The inputs in for a consultation, as the staff read them. */
export function inputsOfConsultation(db: DbOrTx, consultationId: number) {
  return db
    .select({
      id: threatInputs.id,
      status: threatInputs.status,
      triageState: threatInputs.triageState,
      version: threatInputs.currentVersion,
      submittedAt: threatInputs.submittedAt,
    })
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, consultationId), isNotNull(threatInputs.submittedAt)))
    .orderBy(desc(threatInputs.submittedAt))
    .all();
}

/** How many inputs wait for an analyst's decision. */
export function countAwaitingTriage(db: DbOrTx): number {
  return (
    db
      .select({ n: sql<number>`count(*)` })
      .from(threatInputs)
      .where(and(eq(threatInputs.status, "submitted"), eq(threatInputs.triageState, "new")))
      .get()?.n ?? 0
  );
}

/** A stakeholder's own organisation's input per consultation, for their home page. */
export function ownInputStates(db: DbOrTx, organisationId: number) {
  return new Map(
    db
      .select({
        consultationId: threatInputs.consultationId,
        id: threatInputs.id,
        status: threatInputs.status,
        triageState: threatInputs.triageState,
      })
      .from(threatInputs)
      .where(eq(threatInputs.organisationId, organisationId))
      .all()
      .map((row) => [row.consultationId, row]),
  );
}
