import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, consultations, idempotentRequests, outbox, threatInputVersions } from "../../db/schema";
import { DEMO_SIGN_INS } from "../../db/seed";
import { AppError } from "~/lib/errors";
import { SUBMIT_KEY, type FormValues } from "~/lib/forms";
import { getAccount } from "~/modules/accounts/service.server";
import { BROADCAST_HANDLERS } from "~/modules/broadcasts/handlers.server";
import { drainBroadcasts } from "~/modules/broadcasts/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { KEY_RETENTION_MS, MISSING_KEY, OTHER_CONTENT, submitOnce, type Submission } from "~/modules/submissions/service.server";
import { inputFormFor, submitInput } from "~/modules/threat-input/service.server";
import { threatInputFormSchema } from "~/modules/threat-input/schema";
import { freshDatabase } from "../support/db";
import { itemFields } from "../support/threat-input";
import { appErrorFrom, later, organisationIdOf, rowCount, userIdOf } from "./helpers";

// The one mechanism that makes a form that creates or sends something idempotent, over a real
// SQLite file and the modules' own actions (which write rows, audit entries and mail).

const APP_URL = "http://localhost:3000";
const origin = { ip: "203.0.113.5", userAgent: "vitest" };
const T0 = new Date("2026-03-02T09:00:00.000Z");
const HOUR = 3_600_000;
const KEY = "unit-key-000000000001";
const DONAU = "Donau Privatbank AG";

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
let annaId: number;

beforeEach(() => {
  ({ db, sqlite } = freshDatabase({ seed: true }));
  annaId = userIdOf(db, DEMO_SIGN_INS.coordinator);
});
afterEach(() => sqlite.close());

const actor = () => ({ userId: annaId, origin, appUrl: APP_URL });

function consultationValues(overrides: FormValues = {}): FormValues {
  return {
    title: "Botnets, autumn round",
    crimeAreas: ["botnets", "intrusion"],
    deadlineDate: "2026-04-15",
    deadlineTime: "17:00",
    deadlineTimeZone: "Europe/Vienna",
    organisationIds: String(organisationIdOf(db, DONAU)),
    [SUBMIT_KEY]: KEY,
    ...overrides,
  };
}

/** Anna's "New consultation" form, as the route runs it. */
function createOnce(values: FormValues, submission: Partial<Submission> = {}, now = T0) {
  let runs = 0;
  const answer = submitOnce(
    db,
    { userId: annaId, form: "/consultations/new", values, ...submission },
    () => {
      runs += 1;
      const id = createConsultation(db, consultationFormSchema.parse(values), actor(), now);
      return { location: `/consultations/${id}`, message: "Draft saved." };
    },
    now,
  );
  return { ...answer, runs };
}

const written = () => ({
  consultations: rowCount(db, consultations),
  audit: rowCount(db, auditEvents),
  outbox: rowCount(db, outbox),
  keys: rowCount(db, idempotentRequests),
});

