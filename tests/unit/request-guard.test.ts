import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { readForm } from "~/lib/form-reader.server";
import { createRequestGuard, formContentType, type GuardInput } from "~/lib/request-guard.server";
import { setAsideOversizedFiles } from "~/lib/uploads.server";

const LIMIT = 20_000;
const page = () => null;
const loader = () => null;
const action = () => null;

// A manifest shaped like Remix's, with each kind of route the portal has.
const manifest = {
  root: { id: "root", path: "", module: { default: page, loader, ErrorBoundary: page } },
  "routes/_index": { id: "routes/_index", parentId: "root", index: true, module: { default: page, loader } },
  "routes/login": { id: "routes/login", parentId: "root", path: "login", module: { default: page, loader, action } },
  "routes/logout": { id: "routes/logout", parentId: "root", path: "logout", module: { loader, action } },
  "routes/healthz": { id: "routes/healthz", parentId: "root", path: "healthz", module: { loader } },
  "routes/admin": { id: "routes/admin", parentId: "root", path: "admin", module: { default: page, loader } },
  "routes/admin._index": { id: "routes/admin._index", parentId: "routes/admin", index: true, module: { default: page, action } },
  "routes/things.$id._index": { id: "routes/things.$id._index", parentId: "root", path: "things/:id", index: true, module: { default: page, loader, action } },
  "routes/things.$id.big": {
    id: "routes/things.$id.big",
    parentId: "root",
    path: "things/:id/big",
    module: { default: page, loader, action, handle: { tlp: "TLP:AMBER", bodyLimit: 5_000_000 } },
  },
} as unknown as ServerBuild["routes"];

const check = createRequestGuard(manifest, LIMIT);
const FORM = "application/x-www-form-urlencoded";
const ask = (method: string, target: string, headers: Partial<Omit<GuardInput, "method" | "target">> = {}) =>
  check({ method, target, contentType: method === "POST" ? FORM : undefined, contentLength: undefined, ...headers });
const refusal = (decision: ReturnType<typeof check>) => ("refusal" in decision ? decision.refusal : undefined);

describe("formContentType", () => {
  it.each([
    [FORM, "urlencoded"],
    ["application/x-www-form-urlencoded; charset=UTF-8", "urlencoded"],
    ["Application/X-WWW-Form-Urlencoded", "urlencoded"],
    ["multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", "multipart"],
    ['multipart/form-data; boundary="with space and:colon"', "multipart"],
  ])("reads %j as %s", (header, kind) => {
    expect(formContentType(header)).toBe(kind);
  });

  it.each([
    undefined,
    "",
    "application/json",
    "text/plain",
    "text/plain; charset=utf-8",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    `multipart/form-data; boundary=${"b".repeat(71)}`,
    'multipart/form-data; boundary="ends with a space "',
    "multipart/form-data; boundary=a;b",
    "multipart/mixed; boundary=abc",
    "application/x-www-form-urlencoded; charset=iso-8859-1",
    "application/x-www-form-urlencoded;;",
    "not a media type",
  ])("is no form: %j", (header) => {
    expect(formContentType(header)).toBeNull();
  });
});

