import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bench, describe } from "vitest";
import { eq } from "drizzle-orm";
import { organisations, users } from "../../db/schema";
import { seedDemoData } from "../../db/seed";
import { migrateDatabase, openDatabase } from "~/lib/db.server";
import { correlate, corroborationOfInputs, reportedBeyondEdition, searchItems, type Subject } from "~/modules/intel/correlation.server";
import { triageQueue } from "~/modules/threat-input/service.server";
import { resolvedKey } from "~/modules/reference/names";

// Search and correlation at 220,000 indicators (issue 11): 2,200 items of 100 indicators each, in
// 220 inputs of ten items from the demo organisations (one input per organisation and
// consultation), a third of the values reported by several of them, each item naming an actor,
// two malware families and a technique. Each query beside a bare SQL baseline: the same
// look-up by the same index without the need-to-know gate, the current-version rule or the page's
// columns, which is the floor of what it can cost.

const ITEMS = 2_200;
const PER_ITEM = 100;
const PER_INPUT = 10;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tfc-bench-intel-"));
const { db, sqlite } = openDatabase(path.join(dir, "portal.sqlite"));
migrateDatabase(db);
seedDemoData(db);
const analyst = db.select().from(users).where(eq(users.email, "thomas.keller@taskforce.example")).get()!;
const viewer = { id: analyst.id, roles: ["analyst" as const], organisationId: null };
const orgs = db.select({ id: organisations.id }).from(organisations).all().map((row) => row.id);
const MALWARE = ["Grandoreiro", "Mekotio", "Emotet", "QakBot", "IcedID", "TrickBot", "Ursnif", "Dridex"];

const value = (item: number, n: number) => (n % 3 === 0 ? `shared-${(item * 7 + n) % 5_000}.c2-host.example` : `host-${item}-${n}.drop.example`);
{
  const started = performance.now();
  const consultation = sqlite.prepare(
    "insert into consultations (title, crime_areas, input_deadline, deadline_time_zone, status, coordinator_user_id) values (?, '[\"banking_trojans\"]', 0, 'UTC', 'open', ?) returning id",
  );
  const input = sqlite.prepare(
    "insert into threat_inputs (consultation_id, organisation_id, status, triage_state, current_version, submitted_at) values (?, ?, 'submitted', 'accepted', 1, ?) returning id",
  );
  const version = sqlite.prepare("insert into threat_input_versions (input_id, number, submitted_at) values (?, 1, 0) returning id");
  const item = sqlite.prepare(
    `insert into threat_input_items (version_id, position, crime_area, title, observed_from, trend, impact, likelihood, sectors, countries, actors, malware, techniques,
      source_reliability, information_credibility, tlp, share_onward, attribution, narrative, recommended_actions)
     values (?, ?, 'banking_trojans', ?, '2026-01-01', 'stable', 3, 3, '[]', '[]', ?, ?, '["T1566.001"]', 'B', '2', ?, 1, 'named', 'n', '') returning id`,
  );
  const indicator = sqlite.prepare("insert into threat_input_indicators (item_id, type, value, warnings_checked_at) values (?, 'domain', ?, 0)");
  const entity = sqlite.prepare("insert or ignore into threat_input_item_entities (item_id, kind, key) values (?, ?, ?)");
  sqlite.transaction(() => {
    const consultations: number[] = [];
    const versions = Array.from({ length: ITEMS / PER_INPUT }, (_, k) => {
      const round = Math.floor(k / orgs.length);
      consultations[round] ??= (consultation.get(`Bench ${round}`, analyst.id) as { id: number }).id;
      const { id } = input.get(consultations[round], orgs[k % orgs.length], k + 1) as { id: number };
      return (version.get(id) as { id: number }).id;
    });
    for (let i = 0; i < ITEMS; i++) {
      const malware = [MALWARE[i % MALWARE.length]!, MALWARE[(i + 3) % MALWARE.length]!];
      const actor = `Crew ${i % 40}`;
      const { id } = item.get(versions[Math.floor(i / PER_INPUT)], i, `Item ${i}`, JSON.stringify([{ name: actor, aliases: [] }]), JSON.stringify(malware), i % 50 === 0 ? "TLP:RED" : "TLP:AMBER") as { id: number };
      for (let n = 0; n < PER_ITEM; n++) indicator.run(id, value(i, n));
      entity.run(id, "actor", resolvedKey("actor", actor));
      for (const name of malware) entity.run(id, "malware", resolvedKey("malware", name));
      entity.run(id, "technique", "T1566.001");
    }
  })();
  sqlite.exec("analyze");
  const count = (sqlite.prepare("select count(*) as n from threat_input_indicators").get() as { n: number }).n;
  console.log(`intel bench data: ${count.toLocaleString("en")} indicators in ${ITEMS.toLocaleString("en")} items, ${ITEMS / PER_INPUT} inputs of ${orgs.length} organisations, written in ${Math.round(performance.now() - started)} ms`);
}

