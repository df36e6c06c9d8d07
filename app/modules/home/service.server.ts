import type { DbOrTx } from "~/lib/db.server";
import type { Account } from "../accounts/service.server";
import { countActiveAccounts } from "../accounts/service.server";
import { latestAuditEvents } from "../audit/audit.server";
import { broadcastCounts } from "../broadcasts/service.server";
import { outboxCounts } from "../mail/outbox.server";
import { countConsultationsFor, listConsultationsFor } from "../consultations/service.server";
import { countActiveOrganisations } from "../organisations/service.server";
import { countUpcomingFor, upcomingFor } from "../scheduling/service.server";
import { countAwaitingTriage, ownInputStates } from "../threat-input/service.server";

export function adminOverview(db: DbOrTx) {
  const { pending, dead } = outboxCounts(db);
  return {
    activeAccounts: countActiveAccounts(db),
    activeOrganisations: countActiveOrganisations(db),
    mail: { pending, dead, broadcastsSetAside: broadcastCounts(db).setAside },
    recentAudit: latestAuditEvents(db, HOME_LIST_SIZE),
  };
}

/** How many rows each short list of the home page shows; the figures beside them count all. */
export const HOME_LIST_SIZE = 5;

/**
 * What waits for this person, by the roles they hold: figures, and the first few of each list
 * with a link to the whole of it, so that the page stays the same size however much there is.
 */
export function homeFor(db: DbOrTx, viewer: Account, now = new Date()) {
  const consults = viewer.roles.some((role) => role !== "admin");
  const open = consults ? listConsultationsFor(db, viewer, { status: "open" }).rows.slice(0, HOME_LIST_SIZE) : [];
  const inputs = ownInputStates(db, viewer, open.map((consultation) => consultation.id));
  return {
    roles: viewer.roles,
    consultations: consults
      ? {
          counts: countConsultationsFor(db, viewer),
          open: open.map((consultation) => ({ ...consultation, input: inputs.get(consultation.id) ?? null })),
        }
      : null,
    awaitingTriage: viewer.roles.includes("analyst") ? countAwaitingTriage(db, viewer) : null,
    meetings: consults
      ? { ...upcomingFor(db, viewer, now, HOME_LIST_SIZE), counts: countUpcomingFor(db, viewer, now) }
      : null,
    admin: viewer.roles.includes("admin") ? adminOverview(db) : null,
  };
}
