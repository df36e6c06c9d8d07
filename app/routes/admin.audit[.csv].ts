import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/lib/db.server";
import { requireRole } from "~/modules/auth/guard.server";
import { auditEventsFor } from "~/modules/audit/audit.server";
import { auditFilterFrom, auditFilterSchema } from "~/modules/audit/schema";
import { auditCsv } from "~/modules/audit/words";

/** The audit log's filtered view as CSV, for an investigator's spreadsheet. */
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const query = auditFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const rows = auditEventsFor(getDb(), auditFilterFrom(query, viewer.timeZone));
  const body = auditCsv(rows, viewer);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="audit-log.csv"',
      "Cache-Control": "no-store",
    },
  });
}
