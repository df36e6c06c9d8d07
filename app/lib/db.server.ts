import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { sql, type Column } from "drizzle-orm";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "../../db/schema";
import { getEnv } from "./env.server";
import { singleton } from "./singleton.server";

/** The portal's handle, with the connection under it (whether a transaction is open on it, say). */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Module functions take either the handle or an open transaction. */
export type DbOrTx = Db | Tx;

/**
 * A list as one bound parameter, read back in SQL with json_each: one statement, and one SQL text
 * for the statement cache, whatever its length (never one parameter an id, past SQLite's 32,766).
 */
export const jsonParam = (value: unknown) => sql`${JSON.stringify(value)}`;

/** The rows whose `column` is one of these ids, however many: one JSON parameter. */
export const amongIds = (column: Column, ids: readonly number[]) => sql`${column} in (select value from json_each(${jsonParam(ids)}))`;

/**
 * A query whose SQL drizzle builds once per connection, run with `sql.placeholder` values: for
 * the few that every request runs (its session's account, its flash message). drizzle builds a
 * query's SQL again at each run, walking its parts, and that building was a tenth of a submit's
 * time; the statement cache below saves SQLite's prepare, not drizzle's building.
 */
export function builtOnce<Q>(build: (db: Db) => Q): (db: Db) => Q {
  const built = new WeakMap<Db, Q>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}

export const MIGRATIONS_FOLDER = path.resolve("db/migrations");

export function openDatabase(file: string): { db: Db; sqlite: Database.Database } {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  reusePreparedStatements(sqlite);
  const db = drizzle(sqlite, { schema });
  // Every transaction of the portal writes. Begun as IMMEDIATE, it takes the write lock first and
  // waits (busy_timeout) for another connection's writer; begun DEFERRED, its read would have to
  // upgrade to a write after someone else wrote, which SQLite refuses at once with SQLITE_BUSY.
  const deferred = db.transaction.bind(db);
  db.transaction = ((run, config) => deferred(run, { behavior: "immediate", ...config })) as Db["transaction"];
  return { db, sqlite };
}

/** How many statements a connection keeps prepared: the portal's queries are a few hundred texts. */
const PREPARED_KEPT = 1_000;

/**
 * drizzle prepares every query it runs, and SQLite's prepare (parsing and planning) cost more than
 * running most of the portal's small queries (a session look-up, a count). The same SQL text is
 * run with other parameters on every request, so the statement is kept and reused, the least
 * recently used dropped past PREPARED_KEPT. A reused statement returns to plain rows, as a new one
 * starts: drizzle switches statements to raw() and leaves them so.
 */
function reusePreparedStatements(sqlite: Database.Database) {
  const prepare = sqlite.prepare.bind(sqlite);
  const kept = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const statement = kept.get(source);
    // A statement still being iterated cannot run again until it is done: that caller gets its own.
    if (statement && !statement.busy) {
      kept.delete(source);
      kept.set(source, statement);
      if (statement.reader) statement.raw(false).pluck(false).expand(false);
      return statement;
    }
    const prepared = prepare(source);
    kept.set(source, prepared);
    if (kept.size > PREPARED_KEPT) kept.delete(kept.keys().next().value!);
    return prepared;
  }) as Database.Database["prepare"];
}

export function migrateDatabase(db: Db) {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

const connection = () => singleton("db", () => openDatabase(getEnv().DATABASE_PATH));

export function getDb(): Db {
  return connection().db;
}

export function closeDb() {
  connection().sqlite.close();
}
