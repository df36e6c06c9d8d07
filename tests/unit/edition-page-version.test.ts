import { describe, expect, it } from "vitest";
import { DEMO_SIGN_INS } from "../../db/seed";
import { getAccount } from "~/modules/accounts/service.server";
import { editionPage } from "~/modules/assessment/page.server";
import { editionFormSchema, mergeFormSchema, proposalFormSchema } from "~/modules/assessment/schema";
import { createEdition, mergeNames, proposeTarget, publishEdition, setOverride } from "~/modules/assessment/service.server";
import { agencyFormSchema, createAgency, releaseEdition, releaseFormSchema } from "~/modules/taxii/service.server";
import { statementTexts } from "../support/db";
import { at, editionRound, iso, NOW, type Fixture } from "../support/edition-round";
import type { Viewer } from "~/modules/access/viewer";
import { userIdOf } from "./helpers";

// An edition's page is kept per viewer and edition until the version moves (docs/decisions/030),
// and the version is moved by triggers on every table a page reads. What would go wrong is a page
// served after what it was computed from changed: figures over an item its reader may no longer
// read, say. So the tables are not listed here by hand: they are read off the SQL the pages run.

const PORTAL = "http://localhost:3000";

/**
 * The round of the scale tests with something in every table a page reads: its edition, with a
 * proposal and a score set by hand, published and released to a member agency; names merged;
 * and a draft after it over the same consultation.
 */
function round(title: string) {
  const f = editionRound(title);
  const analyst = getAccount(f.db, userIdOf(f.db, DEMO_SIGN_INS.analyst));
  const coordinator = getAccount(f.db, userIdOf(f.db, DEMO_SIGN_INS.coordinator));
  const admin = getAccount(f.db, userIdOf(f.db, DEMO_SIGN_INS.admin));
  const actor = { userId: analyst.id, origin: {}, appUrl: PORTAL };
  const itemIds = (f.sqlite.prepare("select id from threat_input_items where tlp <> 'TLP:RED' order by id limit 2").all() as { id: number }[]).map((row) => String(row.id));
  proposeTarget(f.db, analyst, f.editionId, proposalFormSchema.parse({ kind: "actor", name: "Shared Spider", rationale: "Every bank's input names the same crew behind it.", itemIds }), actor, at(-52));
  setOverride(f.db, analyst, f.editionId, { crimeArea: "banking_trojans", score: 12, reason: "Quiet this quarter in every report." }, actor, at(-52));
  mergeNames(f.db, analyst, mergeFormSchema.parse({ kind: "malware", from: "Strain0", into: "Grandoreiro" }), actor, at(-51));
  publishEdition(f.db, analyst, f.editionId, actor, at(-50));
  const agency = createAgency(f.db, admin, agencyFormSchema.parse({ name: "Bundeskriminalamt", country: "DE" }), { ...actor, userId: admin.id }, at(-50));
  releaseEdition(f.db, analyst, f.editionId, releaseFormSchema.parse({ audience: `agency:${agency}` }), actor, at(-49));
  const consultationIds = (f.sqlite.prepare("select consultation_id as id from assessment_edition_consultations where edition_id = ?").all(f.editionId) as { id: number }[]).map((row) => String(row.id));
  const draftId = createEdition(f.db, analyst, editionFormSchema.parse({ title: `${title}, later`, periodFrom: iso(-100), periodTo: iso(-60), consultationIds }), actor, at(-40));
  return { ...f, analyst, coordinator, actor, publishedId: f.editionId, draftId };
}

const version = (f: Fixture) => (f.sqlite.prepare("select version from edition_page_version").get() as { version: number }).version;

/**
 * A page once it is kept: a first view can itself write what the page reads (a RED item's reader
 * has their figures of the published editions frozen at first need, decision 027), so the page is
 * viewed again, and a third view must then read the version alone.
 */
function keptPage(f: Fixture, viewer: Viewer, id: number) {
  editionPage(f.db, viewer, id);
  const page = editionPage(f.db, viewer, id);
  let again: unknown;
  const texts = statementTexts(f.sqlite, () => (again = editionPage(f.db, viewer, id)));
  expect(texts).toHaveLength(1);
  expect(texts[0]).toContain("edition_page_version");
  expect(again).toEqual(page);
  return page;
}