describe("the request guard", () => {
  it("lets through what each route takes", () => {
    expect(ask("GET", "/login")).toEqual({ bodyLimit: 0 });
    expect(ask("HEAD", "/login")).toEqual({ bodyLimit: 0 });
    expect(ask("POST", "/login")).toEqual({ bodyLimit: LIMIT });
    expect(ask("GET", "/healthz")).toEqual({ bodyLimit: 0 });
    expect(ask("POST", "/logout")).toEqual({ bodyLimit: LIMIT });
    expect(ask("POST", "/things/7")).toEqual({ bodyLimit: LIMIT });
  });

  it("answers 405 with Allow for a method the route does not take", () => {
    for (const method of ["PUT", "DELETE", "PATCH", "TRACE", "OPTIONS"]) {
      expect(refusal(ask(method, "/login"))).toEqual({ status: 405, message: `This address does not take ${method} requests.`, allow: "GET, HEAD, POST" });
    }
    expect(refusal(ask("POST", "/healthz"))).toMatchObject({ status: 405, allow: "GET, HEAD" });
    expect(refusal(ask("POST", "/"))).toMatchObject({ status: 405, allow: "GET, HEAD" });
    expect(refusal(ask("put", "/logout"))).toMatchObject({ status: 405, allow: "GET, HEAD, POST" });
  });

  it("finds a POST's route as Remix does: an index route only with a bare ?index", () => {
    // /admin is the layout's, which has no action; /admin?index is its index route's.
    expect(refusal(ask("POST", "/admin"))).toMatchObject({ status: 405, allow: "GET, HEAD" });
    expect(ask("POST", "/admin?index")).toEqual({ bodyLimit: LIMIT });
    expect(refusal(ask("POST", "/admin?index=1"))).toMatchObject({ status: 405 });
  });

  it("guards single-fetch .data addresses as the pages they stand for", () => {
    expect(refusal(ask("PUT", "/login.data"))).toMatchObject({ status: 405, allow: "GET, HEAD, POST" });
    expect(ask("GET", "/_root.data")).toEqual({ bodyLimit: 0 });
    expect(refusal(ask("POST", "/_root.data"))).toMatchObject({ status: 405 });
    expect(refusal(ask("POST", "/login.data", { contentType: "application/json" }))).toMatchObject({ status: 415 });
    expect(ask("POST", "/admin.data?index")).toEqual({ bodyLimit: LIMIT });
  });

  it("answers 415 to a POST that is not a form", () => {
    for (const contentType of [undefined, "application/json", "text/plain", "multipart/form-data"]) {
      expect(refusal(ask("POST", "/login", { contentType }))).toMatchObject({ status: 415 });
    }
  });

  it("answers 413 to a Content-Length over the limit, and reads a route's own larger limit", () => {
    expect(ask("POST", "/login", { contentLength: String(LIMIT) })).toEqual({ bodyLimit: LIMIT });
    expect(refusal(ask("POST", "/login", { contentLength: String(LIMIT + 1) }))).toEqual({
      status: 413,
      message: "This request is larger than 20 kB, the most this page takes.",
    });
    expect(ask("POST", "/things/7/big", { contentLength: "5000000" })).toEqual({ bodyLimit: 5_000_000 });
    expect(refusal(ask("POST", "/things/7/big", { contentLength: "5000001" }))).toMatchObject({
      status: 413,
      message: "This request is larger than 5 MB, the most this page takes.",
    });
  });

  it("answers 403 to a POST whose Origin names another host, which Remix would throw on", () => {
    const from = (origin: string, host: string) => refusal(ask("POST", "/login", { origin, host }));
    expect(from("https://consult.example", "consult.example")).toBeUndefined();
    expect(from("http://localhost:3000", "localhost:3000")).toBeUndefined();
    expect(from("https://consult.example", "localhost:3000")).toMatchObject({ status: 403 });
    expect(from("null", "localhost:3000")).toMatchObject({ status: 403 });
    expect(from("not a url", "localhost:3000")).toMatchObject({ status: 403 });
    // Without an Origin (the cross-origin check decides those), nothing to compare.
    expect(refusal(ask("POST", "/login", { host: "localhost:3000" }))).toBeUndefined();
  });

  it("answers 404 to anything but GET where no route is, and leaves GET to Remix's own page", () => {
    expect(ask("GET", "/no/such/page")).toEqual({ bodyLimit: 0 });
    expect(refusal(ask("POST", "/no/such/page"))).toMatchObject({ status: 404 });
    expect(refusal(ask("TRACE", "/no/such/page"))).toMatchObject({ status: 404 });
  });

  it("answers 400 to an address it cannot read, and to ?_data", () => {
    expect(refusal(ask("GET", "/login/%E0%A4%A"))).toMatchObject({ status: 400 });
    expect(refusal(ask("GET", "*"))).toMatchObject({ status: 400 });
    expect(refusal(ask("GET", "/login?_data=root"))).toMatchObject({ status: 400 });
    // A path that starts with two slashes is a path here, as it is to the Remix adapter.
    expect(refusal(ask("POST", "//login"))).toMatchObject({ status: 404 });
  });
});

/** The status and message of a status page the reader threw (Remix's `data()`). */
async function refusedWith(reading: Promise<unknown>) {
  const thrown = await reading.then(
    () => {
      throw new Error("the form was read");
    },
    (error: unknown) => error,
  );
  const page = thrown as { init?: { status?: number }; data?: { message?: string } };
  return { status: page.init?.status, message: page.data?.message };
}

function contextFor(bodyLimit: number) {
  const abandoned: true[] = [];
  const context = { bodyLimit, abandonBody: () => abandoned.push(true), takePlace: () => Promise.resolve() } as unknown as AppLoadContext;
  return { context, abandoned };
}

const post = (body: BodyInit, contentType: string) =>
  new Request("http://portal.invalid/login", { method: "POST", body, headers: { "Content-Type": contentType } });

