import { count, eq } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { expect } from "vitest";
import { organisations, users } from "../../db/schema";
import type { DbOrTx } from "~/lib/db.server";
import { AppError, type AppErrorCode } from "~/lib/errors";

/** Runs `run`, which must throw; returns what it threw so that a test can look at it. */
export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw, and it returned normally");
}

/** Runs `run`, which must throw an AppError with this code; returns the error. */
export function appErrorFrom(run: () => unknown, code: AppErrorCode): AppError {
  const error = thrownBy(run);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

export const minutes = (n: number) => n * 60_000;
export const later = (at: Date, ms: number) => new Date(at.getTime() + ms);

/** The id of a seeded (or created) person, by address. */
export function userIdOf(db: DbOrTx, email: string): number {
  const row = db.select({ id: users.id }).from(users).where(eq(users.email, email)).get();
  if (!row) throw new Error(`no user ${email}`);
  return row.id;
}

/** The id of a seeded organisation, by name. */
export function organisationIdOf(db: DbOrTx, name: string): number {
  const row = db.select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name)).get();
  if (!row) throw new Error(`no organisation ${name}`);
  return row.id;
}

/** How many rows a table holds. */
export function rowCount(db: DbOrTx, table: SQLiteTable): number {
  return db.select({ n: count() }).from(table).get()!.n;
}

/** The field names a zod failure points at. */
export function failedFields(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] {
  return (result.error?.issues ?? []).map((issue) => issue.path.join("."));
}
