import { eq, sql } from "drizzle-orm";
import type { Db } from "~/lib/db.server";
import { getAccount, type Account } from "~/modules/accounts/service.server";
import { editionFormSchema } from "~/modules/assessment/schema";
import { createEdition, decideTarget, itemsBehind, listEditions, proposeTarget, publishEdition, setOverride } from "~/modules/assessment/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { closeConsultation, createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { meetingFormSchema } from "~/modules/scheduling/schema";
import { castVotes, finaliseMeeting, pollOverview, proposeMeeting } from "~/modules/scheduling/service.server";
import { threatInputFormSchema } from "~/modules/threat-input/schema";
import { answerQuestion, askQuestion, decideTriage, inputFormFor, saveDraft, submitInput } from "~/modules/threat-input/service.server";
import { consultations, organisations, users, type CrimeArea, type VoteAnswer } from "./schema";

// A consultation round as a newcomer should meet it on the first start: an earlier round with a
// published edition (for the trend), and the current one, open, with its invitations, a meeting
// chosen and another still polling, input from several organisations at every TLP level and
// attribution, triage in every state with a question thread, and a published edition with an
// override and targets. Everything goes through the modules' own functions, as people would have
// done it, at times counted back from "now" so that deadlines and meetings lie ahead.

const DAY = 86_400_000;
const CURRENT_ROUND = "Banking trojans, fraud and ransomware: autumn round";
const EARLIER_ROUND = "Banking trojans and online fraud: spring round";

const ANNA = "anna.visser@taskforce.example";
const THOMAS = "thomas.keller@taskforce.example";
const RAFAEL = "rafael.ortega@taskforce.example";

type Item = {
  crimeArea: CrimeArea;
  title: string;
  /** Days before now that the observation began, and ended (null: still going on). */
  from: number;
  to: number | null;
  trend: "new" | "increasing" | "stable" | "decreasing";
  impact: number;
  likelihood: number;
  sectors: string[];
  countries: string;
  actors?: string;
  malware?: string;
  techniques?: string;
  indicators?: string;
  grade: string;
  tlp: "TLP:CLEAR" | "TLP:GREEN" | "TLP:AMBER" | "TLP:AMBER+STRICT" | "TLP:RED";
  redFor?: string[];
  shareOnward: boolean;
  attribution: "named" | "sector_country" | "anonymous";
  narrative: string;
  actions?: string;
};

type Input = {
  email: string;
  items: Item[];
  triage?:
    | { decision: "accept" }
    | { decision: "reject"; reason: string }
    | { question: string; answer?: string };
};

