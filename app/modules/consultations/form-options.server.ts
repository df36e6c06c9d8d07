import { listAccounts } from "../accounts/service.server";
import { listOrganisations } from "../organisations/service.server";
import type { DbOrTx } from "~/lib/db.server";

/** What a coordinator can choose from when inviting: active organisations and people. */
export function invitationOptions(db: DbOrTx) {
  return {
    organisations: listOrganisations(db).filter((organisation) => organisation.active),
    people: listAccounts(db, {})
      .filter((person) => person.active)
      .map((person) => ({ id: person.id, name: person.name, organisationName: person.organisationName })),
    timeZones: Intl.supportedValuesOf("timeZone"),
  };
}
