import { eq } from "drizzle-orm";
import { editionPageVersion } from "../../../db/schema";
import type { Db, DbOrTx } from "~/lib/db.server";
import { keptValues } from "~/lib/memo";
import { gateViewer, type Viewer } from "../access/viewer";
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
  return keptPage(db, keptPages, viewer, id, (asked) => computedPage(db, asked.viewer, asked.id));
}

/**
 * The same page, computed off the event loop: by `compute` (the read worker, which runs
 * `computedPage` on its own connection, system/read-worker.server.ts), so that the first view of a draft
 * after a write (half a second and more at 10,000 inputs) holds up nobody else's page. Two views
 * that ask for the same page while it is computed share the computation. A computation that
 * fails is not kept.
 */
export function editionPageSoon(db: Db, viewer: Viewer, id: number, compute: (asked: EditionPageAsk) => Promise<EditionPage>): Promise<EditionPage> {
  return keptPage(db, pagesComing, viewer, id, (asked, forget) => {
    const coming = compute(asked);
    // A failed computation (a refusal, or the worker gone) is not kept: the next view asks again.
    coming.catch(forget);
    return coming;
  });
}

/** What a page is computed for: the viewer as the gate sees them, and the edition. */
export type EditionPageAsk = { viewer: Viewer; id: number };

/**
 * The page kept in `store` for this viewer and edition at the version the database is at now, or
 * computed by `compute` and kept. The computation is handed the viewer as the key holds it (id,
 * roles, organisation), that it can depend on nothing of the viewer the key leaves out.
 */
function keptPage<T>(
  db: Db,
  store: WeakMap<Db, Kept<T>>,
  viewer: Viewer,
  id: number,
  compute: (asked: EditionPageAsk, forget: () => void) => T,
): T {
  const asked: EditionPageAsk = { viewer: gateViewer(viewer), id };
  const key = JSON.stringify(asked);
  const version = pageVersion(db);
  if (version === null) return compute(asked, () => {});
  let kept = store.get(db);
  if (kept?.version !== version) {
    kept = { version, pages: keptValues<T>(PAGES_KEPT) };
    store.set(db, kept);
  }
  const pages = kept.pages;
  return pages.get(key, () => compute(JSON.parse(key) as EditionPageAsk, () => pages.forget(key)));
}

/** The page as computed from the database now. */
export function computedPage(db: DbOrTx, viewer: Viewer, id: number) {
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

export type EditionPage = ReturnType<typeof computedPage>;

/** Per database handle: the version its kept pages were computed at, and those pages (a new version, none). */
type Kept<T> = { version: number; pages: ReturnType<typeof keptValues<T>> };
const keptPages = new WeakMap<Db, Kept<EditionPage>>();
const pagesComing = new WeakMap<Db, Kept<Promise<EditionPage>>>();

/**
 * The version edition pages are computed at, or null where no page may be kept: inside a
 * transaction a page would be computed from writes that may yet be rolled back, and the version
 * with them, to be reached again by other writes.
 */
function pageVersion(db: Db): number | null {
  if (db.$client.inTransaction) return null;
  return db.select({ version: editionPageVersion.version }).from(editionPageVersion).where(eq(editionPageVersion.id, 1)).get()?.version ?? null;
}
