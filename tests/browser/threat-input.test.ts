import { eq } from "drizzle-orm";
import type { Browser, Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organisations, threatInputs, users } from "../../db/schema";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { collectProblems, expectAccessible, launchChromium, newContext } from "../support/browser";
import { startPortal, type Portal } from "../support/portal";
import { addDays, todayUtc } from "../support/scheduling";
import { signIn, submit } from "./flows";

const COORDINATOR = "anna.visser@taskforce.example";
const ANALYST = "thomas.keller@taskforce.example";
const KATHARINA = "katharina.huber@donau-privatbank.example";
const CONSULTATION = "Banking trojans and fraud, browser round";

let portal: Portal;
let browser: Browser;
let consultationId: number;

beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchChromium()]);
  // The coordinator's part is tested elsewhere: here the consultation is set up through its module.
  const db = portal.db();
  const coordinator = { userId: db.select().from(users).where(eq(users.email, COORDINATOR)).get()!.id, origin: {}, appUrl: portal.url };
  const donau = db.select().from(organisations).where(eq(organisations.name, "Donau Privatbank AG")).get()!;
  consultationId = createConsultation(
    db,
    consultationFormSchema.parse({
      title: CONSULTATION,
      crimeAreas: ["banking_trojans", "online_fraud"],
      deadlineDate: addDays(todayUtc(), 30),
      deadlineTime: "17:00",
      deadlineTimeZone: "Europe/Vienna",
      organisationIds: [String(donau.id)],
    }),
    coordinator,
  );
  openConsultation(db, consultationId, coordinator);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** Fills one item the way a person would, leaving out what `skip` names. */
async function fillItem(item: Locator, fields: { area: string; title: string; indicators: string; impact?: string }) {
  await item.getByLabel("Crime area").selectOption({ label: fields.area });
  await item.getByLabel("Title").fill(fields.title);
  await item.getByLabel("Observed from").fill("2026-09-01");
  await item.getByRole("radio", { name: "Increasing" }).check();
  if (fields.impact) await item.getByRole("radio", { name: new RegExp(`^${fields.impact}`) }).check();
  await item.getByRole("radio", { name: /^4 · Likely/ }).check();
  await item.getByLabel("Affected countries").fill("AT, DE");
  await item.getByLabel("Indicators").fill(fields.indicators);
  await item.getByRole("radio", { name: /^2 · Probably true/ }).check();
  await item.getByLabel("Narrative").fill(`What our fraud desk saw: ${fields.title}.`);
}

