import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assessmentEditions, assessmentOverrides, auditEvents, targetProposals, threatInputs, users } from "../../db/schema";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { openConsultationFor, rowCount } from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { SCORING_RULES } from "~/modules/assessment/scoring";
import { validateStixBundle } from "../support/stix";
import { inputFields, itemFields } from "../support/threat-input";
import { attr, mainText, tableRowsWithHeaders, tagWithId, textOfId } from "./html";

const COORDINATOR = "anna.visser@taskforce.example";
const ANALYST = "thomas.keller@taskforce.example";
const KATHARINA = "katharina.huber@donau-privatbank.example"; // Donau Privatbank, named
const ANDRES = "andres.restrepo@bancocordillera.example"; // Banco Cordillera, anonymous
const GIULIA = "giulia.rossi@vigilanzadigitale.example"; // Vigilanza Digitale
const INVITED = ["Donau Privatbank AG", "Banco Cordillera S.A.", "Vigilanza Digitale S.p.A."];
const ANONYMOUS_BANK = "Banco Cordillera";
const RED_TITLE = "Insider at the card processor";
const RED_MALWARE = "InsiderKit";
const RED_DOMAIN = "insider-drop.example";

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
let analyst: Visitor;
let katharina: Visitor;
let andres: Visitor;
let giulia: Visitor;
let consultationId: number;
let editionId: number;

const db = () => portal.db();
const userId = (email: string) => db().select().from(users).where(eq(users.email, email)).get()!.id;
const organisationOf = (email: string) => db().select().from(users).where(eq(users.email, email)).get()!.organisationId!;
const inputOf = (email: string) =>
  db()
    .select()
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, consultationId), eq(threatInputs.organisationId, organisationOf(email))))
    .get()!;
let keys = 0;

async function submitInput(visitor: Visitor, fields: Record<string, string | string[]>) {
  const response = await visitor.post(`/consultations/${consultationId}/input`, { ...fields, intent: "submit", submitKey: `assessment-key-${++keys}-000000` });
  expect(response.status, mainText((await response.text()) || "<main></main>")).toBe(303);
}

async function accept(email: string) {
  const response = await analyst.post(`/inputs/${inputOf(email).id}`, { intent: "accept" });
  expect(response.status).toBe(302);
}