const CURRENT_INPUTS: Input[] = [
  {
    email: "andres.restrepo@bancocordillera.example",
    triage: { decision: "accept" },
    items: [
      {
        crimeArea: "banking_trojans",
        title: "Mekotio and Grandoreiro overlays on mobile banking in Colombia",
        from: 80, to: null, trend: "increasing", impact: 4, likelihood: 5,
        sectors: ["finance", "individuals"], countries: "CO, ES",
        actors: "Grandoreiro operators (Grandoreiro crew)", malware: "Grandoreiro, Mekotio", techniques: "T1566.001, T1204.002",
        indicators: "hxxps://banca-cordillera-seguro[.]example/ingreso\n185.220.101.47\n2f7c3d9a51e0b8a4c6d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0",
        grade: "B2", tlp: "TLP:AMBER+STRICT", shareOnward: true, attribution: "anonymous",
        narrative: "Phishing SMS lead to an MSI dropper; the trojan draws a fake login over our app and relays one-time codes.",
        actions: "Take down the phishing domains and sinkhole the relay servers.",
      },
    ],
  },
  {
    email: "olivia.tremblay@northernmaple.example",
    triage: { decision: "accept" },
    items: [
      {
        crimeArea: "online_fraud",
        title: "Business email compromise against corporate treasury desks",
        from: 60, to: 20, trend: "stable", impact: 3, likelihood: 3,
        sectors: ["finance", "retail"], countries: "CA, US",
        indicators: "payments-update@northernmaple-treasury.example\ninvoice_update.pdf.exe",
        grade: "C2", tlp: "TLP:GREEN", shareOnward: true, attribution: "sector_country",
        narrative: "Look-alike domains ask treasury staff to change a supplier's bank details before quarter end.",
      },
    ],
  },
  {
    email: "giulia.rossi@vigilanzadigitale.example",
    triage: { decision: "accept" },
    items: [
      {
        crimeArea: "intrusion",
        title: "LockBit affiliates entering through unpatched VPN appliances",
        from: 70, to: null, trend: "increasing", impact: 5, likelihood: 4,
        sectors: ["health", "government"], countries: "IT, DE, FR",
        actors: "LockBit affiliates (LockBitSupp affiliates)", malware: "LockBit 3.0", techniques: "T1190, T1486",
        indicators: "45.155.205.233\nvpn-update-check.example",
        grade: "B2", tlp: "TLP:RED", redFor: [THOMAS], shareOnward: false, attribution: "named",
        narrative: "Four incident responses this quarter began at the same VPN flaw; the affiliates exfiltrate before encrypting.",
        actions: "Warn hospitals and municipalities running the appliance.",
      },
      {
        crimeArea: "banking_trojans",
        title: "Grandoreiro builds tested against Italian banks' apps",
        from: 40, to: null, trend: "new", impact: 3, likelihood: 4,
        sectors: ["finance"], countries: "IT",
        malware: "Grandoreiro", indicators: "185.220.101.47",
        grade: "B3", tlp: "TLP:AMBER", shareOnward: true, attribution: "named",
        narrative: "Samples seen in our sandbox carry overlays for three Italian banks, not yet seen in the wild.",
      },
    ],
  },
  {
    email: "camille.laurent@reponse-cyber.example",
    triage: { decision: "accept" },
    items: [
      {
        crimeArea: "botnets",
        title: "IoT botnet renting DDoS capacity to fraud crews",
        from: 90, to: 20, trend: "decreasing", impact: 2, likelihood: 3,
        sectors: ["telecom"], countries: "FR, NL, DE",
        malware: "Mirai variant", techniques: "T1498",
        indicators: "198.51.100.23\n203.0.113.77",
        grade: "A2", tlp: "TLP:CLEAR", shareOnward: true, attribution: "named",
        narrative: "The botnet shrank after the router firmware update, but its operators still sell short DDoS runs.",
      },
    ],
  },
  {
    email: "katharina.huber@donau-privatbank.example",
    triage: { question: "Which of the three overlay domains did your customers actually report, and since when?" },
    items: [
      {
        crimeArea: "banking_trojans",
        title: "Grandoreiro overlays on our mobile banking app",
        from: 50, to: null, trend: "increasing", impact: 4, likelihood: 4,
        sectors: ["finance", "individuals"], countries: "AT, DE",
        malware: "Grandoreiro",
        indicators: "hxxps://donau-secure[.]example/login\n185.220.101.47",
        grade: "C2", tlp: "TLP:AMBER", shareOnward: true, attribution: "sector_country",
        narrative: "Customers report a second login screen after opening the app; the fraud desk traced three overlay domains.",
      },
    ],
  },
  {
    email: "emily.carter@libertyharbor.example",
    triage: {
      question: "Is the card-testing traffic coming from the same hosting provider each time?",
      answer: "Mostly one provider in the Netherlands, rotating addresses every few hours; we can send the logs.",
    },
    items: [
      {
        crimeArea: "online_fraud",
        title: "Card-testing bursts against our e-commerce gateway",
        from: 30, to: null, trend: "new", impact: 2, likelihood: 4,
        sectors: ["finance", "retail"], countries: "US",
        grade: "C3", tlp: "TLP:GREEN", shareOnward: true, attribution: "sector_country",
        narrative: "Thousands of one-dollar authorisations a night from rotating addresses, before larger fraud.",
      },
    ],
  },
  {
    email: "oliver.bennett@thameside-payments.example",
    triage: { decision: "reject", reason: "A retail chargeback dispute: outside the consultation's crime areas." },
    items: [
      {
        crimeArea: "online_fraud",
        title: "Chargeback disputes from one online retailer",
        from: 26, to: 19, trend: "stable", impact: 1, likelihood: 2,
        sectors: ["retail"], countries: "GB",
        grade: "C4", tlp: "TLP:GREEN", shareOnward: true, attribution: "sector_country",
        narrative: "One merchant's customers dispute deliveries; no sign of organised fraud yet.",
      },
    ],
  },
  {
    email: "jonas.becker@rheinwelle.example",
    items: [
      {
        crimeArea: "malware_distribution",
        title: "Spam waves delivering droppers from compromised mail servers",
        from: 25, to: null, trend: "increasing", impact: 3, likelihood: 4,
        sectors: ["telecom", "individuals"], countries: "DE, AT",
        malware: "SmokeLoader", techniques: "T1566.001",
        indicators: "mail.kompromittiert-beispiel.example\n203.0.113.145",
        grade: "B2", tlp: "TLP:AMBER", shareOnward: true, attribution: "named",
        narrative: "Our abuse desk counts ten times the usual spam complaints; the attachments fetch SmokeLoader.",
      },
    ],
  },
  {
    email: "sanne.devries@polder-netwerken.example",
    items: [
      {
        crimeArea: "botnets",
        title: "Residential proxies sold from infected home routers",
        from: 45, to: null, trend: "stable", impact: 3, likelihood: 3,
        sectors: ["telecom"], countries: "NL, BE",
        grade: "B3", tlp: "TLP:AMBER", shareOnward: true, attribution: "anonymous",
        narrative: "Customers' routers relay traffic for a proxy service advertised on underground forums.",
      },
    ],
  },
];

