import { and, count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, organisations, outbox, roleGrants, sessions, signInTokens, users } from "../../db/schema";
import { DEMO_SIGN_INS } from "../../db/seed";
import { forgetSingleton } from "~/lib/singleton.server";
import type { AccountInput } from "~/modules/accounts/schema";
import {
  createAccount,
  findSignInAccount,
  getAccount,
  setAccountActive,
  updateAccount,
  type Actor,
} from "~/modules/accounts/service.server";
import { resolveSession } from "~/modules/auth/sessions.server";
import { redeemSignInLink, requestSignIn } from "~/modules/auth/sign-in.server";
import {
  createOrganisation,
  getOrganisation,
  setOrganisationActive,
  updateOrganisation,
} from "~/modules/organisations/service.server";
import type { OrganisationInput } from "~/modules/organisations/schema";
import { freshDatabase } from "../support/db";
import { appErrorFrom } from "./helpers";

const origin = { ip: "192.0.2.10", userAgent: "vitest" };
const NOW = new Date("2025-03-10T09:00:00Z");

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
let admin: Actor;

beforeEach(() => {
  ({ db, sqlite } = freshDatabase({ seed: true }));
  forgetSingleton("sign-in-limits");
  admin = { userId: idOf(DEMO_SIGN_INS.admin), origin };
});
afterEach(() => sqlite.close());

function idOf(email: string) {
  return db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;
}

function organisationId(name: string) {
  return db.select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name)).get()!.id;
}

const tableCounts = () => ({
  users: db.select({ n: count() }).from(users).get()!.n,
  roleGrants: db.select({ n: count() }).from(roleGrants).get()!.n,
  audit: db.select({ n: count() }).from(auditEvents).get()!.n,
  organisations: db.select({ n: count() }).from(organisations).get()!.n,
});

function input(overrides: Partial<AccountInput> = {}): AccountInput {
  return {
    name: "Sofia Navarro",
    email: "sofia.navarro@taskforce.example",
    organisationId: undefined,
    timeZone: "Europe/Madrid",
    locale: "es-ES",
    roles: ["analyst"],
    ...overrides,
  };
}

function inputFor(id: number, overrides: Partial<AccountInput> = {}): AccountInput {
  const account = getAccount(db, id);
  return input({
    name: account.name,
    email: account.email,
    organisationId: account.organisationId ?? undefined,
    timeZone: account.timeZone,
    locale: account.locale as AccountInput["locale"],
    roles: account.roles,
    ...overrides,
  });
}

const auditFor = (action: string, targetId: number) =>
  db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.targetId, String(targetId))))
    .all();

function signIn(email: string) {
  requestSignIn(db, { email, redirectTo: "/", origin, appUrl: "http://localhost:3000" }, NOW);
  const text = db.select().from(outbox).all().at(-1)!.text;
  const token = text.match(/token=([A-Za-z0-9_-]+)/)![1]!;
  return redeemSignInLink(db, { token, origin }, NOW);
}

describe("createAccount", () => {
  it("creates the person with their roles and audits both", () => {
    const id = createAccount(db, input({ roles: ["analyst", "coordinator"] }), admin, NOW);
    expect(getAccount(db, id)).toMatchObject({
      email: "sofia.navarro@taskforce.example",
      organisationId: null,
      active: true,
      roles: ["analyst", "coordinator"],
    });
    expect(auditFor("account.created", id)).toMatchObject([{ actorUserId: admin.userId, ip: origin.ip }]);
    expect(auditFor("role.granted", id).map((event) => event.detail)).toEqual([
      { role: "analyst" },
      { role: "coordinator" },
    ]);
    expect(findSignInAccount(db, "SOFIA.NAVARRO@taskforce.example")?.id).toBe(id);
  });

  it("refuses an address already in use, whatever its case, and writes nothing", () => {
    const before = tableCounts();
    const error = appErrorFrom(
      () => createAccount(db, input({ email: "Anna.Visser@TASKFORCE.example" }), admin, NOW),
      "conflict",
    );
    expect(error.field).toBe("email");
    expect(tableCounts()).toEqual(before);
  });

  it("refuses a stakeholder without an organisation, and writes nothing", () => {
    const before = tableCounts();
    const error = appErrorFrom(
      () => createAccount(db, input({ roles: ["stakeholder"], organisationId: undefined }), admin, NOW),
      "invalid",
    );
    expect(error.field).toBe("organisationId");
    expect(tableCounts()).toEqual(before);
  });

  it("refuses an organisation that does not exist", () => {
    const error = appErrorFrom(
      () => createAccount(db, input({ roles: ["stakeholder"], organisationId: 9999 }), admin, NOW),
      "invalid",
    );
    expect(error.field).toBe("organisationId");
  });

  it("adds a stakeholder to their organisation", () => {
    const organisation = organisationId("Banco Cordillera S.A.");
    const id = createAccount(
      db,
      input({ email: "mateo.rios@bancocordillera.example", roles: ["stakeholder"], organisationId: organisation }),
      admin,
      NOW,
    );
    expect(getAccount(db, id)).toMatchObject({ organisationId: organisation, organisationName: "Banco Cordillera S.A." });
  });
});

