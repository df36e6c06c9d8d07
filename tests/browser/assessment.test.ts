import fs from "node:fs";
import { eq } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organisations, users } from "../../db/schema";
import { getAccount } from "~/modules/accounts/service.server";
import { editionFormSchema } from "~/modules/assessment/schema";
import { createEdition } from "~/modules/assessment/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { threatInputFormSchema } from "~/modules/threat-input/schema";
import { decideTriage, inputFormFor, submitInput } from "~/modules/threat-input/service.server";
import { collectProblems, expectAccessible, launchChromium, newContext } from "../support/browser";
import { startPortal, type Portal } from "../support/portal";
import { addDays, todayUtc } from "../support/scheduling";
import { itemFields } from "../support/threat-input";
import { signIn, submit } from "./flows";

const COORDINATOR = "anna.visser@taskforce.example";
const ANALYST = "thomas.keller@taskforce.example";
const BANKS = ["katharina.huber@donau-privatbank.example", "andres.restrepo@bancocordillera.example"];

let portal: Portal;
let browser: Browser;
let consultationId: number;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchChromium()]);
  // The input is set up through the modules: the stakeholders' and triage pages have tests of their own.
  const db = portal.db();
  const idOf = (email: string) => db.select().from(users).where(eq(users.email, email)).get()!.id;
  const actor = (email: string) => ({ userId: idOf(email), origin: {}, appUrl: portal.url });
  const organisationIds = ["Donau Privatbank AG", "Banco Cordillera S.A."].map((name) =>
    String(db.select().from(organisations).where(eq(organisations.name, name)).get()!.id),
  );
  consultationId = createConsultation(
    db,
    consultationFormSchema.parse({
      title: "Banking trojans, browser assessment",
      crimeAreas: ["banking_trojans", "online_fraud"],
      deadlineDate: addDays(todayUtc(), 30),
      deadlineTime: "17:00",
      deadlineTimeZone: "Europe/Vienna",
      organisationIds,
    }),
    actor(COORDINATOR),
  );
  openConsultation(db, consultationId, actor(COORDINATOR));
  for (const [index, email] of BANKS.entries()) {
    const person = getAccount(db, idOf(email));
    const stakeholder = { ...person, organisationId: person.organisationId! };
    const fields = itemFields(0, { crimeArea: index === 0 ? "banking_trojans" : "online_fraud", malware: "Grandoreiro" });
    const items = threatInputFormSchema(inputFormFor(db, stakeholder, consultationId).context).parse(fields).items;
    const { inputId } = submitInput(db, stakeholder, consultationId, { items, values: fields }, actor(email));
    decideTriage(db, getAccount(db, idOf(ANALYST)), inputId, { decision: "accept" }, actor(ANALYST));
  }
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

