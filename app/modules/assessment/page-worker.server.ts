import path from "node:path";
import { Worker } from "node:worker_threads";
import { getEnv } from "~/lib/env.server";
import { AppError, type AppErrorCode } from "~/lib/errors";
import { singleton } from "~/lib/singleton.server";
import type { EditionPage, EditionPageAsk } from "./page.server";

/**
 * The edition page worker: a thread of its own, with its own connection to the database file,
 * that computes edition pages (`computedPage`) one after another while the event loop goes on
 * answering everyone else (docs/decisions/034). Started at the first page asked for; if it dies, the
 * pages it was computing fail and the next one starts it again.
 */

/** What the worker answers: the page, or the refusal or failure it met. */
export type WorkerAnswer = { seq: number } & (
  | { page: EditionPage }
  | { refusal: { code: AppErrorCode; message: string; field?: string } }
  | { failure: string }
);

/** The built worker (npm run build), beside the built server. */
export const BUILT_WORKER = path.resolve("build/server/edition-page-worker.js");

export function editionPageWorker(databasePath: string, script = BUILT_WORKER, execArgv: string[] = []) {
  let worker: Worker | null = null;
  let seq = 0;
  const waiting = new Map<number, { resolve: (page: EditionPage) => void; reject: (error: unknown) => void }>();
  const failAll = (error: unknown) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
    worker = null;
  };
  const started = () => {
    if (worker) return worker;
    const thread = new Worker(script, { workerData: { databasePath }, execArgv });
    // Idle, it keeps nobody waiting: the process may end with it.
    thread.unref();
    thread.on("message", (answer: WorkerAnswer) => {
      const asked = waiting.get(answer.seq);
      if (!asked) return;
      waiting.delete(answer.seq);
      if ("page" in answer) asked.resolve(answer.page);
      else if ("refusal" in answer) asked.reject(new AppError(answer.refusal.code, answer.refusal.message, answer.refusal.field));
      else asked.reject(new Error(`computing the edition page failed: ${answer.failure}`));
    });
    thread.on("error", (error) => failAll(error));
    thread.on("exit", (code) => {
      if (worker === thread) failAll(new Error(`the edition page worker stopped (exit code ${code})`));
    });
    worker = thread;
    return thread;
  };
  return {
    compute(asked: EditionPageAsk): Promise<EditionPage> {
      const thread = started();
      return new Promise((resolve, reject) => {
        seq += 1;
        waiting.set(seq, { resolve, reject });
        thread.postMessage({ seq, ...asked });
      });
    },
    /** Ends the thread; what it was computing fails. */
    async stop() {
      const thread = worker;
      worker = null;
      await thread?.terminate();
      failAll(new Error("the edition page worker stopped"));
    },
  };
}

/** The process's edition page worker, on the portal's database. */
export const editionPages = () => singleton("edition-page-worker", () => editionPageWorker(getEnv().DATABASE_PATH));
