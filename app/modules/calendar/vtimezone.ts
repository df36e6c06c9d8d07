import { memoize } from "~/lib/memo";
import { transitionsIn, zoneOffsetMinutes } from "~/lib/time";

/**
 * A VTIMEZONE for an IANA zone that is right in each of the given years, written as yearly
 * RRULEs (Outlook ignores RDATE-only definitions and then shows the time an hour off). The rules
 * are read off the zone's own transitions in those years through Intl, so they follow the tz
 * database Node ships with. When the zone kept one rule over all the years, it is written once,
 * from 1970 on; when its rules changed, each stretch of years with one rule gets its own
 * components, bounded by UNTIL.
 *
 * Every invitation and feed carries one, so the text is kept per zone and years (and the
 * transitions per zone and year, in lib/time).
 */
export function vtimezone(timeZone: string, ...years: number[]): string {
  const distinct = [...new Set(years)].sort((a, b) => a - b);
  if (distinct.length === 0) throw new Error("vtimezone needs at least one year");
  return writtenVtimezone(`${timeZone}\u0000${distinct.join(",")}`);
}

const writtenVtimezone = memoize(1000, (key) => {
  const [timeZone, years] = key.split("\u0000") as [string, string];
  return writeVtimezone(timeZone, years.split(",").map(Number));
});

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];

type Transition = {
  /** The instant of the change, ms since the epoch. */
  at: number;
  from: number;
  to: number;
  month: number;
  weekday: number;
  /** 1..4 for the nth weekday of the month, -1 for the last one. */
  ordinal: number;
  /** Wall-clock minutes after midnight at which the change happens, in the offset before it. */
  localMinutes: number;
};

type Year = { year: number; startsWith: number; transitions: Transition[]; rule: string };

function writeVtimezone(timeZone: string, years: number[]): string {
  const lines = ["BEGIN:VTIMEZONE", `TZID:${timeZone}`];
  const runs = runsOfOneRule(years.map((year) => yearOf(`${timeZone}\u0000${year}`)));
  /** The offset the components written so far leave in force. */
  let carried: number | null = null;
  runs.forEach((run, index) => {
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const open = index === runs.length - 1;
    const { startsWith } = first;
    // The zone's one offset when it does not change its clocks; or, when the offset changed in
    // a year between two stretches, the bridge to the new one from the start of the stretch.
    if (carried === null ? first.transitions.length === 0 : carried !== startsWith) {
      const start = index === 0 ? "19700101T000000" : `${first.year}0101T000000`;
      lines.push(...component("STANDARD", start, null, carried ?? startsWith, startsWith));
    }
    first.transitions.forEach((transition, position) => {
      // DTSTART must be an instance of its RRULE: the rule's first onset in 1970 for the first
      // stretch, so that it also covers the time before the years asked for; the change itself
      // in the first year of a later stretch.
      const start = index === 0 ? firstOnsetFrom1970(transition) : localStamp(transition.at + transition.from * MINUTE);
      const until = open ? "" : `;UNTIL=${utcStamp(last.transitions[position]!.at)}`;
      const rule = `FREQ=YEARLY;BYMONTH=${transition.month};BYDAY=${transition.ordinal}${WEEKDAYS[transition.weekday]}${until}`;
      const kind = transition.to > transition.from ? "DAYLIGHT" : "STANDARD";
      lines.push(...component(kind, start, rule, transition.from, transition.to));
    });
    carried = last.transitions.length > 0 ? last.transitions[last.transitions.length - 1]!.to : startsWith;
  });
  lines.push("END:VTIMEZONE");
  return lines.join("\r\n");
}

function component(kind: "STANDARD" | "DAYLIGHT", start: string, rrule: string | null, from: number, to: number) {
  return [
    `BEGIN:${kind}`,
    `DTSTART:${start}`,
    ...(rrule ? [`RRULE:${rrule}`] : []),
    `TZOFFSETFROM:${formatOffset(from)}`,
    `TZOFFSETTO:${formatOffset(to)}`,
    `END:${kind}`,
  ];
}

/** Consecutive years (of those asked for) whose transitions follow the same yearly rule. */
function runsOfOneRule(years: Year[]): Year[][] {
  const runs: Year[][] = [];
  for (const year of years) {
    const current = runs[runs.length - 1];
    if (current && current[0]!.rule === year.rule) current.push(year);
    else runs.push([year]);
  }
  return runs;
}

const MINUTE = 60_000;

/** A zone's year: its transitions, each with the yearly rule it follows, and that rule as a key. */
const yearOf = memoize(2000, (key): Year => {
  const [timeZone, yearText] = key.split("\u0000") as [string, string];
  const transitions = transitionsIn(timeZone, Number(yearText)).map(({ at, from, to }): Transition => {
    const wall = new Date(at + from * MINUTE);
    const day = wall.getUTCDate();
    const daysInMonth = new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth() + 1, 0)).getUTCDate();
    return {
      at,
      from,
      to,
      month: wall.getUTCMonth() + 1,
      weekday: wall.getUTCDay(),
      ordinal: day + 7 > daysInMonth ? -1 : Math.ceil(day / 7),
      localMinutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    };
  });
  // The offset the year starts with tells apart years without changes at different offsets.
  const startsWith = zoneOffsetMinutes(new Date(Date.UTC(Number(yearText), 0, 1)), timeZone);
  const rule = JSON.stringify([startsWith, transitions.map(({ at: _at, ...rule }) => rule)]);
  return { year: Number(yearText), startsWith, transitions, rule };
});

const pad = (n: number) => String(n).padStart(2, "0");

/** The rule's first occurrence in 1970, as local time. */
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
  return `${year}${pad(rule.month)}${pad(day)}T${pad(Math.floor(rule.localMinutes / 60))}${pad(rule.localMinutes % 60)}00`;
}

/** A wall-clock time given as ms since the epoch of that wall clock: "20221030T020000". */
function localStamp(wallMs: number): string {
  const d = new Date(wallMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

const utcStamp = (ms: number) => `${localStamp(ms)}Z`;

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const absolute = Math.abs(minutes);
  return `${sign}${pad(Math.floor(absolute / 60))}${pad(absolute % 60)}`;
}
