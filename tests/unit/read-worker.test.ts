import fs from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SIGN_INS } from "../../db/seed";
import { AppError } from "~/lib/errors";
import { getAccount } from "~/modules/accounts/service.server";
import { gateViewer } from "~/modules/access/viewer";
import { computedPage, editionPage, editionPageSoon, type EditionPageAsk } from "~/modules/assessment/page.server";
import { corroborationOfInputs } from "~/modules/intel/correlation.server";
import { BUILT_WORKER, readWorker } from "~/modules/system/read-worker.server";
import { threatInputs } from "../../db/schema";
import { editionRound, type Fixture } from "../support/edition-round";
import { userIdOf } from "./helpers";

// Reads computed off the event loop (docs/decisions/034): the built worker thread (npm test builds
// first), on its own connection to the round's database file, answers what the portal's thread
// would compute (an edition's page, the triage queue's corroboration), its refusals as refusals,
// and one computation of a page for two views that ask at once.

let round: Fixture;
let worker: ReturnType<typeof readWorker>;
beforeAll(() => {
  expect(fs.existsSync(BUILT_WORKER), "npm run build first: the worker runs as it is built").toBe(true);
  round = editionRound("Worker round");
  worker = readWorker(round.file);
});
afterAll(async () => {
  await worker?.stop();
  round?.sqlite.close();
});

const person = (email: string) => getAccount(round.db, userIdOf(round.db, email));

describe("the read worker", () => {
  it("computes the page each reader would be shown on the portal's thread", async () => {
    for (const email of [DEMO_SIGN_INS.analyst, DEMO_SIGN_INS.coordinator]) {
      const viewer = person(email);
      const asked: EditionPageAsk = { viewer: gateViewer(viewer), id: round.editionId };
      // What crosses the thread is a structured clone: compared as the route sends it on, in JSON.
      expect(JSON.stringify(await worker.run("edition-page", asked))).toBe(JSON.stringify(computedPage(round.db, asked.viewer, round.editionId)));
    }
  });

  it("answers a refusal as the same refusal, and a stakeholder learns nothing of the edition", async () => {
    const stakeholder = person(DEMO_SIGN_INS.stakeholder);
    const refused = await worker.run("edition-page", { viewer: gateViewer(stakeholder), id: round.editionId }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    let onThread: unknown;
    try {
      editionPage(round.db, stakeholder, round.editionId);
    } catch (error) {
      onThread = error;
    }
    expect(refused).toMatchObject({ code: (onThread as AppError).code, message: (onThread as AppError).message });
  });

  it("computes a page once for views that ask at once, keeps it until a write, and keeps no failure", async () => {
    const viewer = person(DEMO_SIGN_INS.analyst);
    let computations = 0;
    const counted = (asked: EditionPageAsk) => {
      computations += 1;
      return worker.run("edition-page", asked);
    };
    const [first, second] = await Promise.all([
      editionPageSoon(round.db, viewer, round.editionId, counted),
      editionPageSoon(round.db, viewer, round.editionId, counted),
    ]);
    expect(computations).toBe(1);
    expect(second).toBe(first);
    await editionPageSoon(round.db, viewer, round.editionId, counted);
    expect(computations).toBe(1);
    round.db.run(sql`update edition_page_version set version = version + 1`);
    await editionPageSoon(round.db, viewer, round.editionId, counted);
    expect(computations).toBe(2);

    // A computation that fails is asked for again at the next view.
    round.db.run(sql`update edition_page_version set version = version + 1`);
    const failing = () => Promise.reject(new Error("the worker is gone"));
    await expect(editionPageSoon(round.db, viewer, round.editionId, failing)).rejects.toThrow("the worker is gone");
    await editionPageSoon(round.db, viewer, round.editionId, counted);
    expect(computations).toBe(3);
  });

  it("is started again after its thread died, and fails what it was computing", async () => {
    const viewer = person(DEMO_SIGN_INS.analyst);
    const asked = { viewer: gateViewer(viewer), id: round.editionId };
    const computing = worker.run("edition-page", asked);
    await worker.stop();
    await expect(computing).rejects.toThrow(/stopped/);
    expect((await worker.run("edition-page", asked)).edition.id).toBe(round.editionId);
  });

  it("answers the triage queue's corroboration as the portal's thread computes it", async () => {
    const inputIds = round.db.select({ id: threatInputs.id }).from(threatInputs).all().map((row) => row.id);
    expect(inputIds.length).toBeGreaterThan(0);
    for (const email of [DEMO_SIGN_INS.analyst, DEMO_SIGN_INS.coordinator]) {
      const viewer = gateViewer(person(email));
      expect(await worker.run("corroboration", { viewer, inputIds })).toEqual(corroborationOfInputs(round.db, viewer, inputIds));
    }
  });
});
