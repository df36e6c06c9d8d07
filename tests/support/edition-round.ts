import { DEMO_SIGN_INS } from "../../db/seed";
import { getAccount } from "~/modules/accounts/service.server";
import { editionFormSchema } from "~/modules/assessment/schema";
import { createEdition } from "~/modules/assessment/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { threatInputFormSchema } from "~/modules/threat-input/schema";
import { decideTriage, inputFormFor, submitInput } from "~/modules/threat-input/service.server";
import { organisationIdOf, userIdOf } from "../unit/helpers";
import { freshDatabase } from "./db";
import { inputFields } from "./threat-input";

// An edition's round for the tests that look at its pages by structure: the statements a page
// runs, and what it reads.

export const NOW = new Date("2026-11-10T09:00:00.000Z");
const DAY = 86_400_000;
export const at = (days: number) => new Date(NOW.getTime() + days * DAY);
export const iso = (days: number) => at(days).toISOString().slice(0, 10);

export const BANKS = ["Donau Privatbank AG", "Banco Cordillera S.A.", "Polder Netwerken B.V."];

export type Fixture = ReturnType<typeof freshDatabase> & { editionId: number; versionIds: number[] };

/** A consultation of three organisations, each with an accepted input of three items (one TLP:RED for the analyst), and a draft edition over it. */
export function editionRound(title: string): Fixture {
  const base = freshDatabase({ seed: true });
  const { db } = base;
  const actor = (email: string) => ({ userId: userIdOf(db, email), origin: {}, appUrl: "http://localhost:3000" });
  const analyst = getAccount(db, userIdOf(db, DEMO_SIGN_INS.analyst));
  const consultation = createConsultation(
    db,
    consultationFormSchema.parse({
      title,
      crimeAreas: ["banking_trojans", "online_fraud"],
      deadlineDate: iso(-55),
      deadlineTime: "17:00",
      deadlineTimeZone: "Europe/Amsterdam",
      organisationIds: BANKS.map((name) => String(organisationIdOf(db, name))),
    }),
    actor(DEMO_SIGN_INS.coordinator),
    at(-90),
  );
  openConsultation(db, consultation, actor(DEMO_SIGN_INS.coordinator), at(-89));
  const versionIds: number[] = [];
  BANKS.forEach((bank, n) => {
    const person = base.sqlite
      .prepare("select id from users where organisation_id = ? order by id limit 1")
      .get(organisationIdOf(db, bank)) as { id: number };
    const account = getAccount(db, person.id);
    const stakeholder = { ...account, organisationId: account.organisationId! };
    const values = inputFields(
      { observedFrom: iso(-80), observedTo: iso(-70), actors: `Crew ${n}\nShared Spider`, malware: `Strain${n}, Grandoreiro` },
      { crimeArea: "online_fraud", observedFrom: iso(-80), observedTo: iso(-70), tlp: "TLP:AMBER+STRICT", attribution: n === 1 ? "anonymous" : "named", indicators: `phish-${n}.example` },
      { title: `Red lead ${n}`, observedFrom: iso(-80), observedTo: iso(-70), tlp: "TLP:RED", redRecipients: [String(analyst.id)], actors: `Red crew ${n}`, indicators: `red-${n}.example` },
    );
    const items = threatInputFormSchema(inputFormFor(db, stakeholder, consultation, at(-60)).context).parse(values).items;
    const { inputId } = submitInput(db, stakeholder, consultation, { items, values }, actor(account.email), at(-60));
    decideTriage(db, analyst, inputId, { decision: "accept" }, actor(DEMO_SIGN_INS.analyst), at(-59));
    versionIds.push((base.sqlite.prepare("select id from threat_input_versions where input_id = ?").get(inputId) as { id: number }).id);
  });
  const editionId = createEdition(
    db,
    analyst,
    editionFormSchema.parse({ title, periodFrom: iso(-100), periodTo: iso(-60), consultationIds: [String(consultation)] }),
    actor(DEMO_SIGN_INS.analyst),
    at(-55),
  );
  return { ...base, editionId, versionIds };
}
