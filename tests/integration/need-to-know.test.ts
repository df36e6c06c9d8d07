import path from "node:path";
import { and, count, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerBuild } from "@remix-run/node";
import {
  auditEvents,
  consultationInvitees,
  meetings,
  meetingSlots,
  organisations,
  outbox,
  targetEvidence,
  targetProposals,
  threatInputItems,
  threatInputs,
  threatInputVersions,
  users,
} from "../../db/schema";
import { issueFeedToken } from "~/modules/calendar/feeds.server";
import { STIX_ID_NAMESPACE, uuidV5 } from "~/modules/assessment/stix.server";
import { Visitor } from "../support/http";
import { encodeCursor } from "~/lib/keyset.server";
import { startPortal, type Portal } from "../support/portal";
import { addDays, consultationForm, createConsultation, meetingForm, nextEuWinterDate, openConsultation } from "../support/scheduling";
import { signIn } from "../support/sign-in";
import { startSmtpServer, type ReceivedMail } from "../support/smtp";
import { validateStixBundle } from "../support/stix";
import { inputFields, itemFields } from "../support/threat-input";
import { decode, mainText } from "./html";

// Need-to-know over the real server (issue 9). The round below plants secrets, changes who is
// invited, and then (1) checks each finding of the review that filed the issue, and (2) runs
// the leak matrix: every viewer against every route of the built route manifest, each export,
// the print view, the calendar feeds and every mail, asserting the status and that no secret
// reaches a body or header its viewer may not read. A route the matrix does not cover fails it.

const SECRET = {
  redTitle: "Glasshouse insider at the card processor",
  redActor: "Glasshouse Crew",
  redMalware: "GlassKit",
  redDomain: "glasshouse-drop.example",
  anonymousName: "Banco Cordillera",
  anonymousAlias: "Andes Sentinel Desk",
  donauTitle: "Mule accounts opened at branch Ottakring",
  meetingTitle: "Round table on mule networks",
} as const;
type Secret = keyof typeof SECRET;
const RED_SECRETS: Secret[] = ["redTitle", "redActor", "redMalware", "redDomain"];

const PEOPLE = {
  katharina: "katharina.huber@donau-privatbank.example", // Donau Privatbank: invited, named input
  andres: "andres.restrepo@bancocordillera.example", // Banco Cordillera: invited, anonymous input and a RED item
  giulia: "giulia.rossi@vigilanzadigitale.example", // Vigilanza Digitale: invited, gave input, then removed
  lukas: "lukas.gruber@cyber-coordination.example", // Austrian CERT: invited, then moved to an uninvited organisation
  olivia: "olivia.tremblay@northernmaple.example", // Northern Maple: never invited
  laura: "laura.gomez@colcert.example", // Colombian CERT (not chosen): invited by name
  anna: "anna.visser@taskforce.example", // coordinator
  thomas: "thomas.keller@taskforce.example", // analyst named on the RED item
  ines: "ines.varga@taskforce.example", // another analyst, added by the admin
  elena: "elena.conti@taskforce.example", // admin
} as const;
type Person = keyof typeof PEOPLE;
type Viewer = Person | "signedOut";
const VIEWERS: Viewer[] = ["signedOut", ...(Object.keys(PEOPLE) as Person[])];
const STAFF: Viewer[] = ["anna", "thomas", "ines"];
const ANALYSTS: Viewer[] = ["thomas", "ines"];
const CURRENT_INVITEES: Viewer[] = ["katharina", "andres", "laura"];

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const visitors = {} as Record<Viewer, Visitor>;
const ids = {} as {
  consultation: number;
  meeting: number;
  slot: number;
  donauInput: number;
  cordilleraInput: number;
  vigilanzaInput: number;
  published: number;
  draft: number;
  mailbox: number;
  organisation: number;
  user: number;
  agency: number;
};
/** The member agencies' collection (its id is fixed: UUIDv5 of the portal's namespace). */
const TAXII_COLLECTION = uuidV5(STIX_ID_NAMESPACE, "taxii/collection/member-agencies");
const feeds = {} as Record<Person, string>;
/** How many messages each address had when its access ended: later ones may not carry the meeting. */
const mailsAtRemoval = new Map<string, number>();

const db = () => portal.db();
const userId = (email: string) => db().select().from(users).where(eq(users.email, email)).get()!.id;
const organisationId = (name: string) => db().select().from(organisations).where(eq(organisations.name, name)).get()!.id;
const inputOf = (consultationId: number, organisation: string) =>
  db()
    .select()
    .from(threatInputs)
    .where(and(eq(threatInputs.consultationId, consultationId), eq(threatInputs.organisationId, organisationId(organisation))))
    .get();
const idFrom = (response: Response, pattern: RegExp) => Number(pattern.exec(response.headers.get("Location") ?? "")?.[1]);
let submitKeys = 0;

async function expectStatus(response: Response, status: number, what: string) {
  const body = await response.text();
  expect(response.status, `${what}: ${body.includes("<main") ? mainText(body).slice(0, 400) : body.slice(0, 400)}`).toBe(status);
  return body;
}

async function submitInput(who: Person, consultationId: number, fields: Record<string, string | string[]>) {
  const response = await visitors[who].post(`/consultations/${consultationId}/input`, {
    ...fields,
    intent: "submit",
    submitKey: `need-to-know-key-${++submitKeys}-0000`,
  });
  return response;
}

const CONSULTATION_ORGANISATIONS = ["Donau Privatbank AG", "Banco Cordillera S.A.", "Vigilanza Digitale S.p.A.", "Austrian Cyber Coordination Centre"];

