import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { computedPage, type EditionPageAsk } from "~/modules/assessment/page.server";
import type { WorkerAnswer } from "~/modules/assessment/page-worker.server";

// The edition page worker's thread (app/modules/assessment/page-worker.server.ts): its own
// connection to the portal's database, the pages asked for computed one after another.

const { db } = openDatabase((workerData as { databasePath: string }).databasePath);

parentPort!.on("message", ({ seq, viewer, id }: EditionPageAsk & { seq: number }) => {
  let answer: WorkerAnswer;
  try {
    answer = { seq, page: computedPage(db, viewer, id) };
  } catch (error) {
    answer =
      error instanceof AppError
        ? { seq, refusal: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } }
        : { seq, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(answer);
});
