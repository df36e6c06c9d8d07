import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { threatInputIndicators, threatInputItemEntities, threatInputItems, type ItemEntityKind, type ThreatActor } from "../../../db/schema";
import { jsonParam, type Db, type DbOrTx } from "~/lib/db.server";
import { beyondViewer } from "../access/gate.server";
import { resolvedKey } from "../reference/names";
import { warningListsFor } from "../reference/warning-lists";
import type { IndicatorType } from "../threat-input/indicators";

// What each item names, filed by resolved key (threat_input_item_entities), and each indicator's
// warning lists: written when an item is submitted, and once, at start-up, for rows from before.

type Named = { actors: ThreatActor[]; malware: string[]; techniques: string[] };

/** The keys an item names: actors with their aliases, malware, techniques; each once. */
export function entityKeysOf(item: Named): { kind: ItemEntityKind; key: string }[] {
  const keys = new Map<string, { kind: ItemEntityKind; key: string }>();
  const add = (kind: ItemEntityKind, key: string) => {
    if (key !== "") keys.set(`${kind} ${key}`, { kind, key });
  };
  for (const actor of item.actors) for (const name of [actor.name, ...actor.aliases]) add("actor", resolvedKey("actor", name));
  for (const name of item.malware) add("malware", resolvedKey("malware", name));
  for (const id of item.techniques) add("technique", id.trim().toUpperCase());
  return [...keys.values()];
}

// An item's rows go in as one JSON parameter (`insert ... select ... from json_each`): one
// statement an item. One drizzle insert a row spent more time building the same SQL again than
// SQLite spent writing (two thirds of a submit of 20,000 indicators).
const column = (name: { name: string }) => sql.identifier(name.name);

export function indexItemEntities(tx: DbOrTx, itemId: number, item: Named) {
  const keys = entityKeysOf(item);
  if (keys.length === 0) return;
  const t = threatInputItemEntities;
  tx.run(sql`insert or ignore into ${t} (${column(t.itemId)}, ${column(t.kind)}, ${column(t.key)})
    select ${itemId}, row.value ->> 'kind', row.value ->> 'key' from json_each(${jsonParam(keys)}) as row`);
}

export type IndicatorToFile = { type: IndicatorType; value: string; comment?: string | null; keepNote?: string | null };

/** An item's indicators, each with the warning lists its value is on, checked now. */
export function fileIndicators(tx: DbOrTx, itemId: number, indicators: IndicatorToFile[], now: Date) {
  if (indicators.length === 0) return;
  const rows = indicators.map((indicator) => {
    const warnings = warningListsFor(indicator.type, indicator.value);
    // Left out, the key reads as SQL NULL: on no list.
    return { type: indicator.type, value: indicator.value, comment: indicator.comment ?? null, keepNote: indicator.keepNote ?? null, ...(warnings.length ? { warnings } : {}) };
  });
  const t = threatInputIndicators;
  tx.run(sql`insert into ${t} (${column(t.itemId)}, ${column(t.type)}, ${column(t.value)}, ${column(t.comment)}, ${column(t.keepNote)}, ${column(t.warnings)}, ${column(t.warningsCheckedAt)})
    select ${itemId}, row.value ->> 'type', row.value ->> 'value', row.value ->> 'comment', row.value ->> 'keepNote', row.value -> 'warnings', ${now.getTime()}
    from json_each(${jsonParam(rows)}) as row order by row.key`);
}

const BATCH = 2_000;

/**
 * Files the items submitted before names were indexed, and checks the indicators submitted
 * before values were checked against the warning lists. Run at start-up; a database that is up
 * to date costs one pass over the items and one over the indicators, writing nothing (0.04-0.1 s
 * of the start at 55,000 items and 220,000 indicators).
 */
export function backfillIntelligence(db: Db) {
  const items = db
    .select({ id: threatInputItems.id, actors: threatInputItems.actors, malware: threatInputItems.malware, techniques: threatInputItems.techniques })
    .from(threatInputItems)
    .where(
      and(
        beyondViewer("indexing what items name and checking their values, showing nothing"),
        sql`(${threatInputItems.actors} <> '[]' or ${threatInputItems.malware} <> '[]' or ${threatInputItems.techniques} <> '[]')`,
        sql`not exists (select 1 from ${threatInputItemEntities} where ${threatInputItemEntities.itemId} = ${threatInputItems.id})`,
      ),
    )
    .all();
  if (items.length) db.transaction((tx) => items.forEach((item) => indexItemEntities(tx, item.id, item)));
  for (;;) {
    const unchecked = db
      .select({ id: threatInputIndicators.id, type: threatInputIndicators.type, value: threatInputIndicators.value })
      .from(threatInputIndicators)
      .where(and(beyondViewer("indexing what items name and checking their values, showing nothing"), isNull(threatInputIndicators.warningsCheckedAt)))
      .orderBy(asc(threatInputIndicators.id))
      .limit(BATCH)
      .all();
    if (unchecked.length === 0) return;
    const now = new Date();
    db.transaction((tx) => {
      for (const indicator of unchecked) {
        const warnings = warningListsFor(indicator.type as IndicatorType, indicator.value);
        tx.update(threatInputIndicators)
          .set({ warnings: warnings.length ? warnings : null, warningsCheckedAt: now })
          .where(eq(threatInputIndicators.id, indicator.id))
          .run();
      }
    });
  }
}
