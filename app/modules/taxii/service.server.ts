import { createHash, randomBytes } from "node:crypto";
import { and, asc, desc, eq, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { assessmentEditions, editionReleases, editionStixObjects, memberAgencies, taxiiApiKeys } from "../../../db/schema";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { isCountryCode } from "~/lib/countries";
import type { Actor } from "../accounts/service.server";
import { isAnalyst, type Viewer } from "../access/gate.server";
import { recordAudit } from "../audit/audit.server";
import { STIX_ID_NAMESPACE, uuidV5 } from "../assessment/stix.server";

// TAXII 2.1, read-only (docs/decisions/019): member agencies pull the published editions an
// analyst released to them. Keys are issued by an admin to an agency, shown once, kept as their
// SHA-256, revocable. What a collection carries was frozen when each edition was published
// (edition_stix_objects: the export rules for member agencies), so a request reads rows, not items.

export const MEMBER_AGENCIES_AUDIENCE = "member-agencies";
const agencyAudience = (agencyId: number) => `agency:${agencyId}`;

function assertAdmin(viewer: Viewer) {
  if (!viewer.roles.includes("admin")) throw new AppError("forbidden", "Only administrators manage member agencies and their keys.");
}

// ---------------------------------------------------------------------------------------------
// Agencies and keys (admin)

export const agencyFormSchema = z.object({
  name: z.string("Give the agency's name.").trim().min(3, "Give the agency's name.").max(200, "Keep the name under 200 characters."),
  country: z
    .string("Give the agency's country.")
    .trim()
    .toUpperCase()
    .refine(isCountryCode, "Give the country as an ISO 3166-1 code such as NL or CO."),
});

export const keyFormSchema = z.object({
  label: z.string("Say what the key is for.").trim().min(3, "Say what the key is for, such as the platform that uses it.").max(100, "Keep the label under 100 characters."),
});

export function listAgencies(db: DbOrTx, viewer: Viewer) {
  assertAdmin(viewer);
  return db
    .select({
      id: memberAgencies.id,
      name: memberAgencies.name,
      country: memberAgencies.country,
      keys: sql<number>`(select count(*) from ${taxiiApiKeys} where ${taxiiApiKeys.agencyId} = ${memberAgencies.id} and ${taxiiApiKeys.revokedAt} is null)`,
    })
    .from(memberAgencies)
    .orderBy(asc(memberAgencies.name))
    .all();
}

export function createAgency(db: Db, viewer: Viewer, input: z.output<typeof agencyFormSchema>, actor: Actor, now = new Date()): number {
  assertAdmin(viewer);
  return db.transaction((tx) => {
    const taken = tx.select({ id: memberAgencies.id }).from(memberAgencies).where(sql`lower(${memberAgencies.name}) = lower(${input.name})`).get();
    if (taken) throw new AppError("conflict", "There is already a member agency of that name.", "name");
    const { id } = tx
      .insert(memberAgencies)
      .values({ name: input.name, country: input.country, createdAt: now, createdByUserId: viewer.id })
      .returning({ id: memberAgencies.id })
      .get();
    recordAudit(tx, { action: "taxii.agency_added", actorUserId: viewer.id, targetType: "member_agency", targetId: id, origin: actor.origin, at: now });
    return id;
  });
}

export function viewAgency(db: DbOrTx, viewer: Viewer, agencyId: number) {
  assertAdmin(viewer);
  const agency = db.select().from(memberAgencies).where(eq(memberAgencies.id, agencyId)).get();
  if (!agency) throw new AppError("not_found", "There is no such member agency.");
  const keys = db
    .select({
      id: taxiiApiKeys.id,
      label: taxiiApiKeys.label,
      prefix: taxiiApiKeys.prefix,
      createdAt: taxiiApiKeys.createdAt,
      lastUsedAt: taxiiApiKeys.lastUsedAt,
      revokedAt: taxiiApiKeys.revokedAt,
    })
    .from(taxiiApiKeys)
    .where(eq(taxiiApiKeys.agencyId, agencyId))
    .orderBy(desc(taxiiApiKeys.createdAt), desc(taxiiApiKeys.id))
    .all();
  return { agency, keys, collections: collectionsOf(agency) };
}

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** Issues a key for the agency: the key itself is returned once, here, and never stored. */
export function issueKey(db: Db, viewer: Viewer, agencyId: number, input: z.output<typeof keyFormSchema>, actor: Actor, now = new Date()) {
  assertAdmin(viewer);
  return db.transaction((tx) => {
    const agency = tx.select({ id: memberAgencies.id }).from(memberAgencies).where(eq(memberAgencies.id, agencyId)).get();
    if (!agency) throw new AppError("not_found", "There is no such member agency.");
    const key = `tfk_${randomBytes(24).toString("base64url")}`;
    const { id } = tx
      .insert(taxiiApiKeys)
      .values({ agencyId, label: input.label, prefix: key.slice(0, 10), keyHash: hashKey(key), createdAt: now, createdByUserId: viewer.id })
      .returning({ id: taxiiApiKeys.id })
      .get();
    recordAudit(tx, { action: "taxii.key_issued", actorUserId: viewer.id, targetType: "taxii_api_key", targetId: id, detail: { agencyId }, origin: actor.origin, at: now });
    return { id, key };
  });
}

export function revokeKey(db: Db, viewer: Viewer, agencyId: number, keyId: number, actor: Actor, now = new Date()) {
  assertAdmin(viewer);
  db.transaction((tx) => {
    const revoked = tx
      .update(taxiiApiKeys)
      .set({ revokedAt: now, revokedByUserId: viewer.id })
      .where(and(eq(taxiiApiKeys.id, keyId), eq(taxiiApiKeys.agencyId, agencyId), isNull(taxiiApiKeys.revokedAt)))
      .run().changes;
    if (revoked === 0) throw new AppError("conflict", "This key is already revoked, or is not this agency's.");
    recordAudit(tx, { action: "taxii.key_revoked", actorUserId: viewer.id, targetType: "taxii_api_key", targetId: keyId, detail: { agencyId }, origin: actor.origin, at: now });
  });
}

// ---------------------------------------------------------------------------------------------
// Releasing editions (analysts)

export const releaseFormSchema = z.object({
  audience: z.string("Choose who receives it.").regex(/^(member-agencies|agency:\d{1,9})$/, "Choose who receives it."),
});

/** Who a published edition may be released to, and to whom it already is. */
export function releaseChoices(db: DbOrTx, viewer: Viewer, editionId: number) {
  if (!isAnalyst(viewer)) return null;
  const agencies = db.select({ id: memberAgencies.id, name: memberAgencies.name }).from(memberAgencies).orderBy(asc(memberAgencies.name)).all();
  const released = db
    .select({ audience: editionReleases.audience, releasedAt: editionReleases.releasedAt })
    .from(editionReleases)
    .where(eq(editionReleases.editionId, editionId))
    .all();
  const names = new Map<string, string>([[MEMBER_AGENCIES_AUDIENCE, "All member agencies"], ...agencies.map((agency) => [agencyAudience(agency.id), agency.name] as [string, string])]);
  return {
    audiences: [...names].map(([value, label]) => ({ value, label })),
    released: released.map((release) => ({ ...release, label: names.get(release.audience) ?? release.audience })),
  };
}

/** Shares a published edition over TAXII with an audience; from then on its collection carries it. */
export function releaseEdition(db: Db, viewer: Viewer, editionId: number, input: z.output<typeof releaseFormSchema>, actor: Actor, now = new Date()) {
  if (!isAnalyst(viewer)) throw new AppError("forbidden", "Only the taskforce's analysts release editions to member agencies.");
  db.transaction((tx) => {
    const edition = tx.select({ status: assessmentEditions.status }).from(assessmentEditions).where(eq(assessmentEditions.id, editionId)).get();
    if (!edition) throw new AppError("not_found", "There is no such edition.");
    if (edition.status !== "published") throw new AppError("conflict", "Only a published edition can be released.");
    const agencyId = input.audience === MEMBER_AGENCIES_AUDIENCE ? null : Number(input.audience.slice("agency:".length));
    if (agencyId !== null && !tx.select({ id: memberAgencies.id }).from(memberAgencies).where(eq(memberAgencies.id, agencyId)).get()) {
      throw new AppError("invalid", "Choose who receives it.", "audience");
    }
    const inserted = tx
      .insert(editionReleases)
      .values({ editionId, audience: input.audience, agencyId, releasedAt: now, releasedByUserId: viewer.id })
      .onConflictDoNothing()
      .run().changes;
    if (inserted === 0) throw new AppError("conflict", "The edition is already released to them.", "audience");
    recordAudit(tx, { action: "assessment.released", actorUserId: viewer.id, targetType: "assessment", targetId: editionId, detail: { audience: input.audience }, origin: actor.origin, at: now });
  });
}

// ---------------------------------------------------------------------------------------------
// Clients

export type TaxiiClient = { keyId: number; agencyId: number; agencyName: string };

/**
 * The agency an Authorization header speaks for: "Bearer <key>", or HTTP Basic with the key as
 * the password (TAXII 2.1 §1.6.8 names Basic; OpenCTI and MISP send either). Null when there is
 * no such key, or it is revoked.
 */
export function authenticate(db: Db, authorization: string | null, now = new Date()): TaxiiClient | null {
  const key = keyFrom(authorization);
  if (!key) return null;
  const found = db
    .select({ keyId: taxiiApiKeys.id, agencyId: memberAgencies.id, agencyName: memberAgencies.name })
    .from(taxiiApiKeys)
    .innerJoin(memberAgencies, eq(memberAgencies.id, taxiiApiKeys.agencyId))
    .where(and(eq(taxiiApiKeys.keyHash, hashKey(key)), isNull(taxiiApiKeys.revokedAt)))
    .get();
  if (!found) return null;
  db.update(taxiiApiKeys).set({ lastUsedAt: now }).where(eq(taxiiApiKeys.id, found.keyId)).run();
  return found;
}

function keyFrom(authorization: string | null): string | null {
  if (!authorization) return null;
  const [scheme, credentials] = authorization.trim().split(/\s+/, 2);
  if (!credentials) return null;
  if (/^bearer$/i.test(scheme!)) return credentials;
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

export function auditTaxii(db: Db, client: TaxiiClient | null, request: { path: string; status: number; objects?: number }, actor: Actor) {
  recordAudit(db, {
    action: client ? "taxii.request" : "taxii.refused",
    targetType: client ? "taxii_api_key" : undefined,
    targetId: client?.keyId,
    detail: { agencyId: client?.agencyId ?? null, path: request.path, status: request.status, ...(request.objects === undefined ? {} : { objects: request.objects }) },
    origin: actor.origin,
  });
}

// ---------------------------------------------------------------------------------------------
// Collections

export type Collection = { id: string; audiences: string[]; title: string; description: string };

function collectionsOf(agency: { id: number; name: string }): Collection[] {
  return [
    {
      id: uuidV5(STIX_ID_NAMESPACE, `taxii/collection/${MEMBER_AGENCIES_AUDIENCE}`),
      audiences: [MEMBER_AGENCIES_AUDIENCE],
      title: "Taskforce threat assessment: all member agencies",
      description: "Published threat-assessment editions released to every member agency of the taskforce.",
    },
    {
      id: uuidV5(STIX_ID_NAMESPACE, `taxii/collection/${agencyAudience(agency.id)}`),
      audiences: [MEMBER_AGENCIES_AUDIENCE, agencyAudience(agency.id)],
      title: `Taskforce threat assessment: ${agency.name}`,
      description: `Editions released to every member agency, and those released to ${agency.name} alone.`,
    },
  ];
}

export const collectionsFor = (client: TaxiiClient) => collectionsOf({ id: client.agencyId, name: client.agencyName });

export const collectionFor = (client: TaxiiClient, id: string) => collectionsFor(client).find((collection) => collection.id === id);

export type VersionMatch = { kind: "last" } | { kind: "first" } | { kind: "all" } | { kind: "at"; times: number[] };
export type ObjectFilter = {
  ids?: string[];
  types?: string[];
  version: VersionMatch;
  addedAfter?: number;
  limit: number;
  /** The last row of the page before: "dateAdded stixId modified". */
  after?: { dateAdded: number; stixId: string; modified: number };
};

export type ObjectVersionRow = { stixId: string; type: string; modified: number; dateAdded: number; object: Record<string, unknown> };

/**
 * The object versions of a collection, a page at a time (keyset: date added, id, version): each
 * version once, added when the first edition carrying it was released to the collection's audience.
 */
export function collectionObjects(db: DbOrTx, collection: Collection, filter: ObjectFilter): { rows: ObjectVersionRow[]; more: boolean } {
  const audiences = sql.join(collection.audiences.map((audience) => sql`${audience}`), sql`, `);
  const versions = sql`select ${editionStixObjects.stixId} as stix_id, ${editionStixObjects.type} as type, ${editionStixObjects.modified} as modified,
      min(${editionReleases.releasedAt}) as date_added, ${editionStixObjects.object} as object
    from ${editionStixObjects} inner join ${editionReleases} on ${editionReleases.editionId} = ${editionStixObjects.editionId}
    where ${editionReleases.audience} in (${audiences})
    group by ${editionStixObjects.stixId}, ${editionStixObjects.modified}`;
  const conditions: SQL[] = [];
  if (filter.ids?.length) conditions.push(sql`v.stix_id in (${sql.join(filter.ids.map((id) => sql`${id}`), sql`, `)})`);
  if (filter.types?.length) conditions.push(sql`v.type in (${sql.join(filter.types.map((type) => sql`${type}`), sql`, `)})`);
  if (filter.version.kind === "last") conditions.push(sql`v.modified = (select max(w.modified) from versions w where w.stix_id = v.stix_id)`);
  if (filter.version.kind === "first") conditions.push(sql`v.modified = (select min(w.modified) from versions w where w.stix_id = v.stix_id)`);
  if (filter.version.kind === "at") conditions.push(sql`v.modified in (${sql.join(filter.version.times.map((time) => sql`${time}`), sql`, `)})`);
  if (filter.addedAfter !== undefined) conditions.push(sql`v.date_added > ${filter.addedAfter}`);
  if (filter.after) {
    const { dateAdded, stixId, modified } = filter.after;
    conditions.push(sql`(v.date_added, v.stix_id, v.modified) > (${dateAdded}, ${stixId}, ${modified})`);
  }
  const where = conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const rows = db.all<{ stix_id: string; type: string; modified: number; date_added: number; object: string }>(
    sql`with versions as (${versions}) select v.stix_id, v.type, v.modified, v.date_added, v.object from versions v ${where}
      order by v.date_added, v.stix_id, v.modified limit ${filter.limit + 1}`,
  );
  return {
    rows: rows.slice(0, filter.limit).map((row) => ({
      stixId: row.stix_id,
      type: row.type,
      modified: row.modified,
      dateAdded: row.date_added,
      object: JSON.parse(row.object) as Record<string, unknown>,
    })),
    more: rows.length > filter.limit,
  };
}

/** What a member agency's page asks (app/routes/admin.agencies.$agencyId.tsx). */
export const agencyIntentSchema = z.enum(["issue", "revoke"]);
