import type { DbOrTx } from "~/lib/db.server";
import type { Account } from "../accounts/service.server";
import { countActiveAccounts } from "../accounts/service.server";
import { listAuditEvents } from "../audit/audit.server";
import { outboxOverview } from "../mail/outbox.server";
import { countActiveOrganisations } from "../organisations/service.server";

export function adminOverview(db: DbOrTx) {
  const { pending, dead } = outboxOverview(db);
  return {
    activeAccounts: countActiveAccounts(db),
    activeOrganisations: countActiveOrganisations(db),
    mail: { pending, dead },
    recentAudit: listAuditEvents(db, { page: 1 }).rows.slice(0, 5),
  };
}

/** What waits for this person, by the roles they hold. */
export function homeFor(db: DbOrTx, viewer: Account) {
  return { roles: viewer.roles, admin: viewer.roles.includes("admin") ? adminOverview(db) : null };
}
