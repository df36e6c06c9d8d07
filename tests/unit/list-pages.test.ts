import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { consultations } from "../../db/schema";
import { DEMO_SIGN_INS } from "../../db/seed";
import { decodeCursor, encodeCursor, keyset } from "~/lib/keyset.server";
import { accountsPage, getAccount } from "~/modules/accounts/service.server";
import { listAuditEvents } from "~/modules/audit/audit.server";
import {
  consultationInviteeStates,
  listConsultationsFor,
  meetingsOf,
} from "~/modules/consultations/service.server";
import { homeFor } from "~/modules/home/service.server";
import { outboxOverview } from "~/modules/mail/outbox.server";
import { organisationsPage } from "~/modules/organisations/service.server";
import { queueDueReminders } from "~/modules/scheduling/service.server";
import { analystsForRedItems, countAwaitingTriage, inputsOfConsultation, triageQueue } from "~/modules/threat-input/service.server";
import { freshDatabase } from "../support/db";
import { userIdOf } from "./helpers";

// The shared keyset piece, and the plans of the lists' queries: each page is read through an
// index in its own order (no temporary B-tree for ORDER BY) without scanning a large table whole.
// The figures beside a list (how many match) count the matching rows: they cost what the filter
// matches, but never add to the page.

describe("cursors", () => {
  it("carry a row's keys through an address and back", () => {
    const cursor = encodeCursor([1735689600000, "Zoë & co", 42]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, ["date", "string", "number"])).toEqual([1735689600000, "Zoë & co", 42]);
  });

  it("are ignored when they are not a cursor for these keys", () => {
    expect(decodeCursor("not a cursor", ["number"])).toBeNull();
    expect(decodeCursor("bm90IGpzb24", ["number"])).toBeNull(); // "not json"
    expect(decodeCursor(encodeCursor([1, 2]), ["number"])).toBeNull();
    expect(decodeCursor(encodeCursor(["1", 2]), ["number", "number"])).toBeNull();
    expect(decodeCursor(encodeCursor([1.5, 2]), ["date", "number"])).toBeNull();
    expect(decodeCursor(undefined, ["number"])).toBeNull();
    expect(decodeCursor("A".repeat(1001), ["number"])).toBeNull();
  });

  it("continue after the last row of a page, ties broken by the last key", () => {
    const { db } = freshDatabase();
    const coordinatorUserId = 1;
    db.run(sql`insert into users (name, email) values ('C', 'c@example.org')`);
    for (let n = 0; n < 7; n++) {
      db.insert(consultations)
        .values({
          title: `c${n}`,
          crimeAreas: [],
          inputDeadline: new Date(0),
          deadlineTimeZone: "UTC",
          coordinatorUserId,
          createdAt: new Date(Math.floor(n / 2) * 1000),
        })
        .run();
    }
    const pages = keyset<{ createdAt: Date; id: number }>({
      order: "desc",
      keys: [
        { column: consultations.createdAt, kind: "date", of: (row) => row.createdAt },
        { column: consultations.id, kind: "number", of: (row) => row.id },
      ],
      size: 3,
    });
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: { rows: { title: string }[]; next: string | null } = pages.page(
        db
          .select({ title: consultations.title, createdAt: consultations.createdAt, id: consultations.id })
          .from(consultations)
          .where(pages.after(after))
          .orderBy(...pages.orderBy)
          .limit(pages.limit)
          .all(),
      );
      expect(page.rows.length).toBeLessThanOrEqual(3);
      seen.push(...page.rows.map((row) => row.title));
      after = page.next;
    } while (after);
    expect(seen).toEqual(["c6", "c5", "c4", "c3", "c2", "c1", "c0"]);
  });
});