/** A body that arrives in pieces, with no length: what a chunked upload looks like. */
function chunked(pieces: number, size: number) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === pieces) return controller.close();
      sent += 1;
      controller.enqueue(new TextEncoder().encode("a".repeat(size)));
    },
  });
  const request = new Request("http://portal.invalid/login", { method: "POST", body: stream, headers: { "Content-Type": FORM }, duplex: "half" } as RequestInit);
  return { request, sent: () => sent };
}

describe("readForm", () => {
  it("reads a urlencoded form, repeated names and UTF-8 included", async () => {
    const { context } = contextFor(LIMIT);
    const form = await readForm(post("email=anna%40taskforce.example&area=fraud&area=botnets&name=J%C3%BCrgen+M.", FORM), context);
    expect(form.get("email")).toBe("anna@taskforce.example");
    expect(form.getAll("area")).toEqual(["fraud", "botnets"]);
    expect(form.get("name")).toBe("Jürgen M.");
  });

  it("reads a multipart form with its files", async () => {
    const { context } = contextFor(LIMIT);
    const body = new FormData();
    body.append("title", "Grandoreiro");
    body.append("file", new Blob(["ipv4,203.0.113.1\n"], { type: "text/csv" }), "iocs.csv");
    const request = new Request("http://portal.invalid/login", { method: "POST", body });
    const form = await readForm(request, context);
    expect(form.get("title")).toBe("Grandoreiro");
    const file = form.get("file") as File;
    expect(file.name).toBe("iocs.csv");
    expect(await file.text()).toBe("ipv4,203.0.113.1\n");
  });

  it.each([
    ["a broken %-escape", "email=%ZZ", FORM],
    ["a %-escape cut short", "email=abc%4", FORM],
    ["%-escaped bytes that are not UTF-8", "email=%FF%FE", FORM],
    ["raw bytes that are not UTF-8", new Uint8Array([0x65, 0x3d, 0xc3, 0x28]), FORM],
    ["multipart without its closing boundary", '--XX\r\nContent-Disposition: form-data; name="a"\r\n\r\nhel', "multipart/form-data; boundary=XX"],
    ["multipart under another boundary", '--YY\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--YY--\r\n', "multipart/form-data; boundary=XX"],
    ["random bytes as multipart", new Uint8Array(Array.from({ length: 256 }, (_, i) => (i * 73) % 256)), "multipart/form-data; boundary=XX"],
  ])("answers 400 to %s", async (_, body, contentType) => {
    const { context } = contextFor(LIMIT);
    expect((await refusedWith(readForm(post(body, contentType), context))).status).toBe(400);
  });

  it("answers 415 to a body that is not a form, should one get past the guard", async () => {
    const { context } = contextFor(LIMIT);
    expect((await refusedWith(readForm(post("{}", "application/json"), context))).status).toBe(415);
  });

  it("reads a body of exactly the limit", async () => {
    const { context, abandoned } = contextFor(LIMIT);
    const form = await readForm(post(`pad=${"a".repeat(LIMIT - 4)}`, FORM), context);
    expect(String(form.get("pad")).length).toBe(LIMIT - 4);
    expect(abandoned).toEqual([]);
  });

  it("stops reading a chunked body at the limit, answers 413 and has the connection closed", async () => {
    const { context, abandoned } = contextFor(LIMIT);
    const { request, sent } = chunked(1_000, 1_000);
    expect(await refusedWith(readForm(request, context))).toEqual({ status: 413, message: "This request is larger than 20 kB, the most this page takes." });
    expect(abandoned).toEqual([true]);
    // 21 pieces reach past the limit; a stream pulls at most one piece ahead of its reader.
    expect(sent()).toBeLessThanOrEqual(22);
  });
});

describe("setAsideOversizedFiles", () => {
  it("takes out files past the limit and empty file inputs, and keeps the rest in order", () => {
    const form = new FormData();
    form.append("title", "Typed before the upload");
    form.append("items.0.file", new File(["x".repeat(11)], "huge.csv"));
    form.append("items.1.file", new File([], ""));
    form.append("items.2.file", new File(["ok"], "small.csv"));
    form.append("note", "after");
    const { formData, oversized } = setAsideOversizedFiles(form, 10);
    expect(oversized).toEqual([{ field: "items.0.file", filename: "huge.csv" }]);
    expect([...formData.keys()]).toEqual(["title", "items.2.file", "note"]);
    expect((formData.get("items.2.file") as File).name).toBe("small.csv");
  });
});