/** The portal's tables named in these statements' SQL (drizzle quotes every name it writes). */
function tablesIn(f: Fixture, texts: string[]): Set<string> {
  const tables = (f.sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((row) => row.name);
  return new Set(tables.filter((table) => texts.some((text) => text.includes(`"${table}"`) || new RegExp(`\\b${table}\\b`).test(text))));
}

describe("an edition's page, kept until what it is computed from is written", () => {
  it("every table a page reads, for each reader and edition, moves the version on insert, update and delete", () => {
    const f = round("Versioned round");
    const texts: string[] = [];
    for (const viewer of [f.analyst, f.coordinator]) {
      for (const id of [f.publishedId, f.draftId]) texts.push(...statementTexts(f.sqlite, () => editionPage(f.db, viewer, id)));
    }
    const read = tablesIn(f, texts);
    read.delete("edition_page_version");
    // The page reads what its figures, sources, proposals, merges and releases are made of.
    for (const table of ["threat_input_items", "threat_input_item_recipients", "organisations", "entity_merges", "target_evidence", "assessment_edition_reader_figures", "edition_releases"]) {
      expect(read).toContain(table);
    }
    // Each table is written as any connection might: a row updated, deleted and put back, each
    // checked to move the version, then all rolled back. Every table read has a row here.
    f.sqlite.pragma("foreign_keys = OFF");
    const moved: Record<string, string[]> = {};
    for (const table of read) {
      const first = f.sqlite.prepare(`select rowid as id from "${table}" order by rowid limit 1`).get() as { id: number } | undefined;
      expect(first, `${table} has a row in the round`).toBeDefined();
      moved[table] = [];
      f.sqlite.exec("begin");
      try {
        f.sqlite.exec(`create temp table kept as select * from "${table}" where rowid = ${first!.id}`);
        // Updated first: put back, a row of a table without an integer key takes a new rowid.
        const steps: [string, string][] = [
          ["update", `update "${table}" set rowid = rowid where rowid = ${first!.id}`],
          ["delete", `delete from "${table}" where rowid = ${first!.id}`],
          ["insert", `insert into "${table}" select * from temp.kept`],
        ];
        for (const [step, statement] of steps) {
          const before = version(f);
          f.sqlite.exec(statement);
          if (version(f) > before) moved[table].push(step);
        }
      } finally {
        f.sqlite.exec("rollback");
      }
    }
    f.sqlite.pragma("foreign_keys = ON");
    expect(moved).toEqual(Object.fromEntries([...read].map((table) => [table, ["update", "delete", "insert"]])));
  });

  it("is computed once: a later view reads the version alone and shows the same page", () => {
    const f = round("Kept round");
    for (const viewer of [f.analyst, f.coordinator]) {
      for (const id of [f.draftId, f.publishedId]) keptPage(f, viewer, id);
    }
  });

  it("shows a write through the modules at the next view, and each reader their own page", () => {
    const f = round("Written round");
    const before = keptPage(f, f.analyst, f.draftId);
    const coordinators = keptPage(f, f.coordinator, f.draftId);
    // The coordinator reads none of the RED items the analyst reads: their page is their own.
    expect(coordinators.itemCount).toBe(before.itemCount - 3);
    expect(coordinators.hiddenItems).toBe(3);
    expect(before.areas.find((area) => area.crimeArea === "online_fraud")?.override ?? null).toBeNull();
    setOverride(f.db, f.analyst, f.draftId, { crimeArea: "online_fraud", score: 21, reason: "Seen rising in every bank's reports." }, f.actor, NOW);
    const after = editionPage(f.db, f.analyst, f.draftId);
    expect(after.areas.find((area) => area.crimeArea === "online_fraud")?.override?.score).toBe(21);
    expect(editionPage(f.db, f.coordinator, f.draftId).areas.find((area) => area.crimeArea === "online_fraud")?.override?.score).toBe(21);
  });

  it("leaves out, at the next view, a TLP:RED item its reader was taken from, however it was written", () => {
    const f = round("Recipient round");
    const before = keptPage(f, f.analyst, f.draftId);
    const red = f.sqlite.prepare("select item_id as id from threat_input_item_recipients where user_id = ? order by item_id limit 1").get(f.analyst.id) as { id: number };
    f.sqlite.prepare("delete from threat_input_item_recipients where item_id = ? and user_id = ?").run(red.id, f.analyst.id);
    const after = editionPage(f.db, f.analyst, f.draftId);
    expect(after.itemCount).toBe(before.itemCount - 1);
    expect(after.hiddenItems).toBe(before.hiddenItems + 1);
  });

  it("keeps no page computed inside a transaction, whose writes and version may be rolled back", () => {
    const f = round("Rolled-back round");
    keptPage(f, f.analyst, f.draftId);
    const start = version(f);
    let inside = -1;
    expect(() =>
      f.db.transaction(() => {
        f.sqlite.prepare("insert into assessment_overrides (edition_id, crime_area, score, reason, by_user_id, at) values (?, 'online_fraud', 3, 'Rolled back.', ?, ?)").run(f.draftId, f.analyst.id, NOW.getTime());
        inside = version(f);
        expect(editionPage(f.db, f.analyst, f.draftId).areas.find((area) => area.crimeArea === "online_fraud")?.override?.score).toBe(3);
        throw new Error("rolled back");
      }),
    ).toThrow("rolled back");
    expect(version(f)).toBe(start);
    // Another write brings the version back to the number it had inside the transaction.
    f.sqlite.prepare("update users set name = name where id = ?").run(f.analyst.id);
    expect(version(f)).toBe(inside);
    expect(editionPage(f.db, f.analyst, f.draftId).areas.find((area) => area.crimeArea === "online_fraud")?.override ?? null).toBeNull();
  });
});
