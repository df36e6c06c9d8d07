import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outbox, sessions, users } from "../../db/schema";
import { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { linkForm, requestLink, signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { attr, mainText, scriptTags, tableRows, textOf } from "./html";

// The main portal runs as production does: a configured secret and relay, and a public https
// address (APP_URL) in front of the plain-http server that the tests talk to.
let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({
    NODE_ENV: "production",
    SMTP_URL: smtp.url,
    SESSION_SECRET: "integration-tests-secret-0123456789abcdef",
    APP_URL: "https://consult.example",
  });
  coordinator = await signIn(portal, smtp, "anna.visser@taskforce.example");
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const outboxCount = () => portal.db().select({ n: count() }).from(outbox).get()!.n;
const sessionCount = () => portal.db().select({ n: count() }).from(sessions).get()!.n;

/** A form POST with exactly these headers: no Origin or Sec-Fetch-Site unless given. */
function rawPost(path: string, form: Record<string, string>, headers: Record<string, string>) {
  return fetch(new URL(path, portal.url), {
    method: "POST",
    body: new URLSearchParams(form),
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    redirect: "manual",
  });
}

describe("state-changing requests from another site", () => {
  const email = "anna.visser@taskforce.example";

  it("refuses a cross-origin POST to /login with 403 and writes nothing", async () => {
    const before = outboxCount();
    const response = await new Visitor(portal.url).post("/login", { email }, { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("another site");
    // Origin alone (an older browser sends no Sec-Fetch-Site).
    const originOnly = await rawPost("/login", { email }, { Origin: "https://evil.example" });
    expect(originOnly.status).toBe(403);
    // Sec-Fetch-Site alone says so too, even with a matching Origin.
    const crossSite = await new Visitor(portal.url).post("/login", { email }, { "Sec-Fetch-Site": "cross-site" });
    expect(crossSite.status).toBe(403);
    const sameSite = await new Visitor(portal.url).post("/login", { email }, { "Sec-Fetch-Site": "same-site" });
    expect(sameSite.status).toBe(403);
    // A request that says nothing about where it comes from.
    const anonymous = await rawPost("/login", { email }, {});
    expect(anonymous.status).toBe(403);
    // An opaque origin (a sandboxed frame, a data: page) is not the portal.
    const opaque = await rawPost("/login", { email }, { Origin: "null" });
    expect(opaque.status).toBe(403);
    // A look-alike origin on another port is another origin.
    const otherPort = await rawPost("/login", { email }, { Origin: `http://localhost:${portal.port + 1}` });
    expect(otherPort.status).toBe(403);

    expect(outboxCount()).toBe(before);
  });

  it("accepts the same POST from the portal's own origin", async () => {
    const before = outboxCount();
    const response = await rawPost("/login", { email }, { Origin: portal.url });
    expect(response.status).toBe(200);
    expect(outboxCount()).toBe(before + 1);
  });

  it("refuses a cross-origin POST to /logout with 403 and keeps the session", async () => {
    const before = sessionCount();
    const cookie = [...coordinator.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const forged = await rawPost("/logout", {}, { Origin: "https://evil.example", Cookie: cookie });
    expect(forged.status).toBe(403);
    const crossSite = await rawPost("/logout", {}, { "Sec-Fetch-Site": "cross-site", Cookie: cookie });
    expect(crossSite.status).toBe(403);
    const anonymous = await rawPost("/logout", {}, { Cookie: cookie });
    expect(anonymous.status).toBe(403);
    expect(sessionCount()).toBe(before);
    const home = await coordinator.get("/");
    expect(home.status).toBe(200);
    expect(mainText(await home.text())).toContain("Welcome, Anna Visser");
  });
});

describe("response headers", () => {
  it("sends an enforced CSP whose fresh nonce is the one on the page's scripts", async () => {
    const first = await fetch(`${portal.url}/login`);
    const second = await fetch(`${portal.url}/login`);
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Security-Policy-Report-Only")).toBeNull();
    const policy = first.headers.get("Content-Security-Policy");
    expect(policy).toBeTruthy();
    const directives = new Map(
      policy!.split(";").map((part) => {
        const [name, ...values] = part.trim().split(/\s+/);
        return [name!, values];
      }),
    );
    expect(directives.get("object-src")).toEqual(["'none'"]);
    expect(directives.get("base-uri")).toEqual(["'none'"]);
    expect(directives.get("frame-ancestors")).toEqual(["'none'"]);
    const scriptSrc = directives.get("script-src") ?? directives.get("default-src")!;
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    const nonce = scriptSrc.find((value) => value.startsWith("'nonce-"))?.slice(7, -1);
    expect(nonce).toBeTruthy();
    expect(nonce!.length).toBeGreaterThanOrEqual(16);

    const scripts = scriptTags(await first.text());
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(attr(tag, "nonce"), tag).toBe(nonce);

    const secondNonce = second.headers.get("Content-Security-Policy")!.match(/'nonce-([^']+)'/)?.[1];
    expect(secondNonce).toBeTruthy();
    expect(secondNonce).not.toBe(nonce);
    for (const tag of scriptTags(await second.text())) expect(attr(tag, "nonce")).toBe(secondNonce);
  });

  it("sends nosniff, a strict referrer policy, and no-store on a signed-in page", async () => {
    const home = await coordinator.get("/");
    expect(home.status).toBe(200);
    await home.text();
    expect(home.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"]).toContain(
      home.headers.get("Referrer-Policy"),
    );
    expect(home.headers.get("Cache-Control")).toContain("no-store");
    expect(home.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    // Remix's data requests carry signed-in data too.
    const data = await coordinator.get("/_root.data");
    expect(data.status).toBe(200);
    expect(await data.text()).toContain("Anna Visser");
    expect(data.headers.get("Cache-Control")).toContain("no-store");
  });

  it("marks the session cookie Secure and __Host- prefixed, and sends HSTS, when APP_URL is https", async () => {
    const link = await requestLink(portal, smtp, "thomas.keller@taskforce.example");
    expect(new URL(link).origin).toBe("https://consult.example");
    const { path, form } = linkForm(link);
    const response = await new Visitor(portal.url).post(path, form);
    expect(response.status).toBe(302);
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    const [pair, ...attributes] = cookies[0]!.split(";").map((part) => part.trim().toLowerCase());
    expect(pair).toMatch(/^__host-tfc_session=./);
    expect(attributes).toContain("secure");
    expect(attributes).toContain("httponly");
    expect(attributes).toContain("path=/");
    expect(attributes).toContain("samesite=lax");
    expect(attributes.some((attribute) => attribute.startsWith("domain="))).toBe(false);
    expect(response.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d{7,}/);
  });

  it("answers /healthz with 200 ok", async () => {
    const response = await fetch(`${portal.url}/healthz`);
    expect(response.status).toBe(200);
    expect((await response.text()).trim()).toBe("ok");
  });
});

describe("pages that are not there", () => {
  it("hides /dev/mailbox when SMTP_URL is set", async () => {
    const response = await new Visitor(portal.url).get("/dev/mailbox");
    expect(response.status).toBe(404);
    const text = mainText(await response.text());
    expect(text).toContain("Page not found");
    expect(text).not.toContain("Demo mailbox");
    expect((await new Visitor(portal.url).get("/dev/mailbox/1")).status).toBe(404);
    expect((await new Visitor(portal.url).get("/dev/mailbox/1/attachments/1")).status).toBe(404);
  });

  it("answers an unknown page with 404 and the shared error page, without a stack trace", async () => {
    const response = await new Visitor(portal.url).get("/no/such/page");
    expect(response.status).toBe(404);
    const html = await response.text();
    const text = mainText(html);
    expect(text).toContain("Error 404");
    expect(text).toContain("Page not found");
    expect(text).toContain("Go to your home page");
    // No stack frame ("at fn (file:line:col)"), no source path, anywhere in the page or its data.
    expect(html).not.toMatch(/\bat \S+ \(\S+:\d+:\d+\)|\S+\.[jt]sx?:\d+:\d+|node_modules/);
    expect(html).not.toContain(process.cwd());
    expect(response.headers.get("Content-Security-Policy")).toContain("object-src 'none'");
  });

  it("answers 403, not 404, to someone who may not look, whether or not the record exists", async () => {
    const response = await coordinator.get("/admin/users/999999");
    expect(response.status).toBe(403);
    const text = mainText(await response.text());
    expect(text).toContain("You do not have access to this page");
  });
});

describe("demo mail mode", () => {
  let demo: Portal;
  beforeAll(async () => {
    demo = await startPortal({ SMTP_URL: undefined });
  });
  afterAll(async () => {
    await demo?.stop();
  });

  it("keeps a requested sign-in link in /dev/mailbox, and the link signs in", async () => {
    const email = "anna.visser@taskforce.example";
    const visitor = new Visitor(demo.url);
    const empty = await visitor.get("/dev/mailbox");
    expect(empty.status).toBe(200);
    expect(mainText(await empty.text())).toContain("No messages yet");

    const asked = await visitor.post("/login", { email });
    expect(asked.status).toBe(200);
    await asked.text();

    let rows: string[][] = [];
    let html = "";
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      html = await (await visitor.get("/dev/mailbox")).text();
      rows = tableRows(html);
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]![0]).toBe(email);
    expect(rows[0]![1]).toBe("Your sign-in link for Taskforce Consult");

    const messageHref = html.match(/href="(\/dev\/mailbox\/\d+)"/)?.[1];
    expect(messageHref).toBeTruthy();
    const message = await visitor.get(messageHref!);
    expect(message.status).toBe(200);
    const messageHtml = await message.text();
    const linkHref = messageHtml.match(/<a href="(http[^"]+\/login\/link\?[^"]+)"/)?.[1];
    expect(linkHref).toBeTruthy();
    const link = textOf(linkHref!);
    expect(new URL(link).origin).toBe(demo.url);

    // The link from the mailbox signs in, as a person trying the portal would.
    const { path, form } = linkForm(link);
    expect((await visitor.get(path)).status).toBe(200);
    const signedIn = await visitor.post(path, form);
    expect(signedIn.status).toBe(302);
    const home = await visitor.get("/");
    expect(home.status).toBe(200);
    expect(mainText(await home.text())).toContain("Welcome, Anna Visser");
    const userRow = demo.db().select({ id: users.id }).from(users).where(eq(users.email, email)).get()!;
    expect(demo.db().select().from(sessions).where(eq(sessions.userId, userRow.id)).all()).toHaveLength(1);
  });
});