describe("the lists' query plans", () => {
  const { db, sqlite } = freshDatabase({ seed: true });
  const statements: { text: string; params: unknown[] }[] = [];
  const prepare = sqlite.prepare.bind(sqlite);

  beforeAll(() => {
    // Every statement the modules run, with its parameters, to ask SQLite how it would run it.
    sqlite.prepare = ((text: string) => {
      const statement = prepare(text);
      for (const method of ["all", "get", "run", "iterate"] as const) {
        const original = statement[method].bind(statement) as (...params: unknown[]) => unknown;
        (statement as unknown as Record<string, unknown>)[method] = (...params: unknown[]) => {
          statements.push({ text, params });
          return original(...params);
        };
      }
      return statement;
    }) as typeof sqlite.prepare;
  });
  afterAll(() => {
    sqlite.prepare = prepare;
  });

  const person = (email: string) => getAccount(db, userIdOf(db, email));
  const plansOf = (run: () => unknown) => {
    statements.length = 0;
    run();
    // The page reads: those that order and limit (the counts beside them do neither).
    const ran = statements.filter((statement) => /^\s*select/i.test(statement.text) && /order by[\s\S]*limit \?$/i.test(statement.text));
    expect(ran.length).toBeGreaterThan(0);
    return ran.map((statement) => ({
      text: statement.text,
      plan: (prepare(`explain query plan ${statement.text}`).all(...statement.params) as { detail: string }[]).map((row) => row.detail),
    }));
  };
  const LARGE = ["consultations", "meetings", "threat_inputs", "audit_events", "outbox"];

  const cases: [string, () => unknown][] = [
    ["triage", () => triageQueue(db, person(DEMO_SIGN_INS.analyst), {})],
    ["consultations", () => listConsultationsFor(db, person(DEMO_SIGN_INS.coordinator), { status: "open" })],
    ["consultations, searched", () => listConsultationsFor(db, person(DEMO_SIGN_INS.stakeholder), { q: "fraud" })],
    ["a consultation's invitees", () => consultationInviteeStates(db, 1)],
    ["a consultation's inputs", () => inputsOfConsultation(db, person(DEMO_SIGN_INS.analyst), 1)],
    ["a consultation's meetings", () => meetingsOf(db, 1)],
    ["people", () => accountsPage(db, { role: "analyst" })],
    ["organisations", () => organisationsPage(db, {})],
    ["troubled mail", () => outboxOverview(db)],
    ["audit log", () => listAuditEvents(db, { action: "consultation." })],
    ["a coordinator's home", () => homeFor(db, person(DEMO_SIGN_INS.coordinator))],
    ["a stakeholder's home", () => homeFor(db, person(DEMO_SIGN_INS.stakeholder))],
  ];

  // Years of meetings that are over sit before those to come in the index by start: the read of
  // those to come seeks past them (starts_at > ?), for the organiser (their own) and for invitees.
  it.each([
    ["a coordinator", DEMO_SIGN_INS.coordinator, /^SEARCH meetings USING INDEX meetings_organiser_status_starts_idx \(organiser_user_id=\? AND status=\? AND starts_at>\?\)$/],
    ["a stakeholder", DEMO_SIGN_INS.stakeholder, /^SEARCH meetings USING INDEX meetings_status_starts_idx \(status=\? AND starts_at>\?\)$/],
  ])("the meetings to come on %s's home: the index seeks past those that are over", (_, email, step) => {
    const toCome = plansOf(() => homeFor(db, person(email))).filter(({ text }) => text.includes('"meetings"."ends_at" >'));
    expect(toCome).toHaveLength(1);
    expect(toCome[0]!.plan.some((detail) => step.test(detail)), toCome[0]!.plan.join("\n")).toBe(true);
  });

  it("the analysts told of a submit, or a TLP:RED item may go to, are read from the role's grants, not from every person", () => {
    statements.length = 0;
    analystsForRedItems(db);
    const [read] = statements;
    const plan = (prepare(`explain query plan ${read!.text}`).all(...read!.params) as { detail: string }[]).map((row) => row.detail);
    expect(plan[0], plan.join("\n")).toMatch(/^SEARCH role_grants USING COVERING INDEX role_grants_role_idx \(role=\?\)$/);
  });

  it("the meetings due their day-before reminders, marked every minute, are sought in the index by start", () => {
    statements.length = 0;
    queueDueReminders(db);
    const [read] = statements;
    const plan = (prepare(`explain query plan ${read!.text}`).all(...read!.params) as { detail: string }[]).map((row) => row.detail);
    expect(plan, plan.join("\n")).toEqual([expect.stringMatching(/^SEARCH meetings USING INDEX meetings_status_starts_idx \(status=\? AND starts_at>\? AND starts_at<\?\)$/)]);
  });

  it("the count of input awaiting triage, on every analyst's home, is read from an index alone", () => {
    const analyst = person(DEMO_SIGN_INS.analyst);
    statements.length = 0;
    countAwaitingTriage(db, analyst);
    const [read] = statements;
    const plan = (prepare(`explain query plan ${read!.text}`).all(...read!.params) as { detail: string }[]).map((row) => row.detail);
    expect(plan, plan.join("\n")).toEqual([expect.stringMatching(/^SEARCH threat_inputs USING COVERING INDEX threat_inputs_triage_idx /)]);
  });

  it.each(cases)("%s: ordered by an index, no large table scanned whole", (_, run) => {
    for (const { text, plan } of plansOf(run)) {
      expect(plan.filter((step) => step.includes("TEMP B-TREE FOR ORDER BY")), text).toEqual([]);
      const scans = plan.filter((step) => LARGE.some((table) => new RegExp(`^SCAN ${table}\\b(?! USING)`).test(step)));
      expect(scans, `${text}\n${plan.join("\n")}`).toEqual([]);
    }
  });
});
