import { describe, expect, it } from "vitest";
import {
  formatDateTime,
  formatTimeRange,
  isRepeatedWallTime,
  localDateTime,
  transitionsIn,
  zonedToUtc,
  zoneOffsetMinutes,
} from "~/lib/time";
import { clockChangeBetween, outsideWorkingHours, rankSlots } from "~/modules/scheduling/rules";
import { later, minutes } from "./helpers";

const at = (iso: string) => new Date(iso);
const hour = minutes(60);
const en = (timeZone: string) => ({ timeZone, locale: "en-GB" });

describe("local times across the Atlantic", () => {
  // 2026: North America moves its clocks on 8 March, Europe on 29 March.
  const inTheGap = at("2026-03-10T15:00:00Z");

  it("shows a slot in the week between the US and EU switches at 11:00 in Toronto and 16:00 in Vienna", () => {
    expect(localDateTime(inTheGap, "America/Toronto")).toEqual({ date: "2026-03-10", time: "11:00", minutes: 660 });
    expect(localDateTime(inTheGap, "Europe/Vienna")).toEqual({ date: "2026-03-10", time: "16:00", minutes: 960 });

    const end = later(inTheGap, hour);
    expect(formatTimeRange(inTheGap, end, en("America/Toronto"))).toBe(
      "Tue, 10 Mar 2026, 11:00–12:00 GMT-4 (America/Toronto)",
    );
    expect(formatTimeRange(inTheGap, end, en("Europe/Vienna"))).toBe(
      "Tue, 10 Mar 2026, 16:00–17:00 CET (Europe/Vienna)",
    );
    // In the viewer's own language the zone reads as they know it.
    expect(formatTimeRange(inTheGap, end, { timeZone: "America/Toronto", locale: "en-CA" })).toMatch(
      /11:00\s?a\.m\.–12:00\s?p\.m\. EDT \(America\/Toronto\)$/,
    );
  });

  it("keeps the usual six hours between Toronto and Vienna the week before the US switch", () => {
    const weekBefore = at("2026-03-03T15:00:00Z");
    expect(localDateTime(weekBefore, "America/Toronto").time).toBe("10:00");
    expect(localDateTime(weekBefore, "Europe/Vienna").time).toBe("16:00");
  });

  it("shows a slot at 23:30 UTC on the next day in Rome", () => {
    const start = at("2026-01-15T23:30:00Z");
    expect(localDateTime(start, "Europe/Rome")).toEqual({ date: "2026-01-16", time: "00:30", minutes: 30 });
    expect(formatTimeRange(start, later(start, hour), en("Europe/Rome"))).toBe(
      "Fri, 16 Jan 2026, 00:30–01:30 CET (Europe/Rome)",
    );
    // The same instant is still the 15th in Bogota.
    expect(localDateTime(start, "America/Bogota")).toMatchObject({ date: "2026-01-15", time: "18:30" });
  });

  it("names the end's date when a slot runs past midnight for the viewer", () => {
    const start = at("2026-01-15T22:30:00Z");
    expect(formatTimeRange(start, later(start, hour), en("Europe/Rome"))).toBe(
      "Thu, 15 Jan 2026, 23:30–Fri, 16 Jan 2026, 00:30 CET (Europe/Rome)",
    );
  });

  it("puts a 16:00 Vienna slot at 10:00 in Bogota in winter and 09:00 in summer", () => {
    const winter = zonedToUtc("2026-01-20", "16:00", "Europe/Vienna")!;
    expect(winter.toISOString()).toBe("2026-01-20T15:00:00.000Z");
    expect(localDateTime(winter, "America/Bogota")).toMatchObject({ date: "2026-01-20", time: "10:00" });

    const summer = zonedToUtc("2026-07-14", "16:00", "Europe/Vienna")!;
    expect(summer.toISOString()).toBe("2026-07-14T14:00:00.000Z");
    expect(localDateTime(summer, "America/Bogota")).toMatchObject({ date: "2026-07-14", time: "09:00" });
  });

  it("formats a single instant with the zone named", () => {
    expect(formatDateTime(inTheGap, en("Europe/Vienna"))).toBe("10 Mar 2026, 16:00 CET (Europe/Vienna)");
    expect(formatDateTime(inTheGap, en("America/Bogota"))).toBe("10 Mar 2026, 10:00 GMT-5 (America/Bogota)");
  });
});

