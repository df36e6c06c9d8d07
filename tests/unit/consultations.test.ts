import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  auditEvents,
  consultationInvitees,
  consultationOrganisations,
  consultations,
  outbox,
} from "../../db/schema";
import { DEMO_SIGN_INS } from "../../db/seed";
import { formatDateTime } from "~/lib/time";
import { getAccount, setAccountActive } from "~/modules/accounts/service.server";
import { consultationFormSchema } from "~/modules/consultations/schema";
import {
  closeConsultation,
  consultationInviteeCounts,
  consultationInviteeStates,
  createConsultation,
  getConsultation,
  listConsultationsFor,
  noteFirstView,
  openConsultation,
  updateConsultation,
  viewConsultation,
} from "~/modules/consultations/service.server";
import { BROADCAST_HANDLERS } from "~/modules/broadcasts/handlers.server";
import { drainBroadcasts } from "~/modules/broadcasts/service.server";
import { freshDatabase } from "../support/db";
import { appErrorFrom, failedFields, later, minutes, organisationIdOf, rowCount, userIdOf } from "./helpers";

const APP_URL = "http://localhost:3000";
const origin = { ip: "203.0.113.5", userAgent: "vitest" };
const T0 = new Date("2026-03-02T09:00:00.000Z");

const NORTHERN_MAPLE = "Northern Maple Bank"; // Olivia (Toronto), Étienne (Toronto)
const LIBERTY_HARBOR = "Liberty Harbor Bank"; // Emily (New York), Michael (Chicago)
const CORDILLERA = "Banco Cordillera S.A."; // Andrés (Bogota)
const VIGILANZA = "Vigilanza Digitale S.p.A."; // Giulia (Rome): the fourth organisation

const OLIVIA = "olivia.tremblay@northernmaple.example";
const ETIENNE = "etienne.gagnon@northernmaple.example";
const EMILY = "emily.carter@libertyharbor.example";
const MICHAEL = "michael.chen@libertyharbor.example";
const ANDRES = "andres.restrepo@bancocordillera.example";
const GIULIA = "giulia.rossi@vigilanzadigitale.example";
const LAURA = "laura.gomez@colcert.example";

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
let coordinator: { userId: number; origin: typeof origin; appUrl: string };

beforeEach(() => {
  ({ db, sqlite } = freshDatabase({ seed: true }));
  coordinator = { userId: userIdOf(db, DEMO_SIGN_INS.coordinator), origin, appUrl: APP_URL };
});
afterEach(() => sqlite.close());

const account = (email: string) => getAccount(db, userIdOf(db, email));

/** The form as a browser posts it: strings, one checkbox value or several. */
function formValues(overrides: Record<string, unknown> = {}) {
  return {
    title: "Banking trojans and BEC, spring round",
    description: "What you see of credential theft against your customers.",
    crimeAreas: ["banking_trojans", "online_fraud"],
    deadlineDate: "2026-04-15",
    deadlineTime: "17:00",
    deadlineTimeZone: "Europe/Vienna",
    organisationIds: [NORTHERN_MAPLE, LIBERTY_HARBOR, CORDILLERA].map((name) => String(organisationIdOf(db, name))),
    personIds: [],
    ...overrides,
  };
}
const input = (overrides: Record<string, unknown> = {}) => consultationFormSchema.parse(formValues(overrides));

/** 17:00 in Vienna on 15 April 2026 (CEST). */
const DEADLINE = new Date("2026-04-15T15:00:00.000Z");

const writtenRows = () => ({
  consultations: rowCount(db, consultations),
  organisations: rowCount(db, consultationOrganisations),
  invitees: rowCount(db, consultationInvitees),
  outbox: rowCount(db, outbox),
  audit: rowCount(db, auditEvents),
});

const invitationMails = () => db.select().from(outbox).where(eq(outbox.template, "consultation-invitation")).all();
const inviteeRows = (consultationId: number) =>
  db.select().from(consultationInvitees).where(eq(consultationInvitees.consultationId, consultationId)).all();
const emailsOf = (userIds: number[]) => userIds.map((id) => getAccount(db, id).email).sort();

/** The invitations the broadcast worker composes from what the module committed (no worker in unit tests). */
const drain = (now: Date) => drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, now);

function openedConsultation(overrides: Record<string, unknown> = {}) {
  const id = createConsultation(db, input(overrides), coordinator, T0);
  openConsultation(db, id, coordinator, later(T0, minutes(5)));
  drain(later(T0, minutes(5)));
  return id;
}

