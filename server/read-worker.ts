import v8 from "node:v8";
import vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { READ_TASKS, type ReadTask } from "~/modules/system/read-tasks.server";
import type { WorkerAnswer } from "~/modules/system/read-worker.server";

// The read worker's thread (app/modules/system/read-worker.server.ts): its own connection to the
// portal's database, the reads asked for computed one after another.

const { db } = openDatabase((workerData as { databasePath: string }).databasePath);

// A full collection once the worker has had nothing to compute for a moment: a draft's page
// leaves a hundred MB and more of garbage, which V8 would otherwise keep until the thread's
// next computation, hours later perhaps. The worker's collection holds up no one else.
v8.setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc") as () => void;
let idle: NodeJS.Timeout | undefined;

parentPort!.on("message", ({ seq, task, input }: { seq: number; task: ReadTask; input: never }) => {
  clearTimeout(idle);
  let answer: WorkerAnswer;
  try {
    answer = { seq, value: READ_TASKS[task](db, input) };
  } catch (error) {
    answer =
      error instanceof AppError
        ? { seq, refusal: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } }
        : { seq, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort!.postMessage(answer);
  idle = setTimeout(collect, 500);
});
