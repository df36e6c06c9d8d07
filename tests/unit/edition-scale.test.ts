import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_SIGN_INS } from "../../db/seed";
import { getAccount } from "~/modules/accounts/service.server";
import { editionFormSchema } from "~/modules/assessment/schema";
import {
  createEdition,
  exportSummary,
  itemsBehind,
  ITEMS_PAGE_SIZE,
  printableEdition,
  publishEdition,
  viewEdition,
} from "~/modules/assessment/service.server";
import { statementTexts } from "../support/db";
import { at, editionRound as fixture, iso, NOW, type Fixture } from "../support/edition-round";
import { userIdOf } from "./helpers";

// An edition's pages at scale, by structure, never by time: the number of SQL statements a page
// runs does not grow with the number of items, and an edition over more items than SQLite binds
// parameters (32,766) publishes and renders. Items are multiplied in SQL straight from the ones
// the modules stored, so that the fixture is quick and every row is what the modules write.

/** Adds `copies` copies of every item of the fixture's versions, each with an indicator of its own, and the RED ones' analysts. */
function multiply({ sqlite, versionIds }: Fixture, copies: number) {
  const columns = (sqlite.prepare("select name from pragma_table_info('threat_input_items')").all() as { name: string }[])
    .map((column) => column.name)
    .filter((name) => name !== "id" && name !== "position");
  const list = columns.join(", ");
  sqlite.transaction(() => {
    const before = (sqlite.prepare("select coalesce(max(id), 0) as id from threat_input_items").get() as { id: number }).id;
    for (const versionId of versionIds) {
      sqlite
        .prepare(
          `with recursive copy(n) as (select 1 union all select n + 1 from copy where n < ?)
           insert into threat_input_items (position, ${list})
           select position + 3 * n, ${list} from threat_input_items, copy where version_id = ? and position < 3`,
        )
        .run(copies, versionId);
    }
    sqlite
      .prepare(
        `insert into threat_input_indicators (item_id, type, value, warnings_checked_at)
         select id, 'domain-name', 'copy-' || id || '.example', 0 from threat_input_items where id > ?`,
      )
      .run(before);
    sqlite
      .prepare(
        `insert into threat_input_item_recipients (item_id, user_id)
         select id, (select id from users where email = ?) from threat_input_items where id > ? and tlp = 'TLP:RED'`,
      )
      .run(DEMO_SIGN_INS.analyst, before);
  })();
}

const statementsOf = (sqlite: Fixture["sqlite"], run: () => unknown) => statementTexts(sqlite, run).length;

const VIEWERS = ["analyst", "coordinator"] as const;

/** Every page of the edition, as each viewer asks for it, with the statements each ran. */
function pageStatements(f: Fixture) {
  const { db, sqlite, editionId } = f;
  const counts: Record<string, number> = {};
  for (const role of VIEWERS) {
    const viewer = getAccount(db, userIdOf(db, DEMO_SIGN_INS[role]));
    const actor = { userId: viewer.id, origin: {} };
    counts[`${role} edition`] = statementsOf(sqlite, () => viewEdition(db, viewer, editionId));
    counts[`${role} items of an area`] = statementsOf(sqlite, () => itemsBehind(db, viewer, editionId, { area: "banking_trojans" }, actor, NOW));
    counts[`${role} items of an actor`] = statementsOf(sqlite, () => itemsBehind(db, viewer, editionId, { actor: "Shared Spider" }, actor, NOW));
    counts[`${role} print`] = statementsOf(sqlite, () => printableEdition(db, viewer, editionId));
    if (role === "analyst") counts[`${role} export summary`] = statementsOf(sqlite, () => exportSummary(db, viewer, editionId));
  }
  return counts;
}

const publish = ({ db, editionId }: Fixture) =>
  publishEdition(db, getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst)), editionId, { userId: userIdOf(db, DEMO_SIGN_INS.analyst), origin: {}, appUrl: "http://localhost:3000" }, NOW);