describe("consultationFormSchema", () => {
  it("refuses a consultation without a crime area at crimeAreas", () => {
    const result = consultationFormSchema.safeParse(formValues({ crimeAreas: undefined }));
    expect(result.success).toBe(false);
    expect(failedFields(result)).toEqual(["crimeAreas"]);
    expect(result.error!.issues[0]!.message).toBe("Choose at least one crime area.");
  });

  it("takes a single ticked crime area as a list", () => {
    expect(input({ crimeAreas: "botnets" }).crimeAreas).toEqual(["botnets"]);
  });

  it("refuses an unknown crime area and an unknown time zone at their fields", () => {
    expect(failedFields(consultationFormSchema.safeParse(formValues({ crimeAreas: ["phishing_as_a_hobby"] })))).toEqual([
      "crimeAreas.0",
    ]);
    expect(failedFields(consultationFormSchema.safeParse(formValues({ deadlineTimeZone: "Europe/Atlantis" })))).toEqual([
      "deadlineTimeZone",
    ]);
  });

  it("refuses a date that is not in the calendar at deadlineDate", () => {
    expect(failedFields(consultationFormSchema.safeParse(formValues({ deadlineDate: "2026-02-30" })))).toEqual([
      "deadlineDate",
    ]);
  });

  it("refuses a clock time that is not one at deadlineTime", () => {
    expect(failedFields(consultationFormSchema.safeParse(formValues({ deadlineTime: "24:00" })))).toEqual([
      "deadlineTime",
    ]);
    expect(failedFields(consultationFormSchema.safeParse(formValues({ deadlineTime: "16:75" })))).toEqual([
      "deadlineTime",
    ]);
  });
});

describe("createConsultation", () => {
  it("stores a draft with the deadline in UTC and the zone it was entered in", () => {
    const id = createConsultation(db, input(), coordinator, T0);
    const stored = getConsultation(db, id);
    expect(stored).toMatchObject({
      status: "draft",
      inputDeadline: DEADLINE,
      deadlineTimeZone: "Europe/Vienna",
      crimeAreas: ["banking_trojans", "online_fraud"],
      coordinatorUserId: coordinator.userId,
      openedAt: null,
    });
    // Nobody is invited (or mailed) before the consultation opens.
    expect(inviteeRows(id)).toEqual([]);
    expect(invitationMails()).toEqual([]);
  });

  it("refuses a deadline in the past at deadlineDate, and writes nothing", () => {
    const before = writtenRows();
    const error = appErrorFrom(
      () => createConsultation(db, input({ deadlineDate: "2026-03-01" }), coordinator, T0),
      "invalid",
    );
    expect(error.field).toBe("deadlineDate");
    expect(error.message).toMatch(/future/);
    expect(writtenRows()).toEqual(before);
  });

  it("refuses a local deadline time that does not exist at deadlineTime, and writes nothing", () => {
    const before = writtenRows();
    const error = appErrorFrom(
      () =>
        createConsultation(
          db,
          input({ deadlineDate: "2026-03-29", deadlineTime: "02:30", deadlineTimeZone: "Europe/Vienna" }),
          coordinator,
          T0,
        ),
      "invalid",
    );
    expect(error.field).toBe("deadlineTime");
    expect(error.message).toContain("02:30");
    expect(writtenRows()).toEqual(before);
  });

  it("refuses an organisation that is not in the list at organisationIds, and writes nothing", () => {
    const before = writtenRows();
    const error = appErrorFrom(
      () => createConsultation(db, input({ organisationIds: ["999999"] }), coordinator, T0),
      "invalid",
    );
    expect(error.field).toBe("organisationIds");
    expect(writtenRows()).toEqual(before);
  });
});

