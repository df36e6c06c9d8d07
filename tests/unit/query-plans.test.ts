import { TransactionRollbackError } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoRound } from "../../db/demo-round";
import { DEMO_SIGN_INS } from "../../db/seed";
import { getAccount } from "~/modules/accounts/service.server";
import { exportSummary, itemsBehind, listEditions, printableEdition, viewEdition } from "~/modules/assessment/service.server";
import { correlate, correlationsForInput, corroborationOfInputs } from "~/modules/intel/correlation.server";
import { resolvedKey } from "~/modules/reference/names";
import { triageQueue, viewInput } from "~/modules/threat-input/service.server";
import { BROADCAST_HANDLERS } from "~/modules/broadcasts/handlers.server";
import { broadcastCounts, joinBroadcast, runBroadcastBatch, troubledBroadcasts } from "~/modules/broadcasts/service.server";
import { freshDatabase } from "../support/db";
import { thrownBy, userIdOf } from "./helpers";

// The query plans of the main pages (issue 13.2), by structure: every statement a page runs is
// explained (EXPLAIN QUERY PLAN, with the parameters it ran with), and none may read a large
// table whole without an index, or sort one through a temporary B-tree. The plans do not depend
// on how many rows there are (no ANALYZE statistics), so the demo round shows them.

const LARGE = ["threat_inputs", "threat_input_items", "threat_input_indicators", "threat_input_item_entities", "threat_input_item_recipients", "reported_subjects", "meetings", "consultations", "audit_events", "outbox", "broadcasts"];
const NOW = new Date("2026-11-10T09:00:00.000Z");

let fixture: ReturnType<typeof freshDatabase>;

type Step = { id: number; parent: number; detail: string };
type Plan = { sql: string; steps: Step[] };

/** Every statement `run` runs on the connection, with its plan. */
function plansOf(run: () => unknown): Plan[] {
  const { sqlite } = fixture;
  const prepare = sqlite.prepare;
  const ran: { sql: string; args: unknown[] }[] = [];
  sqlite.prepare = ((source: string) => {
    const statement = prepare.call(sqlite, source);
    for (const method of ["all", "get", "run", "iterate"] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        ran.push({ sql: source, args });
        return original(...args);
      };
    }
    return statement;
  }) as typeof prepare;
  try {
    run();
  } finally {
    sqlite.prepare = prepare;
  }
  return ran
    .filter((statement) => /^\s*(select|with)\b/i.test(statement.sql))
    .map((statement) => ({
      sql: statement.sql,
      steps: sqlite.prepare(`explain query plan ${statement.sql}`).all(...statement.args) as Step[],
    }));
}

const readsLarge = (detail: string) => LARGE.some((table) => new RegExp(`^(SCAN|SEARCH) ${table}\\b`).test(detail));

/**
 * The steps that read a large table whole without an index, or sort the rows of one through a
 * temporary B-tree (a sort whose query, at the same level of the plan, reads a large table).
 */
function badSteps(plans: Plan[]): string[] {
  const bad: string[] = [];
  for (const { sql, steps } of plans) {
    for (const step of steps) {
      const scan = /^SCAN (\S+)(?: AS \S+)?$/.exec(step.detail);
      // A DISTINCT within a correlated subquery over one input's items is bounded by that input.
      const sortsLarge =
        /USE TEMP B-TREE/.test(step.detail) &&
        !/USE TEMP B-TREE FOR group_concat\(DISTINCT\)/.test(step.detail) && steps.some((other) => other.parent === step.parent && readsLarge(other.detail));
      if ((scan && LARGE.includes(scan[1]!)) || sortsLarge) bad.push(`${step.detail}\n    in ${sql}`);
    }
  }
  return bad;
}

const person = (email: string) => getAccount(fixture.db, userIdOf(fixture.db, email));
const actorOf = (email: string) => ({ userId: userIdOf(fixture.db, email), origin: {} });

