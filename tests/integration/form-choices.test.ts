import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consultationOrganisations, consultations, organisations, users } from "../../db/schema";
import { INVITATION_CHOICES_SHOWN } from "~/modules/consultations/form-options.server";
import { EDITION_CHOICES_SHOWN } from "~/modules/assessment/service.server";
import { ORGANISATION_CHOICES_SHOWN } from "~/modules/organisations/service.server";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { consultationForm, createConsultation } from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { attr, checkedValues, tagWithId, textOf } from "./html";

// The forms that choose among the taskforce's organisations, people and consultations offer a
// few at a time, found by name on the server (issue 13: no page's HTML grows with the database):
// those chosen, always, and up to a bound more. A search step is the whole form sent back as a
// GET, so that what was typed and ticked comes back with what the search found.

const COORDINATOR = "anna.visser@taskforce.example";
const ANALYST = "thomas.keller@taskforce.example";
const STAKEHOLDER = "katharina.huber@donau-privatbank.example";
const ADMIN = "elena.conti@taskforce.example";
const BULK = 60;

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
let analyst: Visitor;
let stakeholder: Visitor;
let admin: Visitor;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  coordinator = await signIn(portal, smtp, COORDINATOR);
  analyst = await signIn(portal, smtp, ANALYST);
  stakeholder = await signIn(portal, smtp, STAKEHOLDER);
  admin = await signIn(portal, smtp, ADMIN);
  // Years of data: many more organisations, people and opened consultations than a form shows.
  const db = portal.db();
  const pad = (n: number) => String(n).padStart(2, "0");
  for (let n = 0; n < BULK; n++) {
    const { id } = db.insert(organisations).values({ name: `Bulk Bank ${pad(n)}`, sector: "bank", country: "AT", kind: "private" }).returning({ id: organisations.id }).get();
    db.insert(users).values({ name: `Bulk Person ${pad(n)}`, email: `person-${n}@bulk-${n}.example`, organisationId: id }).run();
    db.insert(consultations)
      .values({
        title: `Bulk round ${pad(n)}`,
        crimeAreas: ["botnets"],
        inputDeadline: new Date(Date.UTC(2026, 0, 1 + n)),
        deadlineTimeZone: "UTC",
        coordinatorUserId: db.select({ id: users.id }).from(users).where(eq(users.email, COORDINATOR)).get()!.id,
        status: "closed",
        createdAt: new Date(Date.UTC(2025, 0, 1 + n)),
      })
      .run();
  }
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const idOf = (name: string) => portal.db().select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name)).get()!.id;
const personIdOf = (name: string) => portal.db().select({ id: users.id }).from(users).where(eq(users.name, name)).get()!.id;
/** The values a group of checkboxes offers, ticked or not. */
const offered = (html: string, name: string) => [...html.matchAll(new RegExp(`<input[^>]*name="${name}"[^>]*>`, "g"))].map((match) => attr(match[0], "value")!);
/** The values a multiple select offers. */
const options = (html: string, id: string) => {
  const select = new RegExp(`<select[^>]*id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? "";
  return [...select.matchAll(/<option[^>]*value="([^"]*)"[^>]*>/g)].map((match) => match[1]!);
};
const selectedOptions = (html: string, id: string) => {
  const select = new RegExp(`<select[^>]*id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? "";
  return [...select.matchAll(/<option[^>]*value="([^"]*)"[^>]*selected[^>]*>/g)].map((match) => match[1]!);
};
const search = (fields: Record<string, string | string[]>) =>
  new URLSearchParams(Object.entries({ find: "1", ...fields }).flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((one) => [key, one]))).toString();

