import path from "node:path";
import { Worker } from "node:worker_threads";
import { getEnv } from "~/lib/env.server";
import { AppError, type AppErrorCode } from "~/lib/errors";
import { singleton } from "~/lib/singleton.server";
import type { ReadInput, ReadOutput, ReadTask } from "./read-tasks.server";

/**
 * The read worker: a thread of its own, with its own connection to the database file, that
 * computes the portal's heavy reads (READ_TASKS: an edition's page, the triage queue's
 * corroboration) one after another, on the machine's other core, while the event loop goes on
 * answering everyone else (docs/decisions/034). Started at the first read asked for; if it dies,
 * the reads it was computing fail and the next one starts it again.
 */

/** What the worker answers: the value, or the refusal or failure it met. */
export type WorkerAnswer = { seq: number } & (
  | { value: unknown }
  | { refusal: { code: AppErrorCode; message: string; field?: string } }
  | { failure: string }
);

/** The built worker (npm run build), beside the built server. */
export const BUILT_WORKER = path.resolve("build/server/read-worker.js");

export function readWorker(databasePath: string, script = BUILT_WORKER) {
  let worker: Worker | null = null;
  let seq = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  const failAll = (error: unknown) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
    worker = null;
  };
  const started = () => {
    if (worker) return worker;
    const thread = new Worker(script, { workerData: { databasePath } });
    // Idle, it keeps nobody waiting: the process may end with it.
    thread.unref();
    thread.on("message", (answer: WorkerAnswer) => {
      const asked = waiting.get(answer.seq);
      if (!asked) return;
      waiting.delete(answer.seq);
      if ("value" in answer) asked.resolve(answer.value);
      else if ("refusal" in answer) asked.reject(new AppError(answer.refusal.code, answer.refusal.message, answer.refusal.field));
      else asked.reject(new Error(`a read off the event loop failed: ${answer.failure}`));
    });
    thread.on("error", (error) => failAll(error));
    thread.on("exit", (code) => {
      if (worker === thread) failAll(new Error(`the read worker stopped (exit code ${code})`));
    });
    worker = thread;
    return thread;
  };
  return {
    run<T extends ReadTask>(task: T, input: ReadInput<T>): Promise<ReadOutput<T>> {
      const thread = started();
      return new Promise((resolve, reject) => {
        seq += 1;
        waiting.set(seq, { resolve: resolve as (value: unknown) => void, reject });
        thread.postMessage({ seq, task, input });
      });
    },
    /** Ends the thread; what it was computing fails. */
    async stop() {
      const thread = worker;
      worker = null;
      await thread?.terminate();
      failAll(new Error("the read worker stopped"));
    },
  };
}

/** The process's read worker, on the portal's database. */
export const reads = () => singleton("read-worker", () => readWorker(getEnv().DATABASE_PATH));
