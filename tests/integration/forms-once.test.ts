import { and, count, desc, eq, inArray } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assessmentEditions,
  auditEvents,
  consultations,
  meetingActionItems,
  meetings,
  meetingSlots,
  organisations,
  outbox,
  targetProposals,
  threatInputItems,
  threatInputMessages,
  threatInputs,
  threatInputVersions,
  users,
} from "../../db/schema";
import { newKey, type Visitor } from "../support/http";
import { broadcastsSettled, startPortal, type Portal } from "../support/portal";
import { addDays, consultationForm, meetingForm, nextEuWinterDate } from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer, type ReceivedMail } from "../support/smtp";
import { itemFields } from "../support/threat-input";
import { mainText } from "./html";

// Every form that creates or sends something, over the real server, SMTP server and SQLite
// file: twenty posts at once with one key make one change and one set of mails, each answered
// with the same redirect; a repeat later gets it again; the same key with other content gets
// 409; a post without a key gets a 400 that says to reload the page. The forms run in the
// order a round takes, each on what the ones before made.

const PEOPLE = {
  anna: "anna.visser@taskforce.example", // coordinator
  thomas: "thomas.keller@taskforce.example", // analyst
  elena: "elena.conti@taskforce.example", // admin
  katharina: "katharina.huber@donau-privatbank.example", // Donau Privatbank
  giulia: "giulia.rossi@vigilanzadigitale.example", // Vigilanza Digitale, invited by the edit
  andres: "andres.restrepo@bancocordillera.example", // Banco Cordillera
} as const;
type Person = keyof typeof PEOPLE;

const AT_ONCE = 20;
const OTHER_CONTENT = "This form was already submitted, with other content. Reload the page to send your changes as a new request.";
const MISSING_KEY = "This form is missing its one-time key. Reload the page and send it again.";

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const visitors = {} as Record<Person, Visitor>;
const made = {} as { consultation: number; meeting: number; input: number; edition: number };
const tally = { forms: 0, posts: 0, mails: 0 };

const db = () => portal.db();
const rows = (table: SQLiteTable) => db().select({ n: count() }).from(table).get()!.n;
const audited = (action: string) => db().select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, action)).get()!.n;
const sent = () => db().select({ n: count() }).from(outbox).where(eq(outbox.status, "sent")).get()!.n;
const organisationId = (name: string) => db().select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name)).get()!.id;
const slotIds = () => db().select({ id: meetingSlots.id }).from(meetingSlots).where(eq(meetingSlots.meetingId, made.meeting)).all().map((slot) => slot.id);
const inputOf = (organisation: string) =>
  db()
    .select()
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, made.consultation), eq(threatInputs.organisationId, organisationId(organisation))))
    .get()!;

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  for (const person of Object.keys(PEOPLE) as Person[]) visitors[person] = await signIn(portal, smtp, PEOPLE[person]);
}, 120_000);
afterAll(async () => {
  console.info(`forms sent once: ${tally.forms} forms, ${tally.posts} posts, ${tally.mails} mails (one set per form)`);
  await portal?.stop();
  await smtp?.close();
});

