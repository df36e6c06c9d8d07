import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorRequestHandler, Request, RequestHandler, Response } from "express";
import type { Env } from "~/lib/env.server";
import { logger, newRequestId, noteRefusal, withRequestScope } from "~/lib/logger.server";
import { createRequestGuard, type Refusal } from "~/lib/request-guard.server";

// The HTTP edge of the portal: what every request meets before, and around, the Remix routes.

/**
 * Gives each request its id (in X-Request-Id, and on every log line written while it is served,
 * however deep in a module) and one log line when its answer is sent: refusals at info, faults
 * at error. The path is logged without its query, which can hold a sign-in token.
 */
export const requestScope: RequestHandler = (req, res, next) => {
  const requestId = newRequestId();
  res.locals.requestId = requestId;
  res.setHeader("X-Request-Id", requestId);
  const started = performance.now();
  withRequestScope(requestId, (scope) => {
    res.on("finish", () => {
      const line = {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
        ...(scope.refusal && res.statusCode >= 400 ? { reason: scope.refusal } : {}),
      };
      if (res.statusCode >= 500) scope.log.error(line, "request failed");
      else if (res.statusCode >= 400) scope.log.info(line, "request refused");
      else scope.log.debug(line, "request served");
    });
    next();
  });
};

/**
 * /healthz, asked every few seconds by load balancers, monitors and the tests, is answered by the
 * HTTP server itself, before Express: whether the database answers, with a request id like every
 * answer, and nothing else of a page's work (its middleware, headers and logging cost five times
 * the check). Returns whether it answered; a 503 is logged at error, as a failed request is.
 */
