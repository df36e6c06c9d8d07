import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { organisations } from "../../db/schema";
import { BackupError, backupDatabase, summarise } from "~/lib/backup.server";
import { MIGRATIONS_FOLDER, openDatabase } from "~/lib/db.server";
import { freshDatabase } from "../support/db";

const opened: { close: () => unknown }[] = [];
afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
});

function seeded() {
  const live = freshDatabase({ seed: true });
  opened.push(live.sqlite);
  return live;
}
const newFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), "tfc-backup-"));
const journalTags = () =>
  (JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] }).entries.map(
    (entry) => entry.tag,
  );

async function thrownBy(run: () => Promise<unknown>): Promise<BackupError> {
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BackupError);
  return error as BackupError;
}

describe("backupDatabase", () => {
  it("copies the live database, with what the WAL holds, into one checked file and says what it holds", async () => {
    const live = seeded();
    // A write that sits in the WAL: a copy of the main file alone would miss it.
    live.db.insert(organisations).values({ name: "Kantonalbank Nord", sector: "bank", country: "CH", kind: "private" }).run();
    const target = path.join(newFolder(), "copy.sqlite");

    const summary = await backupDatabase(live.file, target);

    const rows = (name: string) => summary.tables.find((table) => table.name === name)?.rows;
    expect(summary.integrity).toBe("ok");
    expect(rows("organisations")).toBe(live.db.select().from(organisations).all().length);
    expect(rows("users")).toBeGreaterThan(0);
    expect(rows("outbox")).toBe(0);
    expect(summary.tables.map((table) => table.name)).toEqual([...summary.tables.map((table) => table.name)].sort());
    expect(summary.latestMigration).toBe(journalTags().at(-1));
    expect(summary.migrations).toBe(journalTags().length);
    expect(summary.bytes).toBe(fs.statSync(target).size);
    // One file: no -wal or -shm to carry along.
    expect(fs.readdirSync(path.dirname(target))).toEqual(["copy.sqlite"]);

    const copy = openDatabase(target);
    opened.push(copy.sqlite);
    expect(copy.db.select().from(organisations).all().map((o) => o.name)).toContain("Kantonalbank Nord");
  });

  it("overwrites nothing, and says why it made no copy", async () => {
    const live = seeded();
    const folder = newFolder();
    const existing = path.join(folder, "last-night.sqlite");
    fs.writeFileSync(existing, "yesterday's backup");

    expect((await thrownBy(() => backupDatabase(live.file, existing))).message).toMatch(/already exists.*nothing was overwritten/);
    expect(fs.readFileSync(existing, "utf8")).toBe("yesterday's backup");
    expect((await thrownBy(() => backupDatabase(path.join(folder, "nowhere.sqlite"), path.join(folder, "a.sqlite")))).message).toMatch(
      /There is no database at .*nowhere\.sqlite.*DATABASE_PATH/,
    );
    expect((await thrownBy(() => backupDatabase(live.file, path.join(folder, "missing", "a.sqlite")))).message).toMatch(/folder .* does not exist/);
    expect(fs.readdirSync(folder)).toEqual(["last-night.sqlite"]);
  });
});

describe("summarise", () => {
  it("fails a damaged file with what SQLite found", async () => {
    const live = seeded();
    const target = path.join(newFolder(), "copy.sqlite");
    await backupDatabase(live.file, target);
    // Scribble over a page in the middle of the file, as a torn copy would have it.
    const bytes = fs.readFileSync(target);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0x5a, pageSize * 4, pageSize * 6);
    fs.writeFileSync(target, bytes);

    expect(() => summarise(target)).toThrow(BackupError);
    expect(() => summarise(target)).toThrow(/copy\.sqlite (fails SQLite's integrity check|is damaged)/);
  });
});
