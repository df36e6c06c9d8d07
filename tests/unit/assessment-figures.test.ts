import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoRound } from "../../db/demo-round";
import { DEMO_SIGN_INS } from "../../db/seed";
import { getAccount } from "~/modules/accounts/service.server";
import { editionFormSchema } from "~/modules/assessment/schema";
import { contributionsOf, createEdition, listEditions, printableEdition, publishEdition, viewEdition } from "~/modules/assessment/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { threatInputFormSchema } from "~/modules/threat-input/schema";
import { decideTriage, inputFormFor, submitInput } from "~/modules/threat-input/service.server";
import { freshDatabase } from "../support/db";
import { itemFields } from "../support/threat-input";
import { threatInputs } from "../../db/schema";
import { organisationIdOf, userIdOf } from "./helpers";

// One set of figures: the demo round (db/demo-round.ts) is the fixture, with an edition over an
// unrelated consultation published between its spring and autumn editions.

const NOW = new Date("2026-11-10T09:00:00.000Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY);
const iso = (days: number) => at(days).toISOString().slice(0, 10);

let db: ReturnType<typeof freshDatabase>["db"];
const person = (email: string) => getAccount(db, userIdOf(db, email));
const actor = (email: string) => ({ userId: userIdOf(db, email), origin: {}, appUrl: "http://localhost:3000" });
const analyst = () => person(DEMO_SIGN_INS.analyst);
const editionId = (title: string) => listEditions(db, analyst()).find((edition) => edition.title === title)!.id;
const view = (title: string) => viewEdition(db, analyst(), editionId(title));

beforeAll(() => {
  ({ db } = freshDatabase({ seed: true }));
  seedDemoRound(db, { appUrl: "http://localhost:3000", now: NOW });
  // Underground forums, asked of one ISP, published 50 days ago: nothing in common with the round.
  const forums = createConsultation(
    db,
    consultationFormSchema.parse({
      title: "Underground forums",
      crimeAreas: ["underground_forums"],
      deadlineDate: iso(-55),
      deadlineTime: "17:00",
      deadlineTimeZone: "Europe/Amsterdam",
      organisationIds: [String(organisationIdOf(db, "Polder Netwerken B.V."))],
    }),
    actor(DEMO_SIGN_INS.coordinator),
    at(-90),
  );
  openConsultation(db, forums, actor(DEMO_SIGN_INS.coordinator), at(-89));
  const sanne = person("sanne.devries@polder-netwerken.example");
  const stakeholder = { ...sanne, organisationId: sanne.organisationId! };
  const values = itemFields(0, { crimeArea: "underground_forums", observedFrom: iso(-80), observedTo: iso(-70) });
  const items = threatInputFormSchema(inputFormFor(db, stakeholder, forums, at(-60)).context).parse(values).items;
  const { inputId } = submitInput(db, stakeholder, forums, { items, values }, actor(sanne.email), at(-60));
  decideTriage(db, analyst(), inputId, { decision: "accept" }, actor(DEMO_SIGN_INS.analyst), at(-59));
  const edition = createEdition(
    db,
    analyst(),
    editionFormSchema.parse({ title: "Forums special", periodFrom: iso(-100), periodTo: iso(-60), consultationIds: [String(forums)] }),
    actor(DEMO_SIGN_INS.analyst),
    at(-55),
  );
  publishEdition(db, analyst(), edition, actor(DEMO_SIGN_INS.analyst), at(-50));
});

describe("the trend and the change", () => {
  it("compare an edition only with earlier ones over the same crime areas", () => {
    const autumn = view("Threat assessment, autumn");
    // The forums edition was published in between, but covers none of the round's areas.
    expect(autumn.previous?.title).toBe("Threat assessment, spring");
    expect(autumn.timeline.editions.map((edition) => edition.title)).toEqual(["Threat assessment, spring", "Threat assessment, autumn"]);
    const spring = view("Threat assessment, spring");
    const springTrojans = spring.areas.find((area) => area.crimeArea === "banking_trojans")!.finalScore;
    const trojans = autumn.areas.find((area) => area.crimeArea === "banking_trojans")!;
    expect(trojans.change).toBeCloseTo(trojans.finalScore - springTrojans, 5);
  });

  it("show no change for an area the earlier edition did not cover", () => {
    const autumn = view("Threat assessment, autumn");
    // Intrusion was not asked about in spring: no change, and no point before autumn's.
    expect(autumn.areas.find((area) => area.crimeArea === "intrusion")!.change).toBeNull();
    expect(autumn.timeline.series.find((series) => series.crimeArea === "intrusion")!.points[0]).toBeNull();
  });

  it("take each area's previous score from the latest edition that covered it", () => {
    const winter = view("Threat assessment, winter (draft)");
    // Over both rounds: compared with autumn (after the forums edition, which it does not share).
    expect(winter.previous?.title).toBe("Threat assessment, autumn");
    expect(winter.timeline.editions.map((edition) => edition.title)).toEqual([
      "Threat assessment, spring",
      "Threat assessment, autumn",
      "Threat assessment, winter (draft)",
    ]);
  });
});

describe("a score set by hand", () => {
  it("is the figure, band and likelihood word of the page and of the printable report", () => {
    const fraud = view("Threat assessment, autumn").areas.find((area) => area.crimeArea === "online_fraud")!;
    expect(fraud.finalScore).toBe(18);
    expect(fraud.final.band).toBe("very-high");
    expect(["likely", "almost certain"]).toContain(fraud.final.likelihoodWords);
    const printed = printableEdition(db, person(DEMO_SIGN_INS.coordinator), editionId("Threat assessment, autumn")).areas.find(
      (area) => area.crimeArea === "online_fraud",
    )!;
    expect([printed.finalScore, printed.final.band]).toEqual([18, "very-high"]);
  });
});

describe("what became of an organisation's input", () => {
  const inputsOf = (organisation: string) =>
    db.select().from(threatInputs).all().filter((input) => input.organisationId === organisationIdOf(db, organisation)).map((input) => input.id);

  it("lists the published editions that used its items, with figures from its own items alone", () => {
    const [spring, autumn] = inputsOf("Donau Privatbank AG");
    const katharina = person(DEMO_SIGN_INS.stakeholder);
    const used = contributionsOf(db, katharina, spring!);
    expect(used.map((edition) => edition.title)).toEqual(["Threat assessment, spring"]);
    expect(used[0]!.items.map((item) => item.crimeArea).sort()).toEqual(["banking_trojans", "online_fraud"]);
    // Donau's banking-trojan item alone: impact 3, likelihood 3 at C2 (0.48): risk 9 x 0.74 = 6.7.
    expect(used[0]!.areas.find((area) => area.crimeArea === "banking_trojans")).toMatchObject({ items: 1, impact: 3, likelihood: 3, score: 6.7 });
    // Not the edition's figure, which Banco Cordillera's anonymous item raises too.
    const edition = view("Threat assessment, spring").areas.find((area) => area.crimeArea === "banking_trojans")!;
    expect(edition.items).toBe(2);
    // The autumn input is still being asked about: no edition used it.
    expect(contributionsOf(db, katharina, autumn!)).toEqual([]);
  });

  it("tells nobody about another organisation's input, and nothing to the taskforce here", () => {
    const [cordillera] = inputsOf("Banco Cordillera S.A.");
    expect(contributionsOf(db, person(DEMO_SIGN_INS.stakeholder), cordillera!)).toEqual([]);
    expect(contributionsOf(db, person("andres.restrepo@bancocordillera.example"), cordillera!)).toHaveLength(1);
    expect(contributionsOf(db, analyst(), cordillera!)).toEqual([]);
  });
});
