import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditEvents,
  consultations,
  threatInputItems,
  threatInputs,
  threatInputVersions,
  users,
} from "../../db/schema";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { openConsultationFor, rowCount } from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer, type ReceivedMail } from "../support/smtp";
import { inputFields, itemFields } from "../support/threat-input";
import { attr, mainText, sleep, tableRows, tagWithId, textareaValue, textOfId } from "./html";

const COORDINATOR = "anna.visser@taskforce.example";
const ANALYST = "thomas.keller@taskforce.example";
const KATHARINA = "katharina.huber@donau-privatbank.example"; // Donau Privatbank: invited
const ANDRES = "andres.restrepo@bancocordillera.example"; // Banco Cordillera: invited
const GIULIA = "giulia.rossi@vigilanzadigitale.example"; // Vigilanza Digitale: invited
const INVITED = ["Donau Privatbank AG", "Banco Cordillera S.A.", "Vigilanza Digitale S.p.A."];

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let coordinator: Visitor;
let analyst: Visitor;
let katharina: Visitor;
let andres: Visitor;
let giulia: Visitor;
let consultationId: number;
let formPath: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  // The analysts' notices gather as in production, for less long.
  portal = await startPortal({ SMTP_URL: smtp.url, ANALYST_NOTICE_GATHER_MS: "1500" });
  const visitors = await Promise.all([COORDINATOR, ANALYST, KATHARINA, ANDRES, GIULIA].map((email) => signIn(portal, smtp, email)));
  [coordinator, analyst, katharina, andres, giulia] = visitors as [Visitor, Visitor, Visitor, Visitor, Visitor];
  consultationId = await openConsultationFor(portal, coordinator, "Banking trojans, spring round", INVITED);
  formPath = `/consultations/${consultationId}/input`;
  // The invitations arrive before anything else is asked of the mailbox (a later sign-in waits for its link).
  const invited = () => smtp.received.filter((mail) => mail.subject?.startsWith("Invitation:")).length;
  const deadline = Date.now() + 10_000;
  while (invited() < 3 && Date.now() < deadline) await sleep(50);
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const db = () => portal.db();

/** The first message after the first `seen` that matches, waiting for the outbox worker. */
async function nextMail(matches: (mail: ReceivedMail) => boolean, seen: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = smtp.received.slice(seen).find(matches);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("the expected mail did not arrive");
    await sleep(50);
  }
}
const userId = (email: string) => db().select().from(users).where(eq(users.email, email)).get()!.id;
const organisationOf = (email: string) => db().select().from(users).where(eq(users.email, email)).get()!.organisationId!;
const inputOf = (email: string) =>
  db()
    .select()
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, consultationId), eq(threatInputs.organisationId, organisationOf(email))))
    .get();
const writes = () => ({
  inputs: rowCount(portal, threatInputs),
  versions: rowCount(portal, threatInputVersions),
  items: rowCount(portal, threatInputItems),
});

let keys = 0;
/** A one-time key as the rendered form carries it. */
const freshKey = () => `test-key-${String(++keys).padStart(8, "0")}-${Date.now()}`;

async function submit(visitor: Visitor, fields: Record<string, string | string[]>, submitKey = freshKey()) {
  const response = await visitor.post(formPath, { ...fields, intent: "submit", submitKey });
  return { response, body: await response.text() };
}

/** The control of a field is marked invalid and described by its message. */
function expectFieldError(html: string, field: string, message: string | RegExp) {
  const control = tagWithId(html, field);
  expect(control, `control #${field}`).toBeDefined();
  // A group of radios is described as a whole; each of its radios is marked invalid.
  const marked = control!.startsWith("<fieldset")
    ? [...html.matchAll(new RegExp(`<input[^>]*name="${field.replace(/\./g, "\\.")}"[^>]*>`, "g"))].map((tag) => tag[0])
    : [control!];
  expect(marked.length).toBeGreaterThan(0);
  for (const tag of marked) expect(attr(tag, "aria-invalid"), `#${field} aria-invalid`).toBe("true");
  expect(attr(control, "aria-describedby") ?? "", `#${field} aria-describedby`).toContain(`${field}-error`);
  expect(textOfId(html, `${field}-error`)).toMatch(message);
}

