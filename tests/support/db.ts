import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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
