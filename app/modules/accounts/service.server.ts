import { and, asc, count, eq, inArray, isNull, or, sql } from "drizzle-orm";
import {
  organisations,
  roleGrants,
  sessions,
  signInTokens,
  users,
  type Role,
} from "../../../db/schema";
import { builtOnce, type Db, type DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { containing, keyset } from "~/lib/keyset.server";
import { recordAudit, type RequestOrigin } from "../audit/audit.server";
import { withdrawMailBeyondAccess } from "../mail/outbox.server";
import type { AccountInput, PreferencesInput } from "./schema";

/** A person as every page sees them once signed in. */
export type Account = {
  id: number;
  name: string;
  email: string;
  organisationId: number | null;
  organisationName: string | null;
  timeZone: string;
  locale: string;
  active: boolean;
  roles: Role[];
};

export type Actor = { userId: number; origin: RequestOrigin };

const accountColumns = {
  id: users.id,
  name: users.name,
  email: users.email,
  organisationId: users.organisationId,
  organisationName: organisations.name,
  timeZone: users.timeZone,
  locale: users.locale,
  active: users.active,
};

function withRoles<T extends { id: number }>(db: DbOrTx, rows: T[]): (T & { roles: Role[] })[] {
  if (rows.length === 0) return [];
  const grants = db
    .select({ userId: roleGrants.userId, role: roleGrants.role })
    .from(roleGrants)
    .where(inArray(roleGrants.userId, rows.map((row) => row.id)))
    .orderBy(asc(roleGrants.role))
    .all();
  return rows.map((row) => ({
    ...row,
    roles: grants.filter((grant) => grant.userId === row.id).map((grant) => grant.role),
  }));
}

export function getAccount(db: DbOrTx, id: number): Account {
  const row = db
    .select(accountColumns)
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.id, id))
    .get();
  if (!row) throw new AppError("not_found", "There is no such person.");
  return withRoles(db, [row])[0]!;
}

/**
 * The people who may use the portal: active, in an active organisation or in none (taskforce
 * staff). For queries that join users with their organisations.
 */
export const accountIsUsable = () =>
  and(eq(users.active, true), or(isNull(users.organisationId), eq(organisations.active, true)));

/**
 * The session with this token hash, its account (roles and all), and whether the account may
 * still be used, in one statement: what every signed-in request asks first, where four queries
 * (the session, the account, its roles, the account's use) cost more to build than to run.
 */
const sessionAccountQuery = builtOnce((db) =>
  db
    .select({
      ...accountColumns,
      roles: sql<string>`(select json_group_array(role) from (select ${roleGrants.role} as role from ${roleGrants} where ${roleGrants.userId} = ${users.id}))`,
      usable: sql<number>`(${accountIsUsable()})`,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(sessions.idHash, sql.placeholder("idHash")))
    .prepare(),
);

export function sessionAccount(db: Db, idHash: string) {
  const row = sessionAccountQuery(db).get({ idHash });
  if (!row) return null;
  const { roles, usable, lastSeenAt, expiresAt, ...account } = row;
  return {
    session: { lastSeenAt, expiresAt },
    // In order, as getAccount lists them.
    account: { ...account, roles: (JSON.parse(roles) as Role[]).sort() } satisfies Account,
    usable: usable === 1,
  };
}

/**
 * The account that may sign in with this address: active, in an active organisation (or in
 * none, as taskforce staff are). Addresses compare without regard to case.
 */
export function findSignInAccount(db: DbOrTx, email: string) {
  return db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        sql`lower(${users.email}) = lower(${email.trim()})`,
        accountIsUsable(),
      ),
    )
    .get();
}

export type AccountFilter = { q?: string; role?: Role };

function accountWhere(filter: AccountFilter) {
  const q = filter.q?.trim();
  return and(
    q ? or(containing(users.name, q), containing(users.email, q), containing(organisations.name, q)) : undefined,
    // EXISTS, not IN: SQLite then walks users in the list's order and checks each one's grants.
    filter.role
      ? sql`exists (select 1 from ${roleGrants} where ${roleGrants.userId} = ${users.id} and ${roleGrants.role} = ${filter.role})`
      : undefined,
  );
}

/** Every account the filter matches, by name: for the choices of a form. */
export function listAccounts(db: DbOrTx, filter: AccountFilter) {
  const rows = db
    .select(accountColumns)
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(accountWhere(filter))
    .orderBy(asc(users.name), asc(users.id))
    .all();
  return withRoles(db, rows);
}

export const PEOPLE_PAGE_SIZE = 50;

/** By name, ties by id (the index users_name_idx). */
const peoplePages = keyset<{ name: string; id: number }>({
  order: "asc",
  keys: [
    { column: users.name, kind: "string", of: (row) => row.name },
    { column: users.id, kind: "number", of: (row) => row.id },
  ],
  size: PEOPLE_PAGE_SIZE,
});

/** The accounts the filter matches, a page at a time by name after the cursor `after`, and how many match. */
export function accountsPage(db: DbOrTx, filter: AccountFilter & { after?: string }) {
  const where = accountWhere(filter);
  const page = peoplePages.page(
    db
      .select(accountColumns)
      .from(users)
      .leftJoin(organisations, eq(organisations.id, users.organisationId))
      .where(and(where, peoplePages.after(filter.after)))
      .orderBy(...peoplePages.orderBy)
      .limit(peoplePages.limit)
      .all(),
  );
  const total =
    db.select({ n: count() }).from(users).leftJoin(organisations, eq(organisations.id, users.organisationId)).where(where).get()?.n ?? 0;
  return { rows: withRoles(db, page.rows), next: page.next, total };
}