/** Mail to many people is composed off the request, by the broadcast worker, then sent. */
async function outboxDrained() {
  await broadcastsSettled(portal);
  const deadline = Date.now() + 20_000;
  while (db().select({ n: count() }).from(outbox).where(eq(outbox.status, "pending")).get()!.n > 0) {
    if (Date.now() > deadline) throw new Error("the outbox did not drain");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Form = Record<string, string | string[]>;
type Case = {
  who: Person;
  path: string;
  form: Form;
  /** The same form with something else in it. */
  other: Form;
  /** What one post of the form makes: rows of a table, or entries of the audit log. */
  change: () => number;
  location: RegExp;
  status?: number;
  mails: boolean;
};

/**
 * Sends the form twenty times at once with one key, then once more, then with other content
 * under the same key, then without a key, and checks each answer and what was written and sent.
 */
async function sendOnce(form: Case): Promise<string> {
  const visitor = visitors[form.who];
  const keyed = { ...form.form, submitKey: newKey() };
  await outboxDrained();
  const before = { change: form.change(), outbox: rows(outbox), sent: sent(), received: smtp.received.length };

  const answers = await Promise.all(Array.from({ length: AT_ONCE }, () => visitor.post(form.path, keyed)));
  const bodies = await Promise.all(answers.map((answer) => answer.text()));
  const first = `${answers[0]!.status} ${answers[0]!.headers.get("Location")}`;
  expect(answers[0]!.status, bodies[0]!.includes("<main") ? mainText(bodies[0]!) : bodies[0]).toBe(form.status ?? 302);
  expect(answers[0]!.headers.get("Location")).toMatch(form.location);
  expect(new Set(answers.map((answer) => `${answer.status} ${answer.headers.get("Location")}`))).toEqual(new Set([first]));
  expect(form.change() - before.change, "what twenty posts made").toBe(1);

  // One set of mails: every message written is sent once, and nobody gets the same one twice.
  await outboxDrained();
  const written = rows(outbox) - before.outbox;
  const delivered = sent() - before.sent;
  const received: ReceivedMail[] = smtp.received.slice(before.received);
  expect(received).toHaveLength(delivered);
  if (form.mails) expect(delivered).toBeGreaterThan(0);
  else expect(written).toBe(0);
  const each = received.map((mail) => `${mail.envelopeTo.join(",")}: ${mail.subject}`);
  expect(each.length, each.join("\n")).toBe(new Set(each).size);

  // Later, the same post again (a resend): the same answer, nothing more.
  const again = await visitor.post(form.path, keyed);
  await again.text();
  expect(`${again.status} ${again.headers.get("Location")}`).toBe(first);

  // The same key with other content: refused, with a message that says what to do.
  const other = await visitor.post(form.path, { ...form.other, submitKey: keyed.submitKey });
  expect(other.status).toBe(409);
  expect(mainText(await other.text())).toContain(OTHER_CONTENT);

  // No key at all: a message for the whole form, never a 500.
  const bare = await visitor.postWithoutKey(form.path, form.form);
  expect(bare.status).toBe(400);
  expect(mainText(await bare.text())).toContain(MISSING_KEY);

  await outboxDrained();
  expect(form.change() - before.change, "what the repeats made").toBe(1);
  expect(rows(outbox) - before.outbox, "mail the repeats wrote").toBe(written);
  expect(smtp.received.length - before.received, "mail the repeats sent").toBe(delivered);
  tally.forms += 1;
  tally.posts += AT_ONCE + 3;
  tally.mails += delivered;
  return answers[0]!.headers.get("Location")!;
}

const idIn = (location: string) => Number(/\/(\d+)(?:$|\?)/.exec(location)![1]);

describe("a consultation round, every form sent twenty times at once", () => {
  it("creates one consultation", async () => {
    const form = consultationForm({
      title: "Forms sent once",
      organisationIds: [String(organisationId("Donau Privatbank AG")), String(organisationId("Banco Cordillera S.A."))],
    });
    const location = await sendOnce({
      who: "anna",
      path: "/consultations/new",
      form,
      other: { ...form, title: "Forms sent once, another title" },
      change: () => rows(consultations),
      location: /^\/consultations\/\d+$/,
      mails: false,
    });
    made.consultation = idIn(location);
  });

  it("opens it, sending one set of invitations", async () => {
    await sendOnce({
      who: "anna",
      path: `/consultations/${made.consultation}`,
      form: { intent: "open" },
      other: { intent: "open", note: "something else" },
      change: () => audited("consultation.opened"),
      location: new RegExp(`^/consultations/${made.consultation}$`),
      mails: true,
    });
  });

  it("saves an edit that invites another organisation, inviting its people once", async () => {
    const organisationIds = ["Donau Privatbank AG", "Banco Cordillera S.A.", "Vigilanza Digitale S.p.A."].map((name) => String(organisationId(name)));
    const form = consultationForm({ title: "Forms sent once", organisationIds });
    await sendOnce({
      who: "anna",
      path: `/consultations/${made.consultation}/edit`,
      form,
      other: { ...form, description: "Another description" },
      change: () => audited("consultation.updated"),
      location: new RegExp(`^/consultations/${made.consultation}$`),
      mails: true,
    });
  });

  it("proposes one meeting, with one poll mail to each invitee", async () => {
    const day = nextEuWinterDate();
    const form = meetingForm([
      { date: day, time: "16:00" },
      { date: addDays(day, 1), time: "10:00" },
    ]);
    const location = await sendOnce({
      who: "anna",
      path: `/consultations/${made.consultation}/meetings/new`,
      form,
      other: { ...form, title: "Another meeting" },
      change: () => rows(meetings),
      location: /^\/meetings\/\d+$/,
      mails: true,
    });
    made.meeting = idIn(location);
  });

  it("reminds the silent invitees once", async () => {
    await sendOnce({
      who: "anna",
      path: `/meetings/${made.meeting}`,
      form: { intent: "remind" },
      other: { intent: "remind", note: "again" },
      change: () => audited("meeting.reminded"),
      location: new RegExp(`^/meetings/${made.meeting}$`),
      mails: true,
    });
  });

  it("finalises once, sending one invitation each", async () => {
    const [first, second] = slotIds();
    await sendOnce({
      who: "anna",
      path: `/meetings/${made.meeting}`,
      form: { intent: "finalise", slotId: String(first), confirmed: "yes" },
      other: { intent: "finalise", slotId: String(second), confirmed: "yes" },
      change: () => audited("meeting.finalised"),
      location: new RegExp(`^/meetings/${made.meeting}$`),
      mails: true,
    });
  });

  it("moves the meeting once, sending one update each", async () => {
    const date = addDays(nextEuWinterDate(), 2);
    const form = { intent: "reschedule", date, time: "15:00", timeZone: "Europe/Vienna" };
    await sendOnce({
      who: "anna",
      path: `/meetings/${made.meeting}`,
      form,
      other: { ...form, time: "15:30" },
      change: () => audited("meeting.rescheduled"),
      location: new RegExp(`^/meetings/${made.meeting}$`),
      mails: true,
    });
  });

  it("adds one action item", async () => {
    const form = { intent: "action-item", title: "Send the dropper hashes to the CERTs", ownerUserId: "", dueOn: "" };
    await sendOnce({
      who: "anna",
      path: `/meetings/${made.meeting}`,
      form,
      other: { ...form, title: "Something else to do" },
      change: () => rows(meetingActionItems),
      location: new RegExp(`^/meetings/${made.meeting}$`),
      mails: false,
    });
  });

  it("cancels the meeting once, sending one cancellation each", async () => {
    await sendOnce({
      who: "anna",
      path: `/meetings/${made.meeting}`,
      form: { intent: "cancel" },
      other: { intent: "cancel", note: "for good" },
      change: () => audited("meeting.cancelled"),
      location: new RegExp(`^/meetings/${made.meeting}$`),
      mails: true,
    });
  });

  it("submits one version of a threat input, telling the analysts once", async () => {
    const form = { ...itemFields(0), intent: "submit" };
    const location = await sendOnce({
      who: "katharina",
      path: `/consultations/${made.consultation}/input`,
      form,
      other: { ...form, "items.0.title": "Another title" },
      change: () => rows(threatInputVersions),
      location: /^\/inputs\/\d+$/,
      status: 303,
      mails: true,
    });
    made.input = idIn(location);
  });

  it("sends an analyst's question once, and the organisation's answer once", async () => {
    await sendOnce({
      who: "thomas",
      path: `/inputs/${made.input}`,
      form: { intent: "ask", body: "Which banks saw the overlay first?" },
      other: { intent: "ask", body: "Another question" },
      change: () => rows(threatInputMessages),
      location: new RegExp(`^/inputs/${made.input}$`),
      mails: true,
    });
    await sendOnce({
      who: "katharina",
      path: `/inputs/${made.input}`,
      form: { intent: "answer", body: "Our Vienna branches, in January." },
      other: { intent: "answer", body: "Another answer" },
      change: () => rows(threatInputMessages),
      location: new RegExp(`^/inputs/${made.input}$`),
      mails: true,
    });
  });

  it("withdraws an input once", async () => {
    const path = `/consultations/${made.consultation}/input`;
    const submitted = await visitors.giulia.post(path, { ...itemFields(0, { crimeArea: "online_fraud" }), intent: "submit" });
    expect(submitted.status).toBe(303);
    await submitted.text();
    await sendOnce({
      who: "giulia",
      path,
      form: { intent: "withdraw" },
      other: { intent: "withdraw", note: "for good" },
      change: () => audited("threat_input.withdrawn"),
      location: new RegExp(`^${path}$`),
      mails: false,
    });
    expect(inputOf("Vigilanza Digitale S.p.A.").status).toBe("withdrawn");
  });

  it("opens one edition", async () => {
    // A second organisation's input, and both accepted: the edition has figures to publish.
    const submitted = await visitors.andres.post(`/consultations/${made.consultation}/input`, { ...itemFields(0, { crimeArea: "online_fraud" }), intent: "submit" });
    expect(submitted.status).toBe(303);
    await submitted.text();
    for (const organisation of ["Donau Privatbank AG", "Banco Cordillera S.A."]) {
      const response = await visitors.thomas.post(`/inputs/${inputOf(organisation).id}`, { intent: "accept" });
      expect(response.status).toBe(302);
      await response.text();
    }
    const form = { title: "Forms sent once, spring 2026", periodFrom: "2026-01-01", periodTo: "2026-06-30", consultationIds: String(made.consultation) };
    const location = await sendOnce({
      who: "thomas",
      path: "/assessments/new",
      form,
      other: { ...form, title: "Another edition" },
      change: () => rows(assessmentEditions),
      location: /^\/assessments\/\d+$/,
      mails: false,
    });
    made.edition = idIn(location);
  });

  it("sets a score by hand once, merges two names once and proposes one target", async () => {
    const path = `/assessments/${made.edition}`;
    const override = { intent: "override", crimeArea: "banking_trojans", score: "15", reason: "Two banks see the same overlay kit." };
    await sendOnce({ who: "thomas", path, form: override, other: { ...override, score: "16" }, change: () => audited("assessment.overridden"), location: new RegExp(`^${path}$`), mails: false });
    const cleared = { intent: "clear-override", crimeArea: "banking_trojans" };
    await sendOnce({ who: "thomas", path, form: cleared, other: { ...cleared, crimeArea: "online_fraud" }, change: () => audited("assessment.override_cleared"), location: new RegExp(`^${path}$`), mails: false });
    const merge = { intent: "merge", kind: "malware", from: "Mekotio", into: "Grandoreiro" };
    await sendOnce({ who: "thomas", path, form: merge, other: { ...merge, into: "Casbaneiro" }, change: () => audited("assessment.names_merged"), location: new RegExp(`^${path}$`), mails: false });
    const versions = [inputOf("Donau Privatbank AG"), inputOf("Banco Cordillera S.A.")].map((input) => input.id);
    const itemIds = db()
      .select({ id: threatInputItems.id })
      .from(threatInputItems)
      .innerJoin(threatInputVersions, eq(threatInputVersions.id, threatInputItems.versionId))
      .where(inArray(threatInputVersions.inputId, versions))
      .orderBy(desc(threatInputItems.id))
      .all()
      .map((item) => String(item.id));
    const proposal = { intent: "propose", kind: "network", name: "Grandoreiro operators", rationale: "Both banks report the same overlay kit.", itemIds };
    await sendOnce({ who: "thomas", path: `${path}/items`, form: proposal, other: { ...proposal, name: "Another network" }, change: () => rows(targetProposals), location: new RegExp(`^${path}$`), mails: false });
    // Four eyes: the coordinator endorses it.
    const proposalId = String(db().select({ id: targetProposals.id }).from(targetProposals).get()!.id);
    const decision = { intent: "decide", proposalId, decision: "endorsed", note: "" };
    await sendOnce({ who: "anna", path, form: decision, other: { ...decision, decision: "declined" }, change: () => audited("assessment.target_endorsed"), location: new RegExp(`^${path}$`), mails: false });
  });

  it("closes the consultation once", async () => {
    await sendOnce({
      who: "anna",
      path: `/consultations/${made.consultation}`,
      form: { intent: "close" },
      other: { intent: "close", note: "early" },
      change: () => audited("consultation.closed"),
      location: new RegExp(`^/consultations/${made.consultation}$`),
      mails: false,
    });
  });

  it("publishes once", async () => {
    const path = `/assessments/${made.edition}`;
    await sendOnce({
      who: "thomas",
      path,
      form: { intent: "publish", confirmed: "yes" },
      other: { intent: "publish", confirmed: "yes", note: "twice" },
      change: () => audited("assessment.published"),
      location: new RegExp(`^${path}$`),
      mails: false,
    });
  });
});

describe("the admin's forms, sent twenty times at once", () => {
  it("adds one person and one organisation", async () => {
    const person = { intent: "save", name: "Ines Varga", email: "ines.varga@taskforce.example", organisationId: "", timeZone: "Europe/Budapest", locale: "en-GB", roles: "analyst" };
    await sendOnce({ who: "elena", path: "/admin/users/new", form: person, other: { ...person, name: "Ines Varga-Kovács" }, change: () => rows(users), location: /^\/admin\/users\/\d+$/, mails: false });
    const organisation = { intent: "save", name: "Banca Alpina S.p.A.", sector: "bank", country: "IT", kind: "private", usualSourceReliability: "", aliases: "" };
    await sendOnce({
      who: "elena",
      path: "/admin/organisations/new",
      form: organisation,
      other: { ...organisation, country: "AT" },
      change: () => rows(organisations),
      location: /^\/admin\/organisations\/\d+$/,
      mails: false,
    });
  });

  it("sends a given-up message again once", async () => {
    await outboxDrained();
    const message = db().select().from(outbox).orderBy(desc(outbox.id)).get()!;
    db().update(outbox).set({ status: "dead", deadAt: new Date() }).where(eq(outbox.id, message.id)).run();
    await sendOnce({
      who: "elena",
      path: "/admin/outbox",
      form: { id: String(message.id) },
      other: { id: String(message.id), note: "again" },
      change: () => audited("mail.retried"),
      location: /^\/admin\/outbox$/,
      mails: true,
    });
  });
});
