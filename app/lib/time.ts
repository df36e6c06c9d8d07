import { memoize } from "./memo";

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export type Viewer = { timeZone: string; locale: string };

// Building an Intl.DateTimeFormat costs far more than formatting with one (a triage page shows
// hundreds of dates), so each locale, zone and style gets one, kept for reuse. Locales come from
// people's settings and browsers: the caches are bounded.
const formatterCache = (options: Intl.DateTimeFormatOptions) =>
  memoize(500, (key) => {
    const [locale, timeZone] = key.split("\u0000") as [string, string];
    return new Intl.DateTimeFormat(locale, { ...options, timeZone });
  });
const formatters = {
  dateTime: formatterCache({ dateStyle: "medium", timeStyle: "short" }),
  dateTimeSeconds: formatterCache({ dateStyle: "medium", timeStyle: "medium" }),
  day: formatterCache({ weekday: "short", day: "numeric", month: "short", year: "numeric" }),
  clock: formatterCache({ hour: "2-digit", minute: "2-digit" }),
  zoneName: formatterCache({ timeZoneName: "short" }),
};
const formatterFor = (kind: keyof typeof formatters, viewer: Viewer) =>
  formatters[kind](`${viewer.locale}\u0000${viewer.timeZone}`);

/** The zone's short name at that instant in the viewer's language: "CET", "CEST", "GMT-5". */
function zoneNameAt(at: Date, viewer: Viewer): string {
  return formatterFor("zoneName", viewer).formatToParts(at).find((part) => part.type === "timeZoneName")?.value ?? "";
}

/** A date and time in the viewer's zone, with the zone named so nobody has to guess. */
export function formatDateTime(at: Date, viewer: Viewer): string {
  const text = formatterFor("dateTime", viewer).format(at);
  return `${text} ${zoneNameAt(at, viewer)} (${viewer.timeZone})`.replace(/\s+/g, " ");
}

/** The same to the second, where the order of events matters (the audit log). */
export function formatDateTimeWithSeconds(at: Date, viewer: Viewer): string {
  const text = formatterFor("dateTimeSeconds", viewer).format(at);
  return `${text} ${zoneNameAt(at, viewer)} (${viewer.timeZone})`.replace(/\s+/g, " ");
}

const partsFormatter = memoize(
  1000,
  (timeZone) =>
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }),
);

