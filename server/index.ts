import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import v8 from "node:v8";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { seedDemoRound } from "../db/demo-round";
import { DEMO_SIGN_INS, hasAnyUser, seedDemoData } from "../db/seed";
import { closeDb, getDb, migrateDatabase } from "~/lib/db.server";
import { EnvError, getEnv } from "~/lib/env.server";
import { logger } from "~/lib/logger.server";
import { CROSS_ORIGIN_REFUSAL } from "~/lib/request-guard.server";
import { getTransporter } from "~/lib/mailer.server";
import {
  contentSecurityPolicy,
  isCrossOriginWrite,
  newNonce,
  SECURITY_HEADERS,
} from "~/lib/security.server";
import { BROADCAST_HANDLERS } from "~/modules/broadcasts/handlers.server";
import { startBroadcastWorker } from "~/modules/broadcasts/service.server";
import { backfillIntelligence } from "~/modules/intel/entities.server";
import { retryPolicy, startOutboxWorker } from "~/modules/mail/worker.server";
import { databaseAnswers } from "~/modules/system/health.server";
import { queueDueReminders } from "~/modules/scheduling/service.server";
import { faults, healthCheck, loadContext, pageQueue, refusals, remixMode, requestGuard, requestScope } from "./edge";

// After each full collection the heap may grow to 1.5 times what survived it before the next,
// where V8 would otherwise let it grow up to four times (docs/decisions/031): under load the
// garbage of finished requests then filled the old space to 450 MB of resident memory with about
// 100 MB alive. Read by V8 at each collection, so setting it here, before serving, holds.
v8.setFlagsFromString("--heap-growing-percent=50");

let env: ReturnType<typeof getEnv>;
try {
  env = getEnv();
} catch (error) {
  if (error instanceof EnvError) {
    console.error(`Taskforce Consult cannot start.\n${error.message}`);
    process.exit(1);
  }
  throw error;
}
const log = logger();

const db = getDb();
migrateDatabase(db);
backfillIntelligence(db);
if (!hasAnyUser(db)) {
  seedDemoData(db);
  // The demo round is for a person trying the portal: its mail stays in the demo mailbox, never
  // goes through a real relay, and tests build rounds of their own.
  if (env.NODE_ENV !== "test" && env.mailMode === "mailbox") seedDemoRound(db, { appUrl: env.APP_URL });
  log.info("first start: demo data added");
}

// On start the worker records itself and takes back the mail that a crashed worker held.
const transporter = getTransporter(env);
const worker = startOutboxWorker(
  {
    db,
    transporter,
    mailMode: env.mailMode,
    from: env.MAIL_FROM,
    policy: retryPolicy(env),
    inFlight: env.MAIL_MAX_CONNECTIONS * 4,
    logger: log,
  },
  env.MAIL_POLL_INTERVAL_MS,
);

const build = (await import(path.resolve("build/index.js"))) as ServerBuild;

// Mail to many people (invitations, polls, meeting changes) is composed here, off the requests
// that cause it, a batch at a time; the outbox worker then sends it. The analysts' notice of new
// input first gathers the submits of a burst.
const broadcaster = startBroadcastWorker(
  { db, handlers: BROADCAST_HANDLERS, appUrl: env.APP_URL, gathering: { "threat-input-notices": env.ANALYST_NOTICE_GATHER_MS }, logger: log },
  200,
);

// Day-before meeting reminders: each meeting's queued once a minute as it falls due, as a
// broadcast the worker above composes; the outbox worker sends them.
const queueReminders = () => {
  try {
    queueDueReminders(db);
  } catch (error) {
    log.error({ err: error }, "queueing meeting reminders failed");
  }
};
// At start, the meetings that fell due while the portal was down: a read of the next 24 hours'
// meetings and a row each, composed later by the worker.
queueReminders();
const reminders = setInterval(queueReminders, 60_000);

const refuse = refusals(build, env);

const PUBLIC_FILES = fs
  .readdirSync("public")
  .filter((name) => name !== "build")
  .map((name) => `/${name}`);

const app = express();
app.disable("x-powered-by");
app.set("trust proxy", env.TRUST_PROXY);

app.use(requestScope);

app.use(compression());

app.use((req, res, next) => {
  const nonce = newNonce();
  res.locals.cspNonce = nonce;
  res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce));
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (env.APP_URL.startsWith("https://")) {
    res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  }
  next();
});

app.use((req, res, next) => {
  const refused = isCrossOriginWrite({
    method: req.method,
    origin: req.get("Origin"),
    secFetchSite: req.get("Sec-Fetch-Site"),
    host: req.get("Host"),
    protocol: req.protocol,
    appUrl: env.APP_URL,
  });
  if (!refused) return next();
  refuse(req, res, CROSS_ORIGIN_REFUSAL).catch(next);
});

app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
// The few files beside the build (the favicon), by name: served from the whole folder, every
// page's address would first cost a look at the disk for a file of that name.
app.get(PUBLIC_FILES, express.static("public", { maxAge: "1h" }));

app.use(requestGuard(build, env, refuse));
app.use(pageQueue({ concurrent: env.PAGES_AT_ONCE, waiting: env.PAGES_WAITING }));

app.all("*", createRequestHandler({ build, mode: remixMode(env), getLoadContext: loadContext }));

app.use(faults(refuse));

// /healthz is answered before Express (server/edge.ts), everything else by the app.
const answerHealth = healthCheck(() => databaseAnswers(db));
const server = http.createServer((req, res) => {
  if (!answerHealth(req, res)) app(req, res);
});
server.listen(env.PORT, () => {
  log.info({ url: env.APP_URL, port: env.PORT, mail: env.mailMode }, "Taskforce Consult is listening");
  if (env.mailMode === "mailbox") {
    log.warn("demo mail mode: no SMTP_URL is set, so mail is kept in the portal's own mailbox at /dev/mailbox");
  }
  if (env.NODE_ENV !== "production") {
    console.log(
      [
        "",
        `  Taskforce Consult: ${env.APP_URL}`,
        "  Sign in at /login with one of the demo accounts; the link arrives in " +
          (env.mailMode === "mailbox" ? `${env.APP_URL}/dev/mailbox` : "the SMTP server's mailbox"),
        ...Object.entries(DEMO_SIGN_INS).map(([role, email]) => `    ${role.padEnd(12)} ${email}`),
        "",
      ].join("\n"),
    );
  }
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  server.close();
  clearInterval(reminders);
  await broadcaster.stop();
  await worker.stop();
  transporter.close();
  closeDb();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
