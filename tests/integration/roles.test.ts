import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, broadcasts, organisations, outbox, roleGrants, sessions, users } from "../../db/schema";
import { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { linkForm, requestLink, signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { mainText, sleep, tableRows } from "./html";

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let stakeholder: Visitor;
let coordinator: Visitor;
let analyst: Visitor;
let admin: Visitor;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  stakeholder = await signIn(portal, smtp, "katharina.huber@donau-privatbank.example");
  coordinator = await signIn(portal, smtp, "anna.visser@taskforce.example");
  analyst = await signIn(portal, smtp, "thomas.keller@taskforce.example");
  admin = await signIn(portal, smtp, "elena.conti@taskforce.example");
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const ADMIN_PAGES = ["/admin", "/admin/users", "/admin/audit", "/admin/organisations/1", "/admin/outbox", "/admin/users/new"];
const userCount = () => portal.db().select({ n: count() }).from(users).get()!.n;
function user(email: string) {
  const row = portal.db().select().from(users).where(eq(users.email, email)).get();
  if (!row) throw new Error(`no demo user ${email}`);
  return row;
}
const rolesOf = (id: number) =>
  portal
    .db()
    .select({ role: roleGrants.role })
    .from(roleGrants)
    .where(eq(roleGrants.userId, id))
    .all()
    .map((row) => row.role)
    .sort();

async function expectForbidden(visitor: Visitor, path: string) {
  const response = await visitor.get(path);
  expect(response.status, path).toBe(403);
  expect(mainText(await response.text()), path).toContain("You do not have access to this page");
}

describe("the admin area", () => {
  it("answers a stakeholder with 403 on every admin page", async () => {
    for (const path of ADMIN_PAGES) await expectForbidden(stakeholder, path);
  });

  it("refuses a stakeholder's admin POSTs with 403 and changes nothing", async () => {
    const before = userCount();
    const created = await stakeholder.post("/admin/users/new", {
      intent: "save",
      name: "Mallory Intruder",
      email: "mallory@donau-privatbank.example",
      organisationId: "",
      timeZone: "Europe/Vienna",
      locale: "de-AT",
      roles: "admin",
    });
    expect(created.status).toBe(403);
    expect(userCount()).toBe(before);
    expect(portal.db().select().from(users).where(eq(users.email, "mallory@donau-privatbank.example")).get()).toBeUndefined();

    const elena = user("elena.conti@taskforce.example");
    const deactivate = await stakeholder.post(`/admin/users/${elena.id}`, { intent: "deactivate" });
    expect(deactivate.status).toBe(403);
    expect(user("elena.conti@taskforce.example").active).toBe(true);

    const organisation = await stakeholder.post("/admin/organisations/1", { intent: "deactivate" });
    expect(organisation.status).toBe(403);
    expect(portal.db().select().from(organisations).where(eq(organisations.id, 1)).get()!.active).toBe(true);
  });

  it("refuses a try again of a broadcast set aside from anyone but an admin, and leaves it set aside", async () => {
    const setAside = new Date();
    const broadcast = portal
      .db()
      .insert(broadcasts)
      .values({ kind: "meeting-digest", payload: {}, createdAt: setAside, failures: 5, lastError: "no handler", setAsideAt: setAside })
      .returning()
      .get();
    for (const visitor of [stakeholder, coordinator, analyst]) {
      const response = await visitor.post("/admin/outbox", { intent: "retry-broadcast", id: String(broadcast.id) });
      expect(response.status).toBe(403);
    }
    expect(portal.db().select().from(broadcasts).where(eq(broadcasts.id, broadcast.id)).get()).toMatchObject({ setAsideAt: setAside, failures: 5 });
    expect(portal.db().select().from(auditEvents).where(eq(auditEvents.action, "broadcast.retried")).all()).toEqual([]);
    portal.db().delete(broadcasts).where(eq(broadcasts.id, broadcast.id)).run();
  });

  it("answers the coordinator and the analyst with 403 too", async () => {
    await expectForbidden(coordinator, "/admin");
    await expectForbidden(coordinator, "/admin/users");
    await expectForbidden(analyst, "/admin");
    await expectForbidden(analyst, "/admin/audit");
  });

  it("sends a signed-out visitor to the sign-in page, remembering where they were going", async () => {
    const response = await new Visitor(portal.url).get("/admin");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin");
    const deeper = await new Visitor(portal.url).get("/admin/users?role=admin");
    expect(deeper.headers.get("Location")).toBe(`/login?${new URLSearchParams({ redirectTo: "/admin/users?role=admin" })}`);
    const login = await new Visitor(portal.url).get("/login?redirectTo=%2Fadmin");
    expect(login.status).toBe(200);
    expect(await login.text()).toMatch(/<input[^>]*name="redirectTo"[^>]*value="\/admin"/);
  });

  it("opens every admin page for the admin", async () => {
    for (const path of ADMIN_PAGES) {
      const response = await admin.get(path);
      expect(response.status, path).toBe(200);
      await response.text();
    }
    const organisation = portal.db().select().from(organisations).where(eq(organisations.id, 1)).get()!;
    const page = await admin.get("/admin/organisations/1");
    expect(mainText(await page.text())).toContain(organisation.name);
    const people = await admin.get("/admin/users");
    const rows = tableRows(await people.text());
    expect(rows.map((row) => row[1])).toContain("katharina.huber@donau-privatbank.example");
    expect(rows.length).toBe(userCount());
  });
});

describe("deactivating a person", () => {
  it("ends their session at once, and a new sign-in request sends no mail", async () => {
    const email = "lukas.gruber@cyber-coordination.example";
    const person = await signIn(portal, smtp, email);
    const lukas = user(email);
    // A link they asked for before being deactivated, still unused.
    const pendingLink = await requestLink(portal, smtp, email);
    expect((await person.get("/")).status).toBe(200);

    const response = await admin.post(`/admin/users/${lukas.id}`, { intent: "deactivate" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/users/${lukas.id}`);
    expect(user(email).active).toBe(false);
    expect(portal.db().select().from(sessions).where(eq(sessions.userId, lukas.id)).all()).toHaveLength(0);

    const home = await person.get("/");
    expect(home.status).toBe(302);
    expect(home.headers.get("Location")).toBe("/login?redirectTo=%2F");

    // The link from before does not work any more.
    const { path, form } = linkForm(pendingLink);
    const late = await new Visitor(portal.url).post(path, form);
    expect(late.status).toBe(410);
    expect(mainText(await late.text())).toContain("This link cannot sign you in");
    expect(late.headers.getSetCookie().filter((cookie) => /^tfc_session=[^;]/.test(cookie))).toEqual([]);

    // A new request gets the usual answer, and nothing is sent.
    const mailsBefore = smtp.received.length;
    const outboxBefore = portal
      .db()
      .select({ n: count() })
      .from(outbox)
      .where(sql`lower(${outbox.toAddress}) = ${email}`)
      .get()!.n;
    const asked = await new Visitor(portal.url).post("/login", { email });
    expect(asked.status).toBe(200);
    expect(mainText(await asked.text())).toContain("Check your email");
    expect(
      portal.db().select({ n: count() }).from(outbox).where(sql`lower(${outbox.toAddress}) = ${email}`).get()!.n,
    ).toBe(outboxBefore);
    await sleep(400);
    expect(smtp.received.length).toBe(mailsBefore);

    // The admin page says so.
    const page = await admin.get(`/admin/users/${lukas.id}`);
    expect(mainText(await page.text())).toContain("This account is deactivated");
  });
});

describe("the audit log", () => {
  it("lists sign-ins, deactivations and role changes with the actor and IP", async () => {
    const rafael = user("rafael.ortega@taskforce.example");
    expect(rolesOf(rafael.id)).toEqual(["analyst", "coordinator"]);
    const edited = await admin.post(`/admin/users/${rafael.id}`, {
      intent: "save",
      name: rafael.name,
      email: rafael.email,
      organisationId: "",
      timeZone: rafael.timeZone,
      locale: rafael.locale,
      roles: ["coordinator", "admin"],
    });
    expect(edited.status).toBe(302);
    expect(rolesOf(rafael.id)).toEqual(["admin", "coordinator"]);

    const ip = /^(::1|(::ffff:)?127\.0\.0\.1)\b/;
    const actorOf = (email: string, name: string) => `${name} (${email})`;
    const rowsFor = async (action: string) => {
      const response = await admin.get(`/admin/audit?action=${encodeURIComponent(action)}`);
      expect(response.status).toBe(200);
      return tableRows(await response.text());
    };

    const signIns = await rowsFor("sign_in.succeeded");
    const katharina = signIns.find((row) => row[1] === actorOf("katharina.huber@donau-privatbank.example", "Katharina Huber"));
    expect(katharina, JSON.stringify(signIns)).toBeDefined();
    expect(katharina![2]).toContain("sign_in.succeeded");
    expect(katharina![4]).toMatch(ip);
    expect(signIns.every((row) => row[2]!.includes("sign_in.succeeded"))).toBe(true);

    const lukas = user("lukas.gruber@cyber-coordination.example");
    const deactivations = await rowsFor("account.deactivated");
    expect(deactivations).toHaveLength(1);
    expect(deactivations[0]![1]).toBe(actorOf("elena.conti@taskforce.example", "Elena Conti"));
    expect(deactivations[0]![3]).toBe(`user ${lukas.id}`);
    expect(deactivations[0]![4]).toMatch(ip);

    const roleChanges = await rowsFor("role.");
    const revoked = roleChanges.find((row) => row[2]!.includes("role.revoked"));
    const granted = roleChanges.find((row) => row[2]!.includes("role.granted"));
    expect(revoked, JSON.stringify(roleChanges)).toBeDefined();
    expect(revoked![2]).toContain("role Analyst");
    expect(revoked![1]).toBe(actorOf("elena.conti@taskforce.example", "Elena Conti"));
    expect(revoked![3]).toBe(`user ${rafael.id}`);
    expect(revoked![4]).toMatch(ip);
    expect(granted![2]).toContain("role Admin");
    expect(granted![3]).toBe(`user ${rafael.id}`);
    expect(granted![4]).toMatch(ip);

    // Refused sign-ins are there too, with the address asked for.
    const refused = await rowsFor("sign_in.refused");
    expect(refused.some((row) => row[2]!.includes("lukas.gruber@cyber-coordination.example"))).toBe(true);
    expect(
      portal
        .db()
        .select({ n: count() })
        .from(roleGrants)
        .where(and(eq(roleGrants.userId, rafael.id), eq(roleGrants.role, "admin")))
        .get()!.n,
    ).toBe(1);
  });
});
