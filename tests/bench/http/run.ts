import { fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { createCookie } from "@remix-run/node";
import { openDatabase } from "~/lib/db.server";
import { getAccount } from "~/modules/accounts/service.server";
import { publishEdition } from "~/modules/assessment/service.server";
import { freePort, START_ARGUMENTS } from "../../support/portal";
import { pageJavaScript, readBrowserBuild } from "../../support/browser-build";
import { startSmtpServer } from "../../support/smtp";
import { itemFields } from "../../support/threat-input";
import { bundleReport } from "../bundle";
import { buildDataset, LARGE, SMALL, type Dataset, type Scale } from "./dataset";
import { PAGES } from "./pages";

// npm run bench:http — the portal against its ceiling, in one run (issue 13): the data set of a
// taskforce with years of data is seeded into a temporary database (and a tenth of it, to see
// which pages grow with the database), the built portal is started as `npm start` starts it, and
// beside it a bare node:http server doing the same module calls (the same SQL) with
// renderToString. Both are loaded by autocannon with 50 connections, no pipelining; the table
// gives req/s, p50 and p99 of each and their ratio, and the portal's event-loop delay p99 while
// the page was loaded (loop99: Node's histogram inside the server, event-loop.mjs), then feeds, a
// broadcast under load, durable submits (each with the event-loop delay meanwhile), memory and
// the cold start. Figures, not assertions: this machine is shared and noisy.

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
// To look at a few pages or one scale again: BENCH_PAGES=draft,feed (words of the pages' names),
// BENCH_SCALES=1000 (or 10000). By default every page at both scales.
const PAGE_WORDS = process.env.BENCH_PAGES?.split(",").filter(Boolean) ?? [];
const SELECTED_PAGES = PAGES.filter((page) => PAGE_WORDS.length === 0 || PAGE_WORDS.some((word) => page.name.includes(word)));
const SCALES = process.env.BENCH_SCALES?.split(",") ?? ["1000", "10000"];
const CONNECTIONS = 50;
const SECRET = "bench-session-secret-of-at-least-32-characters";
const cookie = createCookie("tfc_session", { httpOnly: true, sameSite: "lax", path: "/", secrets: [SECRET] });

type Server = { url: string; child: ChildProcess; stop: () => Promise<void>; eventLoop: () => Promise<EventLoop> };

async function waitForHealth(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no answer from ${url}: ${output()}`);
}

async function start(kind: "portal" | "bare", file: string, smtpUrl: string): Promise<Server & { startedInMs: number }> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production" as const,
    PORT: String(port),
    APP_URL: url,
    DATABASE_PATH: file,
    SESSION_SECRET: SECRET,
    SMTP_URL: smtpUrl,
    LOG_LEVEL: "warn",
  };
  const loopFile = path.join(path.dirname(file), `event-loop-${kind}-${port}.json`);
  env.BENCH_EVENT_LOOP_FILE = loopFile;
  const began = performance.now();
  const child =
    kind === "portal"
      ? spawn(process.execPath, ["--import", EVENT_LOOP_PRELOAD, ...START_ARGUMENTS], { env, stdio: ["ignore", "pipe", "pipe"] })
      : fork(path.resolve("tests/bench/http/bare-server.ts"), { env, execArgv: ["--import", EVENT_LOOP_PRELOAD, "--import", "tsx"], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await waitForHealth(url, child, () => output);
  const startedInMs = performance.now() - began;
  let asked = 0;
  return {
    url,
    child,
    startedInMs,
    /** The event-loop delay since the last call (the first call only starts the count). */
    eventLoop: async (): Promise<EventLoop> => {
      asked += 1;
      child.kill("SIGUSR2");
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
        try {
          const seen = JSON.parse(fs.readFileSync(loopFile, "utf8")) as EventLoop & { seq: number };
          if (seen.seq === asked) return seen;
        } catch {
          // not written yet
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no event-loop figures from the ${kind} server`);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Node's event-loop delay histogram in each server, read before and after each load. */
const EVENT_LOOP_PRELOAD = path.resolve("tests/bench/http/event-loop.mjs");
type EventLoop = { p50: number; p99: number; max: number };

/** The server's peak RSS in MB: over the whole run (`stop`), and since the last `phase` (to tell which load raised it). */
function rssSampler(pid: number) {
  let peak = 0;
  let phasePeak = 0;
  const timer = setInterval(() => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
      peak = Math.max(peak, kb);
      phasePeak = Math.max(phasePeak, kb);
    } catch {
      // gone
    }
  }, 100);
  return {
    phase: () => {
      const mb = phasePeak / 1024;
      phasePeak = 0;
      return mb;
    },
    stop: () => (clearInterval(timer), peak / 1024),
  };
}

type Load = { rps: number; p50: number; p99: number; bytes: number; errors: number; non2xx: number };

/**
 * Waits until the server has worked off what a load left queued, so that a slow page's backlog
 * is not counted against the page measured after it: until a cheap page answers at once again.
 * A page, not /healthz, which the portal answers before its page queue: between two queued
 * pages /healthz is quick while the queue still holds seconds of work.
 */