describe("times across a clock change in mail and on pages", () => {
  it("names each end's own zone when the clocks change during the meeting", () => {
    // Vienna springs forward at 02:00 CET on 29 March 2026: 01:30 CET to 04:30 CEST is two hours.
    expect(formatTimeRange(at("2026-03-29T00:30:00Z"), at("2026-03-29T02:30:00Z"), en("Europe/Vienna"))).toBe(
      "Sun, 29 Mar 2026, 01:30 CET–04:30 CEST (Europe/Vienna)",
    );
    // Rome falls back at 03:00 CEST on 31 October 2027: 02:30 CEST to 02:00 CET is half an hour.
    expect(formatTimeRange(at("2027-10-31T00:30:00Z"), at("2027-10-31T01:00:00Z"), en("Europe/Rome"))).toBe(
      "Sun, 31 Oct 2027, 02:30 CEST–02:00 CET (Europe/Rome)",
    );
    // Toronto, past midnight and across its autumn change.
    expect(formatTimeRange(at("2027-11-07T03:30:00Z"), at("2027-11-07T07:30:00Z"), { timeZone: "America/Toronto", locale: "en-CA" })).toMatch(
      /^Sat, Nov\.? 6, 2027, 11:30\sp\.m\. EDT–Sun, Nov\.? 7, 2027, 02:30\sa\.m\. EST \(America\/Toronto\)$/,
    );
    // The same instants in Bogota, which keeps its clock: one zone name.
    expect(formatTimeRange(at("2026-03-29T00:30:00Z"), at("2026-03-29T02:30:00Z"), en("America/Bogota"))).toBe(
      "Sat, 28 Mar 2026, 19:30–21:30 GMT-5 (America/Bogota)",
    );
  });

  it("formats the same as a freshly built Intl formatter, for more locales and zones than it keeps", () => {
    // The formatters' cache keeps 500 (locale, zone, style) entries: 600 pairs run past it, and
    // the second round finds the first round's entries evicted.
    const locales = ["en-GB", "de-AT", "it-IT", "es-CO", "fr-CA"];
    const zones = Intl.supportedValuesOf("timeZone").slice(0, 120);
    const instant = at("2027-10-31T00:30:00Z");
    expect(zones.length * locales.length).toBeGreaterThan(500);
    for (const round of [1, 2]) {
      for (const locale of locales) {
        for (const timeZone of zones) {
          const text = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: "medium", timeStyle: "short" }).format(instant);
          const zone = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "short" })
            .formatToParts(instant)
            .find((part) => part.type === "timeZoneName")!.value;
          const expected = `${text} ${zone} (${timeZone})`.replace(/\s+/g, " ");
          expect(formatDateTime(instant, { timeZone, locale }), `${locale} ${timeZone}, round ${round}`).toBe(expected);
        }
      }
    }
  });
});

describe("transitionsIn and isRepeatedWallTime", () => {
  it("finds each zone's changes of 2027 to the minute, and none in Bogota", () => {
    const iso = (zone: string) =>
      transitionsIn(zone, 2027).map(({ at: change, from, to }) => [new Date(change).toISOString(), from, to]);
    expect(iso("Europe/Rome")).toEqual([
      ["2027-03-28T01:00:00.000Z", 60, 120],
      ["2027-10-31T01:00:00.000Z", 120, 60],
    ]);
    expect(iso("America/Toronto")).toEqual([
      ["2027-03-14T07:00:00.000Z", -300, -240],
      ["2027-11-07T06:00:00.000Z", -240, -300],
    ]);
    expect(iso("America/Bogota")).toEqual([]);
  });

  it("reports each change once, in its own year, at its first minute, for zones with odd changes", () => {
    // Samoa skipped 30 December 2011; Volgograd moved to UTC+4 in 2018 and back in December 2020.
    for (const zone of ["Pacific/Apia", "Europe/Volgograd", "Europe/Rome", "Australia/Lord_Howe"]) {
      for (let year = 2010; year <= 2021; year++) {
        for (const { at: change, from, to } of transitionsIn(zone, year)) {
          expect(new Date(change).getUTCFullYear()).toBe(year);
          expect(zoneOffsetMinutes(new Date(change - 60_000), zone), `${zone} before ${new Date(change).toISOString()}`).toBe(from);
          expect(zoneOffsetMinutes(new Date(change), zone)).toBe(to);
        }
      }
    }
    expect(transitionsIn("Pacific/Apia", 2011).map(({ at: change, from, to }) => [new Date(change).toISOString(), from, to])).toContainEqual([
      "2011-12-30T10:00:00.000Z",
      -600,
      840,
    ]);
  });

  const repeatedFrom = (zone: string, from: string, to: string) => {
    const found: string[] = [];
    for (let t = Date.parse(from); t < Date.parse(to); t += minutes(15)) {
      if (isRepeatedWallTime(new Date(t), zone)) found.push(new Date(t).toISOString().slice(11, 16));
    }
    return found;
  };

  it("marks the instants whose clock time comes twice when the clocks go back, and no others", () => {
    // Rome, 31 October 2027: 02:00-02:59 is shown from 00:00 UTC and again from 01:00 UTC.
    expect(repeatedFrom("Europe/Rome", "2027-10-30T23:00:00Z", "2027-10-31T03:00:00Z")).toEqual([
      "00:00", "00:15", "00:30", "00:45", "01:00", "01:15", "01:30", "01:45",
    ]);
    // Toronto, 7 November 2027: 01:00-01:59 from 05:00 UTC and again from 06:00 UTC.
    expect(repeatedFrom("America/Toronto", "2027-11-07T04:00:00Z", "2027-11-07T08:00:00Z")).toEqual([
      "05:00", "05:15", "05:30", "05:45", "06:00", "06:15", "06:30", "06:45",
    ]);
    // Springing forward repeats nothing, and Bogota never changes.
    expect(repeatedFrom("Europe/Rome", "2027-03-27T23:00:00Z", "2027-03-28T03:00:00Z")).toEqual([]);
    expect(repeatedFrom("America/Toronto", "2027-03-14T05:00:00Z", "2027-03-14T09:00:00Z")).toEqual([]);
    expect(repeatedFrom("America/Bogota", "2027-01-01T00:00:00Z", "2027-01-03T00:00:00Z")).toEqual([]);
    expect(repeatedFrom("America/Bogota", "2027-10-30T00:00:00Z", "2027-11-08T00:00:00Z")).toEqual([]);
  });
});

