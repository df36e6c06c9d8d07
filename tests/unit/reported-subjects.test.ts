import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SIGN_INS } from "../../db/seed";
import { getAccount } from "~/modules/accounts/service.server";
import { corroborationOfInputs, correlate } from "~/modules/intel/correlation.server";
import { resolvedKey } from "~/modules/reference/names";
import { withdrawInput } from "~/modules/threat-input/service.server";
import { freshDatabase } from "../support/db";
import { itemFields, openRoundFor, submitItems, CORRELATION_CAST, TEST_ORIGIN } from "../support/threat-input";
import { organisationIdOf, userIdOf } from "./helpers";

// reported_subjects (docs/decisions/026) is kept by triggers: after every kind of write that
// changes what counts, it must equal a count made from scratch, here in plain code from the items
// themselves, and triage's corroboration read from it must equal what each viewer's readable items
// say, TLP:RED items for one analyst or another included in the data.

const T0 = new Date("2026-03-02T09:00:00.000Z");
const { DONAU, CORDILLERA, VIGILANZA, KATHARINA, ANDRES, GIULIA, THOMAS, RAFAEL } = CORRELATION_CAST;
const origin = TEST_ORIGIN;

let fresh: ReturnType<typeof freshDatabase>;
const account = (email: string) => getAccount(fresh.db, userIdOf(fresh.db, email));

const openRound = (title: string) => openRoundFor(fresh.db, title, [DONAU, CORDILLERA, VIGILANZA], T0);

type Mention = { item: number; kind: string; type: string; value: string };

