import { and, eq, gt, inArray, isNull, or, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { alias, type SQLiteTable } from "drizzle-orm/sqlite-core";
import {
  consultationInvitees,
  consultationOrganisations,
  consultations,
  organisations,
  reportedSubjects,
  roleGrants,
  threatInputIndicators,
  threatInputItemRecipients,
  threatInputItems,
  threatInputs,
  threatInputVersions,
  users,
  type ConsultationStatus,
} from "../../../db/schema";
import { isAnalyst, isStakeholder, isTaskforceStaff, type Viewer } from "./viewer";

// The need-to-know gate (docs/decisions/011). Who may read what is decided here and nowhere
// else, as SQL conditions that the modules' queries join, so that every list, count, figure,
// ranking, export, feed and mail is built from what its viewer may read, and stays cheap. A
// test (tests/unit/gate-rule.test.ts) fails when a query outside this folder selects from the
// input or item tables without one of these conditions.
//
// The conditions refer to the tables by their own names (threat_input_items, consultations...),
// so a query that selects from those tables can add them to its WHERE clause as they are. The
// subqueries inside use aliases of their own, so that they never capture the outer query's rows.

declare const gated: unique symbol;
/**
 * A condition made here. A helper that builds a query over the input or item tables for its
 * callers takes its condition as `Gated`, so that only the gate's conditions reach it.
 */
export type Gated = SQL & { readonly [gated]: true };
const gate = (condition: SQL) => condition as Gated;

const NEVER = sql`0`;
const ALWAYS = sql`1`;
const anyOf = (parts: (SQL | undefined)[]): Gated => gate(or(...parts.filter((part): part is SQL => part !== undefined)) ?? NEVER);

const gateInvitations = alias(consultationInvitees, "gate_invitations");
const gateChosen = alias(consultationOrganisations, "gate_chosen");
const gateVersions = alias(threatInputVersions, "gate_versions");
const gateInputs = alias(threatInputs, "gate_inputs");
const gateItems = alias(threatInputItems, "gate_items");
const gateRecipients = alias(threatInputItemRecipients, "gate_recipients");
const gateRoles = alias(roleGrants, "gate_roles");

/** A table under its gate alias, for the FROM of a subquery ("table" "alias"). */
const as = (table: SQLiteTable, alias: string) => sql`${table} ${sql.identifier(alias)}`;
const CHOSEN = as(consultationOrganisations, "gate_chosen");
const INVITATIONS = as(consultationInvitees, "gate_invitations");
const VERSIONS = as(threatInputVersions, "gate_versions");
const INPUTS = as(threatInputs, "gate_inputs");
const ITEMS = as(threatInputItems, "gate_items");
const RECIPIENTS = as(threatInputItemRecipients, "gate_recipients");
const ROLES = as(roleGrants, "gate_roles");

// ---------------------------------------------------------------------------------------------
// Consultations: who a consultation reaches now

/**
 * Whether the consultation reaches a person now: their organisation is among the chosen ones,
 * or they were chosen by name while in the organisation they are still in (before opening, that
 * is whom the invitations will go to; stakeholders see nothing of a draft). Nothing else counts; in particular not an invitation row left from an earlier choice, so that removing an
 * organisation or a person, or moving a person to another organisation, ends access at once.
 */
function reaches(consultationId: SQLWrapper, userId: SQLWrapper, organisationId: SQLWrapper | null): SQL {
  const organisation = organisationId ?? sql`NULL`;
  return sql`(exists (select 1 from ${CHOSEN} where ${gateChosen.consultationId} = ${consultationId} and ${gateChosen.organisationId} = ${organisation})
    or exists (select 1 from ${INVITATIONS} where ${gateInvitations.consultationId} = ${consultationId}
      and ${gateInvitations.userId} = ${userId} and ${gateInvitations.byName} = 1
      and ${gateInvitations.organisationId} is ${organisation}))`;
}

const SHOWN_TO_INVITEES: ConsultationStatus[] = ["open", "closed"];

/** The consultations a viewer may see: staff every one; anyone else those that reach them now, once open. */
export function consultationVisibleTo(viewer: Viewer): SQL {
  if (isTaskforceStaff(viewer)) return ALWAYS;
  return and(
    inArray(consultations.status, SHOWN_TO_INVITEES),
    reachesPerson(consultations.id, { userId: viewer.id, organisationId: viewer.organisationId }),
  )!;
}

/** Whether the consultation reaches this person now (a condition on a consultation id column). */
export const reachesPerson = (consultationId: SQLWrapper, person: { userId: number; organisationId: number | null }): SQL =>
  reaches(consultationId, sql`${person.userId}`, person.organisationId === null ? null : sql`${person.organisationId}`);

/**
 * The people a consultation reaches now and who can still sign in: a condition on `users`,
 * joined with `organisations` (left join: staff belong to none).
 */
export function reachedByConsultation(consultationId: SQLWrapper | number): SQL {
  const id = typeof consultationId === "number" ? sql`${consultationId}` : consultationId;
  return and(personIsUsable(), reaches(id, users.id, users.organisationId))!;
}

/** Active, in an active organisation or in none. For queries that join users with organisations. */
export const personIsUsable = () =>
  and(eq(users.active, true), or(isNull(users.organisationId), eq(organisations.active, true)))!;

/**
 * Whether mail about a consultation may still reach a person, as a condition over a person's
 * and a consultation's id columns (queued mail): taskforce staff always, anyone else only while
 * the consultation reaches them.
 */
export function personMaySee(consultationId: SQLWrapper, userId: SQLWrapper, organisationId: SQLWrapper): SQL {
  const staff = sql`exists (select 1 from ${ROLES} where ${gateRoles.userId} = ${userId} and ${gateRoles.role} in ('coordinator', 'analyst'))`;
  return sql`(${staff} or ${reaches(consultationId, userId, organisationId)})`;
}

/**
 * Whether the viewer may give input to the consultation for their organisation: the input is
 * the organisation's, so only an organisation chosen for the consultation gives it (a person
 * invited by name takes part in the meetings).
 */
export function mayGiveInput(viewer: Viewer, consultationId: number): Gated {
  if (!isStakeholder(viewer)) return gate(NEVER);
  return gate(sql`exists (select 1 from ${CHOSEN} where ${gateChosen.consultationId} = ${consultationId} and ${gateChosen.organisationId} = ${viewer.organisationId})`);
}

// ---------------------------------------------------------------------------------------------
// Inputs and items

/**
 * The inputs a viewer may read: a stakeholder their own organisation's (the draft included);
 * staff every input once submitted, never a draft that was not.
 */
export function inputReadableBy(viewer: Viewer): Gated {
  return anyOf([
    isStakeholder(viewer) ? eq(threatInputs.organisationId, viewer.organisationId) : undefined,
    isTaskforceStaff(viewer) ? gt(threatInputs.currentVersion, 0) : undefined,
  ]);
}

/** A version of an input the viewer may read (the same rule, on threat_input_versions). */
export function versionReadableBy(viewer: Viewer): Gated {
  return gate(sql`${threatInputVersions.inputId} in (select ${gateInputs.id} from ${INPUTS} where ${inputCondition(viewer, gateInputs)})`);
}

function inputCondition(viewer: Viewer, table: typeof gateInputs): SQL {
  return anyOf([
    isStakeholder(viewer) ? eq(table.organisationId, viewer.organisationId) : undefined,
    isTaskforceStaff(viewer) ? gt(table.currentVersion, 0) : undefined,
  ]);
}

/**
 * The items a viewer may read (TLP 2.0 as the taskforce applies it): a stakeholder every item of
 * their own organisation's; taskforce staff every item but TLP:RED ones, which only the analysts
 * the item names read. Items exist only in submitted versions, so staff never see a draft.
 */
function itemCondition(viewer: Viewer, items: typeof threatInputItems | typeof gateItems): Gated {
  return anyOf([
    isStakeholder(viewer)
      ? sql`${items.versionId} in (select ${gateVersions.id} from ${VERSIONS} inner join ${INPUTS} on ${gateInputs.id} = ${gateVersions.inputId} where ${gateInputs.organisationId} = ${viewer.organisationId})`
      : undefined,
    isTaskforceStaff(viewer)
      ? isAnalyst(viewer)
        ? sql`(${items.tlp} <> 'TLP:RED' or exists (select 1 from ${RECIPIENTS} where ${gateRecipients.itemId} = ${items.id} and ${gateRecipients.userId} = ${viewer.id}))`
        : sql`${items.tlp} <> 'TLP:RED'`
      : undefined,
  ]);
}

export const itemReadableBy = (viewer: Viewer): Gated => itemCondition(viewer, threatInputItems);

/** The items a viewer may not read (the same rule, negated): only ever to leave things out. */
export const itemHiddenFrom = (viewer: Viewer): Gated => gate(sql`not ${itemReadableBy(viewer)}`);

/** The indicators of the items a viewer may read (a condition on threat_input_indicators). */
export function indicatorReadableBy(viewer: Viewer): Gated {
  return gate(sql`exists (select 1 from ${ITEMS} where ${gateItems.id} = ${threatInputIndicators.itemId} and ${itemCondition(viewer, gateItems)})`);
}

/**
 * What of reported_subjects (the mentions of non-RED items of standing inputs, by organisation)
 * the viewer may read: staff every row, since they read every item that is not TLP:RED; a
 * stakeholder their own organisation's rows. Beside it, the TLP:RED items the viewer reads
 * (`redItemsReadableBy`) complete the count: together they are what `itemReadableBy` lets through.
 */
export function reportedSubjectsReadableBy(viewer: Viewer): Gated {
  return anyOf([
    isStakeholder(viewer) ? eq(reportedSubjects.organisationId, viewer.organisationId) : undefined,
    isTaskforceStaff(viewer) ? ALWAYS : undefined,
  ]);
}

/**
 * The TLP:RED items the viewer may read, as a condition on threat_input_items that a query can
 * be driven by: an analyst's are found from the analyst (threat_input_item_recipients_user_idx),
 * a stakeholder's among their organisation's items; others read none.
 */
export function redItemsReadableBy(viewer: Viewer): Gated {
  return gate(
    and(
      eq(threatInputItems.tlp, "TLP:RED"),
      anyOf([
        isStakeholder(viewer) ? itemCondition(viewer, threatInputItems) : undefined,
        isTaskforceStaff(viewer) && isAnalyst(viewer)
          ? sql`${threatInputItems.id} in (select ${gateRecipients.itemId} from ${RECIPIENTS} where ${gateRecipients.userId} = ${viewer.id})`
          : undefined,
      ]),
    )!,
  );
}

/** 1 when the viewer may read the item, else 0: for counting what is left out without reading it. */
export const itemReadableFlag = (viewer: Viewer): SQL<number> =>
  sql<number>`(case when ${itemReadableBy(viewer)} then 1 else 0 end)`;

/**
 * The one way past the viewer's conditions, for the few reads that must see every item whoever
 * asks and show none of it: freezing what an edition draws on, counting what a viewer is not
 * shown, checking free text against every withheld source. The reason is the documentation;
 * the rule test lists where it is used.
 */
export function beyondViewer(
  _reason:
    | "freezing every item the edition draws on"
    | "counting what is left out, never showing it"
    | "checking free text against every withheld source"
    | "indexing what items name and checking their values, showing nothing",
): Gated {
  return gate(ALWAYS);
}

/**
 * Who reads for the member agencies (TAXII, docs/decisions/019): as taskforce staff who are not
 * analysts read, every item but TLP:RED (no RED item names a member agency), sources only as
 * each item's attribution allows; the export rules then apply on top, as for any export.
 */
export const MEMBER_AGENCIES: Viewer = Object.freeze({ id: 0, roles: Object.freeze(["coordinator"] as const), organisationId: null });

// ---------------------------------------------------------------------------------------------
// How the source is shown

/**
 * Where the source is shown: on the taskforce's working pages (an input, triage) analysts see
 * the organisation behind every item they read; on an edition and everything that leaves the
 * portal, every reader sees no more than each item's attribution allows.
 */
export type SourceContext = "working" | "edition";

/** The organisation behind an item (a correlated lookup on threat_input_items). */
const itemOrganisation = sql`(select ${gateInputs.organisationId} from ${VERSIONS} inner join ${INPUTS} on ${gateInputs.id} = ${gateVersions.inputId} where ${gateVersions.id} = ${threatInputItems.versionId})`;

/**
 * How much of each item's source the viewer may learn: 'named', 'sector_country' or
 * 'anonymous' (a column expression on threat_input_items). The organisation's own members
 * always see it named.
 */
export function itemDisclosure(viewer: Viewer, context: SourceContext): SQL<"named" | "sector_country" | "anonymous"> {
  const own = isStakeholder(viewer) ? sql`${itemOrganisation} = ${viewer.organisationId}` : NEVER;
  const analyst = context === "working" && isAnalyst(viewer) ? ALWAYS : NEVER;
  return sql<"named" | "sector_country" | "anonymous">`(case when ${own} or ${analyst} then 'named' else ${threatInputItems.attribution} end)`;
}

/**
 * How much of an input's source the viewer may learn (a column expression on threat_inputs):
 * named for its own organisation and, at work, for analysts; for everyone else the strictest
 * attribution among the items of its current version, those they may not read included.
 */
export function inputDisclosure(viewer: Viewer): SQL<"named" | "sector_country" | "anonymous"> {
  const own = isStakeholder(viewer) ? sql`${threatInputs.organisationId} = ${viewer.organisationId}` : NEVER;
  const analyst = isAnalyst(viewer) ? ALWAYS : NEVER;
  return sql<"named" | "sector_country" | "anonymous">`(case when ${own} or ${analyst} then 'named' else coalesce((
    select case max(case ${gateItems.attribution} when 'anonymous' then 2 when 'sector_country' then 1 else 0 end)
      when 2 then 'anonymous' when 1 then 'sector_country' else 'named' end
    from ${ITEMS} inner join ${VERSIONS} on ${gateVersions.id} = ${gateItems.versionId}
    where ${gateVersions.inputId} = ${threatInputs.id} and ${gateVersions.number} = ${threatInputs.currentVersion}), 'named') end)`;
}

/**
 * The organisation's columns as far as a disclosure lets them out (null beyond it), so that a
 * name the viewer may not learn never leaves the database. For queries joining organisations.
 */
export function disclosedSource(disclosure: SQL<string>) {
  return {
    disclosure: sql<"named" | "sector_country" | "anonymous">`${disclosure}`,
    name: sql<string | null>`(case when ${disclosure} = 'named' then ${organisations.name} end)`,
    sector: sql<string | null>`(case when ${disclosure} in ('named', 'sector_country') then ${organisations.sector} end)`,
    country: sql<string | null>`(case when ${disclosure} in ('named', 'sector_country') then ${organisations.country} end)`,
  };
}

export { isAnalyst, isStakeholder, isTaskforceStaff, type Viewer } from "./viewer";