describe("an edition's pages", () => {
  let small: Fixture;
  let large: Fixture;
  beforeAll(() => {
    small = fixture("Small round");
    large = fixture("Large round");
    multiply(large, 100);
  }, 120_000);

  it("run as many statements over 909 items as over 9, draft and published", { timeout: 300_000 }, () => {
    const draft = pageStatements(small);
    expect(pageStatements(large)).toEqual(draft);
    publish(small);
    publish(large);
    const published = pageStatements(small);
    expect(pageStatements(large)).toEqual(published);
  });

  it("lists the items behind a figure a page at a time, every item once, in item order", () => {
    const { db, editionId } = large;
    const viewer = getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst));
    const actor = { userId: viewer.id, origin: {} };
    const seen: number[] = [];
    let after: string | undefined;
    let pages = 0;
    let total = 0;
    do {
      const page = itemsBehind(db, viewer, editionId, { area: "banking_trojans", after }, actor, NOW);
      expect(page.items.length).toBeLessThanOrEqual(ITEMS_PAGE_SIZE);
      seen.push(...page.items.map((item) => item.id));
      total = page.total;
      after = page.next ?? undefined;
      pages += 1;
    } while (after && pages < 100);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toHaveLength(total);
    expect(seen).toEqual([...new Set(seen)].sort((a, b) => a - b));
    // A cursor that is not one is the first page, never an error.
    expect(itemsBehind(db, viewer, editionId, { area: "banking_trojans", after: "bm90LWEtY3Vyc29y" }, actor, NOW).items[0]!.id).toBe(seen[0]);
  });

  it("finds the items behind each kind of figure as the figures count them, for each reader, reading the text of a page of items only", () => {
    const { db, sqlite, editionId } = large;
    for (const role of VIEWERS) {
      const viewer = getAccount(db, userIdOf(db, DEMO_SIGN_INS[role]));
      const actor = { userId: viewer.id, origin: {} };
      /** Every item behind a filter, page after page, and the statements that read items' text. */
      const behind = (filter: Parameters<typeof itemsBehind>[3]) => {
        const ids: number[] = [];
        let after: string | undefined;
        let total = -1;
        const texts = statementTexts(sqlite, () => {
          do {
            const page = itemsBehind(db, viewer, editionId, { ...filter, after }, actor, NOW);
            ids.push(...page.items.map((item) => item.id));
            total = page.total;
            after = page.next ?? undefined;
          } while (after);
        });
        expect(ids, role).toHaveLength(total);
        // An item's assessed fields are read for the items of a page, never for every item of the edition.
        for (const text of texts.filter((one) => one.includes(`"threat_input_items"."techniques"`))) expect(text).toContain("json_each");
        return ids;
      };
      const view = viewEdition(db, viewer, editionId);
      for (const area of view.areas.filter((one) => one.items > 0)) expect(behind({ area: area.crimeArea }), `${role} ${area.crimeArea}`).toHaveLength(area.items);
      for (const entity of view.entities.slice(0, 6)) {
        const filter = entity.kind === "actor" ? { actor: entity.name } : { malware: entity.name };
        expect(behind(filter), `${role} ${entity.name}`).toEqual([...entity.itemIds].sort((a, b) => a - b));
        const inArea = behind({ ...filter, area: "banking_trojans" });
        expect(inArea.length).toBeLessThanOrEqual(entity.itemIds.length);
        expect(inArea.every((id) => entity.itemIds.includes(id))).toBe(true);
      }
      expect(behind({ indicator: "domain:phish-1.example" })).toHaveLength(1);
      // The RED item's indicator is behind a figure only for the analyst it names.
      expect(behind({ indicator: "domain:red-1.example" })).toHaveLength(role === "analyst" ? 1 : 0);
      expect(behind({ indicator: "no type at all" })).toEqual([]);
    }
  });
});

