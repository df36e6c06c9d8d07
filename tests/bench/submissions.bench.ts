import { bench, describe } from "vitest";
import { DEMO_SIGN_INS } from "../../db/seed";
import { SUBMIT_KEY } from "~/lib/forms";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation } from "~/modules/consultations/service.server";
import { submitOnce } from "~/modules/submissions/service.server";
import { freshDatabase } from "../support/db";
import { userIdOf } from "../unit/helpers";

// What sending a form once costs: a consultation made directly, the same through submitOnce
// (the key's lookup, its row and the old keys' sweep, in the same transaction), and a repeat,
// which only looks its answer up, with 10,000 keys already kept.
const { db } = freshDatabase({ seed: true });
const userId = userIdOf(db, DEMO_SIGN_INS.coordinator);
const values = {
  title: "Bench round",
  crimeAreas: ["botnets"],
  deadlineDate: "2099-04-15",
  deadlineTime: "17:00",
  deadlineTimeZone: "Europe/Vienna",
};
const input = consultationFormSchema.parse(values);
const create = () => {
  const id = createConsultation(db, input, { userId, origin: {} });
  return { location: `/consultations/${id}`, message: "Saved." };
};
let keys = 0;
const key = () => `bench-key-${String(++keys).padStart(12, "0")}`;
for (let i = 0; i < 10_000; i++) submitOnce(db, { userId, form: "/consultations/new", values: { ...values, [SUBMIT_KEY]: key() } }, () => ({ location: "/", message: "" }));
const repeated = { ...values, [SUBMIT_KEY]: key() };
submitOnce(db, { userId, form: "/consultations/new", values: repeated }, create);

describe("a form that creates something", () => {
  bench("createConsultation alone", () => {
    db.transaction(() => create());
  });
  bench("createConsultation through submitOnce, a new key", () => {
    submitOnce(db, { userId, form: "/consultations/new", values: { ...values, [SUBMIT_KEY]: key() } }, create);
  });
  bench("a repeat through submitOnce (no action, the first answer)", () => {
    submitOnce(db, { userId, form: "/consultations/new", values: repeated }, create);
  });
});