/** The earlier round's input, accepted and published in the spring edition. */
const EARLIER_INPUTS: Input[] = [
  {
    email: "katharina.huber@donau-privatbank.example",
    triage: { decision: "accept" },
    items: [
      {
        crimeArea: "banking_trojans",
        title: "Credential-stealing overlays reported by retail customers",
        from: 230, to: 170, trend: "new", impact: 3, likelihood: 3,
        sectors: ["finance", "individuals"], countries: "AT",
        malware: "Grandoreiro",
        grade: "C2", tlp: "TLP:AMBER", shareOnward: true, attribution: "named",
        narrative: "The first customers reported a second login screen in the app; losses were small.",
      },
      {
        crimeArea: "online_fraud",
        title: "Invoice fraud against small business customers",
        from: 220, to: 180, trend: "stable", impact: 2, likelihood: 3,
        sectors: ["finance"], countries: "AT, DE",
        grade: "C3", tlp: "TLP:GREEN", shareOnward: true, attribution: "sector_country",
        narrative: "Altered invoices with new bank details, about twenty cases a month.",
      },
    ],
  },
  {
    email: "andres.restrepo@bancocordillera.example",
    triage: { decision: "accept" },
    items: [
      {
        crimeArea: "banking_trojans",
        title: "Mekotio campaign in Colombian tax season",
        from: 240, to: 175, trend: "increasing", impact: 3, likelihood: 4,
        sectors: ["finance", "individuals"], countries: "CO",
        malware: "Mekotio",
        grade: "B2", tlp: "TLP:AMBER", shareOnward: true, attribution: "anonymous",
        narrative: "Mails posing as the tax office deliver Mekotio; the wave followed the tax calendar.",
      },
    ],
  },
];

const isoDate = (at: Date) => at.toISOString().slice(0, 10);
const daysFrom = (now: Date, days: number) => new Date(now.getTime() + days * DAY);

/** `count` working days in a row, the first at least `days` ahead of now, as YYYY-MM-DD. */
function weekdaysAhead(now: Date, days: number, count: number): string[] {
  const found: string[] = [];
  for (let at = daysFrom(now, days); found.length < count; at = daysFrom(at, 1)) {
    if (at.getUTCDay() !== 0 && at.getUTCDay() !== 6) found.push(isoDate(at));
  }
  return found;
}