describe("an edition over more items than SQLite binds parameters", () => {
  // Generous time: this proves the structure, not the speed (tests/bench measures that).
  it("publishes and renders its figures", { timeout: 600_000 }, () => {
    const f = fixture("Huge round");
    multiply(f, 3_700);
    const { db, editionId } = f;
    const analyst = getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst));
    const items = (f.sqlite.prepare("select count(*) as n from threat_input_items").get() as { n: number }).n;
    expect(items).toBeGreaterThan(33_000);
    expect(viewEdition(db, analyst, editionId).itemCount).toBe(items);
    publish(f);
    const page = viewEdition(db, analyst, editionId);
    expect(page.itemCount).toBe(items);
    const trojans = page.areas.find((area) => area.crimeArea === "banking_trojans")!;
    // Two of each three items are banking trojans, one of them TLP:RED, which the analyst reads.
    expect(trojans.items).toBe((items / 3) * 2);
    expect(trojans.organisations).toBe(3);
    expect(page.entities.find((entity) => entity.name === "Shared Spider")?.organisations).toBe(3);
    expect(printableEdition(db, analyst, editionId).areas.find((area) => area.crimeArea === "banking_trojans")!.items).toBe(items / 3);
    expect(viewEdition(db, getAccount(db, userIdOf(db, DEMO_SIGN_INS.coordinator)), editionId).itemCount).toBe((items / 3) * 2);
  });
});

describe("a published edition, for an analyst its TLP:RED items name", () => {
  it("shows figures of their own, computed at their first view and frozen, without reading the items again", () => {
    const f = fixture("Reader round");
    multiply(f, 20);
    const { db, sqlite, editionId } = f;
    const analyst = getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst));
    const coordinator = getAccount(db, userIdOf(db, DEMO_SIGN_INS.coordinator));
    // Reads every item's techniques: what computing the figures from the items does.
    const readsItems = (texts: string[]) => texts.some((text) => text.includes(`"threat_input_items"."techniques"`));
    const readers = () => sqlite.prepare("select reader_user_id from assessment_edition_reader_figures where edition_id = ?").pluck().all(editionId);
    const view = (viewer: typeof analyst) => {
      let page: ReturnType<typeof viewEdition> | undefined;
      const read = readsItems(statementTexts(sqlite, () => (page = viewEdition(db, viewer, editionId))));
      return { page: page!, read };
    };
    expect(view(analyst).read).toBe(true);
    publish(f);
    // Publishing computes no reader's figures: there may be many readers, and it holds the lock.
    expect(readers()).toEqual([]);
    const first = view(analyst);
    expect(first.read).toBe(true);
    expect(readers()).toEqual([analyst.id]);
    const again = view(analyst);
    expect(again.read).toBe(false);
    expect(again.page.areas).toEqual(first.page.areas);
    expect(again.page.entities).toEqual(first.page.entities);
    // The coordinator reads no RED item: the staff audience's figures, frozen at publication.
    const staff = view(coordinator);
    expect(staff.read).toBe(false);
    expect(readers()).toEqual([analyst.id]);
    // The RED items count for the analyst: more items in their figures than in the staff's.
    const trojans = (page: ReturnType<typeof viewEdition>) => page.areas.find((area) => area.crimeArea === "banking_trojans")!.items;
    expect(trojans(again.page)).toBeGreaterThan(trojans(staff.page));
  });

  it("is frozen by a later draft's timeline too, so that the draft computes the edition before it once", () => {
    const f = fixture("Timeline round");
    multiply(f, 20);
    const { db, sqlite, editionId } = f;
    const analyst = getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst));
    publish(f);
    const consultationId = sqlite.prepare("select consultation_id from assessment_edition_consultations where edition_id = ?").pluck().get(editionId);
    const draftId = createEdition(
      db,
      analyst,
      editionFormSchema.parse({ title: "The round after", periodFrom: iso(-100), periodTo: iso(-60), consultationIds: [String(consultationId)] }),
      { userId: analyst.id, origin: {} },
      at(1),
    );
    // Each computation of an edition's figures reads its items' techniques once.
    const computations = (run: () => unknown) => statementTexts(sqlite, run).filter((text) => text.includes(`"threat_input_items"."techniques"`)).length;
    let first: ReturnType<typeof viewEdition> | undefined;
    expect(computations(() => (first = viewEdition(db, analyst, draftId)))).toBe(2);
    expect(sqlite.prepare("select reader_user_id from assessment_edition_reader_figures where edition_id = ?").pluck().all(editionId)).toEqual([analyst.id]);
    let again: ReturnType<typeof viewEdition> | undefined;
    expect(computations(() => (again = viewEdition(db, analyst, draftId)))).toBe(1);
    expect(again!.timeline).toEqual(first!.timeline);
    // The timeline's earlier point is the published edition's page as this analyst reads it.
    const published = viewEdition(db, analyst, editionId);
    for (const series of first!.timeline.series) {
      expect(series.points[0]).toEqual(published.areas.find((area) => area.crimeArea === series.crimeArea && area.items > 0)?.finalScore ?? null);
    }
    expect(first!.timeline.series.some((series) => series.points[0] !== null)).toBe(true);
  });
});