function editForm(organisationNames: string[]) {
  return consultationForm({
    title: "Mule networks, spring round",
    organisationIds: organisationNames.map((name) => String(organisationId(name))),
    personIds: String(userId(PEOPLE.laura)),
  });
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  visitors.signedOut = new Visitor(portal.url);
  visitors.elena = await signIn(portal, smtp, PEOPLE.elena);

  // The admin adds a second analyst, and records the anonymous bank's other name.
  const created = await visitors.elena.post("/admin/users/new", {
    intent: "save",
    name: "Ines Varga",
    email: PEOPLE.ines,
    organisationId: "",
    timeZone: "Europe/Budapest",
    locale: "en-GB",
    roles: "analyst",
  });
  await expectStatus(created, 302, "adding Ines");
  const cordillera = db().select().from(organisations).where(eq(organisations.name, "Banco Cordillera S.A.")).get()!;
  const aliases = await visitors.elena.post(`/admin/organisations/${cordillera.id}`, {
    intent: "save",
    name: cordillera.name,
    sector: cordillera.sector,
    country: cordillera.country,
    kind: cordillera.kind,
    usualSourceReliability: cordillera.usualSourceReliability ?? "",
    aliases: `${SECRET.anonymousAlias}\nBCO`,
  });
  await expectStatus(aliases, 302, "recording the aliases");

  for (const person of Object.keys(PEOPLE) as Person[]) {
    if (person !== "elena") visitors[person] = await signIn(portal, smtp, PEOPLE[person]);
  }

  // The round: four organisations and Laura by name; a meeting whose time is set.
  ids.consultation = await createConsultation(visitors.anna, editForm(CONSULTATION_ORGANISATIONS));
  await openConsultation(visitors.anna, ids.consultation);
  const day = nextEuWinterDate(40, 4);
  const proposed = await visitors.anna.post(
    `/consultations/${ids.consultation}/meetings/new`,
    meetingForm([{ date: day, time: "16:00" }], { title: SECRET.meetingTitle, tlp: "TLP:AMBER" }),
  );
  await expectStatus(proposed, 302, "proposing the meeting");
  ids.meeting = idFrom(proposed, /^\/meetings\/(\d+)$/);
  const slot = db().select().from(meetingSlots).where(eq(meetingSlots.meetingId, ids.meeting)).get()!;
  ids.slot = slot.id;
  await expectStatus(await visitors.anna.post(`/meetings/${ids.meeting}`, { intent: "finalise", slotId: String(slot.id), confirmed: "yes" }), 302, "finalising");

  // The inputs: Donau named; Banco Cordillera anonymous, naming itself in its text, and a RED item for Thomas.
  await expectStatus(await submitInput("katharina", ids.consultation, itemFields(0, { title: SECRET.donauTitle, malware: "Grandoreiro" })), 303, "Donau's input");
  await expectStatus(
    await submitInput(
      "andres",
      ids.consultation,
      inputFields(
        {
          title: `Card-not-present fraud wave seen by ${SECRET.anonymousName}`,
          narrative: `The ${SECRET.anonymousAlias} at ${SECRET.anonymousName} saw the overlay kit first.`,
          attribution: "anonymous",
          malware: "Grandoreiro",
          actors: "Grandoreiro operators",
        },
        {
          title: SECRET.redTitle,
          narrative: "A named employee sells card data.",
          attribution: "anonymous",
          tlp: "TLP:RED",
          redRecipients: [String(userId(PEOPLE.thomas))],
          actors: SECRET.redActor,
          malware: SECRET.redMalware,
          indicators: SECRET.redDomain,
        },
      ),
    ),
    303,
    "Banco Cordillera's input",
  );
  await expectStatus(
    await submitInput("giulia", ids.consultation, itemFields(0, { crimeArea: "online_fraud", tlp: "TLP:GREEN", malware: "", actors: "" })),
    303,
    "Vigilanza's input",
  );
  ids.donauInput = inputOf(ids.consultation, "Donau Privatbank AG")!.id;
  ids.cordilleraInput = inputOf(ids.consultation, "Banco Cordillera S.A.")!.id;
  ids.vigilanzaInput = inputOf(ids.consultation, "Vigilanza Digitale S.p.A.")!.id;
  for (const input of [ids.donauInput, ids.cordilleraInput, ids.vigilanzaInput]) {
    await expectStatus(await visitors.thomas.post(`/inputs/${input}`, { intent: "accept" }), 302, `accepting input ${input}`);
  }

  // Two editions: one published, one draft over the same input.
  const edition = async (title: string) => {
    const response = await visitors.thomas.post("/assessments/new", {
      title,
      periodFrom: "2026-01-01",
      periodTo: "2026-06-30",
      consultationIds: String(ids.consultation),
    });
    await expectStatus(response, 302, `creating ${title}`);
    return idFrom(response, /\/assessments\/(\d+)$/);
  };
  ids.published = await edition("Spring 2026 assessment");
  await expectStatus(
    await visitors.thomas.post(`/assessments/${ids.published}`, {
      intent: "override",
      crimeArea: "banking_trojans",
      score: "15",
      reason: "Two banks see the same overlay kit; raised for the campaign's reach.",
    }),
    302,
    "an override",
  );
  await expectStatus(await visitors.thomas.post(`/assessments/${ids.published}`, { intent: "publish", confirmed: "yes" }), 302, "publishing");
  ids.draft = await edition("Summer 2026 assessment");

  ids.organisation = cordillera.id;
  ids.user = userId(PEOPLE.andres);
  // A member agency with a key, and the published edition released to every agency.
  const agency = await visitors.elena.post("/admin/agencies", { name: "Politie Landelijke Eenheid", country: "NL" });
  await expectStatus(agency, 302, "adding a member agency");
  ids.agency = idFrom(agency, /^\/admin\/agencies\/(\d+)$/);
  await expectStatus(await visitors.elena.post(`/admin/agencies/${ids.agency}`, { intent: "issue", label: "OpenCTI" }), 200, "issuing a key");
  await expectStatus(await visitors.thomas.post(`/assessments/${ids.published}`, { intent: "release", audience: "member-agencies" }), 302, "releasing");
}, 180_000);

afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const itemIdWithTitle = (title: string) =>
  db().select({ id: threatInputItems.id }).from(threatInputItems).where(eq(threatInputItems.title, title)).orderBy(desc(threatInputItems.id)).get()!.id;

async function propose(who: Person, editionId: number, form: Record<string, string | string[]>) {
  return visitors[who].post(`/assessments/${editionId}/items`, { intent: "propose", kind: "network", ...form });
}

// ---------------------------------------------------------------------------------------------
// The review's findings, one test each

describe("the findings of the review", () => {
  it("shows no TLP:RED actor or malware on the edition page, its .data or the print view to the coordinator or an analyst it does not name", async () => {
    for (const editionId of [ids.published, ids.draft]) {
      for (const path of [`/assessments/${editionId}`, `/assessments/${editionId}.data`, `/assessments/${editionId}/print`]) {
        for (const who of ["anna", "ines"] as const) {
          const body = decode(await expectStatus(await visitors[who].get(path), 200, `${who} ${path}`));
          for (const secret of RED_SECRETS) expect(body, `${who} ${path}: ${secret}`).not.toContain(SECRET[secret]);
        }
      }
      // The analyst it names reads them; the page says nothing is left out for him.
      const thomas = decode(await expectStatus(await visitors.thomas.get(`/assessments/${editionId}`), 200, "thomas"));
      expect(thomas).toContain(SECRET.redMalware);
      expect(thomas).not.toContain("left out of every figure");
      const anna = mainText(await expectStatus(await visitors.anna.get(`/assessments/${editionId}`), 200, "anna"));
      expect(anna).toContain("One item of this edition is marked for other readers only: it is left out of every figure");
    }
  });

  it("computes the coordinator's figures from what she may read: the RED item counts for Thomas only", async () => {
    const itemsCell = async (who: Person) => {
      const html = await expectStatus(await visitors[who].get(`/assessments/${ids.draft}`), 200, who);
      return mainText(html).match(/(\d+) accepted items?/)![1];
    };
    expect(await itemsCell("thomas")).toBe("4");
    expect(await itemsCell("anna")).toBe("3");
    expect(await itemsCell("ines")).toBe("3");
  });

  it("leaves a RED item out of a named-recipient export by an analyst it does not name, counts it, and audits the recipient", async () => {
    const form = { format: "stix", recipient: "Kari Nordmann, Politiets nasjonale cyberkrimsenter", confirm: "on" };
    const ines = await visitors.ines.post(`/assessments/${ids.published}/export/named`, form);
    const inesBody = await expectStatus(ines, 200, "Ines's named export");
    expect(ines.headers.get("X-TLP")).not.toBe("TLP:RED");
    for (const secret of RED_SECRETS) expect(inesBody).not.toContain(SECRET[secret]);
    expect(await validateStixBundle(JSON.parse(inesBody))).toEqual([]);
    const thomas = await visitors.thomas.post(`/assessments/${ids.published}/export/named`, form);
    const thomasBody = await expectStatus(thomas, 200, "Thomas's named export");
    expect(thomas.headers.get("X-TLP")).toBe("TLP:RED");
    expect(thomasBody).toContain(SECRET.redDomain);
    const audits = db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.action, "assessment.exported_named"))
      .all()
      .map((event) => ({ by: event.actorUserId, ...(event.detail as { recipient: string; redItems: number; left: { unreadable: number } }) }));
    expect(audits).toEqual([
      expect.objectContaining({ by: userId(PEOPLE.ines), recipient: form.recipient, redItems: 0, left: expect.objectContaining({ unreadable: 1 }) }),
      expect.objectContaining({ by: userId(PEOPLE.thomas), recipient: form.recipient, redItems: 1, left: expect.objectContaining({ unreadable: 0 }) }),
    ]);
    // Her export page says the item she may not read never leaves with her exports.
    expect(mainText(await expectStatus(await visitors.ines.get(`/assessments/${ids.published}`), 200, "ines"))).toContain(
      "Items you may not read never leave with your exports (1 here)",
    );
  });

  it("answers a drill-down by a hidden indicator exactly as one by a value nobody reported", async () => {
    for (const who of ["anna", "ines"] as const) {
      const answer = async (value: string) =>
        mainText(await expectStatus(await visitors[who].get(`/assessments/${ids.published}/items?indicator=${encodeURIComponent(value)}`), 200, value)).replace(value, "VALUE");
      expect(await answer(`domain:${SECRET.redDomain}`)).toBe(await answer("domain:nobody-reported-this.example"));
    }
  });

  it("answers a search for a hidden RED value, plain or defanged, exactly as one for a value nobody reported", async () => {
    const defanged = SECRET.redDomain.replace(".", "[.]");
    const answer = async (who: Person, value: string) =>
      mainText(await expectStatus(await visitors[who].get(`/search?q=${encodeURIComponent(value)}`), 200, `${who} ${value}`))
        .replaceAll(value, "VALUE")
        .replaceAll(value.replace("[.]", "."), "VALUE");
    for (const value of [SECRET.redDomain, defanged, SECRET.redMalware]) {
      expect(await answer("ines", value)).toBe(await answer("ines", value.replace(/glass/i, "nobodys")));
    }
    // The analyst the item names finds it.
    expect(await answer("thomas", SECRET.redDomain)).toContain(SECRET.redTitle);
  });

  it("refuses edition text that names an anonymous source, quoting the words at the field, and keeps what was typed", async () => {
    const donauItem = itemIdWithTitle(SECRET.donauTitle);
    const attempts: [Record<string, string | string[]>, string, string][] = [
      [{ name: "Overlay kit sellers", rationale: `Tip from ${SECRET.anonymousName}'s fraud desk: the sellers run the kit.`, itemIds: String(donauItem) }, "rationale", SECRET.anonymousName],
      [{ name: "Overlay kit sellers", rationale: `The ${SECRET.anonymousAlias.toLowerCase()} tracks their infrastructure.`, itemIds: String(donauItem) }, "rationale", SECRET.anonymousAlias.toLowerCase()],
      [{ name: "BCO insiders", rationale: "A ring seen from inside a bank's own card operations.", itemIds: String(donauItem) }, "name", "BCO"],
    ];
    for (const [form, field, quoted] of attempts) {
      const response = await propose("thomas", ids.draft, form);
      const html = await expectStatus(response, 400, `proposing ${JSON.stringify(form)}`);
      const text = mainText(html);
      expect(text).toContain(`names an organisation that asked not to be named as a source: “${quoted}”`);
      expect(html).toMatch(new RegExp(`id="${field}-error"`));
      expect(decode(html)).toContain(form[field] as string);
    }
    const override = await visitors.thomas.post(`/assessments/${ids.draft}`, {
      intent: "override",
      crimeArea: "banking_trojans",
      score: "12",
      reason: `Raised because ${SECRET.anonymousName} confirmed the campaign by phone.`,
    });
    expect(mainText(await expectStatus(override, 400, "the override"))).toContain(`“${SECRET.anonymousName}”`);
    expect(db().select({ n: count() }).from(targetProposals).where(eq(targetProposals.editionId, ids.draft)).get()!.n).toBe(0);
  });

  it("takes a withheld source's names out of text written before the rule, on the page, the print view, the CSV and STIX", async () => {
    // An older proposal, from before its organisation's alias was recorded, as the database holds it.
    const donauItem = itemIdWithTitle(SECRET.donauTitle);
    const rationale = `${SECRET.anonymousAlias} and ${SECRET.anonymousName} both saw the overlay kit's panel.`;
    const proposal = db()
      .insert(targetProposals)
      .values({ editionId: ids.published, kind: "network", name: "Overlay kit sellers", rationale, state: "endorsed", proposedByUserId: userId(PEOPLE.thomas), proposedAt: new Date(), decidedByUserId: userId(PEOPLE.anna), decidedAt: new Date() })
      .returning({ id: targetProposals.id })
      .get();
    db().insert(targetEvidence).values({ proposalId: proposal.id, itemId: donauItem }).run();
    const paths = [
      `/assessments/${ids.published}`,
      `/assessments/${ids.published}.data`,
      `/assessments/${ids.published}/print`,
      `/assessments/${ids.published}/export/csv`,
      `/assessments/${ids.published}/export/stix`,
    ];
    for (const path of paths) {
      const body = decode(await expectStatus(await visitors.thomas.get(path), 200, path));
      expect(body, path).toContain("both saw the overlay kit");
      expect(body, path).not.toContain(SECRET.anonymousAlias);
      expect(body, path).not.toContain(SECRET.anonymousName);
    }
  });

  it("lets nobody endorse a target they proposed, and refuses to publish while one has no other endorser", async () => {
    const donauItem = itemIdWithTitle(SECRET.donauTitle);
    const proposed = await propose("thomas", ids.draft, { name: "Overlay kit sellers", rationale: "They sell the overlay kit on two forums.", itemIds: String(donauItem) });
    await expectStatus(proposed, 302, "proposing");
    const proposal = db().select().from(targetProposals).where(eq(targetProposals.editionId, ids.draft)).all().at(-1)!;
    const own = await visitors.thomas.post(`/assessments/${ids.draft}`, { intent: "decide", proposalId: String(proposal.id), decision: "endorsed" });
    expect(mainText(await expectStatus(own, 403, "endorsing his own"))).toContain("Four eyes");
    expect(db().select().from(targetProposals).where(eq(targetProposals.id, proposal.id)).get()!.state).toBe("proposed");
    // The page offers him no button for it; Ines gets one.
    expect(await (await visitors.thomas.get(`/assessments/${ids.draft}`)).text()).not.toContain(`name="proposalId" value="${proposal.id}"`);
    expect(await (await visitors.ines.get(`/assessments/${ids.draft}`)).text()).toContain(`name="proposalId" value="${proposal.id}"`);

    // A self-endorsement from before the rule blocks publishing until someone else decides.
    db().update(targetProposals).set({ state: "endorsed", decidedByUserId: userId(PEOPLE.thomas), decidedAt: new Date() }).where(eq(targetProposals.id, proposal.id)).run();
    const publish = await visitors.thomas.post(`/assessments/${ids.draft}`, { intent: "publish", confirmed: "yes" });
    expect(mainText(await expectStatus(publish, 409, "publishing"))).toContain("no endorser other than the analyst who proposed it");
    db().update(targetProposals).set({ state: "proposed", decidedByUserId: null, decidedAt: null }).where(eq(targetProposals.id, proposal.id)).run();
  });

  it("hides a target that rests on a RED item from everyone the item does not name", async () => {
    const redItem = itemIdWithTitle(SECRET.redTitle);
    await expectStatus(
      await propose("thomas", ids.draft, { name: SECRET.redActor, rationale: "The insider's buyers, from the RED report alone.", itemIds: String(redItem) }),
      302,
      "proposing on the RED item",
    );
    expect(decode(await (await visitors.thomas.get(`/assessments/${ids.draft}`)).text())).toContain(SECRET.redActor);
    for (const who of ["anna", "ines"] as const) {
      const html = decode(await expectStatus(await visitors[who].get(`/assessments/${ids.draft}`), 200, who));
      expect(html).not.toContain(SECRET.redActor);
      expect(mainText(html)).toContain("One more proposal rests on items you may not read");
    }
  });

  it("shows the coordinator an anonymous input without its organisation, its people or its names in their words", async () => {
    const html = decode(await expectStatus(await visitors.anna.get(`/inputs/${ids.cordilleraInput}`), 200, "anna"));
    expect(mainText(html)).toContain("An organisation that asked to stay anonymous");
    for (const words of ["Andrés Restrepo", SECRET.anonymousName, SECRET.anonymousAlias]) expect(html, words).not.toContain(words);
    expect(html).toContain("Card-not-present fraud wave seen by [source withheld]");
    // The analysts read who it is from.
    expect(mainText(await (await visitors.ines.get(`/inputs/${ids.cordilleraInput}`)).text())).toContain("Banco Cordillera S.A.");
  });

  it("ends access at once when an organisation is removed or a person moved, keeps their input with the organisation, and writes nothing on a GET", async () => {
    const inviteeRows = () => db().select({ n: count() }).from(consultationInvitees).get()!.n;
    const before = inviteeRows();
    // A plain GET of the consultation by each kind of viewer writes no invitee row.
    for (const who of VIEWERS) await (await visitors[who].get(`/consultations/${ids.consultation}`)).text();
    expect(inviteeRows()).toBe(before);

    // What was sent before is theirs to keep: count it once the outbox has drained.
    await outboxDrained();
    for (const email of [PEOPLE.giulia, PEOPLE.lukas]) mailsAtRemoval.set(email, mailsTo(email).length);
    const removed = await visitors.anna.post(
      `/consultations/${ids.consultation}/edit`,
      editForm(CONSULTATION_ORGANISATIONS.filter((name) => name !== "Vigilanza Digitale S.p.A.")),
    );
    await expectStatus(removed, 302, "removing Vigilanza");
    const lukas = db().select().from(users).where(eq(users.email, PEOPLE.lukas)).get()!;
    const moved = await visitors.elena.post(`/admin/users/${lukas.id}`, {
      intent: "save",
      name: lukas.name,
      email: lukas.email,
      organisationId: String(organisationId("Northern Maple Bank")),
      timeZone: lukas.timeZone,
      locale: lukas.locale,
      roles: "stakeholder",
    });
    await expectStatus(moved, 302, "moving Lukas");

    for (const who of ["giulia", "lukas"] as const) {
      for (const path of [`/consultations/${ids.consultation}`, `/consultations/${ids.consultation}/input`, `/meetings/${ids.meeting}`, `/meetings/${ids.meeting}/calendar.ics`]) {
        await expectStatus(await visitors[who].get(path), 404, `${who} ${path}`);
      }
      const versionsBefore = db().select({ n: count() }).from(threatInputVersions).get()!.n;
      await expectStatus(await submitInput(who, ids.consultation, itemFields(0)), 404, `${who} submitting`);
      expect(db().select({ n: count() }).from(threatInputVersions).get()!.n).toBe(versionsBefore);
    }
    // Lukas cannot give input as Northern Maple, which was never invited.
    expect(inputOf(ids.consultation, "Northern Maple Bank")).toBeUndefined();
    // Vigilanza's input stays with Vigilanza: its member still reads it; the analysts too.
    await expectStatus(await visitors.giulia.get(`/inputs/${ids.vigilanzaInput}`), 200, "giulia's own input");
    expect(inputOf(ids.consultation, "Vigilanza Digitale S.p.A.")!.status).toBe("submitted");
    // Laura, invited by name, takes part in the meetings but gives no input for a CERT not chosen.
    await expectStatus(await visitors.laura.get(`/meetings/${ids.meeting}`), 200, "laura's meeting");
    await expectStatus(await visitors.laura.get(`/consultations/${ids.consultation}/input`), 404, "laura's input form");
  });

  it("drops the meeting from the calendar feeds of people who lost access, and mails them nothing more of it", async () => {
    for (const person of Object.keys(PEOPLE) as Person[]) feeds[person] = issueFeedToken(db(), userId(PEOPLE[person]));
    const feedOf = async (person: Person) => (await fetch(`${portal.url}/calendar/${feeds[person]}.ics`)).text();
    for (const person of ["giulia", "lukas"] as const) expect(await feedOf(person)).not.toContain(SECRET.meetingTitle);
    for (const person of ["katharina", "andres", "laura"] as const) expect(await feedOf(person)).toContain(SECRET.meetingTitle);

    const meeting = db().select().from(meetings).where(eq(meetings.id, ids.meeting)).get()!;
    const later = addDays(meeting.startsAt!.toISOString().slice(0, 10), 1);
    await expectStatus(
      await visitors.anna.post(`/meetings/${ids.meeting}`, { intent: "reschedule", date: later, time: "15:00", timeZone: "Europe/Vienna" }),
      302,
      "rescheduling",
    );
    await waitForMail(PEOPLE.katharina, (mail) => /moved|rescheduled/i.test(mail.subject ?? ""));
    for (const email of [PEOPLE.giulia, PEOPLE.lukas]) {
      const since = mailsTo(email).slice(mailsAtRemoval.get(email));
      expect(since.filter((mail) => mail.raw.includes(SECRET.meetingTitle)), email).toEqual([]);
    }
  });
});

