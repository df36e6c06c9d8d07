import path from "node:path";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import { bench, describe } from "vitest";
import { readForm } from "~/lib/form-reader.server";
import { createRequestGuard } from "~/lib/request-guard.server";

// What the HTTP edge costs a request: the guard's look at the request line and headers (route
// matching over the real build), and the form reader on the largest form a page usually takes,
// a 1 MB urlencoded body, against the runtime's own request.formData().
const build = (await import(path.resolve("build/index.js"))) as ServerBuild;
const check = createRequestGuard(build.routes, 1_000_000);
const FORM = "application/x-www-form-urlencoded";
const body = `intent=record&minutes=${"Takedown%20of%20the%20loader%27s%20C2%2C%20".repeat(22_000)}`;
const post = () => new Request("http://portal.invalid/meetings/1", { method: "POST", body, headers: { "Content-Type": FORM } });
const context = { bodyLimit: 1_000_000, abandonBody: () => undefined, takePlace: () => Promise.resolve() } as unknown as AppLoadContext;

describe("the request guard", () => {
  bench("a POST to a page with an action", () => {
    check({ method: "POST", target: "/meetings/17", contentType: FORM, contentLength: "5120", origin: "http://localhost:3000", host: "localhost:3000" });
  });
  bench("a GET of a nested page", () => {
    check({ method: "GET", target: "/admin/users/3?tab=roles", contentType: undefined, contentLength: undefined });
  });
});

describe(`reading a ${Math.round(body.length / 1000)} kB urlencoded form`, () => {
  bench("readForm (counted, strict UTF-8 and %-escapes)", async () => {
    await readForm(post(), context);
  });
  bench("request.formData() (unguarded, as before)", async () => {
    await post().formData();
  });
});
