import { and, asc, count, eq, or, sql } from "drizzle-orm";
import { organisations, users } from "../../../db/schema";
import { amongIds, type DbOrTx } from "~/lib/db.server";
import { containing } from "~/lib/keyset.server";

/** How many organisations, and how many people, the form offers beside those already chosen. */
export const INVITATION_CHOICES_SHOWN = 25;

export type InvitationQuery = {
  /** The organisations and people chosen so far: always offered, checked, whatever the search. */
  organisationIds: number[];
  personIds: number[];
  /** Words of a name to look for; none: the first by name. */
  findOrganisations?: string;
  findPeople?: string;
};

/**
 * What a coordinator can invite from, bounded whatever the number of organisations and people:
 * those already chosen, and up to INVITATION_CHOICES_SHOWN active ones more by name (those
 * whose name holds the words looked for, or the first), with how many more match. A chosen one
 * is always offered while active, so that saving never drops a choice the form did not show.
 */
export function invitationOptions(db: DbOrTx, query: InvitationQuery) {
  const organisationMatch = and(eq(organisations.active, true), query.findOrganisations ? containing(organisations.name, query.findOrganisations) : undefined);
  const organisationColumns = { id: organisations.id, name: organisations.name, country: organisations.country };
  // Only active ones can be chosen (the form's check refuses others), as before the search: a
  // consultation's organisation deactivated since is not offered, and saving leaves it out.
  const chosenOrganisations = db
    .select(organisationColumns)
    .from(organisations)
    .where(and(eq(organisations.active, true), amongIds(organisations.id, query.organisationIds)))
    .all();
  const otherOrganisations = and(organisationMatch, sql`not ${amongIds(organisations.id, query.organisationIds)}`);
  const foundOrganisations = db
    .select(organisationColumns)
    .from(organisations)
    .where(otherOrganisations)
    .orderBy(asc(organisations.name), asc(organisations.id))
    .limit(INVITATION_CHOICES_SHOWN)
    .all();
  const organisationsMatching = db.select({ n: count() }).from(organisations).where(otherOrganisations).get()?.n ?? 0;

  const findPeople = query.findPeople;
  const personMatch = and(
    eq(users.active, true),
    findPeople ? or(containing(users.name, findPeople), containing(users.email, findPeople), containing(organisations.name, findPeople)) : undefined,
  );
  const personColumns = { id: users.id, name: users.name, organisationName: organisations.name };
  const people = () => db.select(personColumns).from(users).leftJoin(organisations, eq(organisations.id, users.organisationId));
  const chosenPeople = people().where(and(eq(users.active, true), amongIds(users.id, query.personIds))).all();
  const otherPeople = and(personMatch, sql`not ${amongIds(users.id, query.personIds)}`);
  const foundPeople = people().where(otherPeople).orderBy(asc(users.name), asc(users.id)).limit(INVITATION_CHOICES_SHOWN).all();
  const peopleMatching =
    db.select({ n: count() }).from(users).leftJoin(organisations, eq(organisations.id, users.organisationId)).where(otherPeople).get()?.n ?? 0;

  const byName = <T extends { name: string; id: number }>(a: T, b: T) => a.name.localeCompare(b.name) || a.id - b.id;
  return {
    organisations: [...chosenOrganisations, ...foundOrganisations].sort(byName),
    /** Active organisations matching the search that are not offered: to be found by name. */
    organisationsNotShown: organisationsMatching - foundOrganisations.length,
    people: [...chosenPeople, ...foundPeople].sort(byName),
    peopleNotShown: peopleMatching - foundPeople.length,
    timeZones: Intl.supportedValuesOf("timeZone"),
  };
}
