// Reads the portal's calendar files the way Thunderbird does: with ical.js. Each VTIMEZONE of
// the file is registered before any time is read, so that a TZID time is converted with the
// file's own rules (and a TZID without its VTIMEZONE is an error, not a silent floating time).
import ICAL from "ical.js";

type Component = InstanceType<typeof ICAL.Component>;

export type IcsAttendee = {
  /** The address, without "mailto:", lower case. */
  email: string;
  /** The raw value, "mailto:..." as written. */
  value: string;
  name: string | null;
  partstat: string | null;
  rsvp: string | null;
};

export type IcsEvent = {
  component: Component;
  uid: string;
  sequence: number;
  summary: string | null;
  description: string | null;
  location: string | null;
  status: string | null;
  stamp: Date | null;
  start: Date;
  end: Date;
  /** The TZID parameter of DTSTART / DTEND, or null for UTC or floating times. */
  startTzid: string | null;
  endTzid: string | null;
  /** The raw ORGANIZER value ("mailto:..."). */
  organizer: string | null;
  attendees: IcsAttendee[];
  alarms: { action: string | null; triggerSeconds: number; related: string | null; description: string | null }[];
};

export type IcsCalendar = {
  root: Component;
  method: string | null;
  /** VTIMEZONE components by TZID. */
  timezones: Map<string, Component>;
  events: IcsEvent[];
};

function text(component: Component, name: string): string | null {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

function zonedTime(component: Component, name: "dtstart" | "dtend", timezones: Map<string, Component>) {
  const property = component.getFirstProperty(name);
  if (!property) throw new Error(`VEVENT without ${name.toUpperCase()}`);
  const tzid = (property.getParameter("tzid") as string | undefined) ?? null;
  const time = property.getFirstValue() as InstanceType<typeof ICAL.Time>;
  if (tzid !== null) {
    if (!timezones.has(tzid)) throw new Error(`${name.toUpperCase()};TZID=${tzid} has no VTIMEZONE in the file`);
    if (time.zone?.tzid !== tzid) throw new Error(`ical.js did not read ${name.toUpperCase()} in ${tzid} (${time.zone?.tzid})`);
  } else if (!time.zone || time.zone.tzid !== "UTC") {
    throw new Error(`${name.toUpperCase()} is a floating time: calendar apps would read it in their own zone`);
  }
  return { tzid, at: time.toJSDate() };
}

/** Parses one VCALENDAR with ical.js, registering its VTIMEZONEs first. */
export function parseIcs(input: string | Buffer): IcsCalendar {
  const source = typeof input === "string" ? input : input.toString("utf8");
  ICAL.TimezoneService.reset();
  const jcal = ICAL.parse(source) as unknown[];
  if (typeof jcal[0] !== "string") throw new Error("expected exactly one VCALENDAR");
  const root = new ICAL.Component(jcal as never);
  if (root.name !== "vcalendar") throw new Error(`expected a VCALENDAR, got ${root.name}`);
  const timezones = new Map<string, Component>();
  for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
    const tzid = String(vtimezone.getFirstPropertyValue("tzid"));
    if (timezones.has(tzid)) throw new Error(`VTIMEZONE ${tzid} appears twice`);
    timezones.set(tzid, vtimezone);
    ICAL.TimezoneService.register(vtimezone);
  }
  const events = root.getAllSubcomponents("vevent").map((component): IcsEvent => {
    const event = new ICAL.Event(component);
    const start = zonedTime(component, "dtstart", timezones);
    const end = zonedTime(component, "dtend", timezones);
    const stamp = component.getFirstPropertyValue("dtstamp") as InstanceType<typeof ICAL.Time> | null;
    return {
      component,
      uid: event.uid,
      sequence: event.sequence,
      summary: text(component, "summary"),
      description: text(component, "description"),
      location: text(component, "location"),
      status: text(component, "status"),
      stamp: stamp ? stamp.toJSDate() : null,
      start: start.at,
      end: end.at,
      startTzid: start.tzid,
      endTzid: end.tzid,
      organizer: text(component, "organizer"),
      attendees: component.getAllProperties("attendee").map((property) => {
        const value = String(property.getFirstValue());
        return {
          value,
          email: value.replace(/^mailto:/i, "").toLowerCase(),
          name: (property.getParameter("cn") as string | undefined) ?? null,
          partstat: (property.getParameter("partstat") as string | undefined) ?? null,
          rsvp: (property.getParameter("rsvp") as string | undefined) ?? null,
        };
      }),
      alarms: component.getAllSubcomponents("valarm").map((alarm) => {
        const trigger = alarm.getFirstProperty("trigger");
        const value = trigger?.getFirstValue() as InstanceType<typeof ICAL.Duration> | undefined;
        if (!value || typeof value.toSeconds !== "function") throw new Error("VALARM without a duration TRIGGER");
        return {
          action: text(alarm, "action"),
          triggerSeconds: value.toSeconds(),
          related: (trigger!.getParameter("related") as string | undefined) ?? null,
          description: text(alarm, "description"),
        };
      }),
    };
  });
  return { root, method: text(root, "method"), timezones, events };
}

/** Parses a file that must hold exactly one VEVENT, and returns the calendar and the event. */
export function parseSingleEvent(input: string | Buffer) {
  const calendar = parseIcs(input);
  if (calendar.events.length !== 1) throw new Error(`expected one VEVENT, found ${calendar.events.length}`);
  return { calendar, event: calendar.events[0]! };
}

export type PhysicalLines = {
  /** Each physical line's bytes, without its CRLF. */
  lines: Buffer[];
  /** Whether the very last line ends in CRLF too. */
  endsWithCrlf: boolean;
  /** Lone CR or LF bytes (a line break that is not CRLF). */
  bareBreaks: number;
};

/** Splits a file into physical lines at CRLF, byte by byte. */
export function physicalLines(input: string | Buffer): PhysicalLines {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const lines: Buffer[] = [];
  let bareBreaks = 0;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      i += 1;
      start = i + 1;
    } else if (bytes[i] === 0x0d || bytes[i] === 0x0a) {
      bareBreaks += 1;
    }
  }
  const endsWithCrlf = start === bytes.length;
  if (!endsWithCrlf) lines.push(bytes.subarray(start));
  return { lines, endsWithCrlf, bareBreaks };
}

/**
 * What is wrong with the folding of a file (RFC 5545 §3.1): lines over 75 octets, and lines
 * that are not valid UTF-8 on their own (a fold inside a multi-byte character). Empty when
 * all is well.
 */
export function foldingProblems(input: string | Buffer): string[] {
  const problems: string[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const { lines, bareBreaks } = physicalLines(input);
  if (bareBreaks > 0) problems.push(`${bareBreaks} line breaks that are not CRLF`);
  lines.forEach((line, index) => {
    if (line.length > 75) problems.push(`line ${index + 1} has ${line.length} octets: ${line.toString("utf8")}`);
    try {
      decoder.decode(line);
    } catch {
      problems.push(`line ${index + 1} splits a character: ${line.toString("hex")}`);
    }
  });
  return problems;
}

/** The logical lines of a file: folds undone (RFC 5545 §3.1). */
export function unfoldedLines(input: string | Buffer): string[] {
  const source = typeof input === "string" ? input : input.toString("utf8");
  return source
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .filter((line) => line !== "");
}
