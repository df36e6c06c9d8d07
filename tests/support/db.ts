import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type Database from "better-sqlite3";
import { migrateDatabase, openDatabase } from "~/lib/db.server";
import { seedDemoData } from "../../db/seed";

/** A new, migrated SQLite file: one per test file (or per test, where a test needs it). */
export function freshDatabase({ seed = false }: { seed?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tfc-db-"));
  const file = path.join(dir, "portal.sqlite");
  const { db, sqlite } = openDatabase(file);
  migrateDatabase(db);
  if (seed) seedDemoData(db);
  return { db, sqlite, file };
}

/** The statements `run` prepares on a connection, by their text (drizzle prepares each it runs). */
export function statementTexts(sqlite: Database.Database, run: () => unknown): string[] {
  const prepare = sqlite.prepare;
  const texts: string[] = [];
  sqlite.prepare = ((source: string) => {
    texts.push(source);
    return prepare.call(sqlite, source);
  }) as typeof prepare;
  try {
    run();
  } finally {
    sqlite.prepare = prepare;
  }
  return texts;
}
