import { eq } from "drizzle-orm";
import { editionPageVersion } from "../../../db/schema";
import type { Db, DbOrTx } from "~/lib/db.server";
import { memoize } from "~/lib/memo";
import type { Viewer } from "../access/viewer";
import { reportedBeyondEdition } from "../intel/correlation.server";
import { releaseChoices } from "../taxii/service.server";
import { exportSummary, viewEdition } from "./service.server";

/** How many actors and malware families the edition page ranks; the rest are counted. */
export const RANKED_SHOWN = 40;

/** How many computed pages are kept at a time (viewer and edition), the least recently shown dropped first. */
const PAGES_KEPT = 16;

/**
 * Everything an edition's page shows this viewer, in one place for the route and the benchmark's
 * bare server alike: the figures (viewEdition), the ranked names with how many items name each
 * (their item ids stay on the server, where the drill-down pages them: an edition's names can
 * rest on tens of thousands of items), and for analysts what input beyond the edition names the
 * same and what each export would leave out; the member agencies' releases once published.
 *
 * The page is kept, computed once per viewer and edition, until something it is computed from is
 * written (docs/decisions/030): a draft over 10,000 inputs is scored from every item an
 * analyst may read, half a second and a few hundred megabytes of heap at each view otherwise.
 */
export function editionPage(db: Db, viewer: Viewer, id: number): EditionPage {
  const version = pageVersion(db);
  if (version === null) return computedPage(db, viewer, id);
  let kept = keptPages.get(db);
  if (kept?.version !== version) {
    kept = {
      version,
      page: memoize(PAGES_KEPT, (key) => {
        // The computation is handed the viewer as the key holds it (id, roles, organisation),
        // that it can depend on nothing of the viewer the key leaves out.
        const asked = JSON.parse(key) as { viewer: Viewer; id: number };
        return computedPage(db, asked.viewer, asked.id);
      }),
    };
    keptPages.set(db, kept);
  }
  const key: { viewer: Viewer; id: number } = { viewer: { id: viewer.id, roles: viewer.roles, organisationId: viewer.organisationId }, id };
  return kept.page(JSON.stringify(key));
}

/** The page as computed from the database now. */
function computedPage(db: DbOrTx, viewer: Viewer, id: number) {
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

type EditionPage = ReturnType<typeof computedPage>;

/** Per database handle: the version its kept pages were computed at, and those pages (a new version, none). */
const keptPages = new WeakMap<Db, { version: number; page: (key: string) => EditionPage }>();

/**
 * The version edition pages are computed at, or null where no page may be kept: inside a
 * transaction a page would be computed from writes that may yet be rolled back, and the version
 * with them, to be reached again by other writes.
 */
function pageVersion(db: Db): number | null {
  if (db.$client.inTransaction) return null;
  return db.select({ version: editionPageVersion.version }).from(editionPageVersion).where(eq(editionPageVersion.id, 1)).get()?.version ?? null;
}