describe("zoneOffsetMinutes", () => {
  it("gives Bogota -300 all year and Vienna 60 in winter, 120 in summer", () => {
    expect(zoneOffsetMinutes(at("2026-01-15T12:00:00Z"), "America/Bogota")).toBe(-300);
    expect(zoneOffsetMinutes(at("2026-07-15T12:00:00Z"), "America/Bogota")).toBe(-300);
    expect(zoneOffsetMinutes(at("2026-01-15T12:00:00Z"), "Europe/Vienna")).toBe(60);
    expect(zoneOffsetMinutes(at("2026-07-15T12:00:00Z"), "Europe/Vienna")).toBe(120);
    expect(zoneOffsetMinutes(at("2026-01-15T12:00:00Z"), "America/Toronto")).toBe(-300);
    expect(zoneOffsetMinutes(at("2026-07-15T12:00:00Z"), "America/Toronto")).toBe(-240);
  });

  it("switches Europe on the last Sunday of March and October at 01:00 UTC", () => {
    expect(zoneOffsetMinutes(at("2026-03-29T00:59:00Z"), "Europe/Vienna")).toBe(60);
    expect(zoneOffsetMinutes(at("2026-03-29T01:00:00Z"), "Europe/Vienna")).toBe(120);
    expect(zoneOffsetMinutes(at("2026-10-24T12:00:00Z"), "Europe/Rome")).toBe(120);
    expect(zoneOffsetMinutes(at("2026-10-25T00:59:00Z"), "Europe/Rome")).toBe(120);
    expect(zoneOffsetMinutes(at("2026-10-25T01:00:00Z"), "Europe/Rome")).toBe(60);
  });

  it("switches North America on the second Sunday of March and the first Sunday of November", () => {
    expect(zoneOffsetMinutes(at("2026-03-08T06:59:00Z"), "America/Toronto")).toBe(-300);
    expect(zoneOffsetMinutes(at("2026-03-08T07:00:00Z"), "America/Toronto")).toBe(-240);
    expect(zoneOffsetMinutes(at("2026-10-31T12:00:00Z"), "America/Toronto")).toBe(-240);
    expect(zoneOffsetMinutes(at("2026-11-01T05:59:00Z"), "America/Toronto")).toBe(-240);
    expect(zoneOffsetMinutes(at("2026-11-01T06:00:00Z"), "America/Toronto")).toBe(-300);
  });

  it("puts Toronto and Vienna five hours apart in the week between the autumn switches", () => {
    const between = at("2026-10-28T15:00:00Z");
    expect(localDateTime(between, "Europe/Vienna").time).toBe("16:00");
    expect(localDateTime(between, "America/Toronto").time).toBe("11:00");
    const after = at("2026-11-03T15:00:00Z");
    expect(localDateTime(after, "America/Toronto").time).toBe("10:00");
  });
});