describe("a stakeholder's input", () => {
  it("starts as a form with one item, graded as the bank usually is", async () => {
    const response = await katharina.get(formPath);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(mainText(html)).toContain("Item 1 of 1");
    // Donau Privatbank's usual grade (C) is ticked; the words of each scale stand beside the numbers.
    expect(tagWithId(html, "items.0.title")).toBeDefined();
    const checked = [...html.matchAll(/<input[^>]*name="items\.0\.sourceReliability"[^>]*>/g)].filter((tag) => / checked=""/.test(tag[0]));
    expect(checked.map((tag) => attr(tag[0], "value"))).toEqual(["C"]);
    expect(mainText(html)).toContain("4 · Major");
    expect(mainText(html)).toContain("5 · Almost certain");
    expect(mainText(html)).toContain("B · Usually reliable");
  });

  it("keeps a draft on the server, across sign-out and sign-in", async () => {
    const draft = itemFields(0, { title: "Draft: Grandoreiro against our app users", impact: "" });
    const response = await katharina.post(formPath, { ...draft, intent: "save" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(formPath);
    expect(inputOf(KATHARINA)).toMatchObject({ status: "draft", currentVersion: 0 });
    // Said once, on the page the save leads to.
    expect(mainText(await (await katharina.get(formPath)).text())).toMatch(/^Draft saved\. Anyone of your organisation can carry on with it/);
    expect(mainText(await (await katharina.get(formPath)).text())).not.toContain("Draft saved.");

    await katharina.post("/logout", {});
    katharina = await signIn(portal, smtp, KATHARINA);
    const html = await (await katharina.get(formPath)).text();
    expect(attr(tagWithId(html, "items.0.title"), "value")).toBe("Draft: Grandoreiro against our app users");
  });

  it("refuses a submit with a bad field at the field, keeps every value, and writes no version", async () => {
    const before = writes();
    const fields = inputFields({ title: "Grandoreiro against our app users" }, { title: "Second item", impact: "7", countries: "AT, QQ" });
    const { response, body } = await submit(katharina, fields);
    expect(response.status).toBe(400);
    expectFieldError(body, "items.1.impact", /1 to 5/);
    expectFieldError(body, "items.1.countries", /QQ is not a country code/);
    expect(mainText(body)).toContain("Please correct the 2 fields marked below.");
    // What was typed is all there, both items.
    expect(attr(tagWithId(body, "items.0.title"), "value")).toBe("Grandoreiro against our app users");
    expect(attr(tagWithId(body, "items.1.countries"), "value")).toBe("AT, QQ");
    expect(textareaValue(body, "items.0.indicators")).toContain("hxxps://secure-login[.]donau-pay[.]example/auth");
    expect(writes().versions).toBe(before.versions);
    expect(writes().items).toBe(before.items);
  });

  it("sets each bad indicator line aside with its number and reason, keeping the good ones and the rest as typed", async () => {
    const before = writes();
    const indicators = "185.220.101.47\n300.1.1.1\nevil-update[.]example\nnot an indicator";
    const { response, body } = await submit(katharina, itemFields(0, { indicators, title: "Kept as typed" }));
    expect(response.status).toBe(400);
    expectFieldError(body, "items.0.indicatorsSetAside", /2 lines were set aside/);
    expect(textOfId(body, "items.0.indicatorsSetAside-error")).toMatch(/line 2, “300\.1\.1\.1”: .*line 4, “not an indicator”: /);
    expect(textareaValue(body, "items.0.indicators")).toBe("185.220.101.47\nevil-update[.]example");
    expect(textareaValue(body, "items.0.indicatorsSetAside")).toBe("300.1.1.1\nnot an indicator");
    expect(attr(tagWithId(body, "items.0.title"), "value")).toBe("Kept as typed");
    // The summary comes first, takes focus and links to the box; the section says what to correct.
    const summary = tagWithId(body, "error-summary")!;
    expect(summary).toMatch(/autofocus/);
    expect(body.indexOf('id="error-summary"')).toBeLessThan(body.indexOf('id="item-1"'));
    expect(body).toContain('href="#items.0.indicatorsSetAside"');
    expect(textOfId(body, "item-1-indicators-status")).toMatch(/1 to correct: lines set aside/);
    expect(writes().versions).toBe(before.versions);
  });

  it("submits version 1 and shows it, and tells the analysts without a word of its content", async () => {
    const mailsBefore = smtp.received.length;
    const { response } = await submit(katharina, inputFields({}, { crimeArea: "online_fraud", title: "BEC wave against treasury desks", indicators: "" }));
    expect(response.status).toBe(303);
    const input = inputOf(KATHARINA)!;
    expect(response.headers.get("Location")).toBe(`/inputs/${input.id}`);
    expect(input).toMatchObject({ status: "submitted", currentVersion: 1, triageState: "new" });

    const html = await (await katharina.get(`/inputs/${input.id}`)).text();
    expect(mainText(html)).toContain("Version 1 is submitted.");
    expect(mainText(await (await katharina.get(`/inputs/${input.id}`)).text())).not.toContain("Version 1 is submitted.");
    expect(mainText(html)).toContain("BEC wave against treasury desks");
    expect(mainText(html)).toContain("https://secure-login.donau-pay.example/auth");

    const deadline = Date.now() + 10_000;
    const notices = () => smtp.received.slice(mailsBefore).filter((mail) => mail.subject?.startsWith("New threat input received"));
    while (notices().length < 2 && Date.now() < deadline) await sleep(50);
    expect(notices().flatMap((mail) => mail.envelopeTo).sort()).toEqual([ANALYST, "rafael.ortega@taskforce.example"].sort());
    for (const mail of notices()) {
      for (const secret of ["BEC wave", "Grandoreiro", "Donau", "185.220.101.47"]) expect(mail.raw).not.toContain(secret);
      expect(mail.text).toContain(`/inputs/${input.id}`);
    }
  });

  it("makes one version of twenty concurrent posts with one key, each answered like the first", async () => {
    const before = writes();
    const key = freshKey();
    const fields = itemFields(0, { title: "Grandoreiro, second look" });
    const answers = await Promise.all(Array.from({ length: 20 }, () => submit(katharina, fields, key)));
    expect(writes().versions).toBe(before.versions + 1);
    expect(new Set(answers.map(({ response }) => `${response.status} ${response.headers.get("Location")}`))).toEqual(
      new Set([`303 /inputs/${inputOf(KATHARINA)!.id}`]),
    );
  });

  it("refuses the same key with other content with a clear message, and writes nothing", async () => {
    const key = freshKey();
    await submit(katharina, itemFields(0, { title: "Grandoreiro, third look" }), key);
    const before = writes();
    const { response, body } = await submit(katharina, itemFields(0, { title: "Something else" }), key);
    expect(response.status).toBe(409);
    expect(mainText(body)).toContain("This form was already submitted, with other content.");
    expect(writes()).toEqual(before);
  });

  it("keeps the earlier versions readable, and a stakeholder of another organisation gets 404 on all of them", async () => {
    const input = inputOf(KATHARINA)!;
    expect(input.currentVersion).toBe(3);
    const v1 = await katharina.get(`/inputs/${input.id}/versions/1`);
    expect(v1.status).toBe(200);
    const v1Text = mainText(await v1.text());
    expect(v1Text).toContain("BEC wave against treasury desks");
    expect(v1Text).toContain("This is an earlier version.");
    for (const path of [`/inputs/${input.id}`, `/inputs/${input.id}/versions/1`, `/inputs/${input.id}/versions/3`]) {
      const response = await andres.get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain("Grandoreiro");
    }
    expect((await katharina.get(`/inputs/${input.id}/versions/9`)).status).toBe(404);
  });

  it("can be withdrawn, and then shows as withdrawn to the analyst", async () => {
    const response = await katharina.post(formPath, { intent: "withdraw" });
    expect(response.status).toBe(302);
    expect(inputOf(KATHARINA)!.status).toBe("withdrawn");
    const html = await (await analyst.get(`/inputs/${inputOf(KATHARINA)!.id}`)).text();
    expect(mainText(html)).toContain("Withdrawn");
  });
});

describe("importing indicators from a file", () => {
  const importInto = (visitor: Visitor, fields: Record<string, string | string[]>, file: { name: string; type: string; content: string | Uint8Array }) =>
    visitor.postMultipart(formPath, { ...fields, intent: "import:0" }, { "items.0.file": file });

  it("adds a CSV's good rows and reports each bad one by line number", async () => {
    const csv = [
      "type,value,comment",
      "ipv4,203.0.113.9,C2 seen in March",
      "domain,not a domain,typo",
      "sha256,abc,too short",
      "url,hxxp://pay-verify[.]example/login,phishing page",
      "",
    ].join("\n");
    const response = await importInto(giulia, itemFields(0, { indicators: "198.51.100.7" }), { name: "iocs.csv", type: "text/csv", content: csv });
    const body = await response.text();
    expect(response.status).toBe(200);
    const text = mainText(body);
    expect(text).toContain("Item 1: 2 indicators imported; 2 rows were left out:");
    expect(text).toMatch(/Line 3: .*not a domain/);
    expect(text).toMatch(/Line 4: .*abc/);
    expect(textareaValue(body, "items.0.indicators")).toBe(
      ["198.51.100.7", "ipv4: 203.0.113.9 # C2 seen in March", "url: http://pay-verify.example/login # phishing page"].join("\n"),
    );
  });

  const refused: [string, { name: string; type: string; content: string | Uint8Array }, RegExp][] = [
    ["a malformed STIX bundle", { name: "bundle.json", type: "application/json", content: '{"type": "bundle", "objects": [' }, /bundle\.json/],
    ["an oversized file", { name: "huge.csv", type: "text/csv", content: `type,value\n${"ipv4,203.0.113.1\n".repeat(70_000)}` }, /larger than 1 MB/],
    ["a file of the wrong type", { name: "photo.png", type: "image/png", content: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]) }, /not a text file|neither a CSV/],
    ["a PDF named as such", { name: "report.pdf", type: "application/pdf", content: "%PDF-1.4 text only" }, /neither a CSV file/],
  ];
  for (const [what, file, message] of refused) {
    it(`refuses ${what} at the file field, keeps what was typed, and changes nothing`, async () => {
      const before = { ...writes(), draft: inputOf(GIULIA)?.draft ?? null };
      const fields = itemFields(0, { title: "Typed before the upload", indicators: "198.51.100.7" });
      const response = await importInto(giulia, fields, file);
      const body = await response.text();
      expect(response.status).toBe(400);
      expectFieldError(body, "items.0.file", message);
      expect(attr(tagWithId(body, "items.0.title"), "value")).toBe("Typed before the upload");
      expect(textareaValue(body, "items.0.indicators")).toBe("198.51.100.7");
      expect(writes()).toMatchObject({ versions: before.versions, items: before.items });
      // The draft holds what was typed, and no indicator from the refused file.
      expect(String(inputOf(GIULIA)!.draft!["items.0.indicators"])).toBe("198.51.100.7");
    });
  }
});