describe("threat input in the browser", () => {
  it("a stakeholder fills two items with pasted indicators, corrects a field error, submits, and the analyst accepts it", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = collectProblems(page);
    await signIn(page, portal.url, KATHARINA);

    await page.goto(`${portal.url}/consultations/${consultationId}`);
    await page.getByRole("link", { name: "Give your input" }).click();
    await page.getByRole("heading", { level: 1, name: "Threat input" }).waitFor();
    await expectAccessible(page, "the empty input form");

    const first = page.locator('[id="item-1"]');
    await fillItem(first, {
      area: "Banking trojans",
      title: "Grandoreiro overlays on our mobile banking app",
      impact: "4 · Major",
      indicators: "hxxps://donau-secure[.]example/login\n185.220.101.47\n185.220.101.47\n999.1.1.1",
    });
    // The paste is checked while typing, with the server's own rules.
    await expect.poll(() => first.locator(".indicator-report").textContent()).toMatch(/2 indicators recognised.*1 duplicate line/);
    await expect.poll(() => first.locator(".rejected-lines").textContent()).toMatch(/Line 4: 999\.1\.1\.1/);
    await first.getByLabel("Indicators").fill("hxxps://donau-secure[.]example/login\n185.220.101.47");
    // A few seconds after the typing stops, the draft is on the server.
    await page.getByText(/^Draft saved at /).waitFor();
    const draft = portal.db().select().from(threatInputs).where(eq(threatInputs.consultationId, consultationId)).get()!;
    expect(draft.draft!["items.0.title"]).toBe("Grandoreiro overlays on our mobile banking app");

    await submit(page, page.getByRole("button", { name: "Add another item" }));
    const second = page.locator('[id="item-2"]');
    await second.waitFor();
    // The first item came back as it was typed.
    await expect.poll(() => first.getByLabel("Title").inputValue()).toBe("Grandoreiro overlays on our mobile banking app");
    await fillItem(second, {
      area: "Online fraud",
      title: "CEO fraud against corporate treasury",
      indicators: "ceo-office@donau-privatbank-example.com\ninvoice_update.pdf.exe",
    });

    await submit(page, page.getByRole("button", { name: "Submit input" }), 400);
    const impactError = page.locator('[id="items.1.impact-error"]');
    await impactError.waitFor();
    // Chromium logs the refused post itself; that one is expected, and nothing else.
    await expect.poll(() => problems.length).toBe(1);
    expect(problems.splice(0)).toEqual([expect.stringMatching(/^console: Failed to load resource: the server responded with a status of 400 \(Bad Request\) \(http:\/\/[^/]+\/consultations\/\d+\/input\b/)]);
    expect(await impactError.textContent()).toContain("Choose the impact, 1 to 5.");
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("Please correct the field marked below.");
    // Nothing typed was lost.
    expect(await second.getByLabel("Title").inputValue()).toBe("CEO fraud against corporate treasury");
    expect(await first.getByLabel("Indicators").inputValue()).toContain("185.220.101.47");
    await expectAccessible(page, "the form with a field error");

    await second.getByRole("radio", { name: /^3 · Moderate/ }).check();
    await submit(page, page.getByRole("button", { name: "Submit input" }));
    await page.getByText("Version 1 is submitted.").waitFor();
    expect(await page.getByRole("heading", { level: 3 }).allTextContents()).toEqual([
      "Grandoreiro overlays on our mobile banking app",
      "CEO fraud against corporate treasury",
    ]);
    await expectAccessible(page, "the submitted input");
    expect(problems).toEqual([]);

    // The analyst finds it in the triage queue and accepts it.
    const analystContext = await newContext(browser);
    const analyst = await analystContext.newPage();
    const analystProblems = collectProblems(analyst);
    await signIn(analyst, portal.url, ANALYST);
    await analyst.getByRole("link", { name: "Triage", exact: true }).click();
    const row = analyst.locator("tbody tr", { hasText: "Donau Privatbank AG" });
    await row.waitFor();
    expect(await row.textContent()).toContain("New");
    await expectAccessible(analyst, "the triage queue");
    await row.getByRole("link", { name: "Donau Privatbank AG" }).click();
    await analyst.getByRole("heading", { level: 1, name: "Donau Privatbank AG" }).waitFor();
    await submit(analyst, analyst.getByRole("button", { name: "Accept" }));
    await expect.poll(() => analyst.locator(".page-header").textContent()).toContain("Accepted");
    expect(await analyst.locator(".page-message").textContent()).toContain("The input is accepted");
    const stored = portal.db().select().from(threatInputs).where(eq(threatInputs.consultationId, consultationId)).get()!;
    expect(stored.triageState).toBe("accepted");
    // A question sent leaves an empty box behind it, and says it went.
    const question = analyst.getByLabel("Ask the organisation a question");
    await question.fill("Which app versions does the overlay target?");
    await submit(analyst, analyst.getByRole("button", { name: "Send the question" }));
    await expect.poll(() => analyst.locator(".page-message").textContent()).toContain("Your question is sent.");
    await expect.poll(() => question.inputValue()).toBe("");
    expect(await analyst.getByText("Which app versions does the overlay target?").count()).toBeGreaterThan(0);
    await expectAccessible(analyst, "the input with a question sent");
    expect(analystProblems).toEqual([]);
    await context.close();
    await analystContext.close();
  });
});
