// Conditional GET (RFC 9110 §13): whether a client's cached copy is still the one we would send.

export type Validators = { etag: string; lastModified: Date };

/**
 * Whether a request may be answered 304 Not Modified (RFC 9110 §13.2.2): If-None-Match decides
 * when present (it replaces If-Modified-Since, which is then ignored); otherwise a valid
 * If-Modified-Since on a GET or HEAD, at or after the last modification. Anything unreadable is
 * ignored, as the RFC says, so the client gets the full answer.
 */
export function isNotModified(request: Request, validators: Validators): boolean {
  const ifNoneMatch = request.headers.get("If-None-Match");
  if (ifNoneMatch !== null) return matchesIfNoneMatch(ifNoneMatch, validators.etag);
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const ifModifiedSince = request.headers.get("If-Modified-Since");
  const since = ifModifiedSince === null ? null : parseHttpDate(ifModifiedSince);
  return since !== null && validators.lastModified.getTime() <= since.getTime();
}

/**
 * If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x". A proxy that
 * compresses a response (nginx with gzip on) weakens the ETag, and its clients send that back.
 */
function matchesIfNoneMatch(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => opaque(tag) === opaque(etag));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = MONTHS.join("|");
const TIME = String.raw`(\d{2}):(\d{2}):(\d{2})`;
// The three forms of RFC 9110 §5.6.7, which a recipient must all accept. Date.parse is no
// substitute: it reads the asctime form in the server's own zone and takes many non-dates.
const IMF_FIXDATE = new RegExp(String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (${MONTH}) (\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(
  String.raw`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-(${MONTH})-(\d{2}) ${TIME} GMT$`,
);
const ASCTIME_DATE = new RegExp(String.raw`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) ([ \d]\d) ${TIME} (\d{4})$`);

/** An HTTP-date (RFC 9110 §5.6.7) as an instant, or null when the text is not one. */
export function parseHttpDate(text: string, now = new Date()): Date | null {
  let parts: { day: string; month: string; year: number; time: string[] } | null = null;
  let match: RegExpExecArray | null;
  if ((match = IMF_FIXDATE.exec(text))) {
    parts = { day: match[1]!, month: match[2]!, year: Number(match[3]), time: match.slice(4, 7) };
  } else if ((match = RFC850_DATE.exec(text))) {
    // The year within 50 years of now with those two digits: one more than 50 years ahead is
    // the latest past year with them (RFC 9110 §5.6.7).
    const thisYear = now.getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(match[3]);
    if (year > thisYear + 50) year -= 100;
    else if (year <= thisYear - 50) year += 100;
    parts = { day: match[1]!, month: match[2]!, year, time: match.slice(4, 7) };
  } else if ((match = ASCTIME_DATE.exec(text))) {
    parts = { day: match[2]!.trim(), month: match[1]!, year: Number(match[6]), time: match.slice(3, 6) };
  }
  if (!parts) return null;
  const [hour, minute, second] = parts.time.map(Number) as [number, number, number];
  const month = MONTHS.indexOf(parts.month);
  const day = Number(parts.day);
  if (hour > 23 || minute > 59 || second > 60) return null;
  const at = new Date(Date.UTC(parts.year, month, day, hour, minute, Math.min(second, 59)));
  // Date.UTC rolls 31 February over into March; such a date is not one.
  if (at.getUTCMonth() !== month || at.getUTCDate() !== day) return null;
  return at;
}
