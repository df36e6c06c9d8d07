import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import { organisations, users } from "../../../db/schema";
import { amongIds, type Db, type DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { containing, keyset } from "~/lib/keyset.server";
import type { Actor } from "../accounts/service.server";
import { endAccessOf } from "../accounts/service.server";
import { recordAudit } from "../audit/audit.server";
import { withdrawMailBeyondAccess } from "../mail/outbox.server";
import type { OrganisationInput } from "./schema";

export type Organisation = typeof organisations.$inferSelect;

const organisationColumns = {
  id: organisations.id,
  name: organisations.name,
  sector: organisations.sector,
  country: organisations.country,
  kind: organisations.kind,
  active: organisations.active,
  members: sql<number>`(select count(*) from ${users} where ${users.organisationId} = ${organisations.id} and ${users.active} = 1)`,
};

/** How many organisations a form offers beside those already chosen. */
export const ORGANISATION_CHOICES_SHOWN = 25;

/**
 * The organisations a form offers, bounded whatever their number: those already chosen, and up to
 * ORGANISATION_CHOICES_SHOWN active ones more by name (those whose name holds the words looked
 * for, or the first), with how many more match (`notShown`, to be found by name). A chosen one is
 * offered while active, or whatever its state with `keepChosen: "any"`: a person's organisation
 * deactivated since must still show on their form, or saving it would move them out of it.
 */
export function organisationChoices(db: DbOrTx, { chosen, find, keepChosen = "active" }: { chosen: number[]; find?: string; keepChosen?: "active" | "any" }) {
  const columns = { id: organisations.id, name: organisations.name, country: organisations.country };
  const chosenOnes = db
    .select(columns)
    .from(organisations)
    .where(and(keepChosen === "active" ? eq(organisations.active, true) : undefined, amongIds(organisations.id, chosen)))
    .all();
  const others = and(eq(organisations.active, true), find ? containing(organisations.name, find) : undefined, sql`not ${amongIds(organisations.id, chosen)}`);
  const found = db.select(columns).from(organisations).where(others).orderBy(asc(organisations.name), asc(organisations.id)).limit(ORGANISATION_CHOICES_SHOWN).all();
  const matching = db.select({ n: count() }).from(organisations).where(others).get()?.n ?? 0;
  return {
    offered: [...chosenOnes, ...found].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id),
    notShown: matching - found.length,
  };
}

export const ORGANISATIONS_PAGE_SIZE = 50;

/** By name, ties by id (the index organisations_name_idx). */
const organisationPages = keyset<{ name: string; id: number }>({
  order: "asc",
  keys: [
    { column: organisations.name, kind: "string", of: (row) => row.name },
    { column: organisations.id, kind: "number", of: (row) => row.id },
  ],
  size: ORGANISATIONS_PAGE_SIZE,
});

/** The organisations whose name holds `q`, a page at a time by name after the cursor `after`, and how many match. */
export function organisationsPage(db: DbOrTx, filter: { q?: string; after?: string }) {
  const where = filter.q ? containing(organisations.name, filter.q) : undefined;
  return {
    ...organisationPages.page(
      db
        .select(organisationColumns)
        .from(organisations)
        .where(and(where, organisationPages.after(filter.after)))
        .orderBy(...organisationPages.orderBy)
        .limit(organisationPages.limit)
        .all(),
    ),
    total: db.select({ n: count() }).from(organisations).where(where).get()?.n ?? 0,
  };
}

/** Every name an organisation goes by (its name, short names and aliases): what may not name it. */
export function organisationNames(db: DbOrTx, ids: number | number[]): string[] {
  const list = Array.isArray(ids) ? ids : [ids];
  if (list.length === 0) return [];
  return db
    .select({ name: organisations.name, aliases: organisations.aliases })
    .from(organisations)
    .where(inArray(organisations.id, list))
    .all()
    .flatMap((row) => [row.name, ...row.aliases]);
}

export function countActiveOrganisations(db: DbOrTx) {
  return db.select({ n: count() }).from(organisations).where(eq(organisations.active, true)).get()?.n ?? 0;
}

export function getOrganisation(db: DbOrTx, id: number): Organisation {
  const row = db.select().from(organisations).where(eq(organisations.id, id)).get();
  if (!row) throw new AppError("not_found", "There is no such organisation.");
  return row;
}

function assertNameFree(db: DbOrTx, name: string, exceptId?: number) {
  const taken = db
    .select({ id: organisations.id })
    .from(organisations)
    .where(sql`lower(${organisations.name}) = lower(${name})`)
    .get();
  if (taken && taken.id !== exceptId) {
    throw new AppError("conflict", "An organisation with this name already exists.", "name");
  }
}

export function createOrganisation(db: Db, input: OrganisationInput, actor: Actor, now = new Date()) {
  return db.transaction((tx) => {
    assertNameFree(tx, input.name);
    const { id } = tx
      .insert(organisations)
      .values({ ...input, createdAt: now })
      .returning({ id: organisations.id })
      .get();
    recordAudit(tx, {
      action: "organisation.created",
      actorUserId: actor.userId,
      targetType: "organisation",
      targetId: id,
      detail: { name: input.name },
      origin: actor.origin,
      at: now,
    });
    return id;
  });
}

export function updateOrganisation(db: Db, id: number, input: OrganisationInput, actor: Actor, now = new Date()) {
  db.transaction((tx) => {
    getOrganisation(tx, id);
    assertNameFree(tx, input.name, id);
    tx.update(organisations).set({ ...input, updatedAt: now }).where(eq(organisations.id, id)).run();
    recordAudit(tx, {
      action: "organisation.updated",
      actorUserId: actor.userId,
      targetType: "organisation",
      targetId: id,
      origin: actor.origin,
      at: now,
    });
  });
}

/** Deactivating an organisation shuts its members out at once; reactivating lets them back. */
export function setOrganisationActive(db: Db, id: number, active: boolean, actor: Actor, now = new Date()) {
  db.transaction((tx) => {
    const before = getOrganisation(tx, id);
    if (before.active === active) return;
    tx.update(organisations)
      .set({ active, deactivatedAt: active ? null : now, updatedAt: now })
      .where(eq(organisations.id, id))
      .run();
    if (!active) {
      const members = tx.select({ id: users.id }).from(users).where(eq(users.organisationId, id)).all();
      endAccessOf(tx, members.map((member) => member.id));
      withdrawMailBeyondAccess(tx, now);
    }
    recordAudit(tx, {
      action: active ? "organisation.reactivated" : "organisation.deactivated",
      actorUserId: actor.userId,
      targetType: "organisation",
      targetId: id,
      origin: actor.origin,
      at: now,
    });
  });
}