describe("the threat assessment in the browser", () => {
  it("an analyst opens an edition, sees the matrix, follows a figure to its items, overrides a score, publishes and downloads the STIX bundle", async () => {
    const context = await newContext(browser, { acceptDownloads: true });
    const page = await context.newPage();
    const problems = collectProblems(page);
    await signIn(page, portal.url, ANALYST);

    await page.getByRole("link", { name: "Assessment", exact: true }).click();
    await page.getByRole("link", { name: "New edition" }).click();
    await page.getByLabel("Title").fill("Browser edition, spring 2026");
    await page.getByLabel("Period from").fill("2026-01-01");
    await page.getByLabel("Period to").fill("2026-06-30");
    await page.getByLabel("Banking trojans, browser assessment").check();
    await submit(page, page.getByRole("button", { name: "Open the edition" }));
    await page.getByRole("heading", { level: 1, name: "Browser edition, spring 2026" }).waitFor();

    // The matrix is a picture with words, and a table behind it.
    const matrix = page.getByRole("img", { name: /Likelihood and impact/ });
    await matrix.waitFor();
    expect(await page.locator("figure").first().locator("table").count()).toBe(1);
    await expectAccessible(page, "the draft edition");

    // Every figure leads to the items behind it.
    await page.getByRole("link", { name: "Banking trojans", exact: true }).first().click();
    await page.getByRole("heading", { level: 1, name: "Items behind Banking trojans" }).waitFor();
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect(await page.locator("tbody").textContent()).toContain("Grandoreiro campaign against retail banking customers");
    await expectAccessible(page, "the items behind a figure");
    await page.goBack();

    await page.getByText("Set a crime area's score or trend by hand").click();
    await page.getByRole("combobox", { name: "Crime area", exact: true }).selectOption({ label: "Online fraud" });
    await page.getByLabel("Score (0 to 25)").fill("21");
    await page.getByLabel("Reason").fill("Our own sinkhole data shows ten times the reported volume.");
    await submit(page, page.getByRole("button", { name: "Set by hand" }));
    await page.getByText("Our own sinkhole data shows ten times the reported volume.").waitFor();
    const fraudRow = page.locator("tbody tr", { has: page.getByRole("rowheader", { name: "Online fraud" }) }).first();
    expect(await fraudRow.textContent()).toMatch(/21\.0 very high \(computed \d+\.\d\)/);

    // Publishing asks first, on a page that says what it freezes.
    await page.getByRole("link", { name: "Publish the edition…" }).click();
    await page.getByRole("heading", { level: 1, name: "Publish this edition?" }).waitFor();
    await expectAccessible(page, "the confirmation of publishing");
    await submit(page, page.getByRole("button", { name: "Publish and freeze the figures" }));
    await page.getByText("Published edition").waitFor();
    expect(await page.locator(".page-message").textContent()).toContain("The edition is published");
    await expectAccessible(page, "the published edition");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "STIX 2.1 bundle" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^taskforce-assessment-\d+\.stix\.json$/);
    const bundle = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { type: string; objects: { type: string; name?: string }[] };
    expect(bundle.type).toBe("bundle");
    expect(bundle.objects.filter((object) => object.type === "malware").map((object) => object.name)).toEqual(["Grandoreiro"]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("an analyst proposes a target from the items behind a name, with and without a rationale", async () => {
    const db = portal.db();
    const analyst = getAccount(db, db.select().from(users).where(eq(users.email, ANALYST)).get()!.id);
    const editionId = createEdition(
      db,
      analyst,
      editionFormSchema.parse({ title: "Browser edition, targets", periodFrom: "2026-01-01", periodTo: "2026-06-30", consultationIds: [String(consultationId)] }),
      { userId: analyst.id, origin: {} },
    );
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = collectProblems(page);
    await signIn(page, portal.url, ANALYST);
    await page.goto(`${portal.url}/assessments/${editionId}`);
    // The edition's page lists no item to tick: it says where to propose.
    expect(await page.locator('input[name="itemIds"]').count()).toBe(0);
    await page.getByRole("link", { name: "all the items of this edition" }).click();
    await page.getByRole("heading", { level: 1, name: "Items behind the whole edition" }).waitFor();
    await expectAccessible(page, "the items page with its proposal form");

    const form = page.locator("form", { has: page.getByRole("button", { name: "Propose" }) });
    await form.getByLabel("Name").fill("Grandoreiro operators");
    await form.getByLabel(/Grandoreiro campaign against retail banking customers \(Banking trojans/).check();
    await form.getByLabel("Rationale").fill("Too short.");
    await submit(page, page.getByRole("button", { name: "Propose" }), 400);
    // Refused at the field, with what was typed and ticked kept.
    await page.getByText("Give the rationale (at least 20 characters).").first().waitFor();
    expect(await form.getByLabel("Name").inputValue()).toBe("Grandoreiro operators");
    expect(await form.getByLabel(/Grandoreiro campaign against retail banking customers \(Banking trojans/).isChecked()).toBe(true);
    await expectAccessible(page, "the proposal form with an error");
    // The refused post is the one problem Chromium reports.
    expect(problems.splice(0)).toEqual([expect.stringMatching(/^console: Failed to load resource: the server responded with a status of 400 \(Bad Request\) \(http:\/\/[^/]+\/assessments\/\d+\/items\b/)]);

    await form.getByLabel("Rationale").fill("Both banks report the same Grandoreiro loader and overlays.");
    await submit(page, page.getByRole("button", { name: "Propose" }));
    await page.getByRole("heading", { level: 1, name: "Browser edition, targets" }).waitFor();
    expect(await page.locator(".page-message").textContent()).toContain("The target is proposed");
    await page.getByRole("heading", { level: 3, name: "Grandoreiro operators" }).waitFor();
    expect(await page.getByRole("link", { name: "1 supporting item" }).count()).toBe(1);
    expect(problems).toEqual([]);
    await context.close();
  });
});
