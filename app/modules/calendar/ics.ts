import icalGenerator, {
  escape,
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalEventStatus,
} from "ical-generator";
import { DateTime } from "luxon";
import type { RsvpResponse } from "~/modules/scheduling/vocabulary";
import type { Tlp } from "~/modules/threat-input/vocabulary";
import { isRepeatedWallTime } from "~/lib/time";
import { vtimezone } from "./vtimezone";

/** Marks under which nothing but a neutral title and the portal link leaves the portal. */
const WITHHELD: Tlp[] = ["TLP:AMBER+STRICT", "TLP:RED"];
export const NEUTRAL_TITLE = "Taskforce consultation meeting";
export const isWithheld = (tlp: Tlp) => WITHHELD.includes(tlp);

export type CalendarPerson = { name: string; email: string };
export type CalendarAttendee = CalendarPerson & { response: RsvpResponse | null };

export type CalendarMeeting = {
  uid: string;
  title: string;
  agenda: string;
  place: string | null;
  videoUrl: string | null;
  timeZone: string;
  startsAt: Date;
  endsAt: Date;
  revision: number;
  cancelled: boolean;
  tlp: Tlp;
  /** The meeting's page in the portal. */
  link: string;
  /** When the meeting last changed; DTSTAMP of published copies, so a feed is stable. */
  changedAt: Date;
  organiser: CalendarPerson;
  attendees: CalendarAttendee[];
};

export type CalendarMethod = "REQUEST" | "CANCEL" | "PUBLISH";

const PARTSTAT: Record<RsvpResponse, ICalAttendeeStatus> = {
  accepted: ICalAttendeeStatus.ACCEPTED,
  tentative: ICalAttendeeStatus.TENTATIVE,
  declined: ICalAttendeeStatus.DECLINED,
};

const PRODID = "-//Taskforce Consult//Consultation portal//EN";

/**
 * One iCalendar object (RFC 5545; METHOD per RFC 5546) holding the given meetings, each in the
 * zone it was planned in, with a VTIMEZONE per zone. Withheld meetings carry the neutral title
 * and the link only: no agenda, place or other participants.
 *
 * A meeting that starts or ends in the hour repeated when the clocks go back is written in UTC:
 * its local time names two instants, RFC 5545 picks the first and ical.js and python-icalendar
 * the second, so only the UTC instant is read alike everywhere.
 *
 * ical-generator writes each event; the calendar around them is put together here and folded in
 * one pass (ical-generator 10 folds with a TextEncoder per character, a third of a feed's time).
 */
export function buildCalendar(input: {
  method: CalendarMethod;
  meetings: CalendarMeeting[];
  name?: string;
  alarmMinutesBefore?: number;
  stamp?: Date;
}): string {
  // Only the events' factory: its own toString is not used (see above).
  const calendar = icalGenerator();
  /** The zones written as TZID, with the (UTC) years their times fall in. */
  const zones = new Map<string, Set<number>>();
  for (const meeting of input.meetings) {
    const withheld = isWithheld(meeting.tlp);
    const local = !isRepeatedWallTime(meeting.startsAt, meeting.timeZone) && !isRepeatedWallTime(meeting.endsAt, meeting.timeZone);
    if (local) {
      const years = zones.get(meeting.timeZone) ?? new Set();
      years.add(meeting.startsAt.getUTCFullYear()).add(meeting.endsAt.getUTCFullYear());
      zones.set(meeting.timeZone, years);
    }
    const event = calendar.createEvent({
      id: meeting.uid,
      sequence: meeting.revision,
      stamp: input.stamp ?? meeting.changedAt,
      // Luxon DateTimes carry the zone: ical-generator writes their wall-clock time in it.
      start: local ? DateTime.fromJSDate(meeting.startsAt, { zone: meeting.timeZone }) : meeting.startsAt,
      end: local ? DateTime.fromJSDate(meeting.endsAt, { zone: meeting.timeZone }) : meeting.endsAt,
      timezone: local ? meeting.timeZone : null,
      summary: withheld ? NEUTRAL_TITLE : meeting.title,
      description: withheld
        ? `Details in the portal: ${meeting.link}`
        : [meeting.agenda, `Portal: ${meeting.link}`].filter(Boolean).join("\n\n"),
      location: withheld ? null : [meeting.place, meeting.videoUrl].filter(Boolean).join(" · ") || null,
      url: meeting.link,
      status: meeting.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      organizer: { name: meeting.organiser.name, email: meeting.organiser.email },
    });
    for (const attendee of meeting.attendees) {
      event.createAttendee({
        name: attendee.name,
        email: attendee.email,
        role: ICalAttendeeRole.REQ,
        rsvp: !meeting.cancelled,
        status: attendee.response ? PARTSTAT[attendee.response] : ICalAttendeeStatus.NEEDSACTION,
      });
    }
    if (input.alarmMinutesBefore !== undefined && !meeting.cancelled) {
      event.createAlarm({
        type: ICalAlarmType.display,
        trigger: input.alarmMinutesBefore * 60,
        description: withheld ? NEUTRAL_TITLE : meeting.title,
      });
    }
  }
  const head = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:${PRODID}`,
    `METHOD:${input.method}`,
    ...(input.name ? [`NAME:${escape(input.name, false)}`, `X-WR-CALNAME:${escape(input.name, false)}`] : []),
    ...[...zones].map(([zone, years]) => vtimezone(zone, ...years)),
  ];
  // Every line ends in CRLF, the last one too (RFC 5545 §3.1: strict parsers drop an
  // unterminated END:VCALENDAR).
  const events = calendar.events().map((event) => event.toString());
  return foldLines(`${head.join("\r\n")}\r\n${events.join("")}END:VCALENDAR\r\n`);
}

/** Octets a line may have before it is folded (RFC 5545 §3.1), CRLF not counted. */
const LINE_OCTETS = 75;

/**
 * Folds every line longer than 75 octets of UTF-8 (RFC 5545 §3.1) in one pass over the text:
 * a CRLF and a space before the character that would cross the limit, never inside one.
 */
export function foldLines(text: string): string {
  let folded = "";
  let from = 0;
  let octets = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
      i += 1;
      octets = 0;
      continue;
    }
    const pair = code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    // UTF-8 lengths; a lone surrogate is written as U+FFFD, three octets.
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (octets + size > LINE_OCTETS) {
      folded += `${text.slice(from, i)}\r\n `;
      from = i;
      octets = 1; // the space that starts the continuation line
    }
    octets += size;
    if (pair) i += 1;
  }
  return folded + text.slice(from);
}