/** The tally as it should be: the mentions of non-RED items in current, submitted versions, by organisation. */
function countedFromScratch(): Record<string, number> {
  const standing = fresh.sqlite
    .prepare(
      `select item.id, item.tlp, input.organisation_id as organisationId, input.status, input.current_version as current, version.number
       from threat_input_items item join threat_input_versions version on version.id = item.version_id
       join threat_inputs input on input.id = version.input_id`,
    )
    .all() as { id: number; tlp: string; organisationId: number; status: string; current: number; number: number }[];
  const counted = new Map(standing.filter((item) => item.status === "submitted" && item.number === item.current && item.tlp !== "TLP:RED").map((item) => [item.id, item.organisationId]));
  const mentions = [
    ...(fresh.sqlite.prepare(`select item_id as item, 'indicator' as kind, type, value from threat_input_indicators`).all() as Mention[]),
    ...(fresh.sqlite.prepare(`select item_id as item, kind, '' as type, key as value from threat_input_item_entities`).all() as Mention[]),
  ];
  const tally: Record<string, number> = {};
  for (const mention of mentions) {
    const organisationId = counted.get(mention.item);
    if (organisationId === undefined) continue;
    const key = `${mention.kind} ${mention.type} ${mention.value} @${organisationId}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

function kept(): Record<string, number> {
  const rows = fresh.sqlite.prepare(`select kind, type, value, organisation_id as organisationId, items from reported_subjects`).all() as {
    kind: string;
    type: string;
    value: string;
    organisationId: number;
    items: number;
  }[];
  for (const row of rows) expect(row.items, `${row.kind} ${row.value}`).toBeGreaterThanOrEqual(0);
  return Object.fromEntries(rows.filter((row) => row.items > 0).map((row) => [`${row.kind} ${row.type} ${row.value} @${row.organisationId}`, row.items]));
}

const red = (recipient: string, overrides: Record<string, string>) =>
  itemFields(0, { title: "RED item", tlp: "TLP:RED", redRecipients: [String(userIdOf(fresh.db, recipient))], ...overrides });

beforeAll(() => {
  fresh = freshDatabase({ seed: true });
});
afterAll(() => fresh.sqlite.close());

describe("reported_subjects", () => {
  it("equals a count from scratch after submits, a revision, a withdrawal, a mention indexed later and a deleted consultation", () => {
    const first = openRound("Tally round one");
    const second = openRound("Tally round two");
    const before = kept();
    expect(kept()).toEqual(countedFromScratch());

    submitItems(fresh.db, KATHARINA, first, [itemFields(0, { indicators: "shared.example\ndonau-only.example", actors: "Wizard Spider (UNC1878)", malware: "Grandoreiro" })], T0);
    submitItems(fresh.db, ANDRES, first, [itemFields(0, { indicators: "shared.example", actors: "UNC1878", malware: "grandoreiro" }), red(THOMAS, { indicators: "red-only.example", actors: "Nobody Else" })], T0);
    submitItems(fresh.db, GIULIA, first, [itemFields(0, { indicators: "shared.example\nunrelated.example", actors: "Coyote Spider", malware: "Mekotio" })], T0);
    submitItems(fresh.db, GIULIA, second, [itemFields(0, { indicators: "shared.example", actors: "Coyote Spider", malware: "Mekotio" })], T0);
    expect(kept()).toEqual(countedFromScratch());
    expect(kept()[`indicator domain shared.example @${organisationIdOf(fresh.db, VIGILANZA)}`]).toBe(2);
    // A RED item is not in the tally: who reads it depends on the viewer.
    expect(Object.keys(kept()).some((key) => key.includes("red-only.example"))).toBe(false);

    // A revision: version 2 replaces version 1's mentions.
    submitItems(fresh.db, KATHARINA, first, [itemFields(0, { indicators: "revised.example", actors: "Wizard Spider", malware: "Mekotio" })], T0);
    expect(kept()).toEqual(countedFromScratch());
    expect(Object.keys(kept()).some((key) => key.includes("donau-only.example"))).toBe(false);

    // A withdrawal takes the input's mentions out.
    const andres = account(ANDRES);
    withdrawInput(fresh.db, { ...andres, organisationId: andres.organisationId! }, first, { userId: andres.id, origin }, T0);
    expect(kept()).toEqual(countedFromScratch());

    // A name indexed after its item was submitted (start-up indexing of older items) counts.
    const giuliaItem = fresh.sqlite
      .prepare(`select item.id from threat_input_items item join threat_input_versions v on v.id = item.version_id join threat_inputs i on i.id = v.input_id where i.consultation_id = ? and i.organisation_id = ?`)
      .pluck()
      .get(second, organisationIdOf(fresh.db, VIGILANZA)) as number;
    fresh.sqlite.prepare(`insert into threat_input_item_entities (item_id, kind, key) values (?, 'technique', 'T1486')`).run(giuliaItem);
    expect(kept()).toEqual(countedFromScratch());
    fresh.sqlite.prepare(`delete from threat_input_item_entities where item_id = ? and kind = 'technique' and key = 'T1486'`).run(giuliaItem);
    expect(kept()).toEqual(countedFromScratch());

    // A consultation deleted with its inputs (the cascade) takes their mentions out.
    fresh.sqlite.prepare(`delete from consultations where id = ?`).run(second);
    expect(kept()).toEqual(countedFromScratch());
    fresh.sqlite.prepare(`delete from consultations where id = ?`).run(first);
    expect(kept()).toEqual(before);
  });
});

describe("triage corroboration read from it", () => {
  it("counts for each viewer the other organisations whose readable items name the same things, RED ones only for their analysts", () => {
    const round = openRound("Corroboration round");
    const inputs = [
      submitItems(fresh.db, KATHARINA, round, [itemFields(0, { indicators: "a.example\nb.example", actors: "Wizard Spider", malware: "Grandoreiro" })], T0),
      submitItems(fresh.db, ANDRES, round, [itemFields(0, { indicators: "a.example", actors: "Coyote Spider", malware: "Mekotio" }), red(THOMAS, { indicators: "b.example", actors: "Wizard Spider", malware: "Brewed Loader" })], T0),
      submitItems(fresh.db, GIULIA, round, [red(RAFAEL, { indicators: "a.example\nb.example", actors: "Coyote Spider", malware: "Grandoreiro" })], T0),
    ];
    const of = (email: string) => corroborationOfInputs(fresh.db, account(email), inputs);
    const organisations = (email: string) => Object.fromEntries(Object.entries(of(email)).map(([id, found]) => [Number(id), found.organisations]));

    // Thomas reads Cordillera's RED item, not Vigilanza's (Rafael's): Donau's b.example and
    // Wizard Spider are corroborated by Cordillera for him alone; Vigilanza's input is nothing to him.
    expect(organisations(THOMAS)).toEqual({ [inputs[0]!]: 1, [inputs[1]!]: 1 });
    expect(of(THOMAS)[inputs[0]!]).toMatchObject({ indicators: { reported: 2, of: 2 }, actors: { reported: 1, of: 1 } });
    // Rafael reads Vigilanza's RED item: a.example by two others for Donau, Coyote Spider for Cordillera.
    expect(organisations(RAFAEL)).toEqual({ [inputs[0]!]: 2, [inputs[1]!]: 2, [inputs[2]!]: 2 });
    expect(of(RAFAEL)[inputs[0]!]).toMatchObject({ indicators: { reported: 2, of: 2 }, malware: { reported: 1, of: 1 }, top: { label: "a.example", organisations: 2 } });
    // A coordinator reads no RED item; a stakeholder only their own organisation's inputs, so
    // nothing is "elsewhere" for them.
    expect(organisations(DEMO_SIGN_INS.coordinator)).toEqual({ [inputs[0]!]: 1, [inputs[1]!]: 1 });
    expect(organisations(KATHARINA)).toEqual({ [inputs[0]!]: 0 });

    // Beyond given items, their whole inputs are left out: Cordillera's RED item counts no more
    // for Wizard Spider once its other item is among those the edition draws on.
    const itemsOf = (input: number, tlp: string) =>
      fresh.sqlite.prepare(`select item.id from threat_input_items item join threat_input_versions v on v.id = item.version_id where v.input_id = ? and item.tlp = ?`).pluck().all(input, tlp) as number[];
    const subjects = [
      { kind: "indicator" as const, type: "domain", value: "a.example" },
      { kind: "actor" as const, key: resolvedKey("actor", "Wizard Spider") },
    ];
    const beyond = (itemIds: number[]) => [...correlate(fresh.db, account(THOMAS), subjects, { itemIds }).values()].map((found) => found.organisations);
    expect(beyond([])).toEqual([2, 2]);
    expect(beyond(itemsOf(inputs[1]!, "TLP:AMBER"))).toEqual([1, 1]);
    expect(beyond(itemsOf(inputs[0]!, "TLP:AMBER"))).toEqual([1, 1]);
    expect(beyond([...itemsOf(inputs[0]!, "TLP:AMBER"), ...itemsOf(inputs[1]!, "TLP:AMBER")])).toEqual([]);
    // Other organisations than one: the RED item of Rafael's is never his to count for Thomas.
    expect([...correlate(fresh.db, account(THOMAS), subjects, { organisationId: organisationIdOf(fresh.db, DONAU) }).values()].map((found) => found.organisations)).toEqual([1, 1]);
  });
});
