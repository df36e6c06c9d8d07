import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, broadcasts, organisations, outbox, roleGrants, sessions, users } from "../../db/schema";
import { newKey, Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { attr, checkedValues, eventually, mainText, selectedValue, sleep, tableRowsWithHeaders, tagWithId, textOfId } from "./html";

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let admin: Visitor;
let adminId: number;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  admin = await signIn(portal, smtp, "elena.conti@taskforce.example");
  adminId = user("elena.conti@taskforce.example")!.id;
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const userCount = () => portal.db().select({ n: count() }).from(users).get()!.n;
const organisationCount = () => portal.db().select({ n: count() }).from(organisations).get()!.n;
const auditCount = () => portal.db().select({ n: count() }).from(auditEvents).get()!.n;
const user = (email: string) =>
  portal.db().select().from(users).where(sql`lower(${users.email}) = lower(${email})`).get();
const organisationNamed = (name: string) =>
  portal.db().select().from(organisations).where(eq(organisations.name, name)).get();
const rolesOf = (id: number) =>
  portal
    .db()
    .select({ role: roleGrants.role })
    .from(roleGrants)
    .where(eq(roleGrants.userId, id))
    .orderBy(asc(roleGrants.role))
    .all()
    .map((row) => row.role);
const roleEvents = (targetId: number) =>
  portal
    .db()
    .select({ action: auditEvents.action, detail: auditEvents.detail, actor: auditEvents.actorUserId })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.targetType, "user"),
        eq(auditEvents.targetId, String(targetId)),
        inArray(auditEvents.action, ["role.granted", "role.revoked"]),
      ),
    )
    .orderBy(asc(auditEvents.id))
    .all()
    .map((event) => ({ action: event.action, role: event.detail?.role, actor: event.actor }));

const person = (overrides: Record<string, string | string[]> = {}) => ({
  intent: "save",
  name: "Sofía Castaño",
  email: "sofia.castano@bancocordillera.example",
  organisationId: "",
  timeZone: "America/Bogota",
  locale: "es-CO",
  roles: ["coordinator"],
  ...overrides,
});

/** The field's control is marked invalid and described by its message, which says `message`. */
function expectFieldError(html: string, field: string, message: string) {
  const control = tagWithId(html, field);
  expect(control, `control #${field}`).toBeDefined();
  expect(attr(control, "aria-invalid"), `#${field} aria-invalid`).toBe("true");
  expect(attr(control, "aria-describedby") ?? "", `#${field} aria-describedby`).toContain(`${field}-error`);
  expect(textOfId(html, `${field}-error`)).toContain(message);
  expect(mainText(html)).toContain("Please correct the");
}

