import { sql } from "drizzle-orm";
import type { DbOrTx } from "~/lib/db.server";

/** True when the database answers a query; what /healthz reports. */
export function databaseAnswers(db: DbOrTx): boolean {
  try {
    return db.get<{ ok: number }>(sql`select 1 as ok`)?.ok === 1;
  } catch {
    return false;
  }
}