const OPTIONS = { time: 2_000, warmupTime: 300 };
const shared = value(10, 3);

describe("search at 220,000 indicators", () => {
  const bare = sqlite.prepare(
    "select i.item_id from threat_input_indicators i where i.type = 'domain' and i.value = ? order by i.item_id desc limit 51",
  );
  const bareName = sqlite.prepare("select item_id from threat_input_item_entities where kind = 'malware' and key = ? order by item_id desc limit 51");
  console.log(`search "${shared}": ${searchItems(db, viewer, { q: shared }).rows.length} items; "grandoreiro": ${searchItems(db, viewer, { q: "grandoreiro" }).rows.length} on the first page`);
  bench("portal: searchItems by a defanged value (gate, current versions, page of 50)", () => void searchItems(db, viewer, { q: shared.replace(/\./g, "[.]") }), OPTIONS);
  bench("bare: the indicator index alone", () => void bare.all(shared), OPTIONS);
  bench("portal: searchItems by a malware name (resolved, gate, page of 50)", () => void searchItems(db, viewer, { q: "Grandoreiro banking trojan" }), OPTIONS);
  bench("bare: the name index alone", () => void bareName.all("grandoreiro"), OPTIONS);
});

describe("correlation of a page at 220,000 indicators", () => {
  // An input page of 20 items: 2,000 indicators and their names, counted against everything else.
  const subjects: Subject[] = [];
  for (let i = 0; i < 20; i++) {
    for (let n = 0; n < PER_ITEM; n++) subjects.push({ kind: "indicator", type: "domain", value: value(i * 11, n) });
    subjects.push({ kind: "malware", key: resolvedKey("malware", MALWARE[i % MALWARE.length]!) }, { kind: "actor", key: resolvedKey("actor", `Crew ${i}`) });
  }
  const values = subjects.filter((subject) => subject.kind === "indicator").map((subject) => (subject as { value: string }).value);
  const bare = sqlite.prepare(
    `select i.value, count(distinct inp.organisation_id), count(distinct inp.id) from threat_input_indicators i
       join threat_input_items it on it.id = i.item_id join threat_input_versions v on v.id = it.version_id join threat_inputs inp on inp.id = v.input_id
     where i.type = 'domain' and i.value in (select value from json_each(?)) and inp.organisation_id <> ? group by i.value`,
  );
  console.log(`correlation of a page: ${correlate(db, viewer, subjects, { organisationId: orgs[0] }).size} of ${subjects.length} subjects reported elsewhere`);
  bench("portal: correlate 2,040 subjects of a page (two gated statements)", () => void correlate(db, viewer, subjects, { organisationId: orgs[0] }), OPTIONS);
  bench("bare: the same counts for the indicators, ungated, one statement", () => void bare.all(JSON.stringify(values), orgs[0]), OPTIONS);
});

