import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS_FOLDER } from "./db.server";

/** A backup that cannot be made or does not check out; its message says what to do. */
export class BackupError extends Error {
  override name = "BackupError";
}

export type DatabaseSummary = {
  integrity: "ok";
  /** Every table of the portal with its row count, by name. */
  tables: { name: string; rows: number }[];
  /** The newest migration applied (its journal tag), null when none is. */
  latestMigration: string | null;
  migrations: number;
  bytes: number;
};

// The whole database in one step of SQLite's online backup: a step that is interrupted by a
// write of another connection starts over, so copying a page batch at a time under a steady
// write load might never end. One step reads one snapshot, and in WAL mode writers go on.
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the live database at `source` to `target` (a new file) with SQLite's online backup,
 * while the portal goes on writing, then checks the copy. A copy that fails its check is removed.
 */
export async function backupDatabase(source: string, target: string): Promise<DatabaseSummary> {
  if (!fs.existsSync(source)) throw new BackupError(`There is no database at ${source} (set DATABASE_PATH to the portal's file).`);
  if (fs.existsSync(target)) throw new BackupError(`${target} already exists: name a new file, nothing was overwritten.`);
  if (!fs.existsSync(path.dirname(path.resolve(target)))) throw new BackupError(`The folder of ${target} does not exist.`);
  const live = new Database(source, { fileMustExist: true });
  try {
    live.pragma("busy_timeout = 5000");
    await live.backup(target, { progress: () => ALL_PAGES });
  } finally {
    live.close();
  }
  try {
    // The copy carries the live file's WAL mode; in rollback-journal mode it stays one file,
    // with no -wal and -shm beside it. The portal turns WAL on again when it opens a restore.
    const copy = new Database(target, { fileMustExist: true });
    copy.pragma("journal_mode = DELETE");
    copy.close();
    return summarise(target);
  } catch (error) {
    fs.rmSync(target, { force: true });
    throw error;
  }
}

/** Checks a database file with `PRAGMA integrity_check` and says what it holds. */
export function summarise(file: string): DatabaseSummary {
  try {
    return summariseChecked(file);
  } catch (error) {
    // Damage bad enough that SQLite refuses to read on is an answer of the check too.
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && /^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
      throw new BackupError(`${file} is damaged: ${(error as Error).message} (${code})`);
    }
    throw error;
  }
}

function summariseChecked(file: string): DatabaseSummary {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = copy.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    if (problems.length !== 1 || problems[0]!.integrity_check !== "ok") {
      throw new BackupError(`${file} fails SQLite's integrity check:\n${problems.map((p) => `  ${p.integrity_check}`).join("\n")}`);
    }
    const names = copy
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all() as string[];
    const tables = names.map((name) => ({
      name,
      rows: copy.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`).pluck().get() as number,
    }));
    const migrations = names.includes(MIGRATIONS_TABLE)
      ? (copy.prepare(`SELECT count(*) FROM ${MIGRATIONS_TABLE}`).pluck().get() as number)
      : 0;
    return { integrity: "ok", tables, latestMigration: latestMigration(copy, migrations), migrations, bytes: fs.statSync(file).size };
  } finally {
    copy.close();
  }
}

// drizzle records each applied migration with the `when` of its journal entry.
const MIGRATIONS_TABLE = "__drizzle_migrations";

function latestMigration(db: Database.Database, migrations: number): string | null {
  if (migrations === 0) return null;
  const when = Number(db.prepare(`SELECT max(created_at) FROM ${MIGRATIONS_TABLE}`).pluck().get());
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries.find((entry) => entry.when === when)?.tag ?? `one this version of the portal does not know (${when})`;
}
