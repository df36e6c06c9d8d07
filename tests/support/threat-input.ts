import { DEMO_SIGN_INS } from "../../db/seed";
import type { Db } from "~/lib/db.server";
import { getAccount } from "~/modules/accounts/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { threatInputFormSchema } from "~/modules/threat-input/schema";
import { inputFormFor, submitInput } from "~/modules/threat-input/service.server";
import { organisationIdOf, userIdOf } from "../unit/helpers";

// A threat input item as the form posts it: every field a string (or a list for checkbox groups),
// named items.<index>.<field>. Tests change one field at a time to see one rule at work.

export type ItemOverrides = Record<string, string | string[] | undefined>;

/** A well-formed banking-trojan item, as a bank would report it. */
export function itemFields(index: number, overrides: ItemOverrides = {}): Record<string, string | string[]> {
  const fields: Record<string, string | string[] | undefined> = {
    crimeArea: "banking_trojans",
    title: "Grandoreiro campaign against retail banking customers",
    observedFrom: "2026-01-10",
    observedTo: "2026-02-20",
    trend: "increasing",
    impact: "4",
    likelihood: "4",
    sectors: ["finance", "individuals"],
    countries: "at, de, CO",
    actors: "Grandoreiro operators (Grandoreiro crew)\nCoyote Spider",
    malware: "Grandoreiro, Mekotio",
    techniques: "T1566.001, t1204",
    indicators: [
      "hxxps://secure-login[.]donau-pay[.]example/auth",
      "185.220.101.47",
      "44d88612fea8a8f36de82e1278abb02f",
      "185.220.101.47",
    ].join("\n"),
    sourceReliability: "B",
    informationCredibility: "2",
    tlp: "TLP:AMBER",
    shareOnward: "on",
    attribution: "named",
    narrative: "Phishing mails lead to an MSI dropper; the trojan overlays the bank's login page.",
    recommendedActions: "Take down the phishing domains; share the dropper hashes with the CERTs.",
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([field, value]) => [`items.${index}.${field}`, value]),
  );
}

/** A whole form of several items: each entry overrides the base item. */
export function inputFields(...items: ItemOverrides[]): Record<string, string | string[]> {
  return Object.assign({}, ...items.map((overrides, index) => itemFields(index, overrides)));
}

/** Where the tests' actions come from, as the audit records it. */
export const TEST_ORIGIN = { ip: "203.0.113.5", userAgent: "vitest" };

/** The seeded organisations and people the correlation tests build their rounds from. */
export const CORRELATION_CAST = {
  DONAU: "Donau Privatbank AG",
  CORDILLERA: "Banco Cordillera S.A.",
  VIGILANZA: "Vigilanza Digitale S.p.A.",
  KATHARINA: DEMO_SIGN_INS.stakeholder,
  ANDRES: "andres.restrepo@bancocordillera.example",
  GIULIA: "giulia.rossi@vigilanzadigitale.example",
  THOMAS: DEMO_SIGN_INS.analyst,
  // An analyst whom the tests' RED items do not name.
  RAFAEL: "rafael.ortega@taskforce.example",
} as const;

/**
 * Submits the items (each as `itemFields(0, ...)` gives it) as the stakeholder with this address,
 * through the service, as the form would: a second call for the same consultation revises.
 */
export function submitItems(db: Db, email: string, consultationId: number, items: Record<string, string | string[]>[], at: Date) {
  const person = getAccount(db, userIdOf(db, email));
  const stakeholder = { ...person, organisationId: person.organisationId! };
  const fields = Object.assign({}, ...items.map((item, index) => Object.fromEntries(Object.entries(item).map(([key, value]) => [key.replace(/^items\.0\./, `items.${index}.`), value]))));
  const context = inputFormFor(db, stakeholder, consultationId, at).context;
  const parsed = threatInputFormSchema(context).parse(fields);
  return submitInput(db, stakeholder, consultationId, { items: parsed.items, values: fields }, { userId: person.id, origin: TEST_ORIGIN, appUrl: "http://localhost" }, at).inputId;
}

/** A consultation on banking trojans and online fraud, opened by the demo coordinator for these organisations. */
export function openRoundFor(db: Db, title: string, organisationNames: string[], at: Date) {
  const coordinator = { userId: userIdOf(db, DEMO_SIGN_INS.coordinator), origin: TEST_ORIGIN, appUrl: "http://localhost" };
  const id = createConsultation(
    db,
    consultationFormSchema.parse({
      title,
      crimeAreas: ["banking_trojans", "online_fraud"],
      deadlineDate: "2026-04-15",
      deadlineTime: "17:00",
      deadlineTimeZone: "Europe/Vienna",
      organisationIds: organisationNames.map((name) => String(organisationIdOf(db, name))),
    }),
    coordinator,
    at,
  );
  openConsultation(db, id, coordinator, at);
  return id;
}