async function page(visitor: Visitor, path: string) {
  const response = await visitor.get(path);
  const body = await response.text();
  expect(response.status, `${path}: ${mainText(body || "<main></main>").slice(0, 300)}`).toBe(200);
  return body;
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  const visitors = await Promise.all([COORDINATOR, ANALYST, KATHARINA, ANDRES, GIULIA].map((email) => signIn(portal, smtp, email)));
  [coordinator, analyst, katharina, andres, giulia] = visitors as [Visitor, Visitor, Visitor, Visitor, Visitor];
  consultationId = await openConsultationFor(portal, coordinator, "Banking trojans, assessment round", INVITED);

  // Two banks report the same loader: corroboration. The anonymous one also reports a TLP:RED item.
  await submitInput(katharina, itemFields(0, { malware: "Grandoreiro", actors: "Grandoreiro operators", sourceReliability: "A", informationCredibility: "1" }));
  await submitInput(
    andres,
    inputFields(
      { attribution: "anonymous", malware: "grandoreiro", actors: "Grandoreiro crew", impact: "5", likelihood: "3", sourceReliability: "C", informationCredibility: "3" },
      {
        attribution: "anonymous",
        title: RED_TITLE,
        tlp: "TLP:RED",
        redRecipients: [String(userId(ANALYST))],
        malware: RED_MALWARE,
        actors: "",
        indicators: RED_DOMAIN,
      },
    ),
  );
  await submitInput(giulia, itemFields(0, { crimeArea: "online_fraud", tlp: "TLP:GREEN", malware: "", actors: "", impact: "2", likelihood: "5" }));
  for (const email of [KATHARINA, ANDRES, GIULIA]) await accept(email);

  const created = await analyst.post("/assessments/new", {
    title: "Spring 2026 threat assessment",
    periodFrom: "2026-01-01",
    periodTo: "2026-06-30",
    consultationIds: String(consultationId),
  });
  expect(created.status).toBe(302);
  editionId = Number(/\/assessments\/(\d+)$/.exec(created.headers.get("Location")!)![1]);
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

/** The rows of the crime-area table: [area, items, organisations, countries, impact, likelihood, corroborated, confidence, score, change, trend]. */
const areaRows = (html: string) => tableRowsWithHeaders(html).filter((row) => row.length === 11);

describe("an edition's figures", () => {
  it("shows each crime area with its figures, and links each to the items behind it", async () => {
    const html = await page(analyst, `/assessments/${editionId}`);
    const text = mainText(html);
    expect(text).toContain("Banking trojans");
    expect(text).toContain("Online fraud");
    const link = `/assessments/${editionId}/items?area=banking_trojans`;
    expect(html).toContain(`href="${link}"`);
    const behind = mainText(await page(analyst, link));
    expect(behind).toContain("Grandoreiro campaign against retail banking customers");
    // The named analyst reads the RED item behind the figure; its source stays anonymous.
    expect(behind).toContain(RED_TITLE);
    expect(behind).toContain("An organisation that asked to stay anonymous");
    expect(behind).toContain("Donau Privatbank AG");
  });

  it("names an anonymous organisation on no edition page, for no one", async () => {
    for (const visitor of [analyst, coordinator]) {
      for (const path of [`/assessments/${editionId}`, `/assessments/${editionId}/items?area=banking_trojans`, `/assessments/${editionId}/print`]) {
        expect(await page(visitor, path), path).not.toContain(ANONYMOUS_BANK);
      }
    }
  });

  it("keeps the TLP:RED item from the coordinator, who is told the edition has an item for other readers", async () => {
    const html = await page(coordinator, `/assessments/${editionId}/items?area=banking_trojans`);
    expect(html).not.toContain(RED_TITLE);
    expect(mainText(html)).toContain("This edition also draws on one item marked for other readers only");
  });

  it("answers a stakeholder with 404 on every edition page and export", async () => {
    for (const path of [
      "/assessments",
      `/assessments/${editionId}`,
      `/assessments/${editionId}/items?area=banking_trojans`,
      `/assessments/${editionId}/print`,
      `/assessments/${editionId}/export/stix`,
      `/assessments/${editionId}/export/csv`,
    ]) {
      const response = await katharina.get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain("Grandoreiro");
    }
    const posted = await katharina.post(`/assessments/${editionId}`, { intent: "publish" });
    expect(posted.status).toBe(404);
  });
});

describe("overrides", () => {
  it("refuses a coordinator's override and publish with 403, and writes nothing", async () => {
    const override = await coordinator.post(`/assessments/${editionId}`, { intent: "override", crimeArea: "botnets", score: "9", reason: "Coordinators cannot do this." });
    expect(override.status).toBe(403);
    expect((await coordinator.post(`/assessments/${editionId}`, { intent: "publish" })).status).toBe(403);
    expect(rowCount(portal, assessmentOverrides)).toBe(0);
    expect(db().select().from(assessmentEditions).where(eq(assessmentEditions.id, editionId)).get()!.status).toBe("draft");
  });

  it("refuses an override without a reason at its field, and writes nothing", async () => {
    const response = await analyst.post(`/assessments/${editionId}`, { intent: "override", crimeArea: "online_fraud", score: "12", reason: "" });
    const html = await response.text();
    expect(response.status).toBe(400);
    expect(attr(tagWithId(html, "reason"), "aria-invalid")).toBe("true");
    expect(textOfId(html, "reason-error")).toContain("Say why you set it by hand");
    expect(attr(tagWithId(html, "score"), "value")).toBe("12");
    expect(rowCount(portal, assessmentOverrides)).toBe(0);
  });

  it("shows the computed and the overridden score, who set it and why, and audits it", async () => {
    const before = areaRows(await page(analyst, `/assessments/${editionId}`)).find((row) => row[0] === "Online fraud")!;
    // "8.2 high": the score, then its band.
    const computed = before[8]!.split(" ")[0];
    const response = await analyst.post(`/assessments/${editionId}`, {
      intent: "override",
      crimeArea: "online_fraud",
      score: "18.5",
      trend: "increasing",
      reason: "Europol reporting shows a sharp rise in BEC this quarter.",
    });
    expect(response.status).toBe(302);
    const html = await page(coordinator, `/assessments/${editionId}`);
    const row = areaRows(html).find((candidate) => candidate[0] === "Online fraud")!;
    // The final figure with its band; the likelihood beside it is where that score puts the area.
    expect(row[8]).toBe(`18.5 very high (computed ${computed})`);
    expect(row[5]).toMatch(/^\d\.\d\d \((likely|almost certain)\) \(computed \d\.\d\d\)$/);
    expect(mainText(html)).toContain("set by Thomas Keller");
    expect(mainText(html)).toContain("Europol reporting shows a sharp rise in BEC this quarter.");
    const audit = db().select().from(auditEvents).where(eq(auditEvents.action, "assessment.overridden")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ crimeArea: "online_fraud", score: 18.5, trend: "increasing" });
  });
});