function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(partsFormatter(timeZone).formatToParts(at).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Minutes the zone is ahead of UTC at that instant (Vienna in winter: 60; Bogota: -300). */
export function zoneOffsetMinutes(at: Date, timeZone: string): number {
  const wall = wallClock(at, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const whole = Math.floor(at.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60_000);
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A change of a zone's offset: at that instant its clocks go from `from` to `to` minutes ahead of UTC. */
export type ZoneTransition = { at: number; from: number; to: number };

/**
 * The zone's offset changes in a (UTC) year, in order, as the tz database Node ships with has
 * them. A few hundred Intl calls a zone and year, so they are kept.
 */
export function transitionsIn(timeZone: string, year: number): readonly ZoneTransition[] {
  return transitionsOfYear(`${timeZone}\u0000${year}`);
}

const transitionsOfYear = memoize(2000, (key): readonly ZoneTransition[] => {
  const [timeZone, yearText] = key.split("\u0000") as [string, string];
  const start = Date.UTC(Number(yearText), 0, 1);
  const end = Date.UTC(Number(yearText) + 1, 0, 1);
  const found: ZoneTransition[] = [];
  // A day at a time (no zone in the tz database changes its offset twice within a day: 365
  // Intl calls a year instead of 8,760 an hour at a time), from the minute before the year so
  // that a change at its very first minute is found.
  let previous = zoneOffsetMinutes(new Date(start - MINUTE_MS), timeZone);
  for (let t = start - MINUTE_MS, next = t; t < end - MINUTE_MS; t = next) {
    next = Math.min(t + DAY_MS, end - MINUTE_MS);
    const offset = zoneOffsetMinutes(new Date(next), timeZone);
    if (offset === previous) continue;
    // Narrow the change down to the minute: `high` is the first minute on the new offset.
    let low = t;
    let high = next;
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / (2 * MINUTE_MS)) * MINUTE_MS;
      if (zoneOffsetMinutes(new Date(middle), timeZone) === previous) low = middle;
      else high = middle;
    }
    found.push({ at: high, from: previous, to: offset });
    previous = offset;
  }
  return found;
});

/**
 * Whether the clock time an instant shows in a zone is shown twice (the hour repeated when the
 * clocks go back), so that the wall-clock time alone cannot say which of the two is meant.
 */
export function isRepeatedWallTime(at: Date, timeZone: string): boolean {
  const t = at.getTime();
  // Clocks going back by d at T show the times of [T - d, T) again over [T, T + d). No switch
  // is more than a day, so the years a day either side hold every switch that matters.
  const years = new Set([new Date(t - DAY_MS).getUTCFullYear(), new Date(t + DAY_MS).getUTCFullYear()]);
  return [...years].some((year) =>
    transitionsIn(timeZone, year).some(({ at: change, from, to }) => {
      const back = (from - to) * MINUTE_MS;
      return back > 0 && t >= change - back && t < change + back;
    }),
  );
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The calendar date and clock time an instant shows in a zone: "2026-03-17", "16:00". */
export function localDateTime(at: Date, timeZone: string): { date: string; time: string; minutes: number } {
  const wall = wallClock(at, timeZone);
  return {
    date: `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`,
    time: `${pad(wall.hour)}:${pad(wall.minute)}`,
    minutes: wall.hour * 60 + wall.minute,
  };
}

/**
 * The instant a wall-clock date and time in a zone stands for, or null when that time does not
 * exist there (skipped when clocks go forward). Of a doubled hour (clocks going back) the first
 * occurrence is taken.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): Date | null {
  const dateMatch = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const timeMatch = /^(\d{2}):(\d{2})$/.exec(time);
  if (!dateMatch || !timeMatch) return null;
  const naive = Date.UTC(
    Number(dateMatch[1]),
    Number(dateMatch[2]) - 1,
    Number(dateMatch[3]),
    Number(timeMatch[1]),
    Number(timeMatch[2]),
  );
  // The offsets a day either side cover every zone (UTC-12 to UTC+14) and every switch; the one
  // before comes first, so a doubled hour resolves to its first occurrence.
  const before = zoneOffsetMinutes(new Date(naive - DAY_MS), timeZone);
  const after = zoneOffsetMinutes(new Date(naive + DAY_MS), timeZone);
  for (const offset of [before, after]) {
    const candidate = new Date(naive - offset * 60_000);
    const local = localDateTime(candidate, timeZone);
    if (local.date === date && local.time === time) return candidate;
  }
  return null;
}

/**
 * "Tue 17 Mar 2026, 16:00–17:00 CET (Europe/Vienna)", the end's date too when it differs, and
 * each end's own zone name when the clocks change in between: "01:30 CET–04:30 CEST".
 */
export function formatTimeRange(start: Date, end: Date, viewer: Viewer): string {
  const day = formatterFor("day", viewer);
  const clock = formatterFor("clock", viewer);
  const startZone = zoneNameAt(start, viewer);
  const endZone = zoneNameAt(end, viewer);
  const sameDay = localDateTime(start, viewer.timeZone).date === localDateTime(end, viewer.timeZone).date;
  const startText = `${day.format(start)}, ${clock.format(start)}${startZone === endZone ? "" : ` ${startZone}`}`;
  const endText = sameDay ? clock.format(end) : `${day.format(end)}, ${clock.format(end)}`;
  return `${startText}–${endText} ${endZone} (${viewer.timeZone})`.replace(/\s+/g, " ");
}
