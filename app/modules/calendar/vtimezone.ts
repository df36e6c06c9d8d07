import { zoneOffsetMinutes } from "~/lib/time";

/**
 * A VTIMEZONE for an IANA zone, written as yearly RRULEs (Outlook ignores RDATE-only
 * definitions and then shows the time an hour off). The rules are read off the zone's own
 * transitions in the given year through Intl, so they follow the tz database Node ships with.
 */
export function vtimezone(timeZone: string, year: number): string {
  const transitions = transitionsIn(timeZone, year);
  const lines = ["BEGIN:VTIMEZONE", `TZID:${timeZone}`];
  if (transitions.length === 0) {
    const offset = formatOffset(zoneOffsetMinutes(new Date(Date.UTC(year, 0, 1)), timeZone));
    lines.push(
      "BEGIN:STANDARD",
      "DTSTART:19700101T000000",
      `TZOFFSETFROM:${offset}`,
      `TZOFFSETTO:${offset}`,
      "END:STANDARD",
    );
  } else {
    for (const transition of transitions) {
      const kind = transition.to > transition.from ? "DAYLIGHT" : "STANDARD";
      lines.push(
        `BEGIN:${kind}`,
        `DTSTART:${firstOnsetFrom1970(transition)}`,
        `RRULE:FREQ=YEARLY;BYMONTH=${transition.month};BYDAY=${transition.ordinal}${WEEKDAYS[transition.weekday]}`,
        `TZOFFSETFROM:${formatOffset(transition.from)}`,
        `TZOFFSETTO:${formatOffset(transition.to)}`,
        `END:${kind}`,
      );
    }
  }
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n");
}

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

type Transition = {
  from: number;
  to: number;
  month: number;
  weekday: number;
  /** 1..4 for the nth weekday of the month, -1 for the last one. */
  ordinal: number;
  /** Wall-clock minutes after midnight at which the change happens, in the offset before it. */
  localMinutes: number;
};

function transitionsIn(timeZone: string, year: number): Transition[] {
  const found: Transition[] = [];
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const hour = 3_600_000;
  let previous = zoneOffsetMinutes(new Date(start), timeZone);
  for (let t = start + hour; t <= end; t += hour) {
    const offset = zoneOffsetMinutes(new Date(t), timeZone);
    if (offset === previous) continue;
    // Narrow the change down to the minute.
    let low = t - hour;
    let high = t;
    while (high - low > 60_000) {
      const middle = low + Math.floor((high - low) / 120_000) * 60_000;
      if (zoneOffsetMinutes(new Date(middle), timeZone) === previous) low = middle;
      else high = middle;
    }
    const wall = new Date(high + previous * 60_000);
    const day = wall.getUTCDate();
    const daysInMonth = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 0)).getUTCDate();
    found.push({
      from: previous,
      to: offset,
      month: wall.getUTCMonth() + 1,
      weekday: wall.getUTCDay(),
      ordinal: day + 7 > daysInMonth ? -1 : Math.ceil(day / 7),
      localMinutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    });
    previous = offset;
  }
  return found;
}

/** The rule's first occurrence in 1970, as local time: DTSTART must be an instance of its RRULE. */
function firstOnsetFrom1970(rule: Transition): string {
  const year = 1970;
  const monthIndex = rule.month - 1;
  let day: number;
  if (rule.ordinal === -1) {
    const last = new Date(Date.UTC(year, monthIndex + 1, 0));
    day = last.getUTCDate() - ((last.getUTCDay() - rule.weekday + 7) % 7);
  } else {
    const first = new Date(Date.UTC(year, monthIndex, 1));
    day = 1 + ((rule.weekday - first.getUTCDay() + 7) % 7) + (rule.ordinal - 1) * 7;
  }
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${year}${pad(rule.month)}${pad(day)}T${pad(Math.floor(rule.localMinutes / 60))}${pad(rule.localMinutes % 60)}00`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const absolute = Math.abs(minutes);
  return `${sign}${String(Math.floor(absolute / 60)).padStart(2, "0")}${String(absolute % 60).padStart(2, "0")}`;
}