export function countActiveAccounts(db: DbOrTx) {
  return db.select({ n: count() }).from(users).where(eq(users.active, true)).get()?.n ?? 0;
}

function assertCoherent(db: DbOrTx, input: AccountInput) {
  if (input.roles.includes("stakeholder") && !input.organisationId) {
    throw new AppError("invalid", "A stakeholder must belong to an organisation.", "organisationId");
  }
  if (input.organisationId) {
    const organisation = db
      .select({ active: organisations.active })
      .from(organisations)
      .where(eq(organisations.id, input.organisationId))
      .get();
    if (!organisation) throw new AppError("invalid", "Choose an organisation from the list.", "organisationId");
    if (!organisation.active) {
      throw new AppError("invalid", "This organisation is deactivated: choose an active one.", "organisationId");
    }
  }
}

function assertEmailFree(db: DbOrTx, email: string, exceptUserId?: number) {
  const taken = db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .get();
  if (taken && taken.id !== exceptUserId) {
    throw new AppError("conflict", "Another account already uses this address.", "email");
  }
}

function grantRoles(tx: DbOrTx, userId: number, roles: Role[], actor: Actor, now: Date) {
  for (const role of roles) {
    tx.insert(roleGrants).values({ userId, role, grantedBy: actor.userId, grantedAt: now }).run();
    recordAudit(tx, {
      action: "role.granted",
      actorUserId: actor.userId,
      targetType: "user",
      targetId: userId,
      detail: { role },
      origin: actor.origin,
      at: now,
    });
  }
}

export function createAccount(db: Db, input: AccountInput, actor: Actor, now = new Date()): number {
  return db.transaction((tx) => {
    assertCoherent(tx, input);
    assertEmailFree(tx, input.email);
    const { id } = tx
      .insert(users)
      .values({
        name: input.name,
        email: input.email,
        organisationId: input.organisationId ?? null,
        ...(input.timeZone ? { timeZone: input.timeZone, timeZoneSource: "chosen" as const } : {}),
        locale: input.locale,
        createdAt: now,
      })
      .returning({ id: users.id })
      .get();
    recordAudit(tx, {
      action: "account.created",
      actorUserId: actor.userId,
      targetType: "user",
      targetId: id,
      detail: { email: input.email },
      origin: actor.origin,
      at: now,
    });
    grantRoles(tx, id, input.roles, actor, now);
    return id;
  });
}

export function updateAccount(db: Db, id: number, input: AccountInput, actor: Actor, now = new Date()) {
  db.transaction((tx) => {
    const before = getAccount(tx, id);
    if (id === actor.userId && before.roles.includes("admin") && !input.roles.includes("admin")) {
      throw new AppError("invalid", "You cannot take the admin role from yourself.", "roles");
    }
    assertCoherent(tx, input);
    assertEmailFree(tx, input.email, id);
    tx.update(users)
      .set({
        name: input.name,
        email: input.email,
        organisationId: input.organisationId ?? null,
        ...(input.timeZone && input.timeZone !== before.timeZone
          ? { timeZone: input.timeZone, timeZoneSource: "chosen" as const }
          : {}),
        locale: input.locale,
        updatedAt: now,
      })
      .where(eq(users.id, id))
      .run();
    recordAudit(tx, {
      action: "account.updated",
      actorUserId: actor.userId,
      targetType: "user",
      targetId: id,
      origin: actor.origin,
      at: now,
    });
    const revoked = before.roles.filter((role) => !input.roles.includes(role));
    if (revoked.length > 0) {
      tx.delete(roleGrants)
        .where(and(eq(roleGrants.userId, id), inArray(roleGrants.role, revoked)))
        .run();
      for (const role of revoked) {
        recordAudit(tx, {
          action: "role.revoked",
          actorUserId: actor.userId,
          targetType: "user",
          targetId: id,
          detail: { role },
          origin: actor.origin,
          at: now,
        });
      }
    }
    grantRoles(
      tx,
      id,
      input.roles.filter((role) => !before.roles.includes(role)),
      actor,
      now,
    );
    // Moved to another organisation, or no longer staff: what they may no longer see stops now.
    withdrawMailBeyondAccess(tx, now);
  });
}

/** Ends every session and unused sign-in link of these people. */
export function endAccessOf(db: DbOrTx, userIds: number[]) {
  if (userIds.length === 0) return;
  db.delete(sessions).where(inArray(sessions.userId, userIds)).run();
  db.delete(signInTokens)
    .where(and(inArray(signInTokens.userId, userIds), isNull(signInTokens.usedAt)))
    .run();
}

export function setAccountActive(db: Db, id: number, active: boolean, actor: Actor, now = new Date()) {
  if (id === actor.userId && !active) {
    throw new AppError("invalid", "You cannot deactivate your own account.");
  }
  db.transaction((tx) => {
    const before = getAccount(tx, id);
    if (before.active === active) return;
    tx.update(users)
      .set({ active, deactivatedAt: active ? null : now, updatedAt: now })
      .where(eq(users.id, id))
      .run();
    if (!active) {
      endAccessOf(tx, [id]);
      withdrawMailBeyondAccess(tx, now);
    }
    recordAudit(tx, {
      action: active ? "account.reactivated" : "account.deactivated",
      actorUserId: actor.userId,
      targetType: "user",
      targetId: id,
      origin: actor.origin,
      at: now,
    });
  });
}

export function updatePreferences(db: DbOrTx, userId: number, input: PreferencesInput, now = new Date()) {
  db.update(users)
    .set({ timeZone: input.timeZone, timeZoneSource: "chosen", locale: input.locale, updatedAt: now })
    .where(eq(users.id, userId))
    .run();
}
