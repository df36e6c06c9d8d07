import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assessmentEditions, organisations, threatInputs, users } from "../../db/schema";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { rawRequest, type RawAnswer, type RawRequest } from "../support/raw-http";
import { addDays, meetingForm, nextEuWinterDate, openConsultationFor } from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { itemFields } from "../support/threat-input";
import { mainText } from "./html";

// The request guard, fuzzed over the real server: every route of the built route manifest that
// has an action (and, for methods, every other route too), each with malformed bodies, methods
// it does not take, and bodies just under and over its limit, with and without a length,
// signed out and signed in as someone who may use the route.

const LIMIT = 65_536;
const COORDINATOR = "anna.visser@taskforce.example";
const ANALYST = "thomas.keller@taskforce.example";
const ADMIN = "elena.conti@taskforce.example";
const STAKEHOLDER = "katharina.huber@donau-privatbank.example";
const LEAVER = "olivia.tremblay@northernmaple.example"; // signs out when the fuzzer reaches /logout

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let visitors: Record<"coordinator" | "analyst" | "admin" | "stakeholder" | "leaver", Visitor>;
let build: ServerBuild;
const params: Record<string, string> = {};
let requests = 0;

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url, MAX_BODY_BYTES: String(LIMIT) });
  const [coordinator, analyst, admin, stakeholder, leaver] = await Promise.all(
    [COORDINATOR, ANALYST, ADMIN, STAKEHOLDER, LEAVER].map((email) => signIn(portal, smtp, email)),
  );
  visitors = { coordinator: coordinator!, analyst: analyst!, admin: admin!, stakeholder: stakeholder!, leaver: leaver! };
  build = (await import(path.resolve("build/index.js"))) as ServerBuild;

  // Real records behind every id in the addresses, made through the portal's own forms.
  const db = portal.db();
  const consultationId = await openConsultationFor(portal, coordinator!, "Edge fuzzing round", ["Donau Privatbank AG"]);
  const day = nextEuWinterDate();
  const meeting = await coordinator!.post(`/consultations/${consultationId}/meetings/new`, meetingForm([{ date: day, time: "16:00" }, { date: addDays(day, 1), time: "10:00" }]));
  expect(meeting.status).toBe(302);
  const saved = await stakeholder!.post(`/consultations/${consultationId}/input`, { ...itemFields(0), intent: "save" });
  expect(saved.status).toBe(302);
  const edition = await analyst!.post("/assessments/new", { title: "Edge fuzzing edition", periodFrom: "2026-01-01", periodTo: "2026-06-30", consultationIds: String(consultationId) });
  expect(edition.status).toBe(302);
  Object.assign(params, {
    consultationId: String(consultationId),
    meetingId: /\/meetings\/(\d+)$/.exec(meeting.headers.get("Location")!)![1]!,
    inputId: String(db.select().from(threatInputs).where(eq(threatInputs.consultationId, consultationId)).get()!.id),
    editionId: String(db.select().from(assessmentEditions).where(eq(assessmentEditions.title, "Edge fuzzing edition")).get()!.id),
    organisationId: String(db.select().from(organisations).where(eq(organisations.name, "Donau Privatbank AG")).get()!.id),
    userId: String(db.select().from(users).where(eq(users.email, STAKEHOLDER)).get()!.id),
    number: "1",
    format: "named",
    feed: "unknown.ics",
    messageId: "1",
    agencyId: "1",
    collectionId: "00000000-0000-4000-8000-000000000000",
    objectId: "indicator--00000000-0000-4000-8000-000000000000",
  });
}, 120_000);
afterAll(async () => {
  console.log(`edge fuzzing: ${requests} requests to the portal`);
  await portal?.stop();
  await smtp?.close();
});

// ---------------------------------------------------------------------------------------------
// The routes, as the built manifest has them

type Route = {
  id: string;
  /** The address of the route with its ids filled in (and `?index` where Remix needs it). */
  path: string;
  /** The same as a single-fetch data request. */
  dataPath: string;
  allow: string;
  limit: number;
  hasAction: boolean;
};

function fullPath(id: string): { path: string; index: boolean } {
  const route = build.routes[id]!;
  const parent = route.parentId ? fullPath(route.parentId).path : "";
  const own = route.path ? `/${route.path}` : "";
  return { path: `${parent.replace(/\/$/, "")}${own}` || "/", index: Boolean(route.index && !route.path) };
}

