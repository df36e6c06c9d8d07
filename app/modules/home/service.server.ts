import type { DbOrTx } from "~/lib/db.server";
import type { Account } from "../accounts/service.server";
import { isStakeholder } from "../access/viewer";
import { countActiveAccounts } from "../accounts/service.server";
import { latestAuditEvents } from "../audit/audit.server";
import { outboxOverview } from "../mail/outbox.server";
import { listConsultationsFor } from "../consultations/service.server";
import { countActiveOrganisations } from "../organisations/service.server";
import { upcomingFor } from "../scheduling/service.server";
import { countAwaitingTriage, ownInputStates } from "../threat-input/service.server";

export function adminOverview(db: DbOrTx) {
  const { pending, dead } = outboxOverview(db);
  return {
    activeAccounts: countActiveAccounts(db),
    activeOrganisations: countActiveOrganisations(db),
    mail: { pending, dead },
    recentAudit: latestAuditEvents(db, 5),
  };
}

/** What waits for this person, by the roles they hold. */
export function homeFor(db: DbOrTx, viewer: Account, now = new Date()) {
  const consults = viewer.roles.some((role) => role !== "admin");
  const inputs = isStakeholder(viewer) ? ownInputStates(db, viewer) : null;
  return {
    roles: viewer.roles,
    consultations: consults
      ? listConsultationsFor(db, viewer)
          .filter((consultation) => consultation.status !== "closed")
          .map((consultation) => ({ ...consultation, input: inputs?.get(consultation.id) ?? null }))
      : [],
    awaitingTriage: viewer.roles.includes("analyst") ? countAwaitingTriage(db, viewer) : null,
    meetings: consults ? upcomingFor(db, viewer, now) : { scheduled: [], polls: [] },
    admin: viewer.roles.includes("admin") ? adminOverview(db) : null,
  };
}
