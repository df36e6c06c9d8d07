import { and, asc, desc, eq, gt, gte, lt, lte, or, sql, type Column, type SQL } from "drizzle-orm";

/**
 * Keyset pagination, the one way every list of the portal pages (decision 024): a page is the
 * rows after the last row of the page before in a fixed order whose last key is unique, so a
 * page costs the same at any depth and nothing is repeated or skipped when rows are added.
 *
 * A cursor is the last row's keys, JSON in base64url: opaque in an address, and a cursor that
 * does not decode to keys of the expected kinds is ignored (the first page), never an error.
 */
export type KeyKind = "number" | "string" | "date";
type KeyValue = number | string;

export function encodeCursor(values: KeyValue[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

/** The keys a cursor carries, or null when it is not a cursor for these kinds of key. */
export function decodeCursor(cursor: string | undefined | null, kinds: KeyKind[]): KeyValue[] | null {
  if (!cursor || cursor.length > 1000) return null;
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(values) || values.length !== kinds.length) return null;
  const fits = values.every((value, index) =>
    kinds[index] === "string" ? typeof value === "string" : Number.isSafeInteger(value),
  );
  return fits ? (values as KeyValue[]) : null;
}

/** One key of the order: a column that is never null, its kind, and how a row gives its value. */
export type KeyPart<Row> = { column: Column; kind: KeyKind; of: (row: Row) => number | string | Date };

/**
 * A list's order and page size. `orderBy` and `limit` go into the query, `after(cursor)` into its
 * conditions; `page(rows)` cuts the extra row read to know whether there is a next page.
 */
export function keyset<Row>(spec: { order: "asc" | "desc"; keys: KeyPart<Row>[]; size: number }) {
  const { order, keys, size } = spec;
  const direction = order === "desc" ? desc : asc;
  const beyond = order === "desc" ? lt : gt;
  const reaching = order === "desc" ? lte : gte;
  const driverValue = (part: KeyPart<Row>, value: KeyValue) => (part.kind === "date" ? new Date(value as number) : value);
  const cursorValue = (value: number | string | Date) => (value instanceof Date ? value.getTime() : value);
  return {
    size,
    orderBy: keys.map((part) => direction(part.column)),
    limit: size + 1,
    /**
     * Rows after the cursor: (k0, k1, ...) beyond (v0, v1, ...), spelt out with the columns'
     * own operators (so dates are compared as stored), led by `k0 <= v0` (descending) so that
     * SQLite seeks into the index instead of walking it from the start.
     */
    after(cursor: string | undefined | null): SQL | undefined {
      const values = decodeCursor(cursor, keys.map((part) => part.kind));
      if (!values) return undefined;
      const from = (index: number): SQL | undefined => {
        const part = keys[index]!;
        const value = driverValue(part, values[index]!);
        if (index === keys.length - 1) return beyond(part.column, value);
        return or(beyond(part.column, value), and(eq(part.column, value), from(index + 1)));
      };
      return and(reaching(keys[0]!.column, driverValue(keys[0]!, values[0]!)), from(0));
    },
    page<T extends Row>(rows: T[]): { rows: T[]; next: string | null } {
      const shown = rows.slice(0, size);
      const last = shown.at(-1);
      return { rows: shown, next: rows.length > size && last ? encodeCursor(keys.map((part) => cursorValue(part.of(last)))) : null };
    },
  };
}

/** A case-insensitive "contains" search on a text column, the text's % and _ taken literally. */
export function containing(column: Column, text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return sql`${column} like ${pattern} escape '\\'`;
}
