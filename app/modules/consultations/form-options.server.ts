import { and, asc, count, eq, or, sql } from "drizzle-orm";
import { organisations, users } from "../../../db/schema";
import { amongIds, type DbOrTx } from "~/lib/db.server";
import { containing } from "~/lib/keyset.server";
import { organisationChoices, ORGANISATION_CHOICES_SHOWN } from "../organisations/service.server";

/** How many people the form offers beside those already chosen (as many as organisations). */
export const INVITATION_CHOICES_SHOWN = ORGANISATION_CHOICES_SHOWN;

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
  // Only active ones can be chosen (the form's check refuses others), as before the search: a
  // consultation's organisation deactivated since is not offered, and saving leaves it out.
  const organisationOffer = organisationChoices(db, { chosen: query.organisationIds, find: query.findOrganisations });

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

  return {
    organisations: organisationOffer.offered,
    /** Active organisations matching the search that are not offered: to be found by name. */
    organisationsNotShown: organisationOffer.notShown,
    people: [...chosenPeople, ...foundPeople].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id),
    peopleNotShown: peopleMatching - foundPeople.length,
    timeZones: Intl.supportedValuesOf("timeZone"),
  };
}
