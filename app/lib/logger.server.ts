import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import pino, { type Logger } from "pino";
import { getEnv } from "./env.server";
import { singleton } from "./singleton.server";

const rootLogger = () =>
  singleton("logger", () =>
    pino({
      level: getEnv().LOG_LEVEL,
      base: undefined,
      redact: ["token", "*.token", "req.headers.cookie"],
    }),
  );

export type RequestScope = { requestId: string; log: Logger; refusal?: string };

// One store for the process: the server entry and the Remix build each load this file.
const requests = () => singleton("request-scope", () => new AsyncLocalStorage<RequestScope>());

/**
 * The logger to use now: inside a request, a child that stamps every line with the request's
 * id, however deep in a module the line is written; outside one (start-up, the outbox worker),
 * the process's own.
 */
export const logger = (): Logger => requests().getStore()?.log ?? rootLogger();

/** The id of the request being served, if any: the reference a person can quote. */
export const currentRequestId = (): string | undefined => requests().getStore()?.requestId;

/** Why the request being served is refused, for the one line logged when its answer is sent. */
export function noteRefusal(reason: string) {
  const scope = requests().getStore();
  if (scope) scope.refusal = reason;
}

/** Twelve hex digits: short enough to read out over the phone, unique enough for a day's logs. */
export const newRequestId = () => randomBytes(6).toString("hex");

/** Runs a request's work with its id in scope for `logger()`, `currentRequestId()` and `noteRefusal()`. */
export function withRequestScope<T>(requestId: string, run: (scope: RequestScope) => T): T {
  const scope: RequestScope = { requestId, log: rootLogger().child({ requestId }) };
  return requests().run(scope, () => run(scope));
}
