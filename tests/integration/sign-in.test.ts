import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, outbox, sessions, signInTokens, users } from "../../db/schema";
import { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { linkForm, nextMailTo, requestLink, signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { attr, eventually, mainText, parseSetCookie, sleep, tagWithId, textOfId } from "./html";

const COOKIE = "tfc_session";

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

function userId(email: string): number {
  const row = portal.db().select({ id: users.id }).from(users).where(eq(users.email, email)).get();
  if (!row) throw new Error(`no demo user ${email}`);
  return row.id;
}
const sessionsOf = (id: number) => portal.db().select().from(sessions).where(eq(sessions.userId, id)).all();
const tokensOf = (id: number) =>
  portal.db().select().from(signInTokens).where(eq(signInTokens.userId, id)).orderBy(desc(signInTokens.id)).all();
const outboxTo = (email: string) =>
  portal.db().select().from(outbox).where(sql`lower(${outbox.toAddress}) = lower(${email})`).all();
const sessionCookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .find((cookie) => cookie.name === COOKIE);

/** A visitor that presents this session cookie value, and nothing else. */
function withCookie(value: string) {
  const visitor = new Visitor(portal.url);
  visitor.cookies.set(COOKIE, value);
  return visitor;
}

describe("asking for a sign-in link", () => {
  it("mails a link to a known address, and answers an unknown one with the same page and no mail", async () => {
    const known = "anna.visser@taskforce.example";
    const unknown = "nobody.here@unknown-bank.example";

    const unknownResponse = await new Visitor(portal.url).post("/login", { email: unknown });
    const unknownHtml = await unknownResponse.text();
    const knownResponse = await new Visitor(portal.url).post("/login", { email: known });
    const knownHtml = await knownResponse.text();

    expect(knownResponse.status).toBe(200);
    expect(unknownResponse.status).toBe(knownResponse.status);
    const knownText = mainText(knownHtml);
    expect(knownText).toContain("Check your email");
    expect(knownText).toContain(known);
    // The page repeats the address typed; apart from that, nothing tells the two apart.
    expect(mainText(unknownHtml).replace(unknown, "<address>")).toBe(knownText.replace(known, "<address>"));
    expect(unknownResponse.headers.getSetCookie()).toEqual(knownResponse.headers.getSetCookie());

    const mail = await nextMailTo(smtp, known, 0);
    expect(mail.subject).toBe("Your sign-in link for Taskforce Consult");
    expect(mail.envelopeTo).toEqual([known]);
    expect(mail.text).toContain("Anna Visser");
    const link = new URL(mail.text!.match(/https?:\/\/\S+\/login\/link\S*/)![0]);
    expect(link.origin).toBe(portal.url);
    expect(link.searchParams.get("token")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The HTML part carries the same link.
    expect(mail.html).toContain(link.searchParams.get("token"));

    // Only the hash is stored.
    const [stored] = tokensOf(userId(known));
    expect(stored?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.tokenHash).not.toContain(link.searchParams.get("token"));

    // Nothing was written for the unknown address, so nothing can arrive for it.
    expect(outboxTo(unknown)).toHaveLength(0);
    await sleep(300);
    expect(smtp.received.filter((m) => m.envelopeTo.includes(unknown))).toHaveLength(0);
    const refused = portal
      .db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "sign_in.refused"))
      .all();
    expect(refused.map((event) => event.detail?.email)).toContain(unknown);
  });

  it("refuses the eleventh request for one address within a minute with 429 at the email field", async () => {
    const email = "lukas.gruber@cyber-coordination.example";
    const visitor = new Visitor(portal.url);
    for (let i = 1; i <= 10; i++) {
      // The limit is per address, whatever its case.
      const response = await visitor.post("/login", { email: i % 2 ? email : email.toUpperCase() });
      expect(response.status, `request ${i}`).toBe(200);
      await response.text();
    }
    const refused = await visitor.post("/login", { email });
    expect(refused.status).toBe(429);
    const html = await refused.text();
    expect(attr(tagWithId(html, "email"), "aria-invalid")).toBe("true");
    expect(attr(tagWithId(html, "email"), "aria-describedby")).toContain("email-error");
    expect(textOfId(html, "email-error")).toContain("Too many sign-in requests");
    expect(attr(tagWithId(html, "email"), "value")).toBe(email);

    // Ten links were written and sent, not eleven.
    await eventually(
      () => (smtp.received.filter((m) => m.envelopeTo.includes(email)).length >= 10 ? true : undefined),
      10_000,
      "ten sign-in mails",
    );
    expect(outboxTo(email)).toHaveLength(10);
    await sleep(300);
    expect(smtp.received.filter((m) => m.envelopeTo.includes(email))).toHaveLength(10);

    // Another address from the same client is still served.
    const other = await visitor.post("/login", { email: "laura.gomez@colcert.example" });
    expect(other.status).toBe(200);
  });
});

describe("the sign-in link", () => {
  it("is not used by a mail scanner's GET and HEAD; the button's POST signs in once", async () => {
    const email = "thomas.keller@taskforce.example";
    const id = userId(email);
    const link = await requestLink(portal, smtp, email);
    const { path, form } = linkForm(link);

    // What Safe Links or Proofpoint do within seconds of delivery.
    const scanner = new Visitor(portal.url);
    const head = await scanner.request(path, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(sessionCookieOf(head)).toBeUndefined();
    const get = await scanner.get(path);
    expect(get.status).toBe(200);
    expect(sessionCookieOf(get)).toBeUndefined();
    const page = await get.text();
    expect(mainText(page)).toContain("Press the button to finish signing in");
    expect(page).toMatch(/<form[^>]*method="post"/);
    const again = await scanner.get(path);
    expect(again.status).toBe(200);
    await again.text();

    expect(tokensOf(id)[0]?.usedAt).toBeNull();
    expect(sessionsOf(id)).toHaveLength(0);
    expect(scanner.cookies.has(COOKIE)).toBe(false);

    // The person presses "Sign in".
    const person = new Visitor(portal.url);
    const signedIn = await person.post(path, form);
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("Location")).toBe("/");
    const cookie = sessionCookieOf(signedIn);
    expect(cookie, "session cookie").toBeDefined();
    expect(cookie!.value.length).toBeGreaterThan(20);
    expect(cookie!.attributes.has("httponly")).toBe(true);
    expect(cookie!.attributes.get("samesite")?.toLowerCase()).toBe("lax");
    expect(cookie!.attributes.get("path")).toBe("/");
    expect(cookie!.attributes.has("secure")).toBe(false);

    expect(tokensOf(id)[0]?.usedAt).toBeInstanceOf(Date);
    expect(sessionsOf(id)).toHaveLength(1);

    const home = await person.get("/");
    expect(home.status).toBe(200);
    expect(mainText(await home.text())).toContain("Welcome, Thomas Keller");

    // The same link a second time: by POST (another browser) and by GET.
    const late = new Visitor(portal.url);
    const reused = await late.post(path, form);
    expect(reused.status).toBe(410);
    expect(sessionCookieOf(reused)).toBeUndefined();
    expect(mainText(await reused.text())).toContain("already been used");
    const reopened = await late.get(path);
    expect(reopened.status).toBe(410);
    expect(mainText(await reopened.text())).toContain("already been used");
    expect(sessionsOf(id)).toHaveLength(1);
  });

  it("refuses an expired link with a clear message and starts no session", async () => {
    const email = "rafael.ortega@taskforce.example";
    const id = userId(email);
    const link = await requestLink(portal, smtp, email);
    const { path, form } = linkForm(link);
    portal
      .db()
      .update(signInTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(signInTokens.userId, id))
      .run();

    const visitor = new Visitor(portal.url);
    const page = await visitor.get(path);
    expect(page.status).toBe(410);
    const pageText = mainText(await page.text());
    expect(pageText).toContain("expired");
    expect(pageText).toContain("Ask for a new one");
    expect(pageText).not.toContain("Press the button");

    const posted = await visitor.post(path, form);
    expect(posted.status).toBe(410);
    expect(sessionCookieOf(posted)).toBeUndefined();
    expect(mainText(await posted.text())).toContain("expired");
    expect(sessionsOf(id)).toHaveLength(0);
    expect(tokensOf(id)[0]?.usedAt).toBeNull();
    const failed = portal
      .db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "sign_in.failed"), eq(auditEvents.actorUserId, id)))
      .all();
    expect(failed.map((event) => event.detail?.reason)).toContain("expired");
  });

  it("refuses a garbage token with a clear message and no session", async () => {
    const before = portal.db().select().from(sessions).all().length;
    const visitor = new Visitor(portal.url);

    const malformed = await visitor.get("/login/link?token=not-a-token");
    expect(malformed.status).toBe(400);
    expect(mainText(await malformed.text())).toContain("This sign-in link is not complete");

    const wellFormed = "A".repeat(43);
    const unknown = await visitor.get(`/login/link?token=${wellFormed}`);
    expect(unknown.status).toBe(410);
    expect(mainText(await unknown.text())).toContain("This sign-in link is not valid");

    const postedUnknown = await visitor.post(`/login/link?token=${wellFormed}`, { token: wellFormed });
    expect(postedUnknown.status).toBe(410);
    expect(sessionCookieOf(postedUnknown)).toBeUndefined();
    expect(mainText(await postedUnknown.text())).toContain("not valid");

    const postedMissing = await visitor.post("/login/link", { token: "<script>" });
    expect(postedMissing.status).toBe(400);
    expect(sessionCookieOf(postedMissing)).toBeUndefined();
    expect(mainText(await postedMissing.text())).toContain("not complete");

    expect(portal.db().select().from(sessions).all()).toHaveLength(before);
    expect(visitor.cookies.has(COOKIE)).toBe(false);
  });

  it("ignores a redirectTo that leaves the portal, and honours one inside it", async () => {
    const email = "katharina.huber@donau-privatbank.example";
    const link = await requestLink(portal, smtp, email, { redirectTo: "https://evil.example/phish" });
    // The request's redirectTo does not survive into the link.
    expect(new URL(link).searchParams.get("redirectTo")).toBeNull();
    expect(link).not.toContain("evil");

    // A crafted link that adds one is not honoured either.
    const { path, form } = linkForm(link);
    const visitor = new Visitor(portal.url);
    const crafted = `${path}&redirectTo=${encodeURIComponent("//evil.example")}`;
    const page = await visitor.get(crafted);
    expect(page.status).toBe(200);
    const html = await page.text();
    const hidden = html.match(/<input[^>]*name="redirectTo"[^>]*>/)?.[0];
    expect(attr(hidden, "value")).toBe("/");
    const signedIn = await visitor.post(crafted, { ...form, redirectTo: "//evil.example" });
    expect(signedIn.status).toBe(302);
    expect(signedIn.headers.get("Location")).toBe("/");

    // A path inside the portal is where the person lands.
    const second = await requestLink(portal, smtp, email, { redirectTo: "/settings" });
    expect(new URL(second).searchParams.get("redirectTo")).toBe("/settings");
    const next = linkForm(second);
    const landed = await new Visitor(portal.url).post(next.path, next.form);
    expect(landed.status).toBe(302);
    expect(landed.headers.get("Location")).toBe("/settings");
  });

  it("keeps a redirectTo with a tab or a newline inside the portal", async () => {
    const email = "katharina.huber@donau-privatbank.example";
    const visitor = await signIn(portal, smtp, email);
    // Once signed in, /login sends the person on to its redirectTo at once: only inside the portal.
    // Browsers drop tabs and newlines from a URL, so "/<TAB>/evil.example" means "//evil.example".
    for (const redirectTo of ["//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example"]) {
      const response = await visitor.get(`/login?${new URLSearchParams({ redirectTo })}`);
      await response.text();
      expect.soft(response.status, JSON.stringify(redirectTo)).toBe(302);
      const location = response.headers.get("Location") ?? "";
      expect
        .soft(new URL(location, portal.url).origin, `${JSON.stringify(redirectTo)} -> ${JSON.stringify(location)}`)
        .toBe(portal.url);
    }

    // The same through a sign-in link asked for with such a redirectTo.
    const tabbed = await requestLink(portal, smtp, email, { redirectTo: "/\t/evil.example" });
    const { path, form } = linkForm(tabbed);
    const signedIn = await new Visitor(portal.url).post(path, form);
    expect(signedIn.status).toBe(302);
    expect(new URL(signedIn.headers.get("Location")!, portal.url).origin).toBe(portal.url);
  });
});

