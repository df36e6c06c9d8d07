import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { feedFor } from "~/modules/calendar/feeds.server";

// A private feed: shared caches keep nothing; the subscriber revalidates with its ETag.
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
  if (matchesIfNoneMatch(request.headers.get("If-None-Match"), feed.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(feed.body, {
    headers: { ...headers, "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": 'inline; filename="meetings.ics"' },
  });
}

/**
 * If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x". A proxy that
 * compresses the feed (nginx with gzip on) weakens the ETag, and its clients send that back.
 */
function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}