function routes(): Route[] {
  return Object.values(build.routes)
    .filter((route) => route.id !== "root")
    .map((route) => {
      const { path: pattern, index } = fullPath(route.id);
      const filled = pattern.replace(/:(\w+)/g, (_, name: string) => {
        if (!(name in params)) throw new Error(`no value for :${name} in ${route.id}`);
        return params[name]!;
      });
      const search = index ? "?index" : "";
      const { loader, action, default: page, handle } = route.module;
      const declared = (handle as { bodyLimit?: number } | undefined)?.bodyLimit ?? 0;
      return {
        id: route.id,
        path: `${filled}${search}`,
        dataPath: `${filled === "/" ? "/_root" : filled}.data${search}`,
        allow: [...(loader || page ? ["GET", "HEAD"] : []), ...(action ? ["POST"] : [])].join(", "),
        limit: Math.max(LIMIT, declared),
        hasAction: Boolean(action),
      };
    });
}

/** Who may use a route's action, so that a signed-in request gets as far as reading the form. */
function visitorFor(id: string): Visitor {
  if (id.startsWith("routes/admin")) return visitors.admin;
  if (id.startsWith("routes/assessments") || id.startsWith("routes/inputs")) return visitors.analyst;
  if (id === "routes/consultations.$consultationId.input") return visitors.stakeholder;
  if (id === "routes/logout") return visitors.leaver;
  return visitors.coordinator;
}

// Actions that never read a body, and what they answer whatever is sent.
const READS_NO_FORM: Record<string, number> = { "routes/logout": 302, "routes/refused": 404 };
// Actions anyone may use.
const PUBLIC = new Set(["routes/login", "routes/login_.link"]);

// ---------------------------------------------------------------------------------------------
// Bodies

const bytes = (text: string) => new TextEncoder().encode(text);
const FORM = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data; boundary=fuzzBoundary42";
const part = (name: string, value: string) => `--fuzzBoundary42\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
// Deterministic noise, with bytes that are never UTF-8 (0xFF) in it.
const noise = Uint8Array.from({ length: 2048 }, (_, i) => (i % 17 === 0 ? 0xff : (i * 131 + 7) % 256));

/** Bodies that are no form at all: refused by their Content-Type before anything is read. */
const NOT_FORMS: { what: string; contentType?: string; body: Uint8Array }[] = [
  { what: "JSON", contentType: "application/json", body: bytes('{"email":"anna.visser@taskforce.example"}') },
  { what: "text/plain", contentType: "text/plain", body: bytes("email=anna.visser@taskforce.example") },
  { what: "no Content-Type", body: bytes("email=anna.visser@taskforce.example") },
  { what: "multipart without a boundary", contentType: "multipart/form-data", body: bytes(part("email", "x")) },
  { what: "multipart with an empty boundary", contentType: "multipart/form-data; boundary=", body: bytes(part("email", "x")) },
  { what: "urlencoded in Latin-1", contentType: `${FORM}; charset=iso-8859-1`, body: bytes("email=j%FCrgen") },
  { what: "XML", contentType: "application/xml", body: bytes("<email>x</email>") },
];

/** Bodies that claim to be a form and do not parse: 400 once the form is read. */
const BROKEN_FORMS: { what: string; contentType: string; body: Uint8Array }[] = [
  { what: "multipart under another boundary", contentType: MULTIPART, body: bytes(part("email", "x").replaceAll("fuzzBoundary42", "otherBoundary") + "--otherBoundary--\r\n") },
  { what: "truncated multipart", contentType: MULTIPART, body: bytes(part("email", "anna.visser@taskforce.example").slice(0, 60)) },
  { what: "random bytes as multipart", contentType: MULTIPART, body: noise },
  { what: "random bytes as urlencoded", contentType: FORM, body: noise },
  { what: "invalid %-escapes", contentType: FORM, body: bytes("email=%ZZ&intent=%E2%82") },
  { what: "%-escaped bytes that are not UTF-8", contentType: FORM, body: bytes("email=%C3%28&intent=save") },
];

/** Well-formed forms with odd contents: each route answers with its own validation. */
const ODD_FORMS: { what: string; contentType: string; body: Uint8Array }[] = [
  { what: "a huge field name", contentType: FORM, body: bytes(`${"n".repeat(LIMIT / 2)}=v&intent=save`) },
  { what: "a huge multipart field name", contentType: MULTIPART, body: bytes(`${part("n".repeat(LIMIT / 2), "v")}--fuzzBoundary42--\r\n`) },
  { what: "an empty form", contentType: FORM, body: bytes("") },
  { what: "an empty multipart form", contentType: MULTIPART, body: bytes("--fuzzBoundary42--\r\n") },
  { what: "names without values", contentType: FORM, body: bytes("&&=&intent&=x&email") },
];

const padding = (size: number) => bytes(`pad=${"a".repeat(size - 4)}`);

// ---------------------------------------------------------------------------------------------
// Sending and judging

type Case = {
  what: string;
  request: RawRequest;
  signedIn: Visitor | null;
  /** The statuses that are right for this request. */
  expected: number[];
  check?: (answer: RawAnswer) => string | undefined;
};

const failures: string[] = [];
const serverErrors: string[] = [];

async function run(cases: Case[], parallel = 3) {
  const queue = [...cases];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const headers: Record<string, string> = { Origin: portal.url, "Sec-Fetch-Site": "same-origin", ...next.request.headers };
      if (next.signedIn) headers.Cookie = [...next.signedIn.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      requests += 1;
      const label = `${next.what} [${next.signedIn ? "signed in" : "signed out"}]: ${next.request.method} ${next.request.path.slice(0, 80)}`;
      const answer = await rawRequest(portal.url, { ...next.request, headers }).catch((error: unknown) => {
        throw new Error(`${label}: ${String(error)}`);
      });
      if (answer.status >= 500) serverErrors.push(`${label} -> ${answer.status} ${answer.body.slice(0, 300)}`);
      if (!next.expected.includes(answer.status)) failures.push(`${label} -> ${answer.status}, expected ${next.expected.join(" or ")}: ${mainText(answer.body).slice(0, 200)}`);
      const problem = next.check?.(answer);
      if (problem) failures.push(`${label}: ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

