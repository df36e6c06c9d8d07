import { count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { organisations, roleGrants, SECTORS, users } from "../../db/schema";
import { DEMO_SIGN_INS, hasAnyUser, seedDemoData } from "../../db/seed";
import { MEMBER_COUNTRIES } from "~/lib/countries";
import { isValidTimeZone } from "~/lib/time";
import { listAccounts } from "~/modules/accounts/service.server";
import { freshDatabase } from "../support/db";

let db: ReturnType<typeof freshDatabase>["db"];
beforeAll(() => {
  ({ db } = freshDatabase({ seed: true }));
});

const accounts = () => listAccounts(db, {});

describe("the demo data", () => {
  it("has at least 12 organisations from all ten member countries", () => {
    const rows = db.select().from(organisations).all();
    expect(rows.length).toBeGreaterThanOrEqual(12);
    const countries = new Set(rows.map((row) => row.country));
    for (const country of ["AT", "CA", "CO", "DE", "FR", "IT", "NL", "ES", "GB", "US"]) {
      expect(countries, country).toContain(country);
    }
    expect(MEMBER_COUNTRIES.every((country) => countries.has(country))).toBe(true);
  });

  it("covers every sector, and both public and private organisations", () => {
    const rows = db.select().from(organisations).all();
    const sectors = new Set(rows.map((row) => row.sector));
    for (const sector of ["bank", "isp", "security_vendor", "cert", "ministry", "payment_provider"]) {
      expect(sectors, sector).toContain(sector);
    }
    expect(sectors.size).toBe(SECTORS.length);
    expect(new Set(rows.map((row) => row.kind))).toEqual(new Set(["public", "private"]));
  });

  it("gives every organisation at least one person", () => {
    const members = new Set(accounts().map((account) => account.organisationId));
    for (const organisation of db.select().from(organisations).all()) {
      expect(members, organisation.name).toContain(organisation.id);
    }
  });

  it("has people in every role, and every stakeholder in an organisation", () => {
    const all = accounts();
    for (const role of ["coordinator", "analyst", "admin", "stakeholder"] as const) {
      expect(all.filter((account) => account.roles.includes(role)).length, role).toBeGreaterThan(0);
    }
    const stakeholders = all.filter((account) => account.roles.includes("stakeholder"));
    expect(stakeholders.filter((account) => account.organisationId === null)).toEqual([]);
    expect(all.every((account) => account.roles.length > 0)).toBe(true);
  });

  it("keeps taskforce staff outside stakeholder organisations", () => {
    const staff = accounts().filter((account) => !account.roles.includes("stakeholder"));
    expect(staff.length).toBeGreaterThan(0);
    expect(staff.filter((account) => account.organisationId !== null)).toEqual([]);
  });

  it("spreads people over valid time zones from Bogota to Vienna", () => {
    const zones = accounts().map((account) => account.timeZone);
    expect(zones.filter((zone) => !isValidTimeZone(zone))).toEqual([]);
    for (const zone of ["America/Bogota", "America/Toronto", "Europe/Vienna"]) expect(zones).toContain(zone);
  });

  it("uses unique addresses", () => {
    const emails = accounts().map((account) => account.email.toLowerCase());
    expect(new Set(emails).size).toBe(emails.length);
  });

  it("has an active account with the matching role for each demo sign-in", () => {
    for (const [role, email] of Object.entries(DEMO_SIGN_INS)) {
      const account = accounts().find((candidate) => candidate.email === email);
      expect(account, email).toBeDefined();
      expect(account!.roles, email).toContain(role);
      expect(account!.active).toBe(true);
    }
  });
});

describe("seedDemoData", () => {
  const counts = () => ({
    organisations: db.select({ n: count() }).from(organisations).get()!.n,
    users: db.select({ n: count() }).from(users).get()!.n,
    roleGrants: db.select({ n: count() }).from(roleGrants).get()!.n,
  });

  it("changes nothing when run a second time", () => {
    const before = counts();
    seedDemoData(db);
    seedDemoData(db);
    expect(counts()).toEqual(before);
  });

  it("restores what is missing without duplicating the rest", () => {
    const before = counts();
    const anna = db.select().from(users).where(eq(users.email, DEMO_SIGN_INS.coordinator)).get()!;
    db.delete(roleGrants).where(eq(roleGrants.userId, anna.id)).run();
    seedDemoData(db);
    expect(counts()).toEqual(before);
    expect(accounts().find((account) => account.id === anna.id)!.roles).toEqual(["coordinator"]);
  });

  it("fills an empty database, which hasAnyUser tells apart", () => {
    const { db: empty, sqlite } = freshDatabase();
    expect(hasAnyUser(empty)).toBe(false);
    seedDemoData(empty);
    expect(hasAnyUser(empty)).toBe(true);
    expect(empty.select({ n: count() }).from(users).get()!.n).toBe(counts().users);
    sqlite.close();
  });
});