beforeAll(() => {
  fixture = freshDatabase({ seed: true });
  seedDemoRound(fixture.db, { appUrl: "http://localhost:3000", now: NOW });
});

describe("the main pages' queries", () => {
  const pages: Record<string, () => unknown> = {
    "edition figures, draft and published": () => {
      for (const edition of listEditions(fixture.db, person(DEMO_SIGN_INS.analyst))) {
        viewEdition(fixture.db, person(DEMO_SIGN_INS.analyst), edition.id);
        viewEdition(fixture.db, person(DEMO_SIGN_INS.coordinator), edition.id);
        printableEdition(fixture.db, person(DEMO_SIGN_INS.coordinator), edition.id);
        exportSummary(fixture.db, person(DEMO_SIGN_INS.analyst), edition.id);
      }
    },
    "drill-down": () => {
      for (const edition of listEditions(fixture.db, person(DEMO_SIGN_INS.analyst))) {
        itemsBehind(fixture.db, person(DEMO_SIGN_INS.analyst), edition.id, { area: "banking_trojans" }, actorOf(DEMO_SIGN_INS.analyst), NOW);
      }
    },
    "triage queue page": () => {
      triageQueue(fixture.db, person(DEMO_SIGN_INS.analyst), {});
      triageQueue(fixture.db, person(DEMO_SIGN_INS.analyst), { crimeArea: "banking_trojans", after: `${NOW.getTime()}.999999` });
    },
    // A broadcast row stays once done: years of submits and meetings leave tens of thousands.
    "broadcast worker and outbox page": () => {
      runBroadcastBatch(fixture.db, BROADCAST_HANDLERS, "http://localhost:3000", NOW);
      troubledBroadcasts(fixture.db);
      broadcastCounts(fixture.db);
      const joined = thrownBy(() =>
        fixture.db.transaction((tx) => {
          joinBroadcast(tx, "threat-input-notices", { inputId: 1, version: 1 }, NOW);
          tx.rollback();
        }),
      );
      expect(joined).toBeInstanceOf(TransactionRollbackError);
    },
  };

  for (const [page, run] of Object.entries(pages)) {
    it(`of the ${page} read no large table whole and sort none through a temporary B-tree`, () => {
      const plans = plansOf(run);
      expect(plans.length).toBeGreaterThan(0);
      expect(badSteps(plans)).toEqual([]);
    });
  }

  // Corroboration sorts what a page names (its UNIONs and GROUP BYs over the page's subjects and
  // one tally row per organisation for each): bounded by the page, not by the tables. It may
  // read none of those tables whole.
  it("of corroboration in triage, on an input and beyond an edition read no large table whole", () => {
    const analyst = person(DEMO_SIGN_INS.analyst);
    const plans = plansOf(() => {
      const queue = triageQueue(fixture.db, analyst, {}).rows.map((row) => row.id);
      expect(queue.length).toBeGreaterThan(0);
      corroborationOfInputs(fixture.db, analyst, queue);
      const input = viewInput(fixture.db, analyst, queue[0]!, actorOf(DEMO_SIGN_INS.analyst));
      correlationsForInput(fixture.db, analyst, input.input.id, input.items);
      const subjects = [{ kind: "actor" as const, key: resolvedKey("actor", "Wizard Spider") }, { kind: "indicator" as const, type: "domain", value: "example.com" }];
      correlate(fixture.db, analyst, subjects, { itemIds: input.items.map((item) => item.id) });
    });
    const scans = plans.flatMap(({ sql, steps }) =>
      steps.filter((step) => LARGE.includes(/^SCAN (\S+)(?: AS \S+)?$/.exec(step.detail)?.[1] ?? "")).map((step) => `${step.detail}\n    in ${sql}`),
    );
    expect(plans.some(({ sql }) => sql.includes("reported_subjects"))).toBe(true);
    expect(scans).toEqual([]);
  });
});
