import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAccount } from "~/modules/accounts/service.server";
import { mergeNames } from "~/modules/assessment/service.server";
import { corroborationOfInputs, correlate, reportedBeyondEdition } from "~/modules/intel/correlation.server";
import { resolvedKey } from "~/modules/reference/names";
import { freshDatabase, statementTexts } from "../support/db";
import { itemFields, openRoundFor, submitItems, CORRELATION_CAST, TEST_ORIGIN } from "../support/threat-input";
import { organisationIdOf, userIdOf } from "./helpers";

// Correlation in triage and on the edition (issue 11.3) over a real SQLite file: what other
// organisations report of an input's indicators and names, counted only from items the analyst
// may read, names resolved as the assessment resolves them (aliases, merges), and a page's
// statements that do not grow with the page (counted, not timed, and no EXPLAIN).

const T0 = new Date("2026-03-02T09:00:00.000Z");
const { DONAU, CORDILLERA, VIGILANZA, KATHARINA, ANDRES, GIULIA, THOMAS, RAFAEL } = CORRELATION_CAST;
const origin = TEST_ORIGIN;

let fresh: ReturnType<typeof freshDatabase>;
const inputs: Record<string, number> = {};
const account = (email: string) => getAccount(fresh.db, userIdOf(fresh.db, email));

const submit = (email: string, consultationId: number, ...items: Record<string, string | string[]>[]) => submitItems(fresh.db, email, consultationId, items, T0);

/** The statements a call prepares, by their text. */
const statementsOf = (run: () => void) => statementTexts(fresh.sqlite, run);

beforeAll(() => {
  fresh = freshDatabase({ seed: true });
  const consultationId = openRoundFor(fresh.db, "Correlation round", [DONAU, CORDILLERA, VIGILANZA], T0);
  inputs.donau = submit(
    KATHARINA,
    consultationId,
    itemFields(0, { indicators: "shared-one.example\nshared-two.example\nonly-donau.example", actors: "Wizard Spider (UNC1878)", malware: "Grandoreiro banking trojan, Homebrew Loader" }),
  );
  inputs.cordillera = submit(
    ANDRES,
    consultationId,
    itemFields(0, { indicators: "shared-one.example", actors: "UNC1878", malware: "grandoreiro" }),
    // RED, for Thomas only: its values count for him alone.
    itemFields(0, { title: "RED for Thomas", tlp: "TLP:RED", redRecipients: [String(userIdOf(fresh.db, THOMAS))], indicators: "shared-two.example", actors: "Nobody Else", malware: "Brewed Loader" }),
  );
  inputs.vigilanza = submit(GIULIA, consultationId, itemFields(0, { indicators: "shared-one.example\nunrelated.example", actors: "Coyote Spider", malware: "Mekotio" }));
});
afterAll(() => fresh.sqlite.close());

describe("triage corroboration", () => {
  it("says of each input how many of its indicators and names other organisations report, and how many organisations", () => {
    const thomas = account(THOMAS);
    const page = corroborationOfInputs(fresh.db, thomas, [inputs.donau!, inputs.cordillera!, inputs.vigilanza!]);
    // Donau: shared-one (Cordillera, Vigilanza), shared-two (Cordillera's RED item, for Thomas);
    // Wizard Spider is UNC1878 by the alias Donau gives it; Grandoreiro by its known name.
    expect(page[inputs.donau!]).toMatchObject({
      indicators: { reported: 2, of: 3 },
      actors: { reported: 1, of: 2 },
      malware: { reported: 1, of: 2 },
      organisations: 2,
      top: { label: "shared-one.example", search: "/search?q=shared-one.example", organisations: 2 },
    });
    expect(page[inputs.vigilanza!]).toMatchObject({ indicators: { reported: 1, of: 2 }, actors: { reported: 0, of: 1 }, organisations: 2 });
  });

  it("never counts a RED item for an analyst it does not name, neither as what is reported nor as what is corroborated", () => {
    const rafael = account(RAFAEL);
    const donau = corroborationOfInputs(fresh.db, rafael, [inputs.donau!])[inputs.donau!]!;
    expect(donau.indicators).toEqual({ reported: 1, of: 3 });
    const cordillera = corroborationOfInputs(fresh.db, rafael, [inputs.cordillera!])[inputs.cordillera!]!;
    // Its RED item's indicator, actor and malware are not among what Rafael sees of the input.
    expect(cordillera).toMatchObject({ indicators: { reported: 1, of: 1 }, actors: { reported: 1, of: 1 }, malware: { reported: 1, of: 1 } });
    const thomas = corroborationOfInputs(fresh.db, account(THOMAS), [inputs.cordillera!])[inputs.cordillera!]!;
    expect(thomas).toMatchObject({ indicators: { reported: 2, of: 2 }, actors: { of: 2 }, malware: { of: 2 } });
  });

  it("reads a page in one statement of the same text, whatever the number of inputs on it", () => {
    const thomas = account(THOMAS);
    const one = statementsOf(() => corroborationOfInputs(fresh.db, thomas, [inputs.donau!]));
    const three = statementsOf(() => corroborationOfInputs(fresh.db, thomas, Object.values(inputs)));
    const fifty = statementsOf(() => corroborationOfInputs(fresh.db, thomas, Array.from({ length: 50 }, (_, i) => i + 1)));
    // The merges (one read), then the page: the ids are one JSON parameter, not an IN list.
    expect(one).toHaveLength(2);
    expect(three).toEqual(one);
    expect(fifty).toEqual(one);
  });
});