describe("the consultation form's organisations and people", () => {
  it("offers a bounded few whatever their number, and says how many more there are to find", async () => {
    const html = await (await coordinator.get("/consultations/new")).text();
    expect(offered(html, "organisationIds")).toHaveLength(INVITATION_CHOICES_SHOWN);
    expect(options(html, "personIds")).toHaveLength(INVITATION_CHOICES_SHOWN);
    const activeOrganisations = portal.db().select({ id: organisations.id }).from(organisations).where(eq(organisations.active, true)).all().length;
    expect(textOf(html)).toContain(`${activeOrganisations - INVITATION_CHOICES_SHOWN} more organisations not listed here: find them by name.`);
    expect(textOf(html)).toContain("more people not listed here: find them by name.");
  });

  it("finds by name with everything typed and ticked kept, the chosen offered whatever the search", async () => {
    const donau = idOf("Donau Privatbank AG");
    const chosenPerson = personIdOf("Bulk Person 41");
    const response = await coordinator.get(
      `/consultations/new?${search({
        ...consultationForm({ title: "Botnets, a searched round", crimeAreas: ["botnets"] }),
        organisationIds: String(donau),
        personIds: String(chosenPerson),
        findOrganisations: "bank 07",
        findPeople: "person 1",
      })}`,
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(attr(tagWithId(html, "title"), "value")).toBe("Botnets, a searched round");
    expect(checkedValues(html, "crimeAreas")).toEqual(["botnets"]);
    expect(attr(tagWithId(html, "findOrganisations"), "value")).toBe("bank 07");
    // Donau is not found by "bank 07", and is offered ticked; Bulk Bank 07 is found, not ticked.
    expect(offered(html, "organisationIds").sort()).toEqual([String(donau), String(idOf("Bulk Bank 07"))].sort());
    expect(checkedValues(html, "organisationIds")).toEqual([String(donau)]);
    // "person 1" finds Bulk Person 1x (ten of them); the chosen one is offered too, selected.
    expect(options(html, "personIds")).toHaveLength(11);
    expect(selectedOptions(html, "personIds")).toEqual([String(chosenPerson)]);
    expect(textOf(html)).not.toContain("more organisations not listed");
  });

  it("saves what the search found once it is ticked, and nothing at all on a search", async () => {
    const before = portal.db().select({ id: consultations.id }).from(consultations).all().length;
    await coordinator.get(`/consultations/new?${search({ ...consultationForm(), findOrganisations: "bulk" })}`);
    expect(portal.db().select({ id: consultations.id }).from(consultations).all()).toHaveLength(before);
    const found = [idOf("Bulk Bank 07"), idOf("Bulk Bank 58")];
    const id = await createConsultation(coordinator, consultationForm({ title: "Botnets, found round", organisationIds: found.map(String) }));
    const saved = portal.db().select({ id: consultationOrganisations.organisationId }).from(consultationOrganisations).where(eq(consultationOrganisations.consultationId, id)).all();
    expect(saved.map((row) => row.id).sort()).toEqual(found.sort());
  });

  it("offers every organisation a consultation is put to on its edit form, ticked, even past the bound", async () => {
    const many = Array.from({ length: 30 }, (_, n) => idOf(`Bulk Bank ${String(n + 30).padStart(2, "0")}`));
    const id = await createConsultation(coordinator, consultationForm({ title: "Botnets, a wide round", organisationIds: many.map(String) }));
    const html = await (await coordinator.get(`/consultations/${id}/edit`)).text();
    expect(checkedValues(html, "organisationIds").map(Number).sort()).toEqual([...many].sort());
    expect(offered(html, "organisationIds").length).toBeLessThanOrEqual(many.length + INVITATION_CHOICES_SHOWN);
    // A search on the edit form keeps what is ticked there, not what was saved: one unticked stays out.
    const kept = many.slice(1);
    const searched = await (await coordinator.get(`/consultations/${id}/edit?${search({ ...consultationForm(), organisationIds: kept.map(String), findOrganisations: "Donau" })}`)).text();
    expect(checkedValues(searched, "organisationIds").map(Number).sort()).toEqual([...kept].sort());
    expect(offered(searched, "organisationIds")).toContain(String(idOf("Donau Privatbank AG")));
    // One of them deactivated since is no longer offered (the form's check would refuse it), as
    // before the search: saving leaves it out.
    portal.db().update(organisations).set({ active: false }).where(eq(organisations.id, many[0]!)).run();
    const after = await (await coordinator.get(`/consultations/${id}/edit`)).text();
    expect(checkedValues(after, "organisationIds").map(Number).sort()).toEqual(many.slice(1).sort());
    expect(offered(after, "organisationIds")).not.toContain(String(many[0]));
  });

  it("answers a search whose ids and words are nonsense with the form, not an error", async () => {
    const response = await coordinator.get(`/consultations/new?${search({ organisationIds: ["abc", "-4", "1e400"], personIds: "x", findOrganisations: "%_'\"" })}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(checkedValues(html, "organisationIds")).toEqual([]);
    expect(offered(html, "organisationIds")).toEqual([]);
  });
});

describe("the new edition's consultations", () => {
  it("offers the latest few opened consultations, finds others by their title, and keeps those chosen", async () => {
    const html = await (await analyst.get("/assessments/new")).text();
    expect(offered(html, "consultationIds")).toHaveLength(EDITION_CHOICES_SHOWN);
    expect(textOf(html)).toMatch(/\d+ more consultations not listed here: find them by words of their title\./);
    const ids = portal
      .db()
      .select({ id: consultations.id, title: consultations.title })
      .from(consultations)
      .where(inArray(consultations.title, ["Bulk round 03", "Bulk round 59"]))
      .all();
    const early = ids.find((row) => row.title === "Bulk round 03")!.id;
    const late = ids.find((row) => row.title === "Bulk round 59")!.id;
    const searched = await (
      await analyst.get(`/assessments/new?${search({ title: "Q1 searched", periodFrom: "2026-01-01", periodTo: "2026-03-31", consultationIds: String(late), findConsultations: "round 03" })}`)
    ).text();
    expect(attr(tagWithId(searched, "title"), "value")).toBe("Q1 searched");
    expect(attr(tagWithId(searched, "periodTo"), "value")).toBe("2026-03-31");
    expect(offered(searched, "consultationIds").sort()).toEqual([String(early), String(late)].sort());
    expect(checkedValues(searched, "consultationIds")).toEqual([String(late)]);
  });
});

describe("a person's organisation on the admin's forms", () => {
  it("is chosen from a bounded few, found by name with what was typed kept, and saved once chosen", async () => {
    const html = await (await admin.get("/admin/users/new")).text();
    // The placeholder (taskforce staff) and the first organisations by name.
    expect(options(html, "organisationId")).toHaveLength(ORGANISATION_CHOICES_SHOWN + 1);
    const activeOrganisations = portal.db().select({ id: organisations.id }).from(organisations).where(eq(organisations.active, true)).all().length;
    expect(textOf(html)).toContain(`${activeOrganisations - ORGANISATION_CHOICES_SHOWN} more organisations not listed here: find them by name.`);

    const typed = { intent: "save", name: "Nadia Found", email: "nadia@bulk-57.example", organisationId: "", timeZone: "", locale: "en-GB", roles: "stakeholder" };
    const found = await (await admin.get(`/admin/users/new?${search({ ...typed, findOrganisation: "Bank 57" })}`)).text();
    expect(options(found, "organisationId")).toEqual(["", String(idOf("Bulk Bank 57"))]);
    expect(attr(tagWithId(found, "name"), "value")).toBe("Nadia Found");
    expect(attr(tagWithId(found, "email"), "value")).toBe("nadia@bulk-57.example");
    expect(checkedValues(found, "roles")).toEqual(["stakeholder"]);
    expect(portal.db().select().from(users).where(eq(users.email, "nadia@bulk-57.example")).get()).toBeUndefined();

    const saved = await admin.post("/admin/users/new", { ...typed, organisationId: String(idOf("Bulk Bank 57")) });
    expect(saved.status).toBe(302);
    expect(portal.db().select().from(users).where(eq(users.email, "nadia@bulk-57.example")).get()!.organisationId).toBe(idOf("Bulk Bank 57"));
  });

  it("keeps offering, chosen, a person's organisation past the bound, even once it is deactivated", async () => {
    const bank = idOf("Bulk Bank 58");
    const person = personIdOf("Bulk Person 58");
    portal.db().update(organisations).set({ active: false }).where(eq(organisations.id, bank)).run();
    const html = await (await admin.get(`/admin/users/${person}`)).text();
    expect(options(html, "organisationId")).toContain(String(bank));
    expect(selectedOptions(html, "organisationId")).toEqual([String(bank)]);
    // Searched for others, the organisation chosen on the form is still offered.
    const searched = await (await admin.get(`/admin/users/${person}?${search({ intent: "save", organisationId: String(bank), findOrganisation: "Bank 03" })}`)).text();
    expect(options(searched, "organisationId").sort()).toEqual(["", String(bank), String(idOf("Bulk Bank 03"))].sort());
    expect(selectedOptions(searched, "organisationId")).toEqual([String(bank)]);
    portal.db().update(organisations).set({ active: true }).where(eq(organisations.id, bank)).run();
  });

  it("shows the (de)activate form's refusal on a page reached by a search, not the search's values in its place", async () => {
    const person = personIdOf("Bulk Person 57");
    const refused = await admin.post(`/admin/users/${person}?${search({ intent: "save", findOrganisation: "Bank 03" })}`, { intent: "suspend" });
    expect(refused.status).toBe(400);
    // Said where the page shows it, not only in the loader data the page carries for its scripts.
    expect(await refused.text()).toMatch(/<p class="notice notice--error" role="alert">Unknown action\.<\/p>/);
  });
});

describe("a search step by someone the form is not for", () => {
  it("is refused like the form, and names no organisation, person or consultation", async () => {
    const asked = [
      [stakeholder, `/consultations/new?${search({ findOrganisations: "bulk", findPeople: "bulk" })}`],
      [stakeholder, `/assessments/new?${search({ findConsultations: "bulk" })}`],
      // A coordinator who is no analyst opens no edition.
      [coordinator, `/assessments/new?${search({ findConsultations: "bulk" })}`],
      [coordinator, `/admin/users/new?${search({ findOrganisation: "bulk" })}`],
      [coordinator, `/admin/users/${personIdOf("Bulk Person 01")}?${search({ findOrganisation: "bulk" })}`],
    ] as const;
    for (const [visitor, path] of asked) {
      const form = await visitor.get(path.slice(0, path.indexOf("?")));
      await form.arrayBuffer();
      expect([403, 404], path).toContain(form.status);
      const response = await visitor.get(path);
      expect(response.status, path).toBe(form.status);
      const html = await response.text();
      for (const name of ["Bulk Bank", "Bulk Person", "Bulk round"]) expect(html, path).not.toContain(name);
    }
  });
});