describe("sessions", () => {
  it("sign-out by POST ends the session on the server; GET /logout changes nothing", async () => {
    const email = "olivia.tremblay@northernmaple.example";
    const id = userId(email);
    const visitor = await signIn(portal, smtp, email);
    const cookie = visitor.cookies.get(COOKIE)!;
    expect(sessionsOf(id)).toHaveLength(1);

    const viaGet = await visitor.get("/logout");
    expect(viaGet.status).toBe(302);
    expect(viaGet.headers.get("Location")).toBe("/");
    expect(sessionCookieOf(viaGet)).toBeUndefined();
    expect(sessionsOf(id)).toHaveLength(1);
    const stillIn = await visitor.get("/");
    expect(stillIn.status).toBe(200);
    expect(mainText(await stillIn.text())).toContain("Welcome, Olivia Tremblay");

    const out = await visitor.post("/logout", {});
    expect(out.status).toBe(302);
    expect(out.headers.get("Location")).toBe("/login");
    expect(sessionCookieOf(out)?.value).toBe("");
    expect(sessionsOf(id)).toHaveLength(0);

    // Someone who kept a copy of the cookie gets nowhere with it.
    const replay = await withCookie(cookie).get("/");
    expect(replay.status).toBe(302);
    expect(replay.headers.get("Location")).toBe("/login?redirectTo=%2F");
    const signOuts = portal
      .db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "sign_out"), eq(auditEvents.actorUserId, id)))
      .all();
    expect(signOuts).toHaveLength(1);
  });

  it("gives every sign-in a new session id and ends the browser's earlier session", async () => {
    const email = "etienne.gagnon@northernmaple.example";
    const id = userId(email);
    const visitor = await signIn(portal, smtp, email);
    const first = visitor.cookies.get(COOKIE)!;
    await signIn(portal, smtp, email, visitor);
    const second = visitor.cookies.get(COOKIE)!;

    expect(second).not.toBe(first);
    expect(sessionsOf(id)).toHaveLength(1);
    const old = await withCookie(first).get("/");
    expect(old.status).toBe(302);
    expect(old.headers.get("Location")).toMatch(/^\/login/);
    const current = await withCookie(second).get("/");
    expect(current.status).toBe(200);
    expect(mainText(await current.text())).toContain("Welcome, Étienne Gagnon");
  });
});