async function outboxDrained() {
  const deadline = Date.now() + 15_000;
  while (db().select({ n: count() }).from(outbox).where(eq(outbox.status, "pending")).get()!.n > 0) {
    if (Date.now() > deadline) throw new Error("the outbox did not drain");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function mailsTo(email: string): ReceivedMail[] {
  return smtp.received.filter((mail) => mail.envelopeTo.some((to) => to.toLowerCase() === email));
}

async function waitForMail(email: string, match: (mail: ReceivedMail) => boolean) {
  const deadline = Date.now() + 10_000;
  while (!mailsTo(email).some(match)) {
    if (Date.now() > deadline) throw new Error(`no such mail to ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The worker sends in one pass: give the rest of the batch a moment.
  await new Promise((resolve) => setTimeout(resolve, 500));
}

// ---------------------------------------------------------------------------------------------
// The leak matrix

type Url = { path: string; method?: "GET" | "POST"; form?: Record<string, string> };

/** What each viewer may read of each secret on a path: anything not allowed is a leak. */
function mayRead(viewer: Viewer, secret: Secret, path: string): boolean {
  const assessment = path.startsWith("/assessments");
  const ownAnonymousInput = path.startsWith(`/inputs/${ids.cordilleraInput}`) || path.startsWith(`/consultations/${ids.consultation}/input`);
  switch (secret) {
    case "redTitle":
    case "redActor":
    case "redMalware":
    case "redDomain":
      // The analyst the item names; the organisation that wrote it, on its own input.
      return viewer === "thomas" || (viewer === "andres" && ownAnonymousInput);
    case "anonymousAlias":
      // Only where the organisation is known to the reader: its own pages, the analysts' work on
      // its input, the admin's page of the organisation. Never on an edition or in an export.
      if (assessment) return false;
      return (
        (viewer === "andres" && ownAnonymousInput) ||
        (ANALYSTS.includes(viewer) && path.startsWith(`/inputs/${ids.cordilleraInput}`)) ||
        (viewer === "elena" && path.startsWith("/admin/organisations"))
      );
    case "anonymousName":
      // The name itself is no secret (invitations, meetings, the admin's lists, its own members'
      // pages); as the source of its items it is, on every edition page and export, and on its
      // input for non-analysts.
      if (viewer === "andres") return true;
      if (assessment) return false;
      if (path.startsWith(`/inputs/${ids.cordilleraInput}`)) return ANALYSTS.includes(viewer);
      return true;
    case "donauTitle":
      return viewer === "katharina" || STAFF.includes(viewer);
    case "meetingTitle":
      return CURRENT_INVITEES.includes(viewer) || STAFF.includes(viewer);
  }
}

/** The status each viewer gets on each route: the access matrix, written down. */
function expectedStatus(viewer: Viewer, routeId: string, path: string): number | number[] {
  const signedOut = viewer === "signedOut";
  const staff = STAFF.includes(viewer);
  const analyst = ANALYSTS.includes(viewer);
  const admin = viewer === "elena";
  const login = 302;
  const seesConsultation = staff || CURRENT_INVITEES.includes(viewer);
  const ownInput = (id: number) =>
    (id === ids.donauInput && viewer === "katharina") ||
    (id === ids.cordilleraInput && viewer === "andres") ||
    (id === ids.vigilanzaInput && viewer === "giulia");
  switch (routeId) {
    case "routes/login":
      return signedOut ? 200 : 302;
    case "routes/login_.link":
      return 400;
    case "routes/refused":
      return 404; // only the request guard renders it, with a refusal of its own
    case "routes/logout":
      return 302;
    case "routes/calendar.$feed":
      return path.includes("not-a-feed") ? 404 : 200;
    case "routes/taxii2._index":
    case "routes/taxii2.intel._index":
    case "routes/taxii2.intel.collections._index":
    case "routes/taxii2.intel.collections.$collectionId._index":
    case "routes/taxii2.intel.collections.$collectionId.objects._index":
    case "routes/taxii2.intel.collections.$collectionId.objects.$objectId._index":
    case "routes/taxii2.intel.collections.$collectionId.objects.$objectId.versions":
    case "routes/taxii2.intel.collections.$collectionId.manifest":
    case "routes/taxii2.$":
      // TAXII takes an agency's API key, never a session (tests/integration/intel.test.ts); past
      // 30 keyless requests a minute from one address, it answers 429 instead.
      return [401, 429];
    case "routes/dev.mailbox._index":
    case "routes/dev.mailbox.$messageId":
    case "routes/dev.mailbox.$messageId.html":
    case "routes/dev.mailbox.$messageId.attachments.$number":
      return 404; // with a real SMTP server there is no demo mailbox
  }
  if (signedOut) return login;
  switch (routeId) {
    case "root":
    case "routes/_index":
    case "routes/settings":
    case "routes/help.assessment":
    case "routes/consultations._index":
      return 200;
    case "routes/triage":
      return analyst ? 200 : 403;
    case "routes/reference.names":
      return 200;
    case "routes/search":
      return analyst ? 200 : 403;
    case "routes/consultations.new":
    case "routes/consultations.$consultationId.edit":
    case "routes/consultations.$consultationId.meetings.new":
      return viewer === "anna" ? 200 : 403;
    case "routes/meetings.$meetingId_.finalise":
      // Only a coordinator finalises, and this meeting's time is settled already.
      return viewer === "anna" ? 409 : 403;
    case "routes/consultations.$consultationId._index":
    case "routes/meetings.$meetingId":
    case "routes/meetings.$meetingId_.calendar[.ics]":
      return seesConsultation ? 200 : 404;
    case "routes/consultations.$consultationId.input":
      return viewer === "katharina" || viewer === "andres" ? 200 : staff || admin ? 403 : 404;
    case "routes/inputs.$inputId._index":
    case "routes/inputs.$inputId.versions.$number": {
      const id = Number(/\/inputs\/(\d+)/.exec(path)![1]);
      return staff || ownInput(id) ? 200 : 404;
    }
    case "routes/assessments._index":
    case "routes/assessments.$editionId._index":
    case "routes/assessments.$editionId.items":
    case "routes/assessments.$editionId.print":
      return staff ? 200 : 404;
    case "routes/assessments.new":
      return analyst ? 200 : staff ? 403 : 404;
    case "routes/assessments.$editionId.publish":
      if (!staff) return 404;
      if (!analyst) return 403;
      return path.includes(`/${ids.published}/`) ? 409 : 200;
    case "routes/assessments.$editionId.export.$format":
      if (!staff) return 404;
      if (!analyst) return 403;
      return path.includes(`/${ids.draft}/`) ? 409 : 200;
    default:
      if (routeId.startsWith("routes/admin")) return admin ? 200 : 403;
      throw new Error(`no expectation for ${routeId}`);
  }
}

/** The route manifest of the built portal, each route with its full path pattern. */
async function routeManifest() {
  const build = (await import(path.resolve("build/index.js"))) as ServerBuild;
  const fullPath = (id: string): string => {
    const route = build.routes[id]!;
    const own = route.path ?? "";
    const parent = route.parentId ? fullPath(route.parentId) : "";
    return [parent, own].filter(Boolean).join("/");
  };
  return Object.keys(build.routes).map((id) => ({ id, pattern: `/${fullPath(id)}`, module: build.routes[id]!.module }));
}

/** The concrete requests for each route id: every id filled in from the round above. */
function requestsFor(routeId: string, viewer: Viewer): Url[] | undefined {
  const c = ids.consultation;
  const inputs = [ids.donauInput, ids.cordilleraInput, ids.vigilanzaInput];
  const editions = [ids.published, ids.draft];
  const map: Record<string, Url[]> = {
    root: [{ path: "/" }],
    "routes/_index": [{ path: "/" }],
    "routes/login": [{ path: "/login" }],
    "routes/login_.link": [{ path: "/login/link" }],
    "routes/logout": [{ path: "/logout" }],
    "routes/refused": [{ path: "/refused" }],
    "routes/settings": [{ path: "/settings" }],
    "routes/help.assessment": [{ path: "/help/assessment" }],
    "routes/triage": [{ path: "/triage" }, { path: `/triage?consultationId=${c}` }, { path: "/triage?tlp=TLP%3ARED" }],
    "routes/consultations._index": [
      { path: "/consultations" },
      // A stakeholder's filter never widens what the gate lets them see (drafts included).
      { path: "/consultations?status=draft" },
      { path: "/consultations?q=mule&status=open" },
    ],
    "routes/consultations.new": [{ path: "/consultations/new" }],
    "routes/consultations.$consultationId._index": [
      { path: `/consultations/${c}` },
      // Each list's cursor moves that list on; none opens what the page itself would not show.
      { path: `/consultations/${c}?invitees=${encodeCursor(["", 0])}&inputs=${encodeCursor([Date.now(), 1e9])}&meetings=${encodeCursor([Date.now(), 1e9])}` },
    ],
    "routes/consultations.$consultationId.edit": [{ path: `/consultations/${c}/edit` }],
    "routes/consultations.$consultationId.input": [{ path: `/consultations/${c}/input` }],
    "routes/consultations.$consultationId.meetings.new": [{ path: `/consultations/${c}/meetings/new` }],
    "routes/meetings.$meetingId": [{ path: `/meetings/${ids.meeting}` }],
    "routes/meetings.$meetingId_.calendar[.ics]": [{ path: `/meetings/${ids.meeting}/calendar.ics` }],
    "routes/meetings.$meetingId_.finalise": [{ path: `/meetings/${ids.meeting}/finalise?slotId=${ids.slot}` }],
    "routes/calendar.$feed": [
      ...(viewer === "signedOut" ? [] : [{ path: `/calendar/${feeds[viewer]}.ics` }]),
      { path: "/calendar/not-a-feed-token-at-all-000000000000000000000.ics" },
    ],
    "routes/inputs.$inputId._index": inputs.map((id) => ({ path: `/inputs/${id}` })),
    "routes/inputs.$inputId.versions.$number": inputs.map((id) => ({ path: `/inputs/${id}/versions/1` })),
    "routes/assessments._index": [{ path: "/assessments" }],
    "routes/assessments.new": [{ path: "/assessments/new" }],
    "routes/assessments.$editionId._index": editions.map((id) => ({ path: `/assessments/${id}` })),
    "routes/assessments.$editionId.items": editions.flatMap((id) => [
      { path: `/assessments/${id}/items?area=banking_trojans` },
      { path: `/assessments/${id}/items?malware=${SECRET.redMalware}` },
      { path: `/assessments/${id}/items?indicator=domain%3A${SECRET.redDomain}` },
      { path: `/assessments/${id}/items` },
    ]),
    "routes/assessments.$editionId.print": editions.map((id) => ({ path: `/assessments/${id}/print` })),
    "routes/assessments.$editionId.publish": editions.map((id) => ({ path: `/assessments/${id}/publish` })),
    "routes/assessments.$editionId.export.$format": editions.flatMap((id) => [
      { path: `/assessments/${id}/export/stix` },
      { path: `/assessments/${id}/export/csv` },
    ]),
    "routes/admin": [{ path: "/admin" }],
    "routes/admin._index": [{ path: "/admin" }],
    "routes/admin.audit": [{ path: "/admin/audit" }],
    "routes/admin.audit[.csv]": [{ path: "/admin/audit.csv" }, { path: "/admin/audit.csv?action=assessment." }],
    "routes/admin.outbox": [{ path: "/admin/outbox" }],
    "routes/admin.users._index": [{ path: "/admin/users" }],
    "routes/admin.users.new": [{ path: "/admin/users/new" }],
    "routes/admin.users.$userId": [{ path: `/admin/users/${ids.user}` }],
    "routes/admin.organisations._index": [{ path: "/admin/organisations" }],
    "routes/admin.organisations.new": [{ path: "/admin/organisations/new" }],
    "routes/admin.organisations.$organisationId": [{ path: `/admin/organisations/${ids.organisation}` }],
    "routes/reference.names": [{ path: "/reference/names" }],
    // The RED item names T1566.001 and GlassKit: only Thomas finds it.
    "routes/search": [
      { path: "/search?q=T1566.001" },
      { path: "/search?q=Grandoreiro" },
      { path: `/search?q=${SECRET.redMalware}` },
      { path: `/search?q=${encodeURIComponent(SECRET.redDomain.replace(".", "[.]"))}` },
    ],
    "routes/admin.agencies._index": [{ path: "/admin/agencies" }],
    "routes/admin.agencies.$agencyId": [{ path: `/admin/agencies/${ids.agency}` }],
    "routes/taxii2._index": [{ path: "/taxii2/" }],
    "routes/taxii2.intel._index": [{ path: "/taxii2/intel/" }],
    "routes/taxii2.intel.collections._index": [{ path: "/taxii2/intel/collections/" }],
    "routes/taxii2.intel.collections.$collectionId._index": [{ path: `/taxii2/intel/collections/${TAXII_COLLECTION}/` }],
    "routes/taxii2.intel.collections.$collectionId.objects._index": [{ path: `/taxii2/intel/collections/${TAXII_COLLECTION}/objects/` }],
    "routes/taxii2.intel.collections.$collectionId.objects.$objectId._index": [
      { path: `/taxii2/intel/collections/${TAXII_COLLECTION}/objects/indicator--00000000-0000-5000-8000-000000000000/` },
    ],
    "routes/taxii2.intel.collections.$collectionId.objects.$objectId.versions": [
      { path: `/taxii2/intel/collections/${TAXII_COLLECTION}/objects/indicator--00000000-0000-5000-8000-000000000000/versions/` },
    ],
    "routes/taxii2.intel.collections.$collectionId.manifest": [{ path: `/taxii2/intel/collections/${TAXII_COLLECTION}/manifest/` }],
    "routes/taxii2.$": [{ path: "/taxii2/intel/status/1/" }],
    "routes/dev.mailbox._index": [{ path: "/dev/mailbox" }],
    "routes/dev.mailbox.$messageId": [{ path: "/dev/mailbox/1" }],
    "routes/dev.mailbox.$messageId.html": [{ path: "/dev/mailbox/1/html" }],
    "routes/dev.mailbox.$messageId.attachments.$number": [{ path: "/dev/mailbox/1/attachments/1" }],
  };
  return map[routeId];
}

/** The single-fetch twin of a page (what client-side navigation loads): every loader's data. */
const dataPath = (pagePath: string) => {
  const url = new URL(pagePath, "http://portal");
  return `${url.pathname === "/" ? "/_root" : url.pathname}.data${url.search}`;
};

describe("the leak matrix", () => {
  it("answers every viewer on every route with the expected status, and lets no secret reach a viewer who may not read it", async () => {
    const manifest = await routeManifest();
    const uncovered = manifest.filter((route) => VIEWERS.some((viewer) => !requestsFor(route.id, viewer)));
    expect(uncovered.map((route) => `${route.id} (${route.pattern})`), "routes the matrix does not cover").toEqual([]);

    const leaks: string[] = [];
    const wrongStatus: string[] = [];
    let requests = 0;
    const check = (viewer: Viewer, path: string, text: string) => {
      // What the viewer typed into the address (a drill-down by a value) comes back to them: no leak.
      // A defanged value is asked for, and echoed, in its plain form.
      const asked = decodeURIComponent(path).replaceAll("[.]", ".").toLowerCase();
      for (const secret of Object.keys(SECRET) as Secret[]) {
        if (asked.includes(SECRET[secret].toLowerCase())) continue;
        if (!mayRead(viewer, secret, path) && text.toLowerCase().includes(SECRET[secret].toLowerCase())) {
          leaks.push(`${viewer} ${path}: ${secret}`);
        }
      }
    };
    for (const route of manifest) {
      const pages = route.module.default !== undefined;
      for (const viewer of VIEWERS) {
        for (const url of requestsFor(route.id, viewer)!) {
          const response = await visitors[viewer].get(url.path);
          requests += 1;
          const body = decode(await response.text());
          const expected = [expectedStatus(viewer, route.id, url.path)].flat();
          if (!expected.includes(response.status)) wrongStatus.push(`${viewer} ${url.path}: ${response.status}, expected ${expected.join(" or ")}`);
          check(viewer, url.path, `${[...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}\n${body}`);
          if (pages && response.status !== 302) {
            const data = await visitors[viewer].get(dataPath(url.path));
            requests += 1;
            if (data.status >= 500) wrongStatus.push(`${viewer} ${dataPath(url.path)}: ${data.status}`);
            check(viewer, url.path, decode(await data.text()));
          }
        }
      }
    }
    // A named-recipient export by each viewer, and the print views: the strictest exits.
    for (const viewer of VIEWERS) {
      for (const editionId of [ids.published]) {
        const response = await visitors[viewer].post(`/assessments/${editionId}/export/named`, { format: "stix", recipient: "A named recipient at an agency", confirm: "on" });
        requests += 1;
        const expected = viewer === "signedOut" ? 302 : ANALYSTS.includes(viewer) ? 200 : STAFF.includes(viewer) ? 403 : 404;
        if (response.status !== expected) wrongStatus.push(`${viewer} named export: ${response.status}, expected ${expected}`);
        check(viewer, `/assessments/${editionId}/export/named`, await response.text());
      }
    }
    // Every mail the round sent: mail says that something happened, never what.
    for (const mail of smtp.received) {
      for (const secret of ["anonymousAlias", "donauTitle", ...RED_SECRETS] as Secret[]) {
        if (mail.raw.toLowerCase().includes(SECRET[secret].toLowerCase())) leaks.push(`mail to ${mail.envelopeTo.join(",")}: ${secret}`);
      }
    }

    console.info(
      `leak matrix: ${requests} requests over ${manifest.length} routes, ${VIEWERS.length} viewers, ${Object.keys(SECRET).length} secrets, ${smtp.received.length} mails`,
    );
    expect(wrongStatus).toEqual([]);
    expect(leaks).toEqual([]);
  }, 300_000);
});
