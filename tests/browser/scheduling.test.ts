import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectProblems, expectAccessible, launchChromium, newContext } from "../support/browser";
import { startPortal, type Portal } from "../support/portal";
import { addDays, clockText, dayText, nextEuWinterDate, todayUtc } from "../support/scheduling";
import { signIn, submit } from "./flows";

const COORDINATOR = "anna.visser@taskforce.example";
const ANDRES = { email: "andres.restrepo@bancocordillera.example", name: "Andrés Restrepo", locale: "es-CO" };
const CONSULTATION = "Banking trojans, browser round";
const MEETING = "Round table on banking trojans";
// Two slots on winter days in Vienna (UTC+1): 16:00 and 17:00 there are 10:00 and 11:00 in Bogota.
const W = nextEuWinterDate(40, 2);
const SLOT_A = { date: W, time: "16:00", bogota: "10:00", bogotaEnd: "11:00" };
const SLOT_B = { date: addDays(W, 1), time: "17:00", bogota: "11:00", bogotaEnd: "12:00" };

let portal: Portal;
let browser: Browser;
beforeAll(async () => {
  [portal, browser] = await Promise.all([startPortal(), launchChromium()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await portal?.stop();
});

/** "mar, 5 ene 2027, 10:00 a. m.–11:00 a. m. COT (America/Bogota)", as Andrés reads it. */
const inBogota = (slot: { date: string; bogota: string; bogotaEnd: string }) =>
  `${dayText(ANDRES.locale, slot.date)}, ${clockText(ANDRES.locale, slot.bogota)}–${clockText(ANDRES.locale, slot.bogotaEnd)} COT (America/Bogota)`;
const normalise = (text: string | null) => (text ?? "").replace(/\s+/g, " ").trim();

describe("scheduling a meeting in the browser", () => {
  it("coordinator proposes, a stakeholder in Bogota votes, the coordinator finalises, and the stakeholder sees it in Bogota time", async () => {
    const coordinatorContext = await newContext(browser);
    const coordinator = await coordinatorContext.newPage();
    const coordinatorProblems = collectProblems(coordinator);
    await signIn(coordinator, portal.url, COORDINATOR);

    // A consultation for Banco Cordillera, opened.
    await coordinator.goto(`${portal.url}/consultations/new`);
    await coordinator.getByLabel("Title").fill(CONSULTATION);
    await coordinator.getByLabel("Banking trojans").check();
    await coordinator.getByLabel("Date", { exact: true }).fill(addDays(todayUtc(), 60));
    await coordinator.getByLabel("Time", { exact: true }).fill("17:00");
    await coordinator.getByLabel("Time zone").selectOption("Europe/Vienna");
    await coordinator.getByLabel("Banco Cordillera S.A. (CO)").check();
    await submit(coordinator, coordinator.getByRole("button", { name: "Create draft" }));
    await coordinator.getByRole("heading", { level: 1, name: CONSULTATION }).waitFor();
    await submit(coordinator, coordinator.getByRole("button", { name: "Open and send invitations" }));
    await coordinator.getByRole("link", { name: "Propose a meeting" }).waitFor();
    await expectAccessible(coordinator, "the consultation page (coordinator)");

    // The meeting, proposed through the form.
    await coordinator.getByRole("link", { name: "Propose a meeting" }).click();
    await coordinator.getByRole("heading", { level: 1, name: "Propose a meeting" }).waitFor();
    await expectAccessible(coordinator, "the propose-meeting form");
    await coordinator.getByLabel("Title").fill(MEETING);
    await coordinator.getByLabel("Agenda").fill("Families seen this quarter; takedown options.");
    await coordinator.getByLabel("Length in minutes").fill("60");
    await coordinator.getByLabel("Video link").fill("https://video.taskforce.example/round-table");
    await coordinator.getByLabel("Time zone of the slots below").selectOption("Europe/Vienna");
    await coordinator.getByLabel("Slot 1 date").fill(SLOT_A.date);
    await coordinator.getByLabel("Slot 1 start").fill(SLOT_A.time);
    await coordinator.getByLabel("Slot 2 date").fill(SLOT_B.date);
    await coordinator.getByLabel("Slot 2 start").fill(SLOT_B.time);
    await submit(coordinator, coordinator.getByRole("button", { name: "Propose and ask invitees" }));
    await coordinator.getByRole("heading", { level: 1, name: MEETING }).waitFor();
    const meetingPath = new URL(coordinator.url()).pathname;
    expect(meetingPath).toMatch(/^\/meetings\/\d+$/);
    await expect.poll(() => coordinator.locator(".page-message").textContent()).toContain("The meeting is proposed");
    await expectAccessible(coordinator, "the meeting page (coordinator, poll open)");

    // Nobody has answered: no slot is put forward, and choosing one asks first, on a page of
    // its own, with and without JavaScript.
    expect(await coordinator.locator(".ranking input:checked").count()).toBe(0);
    await coordinator.locator(".ranking li").first().getByRole("radio").check();
    await coordinator.getByRole("button", { name: "Choose this slot…" }).click();
    await coordinator.getByRole("heading", { level: 1, name: "Settle the time before everyone has answered?" }).waitFor();
    expect(normalise(await coordinator.locator(".notice--warning").textContent())).toContain("1 of 1 invitee has not answered yet: Andrés Restrepo (Banco Cordillera S.A.).");
    await expectAccessible(coordinator, "the confirmation of finalising");
    await coordinator.getByRole("link", { name: "Back to the poll" }).click();
    await coordinator.getByRole("heading", { level: 1, name: MEETING }).waitFor();
    const plainContext = await newContext(browser, { javaScriptEnabled: false });
    const plain = await plainContext.newPage();
    await signIn(plain, portal.url, COORDINATOR);
    await plain.goto(`${portal.url}${meetingPath}`);
    await plain.locator(".ranking li").first().getByRole("radio").check();
    await plain.getByRole("button", { name: "Choose this slot…" }).click();
    await plain.getByRole("heading", { level: 1, name: "Settle the time before everyone has answered?" }).waitFor();
    expect(await plain.getByRole("button", { name: "Set this time and tell everyone" }).count()).toBe(1);
    await plainContext.close();

    // Andrés, in Bogota, finds the poll on his home page and answers it.
    const stakeholderContext = await newContext(browser);
    const stakeholder = await stakeholderContext.newPage();
    const stakeholderProblems = collectProblems(stakeholder);
    await signIn(stakeholder, portal.url, ANDRES.email);
    await stakeholder.getByRole("link", { name: MEETING }).click();
    await stakeholder.getByRole("heading", { level: 2, name: "When can you meet?" }).waitFor();
    expect(new URL(stakeholder.url()).pathname).toBe(meetingPath);
    await expectAccessible(stakeholder, "the meeting page (stakeholder, poll open)");
    const rowA = stakeholder.locator("tbody tr", { hasText: inBogota(SLOT_A) });
    const rowB = stakeholder.locator("tbody tr", { hasText: inBogota(SLOT_B) });
    await expect.poll(() => rowA.count(), { message: `a row reading ${inBogota(SLOT_A)}` }).toBe(1);
    await expect.poll(() => rowB.count(), { message: `a row reading ${inBogota(SLOT_B)}` }).toBe(1);
    await rowA.getByRole("radio", { name: "Yes" }).check();
    await rowB.getByRole("radio", { name: "No" }).check();
    await submit(stakeholder, stakeholder.getByRole("button", { name: "Save my answers" }));
    // Said in the page's status region, once: a reload shows the answers alone.
    await expect.poll(() => stakeholder.locator(".page-message").textContent()).toContain("Your answers are saved.");
    await stakeholder.reload();
    expect(await stakeholder.getByText("Your answers are saved.").count()).toBe(0);
    expect(await rowA.getByRole("radio", { name: "Yes" }).isChecked()).toBe(true);
    expect(await rowB.getByRole("radio", { name: "No" }).isChecked()).toBe(true);

    // The coordinator sees the answer, and chooses the slot Andrés can make.
    await coordinator.reload();
    const best = coordinator.locator(".ranking li").first();
    expect(normalise(await best.textContent())).toContain("1 yes, 0 if need be, 0 no");
    await best.getByRole("radio").check();
    await expectAccessible(coordinator, "the meeting page (coordinator, with answers)");
    await submit(coordinator, coordinator.getByRole("button", { name: "Choose this slot and tell everyone" }));
    await coordinator.getByRole("heading", { level: 3, name: "Answers to the invitation" }).waitFor();
    expect(await coordinator.locator(".page-message").textContent()).toContain("The time is set");
    expect(normalise(await coordinator.locator(".page-header .lead").textContent())).toBe(
      `${dayText("en-GB", SLOT_A.date)}, ${SLOT_A.time}–17:00 CET (Europe/Amsterdam)`,
    );
    await expectAccessible(coordinator, "the meeting page (coordinator, scheduled)");

    // Andrés's home page lists it under "Upcoming meetings", in his own zone.
    await stakeholder.goto(`${portal.url}/`);
    const upcoming = stakeholder.locator("section", { has: stakeholder.getByRole("heading", { level: 2, name: "Upcoming meetings" }) });
    const item = upcoming.locator("li", { has: stakeholder.getByRole("link", { name: MEETING }) });
    await expect.poll(() => item.count()).toBe(1);
    const when = normalise(await item.locator("time").textContent());
    expect(when).toBe(inBogota(SLOT_A));
    expect(when).toContain("America/Bogota");
    expect(await item.locator("time").getAttribute("datetime")).toBe(`${SLOT_A.date}T15:00:00.000Z`);
    // Nothing is waiting for his answer any more.
    expect(await upcoming.getByText("Polls waiting for your answer").count()).toBe(0);

    // His view of the scheduled meeting and of the consultation.
    await item.getByRole("link", { name: MEETING }).click();
    await stakeholder.getByRole("heading", { level: 2, name: "Will you attend?" }).waitFor();
    expect(normalise(await stakeholder.locator(".page-header .lead").textContent())).toBe(inBogota(SLOT_A));
    await expectAccessible(stakeholder, "the meeting page (stakeholder, scheduled)");
    await stakeholder.getByRole("link", { name: CONSULTATION }).click();
    await stakeholder.getByRole("heading", { level: 1, name: CONSULTATION }).waitFor();
    await expectAccessible(stakeholder, "the consultation page (stakeholder)");

    expect(coordinatorProblems).toEqual([]);
    expect(stakeholderProblems).toEqual([]);
    await coordinatorContext.close();
    await stakeholderContext.close();
  });
});