describe("updateAccount", () => {
  it("audits each role taken and each role given", () => {
    const anna = idOf(DEMO_SIGN_INS.coordinator);
    updateAccount(db, anna, inputFor(anna, { roles: ["analyst", "admin"] }), admin, NOW);

    expect(getAccount(db, anna).roles).toEqual(["admin", "analyst"]);
    expect(auditFor("role.revoked", anna).map((event) => event.detail)).toEqual([{ role: "coordinator" }]);
    expect(auditFor("role.granted", anna).map((event) => event.detail).sort((a, b) =>
      String(a!.role).localeCompare(String(b!.role)),
    )).toEqual([{ role: "admin" }, { role: "analyst" }]);
    expect(auditFor("account.updated", anna)).toHaveLength(1);
  });

  it("audits no role change when the roles stay the same", () => {
    const anna = idOf(DEMO_SIGN_INS.coordinator);
    updateAccount(db, anna, inputFor(anna, { name: "Anna M. Visser" }), admin, NOW);
    expect(getAccount(db, anna).name).toBe("Anna M. Visser");
    expect(auditFor("role.revoked", anna)).toEqual([]);
    expect(auditFor("role.granted", anna)).toEqual([]);
  });

  it("refuses another person's address in another case", () => {
    const anna = idOf(DEMO_SIGN_INS.coordinator);
    const error = appErrorFrom(
      () => updateAccount(db, anna, inputFor(anna, { email: "THOMAS.KELLER@taskforce.example" }), admin, NOW),
      "conflict",
    );
    expect(error.field).toBe("email");
    expect(getAccount(db, anna).email).toBe(DEMO_SIGN_INS.coordinator);
  });

  it("lets a person keep their own address in another case", () => {
    const anna = idOf(DEMO_SIGN_INS.coordinator);
    updateAccount(db, anna, inputFor(anna, { email: "Anna.Visser@taskforce.example" }), admin, NOW);
    expect(getAccount(db, anna).email).toBe("Anna.Visser@taskforce.example");
  });

  it("does not let an admin take the admin role from themselves", () => {
    const before = tableCounts();
    const error = appErrorFrom(
      () => updateAccount(db, admin.userId, inputFor(admin.userId, { roles: ["coordinator"] }), admin, NOW),
      "invalid",
    );
    expect(error.field).toBe("roles");
    expect(getAccount(db, admin.userId).roles).toEqual(["admin"]);
    expect(tableCounts()).toEqual(before);
  });

  it("lets one admin take the admin role from another", () => {
    const second = createAccount(db, input({ roles: ["admin"] }), admin, NOW);
    updateAccount(db, admin.userId, inputFor(admin.userId, { roles: ["analyst"] }), { userId: second, origin }, NOW);
    expect(getAccount(db, admin.userId).roles).toEqual(["analyst"]);
  });

  it("refuses to make a stakeholder of someone without an organisation", () => {
    const thomas = idOf(DEMO_SIGN_INS.analyst);
    const error = appErrorFrom(
      () => updateAccount(db, thomas, inputFor(thomas, { roles: ["analyst", "stakeholder"] }), admin, NOW),
      "invalid",
    );
    expect(error.field).toBe("organisationId");
    expect(getAccount(db, thomas).roles).toEqual(["analyst"]);
  });
});

