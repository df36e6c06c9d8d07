import type { DbOrTx } from "~/lib/db.server";
import type { Viewer } from "../access/viewer";
import { computedPage } from "../assessment/page.server";
import { corroborationOfInputs } from "../intel/correlation.server";

/**
 * The reads the read worker computes off the event loop (read-worker.server.ts): those that take
 * tens or hundreds of milliseconds on the one JavaScript thread at years of data. Each is handed
 * the viewer as the need-to-know gate sees them (id, roles, organisation) and the rest of what it
 * reads by, all of it structured-clonable, and answers a structured-clonable value.
 */
export const READ_TASKS = {
  /** An edition's page (decision 034): half a second and more for a draft at 10,000 inputs. */
  "edition-page": (db: DbOrTx, { viewer, id }: { viewer: Viewer; id: number }) => computedPage(db, viewer, id),
  /** How much of each input of a page of the triage queue is reported elsewhere: 50-70 ms at 10,000 inputs. */
  corroboration: (db: DbOrTx, { viewer, inputIds }: { viewer: Viewer; inputIds: number[] }) => corroborationOfInputs(db, viewer, inputIds),
};

export type ReadTasks = typeof READ_TASKS;
export type ReadTask = keyof ReadTasks;
export type ReadInput<T extends ReadTask> = Parameters<ReadTasks[T]>[1];
export type ReadOutput<T extends ReadTask> = ReturnType<ReadTasks[T]>;
