import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consultationInvitees,
  consultationOrganisations,
  consultations,
  meetings,
  organisations,
  outbox,
  users,
} from "../../db/schema";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import {
  addDays,
  clockText,
  consultationForm,
  createConsultation,
  meetingForm,
  nextEuWinterDate,
  offsetMinutes,
  openConsultation,
  rowCount,
  todayUtc,
  utcOf,
} from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { linkIn, startSmtpServer, type ReceivedMail } from "../support/smtp";
import { attr, checkedValues, mainText, selectedValue, sleep, tableRows, tagWithId, textOfId, withoutReference } from "./html";

const COORDINATOR = "anna.visser@taskforce.example";
const KATHARINA = "katharina.huber@donau-privatbank.example"; // Donau Privatbank, Europe/Vienna
const ANDRES = "andres.restrepo@bancocordillera.example"; // Banco Cordillera, America/Bogota
const OLIVIA = "olivia.tremblay@northernmaple.example"; // Northern Maple Bank, America/Toronto
const ETIENNE = "etienne.gagnon@northernmaple.example"; // Northern Maple Bank, deactivated below
const DANIEL = "daniel.brooks@prairiebroadband.example"; // Prairie Broadband: never invited
const INVITED = ["Donau Privatbank AG", "Northern Maple Bank", "Banco Cordillera S.A."];

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
let katharina: Visitor;
let andres: Visitor;
let daniel: Visitor;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  coordinator = await signIn(portal, smtp, COORDINATOR);
  katharina = await signIn(portal, smtp, KATHARINA);
  andres = await signIn(portal, smtp, ANDRES);
  daniel = await signIn(portal, smtp, DANIEL);
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const organisationId = (name: string) => {
  const row = portal.db().select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name)).get();
  if (!row) throw new Error(`no demo organisation ${name}`);
  return row.id;
};
const user = (email: string) => {
  const row = portal.db().select().from(users).where(eq(users.email, email)).get();
  if (!row) throw new Error(`no demo user ${email}`);
  return row;
};
const consultation = (id: number) => portal.db().select().from(consultations).where(eq(consultations.id, id)).get()!;
const invitationsFor = (title: string) => smtp.received.filter((mail) => mail.subject === `Invitation: ${title}`);
const recipients = (mails: ReceivedMail[]) => mails.flatMap((mail) => mail.envelopeTo).map((to) => to.toLowerCase()).sort();

/** Titles in the /consultations table the visitor sees. */
async function listedTitles(visitor: Visitor): Promise<string[]> {
  const response = await visitor.get("/consultations");
  expect(response.status).toBe(200);
  return tableRows(await response.text()).map((row) => row[0]!);
}

/** The field's control is marked invalid and described by its message, which says `message`. */
function expectFieldError(html: string, field: string, message: string) {
  const control = tagWithId(html, field);
  expect(control, `control #${field}`).toBeDefined();
  expect(attr(control, "aria-invalid"), `#${field} aria-invalid`).toBe("true");
  expect(attr(control, "aria-describedby") ?? "", `#${field} aria-describedby`).toContain(`${field}-error`);
  expect(textOfId(html, `${field}-error`)).toContain(message);
  expect(mainText(html)).toContain("Please correct the field marked below.");
}

// The round the first tests build and open; its deadline falls in Vienna's winter (UTC+1).
const TITLE = "Banking trojans, winter round";
const DEADLINE_DATE = nextEuWinterDate(40, 1);
let consultationId: number;