/** The form's fields of one item, as a person would have typed them; its days count back from `now`. */
function itemValues(index: number, item: Item, now: Date, idOf: (email: string) => number): Record<string, string | string[]> {
  const [sourceReliability, informationCredibility] = item.grade.split("");
  const fields: Record<string, string | string[]> = {
    crimeArea: item.crimeArea,
    title: item.title,
    observedFrom: isoDate(daysFrom(now, -item.from)),
    observedTo: item.to === null ? "" : isoDate(daysFrom(now, -item.to)),
    trend: item.trend,
    impact: String(item.impact),
    likelihood: String(item.likelihood),
    sectors: item.sectors,
    countries: item.countries,
    actors: item.actors ?? "",
    malware: item.malware ?? "",
    techniques: item.techniques ?? "",
    indicators: item.indicators ?? "",
    sourceReliability: sourceReliability!,
    informationCredibility: informationCredibility!,
    tlp: item.tlp,
    redRecipients: (item.redFor ?? []).map((email) => String(idOf(email))),
    attribution: item.attribution,
    narrative: item.narrative,
    recommendedActions: item.actions ?? "",
    ...(item.shareOnward ? { shareOnward: "on" } : {}),
  };
  return Object.fromEntries(Object.entries(fields).map(([field, value]) => [`items.${index}.${field}`, value]));
}

/** Whether the demo round is already there (so that seeding it again adds nothing). */
export function hasDemoRound(db: Db): boolean {
  return !!db.select({ id: consultations.id }).from(consultations).where(eq(consultations.title, CURRENT_ROUND)).get();
}

/**
 * Adds the demo round unless it is there: on the first start of a portal outside tests, and by
 * `npm run db:seed`. Needs the demo people and organisations (seedDemoData) first.
 */