const bothWays = (route: Route) => [null, visitorFor(route.id)];

/** What a route answers to a request that reaches its action with a form it cannot use. */
function bodyLevel(route: Route, signedIn: Visitor | null, status: number): number[] {
  if (route.id in READS_NO_FORM) return [READS_NO_FORM[route.id]!];
  if (signedIn || PUBLIC.has(route.id)) return [status];
  // Some actions read the form before they look at the session; the rest send strangers to sign in.
  return [status, 302];
}

const toLoginWhenRedirected = (answer: RawAnswer) =>
  answer.status === 302 && !/^\/login(\?|$)/.test(String(answer.headers.location)) ? `redirected to ${answer.headers.location}` : undefined;

const refusedPage = (answer: RawAnswer) => {
  if (!answer.headers["x-request-id"]) return "no X-Request-Id";
  if (!answer.body.includes(String(answer.headers["x-request-id"]))) return "the page does not show its reference";
  return undefined;
};

const notTheGuard = [200, 204, 302, 303, 400, 403, 404, 409, 410, 429];

describe("the request guard, fuzzed over the built route manifest", () => {
  it("answers a method a route does not take with 405 and its Allow header", async () => {
    const cases: Case[] = [];
    for (const route of routes()) {
      for (const signedIn of bothWays(route)) {
        for (const method of ["PUT", "DELETE", "PATCH"]) {
          cases.push({
            what: "method with a form",
            request: { method, path: route.path, headers: { "Content-Type": FORM }, body: { kind: "whole", bytes: bytes("intent=save") } },
            signedIn,
            expected: [405],
            check: (answer) => (answer.headers.allow === route.allow ? refusedPage(answer) : `Allow: ${answer.headers.allow}, expected ${route.allow}`),
          });
        }
        for (const method of ["TRACE", "OPTIONS"]) {
          cases.push({ what: "method", request: { method, path: route.path }, signedIn, expected: [405], check: (answer) => (answer.headers.allow === route.allow ? undefined : `Allow: ${answer.headers.allow}`) });
        }
        cases.push({ what: "data request, PUT", request: { method: "PUT", path: route.dataPath }, signedIn, expected: [405] });
        if (!route.hasAction) {
          cases.push({
            what: "POST to a route without an action",
            request: { method: "POST", path: route.path, headers: { "Content-Type": FORM }, body: { kind: "whole", bytes: bytes("intent=save") } },
            signedIn,
            expected: [405],
            check: (answer) => (answer.headers.allow === route.allow ? undefined : `Allow: ${answer.headers.allow}`),
          });
        }
      }
    }
    await run(cases);
    expect(serverErrors).toEqual([]);
    expect(failures).toEqual([]);
  }, 300_000);

  it("answers a body that is no form with 415, as a page, as JSON when asked, and to data requests", async () => {
    const cases: Case[] = [];
    for (const route of routes().filter((r) => r.hasAction)) {
      for (const signedIn of bothWays(route)) {
        for (const body of NOT_FORMS) {
          const headers = body.contentType ? { "Content-Type": body.contentType } : undefined;
          cases.push({ what: body.what, request: { method: "POST", path: route.path, headers, body: { kind: "whole", bytes: body.body } }, signedIn, expected: [415], check: refusedPage });
        }
        cases.push({
          what: "JSON, asking for JSON",
          request: { method: "POST", path: route.path, headers: { "Content-Type": "application/json", Accept: "application/json" }, body: { kind: "whole", bytes: bytes("{}") } },
          signedIn,
          expected: [415],
          check: (answer) => {
            const json = JSON.parse(answer.body) as { status?: number; message?: string; requestId?: string };
            return json.status === 415 && json.message && json.requestId === answer.headers["x-request-id"] ? undefined : `JSON answer ${answer.body}`;
          },
        });
        cases.push({
          what: "data request, JSON",
          request: { method: "POST", path: route.dataPath, headers: { "Content-Type": "application/json" }, body: { kind: "whole", bytes: bytes("{}") } },
          signedIn,
          expected: [415],
          check: (answer) => (answer.headers["x-remix-response"] === "yes" ? undefined : "not a Remix data response"),
        });
      }
    }
    await run(cases);
    expect(serverErrors).toEqual([]);
    expect(failures).toEqual([]);
  }, 300_000);

  it("answers a form that does not parse with 400, and an odd but well-formed one with the route's own answer", async () => {
    const cases: Case[] = [];
    for (const route of routes().filter((r) => r.hasAction)) {
      for (const signedIn of bothWays(route)) {
        for (const body of BROKEN_FORMS) {
          cases.push({
            what: body.what,
            request: { method: "POST", path: route.path, headers: { "Content-Type": body.contentType }, body: { kind: "whole", bytes: body.body } },
            signedIn,
            expected: bodyLevel(route, signedIn, 400),
            check: toLoginWhenRedirected,
          });
        }
        cases.push({
          what: "data request, broken multipart",
          request: { method: "POST", path: route.dataPath, headers: { "Content-Type": MULTIPART }, body: { kind: "whole", bytes: noise } },
          signedIn,
          // A data request is told to sign in with a 202 that carries the redirect.
          expected: route.id in READS_NO_FORM ? [202, 404] : signedIn || PUBLIC.has(route.id) ? [400] : [400, 202],
        });
        for (const body of ODD_FORMS) {
          cases.push({
            what: body.what,
            request: { method: "POST", path: route.path, headers: { "Content-Type": body.contentType }, body: { kind: "whole", bytes: body.body } },
            signedIn,
            expected: notTheGuard,
          });
        }
      }
    }
    await run(cases);
    expect(serverErrors).toEqual([]);
    expect(failures).toEqual([]);
  }, 300_000);

  it("takes a body of exactly its limit, and answers 413 past it without reading on, with a length or chunked", async () => {
    const cases: Case[] = [];
    for (const route of routes().filter((r) => r.hasAction)) {
      for (const signedIn of bothWays(route)) {
        const headers = { "Content-Type": FORM };
        cases.push({ what: "just under the limit", request: { method: "POST", path: route.path, headers, body: { kind: "whole", bytes: padding(route.limit) } }, signedIn, expected: notTheGuard });
        cases.push({
          what: "just over the limit",
          request: { method: "POST", path: route.path, headers, body: { kind: "held-back", bytes: padding(route.limit + 1), patienceMs: 5_000 } },
          signedIn,
          expected: [413],
          check: (answer) => (answer.sentBeforeAnswer === 0 ? refusedPage(answer) : `answered after ${answer.sentBeforeAnswer} bytes of the body`),
        });
        cases.push({ what: "chunked, under the limit", request: { method: "POST", path: route.path, headers, body: { kind: "chunked", total: route.limit } }, signedIn, expected: notTheGuard });
        cases.push({
          what: "chunked, past the limit",
          // A byte past the limit, then a wait for the answer; without one, 64 MB more.
          request: { method: "POST", path: route.path, headers, body: { kind: "chunked", total: route.limit + 64_000_000, pauseAt: route.limit + 1, patienceMs: 5_000 } },
          signedIn,
          expected: bodyLevel(route, signedIn, 413),
          check: (answer) => (answer.bodyComplete ? "the whole body was taken" : toLoginWhenRedirected(answer)),
        });
      }
    }
    await run(cases, 2);
    expect(serverErrors).toEqual([]);
    expect(failures).toEqual([]);
  }, 600_000);

  it("answers an address or a Host it cannot read with 400, and a foreign Origin with 403", async () => {
    const cases: Case[] = [
      { what: "broken %-escape in the path", request: { method: "GET", path: "/consultations/%E0%A4%A" }, signedIn: null, expected: [400] },
      { what: "broken %-escape, POST", request: { method: "POST", path: "/login/%ZZ", headers: { "Content-Type": FORM }, body: { kind: "whole", bytes: bytes("a=b") } }, signedIn: null, expected: [400] },
      { what: "a Host that is no host", request: { method: "GET", path: "/login", headers: { Host: "a b" } }, signedIn: null, expected: [400] },
      {
        what: "the portal's Origin, sent to another Host",
        request: { method: "POST", path: "/login", headers: { Host: `127.0.0.1:${portal.port}`, "Content-Type": FORM }, body: { kind: "whole", bytes: bytes("email=x") } },
        signedIn: null,
        expected: [403],
      },
      { what: "an old-style data request", request: { method: "GET", path: "/settings?_data=root" }, signedIn: visitors.coordinator, expected: [400] },
      { what: "POST where no route is", request: { method: "POST", path: "/no/such/page", headers: { "Content-Type": FORM }, body: { kind: "whole", bytes: bytes("a=b") } }, signedIn: null, expected: [404] },
      { what: "TRACE where no route is", request: { method: "TRACE", path: "/no/such/page" }, signedIn: null, expected: [404] },
    ];
    await run(cases);
    expect(serverErrors).toEqual([]);
    expect(failures).toEqual([]);
  });

  it("is still healthy afterwards, signs people in, and logged no fault", async () => {
    expect((await fetch(`${portal.url}/healthz`)).status).toBe(200);
    const home = await visitors.coordinator.get("/");
    expect(home.status).toBe(200);
    expect(mainText(await home.text())).toContain("Welcome, Anna Visser");
    const again = await signIn(portal, smtp, LEAVER);
    expect((await again.get("/settings")).status).toBe(200);
    // The portal logs at warn in tests: a fault would be an error line ("level":50) here.
    expect(portal.output().split("\n").filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});

describe("static files", () => {
  it("serves the build for a year as immutable, the favicon for an hour, and pages uncached", async () => {
    const page = await fetch(`${portal.url}/login`);
    expect(page.headers.get("Cache-Control")).toBe("no-store");
    const assets = [...(await page.text()).matchAll(/(?:src|href)="(\/build\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.some((asset) => asset.endsWith(".js"))).toBe(true);
    expect(assets.some((asset) => asset.endsWith(".css"))).toBe(true);
    for (const asset of assets) {
      const answer = await fetch(`${portal.url}${asset}`);
      expect(answer.status, asset).toBe(200);
      expect(answer.headers.get("Cache-Control"), asset).toBe("public, max-age=31536000, immutable");
    }
    const favicon = await fetch(`${portal.url}/favicon.svg`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("Content-Type")).toMatch(/^image\/svg\+xml/);
    expect(favicon.headers.get("Cache-Control")).toBe("public, max-age=3600");
    // A missing build file is a 404, and an address beside them reaches the routes (Remix's own 404 page).
    expect((await fetch(`${portal.url}/build/no-such-file.js`)).status).toBe(404);
    const missing = await fetch(`${portal.url}/no-such-file.svg`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Content-Type")).toMatch(/^text\/html/);
  });
});

describe("a refused named export", () => {
  it("does not carry what was typed in its redirect when it is past its field's limit", async () => {
    const analyst = visitors.analyst;
    const recipient = "R".repeat(60_000);
    const response = await analyst.post(`/assessments/${params.editionId}/export/named`, { format: "stix", recipient, confirm: "on" });
    expect(response.status).toBe(302);
    const location = response.headers.get("Location")!;
    expect(location.length).toBeLessThan(500);
    expect(location).not.toContain("RRRR");
    const back = new URL(location, portal.url).searchParams;
    expect(back.get("exportError")).toBe("Keep the recipient under 200 characters.");
    expect(back.get("field")).toBe("recipient");
    expect(back.get("recipient")).toBe("");
    expect((await analyst.get(location)).status).toBe(200);
  });

  it("keeps a recipient that fits its field, and only a known format", async () => {
    const response = await visitors.analyst.post(`/assessments/${params.editionId}/export/named`, { format: "<script>", recipient: "Insp. Ruiz" });
    expect(response.status).toBe(302);
    const back = new URL(response.headers.get("Location")!, portal.url).searchParams;
    expect(back.get("recipient")).toBe("Insp. Ruiz");
    expect(back.get("format")).toBe("stix");
  });
});
