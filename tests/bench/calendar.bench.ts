import icalGenerator, { ICalAlarmType, ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod } from "ical-generator";
import { bench, describe } from "vitest";
import { buildCalendar, foldLines, type CalendarMeeting } from "~/modules/calendar/ics";
import { vtimezone } from "~/modules/calendar/vtimezone";

// What a calendar file costs to write, apart from the queries behind it: a person's feed of 500
// and of 2,000 meetings, and the 1,000 invitations a finalise writes for one meeting. Each beside
// two baselines: "bare", the same events in UTC without VTIMEZONE, as ical-generator writes an
// event, folded in one pass (the floor: what the zones cost on top of writing the events at all);
// and "ical-generator 10", the same as bare but with the library's own toString and folding.
// The meetings spread over Rome, Toronto and Bogota and 2026-2028, some in the hour repeated
// when the clocks go back, with titles in several scripts.
const ZONES = ["Europe/Rome", "America/Toronto", "America/Bogota"];
const TITLES = [
  "Banking trojans: round table",
  "Ransomware negotiators — Zürich × Bogotá",
  "銀行木马对策会议: campaign review",
  "Botnet takedown 🛡️ coordination",
];
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5, 15, 0);

const attendees = (i: number, count: number) =>
  Array.from({ length: count }, (_, k) => ({
    name: `Invitee ${i}-${k} Ñandú`,
    email: `invitee.${i}.${k}@partner-${k % 40}.example`,
    response: (["accepted", "tentative", "declined", null] as const)[k % 4]!,
  }));

function meeting(i: number, attendeeCount: number): CalendarMeeting {
  // Every few days over three years; every 50th at 00:30 UTC on the night Rome falls back.
  const startsAt = i % 50 === 7 ? new Date(Date.UTC(2027, 9, 31, 0, 30)) : new Date(START + (i % 1000) * DAY + (i % 5) * 3_600_000);
  return {
    uid: `meeting-${i}@consult.taskforce.example`,
    title: TITLES[i % TITLES.length]!,
    agenda: `1. Campaigns seen since the last round (${i})\n2. Indicators to share onward\n3. Takedown options and timing`,
    place: i % 3 === 0 ? "Europol HQ, room 3.14" : null,
    videoUrl: "https://video.taskforce.example/r/round-table",
    timeZone: ZONES[i % ZONES.length]!,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 90 * 60_000),
    revision: i % 3,
    cancelled: i % 40 === 0,
    tlp: i % 10 === 0 ? "TLP:AMBER+STRICT" : "TLP:GREEN",
    link: `https://consult.taskforce.example/meetings/${i}`,
    changedAt: new Date(START - DAY),
    organiser: { name: "Anna Visser", email: "anna.visser@taskforce.example" },
    attendees: attendees(i, 6),
  };
}

/** The same events as buildCalendar writes, by ical-generator, in UTC and without VTIMEZONE. */
function utcEvents(method: "PUBLISH" | "REQUEST", meetings: CalendarMeeting[], alarm: boolean) {
  const calendar = icalGenerator({ prodId: "-//Bench//EN", method: ICalCalendarMethod[method] });
  for (const m of meetings) {
    const event = calendar.createEvent({
      id: m.uid,
      sequence: m.revision,
      stamp: m.changedAt,
      start: m.startsAt,
      end: m.endsAt,
      summary: m.title,
      description: `${m.agenda}\n\nPortal: ${m.link}`,
      location: [m.place, m.videoUrl].filter(Boolean).join(" · "),
      url: m.link,
      organizer: m.organiser,
    });
    for (const attendee of m.attendees) {
      event.createAttendee({ name: attendee.name, email: attendee.email, role: ICalAttendeeRole.REQ, rsvp: true, status: ICalAttendeeStatus.NEEDSACTION });
    }
    if (alarm) event.createAlarm({ type: ICalAlarmType.display, trigger: 900, description: m.title });
  }
  return calendar;
}

const bare = (method: "PUBLISH" | "REQUEST", meetings: CalendarMeeting[], alarm: boolean) =>
  foldLines(
    `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Bench//EN\r\nMETHOD:${method}\r\n${utcEvents(method, meetings, alarm)
      .events()
      .map((event) => event.toString())
      .join("")}END:VCALENDAR\r\n`,
  );
const library = (method: "PUBLISH" | "REQUEST", meetings: CalendarMeeting[], alarm: boolean) =>
  utcEvents(method, meetings, alarm).toString();

const kb = (text: string) => `${(Buffer.byteLength(text) / 1024).toFixed(0)} KB`;
const OPTIONS = { time: 3_000, warmupTime: 500 };
// ical-generator's own folding takes seconds a run: a few runs tell enough.
const SLOW = { time: 0, iterations: 5, warmupIterations: 1 };

// The first VTIMEZONE of a zone and year is worked out through Intl; every later one is kept.
{
  const started = performance.now();
  vtimezone("Asia/Tokyo", 2031);
  const tokyo = performance.now() - started;
  const again = performance.now();
  vtimezone("Europe/Rome", 2029, 2030, 2031);
  const rome = performance.now() - again;
  console.log(`first VTIMEZONE of a zone-year: Asia/Tokyo 2031 ${tokyo.toFixed(1)} ms; Europe/Rome 2029-2031 ${rome.toFixed(1)} ms`);
}

for (const size of [500, 2_000]) {
  describe(`a feed of ${size.toLocaleString("en")} meetings for one person`, () => {
    const meetings = Array.from({ length: size }, (_, i) => meeting(i, 6));
    const feed = () => buildCalendar({ method: "PUBLISH", name: "Taskforce Consult meetings", meetings, alarmMinutesBefore: 15 });
    console.log(`feed of ${size} meetings: portal ${kb(feed())}, bare ${kb(bare("PUBLISH", meetings, true))}`);
    bench(`portal: buildCalendar, ${size} meetings in their zones with VTIMEZONEs`, () => void feed(), OPTIONS);
    bench(`bare: ${size} meetings in UTC, no VTIMEZONE`, () => void bare("PUBLISH", meetings, true), OPTIONS);
    bench(`ical-generator 10: ${size} meetings in UTC, its own toString`, () => void library("PUBLISH", meetings, true), SLOW);
  });
}

describe("1,000 invitations of one meeting (a finalise)", () => {
  // One file per invitee, each naming the organiser and that invitee (the attendee list closed).
  const one = meeting(3, 0);
  const invitations = attendees(3, 1_000).map((attendee) => ({ ...one, attendees: [{ ...attendee, response: null }] }));
  bench("portal: 1,000 × buildCalendar REQUEST in the meeting's zone with VTIMEZONE", () => {
    for (const invitation of invitations) buildCalendar({ method: "REQUEST", meetings: [invitation] });
  }, OPTIONS);
  bench("bare: 1,000 × the same in UTC, no VTIMEZONE", () => {
    for (const invitation of invitations) bare("REQUEST", [invitation], false);
  }, OPTIONS);
  bench("ical-generator 10: 1,000 × the same in UTC, its own toString", () => {
    for (const invitation of invitations) library("REQUEST", [invitation], false);
  }, SLOW);
});