describe("openConsultation", () => {
  it("invites exactly the active members of the three organisations, with one email each in their own zone", () => {
    setAccountActive(db, userIdOf(db, ETIENNE), false, { userId: userIdOf(db, DEMO_SIGN_INS.admin), origin }, T0);
    const id = createConsultation(db, input(), coordinator, T0);
    const openedAt = later(T0, minutes(5));

    expect(openConsultation(db, id, coordinator, openedAt)).toBe(4);
    drain(openedAt);

    expect(getConsultation(db, id)).toMatchObject({ status: "open", openedAt });
    const rows = inviteeRows(id);
    expect(emailsOf(rows.map((row) => row.userId))).toEqual([ANDRES, EMILY, MICHAEL, OLIVIA].sort());
    for (const row of rows) expect(row).toMatchObject({ invitedAt: openedAt, byName: false });

    const mails = invitationMails();
    expect(mails.map((mail) => mail.toAddress).sort()).toEqual([ANDRES, EMILY, MICHAEL, OLIVIA].sort());
    const textTo = (email: string) => mails.find((mail) => mail.toAddress === email)!.text;
    for (const email of [ANDRES, EMILY, MICHAEL, OLIVIA]) {
      const person = account(email);
      expect(textTo(email)).toContain(formatDateTime(DEADLINE, person));
      expect(textTo(email)).toContain(`${APP_URL}/consultations/${id}`);
    }
    // 17:00 in Vienna (CEST) is 11:00 in Toronto and New York, 10:00 in Bogota and Chicago.
    expect(textTo(OLIVIA)).toMatch(/11:00.*\(America\/Toronto\)/);
    expect(textTo(EMILY)).toMatch(/11:00.*\(America\/New_York\)/);
    expect(textTo(ANDRES)).toMatch(/10:00.*\(America\/Bogota\)/);
    expect(textTo(MICHAEL)).toMatch(/10:00.*\(America\/Chicago\)/);
    expect(mails.some((mail) => mail.toAddress === ETIENNE)).toBe(false);
  });

  it("invites people chosen by name as well", () => {
    const id = openedConsultation({ organisationIds: [String(organisationIdOf(db, CORDILLERA))], personIds: String(userIdOf(db, LAURA)) });
    expect(emailsOf(inviteeRows(id).map((row) => row.userId))).toEqual([ANDRES, LAURA].sort());
    expect(invitationMails().map((mail) => mail.toAddress).sort()).toEqual([ANDRES, LAURA].sort());
    expect(listConsultationsFor(db, account(LAURA)).rows.map((row) => row.id)).toEqual([id]);
  });

  it("refuses to open a consultation twice, and sends nothing the second time", () => {
    const id = openedConsultation();
    const before = writtenRows();
    appErrorFrom(() => openConsultation(db, id, coordinator, later(T0, minutes(10))), "conflict");
    expect(writtenRows()).toEqual(before);
  });

  it("refuses to open a consultation that invites nobody", () => {
    const id = createConsultation(db, input({ organisationIds: [] }), coordinator, T0);
    const before = writtenRows();
    const error = appErrorFrom(() => openConsultation(db, id, coordinator, T0), "invalid");
    expect(error.message).toMatch(/at least one organisation or person/);
    expect(getConsultation(db, id).status).toBe("draft");
    expect(writtenRows()).toEqual(before);
  });

  it("refuses to open once the deadline has passed", () => {
    const id = createConsultation(db, input(), coordinator, T0);
    appErrorFrom(() => openConsultation(db, id, coordinator, later(DEADLINE, minutes(1))), "invalid");
    expect(getConsultation(db, id).status).toBe("draft");
  });
});

