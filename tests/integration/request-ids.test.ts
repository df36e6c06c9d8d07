import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { eventually, mainText, textOfId } from "./html";

// Logged at info here, so that the refusals' lines can be read back from the portal's output.
let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url, LOG_LEVEL: "info" });
  coordinator = await signIn(portal, smtp, "anna.visser@taskforce.example");
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

type LogLine = { level: number; msg: string; requestId?: string; status?: number; path?: string; reason?: string };

const logLines = (): LogLine[] =>
  portal
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);

/** The portal's lines about one request, once its answer has been logged. */
const linesOf = (requestId: string) =>
  eventually(() => {
    const lines = logLines().filter((line) => line.requestId === requestId);
    return lines.some((line) => line.msg.startsWith("request ")) ? lines : undefined;
  }, 5_000, `the log line of request ${requestId}`);

const INFO = 30;

describe("request ids", () => {
  it("puts a 404's id in X-Request-Id, on the page to quote, and on its log line at info", async () => {
    const response = await new Visitor(portal.url).get("/no/such/page");
    expect(response.status).toBe(404);
    const id = response.headers.get("X-Request-Id");
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    const html = await response.text();
    expect(textOfId(html, "error-reference")).toBe(id);
    expect(mainText(html)).toContain(`Quote this reference: ${id}`);
    expect(await linesOf(id!)).toEqual([expect.objectContaining({ level: INFO, msg: "request refused", status: 404, path: "/no/such/page" })]);
  });

  it("shows the id of the request on a status page a route throws, and logs why at info", async () => {
    const response = await coordinator.get("/admin/users");
    expect(response.status).toBe(403);
    const id = response.headers.get("X-Request-Id")!;
    expect(textOfId(await response.text(), "error-reference")).toBe(id);
    expect(await linesOf(id)).toEqual([
      expect.objectContaining({ level: INFO, status: 403, reason: "Your account does not have access to this page." }),
    ]);
    // A client-side navigation gets the same page from a data request: the reference travels with it.
    const data = await coordinator.get("/admin/users.data");
    expect(data.status).toBe(403);
    expect(await data.text()).toContain(data.headers.get("X-Request-Id")!);
  });

  it("gives the guard's refusals their ids too, as a page and as JSON", async () => {
    const page = await coordinator.request("/settings", { method: "PUT", headers: { Origin: portal.url, "Sec-Fetch-Site": "same-origin" } });
    expect(page.status).toBe(405);
    const pageId = page.headers.get("X-Request-Id")!;
    expect(textOfId(await page.text(), "error-reference")).toBe(pageId);
    const json = await coordinator.request("/settings", {
      method: "POST",
      body: "{}",
      headers: { "Content-Type": "application/json", Accept: "application/json", Origin: portal.url, "Sec-Fetch-Site": "same-origin" },
    });
    expect(json.status).toBe(415);
    const jsonId = json.headers.get("X-Request-Id")!;
    expect(await json.json()).toEqual({ status: 415, message: expect.stringContaining("takes a form"), requestId: jsonId });
    for (const [id, status] of [[pageId, 405], [jsonId, 415]] as const) {
      expect(await linesOf(id)).toEqual([expect.objectContaining({ level: INFO, status, msg: "request refused" })]);
    }
  });

  it("gives every request its own id, and logs no refusal at error", async () => {
    const ids = await Promise.all(Array.from({ length: 5 }, async () => (await fetch(`${portal.url}/healthz`)).headers.get("X-Request-Id")));
    expect(new Set(ids).size).toBe(5);
    expect(logLines().filter((line) => line.level >= 50)).toEqual([]);
  });
});