describe("names", () => {
  it("merges two names into one entity: its weight, organisations and corroboration follow", async () => {
    const entityRow = (html: string, name: string) => tableRowsWithHeaders(html.slice(html.indexOf('id="entities-title"'))).find((row) => row[0]!.startsWith(name));
    const before = await page(analyst, `/assessments/${editionId}`);
    expect(entityRow(before, "Grandoreiro operators")![4]).toBe("1");
    expect(entityRow(before, "Grandoreiro crew")).toBeDefined();

    const refused = await analyst.post(`/assessments/${editionId}`, { intent: "merge", kind: "actor", from: "Grandoreiro crew", into: "grandoreiro CREW" });
    expect(refused.status).toBe(400);
    const merged = await analyst.post(`/assessments/${editionId}`, { intent: "merge", kind: "actor", from: "Grandoreiro crew", into: "Grandoreiro operators" });
    expect(merged.status).toBe(302);

    const after = await page(analyst, `/assessments/${editionId}`);
    const row = entityRow(after, "Grandoreiro operators")!;
    expect(row[0]).toBe("Grandoreiro operators aka Grandoreiro crew");
    expect(row[4]).toBe("2");
    expect(entityRow(after, "Grandoreiro crew")).toBeUndefined();
    // The items behind the merged name are those of both names.
    const behind = mainText(await page(analyst, `/assessments/${editionId}/items?actor=Grandoreiro%20crew`));
    expect(behind).toContain("Donau Privatbank AG");
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "assessment.names_merged")).all()).toHaveLength(1);
  });
});

describe("targets", () => {
  it("lets an analyst propose a network with supporting items, and the coordinator endorse it", async () => {
    // The supporting items are ticked on the page of the items behind a figure, not on the edition's.
    expect(await page(analyst, `/assessments/${editionId}`)).not.toContain('name="itemIds"');
    const html = await page(analyst, `/assessments/${editionId}/items?area=banking_trojans`);
    const candidates = [...html.matchAll(/name="itemIds" value="(\d+)"/g)].map((match) => match[1]!);
    expect(candidates.length).toBeGreaterThanOrEqual(2);
    const proposed = await analyst.post(`/assessments/${editionId}/items?area=banking_trojans`, {
      intent: "propose",
      kind: "network",
      name: "Grandoreiro operators",
      rationale: "Two banks in two countries report the same loader and operators; the infrastructure overlaps.",
      itemIds: candidates.slice(0, 2),
    });
    expect(proposed.status).toBe(302);
    const proposalId = /name="proposalId" value="(\d+)"/.exec(await page(coordinator, `/assessments/${editionId}`))![1]!;
    const endorsed = await coordinator.post(`/assessments/${editionId}`, { intent: "decide", proposalId, decision: "endorsed", note: "Go ahead." });
    expect(endorsed.status).toBe(302);
    const text = mainText(await page(analyst, `/assessments/${editionId}`));
    expect(text).toMatch(/endorsed by Anna Visser/);
    const again = await coordinator.post(`/assessments/${editionId}`, { intent: "decide", proposalId, decision: "declined" });
    expect(again.status).toBe(409);
  });

  it("offers the proposal form to analysts only, and refuses anyone else's proposal", async () => {
    const path = `/assessments/${editionId}/items?area=banking_trojans`;
    const itemId = /name="itemIds" value="(\d+)"/.exec(await page(analyst, path))![1]!;
    expect(await page(coordinator, path)).not.toContain('name="itemIds"');
    const form = { intent: "propose", kind: "network", name: "Overlay kit sellers", rationale: "They sell the overlay kit that both banks saw.", itemIds: itemId };
    expect((await coordinator.post(path, form)).status).toBe(403);
    expect((await katharina.post(path, form)).status).toBe(404);
    // A field left out comes back at the field, with what was typed.
    const refused = await analyst.post(path, { ...form, rationale: "Too short." });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain("Give the rationale (at least 20 characters).");
    expect(html).toContain('value="Overlay kit sellers"');
    // An item that is not this edition's is refused at the field, and nothing is proposed.
    const proposals = () => portal.db().select().from(targetProposals).all().length;
    const proposalsBefore = proposals();
    const foreign = await analyst.post(path, { ...form, itemIds: [itemId, "999999"] });
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain("Choose supporting items from this edition.");
    expect(proposals()).toBe(proposalsBefore);
  });
});