describe("a form sent once", () => {
  it("runs the action, keeps its answer under the key, and says it was the first", () => {
    const before = written();
    const first = createOnce(consultationValues());
    expect(first).toMatchObject({ location: expect.stringMatching(/^\/consultations\/\d+$/), message: "Draft saved.", status: 302, repeated: false, runs: 1 });
    expect(written()).toEqual({ ...before, consultations: before.consultations + 1, audit: before.audit + 1, keys: before.keys + 1 });
  });

  it("answers a repeat with the first answer, runs nothing and writes nothing, whatever the order of the fields", () => {
    const first = createOnce(consultationValues());
    const before = written();
    const values = consultationValues();
    const reordered = Object.fromEntries(Object.entries(values).reverse());
    const again = createOnce(reordered);
    expect(again).toEqual({ ...first, repeated: true, runs: 0 });
    expect(written()).toEqual(before);
  });

  it("refuses the same key with other content (409), and writes nothing", () => {
    createOnce(consultationValues());
    const before = written();
    const error = appErrorFrom(() => createOnce(consultationValues({ title: "Something else entirely" })), "conflict");
    expect(error.message).toBe(OTHER_CONTENT);
    expect(error.status).toBe(409);
    expect(written()).toEqual(before);
  });

  it("refuses a post without a key, or with one no page made, as a form error without a field (400)", () => {
    const before = written();
    for (const key of [undefined, "", "short", "has spaces in it, and more", "x".repeat(65), ["unit-key-000000000001", "unit-key-000000000002"]]) {
      const values = consultationValues();
      if (key === undefined) delete values[SUBMIT_KEY];
      else values[SUBMIT_KEY] = key;
      const error = appErrorFrom(() => createOnce(values), "invalid");
      expect(error.message).toBe(MISSING_KEY);
      expect(error.field).toBeUndefined();
    }
    expect(written()).toEqual(before);
  });

  it("keeps a key apart per person and per form: the same key elsewhere is another request", () => {
    createOnce(consultationValues());
    const rafael = createOnce(consultationValues({ title: "Rafael's own" }), { userId: userIdOf(db, "rafael.ortega@taskforce.example") });
    const otherForm = createOnce(consultationValues({ title: "Copied from another page" }), { form: "/consultations/new#copy" });
    expect([rafael.repeated, otherForm.repeated]).toEqual([false, false]);
    expect(rowCount(db, consultations)).toBe(3);
  });

  it("leaves the key unused when the action refuses, and rolls back what the action wrote before it refused", () => {
    const before = written();
    const refused = () =>
      submitOnce(db, { userId: annaId, form: "/consultations/new", values: consultationValues() }, () => {
        createConsultation(db, consultationFormSchema.parse(consultationValues()), actor(), T0);
        throw new AppError("invalid", "Refused after writing.", "title");
      });
    expect(appErrorFrom(refused, "invalid").message).toBe("Refused after writing.");
    expect(written()).toEqual(before);
    // The corrected form goes with the same key, and is the first.
    expect(createOnce(consultationValues({ title: "Corrected" })).repeated).toBe(false);
  });

  it("writes the mail of a sending action once: a repeat of opening sends no second set of invitations", () => {
    const id = createConsultation(db, consultationFormSchema.parse(consultationValues()), actor(), T0);
    const open = () =>
      submitOnce(db, { userId: annaId, form: `/consultations/${id}#open`, values: { intent: "open", [SUBMIT_KEY]: KEY } }, () => {
        const invited = openConsultation(db, id, actor(), T0);
        return { location: `/consultations/${id}`, message: `${invited} invited.` };
      });
    // Invitations are composed by the broadcast worker, after the request.
    const drain = () => drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, T0);
    const first = open();
    drain();
    const mails = rowCount(db, outbox);
    expect(mails).toBeGreaterThan(0);
    // Without the key, the second would be refused: "Only a draft consultation can be opened."
    expect(open()).toEqual({ ...first, repeated: true });
    drain();
    expect(rowCount(db, outbox)).toBe(mails);
  });

  it("answers a repeat of a threat input's submit with its first version even once the deadline has passed", () => {
    const id = createConsultation(db, consultationFormSchema.parse(consultationValues()), actor(), T0);
    openConsultation(db, id, actor(), T0);
    const person = getAccount(db, userIdOf(db, DEMO_SIGN_INS.stakeholder));
    const katharina = { ...person, organisationId: person.organisationId! };
    const values = { ...itemFields(0, { crimeArea: "botnets" }), intent: "submit", [SUBMIT_KEY]: KEY };
    const submit = (now: Date) =>
      submitOnce(
        db,
        { userId: katharina.id, form: `/consultations/${id}/input#submit`, values },
        () => {
          const items = threatInputFormSchema(inputFormFor(db, katharina, id, now).context).parse(values).items;
          const outcome = submitInput(db, katharina, id, { items, values }, { ...actor(), userId: katharina.id }, now);
          return { location: `/inputs/${outcome.inputId}`, message: `Version ${outcome.version} is submitted.`, status: 303 };
        },
        now,
      );
    const first = submit(later(T0, HOUR));
    const deadline = new Date("2026-04-15T15:00:00.000Z");
    expect(submit(later(deadline, HOUR))).toEqual({ ...first, repeated: true });
    expect(rowCount(db, threatInputVersions)).toBe(1);
  });

  it("forgets keys after the retention time, so that the table does not grow without end", () => {
    createOnce(consultationValues());
    const afterRetention = later(T0, KEY_RETENTION_MS + HOUR);
    const next = createOnce(consultationValues({ [SUBMIT_KEY]: "unit-key-000000000002" }), {}, afterRetention);
    expect(next.repeated).toBe(false);
    expect(db.select().from(idempotentRequests).all().map((row) => row.key)).toEqual(["unit-key-000000000002"]);
  });
});