async function settled(url: string) {
  const health = new URL("/login", url).href;
  const deadline = Date.now() + 180_000;
  for (let quick = 0; quick < 3 && Date.now() < deadline; ) {
    const began = performance.now();
    // A probe stuck behind the backlog is only a slow answer: another one is sent.
    const answered = await fetch(health, { signal: AbortSignal.timeout(10_000) })
      .then((response) => response.arrayBuffer())
      .then(() => true)
      .catch(() => false);
    quick = answered && performance.now() - began < 50 ? quick + 1 : 0;
  }
}

async function load(url: string, headers: Record<string, string>, options: Partial<autocannon.Options> = {}): Promise<Load> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers, pipelining: 1, ...options });
  await settled(url);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bytes: result.throughput.average / Math.max(1, result.requests.average),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function sessionHeaders(data: Dataset, as: keyof Dataset["sessions"] | null): Promise<Record<string, string>> {
  return as ? { Cookie: (await cookie.serialize(data.sessions[as].token)).split(";")[0]! } : {};
}

/**
 * What others wait while `run` runs: a cheap address probed every 5 ms meanwhile (from 200 ms
 * before to 1.5 s after), with the probes' p99 and maximum.
 */
async function underProbes<T>(probed: string, run: () => Promise<T>) {
  const latencies: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const began = performance.now();
      await fetch(probed).then((response) => response.arrayBuffer());
      latencies.push(performance.now() - began);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const began = performance.now();
  const result = await run();
  const ms = performance.now() - began;
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  probing = false;
  await probe;
  latencies.sort((a, b) => a - b);
  return { result, ms, probes: latencies.length, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0, max: latencies.at(-1) ?? 0 };
}

/** How long the event loop stalls while a broadcast runs: /healthz probed meanwhile. */
async function broadcastUnderLoad(portal: Server, data: Dataset) {
  const headers = await sessionHeaders(data, "coordinator");
  return underProbes(`${portal.url}/healthz`, async () => {
    const response = await fetch(`${portal.url}/meetings/${data.bigPollMeetingId}`, {
      method: "POST",
      redirect: "manual",
      headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded", Origin: portal.url, "Sec-Fetch-Site": "same-origin" },
      body: new URLSearchParams({ intent: "finalise", slotId: String(data.bigPollSlotId), confirmed: "yes", submitKey: `bench-finalise-${Date.now()}-0000` }),
    });
    await response.arrayBuffer();
    return response.status;
  });
}

/**
 * The first view of the draft edition after a write (its page is computed again, off the event
 * loop by the read worker), while the sign-in page, which passes Express and Remix like
 * any page, is probed.
 */
async function draftAfterWrite(portal: Server, data: Dataset, file: string) {
  const headers = await sessionHeaders(data, "analyst");
  // Any write to what the page is computed from moves the version its kept pages stand at.
  const sqlite = new Database(file);
  sqlite.prepare("update edition_page_version set version = version + 1").run();
  sqlite.close();
  return underProbes(`${portal.url}/login`, async () => {
    const response = await fetch(`${portal.url}/assessments/${data.draftEditionId}`, { headers });
    await response.arrayBuffer();
    return response.status;
  });
}

/** Durable submits: each request a new revision of a stakeholder's input, with a fresh one-time key. */
async function submits(portal: Server, data: Dataset) {
  const headers = await Promise.all(data.submitters.map(async (submitter) => ({ Cookie: (await cookie.serialize(submitter.token)).split(";")[0]! })));
  let n = 0;
  const form = itemFields(0, { crimeArea: data.submitCrimeArea, observedFrom: "2026-01-10", observedTo: "" });
  const result = await autocannon({
    url: `${portal.url}/consultations/${data.submitters[0]!.consultationId}/input`,
    connections: 20,
    duration: SECONDS,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const i = n++;
          // A field with several values (the sectors) is sent as the form sends it: once per value.
          const body = new URLSearchParams(Object.entries(form).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((one) => [key, one])));
          body.set("intent", "submit");
          body.set("submitKey", `bench-submit-${i}-0000000000`);
          return {
            ...request,
            headers: { ...headers[i % headers.length], "Content-Type": "application/x-www-form-urlencoded", Origin: portal.url, "Sec-Fetch-Site": "same-origin" },
            body: body.toString(),
          };
        },
      },
    ],
  });
  const accepted = result.statusCodeStats?.["303"]?.count ?? 0;
  return { perSecond: accepted / SECONDS, p99: result.latency.p99, other: result.requests.total - accepted };
}

const figure = (value: number, digits = 0) => value.toFixed(digits).padStart(8);
const loopLine = (loop: EventLoop) => `event loop p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms`;

