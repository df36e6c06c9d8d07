import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { healthCheck } from "../../server/edge";
import { closeServer } from "../support/raw-http";

// /healthz is answered by the HTTP server before Express (server/edge.ts): a real server here, with
// the check of the database replaced by a switch, and whatever the check does not answer passed on.

let server: http.Server | undefined;
afterEach(() => closeServer(server));

function serve(databaseAnswers: () => boolean) {
  const answer = healthCheck(databaseAnswers);
  const passedOn: string[] = [];
  server = http.createServer((req, res) => {
    if (answer(req, res)) return;
    passedOn.push(`${req.method} ${req.url}`);
    res.writeHead(404).end("the app");
  });
  server.listen(0);
  return { url: `http://localhost:${(server.address() as AddressInfo).port}`, passedOn };
}

describe("the health check", () => {
  it("answers ok while the database answers, with its own request id each time and no caching", async () => {
    const { url, passedOn } = serve(() => true);
    const answers = await Promise.all([fetch(`${url}/healthz`), fetch(`${url}/healthz?probe=lb`)]);
    for (const response of answers) {
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      expect(response.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
      expect(await response.text()).toBe("ok");
    }
    expect(new Set(answers.map((response) => response.headers.get("X-Request-Id"))).size).toBe(2);
    const head = await fetch(`${url}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(passedOn).toEqual([]);
  });

  it("answers 503 when the database does not", async () => {
    const { url } = serve(() => false);
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe("database unavailable");
  });

  it("passes on every other request, and /healthz asked with another method", async () => {
    const { url, passedOn } = serve(() => true);
    for (const [method, path] of [["GET", "/"], ["GET", "/healthzz"], ["POST", "/healthz"]] as const) {
      expect((await fetch(`${url}${path}`, { method })).status).toBe(404);
    }
    expect(passedOn).toEqual(["GET /", "GET /healthzz", "POST /healthz"]);
  });
});