describe("a consultation for three organisations", () => {
  it("starts as a draft that no stakeholder can see, not even of a chosen organisation", async () => {
    const organisationIds = INVITED.map((name) => String(organisationId(name)));
    consultationId = await createConsultation(
      coordinator,
      consultationForm({ title: TITLE, deadlineDate: DEADLINE_DATE, deadlineTime: "17:00", deadlineTimeZone: "Europe/Vienna", organisationIds }),
    );
    const row = consultation(consultationId);
    expect(row).toMatchObject({
      title: TITLE,
      status: "draft",
      crimeAreas: ["banking_trojans", "online_fraud"],
      deadlineTimeZone: "Europe/Vienna",
      coordinatorUserId: user(COORDINATOR).id,
    });
    // 17:00 in Vienna's winter is 16:00 UTC.
    expect(row.inputDeadline.toISOString()).toBe(`${DEADLINE_DATE}T16:00:00.000Z`);
    const chosen = portal
      .db()
      .select({ id: consultationOrganisations.organisationId })
      .from(consultationOrganisations)
      .where(eq(consultationOrganisations.consultationId, consultationId))
      .all()
      .map((chosenRow) => chosenRow.id)
      .sort((a, b) => a - b);
    expect(chosen).toEqual(organisationIds.map(Number).sort((a, b) => a - b));

    // Nobody is invited yet, and Katharina's organisation is chosen: still nothing for her.
    expect(portal.db().select().from(outbox).where(eq(outbox.template, "consultation-invitation")).all()).toEqual([]);
    const page = await katharina.get(`/consultations/${consultationId}`);
    expect(page.status).toBe(404);
    expect(mainText(await page.text())).not.toContain(TITLE);
    expect(await listedTitles(katharina)).not.toContain(TITLE);
    expect(
      portal.db().select().from(consultationInvitees).where(eq(consultationInvitees.userId, user(KATHARINA).id)).all(),
    ).toEqual([]);
  });

  it("on opening, mails an invitation with a link to every active member of the three organisations, and to nobody else", async () => {
    // Étienne left Northern Maple Bank: his account is deactivated before the round opens.
    portal.db().update(users).set({ active: false }).where(eq(users.email, ETIENNE)).run();
    const expected = portal
      .db()
      .select({ email: users.email })
      .from(users)
      .where(and(inArray(users.organisationId, INVITED.map(organisationId)), eq(users.active, true)))
      .all()
      .map((row) => row.email.toLowerCase())
      .sort();
    expect(expected).toEqual([ANDRES, KATHARINA, OLIVIA].sort());

    await openConsultation(coordinator, consultationId);
    expect(consultation(consultationId).status).toBe("open");

    const deadline = Date.now() + 10_000;
    while (invitationsFor(TITLE).length < expected.length && Date.now() < deadline) await sleep(50);
    await sleep(500); // anything more would have arrived by now (the worker polls every 100 ms)
    const mails = invitationsFor(TITLE);
    expect(recipients(mails)).toEqual(expected);
    expect(recipients(mails)).not.toContain(ETIENNE);
    expect(
      portal.db().select().from(outbox).where(eq(outbox.template, "consultation-invitation")).all().map((row) => row.toAddress.toLowerCase()).sort(),
    ).toEqual(expected);

    for (const mail of mails) {
      const person = user(mail.envelopeTo[0]!);
      expect(mail.text).toContain(`Hello ${person.name},`);
      expect(linkIn(mail, `/consultations/${consultationId}`)).toBe(`${portal.url}/consultations/${consultationId}`);
    }
    // Each invitation gives the deadline in the invitee's own zone: 16:00 UTC is 11:00 in Bogota.
    const toAndres = mails.find((mail) => mail.envelopeTo.includes(ANDRES))!;
    expect(toAndres.text).toContain(`${clockText("es-CO", "11:00")} COT (America/Bogota)`);
    const toKatharina = mails.find((mail) => mail.envelopeTo.includes(KATHARINA))!;
    expect(toKatharina.text).toContain("17:00 MEZ (Europe/Vienna)");
  });

  it("shows the coordinator who has viewed it once a member opens the link", async () => {
    const mail = invitationsFor(TITLE).find((candidate) => candidate.envelopeTo.includes(ANDRES))!;
    const link = new URL(linkIn(mail, `/consultations/${consultationId}`));
    const page = await andres.get(link.pathname);
    expect(page.status).toBe(200);
    const text = mainText(await page.text());
    expect(text).toContain(TITLE);
    expect(text).toContain("Banking trojans");
    expect(await listedTitles(andres)).toContain(TITLE);

    const coordinatorPage = await coordinator.get(`/consultations/${consultationId}`);
    expect(coordinatorPage.status).toBe(200);
    const states = new Map(tableRows(await coordinatorPage.text()).map((row) => [row[0], row[2]]));
    expect(Object.fromEntries(states)).toEqual({
      "Andrés Restrepo": "Viewed",
      "Katharina Huber": "Invited",
      "Olivia Tremblay": "Invited",
    });
  });

  it("is open to members of the invited organisations, and a stranger to a fourth organisation's member (404, not listed)", async () => {
    const page = await katharina.get(`/consultations/${consultationId}`);
    expect(page.status).toBe(200);
    expect(mainText(await page.text())).toContain(TITLE);
    expect(await listedTitles(katharina)).toEqual([TITLE]);

    const refused = await daniel.get(`/consultations/${consultationId}`);
    expect(refused.status).toBe(404);
    const refusedText = mainText(await refused.text());
    expect(refusedText).not.toContain(TITLE);
    // Exactly what a consultation that does not exist answers: its existence is not given away.
    const missing = await daniel.get(`/consultations/${consultationId + 1000}`);
    expect(missing.status).toBe(404);
    expect(withoutReference(mainText(await missing.text()))).toBe(withoutReference(refusedText));
    expect(await listedTitles(daniel)).toEqual([]);
    expect(
      portal.db().select().from(consultationInvitees).where(eq(consultationInvitees.userId, user(DANIEL).id)).all(),
    ).toEqual([]);

    const coordinatorPage = await coordinator.get(`/consultations/${consultationId}`);
    const states = new Map(tableRows(await coordinatorPage.text()).map((row) => [row[0], row[2]]));
    expect(states.get("Katharina Huber")).toBe("Viewed");
    expect(states.get("Olivia Tremblay")).toBe("Invited");
    expect(states.has("Daniel Brooks")).toBe(false);
  });
});