describe("zonedToUtc", () => {
  it("round-trips with localDateTime", () => {
    const zones = ["Europe/Vienna", "Europe/Rome", "America/Toronto", "America/Bogota", "America/New_York"];
    const instants = [
      "2026-01-15T23:30:00Z",
      "2026-03-10T15:00:00Z",
      "2026-06-30T08:15:00Z",
      "2026-10-28T15:00:00Z",
      "2026-12-31T23:45:00Z",
    ].map(at);
    for (const zone of zones) {
      for (const instant of instants) {
        const local = localDateTime(instant, zone);
        expect(zonedToUtc(local.date, local.time, zone)?.toISOString(), `${instant.toISOString()} in ${zone}`).toBe(
          instant.toISOString(),
        );
      }
    }
  });

  it("finds every wall-clock time that exists on the switch days, in every zone the taskforce meets in", () => {
    const zones = ["Europe/Vienna", "Europe/Rome", "Europe/London", "America/Toronto", "America/Chicago", "America/Bogota"];
    // The nights of the switches, with a day's margin for the zones furthest from UTC.
    const days = [
      ["2026-03-07T18:00:00Z", "2026-03-09T06:00:00Z"],
      ["2026-03-28T12:00:00Z", "2026-03-29T18:00:00Z"],
      ["2026-10-24T12:00:00Z", "2026-10-25T18:00:00Z"],
      ["2026-10-31T18:00:00Z", "2026-11-02T06:00:00Z"],
    ] as const;
    const wrong: string[] = [];
    for (const zone of zones) {
      for (const [from, to] of days) {
        const first = new Map<string, number>();
        for (let t = Date.parse(from); t < Date.parse(to); t += minutes(30)) {
          const local = localDateTime(new Date(t), zone);
          const key = `${local.date} ${local.time}`;
          if (!first.has(key)) first.set(key, t);
        }
        for (const [key, t] of first) {
          const [date, time] = key.split(" ") as [string, string];
          const found = zonedToUtc(date, time, zone);
          if (found?.getTime() !== t) wrong.push(`${key} ${zone}: ${found?.toISOString()} instead of ${new Date(t).toISOString()}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("finds 03:30 on the morning Toronto springs forward (07:30 UTC)", () => {
    expect(zonedToUtc("2026-03-08", "03:30", "America/Toronto")?.toISOString()).toBe("2026-03-08T07:30:00.000Z");
  });

  it("finds 02:30 on the morning Toronto falls back, after the doubled hour (07:30 UTC)", () => {
    expect(zonedToUtc("2026-11-01", "02:30", "America/Toronto")?.toISOString()).toBe("2026-11-01T07:30:00.000Z");
  });

  it("returns null for a time the clocks skip", () => {
    expect(zonedToUtc("2026-03-29", "02:30", "Europe/Vienna")).toBeNull();
    expect(zonedToUtc("2026-03-08", "02:30", "America/Toronto")).toBeNull();
    // Either side of the gap exists.
    expect(zonedToUtc("2026-03-29", "01:59", "Europe/Vienna")?.toISOString()).toBe("2026-03-29T00:59:00.000Z");
    expect(zonedToUtc("2026-03-29", "03:00", "Europe/Vienna")?.toISOString()).toBe("2026-03-29T01:00:00.000Z");
  });

  it("takes the first occurrence of a doubled hour", () => {
    expect(zonedToUtc("2026-10-25", "02:30", "Europe/Vienna")?.toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(zonedToUtc("2026-11-01", "01:30", "America/Toronto")?.toISOString()).toBe("2026-11-01T05:30:00.000Z");
  });

  it("returns null for text that is not a date and a time", () => {
    expect(zonedToUtc("2026-3-8", "10:00", "Europe/Vienna")).toBeNull();
    expect(zonedToUtc("2026-03-08", "10h00", "Europe/Vienna")).toBeNull();
  });
});

describe("outsideWorkingHours (08:00-18:00 local)", () => {
  // Bogota is UTC-5 all year.
  const bogota = (start: string, lengthMinutes: number) => {
    const startsAt = at(start);
    return outsideWorkingHours(startsAt, later(startsAt, minutes(lengthMinutes)), "America/Bogota");
  };

  it("keeps a slot from 08:00 and one ending exactly at 18:00 inside", () => {
    expect(bogota("2026-03-17T13:00:00Z", 60)).toBe(false); // 08:00-09:00
    expect(bogota("2026-03-17T22:00:00Z", 60)).toBe(false); // 17:00-18:00
    expect(bogota("2026-03-17T13:00:00Z", 600)).toBe(false); // 08:00-18:00
  });

  it("flags a slot starting at 07:30, one running past 18:00 and one spanning midnight", () => {
    expect(bogota("2026-03-17T12:30:00Z", 60)).toBe(true); // 07:30-08:30
    expect(bogota("2026-03-17T22:30:00Z", 60)).toBe(true); // 17:30-18:30
    expect(bogota("2026-03-18T04:30:00Z", 60)).toBe(true); // 23:30-00:30
  });

  it("judges the same instant by each zone's own clock", () => {
    // 16:00 Vienna in winter: 10:00 in Bogota, inside; 09:00 Vienna is 03:00 in Bogota.
    const afternoon = at("2026-01-20T15:00:00Z");
    expect(outsideWorkingHours(afternoon, later(afternoon, hour), "America/Bogota")).toBe(false);
    expect(outsideWorkingHours(afternoon, later(afternoon, hour), "Europe/Vienna")).toBe(false);
    const morning = at("2026-01-20T08:00:00Z");
    expect(outsideWorkingHours(morning, later(morning, hour), "Europe/Vienna")).toBe(false);
    expect(outsideWorkingHours(morning, later(morning, hour), "America/Bogota")).toBe(true);
  });
});

describe("clockChangeBetween", () => {
  it("is true across a DST switch in that zone", () => {
    expect(clockChangeBetween(at("2026-03-20T09:00:00Z"), at("2026-03-31T14:00:00Z"), "Europe/Vienna")).toBe(true);
    expect(clockChangeBetween(at("2026-03-02T09:00:00Z"), at("2026-03-10T15:00:00Z"), "America/Toronto")).toBe(true);
    expect(clockChangeBetween(at("2026-10-20T09:00:00Z"), at("2026-10-27T15:00:00Z"), "Europe/Rome")).toBe(true);
    expect(clockChangeBetween(at("2026-10-28T09:00:00Z"), at("2026-11-02T15:00:00Z"), "America/Toronto")).toBe(true);
  });

  it("is false otherwise", () => {
    expect(clockChangeBetween(at("2026-03-02T09:00:00Z"), at("2026-03-10T15:00:00Z"), "Europe/Vienna")).toBe(false);
    expect(clockChangeBetween(at("2026-03-10T09:00:00Z"), at("2026-03-31T15:00:00Z"), "America/Toronto")).toBe(false);
    expect(clockChangeBetween(at("2026-01-02T09:00:00Z"), at("2026-07-31T15:00:00Z"), "America/Bogota")).toBe(false);
  });
});

describe("rankSlots", () => {
  const slots = [
    { id: 1, startsAt: at("2026-03-17T15:00:00Z") },
    { id: 2, startsAt: at("2026-03-16T15:00:00Z") },
    { id: 3, startsAt: at("2026-03-18T15:00:00Z") },
    { id: 4, startsAt: at("2026-03-19T15:00:00Z") },
    { id: 5, startsAt: at("2026-03-20T15:00:00Z") },
  ];

  it("orders by yes count, then if-need-be count, then the earlier start", () => {
    const ranking = rankSlots(slots, [
      { slotId: 1, answer: "yes" },
      { slotId: 1, answer: "if_need_be" },
      { slotId: 2, answer: "yes" },
      { slotId: 2, answer: "if_need_be" },
      { slotId: 3, answer: "yes" },
      { slotId: 3, answer: "yes" },
      { slotId: 3, answer: "no" },
      { slotId: 4, answer: "if_need_be" },
      { slotId: 4, answer: "if_need_be" },
      { slotId: 4, answer: "if_need_be" },
      { slotId: 5, answer: "no" },
    ]);
    expect(ranking.map((tally) => tally.slotId)).toEqual([3, 2, 1, 4, 5]);
    expect(ranking[0]).toEqual({ slotId: 3, startsAt: slots[2]!.startsAt, yes: 2, ifNeedBe: 0, no: 1 });
    expect(ranking[3]).toMatchObject({ slotId: 4, yes: 0, ifNeedBe: 3, no: 0 });
    expect(ranking[4]).toMatchObject({ slotId: 5, yes: 0, ifNeedBe: 0, no: 1 });
  });

  it("ignores votes for slots it does not know and lists unvoted slots with zeros", () => {
    const ranking = rankSlots(slots.slice(0, 2), [
      { slotId: 99, answer: "yes" },
      { slotId: 99, answer: "yes" },
      { slotId: 1, answer: "if_need_be" },
    ]);
    expect(ranking).toEqual([
      { slotId: 1, startsAt: slots[0]!.startsAt, yes: 0, ifNeedBe: 1, no: 0 },
      { slotId: 2, startsAt: slots[1]!.startsAt, yes: 0, ifNeedBe: 0, no: 0 },
    ]);
  });
});
