import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { freshDatabase } from "../support/db";

// The connection keeps its prepared statements (app/lib/db.server.ts): the same text is prepared
// once, and a reused statement answers as a new one would, whatever its last caller made of it.

describe("a connection's prepared statements", () => {
  it("prepares a text once and hands the same statement back", () => {
    const { sqlite } = freshDatabase();
    const first = sqlite.prepare("select 1 as one");
    expect(sqlite.prepare("select 1 as one")).toBe(first);
    expect(sqlite.prepare("select 2 as two")).not.toBe(first);
  });

  it("gives rows as objects again after a caller switched the statement to raw, pluck or expand", () => {
    const { sqlite } = freshDatabase();
    expect(sqlite.prepare("select 1 as one").raw().all()).toEqual([[1]]);
    expect(sqlite.prepare("select 1 as one").all()).toEqual([{ one: 1 }]);
    expect(sqlite.prepare("select 1 as one").pluck().get()).toBe(1);
    expect(sqlite.prepare("select 1 as one").get()).toEqual({ one: 1 });
    expect(sqlite.prepare("select 1 as one").expand().get()).toEqual({ $: { one: 1 } });
    expect(sqlite.prepare("select 1 as one").get()).toEqual({ one: 1 });
  });

  it("answers drizzle's typed read and an untyped read of the same text, each in its own shape", () => {
    const { db } = freshDatabase({ seed: true });
    // drizzle reads a select with fields through raw() and maps the arrays itself.
    const query = db.select({ id: users.id }).from(users).orderBy(users.id);
    const typed = query.all();
    expect(typed[0]).toEqual({ id: 1 });
    expect(db.all(sql.raw(query.toSQL().sql))).toEqual(typed);
  });

  it("gives a caller its own statement while the kept one is still being iterated", () => {
    const { sqlite } = freshDatabase();
    const text = "select value from json_each('[1,2,3]')";
    const outer = sqlite.prepare(text);
    const seen: number[][] = [];
    for (const row of outer.iterate() as Iterable<{ value: number }>) {
      const inner = sqlite.prepare(text);
      expect(inner).not.toBe(outer);
      seen.push((inner.all() as { value: number }[]).map((each) => each.value).concat(row.value));
    }
    expect(seen).toEqual([
      [1, 2, 3, 1],
      [1, 2, 3, 2],
      [1, 2, 3, 3],
    ]);
  });
});