export function seedDemoRound(db: Db, { appUrl, now = new Date() }: { appUrl: string; now?: Date }) {
  if (hasDemoRound(db)) return;
  const idOf = (email: string) => {
    const row = db.select({ id: users.id }).from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase())).get();
    if (!row) throw new Error(`the demo round needs the demo person ${email}: run seedDemoData first`);
    return row.id;
  };
  const person = (email: string): Account => getAccount(db, idOf(email));
  const actor = (email: string) => ({ userId: idOf(email), origin: { userAgent: "demo data" }, appUrl });
  const at = (days: number) => daysFrom(now, days);
  const organisationIds = (names: string[]) =>
    names.map((name) => {
      const row = db.select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name)).get();
      if (!row) throw new Error(`the demo round needs the demo organisation ${name}`);
      return String(row.id);
    });

  const consultation = (title: string, description: string, crimeAreas: CrimeArea[], deadlineInDays: number, names: string[], createdDaysAgo: number) => {
    const id = createConsultation(
      db,
      consultationFormSchema.parse({
        title,
        description,
        crimeAreas,
        deadlineDate: isoDate(at(deadlineInDays)),
        deadlineTime: "17:00",
        deadlineTimeZone: "Europe/Amsterdam",
        organisationIds: organisationIds(names),
      }),
      actor(ANNA),
      at(-createdDaysAgo),
    );
    openConsultation(db, id, actor(ANNA), at(-createdDaysAgo + 1));
    return id;
  };

  /** Each organisation's input: submitted, then triaged as the round's story has it. */
  const giveInput = (consultationId: number, inputs: Input[], submittedDaysAgo: number) => {
    const ids: number[] = [];
    for (const [n, input] of inputs.entries()) {
      const who = person(input.email);
      const stakeholder = { ...who, organisationId: who.organisationId! };
      const submittedAt = at(-submittedDaysAgo + n * 0.1);
      const values = Object.assign({}, ...input.items.map((item, index) => itemValues(index, item, now, idOf)));
      const form = inputFormFor(db, stakeholder, consultationId, submittedAt);
      const items = threatInputFormSchema(form.context).parse(values).items;
      const { inputId } = submitInput(
        db,
        stakeholder,
        consultationId,
        { items, values },
        actor(input.email),
        submittedAt,
      );
      ids.push(inputId);
      const triagedAt = at(-submittedDaysAgo + 2 + n * 0.1);
      const triage = input.triage;
      if (!triage) continue;
      if ("decision" in triage) decideTriage(db, person(THOMAS), inputId, triage, actor(THOMAS), triagedAt);
      else {
        askQuestion(db, person(THOMAS), inputId, triage.question, actor(THOMAS), triagedAt);
        if (triage.answer) answerQuestion(db, who, inputId, triage.answer, actor(input.email), at(-submittedDaysAgo + 3 + n * 0.1));
      }
    }
    return ids;
  };

  const edition = (title: string, consultationIds: number[], fromDaysAgo: number, toDaysAgo: number, createdDaysAgo: number) =>
    createEdition(
      db,
      person(THOMAS),
      editionFormSchema.parse({
        title,
        periodFrom: isoDate(at(-fromDaysAgo)),
        periodTo: isoDate(at(-toDaysAgo)),
        consultationIds: consultationIds.map(String),
      }),
      actor(THOMAS),
      at(-createdDaysAgo),
    );

  // The spring round: closed, its edition published long ago; the trend starts there.
  const spring = consultation(
    EARLIER_ROUND,
    "Input on banking trojans and online fraud for the spring assessment.",
    ["banking_trojans", "online_fraud"],
    -150,
    ["Donau Privatbank AG", "Banco Cordillera S.A.", "Northern Maple Bank", "Liberty Harbor Bank"],
    200,
  );
  giveInput(spring, EARLIER_INPUTS, 165);
  const springEdition = edition("Threat assessment, spring", [spring], 260, 150, 150);
  publishEdition(db, person(THOMAS), springEdition, actor(THOMAS), at(-140));
  closeConsultation(db, spring, actor(ANNA), at(-139));

  // The current round, open, its invitations across the member countries.
  const autumn = consultation(
    CURRENT_ROUND,
    "Your organisation's view of banking trojans, online fraud, intrusion and ransomware, malware distribution and botnets since the spring assessment.",
    ["banking_trojans", "online_fraud", "intrusion", "malware_distribution", "botnets"],
    21,
    [
      "Donau Privatbank AG",
      "Northern Maple Bank",
      "Banco Cordillera S.A.",
      "Colombian Cyber Emergency Response Team",
      "Rheinwelle Telekom GmbH",
      "Agence de Réponse Cyber",
      "Vigilanza Digitale S.p.A.",
      "Polder Netwerken B.V.",
      "Meseta Seguridad S.L.",
      "Thameside Payments Ltd",
      "Liberty Harbor Bank",
    ],
    30,
  );

  // A kick-off meeting, answered from Bogota to Rome and chosen; a round table still polling.
  const meeting = (title: string, agenda: string, days: number, time: string, proposedDaysAgo: number) =>
    proposeMeeting(
      db,
      autumn,
      meetingFormSchema.parse({
        title,
        agenda,
        durationMinutes: "60",
        videoUrl: "https://video.taskforce.example/consultation",
        timeZone: "Europe/Vienna",
        tlp: "TLP:AMBER",
        ...Object.fromEntries(weekdaysAhead(now, days, 3).flatMap((date, row) => [[`slot${row}Date`, date], [`slot${row}Time`, time]])),
      }),
      actor(ANNA),
      at(-proposedDaysAgo),
    );
  const vote = (meetingId: number, answers: [string, VoteAnswer[]][], daysAgo: number) => {
    const slots = pollOverview(db, meetingId, at(-daysAgo)).slots;
    for (const [email, said] of answers) {
      castVotes(db, person(email), meetingId, said.map((answer, index) => ({ slotId: slots[index]!.id, answer })), at(-daysAgo));
    }
    return slots;
  };
  const kickOff = meeting("Kick-off: banking trojans and fraud", "What each organisation sees; what the taskforce needs by the deadline.", 10, "15:00", 25);
  const kickOffSlots = vote(
    kickOff,
    [
      ["andres.restrepo@bancocordillera.example", ["yes", "if_need_be", "no"]],
      ["olivia.tremblay@northernmaple.example", ["yes", "yes", "if_need_be"]],
      ["giulia.rossi@vigilanzadigitale.example", ["if_need_be", "yes", "yes"]],
      ["katharina.huber@donau-privatbank.example", ["yes", "no", "yes"]],
    ],
    22,
  );
  finaliseMeeting(db, kickOff, kickOffSlots[0]!.id, actor(ANNA), at(-20));
  const roundTable = meeting(
    "Round table: intrusion and ransomware",
    "Initial access through VPN appliances; takedown options.",
    16,
    "16:00",
    6,
  );
  vote(
    roundTable,
    [
      ["andres.restrepo@bancocordillera.example", ["no", "yes", "yes"]],
      ["emily.carter@libertyharbor.example", ["yes", "yes", "if_need_be"]],
      ["camille.laurent@reponse-cyber.example", ["if_need_be", "yes", "no"]],
    ],
    4,
  );

  // Input: accepted, asked about (one question answered), rejected and new; one still a draft.
  giveInput(autumn, CURRENT_INPUTS, 18);
  const lucia = person("lucia.fernandez@meseta-seguridad.example");
  saveDraft(
    db,
    { ...lucia, organisationId: lucia.organisationId! },
    autumn,
    itemValues(
      0,
      {
        crimeArea: "malware_distribution",
        title: "Exploit kit on compromised Spanish news sites",
        from: 15, to: null, trend: "new", impact: 3, likelihood: 3,
        sectors: ["individuals"], countries: "ES",
        grade: "B3", tlp: "TLP:AMBER", shareOnward: true, attribution: "sector_country",
        narrative: "",
      },
      now,
      idOf,
    ),
    at(-1),
  );

  // The autumn edition: over this round, with a score set by hand and targets, published.
  const autumnEdition = edition("Threat assessment, autumn", [autumn], 120, 0, 10);
  setOverride(
    db,
    person(THOMAS),
    autumnEdition,
    {
      crimeArea: "online_fraud",
      score: 18,
      reason: "Card-fraud losses reported to us directly are three times what the input shows.",
    },
    actor(THOMAS),
    at(-6),
  );
  // The items an analyst would tick on the page of the items behind a crime area.
  const supporting = (crimeArea: CrimeArea) =>
    itemsBehind(db, person(THOMAS), autumnEdition, { area: crimeArea }, actor(THOMAS), at(-5))
      .items.filter((item) => item.tlp !== "TLP:RED")
      .map((item) => item.id);
  const grandoreiro = proposeTarget(
    db,
    person(THOMAS),
    autumnEdition,
    {
      kind: "network",
      name: "Grandoreiro operators",
      rationale: "Three organisations on two continents report the same relay server and overlays.",
      itemIds: supporting("banking_trojans"),
    },
    actor(THOMAS),
    at(-5),
  );
  proposeTarget(
    db,
    person(THOMAS),
    autumnEdition,
    {
      kind: "actor",
      name: "DDoS-for-hire operators",
      rationale: "They rent the shrinking IoT botnet to fraud crews; a takedown would cut both.",
      itemIds: supporting("botnets"),
    },
    actor(THOMAS),
    at(-5),
  );
  decideTarget(db, person(RAFAEL), autumnEdition, { proposalId: grandoreiro, decision: "endorsed", note: "Enough to open a case." }, actor(RAFAEL), at(-4));
  publishEdition(db, person(THOMAS), autumnEdition, actor(THOMAS), at(-2));

  // A draft edition for the analysts to carry on with.
  edition("Threat assessment, winter (draft)", [autumn, spring], 260, 0, 1);
  if (listEditions(db, person(THOMAS)).length !== 3) throw new Error("the demo round did not store its editions");
}