describe("who sees a consultation", () => {
  it("lists it for a member of an invited organisation and for nobody in a fourth one", () => {
    const id = openedConsultation();
    expect(listConsultationsFor(db, account(OLIVIA)).rows.map((row) => row.id)).toEqual([id]);
    expect(listConsultationsFor(db, account(ANDRES)).rows.map((row) => row.id)).toEqual([id]);
    expect(listConsultationsFor(db, account(GIULIA)).rows).toEqual([]);
  });

  it("answers not_found to a member of an uninvited organisation, and records nothing", () => {
    const id = openedConsultation();
    const before = writtenRows();
    appErrorFrom(() => viewConsultation(db, account(GIULIA), id), "not_found");
    expect(writtenRows()).toEqual(before);
  });

  it("answers not_found for a consultation that does not exist", () => {
    appErrorFrom(() => viewConsultation(db, account(OLIVIA), 424242), "not_found");
  });

  it("keeps a draft from stakeholders but shows it to coordinators and analysts", () => {
    const id = createConsultation(db, input(), coordinator, T0);
    expect(listConsultationsFor(db, account(OLIVIA)).rows).toEqual([]);
    appErrorFrom(() => viewConsultation(db, account(OLIVIA), id), "not_found");

    expect(listConsultationsFor(db, account(DEMO_SIGN_INS.coordinator)).rows.map((row) => row.id)).toEqual([id]);
    expect(viewConsultation(db, account(DEMO_SIGN_INS.coordinator), id).id).toBe(id);
    expect(listConsultationsFor(db, account(DEMO_SIGN_INS.analyst)).rows.map((row) => row.id)).toEqual([id]);
    // Staff looking at it are not invitees.
    expect(inviteeRows(id)).toEqual([]);
  });

  it("records an invitee's first look once, in the audit log, and shows invited / viewed to the coordinator", () => {
    const id = openedConsultation();
    const firstLook = later(T0, minutes(60));
    const rowsBefore = inviteeRows(id);
    noteFirstView(db, account(OLIVIA), id, origin, firstLook);
    noteFirstView(db, account(OLIVIA), id, origin, later(T0, minutes(120)));
    // Staff and people the consultation does not reach leave no trace.
    noteFirstView(db, account(GIULIA), id, origin, firstLook);
    noteFirstView(db, account(DEMO_SIGN_INS.coordinator), id, origin, firstLook);

    expect(inviteeRows(id)).toEqual(rowsBefore);
    const looks = db.select().from(auditEvents).where(eq(auditEvents.action, "consultation.viewed")).all();
    expect(looks.map((event) => [event.actorUserId, event.at])).toEqual([[userIdOf(db, OLIVIA), firstLook]]);

    const rows = consultationInviteeStates(db, id).rows;
    expect(rows.find((row) => row.email === OLIVIA)!.viewedAt).toEqual(firstLook);
    expect(rows.find((row) => row.email === ETIENNE)!.invitedAt).toEqual(later(T0, minutes(5)));
    const states = Object.fromEntries(rows.map((row) => [row.email, row.state]));
    expect(states).toEqual({
      [OLIVIA]: "viewed",
      [ETIENNE]: "invited",
      [EMILY]: "invited",
      [MICHAEL]: "invited",
      [ANDRES]: "invited",
    });
    // The figures on top of the table count the same states, in one grouped query.
    expect(consultationInviteeCounts(db, id)).toEqual({ chosen: 0, invited: 4, viewed: 1 });
  });
});

describe("updateConsultation", () => {
  it("on an open consultation, invites only the members of a newly added organisation", () => {
    const id = openedConsultation();
    const firstInvitations = invitationMails().length;
    const invitedAtBefore = new Map(inviteeRows(id).map((row) => [row.userId, row.invitedAt]));
    const updatedAt = later(T0, minutes(90));

    const names = [NORTHERN_MAPLE, LIBERTY_HARBOR, CORDILLERA, VIGILANZA];
    updateConsultation(
      db,
      id,
      input({ organisationIds: names.map((name) => String(organisationIdOf(db, name))) }),
      coordinator,
      updatedAt,
    );
    drain(updatedAt);

    const mails = invitationMails();
    expect(mails).toHaveLength(firstInvitations + 1);
    expect(mails.at(-1)!.toAddress).toBe(GIULIA);
    const rows = inviteeRows(id);
    expect(rows).toHaveLength(invitedAtBefore.size + 1);
    for (const row of rows) {
      expect(row.invitedAt).toEqual(invitedAtBefore.get(row.userId) ?? updatedAt);
    }
    expect(listConsultationsFor(db, account(GIULIA)).rows.map((row) => row.id)).toEqual([id]);
  });

  it("on a draft, changes the choices without inviting anyone", () => {
    const id = createConsultation(db, input(), coordinator, T0);
    updateConsultation(db, id, input({ title: "Botnets, spring round", crimeAreas: "botnets" }), coordinator, T0);
    expect(getConsultation(db, id)).toMatchObject({ title: "Botnets, spring round", crimeAreas: ["botnets"], status: "draft" });
    expect(invitationMails()).toEqual([]);
  });
});

describe("closeConsultation", () => {
  it("closes an open consultation, which then can no longer be changed", () => {
    const id = openedConsultation();
    const closedAt = later(T0, minutes(600));
    closeConsultation(db, id, coordinator, closedAt);
    expect(getConsultation(db, id)).toMatchObject({ status: "closed", closedAt });

    const before = writtenRows();
    appErrorFrom(() => updateConsultation(db, id, input({ title: "Too late" }), coordinator, closedAt), "conflict");
    appErrorFrom(() => closeConsultation(db, id, coordinator, closedAt), "conflict");
    expect(writtenRows()).toEqual(before);
    expect(getConsultation(db, id).title).toBe("Banking trojans and BEC, spring round");
    // Invitees still find it in their list.
    expect(listConsultationsFor(db, account(OLIVIA)).rows.map((row) => row.id)).toEqual([id]);
  });

  it("refuses to close a draft", () => {
    const id = createConsultation(db, input(), coordinator, T0);
    appErrorFrom(() => closeConsultation(db, id, coordinator, T0), "conflict");
  });
});
