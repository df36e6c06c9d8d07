import type { DbOrTx } from "~/lib/db.server";
import type { Viewer } from "../access/viewer";
import { reportedBeyondEdition } from "../intel/correlation.server";
import { releaseChoices } from "../taxii/service.server";
import { exportSummary, viewEdition } from "./service.server";

/** How many actors and malware families the edition page ranks; the rest are counted. */
export const RANKED_SHOWN = 40;

/**
 * Everything an edition's page shows this viewer, in one place for the route and the benchmark's
 * bare server alike: the figures (viewEdition), the ranked names with how many items name each
 * (their item ids stay on the server, where the drill-down pages them: an edition's names can
 * rest on tens of thousands of items), and for analysts what input beyond the edition names the
 * same and what each export would leave out; the member agencies' releases once published.
 */
export function editionPage(db: DbOrTx, viewer: Viewer, id: number) {
  const view = viewEdition(db, viewer, id);
  const analyst = viewer.roles.includes("analyst");
  const ranked = view.entities.slice(0, RANKED_SHOWN);
  return {
    ...view,
    entities: ranked.map(({ itemIds, ...entity }) => ({ ...entity, items: itemIds.length })),
    unranked: view.entities.length - ranked.length,
    beyond: analyst
      ? reportedBeyondEdition(db, viewer, {
          entities: ranked,
          targets: view.proposals,
          itemIds: [...new Set([...view.entities, ...view.proposals].flatMap((entry) => entry.itemIds))],
        })
      : null,
    exports: analyst ? exportSummary(db, viewer, id) : null,
    releases: view.edition.status === "published" ? releaseChoices(db, viewer, id) : null,
  };
}