describe("publishing and exports", () => {
  let frozen: string[][];

  it("asks for confirmation on a page of its own that says what publishing freezes, and refuses a post without it", async () => {
    const draft = await page(analyst, `/assessments/${editionId}`);
    // The draft's page has no publishing button, only the way to the page that asks.
    expect(draft).not.toMatch(/name="intent" value="publish"/);
    expect(draft).toContain(`href="/assessments/${editionId}/publish"`);
    const confirm = mainText(await page(analyst, `/assessments/${editionId}/publish`));
    expect(confirm).toContain("Publish this edition?");
    expect(confirm).toContain("Publishing freezes the figures for good; it cannot be undone.");
    expect(confirm).toMatch(/\d+ accepted items? from /);
    expect(confirm).toContain("Nobody is sent mail.");
    expect(confirm).toContain("Publish and freeze the figures");

    const unconfirmed = await analyst.post(`/assessments/${editionId}`, { intent: "publish" });
    expect(unconfirmed.status).toBe(400);
    expect(mainText(await unconfirmed.text())).toContain("Publishing freezes the edition for good: confirm it on the publishing page first.");
    expect(db().select().from(assessmentEditions).where(eq(assessmentEditions.id, editionId)).get()!.status).toBe("draft");
    // The coordinator reads the edition but may not publish it; a stakeholder learns nothing.
    for (const [visitor, status] of [[coordinator, 403], [katharina, 404]] as const) {
      const response = await visitor.get(`/assessments/${editionId}/publish`);
      expect(response.status).toBe(status);
      await response.text();
    }
  });

  it("freezes the figures: later input changes nothing in the published edition", async () => {
    const response = await analyst.post(`/assessments/${editionId}`, { intent: "publish", confirmed: "yes" });
    expect(response.status).toBe(302);
    expect((await analyst.get(`/assessments/${editionId}/publish`)).status).toBe(409);
    expect(db().select().from(assessmentEditions).where(eq(assessmentEditions.id, editionId)).get()!.status).toBe("published");
    frozen = areaRows(await page(analyst, `/assessments/${editionId}`));

    // Vigilanza revises its input with a far higher impact; the analyst accepts the revision.
    await submitInput(giulia, itemFields(0, { crimeArea: "online_fraud", tlp: "TLP:GREEN", malware: "", actors: "", impact: "5", likelihood: "5", title: "BEC, revised" }));
    await accept(GIULIA);
    expect(frozen.map((row) => row[0]).sort()).toEqual(["Banking trojans", "Online fraud"]);
    expect(areaRows(await page(analyst, `/assessments/${editionId}`))).toEqual(frozen);
    // A new draft edition over the same consultation does see the revision, and compares with the published one.
    const next = await analyst.post("/assessments/new", { title: "Summer 2026", periodFrom: "2026-01-01", periodTo: "2026-06-30", consultationIds: String(consultationId) });
    const nextId = Number(/\/assessments\/(\d+)$/.exec(next.headers.get("Location")!)![1]);
    const fraud = (rows: string[][]) => rows.find((row) => row[0] === "Online fraud")!;
    const revised = fraud(areaRows(await page(analyst, `/assessments/${nextId}`)));
    expect(revised[4]).toBe("5.00");
    // The frozen edition's impact is where the 18.5 set by hand put it, the computed 2.00 beside it.
    expect(fraud(frozen)[4]).toMatch(/^\d\.\d\d \(computed 2\.00\)$/);
    // 5 x 5 at Vigilanza's B2 weight: 25 x (0.5 + 0.5 x 0.64) = 20.5, against the 18.5 set by hand last time.
    expect(revised[8]).toBe("20.5 very high");
    expect(revised[9]).toBe("+2.0");
    // And it takes no more overrides.
    const refused = await analyst.post(`/assessments/${editionId}`, { intent: "override", crimeArea: "botnets", score: "3", reason: "Too late for this one." });
    expect(refused.status).toBe(409);
  });

  it("exports a STIX bundle without the TLP:RED item or any organisation, valid against the OASIS schemas", async () => {
    const response = await analyst.get(`/assessments/${editionId}/export/stix`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="taskforce-assessment-\d+\.stix\.json"$/);
    const body = await response.text();
    for (const absent of [RED_MALWARE, RED_DOMAIN, RED_TITLE, ANONYMOUS_BANK, "Donau Privatbank"]) expect(body).not.toContain(absent);
    expect(body).toContain("Grandoreiro");
    expect(validateStixBundle(JSON.parse(body))).toEqual([]);
    // Deterministic: a second export is the same file.
    expect(await (await analyst.get(`/assessments/${editionId}/export/stix`)).text()).toBe(body);
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "assessment.exported")).all().length).toBeGreaterThanOrEqual(2);
  });

  it("exports CSV with one row per crime area and one per target", async () => {
    const response = await analyst.get(`/assessments/${editionId}/export/csv`);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    // A UTF-8 byte-order mark first, for Excel; fetch's text() would hide it.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString("utf8").trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^record,crime_area,items,/);
    expect(lines.filter((line) => line.startsWith("crime_area,"))).toHaveLength(10);
    expect(lines.filter((line) => line.startsWith("target,"))).toEqual([expect.stringContaining("Grandoreiro operators")]);
  });

  it("refuses a named-recipient export without confirmation, keeping what was typed", async () => {
    const response = await analyst.post(`/assessments/${editionId}/export/named`, { format: "stix", recipient: "Insp. Ruiz, Policía Nacional de Colombia" });
    expect(response.status).toBe(302);
    const back = await page(analyst, response.headers.get("Location")!);
    expect(textOfId(back, "confirm-error")).toContain("Confirm that the TLP:RED items may go to this recipient.");
    expect(attr(tagWithId(back, "recipient"), "value")).toBe("Insp. Ruiz, Policía Nacional de Colombia");
    expect(db().select().from(auditEvents).where(eq(auditEvents.action, "assessment.exported_named")).all()).toEqual([]);
  });

  it("includes the TLP:RED item in a confirmed named-recipient export, and audits who it went to", async () => {
    const response = await analyst.post(`/assessments/${editionId}/export/named`, {
      format: "stix",
      recipient: "Insp. Ruiz, Policía Nacional de Colombia",
      confirm: "on",
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain(RED_MALWARE);
    expect(body).toContain(RED_DOMAIN);
    expect(body).not.toContain(ANONYMOUS_BANK);
    expect(response.headers.get("X-TLP")).toBe("TLP:RED");
    expect(validateStixBundle(JSON.parse(body))).toEqual([]);
    const audit = db().select().from(auditEvents).where(eq(auditEvents.action, "assessment.exported_named")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ recipient: "Insp. Ruiz, Policía Nacional de Colombia", redItems: 1, format: "stix" });
    expect(audit[0]!.actorUserId).toBe(userId(ANALYST));
  });

  it("explains the scoring on the help page, in the words the code computes with", async () => {
    const text = mainText(await page(coordinator, "/help/assessment"));
    for (const rule of SCORING_RULES) expect(text).toContain(rule.title);
    expect(text).toContain("0.15");
  });

  it("lets only analysts export: the coordinator gets 403", async () => {
    expect((await coordinator.get(`/assessments/${editionId}/export/stix`)).status).toBe(403);
  });
});