describe("adding a person", () => {
  it("refuses a bad email at the field, keeps what was typed, and writes nothing", async () => {
    const users = userCount();
    const audit = auditCount();
    const response = await admin.post("/admin/users/new", person({ email: "sofia.castano-at-bancocordillera" }));
    expect(response.status).toBe(400);
    const html = await response.text();
    expectFieldError(html, "email", "Enter a valid email address");
    expect(attr(tagWithId(html, "name"), "value")).toBe("Sofía Castaño");
    expect(attr(tagWithId(html, "email"), "value")).toBe("sofia.castano-at-bancocordillera");
    expect(attr(tagWithId(html, "name"), "aria-invalid")).toBeUndefined();
    // The choices made stay made.
    expect(checkedValues(html, "roles")).toEqual(["coordinator"]);
    expect(selectedValue(html, "timeZone")).toBe("America/Bogota");
    expect(selectedValue(html, "locale")).toBe("es-CO");
    expect(userCount()).toBe(users);
    expect(auditCount()).toBe(audit);
  });

  it("refuses a person with no role at the roles field, and writes nothing", async () => {
    const users = userCount();
    const response = await admin.post("/admin/users/new", person({ roles: [] }));
    expect(response.status).toBe(400);
    const html = await response.text();
    // A checkbox group is a fieldset: described by its message (aria-invalid does not apply to it).
    const fieldset = html.match(/<fieldset[^>]*>/)?.[0];
    expect(attr(fieldset, "aria-describedby")).toBe("roles-error");
    expect(textOfId(html, "roles-error")).toBe("Give the person at least one role.");
    expect(attr(tagWithId(html, "name"), "value")).toBe("Sofía Castaño");
    expect(attr(tagWithId(html, "email"), "value")).toBe("sofia.castano@bancocordillera.example");
    expect(userCount()).toBe(users);
  });

  it("refuses a stakeholder without an organisation at the organisation field, and writes nothing", async () => {
    const users = userCount();
    const response = await admin.post("/admin/users/new", person({ roles: ["stakeholder"] }));
    expect(response.status).toBe(400);
    const html = await response.text();
    expectFieldError(html, "organisationId", "A stakeholder must belong to an organisation.");
    expect(checkedValues(html, "roles")).toEqual(["stakeholder"]);
    expect(attr(tagWithId(html, "name"), "value")).toBe("Sofía Castaño");
    expect(attr(tagWithId(html, "email"), "value")).toBe("sofia.castano@bancocordillera.example");
    expect(userCount()).toBe(users);
    expect(user("sofia.castano@bancocordillera.example")).toBeUndefined();
  });

  it("refuses an address already in use, whatever its case, at the email field", async () => {
    const users = userCount();
    const response = await admin.post("/admin/users/new", person({ email: "ANNA.Visser@Taskforce.EXAMPLE" }));
    expect(response.status).toBe(409);
    const html = await response.text();
    expectFieldError(html, "email", "Another account already uses this address.");
    expect(attr(tagWithId(html, "email"), "value")).toBe("ANNA.Visser@Taskforce.EXAMPLE");
    expect(userCount()).toBe(users);
  });

  it("creates a valid person, shows their page, and audits each role granted", async () => {
    const organisation = organisationNamed("Banco Cordillera S.A.")!;
    const users = userCount();
    const response = await admin.post(
      "/admin/users/new",
      person({ organisationId: String(organisation.id), roles: ["stakeholder", "analyst"] }),
    );
    expect(response.status).toBe(302);
    const created = user("sofia.castano@bancocordillera.example");
    expect(created).toBeDefined();
    expect(response.headers.get("Location")).toBe(`/admin/users/${created!.id}`);
    expect(userCount()).toBe(users + 1);
    expect(created).toMatchObject({
      name: "Sofía Castaño",
      organisationId: organisation.id,
      timeZone: "America/Bogota",
      locale: "es-CO",
      active: true,
    });
    expect(rolesOf(created!.id)).toEqual(["analyst", "stakeholder"]);
    expect(roleEvents(created!.id)).toEqual(
      expect.arrayContaining([
        { action: "role.granted", role: "stakeholder", actor: adminId },
        { action: "role.granted", role: "analyst", actor: adminId },
      ]),
    );
    expect(roleEvents(created!.id)).toHaveLength(2);

    const page = await admin.get(response.headers.get("Location")!);
    expect(page.status).toBe(200);
    const text = mainText(await page.text());
    expect(text).toContain("Sofía Castaño is added, and can sign in with sofia.castano@bancocordillera.example.");
    // Said once: the next visit shows the page alone.
    expect(mainText(await (await admin.get(response.headers.get("Location")!)).text())).not.toContain("is added");
  });

  it("audits role changes as grants and revocations", async () => {
    const email = "thomas.keller@taskforce.example";
    const thomas = user(email)!;
    expect(rolesOf(thomas.id)).toEqual(["analyst"]);
    const response = await admin.post(
      `/admin/users/${thomas.id}`,
      person({
        name: thomas.name,
        email: thomas.email,
        timeZone: thomas.timeZone,
        locale: thomas.locale,
        roles: ["coordinator", "admin"],
      }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/admin/users/${thomas.id}`);
    expect(rolesOf(thomas.id)).toEqual(["admin", "coordinator"]);
    const events = roleEvents(thomas.id);
    expect(events).toHaveLength(3);
    expect(events).toEqual(
      expect.arrayContaining([
        { action: "role.revoked", role: "analyst", actor: adminId },
        { action: "role.granted", role: "coordinator", actor: adminId },
        { action: "role.granted", role: "admin", actor: adminId },
      ]),
    );

    // Saving again with the same roles changes no grant.
    const again = await admin.post(
      `/admin/users/${thomas.id}`,
      person({ name: thomas.name, email: thomas.email, timeZone: thomas.timeZone, locale: thomas.locale, roles: ["admin", "coordinator"] }),
    );
    expect(again.status).toBe(302);
    expect(roleEvents(thomas.id)).toHaveLength(3);
  });

  it("keeps the admin from taking the admin role from themselves", async () => {
    const elena = user("elena.conti@taskforce.example")!;
    const response = await admin.post(
      `/admin/users/${elena.id}`,
      person({ name: elena.name, email: elena.email, timeZone: elena.timeZone, locale: elena.locale, roles: ["coordinator"] }),
    );
    expect(response.status).toBe(400);
    expect(textOfId(await response.text(), "roles-error")).toContain("You cannot take the admin role from yourself.");
    expect(rolesOf(elena.id)).toEqual(["admin"]);
  });
});

describe("organisations", () => {
  const organisation = (overrides: Record<string, string> = {}) => ({
    intent: "save",
    name: "Banca Alpina S.p.A.",
    sector: "bank",
    country: "IT",
    kind: "private",
    ...overrides,
  });

  it("refuses an unknown country code at the country field, and writes nothing", async () => {
    const before = organisationCount();
    const response = await admin.post("/admin/organisations/new", organisation({ country: "XZ" }));
    expect(response.status).toBe(400);
    const html = await response.text();
    expectFieldError(html, "country", "Choose a country");
    expect(attr(tagWithId(html, "name"), "value")).toBe("Banca Alpina S.p.A.");
    expect(organisationCount()).toBe(before);
  });

  it("refuses a name already in use, whatever its case, at the name field", async () => {
    const before = organisationCount();
    const response = await admin.post("/admin/organisations/new", organisation({ name: "donau privatbank ag", country: "AT" }));
    expect(response.status).toBe(409);
    const html = await response.text();
    expectFieldError(html, "name", "An organisation with this name already exists.");
    expect(attr(tagWithId(html, "name"), "value")).toBe("donau privatbank ag");
    expect(organisationCount()).toBe(before);
  });

  it("creates a valid organisation", async () => {
    const before = organisationCount();
    const response = await admin.post("/admin/organisations/new", organisation({ country: "it" }));
    expect(response.status).toBe(302);
    const created = organisationNamed("Banca Alpina S.p.A.");
    expect(created).toMatchObject({ sector: "bank", country: "IT", kind: "private", active: true });
    expect(response.headers.get("Location")).toBe(`/admin/organisations/${created!.id}`);
    expect(organisationCount()).toBe(before + 1);
  });

  it("ends the sessions of its members when it is deactivated, and lets none sign in", async () => {
    const email = "olivia.tremblay@northernmaple.example";
    const member = await signIn(portal, smtp, email);
    const olivia = user(email)!;
    const bank = organisationNamed("Northern Maple Bank")!;
    expect(olivia.organisationId).toBe(bank.id);
    expect((await member.get("/")).status).toBe(200);
    expect(portal.db().select().from(sessions).where(eq(sessions.userId, olivia.id)).all()).toHaveLength(1);

    const response = await admin.post(`/admin/organisations/${bank.id}`, { intent: "deactivate" });
    expect(response.status).toBe(302);
    expect(organisationNamed("Northern Maple Bank")!.active).toBe(false);

    const home = await member.get("/");
    expect(home.status).toBe(302);
    expect(home.headers.get("Location")).toBe("/login?redirectTo=%2F");
    expect(portal.db().select().from(sessions).where(eq(sessions.userId, olivia.id)).all()).toHaveLength(0);

    // Neither she nor her colleague is sent a link now.
    const outboxBefore = portal.db().select({ n: count() }).from(outbox).get()!.n;
    const mailsBefore = smtp.received.length;
    for (const address of [email, "etienne.gagnon@northernmaple.example"]) {
      const asked = await new Visitor(portal.url).post("/login", { email: address });
      expect(asked.status).toBe(200);
      await asked.text();
    }
    expect(portal.db().select({ n: count() }).from(outbox).get()!.n).toBe(outboxBefore);
    await sleep(300);
    expect(smtp.received.length).toBe(mailsBefore);
    const page = await admin.get(`/admin/organisations/${bank.id}`);
    expect(mainText(await page.text())).toContain("This organisation is deactivated");
  });
});

describe("a broadcast that keeps failing", () => {
  const broadcastRow = (id: number) => portal.db().select().from(broadcasts).where(eq(broadcasts.id, id)).get()!;

  it("is set aside by the worker, shown to the admins, and tried again, once, when an admin asks", async () => {
    // A broadcast of a kind this version cannot compose (as a later version of the portal, rolled
    // back, might leave), at its last try.
    const stray = portal
      .db()
      .insert(broadcasts)
      .values({ kind: "meeting-digest", payload: {}, failures: 4, createdAt: new Date() })
      .returning()
      .get();
    await eventually(() => broadcastRow(stray.id).setAsideAt ?? undefined, 10_000, "the broadcast set aside");
    expect(broadcastRow(stray.id)).toMatchObject({ failures: 5, doneAt: null });

    // Both of the admin's home pages warn of it.
    for (const path of ["/admin", "/"]) {
      expect(mainText(await (await admin.get(path)).text()), path).toContain("1 broadcast of mail to many people failed and is set aside.");
    }
    const page = await (await admin.get("/admin/outbox")).text();
    // Set aside, it is no longer being written.
    expect(mainText(page)).toMatch(/Broadcasts being written\s*0/);
    const rows = tableRowsWithHeaders(page).filter((row) => row.some((cell) => cell.includes(`broadcast ${stray.id}`)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.join(" | ")).toContain("Set aside after 5 failures");
    expect(rows[0]!.join(" | ")).toContain('This version of the portal cannot compose a broadcast of the kind "meeting-digest".');

    // Its cause mended (here: it is of a kind this version composes, for a consultation no longer
    // there, which tells nobody), the admin tries it again; a repeat of the click changes nothing.
    portal.db().update(broadcasts).set({ kind: "consultation-invitations", payload: { consultationId: 0 } }).where(eq(broadcasts.id, stray.id)).run();
    const form = { intent: "retry-broadcast", id: String(stray.id), submitKey: newKey() };
    const retried = await admin.postWithoutKey("/admin/outbox", form);
    expect(retried.status).toBe(302);
    expect(retried.headers.get("Location")).toBe("/admin/outbox");
    await eventually(() => broadcastRow(stray.id).doneAt ?? undefined, 10_000, "the broadcast done");
    const again = await admin.postWithoutKey("/admin/outbox", form);
    expect(again.status).toBe(302);
    expect(portal.db().select().from(auditEvents).where(and(eq(auditEvents.action, "broadcast.retried"), eq(auditEvents.targetId, String(stray.id)))).all()).toHaveLength(1);
    for (const path of ["/admin", "/"]) expect(mainText(await (await admin.get(path)).text()), path).not.toContain("set aside");
    // A broadcast that is not set aside is not there to try again.
    const missing = await admin.post("/admin/outbox", { intent: "retry-broadcast", id: String(stray.id) });
    expect(missing.status).toBe(404);
    // A try again that names no such thing, or no number, is refused and changes nothing.
    const audited = () => portal.db().select().from(auditEvents).where(inArray(auditEvents.action, ["broadcast.retried", "mail.retried"])).all().length;
    const before = { audited: audited(), broadcast: broadcastRow(stray.id) };
    const forms: Record<string, string>[] = [{ intent: "retry-everything", id: String(stray.id) }, { intent: "retry-broadcast", id: "eight" }, { intent: "retry-broadcast" }];
    for (const form of forms) {
      const refused = await admin.post("/admin/outbox", form);
      expect(refused.status, JSON.stringify(form)).toBe(404);
      await refused.text();
    }
    expect({ audited: audited(), broadcast: broadcastRow(stray.id) }).toEqual(before);
  });
});
