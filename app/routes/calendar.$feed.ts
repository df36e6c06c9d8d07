import type { LoaderFunctionArgs } from "@remix-run/node";
import { isNotModified } from "~/lib/conditional-get";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { feedFor } from "~/modules/calendar/feeds.server";

// A private feed: shared caches keep nothing; the subscriber revalidates with its ETag or date.
const CACHE = "private, no-cache";

const notFound = () =>
  new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });

export function loader({ request, params }: LoaderFunctionArgs) {
  const match = /^([A-Za-z0-9_-]{43})\.ics$/.exec(params.feed ?? "");
  const feed = feedFor(getDb(), match?.[1] ?? "", getEnv().APP_URL);
  if (!match || !feed) return notFound();
  const headers = {
    ETag: feed.etag,
    "Last-Modified": feed.lastModified.toUTCString(),
    "Cache-Control": CACHE,
  };
  if (isNotModified(request, feed)) return new Response(null, { status: 304, headers });
  return new Response(feed.body, {
    headers: { ...headers, "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": 'inline; filename="meetings.ics"' },
  });
}