describe("a draft edition's page", () => {
  it("reads of its items what the figures use: no narrative, recommended actions or grading note, for any reader", () => {
    const f = fixture("Narrated round");
    const { db, sqlite, editionId } = f;
    const texts = VIEWERS.flatMap((role) => {
      const viewer = getAccount(db, userIdOf(db, DEMO_SIGN_INS[role]));
      return statementTexts(sqlite, () => {
        viewEdition(db, viewer, editionId);
        printableEdition(db, viewer, editionId);
        if (role === "analyst") exportSummary(db, viewer, editionId);
      });
    });
    // The figures were computed from the items (their techniques were read), and nothing more of them.
    expect(texts.some((text) => text.includes(`"threat_input_items"."techniques"`))).toBe(true);
    for (const column of ["narrative", "recommended_actions", "grade_note"]) {
      expect(texts.filter((text) => text.includes(`"threat_input_items"."${column}"`)), column).toEqual([]);
    }
  });

  it("lists no item, so a view writes nothing; the items behind a figure are audited once a page of them", () => {
    const f = fixture("Audited round");
    multiply(f, 50);
    const { db, sqlite, editionId } = f;
    const analyst = getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst));
    const actor = { userId: analyst.id, origin: {} };
    const views = () => sqlite.prepare("select detail from audit_events where action = 'threat_input.items_viewed' order by id").all() as { detail: string }[];
    const before = views().length;
    viewEdition(db, analyst, editionId);
    expect(views()).toHaveLength(before);
    // Two of each input's three items are AMBER+STRICT or RED: those of the page, in one row.
    const page = itemsBehind(db, analyst, editionId, {}, actor, NOW);
    const after = views();
    expect(after.length).toBe(before + 1);
    const sensitive = page.items.filter((item) => item.tlp === "TLP:AMBER+STRICT" || item.tlp === "TLP:RED").map((item) => item.id);
    expect(sensitive.length).toBeGreaterThan(0);
    expect((JSON.parse(after.at(-1)!.detail) as { items: number[] }).items).toEqual(sensitive);
  });
});

describe("the export summary", () => {
  it("counts the values on a warning list that a default export leaves out, of the items it carries", () => {
    const f = fixture("Listed round");
    const { db, sqlite, editionId } = f;
    const analyst = getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst));
    // The fixture's first item of each bank already carries a value the vendored lists know.
    const listed = exportSummary(db, analyst, editionId).listed;
    expect(listed).toBe(3);
    const list = JSON.stringify([{ list: "test", name: "Test list", why: "a test" }]);
    // One value of an exported item, one of a RED item (never in a default export), one cleared.
    sqlite.prepare("update threat_input_indicators set warnings = ? where value in ('phish-0.example', 'red-0.example', 'phish-2.example')").run(list);
    sqlite.prepare("update threat_input_indicators set cleared_at = 1 where value = 'phish-2.example'").run();
    expect(exportSummary(db, analyst, editionId).listed).toBe(listed + 1);
  });
});
