import icalGenerator, {
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from "ical-generator";
import { DateTime } from "luxon";
import type { RsvpResponse, Tlp } from "../../../db/schema";
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

/**
 * One iCalendar object (RFC 5545; METHOD per RFC 5546) holding the given meetings, each in the
 * zone it was planned in, with a VTIMEZONE per zone. Withheld meetings carry the neutral title
 * and the link only: no agenda, place or other participants.
 */
export function buildCalendar(input: {
  method: CalendarMethod;
  meetings: CalendarMeeting[];
  name?: string;
  alarmMinutesBefore?: number;
  stamp?: Date;
}): string {
  const calendar = icalGenerator({
    prodId: { company: "Taskforce Consult", product: "Consultation portal", language: "EN" },
    method: ICalCalendarMethod[input.method],
    name: input.name,
    timezone: { name: null, generator: (zone) => vtimezone(zone, yearOf(input.meetings, zone)) },
  });
  for (const meeting of input.meetings) {
    const withheld = isWithheld(meeting.tlp);
    const event = calendar.createEvent({
      id: meeting.uid,
      sequence: meeting.revision,
      stamp: input.stamp ?? meeting.changedAt,
      start: DateTime.fromJSDate(meeting.startsAt, { zone: meeting.timeZone }),
      end: DateTime.fromJSDate(meeting.endsAt, { zone: meeting.timeZone }),
      timezone: meeting.timeZone,
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
  // ical-generator ends the last line without its CRLF; RFC 5545 §3.1 wants it on every line,
  // and strict parsers drop an unterminated END:VCALENDAR.
  return `${calendar.toString()}\r\n`;
}

function yearOf(meetings: CalendarMeeting[], zone: string): number {
  const meeting = meetings.find((candidate) => candidate.timeZone === zone) ?? meetings[0];
  return (meeting?.startsAt ?? new Date()).getUTCFullYear();
}