describe("resolution shared with the assessment", () => {
  it("counts names the analysts merged as one, in triage and in correlation", () => {
    const thomas = account(THOMAS);
    const before = corroborationOfInputs(fresh.db, thomas, [inputs.donau!])[inputs.donau!]!;
    expect(before.malware).toEqual({ reported: 1, of: 2 });
    expect(correlate(fresh.db, thomas, [{ kind: "malware", key: resolvedKey("malware", "Homebrew Loader") }], { organisationId: organisationIdOf(fresh.db, DONAU) }).size).toBe(0);
    mergeNames(fresh.db, thomas, { kind: "malware", from: "Brewed Loader", into: "Homebrew Loader" }, { userId: thomas.id, origin });
    // Brewed Loader is named only on the RED item: Thomas reads it, Rafael does not.
    expect(corroborationOfInputs(fresh.db, thomas, [inputs.donau!])[inputs.donau!]!.malware).toEqual({ reported: 2, of: 2 });
    expect(corroborationOfInputs(fresh.db, account(RAFAEL), [inputs.donau!])[inputs.donau!]!.malware).toEqual({ reported: 1, of: 2 });
    const found = correlate(fresh.db, thomas, [{ kind: "malware", key: resolvedKey("malware", "Homebrew Loader") }], { organisationId: organisationIdOf(fresh.db, DONAU) });
    expect([...found.values()]).toEqual([{ organisations: 1 }]);
  });
});

describe("beyond an edition", () => {
  it("counts the inputs that name an entity or target beyond those the edition draws on, under every name the entity has", () => {
    const thomas = account(THOMAS);
    const donauItem = fresh.sqlite.prepare("select i.id from threat_input_items i join threat_input_versions v on v.id = i.version_id where v.input_id = ?").all(inputs.donau!) as { id: number }[];
    const beyond = reportedBeyondEdition(fresh.db, thomas, {
      entities: [
        { kind: "actor", name: "Wizard Spider", aliases: ["UNC1878"] },
        { kind: "malware", name: "Mekotio", aliases: [] },
      ],
      targets: [{ id: 7, kind: "network", name: "UNC1878" }],
      itemIds: donauItem.map((row) => row.id),
    });
    expect(beyond.entities["actor Wizard Spider"]).toEqual({ organisations: 1, search: "/search?q=Wizard+Spider" });
    expect(beyond.entities["malware Mekotio"]).toEqual({ organisations: 1, search: "/search?q=Mekotio" });
    expect(beyond.targets[7]).toEqual({ organisations: 1, search: "/search?q=UNC1878" });
    // The edition's own input does not count: Donau alone names Homebrew Loader (and Rafael does not read the RED merge partner).
    const own = reportedBeyondEdition(fresh.db, account(RAFAEL), { entities: [{ kind: "malware", name: "Homebrew Loader", aliases: [] }], targets: [], itemIds: donauItem.map((row) => row.id) });
    expect(own.entities).toEqual({});
  });
});