describe("setAccountActive", () => {
  it("does not let an admin deactivate themselves", () => {
    appErrorFrom(() => setAccountActive(db, admin.userId, false, admin, NOW), "invalid");
    expect(getAccount(db, admin.userId).active).toBe(true);
    expect(auditFor("account.deactivated", admin.userId)).toEqual([]);
  });

  it("shuts a person out, and lets them back in when reactivated", () => {
    const anna = idOf(DEMO_SIGN_INS.coordinator);
    const { sessionToken } = signIn(DEMO_SIGN_INS.coordinator);
    setAccountActive(db, anna, false, admin, NOW);
    expect(getAccount(db, anna).active).toBe(false);
    expect(findSignInAccount(db, DEMO_SIGN_INS.coordinator)).toBeUndefined();
    expect(db.select().from(sessions).where(eq(sessions.userId, anna)).all()).toEqual([]);
    expect(resolveSession(db, sessionToken, NOW)).toBeNull();
    expect(auditFor("account.deactivated", anna)).toHaveLength(1);

    setAccountActive(db, anna, true, admin, NOW);
    expect(findSignInAccount(db, DEMO_SIGN_INS.coordinator)?.id).toBe(anna);
    expect(auditFor("account.reactivated", anna)).toHaveLength(1);
  });
});

describe("organisations", () => {
  const organisation = (overrides: Partial<OrganisationInput> = {}): OrganisationInput => ({
    name: "Andes Telecomunicaciones S.A.S.",
    sector: "isp",
    country: "CO",
    kind: "private",
    aliases: [],
    usualSourceReliability: null,
    ...overrides,
  });

  it("refuses a name already taken in another case, and writes nothing", () => {
    const before = tableCounts();
    const error = appErrorFrom(
      () => createOrganisation(db, organisation({ name: "DONAU PRIVATBANK AG" }), admin, NOW),
      "conflict",
    );
    expect(error.field).toBe("name");
    expect(tableCounts()).toEqual(before);
  });

  it("refuses to rename one organisation to another's name in another case", () => {
    const id = createOrganisation(db, organisation(), admin, NOW);
    const error = appErrorFrom(
      () => updateOrganisation(db, id, organisation({ name: "northern maple bank" }), admin, NOW),
      "conflict",
    );
    expect(error.field).toBe("name");
    expect(getOrganisation(db, id).name).toBe("Andes Telecomunicaciones S.A.S.");

    // Changing the case of its own name is not a conflict.
    updateOrganisation(db, id, organisation({ name: "ANDES Telecomunicaciones S.A.S." }), admin, NOW);
    expect(getOrganisation(db, id).name).toBe("ANDES Telecomunicaciones S.A.S.");
  });

  it("ends the members' sessions and links when deactivated, and lets them back when reactivated", () => {
    const donau = organisationId("Donau Privatbank AG");
    const katharina = idOf(DEMO_SIGN_INS.stakeholder);
    const { sessionToken } = signIn(DEMO_SIGN_INS.stakeholder);
    requestSignIn(db, { email: DEMO_SIGN_INS.stakeholder, redirectTo: "/", origin, appUrl: "http://localhost:3000" }, NOW);
    const outsider = signIn("lukas.gruber@cyber-coordination.example");
    expect(db.select().from(sessions).where(eq(sessions.userId, katharina)).all()).toHaveLength(1);

    setOrganisationActive(db, donau, false, admin, NOW);

    expect(getOrganisation(db, donau)).toMatchObject({ active: false, deactivatedAt: NOW });
    expect(db.select().from(sessions).where(eq(sessions.userId, katharina)).all()).toEqual([]);
    const unusedLinks = db
      .select()
      .from(signInTokens)
      .where(eq(signInTokens.userId, katharina))
      .all()
      .filter((link) => link.usedAt === null);
    expect(unusedLinks).toEqual([]);
    expect(findSignInAccount(db, DEMO_SIGN_INS.stakeholder)).toBeUndefined();
    expect(resolveSession(db, sessionToken, NOW)).toBeNull();
    expect(auditFor("organisation.deactivated", donau)).toHaveLength(1);
    // Members of other organisations are not touched.
    expect(resolveSession(db, outsider.sessionToken, NOW)).not.toBeNull();
    // The person stays active: reactivating the organisation is enough to let them back.
    expect(getAccount(db, katharina).active).toBe(true);

    setOrganisationActive(db, donau, true, admin, NOW);
    expect(findSignInAccount(db, DEMO_SIGN_INS.stakeholder)?.id).toBe(katharina);
    expect(getOrganisation(db, donau).deactivatedAt).toBeNull();
    expect(auditFor("organisation.reactivated", donau)).toHaveLength(1);
  });
});
