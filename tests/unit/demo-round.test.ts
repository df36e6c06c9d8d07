import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  assessmentEditions,
  assessmentOverrides,
  auditEvents,
  broadcasts,
  consultations,
  meetings,
  outbox,
  slotVotes,
  targetProposals,
  threatInputItems,
  threatInputMessages,
  threatInputs,
  users,
} from "../../db/schema";
import { hasDemoRound, seedDemoRound } from "../../db/demo-round";
import { DEMO_SIGN_INS } from "../../db/seed";
import { MEMBER_COUNTRIES } from "~/lib/countries";
import { getAccount } from "~/modules/accounts/service.server";
import { BROADCAST_HANDLERS } from "~/modules/broadcasts/handlers.server";
import { drainBroadcasts } from "~/modules/broadcasts/service.server";
import { listEditions, viewEdition } from "~/modules/assessment/service.server";
import { homeFor } from "~/modules/home/service.server";
import { triageQueue } from "~/modules/threat-input/service.server";
import { freshDatabase } from "../support/db";
import { rowCount, userIdOf } from "./helpers";

const NOW = new Date("2026-11-10T09:00:00.000Z");
const APP_URL = "http://localhost:3000";

let db: ReturnType<typeof freshDatabase>["db"];
beforeAll(() => {
  ({ db } = freshDatabase({ seed: true }));
  seedDemoRound(db, { appUrl: APP_URL, now: NOW });
});

const person = (email: string) => getAccount(db, userIdOf(db, email));

describe("the demo round", () => {
  it("has an open round across every member country, with its deadline ahead, and a closed earlier one", () => {
    const rows = db.select().from(consultations).all();
    expect(rows.map((row) => row.status).sort()).toEqual(["closed", "open"]);
    const open = rows.find((row) => row.status === "open")!;
    expect(open.inputDeadline.getTime()).toBeGreaterThan(NOW.getTime());
    const countries = new Set(
      db.all<{ country: string }>(
        `select distinct o.country from consultation_organisations c join organisations o on o.id = c.organisation_id where c.consultation_id = ${open.id}`,
      ).map((row) => row.country),
    );
    expect([...MEMBER_COUNTRIES].filter((country) => !countries.has(country))).toEqual([]);
    // Opening it queued the invitations, which the broadcast worker composes (here, drained).
    expect(db.select().from(broadcasts).where(eq(broadcasts.kind, "consultation-invitations")).all().length).toBeGreaterThan(0);
    drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, NOW);
    expect(db.select().from(outbox).where(eq(outbox.template, "consultation-invitation")).all().length).toBeGreaterThan(10);
  });

  it("has a meeting chosen in the future from votes cast in several zones, and one still polling", () => {
    const rows = db.select().from(meetings).all();
    expect(rows.map((row) => row.status).sort()).toEqual(["polling", "scheduled"]);
    const scheduled = rows.find((row) => row.status === "scheduled")!;
    expect(scheduled.startsAt!.getTime()).toBeGreaterThan(NOW.getTime());
    const voters = db.select({ userId: slotVotes.userId }).from(slotVotes).all().map((row) => row.userId);
    const zones = new Set(db.select({ id: users.id, zone: users.timeZone }).from(users).all().filter((row) => voters.includes(row.id)).map((row) => row.zone));
    expect(zones).toContain("America/Bogota");
    expect(zones).toContain("Europe/Rome");
    expect(zones.size).toBeGreaterThanOrEqual(4);
  });

  it("has input at every TLP level and attribution, triage in every state, and a question thread", () => {
    const items = db.select().from(threatInputItems).all();
    expect(new Set(items.map((item) => item.tlp))).toEqual(new Set(["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"]));
    expect(new Set(items.map((item) => item.attribution))).toEqual(new Set(["named", "sector_country", "anonymous"]));
    const inputs = db.select().from(threatInputs).all();
    expect(new Set(inputs.filter((input) => input.status === "submitted").map((input) => input.triageState))).toEqual(
      new Set(["new", "accepted", "needs_clarification", "rejected"]),
    );
    expect(inputs.some((input) => input.status === "draft")).toBe(true);
    const messages = db.select().from(threatInputMessages).all();
    expect(messages.some((message) => message.fromTaskforce)).toBe(true);
    expect(messages.some((message) => !message.fromTaskforce)).toBe(true);
  });

  it("has a published edition with figures, an override and targets, an older one for the trend, and a draft", () => {
    const editions = listEditions(db, person(DEMO_SIGN_INS.analyst));
    expect(editions.map((edition) => edition.status).sort()).toEqual(["draft", "published", "published"]);
    const autumn = editions.find((edition) => edition.title === "Threat assessment, autumn")!;
    const view = viewEdition(db, person(DEMO_SIGN_INS.analyst), autumn.id);
    expect(view.previous?.title).toBe("Threat assessment, spring");
    expect(view.areas.filter((area) => area.items > 0).length).toBeGreaterThanOrEqual(4);
    expect(view.areas.find((area) => area.crimeArea === "online_fraud")!.finalScore).toBe(18);
    expect(view.areas.find((area) => area.crimeArea === "banking_trojans")!.change).not.toBeNull();
    expect(view.timeline.editions).toHaveLength(2);
    expect(rowCount(db, assessmentOverrides)).toBe(1);
    expect(db.select().from(targetProposals).all().map((proposal) => proposal.state).sort()).toEqual(["endorsed", "proposed"]);
  });

  it("gives every demo role something to do on its home page", () => {
    const coordinator = homeFor(db, person(DEMO_SIGN_INS.coordinator), NOW);
    expect(coordinator.meetings!.polls.length).toBeGreaterThan(0);
    expect(coordinator.meetings!.scheduled.length).toBeGreaterThan(0);

    const analyst = homeFor(db, person(DEMO_SIGN_INS.analyst), NOW);
    expect(analyst.awaitingTriage).toBeGreaterThan(0);
    expect(triageQueue(db, person(DEMO_SIGN_INS.analyst), {}).rows.length).toBeGreaterThan(3);

    const stakeholder = homeFor(db, person(DEMO_SIGN_INS.stakeholder), NOW);
    expect(stakeholder.meetings!.polls.filter((poll) => !poll.answered).length).toBe(1);
    expect(stakeholder.consultations!.open.map((consultation) => consultation.input?.triageState)).toContain("needs_clarification");

    const admin = homeFor(db, person(DEMO_SIGN_INS.admin), NOW);
    expect(admin.admin!.recentAudit.length).toBe(5);
  });

  it("adds nothing when seeded again", () => {
    const tables = [consultations, meetings, slotVotes, threatInputs, threatInputItems, threatInputMessages, assessmentEditions, targetProposals, outbox, auditEvents];
    const before = tables.map((table) => rowCount(db, table));
    expect(hasDemoRound(db)).toBe(true);
    seedDemoRound(db, { appUrl: APP_URL, now: new Date(NOW.getTime() + 86_400_000) });
    expect(tables.map((table) => rowCount(db, table))).toEqual(before);
  });
});
