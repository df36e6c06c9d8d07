export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export type Viewer = { timeZone: string; locale: string };

/** A date and time in the viewer's zone, with the zone named so nobody has to guess. */
export function formatDateTime(at: Date, viewer: Viewer): string {
  const text = new Intl.DateTimeFormat(viewer.locale, {
    timeZone: viewer.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(at);
  const zone = new Intl.DateTimeFormat(viewer.locale, {
    timeZone: viewer.timeZone,
    timeZoneName: "short",
  })
    .formatToParts(at)
    .find((part) => part.type === "timeZoneName")?.value;
  return `${text} ${zone ?? ""} (${viewer.timeZone})`.replace(/\s+/g, " ");
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(at: Date, timeZone: string) {
  let format = partsFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
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
  const before = zoneOffsetMinutes(new Date(naive - 86_400_000), timeZone);
  const after = zoneOffsetMinutes(new Date(naive + 86_400_000), timeZone);
  for (const offset of [before, after]) {
    const candidate = new Date(naive - offset * 60_000);
    const local = localDateTime(candidate, timeZone);
    if (local.date === date && local.time === time) return candidate;
  }
  return null;
}

/** "Tue 17 Mar 2026, 16:00–17:00 CET (Europe/Vienna)", the end's date too when it differs. */
export function formatTimeRange(start: Date, end: Date, viewer: Viewer): string {
  const day = new Intl.DateTimeFormat(viewer.locale, {
    timeZone: viewer.timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  });
  const clock = new Intl.DateTimeFormat(viewer.locale, {
    timeZone: viewer.timeZone,
    hour: "2-digit",
    minute: "2-digit",
  });
  const zone = new Intl.DateTimeFormat(viewer.locale, { timeZone: viewer.timeZone, timeZoneName: "short" })
    .formatToParts(start)
    .find((part) => part.type === "timeZoneName")?.value;
  const sameDay = localDateTime(start, viewer.timeZone).date === localDateTime(end, viewer.timeZone).date;
  const endText = sameDay ? clock.format(end) : `${day.format(end)}, ${clock.format(end)}`;
  return `${day.format(start)}, ${clock.format(start)}–${endText} ${zone ?? ""} (${viewer.timeZone})`.replace(
    /\s+/g,
    " ",
  );
}