async function measure(scale: Scale, label: string, smtpUrl: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tfc-bench-"));
  const file = path.join(dir, "portal.sqlite");
  let began = performance.now();
  const data = buildDataset(file, scale);
  const seededIn = performance.now() - began;
  {
    const { db, sqlite } = openDatabase(file);
    const analyst = getAccount(db, data.sessions.analyst.userId);
    began = performance.now();
    publishEdition(db, analyst, data.publishedEditionId, { userId: analyst.id, origin: {} });
    console.log(`[${label}] publishing the edition took ${(performance.now() - began).toFixed(0)} ms`);
    sqlite.close();
  }
  console.log(`[${label}] seeded in ${(seededIn / 1000).toFixed(1)} s: ${Object.entries(data.counts).map(([table, n]) => `${n} ${table}`).join(", ")}`);

  const portal = await start("portal", file, smtpUrl);
  const bare = await start("bare", file, smtpUrl);
  const rss = rssSampler(portal.child.pid!);
  const rows: string[] = [];
  const results: Record<string, { portal: Load; bare: Load }> = {};
  for (const page of SELECTED_PAGES) {
    const headers = await sessionHeaders(data, page.as);
    const target = page.path(data);
    await load(`${portal.url}${target}`, headers, { duration: 1 });
    await portal.eventLoop();
    rss.phase();
    const ours = await load(`${portal.url}${target}`, headers);
    const loop = await portal.eventLoop();
    const pageRss = rss.phase();
    await load(`${bare.url}${target}`, headers, { duration: 1 });
    const theirs = await load(`${bare.url}${target}`, headers);
    results[page.name] = { portal: ours, bare: theirs };
    const js = (pageJavaScript(browser, new URL(target, portal.url).pathname) ?? 0) / 1024;
    rows.push(
      `${page.name.padEnd(34)}${figure(ours.rps)}${figure(ours.p50)}${figure(ours.p99)}${figure(loop.p99)}${figure(theirs.rps)}${figure(theirs.p99)}${figure((100 * ours.rps) / Math.max(theirs.rps, 1))}%${figure(ours.bytes / 1024, 1)}${figure(js)}${figure(pageRss)}${ours.non2xx || ours.errors ? `  (${ours.non2xx} non-2xx, ${ours.errors} errors)` : ""}`,
    );
  }
  await portal.eventLoop();
  rss.phase();
  const broadcast = await broadcastUnderLoad(portal, data);
  const broadcastLoop = await portal.eventLoop();
  const broadcastRss = rss.phase();
  const draft = await draftAfterWrite(portal, data, file);
  const draftLoop = await portal.eventLoop();
  const draftRss = rss.phase();
  const submitted = await submits(portal, data);
  const submitLoop = await portal.eventLoop();
  const submitRss = rss.phase();
  const peakRss = rss.stop();
  await portal.stop();
  const restarted = await start("portal", file, smtpUrl);
  await restarted.stop();
  await bare.stop();

  console.log(`\n[${label}] ${CONNECTIONS} connections, ${SECONDS} s a page`);
  console.log(`${"page".padEnd(34)}${"req/s".padStart(8)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}${"loop99".padStart(8)}${"bare/s".padStart(8)}${"bare99".padStart(8)}${"ratio".padStart(9)}${"KB".padStart(8)}${"JS KB".padStart(8)}${"RSS MB".padStart(8)}`);
  for (const row of rows) console.log(row);
  console.log(
    `finalise a meeting reaching ${scale.organisationsPerConsultation * 9} people under probes: answered ${broadcast.result} in ${broadcast.ms.toFixed(0)} ms; /healthz p99 ${broadcast.p99.toFixed(1)} ms, max ${broadcast.max.toFixed(1)} ms over ${broadcast.probes} probes; ${loopLine(broadcastLoop)}; RSS ${broadcastRss.toFixed(0)} MB`,
  );
  console.log(
    `the draft edition's first view after a write, under probes: answered ${draft.result} in ${draft.ms.toFixed(0)} ms; /login p99 ${draft.p99.toFixed(1)} ms, max ${draft.max.toFixed(1)} ms over ${draft.probes} probes; ${loopLine(draftLoop)}; RSS ${draftRss.toFixed(0)} MB`,
  );
  console.log(`durable submits: ${submitted.perSecond.toFixed(0)}/s (p99 ${submitted.p99} ms, ${submitted.other} not accepted); ${loopLine(submitLoop)}; RSS ${submitRss.toFixed(0)} MB`);
  console.log(`portal peak RSS under load: ${peakRss.toFixed(0)} MB; cold start on the existing database: ${restarted.startedInMs.toFixed(0)} ms`);
  fs.rmSync(dir, { recursive: true, force: true });
  return results;
}

// The JavaScript each page makes the browser load, from the build's manifest (tests/bench/bundle.ts).
const browser = readBrowserBuild();
for (const line of bundleReport(browser)) console.log(line);
console.log("");

const smtp = await startSmtpServer();
const small = SCALES.includes("1000") ? await measure(SMALL, "1,000 inputs", smtp.url) : null;
const large = SCALES.includes("10000") ? await measure(LARGE, "10,000 inputs", smtp.url) : null;
if (small && large) {
  console.log("\nDoes a page grow with the database? req/s at 1,000 inputs -> 10,000 inputs");
  for (const name of Object.keys(large)) {
    console.log(`${name.padEnd(34)}${figure(small[name]!.portal.rps)} ->${figure(large[name]!.portal.rps)}`);
  }
}
await smtp.close();
process.exit(0);