describe("after the deadline", () => {
  it("refuses a submission with a clear message and writes nothing", async () => {
    const other = await openConsultationFor(portal, coordinator, "Botnets, closing round", ["Banco Cordillera S.A."]);
    // The deadline passes (moved into the past, as the clock would).
    db().update(consultations).set({ inputDeadline: new Date(Date.now() - 60_000) }).where(eq(consultations.id, other)).run();
    const before = writes();
    const path = `/consultations/${other}/input`;
    const page = await (await andres.get(path)).text();
    expect(mainText(page)).toContain("The input deadline has passed");
    const response = await andres.post(path, { ...itemFields(0), intent: "submit", submitKey: freshKey() });
    expect(response.status).toBe(409);
    expect(mainText(await response.text())).toContain("The input deadline has passed: the input can no longer be changed.");
    expect(writes()).toEqual(before);
  });
});

describe("who sees what", () => {
  let inputId: number;
  beforeAll(async () => {
    const { response } = await submit(
      andres,
      inputFields(
        { title: "Amber: Mekotio loaders in Bogota", tlp: "TLP:AMBER" },
        { title: "Strict: mule accounts at three banks", tlp: "TLP:AMBER+STRICT" },
        { title: "Red: the insider at the payment processor", tlp: "TLP:RED", redRecipients: [String(userId(ANALYST))] },
      ),
    );
    expect(response.status).toBe(303);
    inputId = inputOf(ANDRES)!.id;
  });

  it("keeps a TLP:RED item from the coordinator, and tells them one is withheld", async () => {
    const response = await coordinator.get(`/inputs/${inputId}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).not.toContain("the insider at the payment processor");
    expect(mainText(html)).toContain("Mekotio loaders");
    expect(mainText(html)).toContain("One item is marked TLP:RED for named analysts only");
  });

  it("shows it to the analyst it names, with the page marked TLP:RED", async () => {
    const html = await (await analyst.get(`/inputs/${inputId}`)).text();
    expect(mainText(html)).toContain("the insider at the payment processor");
    expect(textOfId(html, "main") ?? html).toBeTruthy();
    expect(html).toMatch(/class="tlp tlp--red">TLP:RED<\/span><span class="handling-mark__meaning"/);
  });

  it("has audited the views of the AMBER+STRICT and RED items, with who and from where", () => {
    const views = db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "threat_input.items_viewed"))
      .all()
      .flatMap((event) => (event.detail as { marks: string[] }).marks.map((mark) => `${event.actorUserId} ${mark}`));
    expect(views).toContain(`${userId(ANALYST)} TLP:RED`);
    expect(views).toContain(`${userId(ANALYST)} TLP:AMBER+STRICT`);
    expect(views).toContain(`${userId(COORDINATOR)} TLP:AMBER+STRICT`);
    expect(views).not.toContain(`${userId(COORDINATOR)} TLP:RED`);
    expect(views.filter((view) => view.endsWith("TLP:AMBER"))).toEqual([]);
  });

  it("sends no TLP:RED content in any email", () => {
    for (const mail of smtp.received) expect(mail.raw).not.toContain("insider at the payment processor");
  });

  it("carries an analyst's question to the organisation by a notice without the question, and brings the answer back", async () => {
    const question = "Which card processor is the insider at, and since when?";
    const seen = smtp.received.length;
    const asked = await analyst.post(`/inputs/${inputId}`, { intent: "ask", body: question });
    expect(asked.status).toBe(302);
    expect(inputOf(ANDRES)!.triageState).toBe("needs_clarification");
    const notice = await nextMail((mail) => mail.envelopeTo.includes(ANDRES) && mail.subject?.startsWith("A question") === true, seen);
    expect(notice.subject).toBe("A question about your threat input: Banking trojans, spring round");
    expect(notice.text).toContain(`/inputs/${inputId}`);
    for (const secret of [question, "card processor", "insider"]) expect(notice.raw).not.toContain(secret);

    // Only the organisation answers; an analyst's "answer" is refused.
    expect((await analyst.post(`/inputs/${inputId}`, { intent: "answer", body: "Not mine to answer" })).status).toBe(403);
    const empty = await andres.post(`/inputs/${inputId}`, { intent: "answer", body: " " });
    expect(empty.status).toBe(400);
    expect(textOfId(await empty.text(), "body-error")).toContain("Write your message.");
    const answered = await andres.post(`/inputs/${inputId}`, { intent: "answer", body: "Processor X, since January." });
    expect(answered.status).toBe(302);
    expect(inputOf(ANDRES)!.triageState).toBe("new");
    const reply = await nextMail((mail) => mail.envelopeTo.includes(ANALYST) && mail.subject?.startsWith("Your question was answered") === true, seen);
    expect(reply.raw).not.toContain("Processor X");
    const thread = mainText(await (await andres.get(`/inputs/${inputId}`)).text());
    expect(thread).toContain(question);
    expect(thread).toContain("Processor X, since January.");
  });

  it("lets the analyst grade an item with a note, refuses a grade without one, and refuses the organisation", async () => {
    const itemId = db()
      .select()
      .from(threatInputItems)
      .all()
      .find((item) => item.title === "Amber: Mekotio loaders in Bogota" && item.gradeNote === null)!.id;
    const grade = { intent: "grade", itemId: String(itemId), sourceReliability: "A", informationCredibility: "2" };
    const refused = await analyst.post(`/inputs/${inputId}`, { ...grade, note: "" });
    expect(refused.status).toBe(400);
    expect(textOfId(await refused.text(), "note-error")).toContain("Say why you grade it so.");
    expect((await andres.post(`/inputs/${inputId}`, { ...grade, note: "We are A now" })).status).toBe(403);
    expect(db().select().from(threatInputItems).all().find((item) => item.id === itemId)!.gradedSourceReliability).toBeNull();
    expect((await analyst.post(`/inputs/${inputId}`, { ...grade, note: "Confirmed by our sinkhole." })).status).toBe(302);
    expect(mainText(await (await andres.get(`/inputs/${inputId}`)).text())).toContain("Graded by the taskforce: A2");
  });

  it("refuses the organisation's own triage decision with 403, and a rejection without a reason at its field", async () => {
    const response = await andres.post(`/inputs/${inputId}`, { intent: "accept" });
    expect(response.status).toBe(403);
    const rejected = await analyst.post(`/inputs/${inputId}`, { intent: "reject", reason: "" });
    expect(rejected.status).toBe(400);
    expectFieldError(await rejected.text(), "reason", "Say why the input is rejected.");
    expect(inputOf(ANDRES)!.triageState).toBe("new");
  });

  it("lists the input in the analyst's triage queue, and the accept is recorded", async () => {
    const queue = await (await analyst.get(`/triage?state=new&consultationId=${consultationId}`)).text();
    const rows = tableRows(queue);
    expect(rows.some((row) => row[0] === "Banco Cordillera S.A." && row[5] === "New")).toBe(true);
    const response = await analyst.post(`/inputs/${inputId}`, { intent: "accept" });
    expect(response.status).toBe(302);
    expect(inputOf(ANDRES)!.triageState).toBe("accepted");
    const accepted = tableRows(await (await analyst.get("/triage?state=accepted")).text());
    expect(accepted.map((row) => row[0])).toContain("Banco Cordillera S.A.");
    // The consultation its page links to is named and kept; others are found by their words.
    const narrowed = await (await analyst.get(`/triage?consultationId=${consultationId}`)).text();
    expect(narrowed).toContain(`<input type="hidden" name="consultationId" value="${consultationId}"/>`);
    expect(mainText(narrowed)).toMatch(/In “[^”]+” · every consultation/);
    const byWords = tableRows(await (await analyst.get("/triage?organisation=cordillera&consultation=%20")).text());
    expect(byWords.map((row) => row[0])).toEqual(["Banco Cordillera S.A."]);
    // No list of every organisation or consultation: the filters are searched.
    expect(narrowed).not.toMatch(/<option value="\d+">/);
  });

  it("answers the coordinator 403 on the triage queue and on a triage decision", async () => {
    expect((await coordinator.get("/triage")).status).toBe(403);
    const response = await coordinator.post(`/inputs/${inputId}`, { intent: "reject", reason: "no" });
    expect(response.status).toBe(403);
    expect(inputOf(ANDRES)!.triageState).toBe("accepted");
  });
});