export function healthCheck(databaseAnswers: () => boolean) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.url?.split("?")[0] !== "/healthz" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const ok = databaseAnswers();
    const requestId = newRequestId();
    if (!ok) logger().error({ method: req.method, path: "/healthz", status: 503, requestId }, "request failed");
    const body = ok ? "ok" : "database unavailable";
    res.writeHead(ok ? 200 : 503, {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
      "Cache-Control": "no-store",
      "X-Request-Id": requestId,
      "X-Content-Type-Options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}

export function loadContext(req: Request, res: Response): AppLoadContext {
  return {
    cspNonce: res.locals.cspNonce as string,
    clientAddress: req.ip ?? req.socket.remoteAddress ?? "unknown",
    requestId: res.locals.requestId as string,
    bodyLimit: (res.locals.bodyLimit as number | undefined) ?? 0,
    abandonBody: () => res.setHeader("Connection", "close"),
    // Set by the page queue for a write; a request it did not see (none in the portal) goes ahead.
    takePlace: (res.locals.takePlace as (() => Promise<void>) | undefined) ?? (() => Promise.resolve()),
  };
}

/** Remix's mode for this configuration: production hides error details from pages. */
export const remixMode = (env: Env) => (env.NODE_ENV === "production" ? "production" : "development");

const REFUSAL_PATH = "/refused";

const carriesBody = (req: Request) => Number(req.get("Content-Length") ?? 0) > 0 || req.get("Transfer-Encoding") !== undefined;

export type Refuse = (req: Request, res: Response, refusal: Refusal) => Promise<void>;

/**
 * Answers a refusal as the portal's own error page: Remix renders routes/refused with the
 * refusal in its load context. A client that asks for JSON gets JSON; a single-fetch `.data`
 * request gets what Remix's client reads, an error response from that route. The refused
 * request's body is never read: the connection closes with the answer instead.
 */
export function refusals(build: ServerBuild, env: Env): Refuse {
  const render = createRequestHandler(build, remixMode(env));
  return async (req, res, refusal) => {
    noteRefusal(refusal.message);
    if (refusal.allow !== undefined) res.setHeader("Allow", refusal.allow);
    if (carriesBody(req)) res.setHeader("Connection", "close");
    const requestId = res.locals.requestId as string;
    const data = req.path.endsWith(".data");
    if (!data && req.accepts(["html", "json"]) === "json") {
      res.status(refusal.status).json({ status: refusal.status, message: refusal.message, requestId });
      return;
    }
    const method = req.method === "HEAD" ? "HEAD" : data && req.method !== "GET" ? "POST" : "GET";
    const headers = new Headers({ Accept: req.get("Accept") ?? "text/html" });
    // The page's header shows who is signed in, as on every other page.
    const cookie = req.get("Cookie");
    if (cookie) headers.set("Cookie", cookie);
    const page = await render(new Request(new URL(`${REFUSAL_PATH}${data ? ".data" : ""}`, env.APP_URL), { method, headers }), {
      ...loadContext(req, res),
      refusal,
    });
    res.status(page.status);
    for (const [name, value] of page.headers) res.append(name, value);
    res.end(Buffer.from(await page.arrayBuffer()));
  };
}

/**
 * The guard in front of every route (see app/lib/request-guard.server.ts): 405 for a method the
 * route does not take, 415 for a body that is not a form, 413 for a Content-Length over the
 * limit, 400 for an address or Host header that cannot be read, 403 for an Origin of another
 * host, 404 for a non-GET where no route is. What passes carries its body limit on to the form
 * reader.
 */
export function requestGuard(build: ServerBuild, env: Env, refuse: Refuse): RequestHandler {
  const check = createRequestGuard(build.routes, env.MAX_BODY_BYTES);
  return (req, res, next) => {
    const decision = hostIsReadable(req)
      ? check({
          method: req.method,
          target: req.originalUrl,
          contentType: req.get("Content-Type"),
          contentLength: req.get("Content-Length"),
          origin: req.get("Origin"),
          host: req.get("X-Forwarded-Host")?.split(",")[0]?.trim() || req.get("Host"),
        })
      : { refusal: { status: 400, message: "This request's Host header is not a host name." } };
    if ("refusal" in decision) {
      refuse(req, res, decision.refusal).catch(next);
      return;
    }
    res.locals.bodyLimit = decision.bodyLimit;
    next();
  };
}

// The Remix adapter builds the request's URL from the host name; one it cannot parse would throw.
function hostIsReadable(req: Request): boolean {
  try {
    new URL(`${req.protocol}://${req.hostname ?? "localhost"}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The last resort. A client error Express itself found (http-errors carry a 4xx `status`) is a
 * refusal; anything else is a fault, logged at error with the request's id.
 */
export function faults(refuse: Refuse): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = (error as { status?: unknown } | null)?.status;
    if (!res.headersSent && typeof status === "number" && status >= 400 && status < 500) {
      refuse(req, res, { status, message: "That request was not understood." }).catch((failure: unknown) => fault(failure, req, res));
      return;
    }
    fault(error, req, res);
  };
}

function fault(error: unknown, req: Request, res: Response) {
  logger().error({ err: error, path: req.path }, "request failed");
  // Half an answer cannot be mended: the connection ends, and the client sees it failed.
  if (res.headersSent) return void req.socket.destroy();
  res
    .status(500)
    .type("text/plain")
    .send(`Something went wrong on our side. Quote this reference: ${res.locals.requestId as string}`);
}

/**
 * Pages are computed on the one JavaScript thread, and a page's loaders run before its render
 * streams out. Let in all at once, fifty heavy pages each wait for every other's loaders before
 * their own render: all finish late together (under load, a page of 0.2 s answered nobody within
 * 4 s). Admitted a few at a time, in arrival order, they finish one after another as a plain
 * synchronous server would. A write takes its place once its form has arrived (the form reader
 * asks for it, `takePlace` in the load context): its body comes at the sender's pace, and a slow
 * upload must not hold a place that pages wait for (docs/decisions/029). A request whose client
 * left while it waited is dropped; past `waiting`, a page is answered 503 at once rather than
 * late, but a write still waits its turn: it carries what someone typed.
 */
export function pageQueue({ concurrent, waiting }: { concurrent: number; waiting: number }): RequestHandler {
  let running = 0;
  // Requests still waiting; `queue` also holds those whose client left, until their turn comes.
  let waitingNow = 0;
  const queue: { start: () => void; state: "waiting" | "started" | "gone" }[] = [];
  // One request starts a turn of the event loop (setImmediate), never in the turn that let it in
  // or freed its place: requests that arrive together would otherwise each run to their end in the
  // same turn (a write's action and redirect never wait on I/O), and nothing else would be
  // answered meanwhile: twenty submitters kept the event loop 170 ms late, and four feeds started
  // together 110 ms (docs/decisions/029). The place is counted from the moment it is given.
  let starting = false;
  const startSoon = () => {
    if (starting) return;
    starting = true;
    setImmediate(startOne);
  };
  const startOne = () => {
    starting = false;
    while (running < concurrent && queue.length) {
      const entry = queue.shift()!;
      if (entry.state === "gone") continue;
      entry.state = "started";
      waitingNow -= 1;
      running += 1;
      // Asked for before this one runs, so that the next start comes in the next turn.
      if (queue.length) startSoon();
      entry.start();
      return;
    }
  };
  /**
   * Runs `proceed` once this response has a place, and frees the place when it is written out.
   * A page whose client left before its turn is not computed; a write still is (its form is in).
   */
  const admit = (res: Response, proceed: () => void, write: boolean) => {
    const start = () => {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        running -= 1;
        startSoon();
      };
      // The place is for computing the answer: it is free once the answer is written out (end),
      // not once the client has read it. A client that stops reading a large answer (a feed, an
      // export) would otherwise hold its place for as long as it keeps the connection open,
      // and a few such clients would stop every page. A client that leaves first frees it too.
      const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
      res.end = ((...args: unknown[]) => {
        const ended = end(...args);
        release();
        return ended;
      }) as typeof res.end;
      if (res.closed) {
        release();
        if (!write) return;
      } else {
        res.once("close", release);
      }
      proceed();
    };
    const entry = { start, state: "waiting" as "waiting" | "started" | "gone" };
    queue.push(entry);
    waitingNow += 1;
    startSoon();
    // A page nobody waits for any more is dropped; a write keeps its turn, its form is in.
    if (write) return;
    res.once("close", () => {
      if (entry.state !== "waiting") return;
      entry.state = "gone";
      waitingNow -= 1;
    });
  };
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      let place: Promise<void> | undefined;
      res.locals.takePlace = () => (place ??= new Promise<void>((resolve) => admit(res, resolve, true)));
      return next();
    }
    if (running >= concurrent && waitingNow >= waiting) {
      res.status(503).set("Retry-After", "5").set("Cache-Control", "no-store").type("text/plain").send("The portal is busy. Try again in a few seconds.");
      return;
    }
    admit(res, next, false);
  };
}