describe("bad input to the new-consultation form", () => {
  const counts = () => ({
    consultations: rowCount(portal, consultations),
    organisations: rowCount(portal, consultationOrganisations),
    invitees: rowCount(portal, consultationInvitees),
  });
  const chosen = () => [String(organisationId("Donau Privatbank AG")), String(organisationId("Banco Cordillera S.A."))];

  it("refuses a deadline in the past at its field, keeps what was typed, and writes nothing", async () => {
    const before = counts();
    const yesterday = addDays(todayUtc(), -1);
    const response = await coordinator.post(
      "/consultations/new",
      consultationForm({ title: "Too late a round", deadlineDate: yesterday, deadlineTime: "09:30", organisationIds: chosen() }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expectFieldError(html, "deadlineDate", "The input deadline must be in the future.");
    expect(attr(tagWithId(html, "title"), "value")).toBe("Too late a round");
    expect(attr(tagWithId(html, "deadlineDate"), "value")).toBe(yesterday);
    expect(attr(tagWithId(html, "deadlineTime"), "value")).toBe("09:30");
    expect(selectedValue(html, "deadlineTimeZone")).toBe("Europe/Vienna");
    expect(checkedValues(html, "crimeAreas")).toEqual(["online_fraud", "banking_trojans"]);
    expect(checkedValues(html, "organisationIds").sort()).toEqual(chosen().sort());
    expect(attr(tagWithId(html, "title"), "aria-invalid")).toBeUndefined();
    expect(counts()).toEqual(before);
  });

  it("refuses an unknown time zone at its field, keeps what was typed, and writes nothing", async () => {
    const before = counts();
    const date = addDays(todayUtc(), 50);
    const response = await coordinator.post(
      "/consultations/new",
      consultationForm({ title: "Round on Mars", deadlineDate: date, deadlineTimeZone: "Mars/Olympus_Mons", organisationIds: chosen() }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    expectFieldError(html, "deadlineTimeZone", "Choose a time zone from the list, like Europe/Vienna.");
    expect(attr(tagWithId(html, "title"), "value")).toBe("Round on Mars");
    expect(attr(tagWithId(html, "deadlineDate"), "value")).toBe(date);
    expect(attr(tagWithId(html, "deadlineTime"), "value")).toBe("17:00");
    expect(checkedValues(html, "crimeAreas")).toEqual(["online_fraud", "banking_trojans"]);
    expect(checkedValues(html, "organisationIds").sort()).toEqual(chosen().sort());
    expect(counts()).toEqual(before);
  });

  it("refuses a consultation without a crime area at the crime-area group, keeps what was typed, and writes nothing", async () => {
    const before = counts();
    const date = addDays(todayUtc(), 50);
    const response = await coordinator.post(
      "/consultations/new",
      consultationForm({ title: "A round about nothing", crimeAreas: [], deadlineDate: date, deadlineTimeZone: "America/Bogota", organisationIds: chosen() }),
    );
    expect(response.status).toBe(400);
    const html = await response.text();
    // A checkbox group is a fieldset described by its message; each box is marked invalid.
    const fieldset = html.match(/<fieldset\b[^>]*aria-describedby="crimeAreas-error"[^>]*>/)?.[0];
    expect(fieldset, "the crime-area fieldset points at its message").toBeDefined();
    const boxes = (html.match(/<input\b[^>]*>/g) ?? []).filter((tag) => attr(tag, "name") === "crimeAreas");
    expect(boxes.length).toBeGreaterThan(5);
    expect(boxes.every((box) => attr(box, "aria-invalid") === "true")).toBe(true);
    expect(textOfId(html, "crimeAreas-error")).toBe("Choose at least one crime area.");
    expect(mainText(html)).toContain("Please correct the field marked below.");
    expect(attr(tagWithId(html, "title"), "value")).toBe("A round about nothing");
    expect(attr(tagWithId(html, "deadlineDate"), "value")).toBe(date);
    expect(selectedValue(html, "deadlineTimeZone")).toBe("America/Bogota");
    expect(checkedValues(html, "crimeAreas")).toEqual([]);
    expect(checkedValues(html, "organisationIds").sort()).toEqual(chosen().sort());
    expect(counts()).toEqual(before);
  });

  it("answers a stakeholder's POST with 403 and writes nothing", async () => {
    const before = counts();
    const response = await katharina.post(
      "/consultations/new",
      consultationForm({ title: "A stakeholder's own round", organisationIds: chosen() }),
    );
    expect(response.status).toBe(403);
    expect(mainText(await response.text())).toContain("You do not have access to this page");
    expect(counts()).toEqual(before);
    const form = await katharina.get("/consultations/new");
    expect(form.status).toBe(403);
    await form.text();
  });
});

describe("closing a consultation", () => {
  it("marks it Closed for everyone, and no meeting can be proposed any more", async () => {
    const response = await coordinator.post(`/consultations/${consultationId}`, { intent: "close" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`/consultations/${consultationId}`);
    await response.text();
    const row = consultation(consultationId);
    expect(row.status).toBe("closed");
    expect(row.closedAt).toBeInstanceOf(Date);

    const page = await coordinator.get(`/consultations/${consultationId}`);
    const html = await page.text();
    expect(mainText(html)).toMatch(/^The consultation is closed: its input can no longer be changed\. Consultation · Closed\b/);
    expect(mainText(html)).not.toContain("Propose a meeting");
    expect(mainText(html)).not.toContain("Close (stop new input)");

    // Invitees still see it, closed.
    const theirs = await andres.get(`/consultations/${consultationId}`);
    expect(theirs.status).toBe(200);
    expect(mainText(await theirs.text())).toMatch(/^Consultation · Closed\b/);
    const listed = await andres.get("/consultations");
    const listedRow = tableRows(await listed.text()).find((cells) => cells[0] === TITLE);
    expect(listedRow?.[3]).toBe("Closed");

    // Closing twice, or proposing a meeting now, is refused with a message, and nothing is written.
    const again = await coordinator.post(`/consultations/${consultationId}`, { intent: "close" });
    expect(again.status).toBe(409);
    expect(mainText(await again.text())).toContain("Only an open consultation can be closed.");
    const meetingsBefore = rowCount(portal, meetings);
    const slotDate = addDays(DEADLINE_DATE, 1);
    const proposed = await coordinator.post(
      `/consultations/${consultationId}/meetings/new`,
      meetingForm([{ date: slotDate, time: "16:00" }]),
    );
    expect(proposed.status).toBe(409);
    expect(mainText(await proposed.text())).toContain("Meetings can be proposed while the consultation is open.");
    expect(rowCount(portal, meetings)).toBe(meetingsBefore);
    // The deadline's instant is still the one entered (the oracle agrees with the stored UTC).
    expect(consultation(consultationId).inputDeadline.getTime()).toBe(
      utcOf(DEADLINE_DATE, "17:00", offsetMinutes(new Date(`${DEADLINE_DATE}T12:00:00Z`), "Europe/Vienna")).getTime(),
    );
  });
});
