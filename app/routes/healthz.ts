import { getDb } from "~/lib/db.server";
import { databaseAnswers } from "~/modules/system/health.server";

export function loader() {
  const ok = databaseAnswers(getDb());
  return new Response(ok ? "ok" : "database unavailable", {
    status: ok ? 200 : 503,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
  });
}