describe("triage corroboration of a page at 220,000 indicators", () => {
  // The queue's first page: 50 inputs, 500 items, 50,000 indicators and their names.
  const page = triageQueue(db, viewer, {}).rows.map((row) => row.id);
  const bare = sqlite.prepare(
    `with mine as (select distinct inp.id as input_id, inp.organisation_id as org, i.type, i.value from json_each(?) page
        join threat_inputs inp on inp.id = page.value join threat_input_versions v on v.input_id = inp.id and v.number = inp.current_version
        join threat_input_items it on it.version_id = v.id join threat_input_indicators i on i.item_id = it.id)
     select mine.input_id, count(distinct mine.value), count(distinct other.organisation_id), count(distinct other.id) from mine
       join threat_input_indicators o on o.type = mine.type and o.value = mine.value join threat_input_items oit on oit.id = o.item_id
       join threat_input_versions ov on ov.id = oit.version_id join threat_inputs other on other.id = ov.input_id and other.organisation_id <> mine.org
     group by mine.input_id`,
  );
  const first = corroborationOfInputs(db, viewer, page)[page[0]!]!;
  console.log(
    `triage page: ${page.length} inputs; the first: ${first.indicators.reported} of ${first.indicators.of} indicators, ${first.actors.reported} of ${first.actors.of} actor names, ${first.malware.reported} of ${first.malware.of} malware also reported by ${first.organisations} other organisations`,
  );
  bench("portal: corroborationOfInputs for a page of 50 inputs (one gated statement: indicators, actors, malware, most reported)", () => void corroborationOfInputs(db, viewer, page), OPTIONS);
  bench("bare: the indicators' counts alone, ungated, current versions only on the page", () => void bare.all(JSON.stringify(page)), OPTIONS);
});

describe("an edition's names beyond it at 220,000 indicators", () => {
  // The ranking of an edition over the first 20 inputs (200 items): 40 actors, 8 malware families and 5 targets.
  const itemIds = (sqlite.prepare("select id from threat_input_items order by id limit 200").all() as { id: number }[]).map((row) => row.id);
  const entities = [
    ...Array.from({ length: 40 }, (_, i) => ({ kind: "actor" as const, name: `Crew ${i}`, aliases: [] })),
    ...MALWARE.map((name) => ({ kind: "malware" as const, name, aliases: [] })),
  ];
  const targets = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, kind: "network" as const, name: `Crew ${i * 3}` }));
  const bare = sqlite.prepare(
    `select w.value ->> 1, count(distinct inp.organisation_id), count(distinct inp.id) from json_each(?) w
       join threat_input_item_entities e on e.kind = w.value ->> 0 and e.key = w.value ->> 1 join threat_input_items it on it.id = e.item_id
       join threat_input_versions v on v.id = it.version_id join threat_inputs inp on inp.id = v.input_id
     where inp.id not in (select v2.input_id from threat_input_versions v2 join threat_input_items i2 on i2.version_id = v2.id where i2.id in (select value from json_each(?)))
     group by w.value ->> 1`,
  );
  const wanted = JSON.stringify(entities.map((entity) => [entity.kind, resolvedKey(entity.kind, entity.name)]));
  const found = reportedBeyondEdition(db, viewer, { entities, targets, itemIds });
  console.log(`edition beyond: ${Object.keys(found.entities).length} of ${entities.length} names and ${Object.keys(found.targets).length} of ${targets.length} targets reported beyond; Crew 0: ${JSON.stringify(found.entities["actor Crew 0"])}`);
  bench("portal: reportedBeyondEdition for 48 names and 5 targets (merges, then one gated statement)", () => void reportedBeyondEdition(db, viewer, { entities, targets, itemIds }), OPTIONS);
  bench("bare: the same counts, ungated, one statement", () => void bare.all(wanted, JSON.stringify(itemIds)), OPTIONS);
});
