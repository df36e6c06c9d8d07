import { describe, expect, it } from "vitest";
import { isNotModified, parseHttpDate } from "~/lib/conditional-get";

// RFC 9110 §5.6.7's own example, in its three forms.
const INSTANT = "1994-11-06T08:49:37.000Z";

describe("parseHttpDate", () => {
  it("reads the IMF-fixdate, the obsolete RFC 850 and the asctime forms as the same instant", () => {
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")?.toISOString()).toBe(INSTANT);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")?.toISOString()).toBe(INSTANT);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994")?.toISOString()).toBe(INSTANT);
    expect(parseHttpDate("Sun Nov 16 08:49:37 1994")?.toISOString()).toBe("1994-11-16T08:49:37.000Z");
    // What Date#toUTCString writes, as the portal's own Last-Modified does.
    const now = new Date("2027-10-31T01:30:00.000Z");
    expect(parseHttpDate(now.toUTCString())?.toISOString()).toBe(now.toISOString());
  });

  it("puts a two-digit year within 50 years of now", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    expect(parseHttpDate("Thursday, 01-Jan-76 00:00:00 GMT", now)?.getUTCFullYear()).toBe(2076);
    expect(parseHttpDate("Saturday, 01-Jan-77 00:00:00 GMT", now)?.getUTCFullYear()).toBe(1977);
    expect(parseHttpDate("Monday, 01-Jan-01 00:00:00 GMT", new Date("2099-06-01T00:00:00Z"))?.getUTCFullYear()).toBe(2101);
  });

  it("refuses what is not an HTTP-date", () => {
    for (const text of [
      "",
      "yesterday",
      "2026-01-01T00:00:00Z",
      "1767225600",
      "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 08:49:37 +0000",
      "sun, 06 nov 1994 08:49:37 gmt",
      "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 31 Feb 1994 08:49:37 GMT",
      "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 06 Nov 1994 08:60:00 GMT",
      "Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT",
      " Sun, 06 Nov 1994 08:49:37 GMT",
    ]) {
      expect(parseHttpDate(text), JSON.stringify(text)).toBeNull();
    }
  });
});

describe("isNotModified", () => {
  const validators = { etag: '"v2"', lastModified: new Date("2027-10-31T01:30:00Z") };
  const at = (iso: string) => new Date(iso).toUTCString();
  const ask = (headers: Record<string, string>, method = "GET") =>
    isNotModified(new Request("https://consult.taskforce.example/calendar/x.ics", { method, headers }), validators);

  it("is false without a condition", () => {
    expect(ask({})).toBe(false);
  });

  it("compares If-None-Match weakly, and * matches anything", () => {
    expect(ask({ "If-None-Match": '"v2"' })).toBe(true);
    expect(ask({ "If-None-Match": 'W/"v2"' })).toBe(true);
    expect(ask({ "If-None-Match": '"v1", "v2"' })).toBe(true);
    expect(ask({ "If-None-Match": "*" })).toBe(true);
    expect(ask({ "If-None-Match": '"v1"' })).toBe(false);
    expect(ask({ "If-None-Match": "" })).toBe(false);
  });

  it("answers If-Modified-Since at or after the last change, and not before it", () => {
    expect(ask({ "If-Modified-Since": at("2027-10-31T01:30:00Z") })).toBe(true);
    expect(ask({ "If-Modified-Since": at("2027-11-02T00:00:00Z") })).toBe(true);
    expect(ask({ "If-Modified-Since": at("2027-10-31T01:29:59Z") })).toBe(false);
    expect(ask({ "If-Modified-Since": "Sunday, 31-Oct-27 01:30:00 GMT" })).toBe(true);
    expect(ask({ "If-Modified-Since": "Sun Oct 31 01:30:00 2027" })).toBe(true);
    expect(ask({ "If-Modified-Since": at("2027-11-02T00:00:00Z") }, "HEAD")).toBe(true);
  });

  it("ignores an If-Modified-Since it cannot read, or on a method other than GET and HEAD", () => {
    expect(ask({ "If-Modified-Since": "2027-11-02" })).toBe(false);
    expect(ask({ "If-Modified-Since": `${at("2027-11-02T00:00:00Z")}, ${at("2027-11-03T00:00:00Z")}` })).toBe(false);
    expect(ask({ "If-Modified-Since": at("2027-11-02T00:00:00Z") }, "POST")).toBe(false);
  });

  it("lets If-None-Match decide when both are sent (RFC 9110 §13.2.2)", () => {
    // A stale ETag with a fresh date: the content changed within the date's second, or the date is a guess.
    expect(ask({ "If-None-Match": '"v1"', "If-Modified-Since": at("2027-11-02T00:00:00Z") })).toBe(false);
    // The current ETag with an older date: the ETag says it is the same content.
    expect(ask({ "If-None-Match": '"v2"', "If-Modified-Since": at("2027-10-01T00:00:00Z") })).toBe(true);
  });
});
