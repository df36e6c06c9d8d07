import { and, eq, like } from "drizzle-orm";
import ICAL from "ical.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { meetingSlots, outbox, type Tlp } from "../../db/schema";
import { DEMO_SIGN_INS } from "../../db/seed";
import { createTransporter } from "~/lib/mailer.server";
import { formatTimeRange } from "~/lib/time";
import { getAccount, setAccountActive } from "~/modules/accounts/service.server";
import { buildCalendar, foldLines, NEUTRAL_TITLE, type CalendarMeeting } from "~/modules/calendar/ics";
import { feedFor, issueFeedToken } from "~/modules/calendar/feeds.server";
import { vtimezone } from "~/modules/calendar/vtimezone";
import { consultationFormSchema } from "~/modules/consultations/schema";
import { createConsultation, openConsultation } from "~/modules/consultations/service.server";
import { deliverDueMail, type OutboxDeps } from "~/modules/mail/worker.server";
import { setOrganisationActive } from "~/modules/organisations/service.server";
import { meetingFormSchema } from "~/modules/scheduling/schema";
import {
  calendarContextOf,
  calendarMeetingFor,
  cancelMeeting,
  finaliseMeeting,
  getMeeting,
  proposeMeeting,
  queueDueReminders,
  rescheduleMeeting,
  respondToMeeting,
  setAttendeeListOpen,
} from "~/modules/scheduling/service.server";
import { BROADCAST_HANDLERS } from "~/modules/broadcasts/handlers.server";
import { drainBroadcasts, runBroadcastBatch } from "~/modules/broadcasts/service.server";
import { freshDatabase, statementTexts } from "../support/db";
import { foldingProblems, parseIcs, parseSingleEvent, physicalLines, unfoldedLines } from "../support/ical";
import { readWithPythonIcalendar } from "../support/python-ical";
import { startSmtpServer } from "../support/smtp";
import { later, minutes, organisationIdOf, userIdOf } from "./helpers";

const APP_URL = "https://consult.taskforce.example";
const origin = { ip: "203.0.113.5", userAgent: "vitest" };
const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------
// VTIMEZONE

type Rule = { month: number; byday: string; from: string; to: string; localStart: string };

/** The rules each zone has kept since 2007 (EU since 1996), as a person would look them up. */
const RULES: Record<string, { daylight: Rule; standard: Rule }> = {
  "Europe/Vienna": {
    daylight: { month: 3, byday: "-1SU", from: "+0100", to: "+0200", localStart: "02:00" },
    standard: { month: 10, byday: "-1SU", from: "+0200", to: "+0100", localStart: "03:00" },
  },
  "America/Toronto": {
    daylight: { month: 3, byday: "2SU", from: "-0500", to: "-0400", localStart: "02:00" },
    standard: { month: 11, byday: "1SU", from: "-0400", to: "-0500", localStart: "02:00" },
  },
  "Europe/London": {
    daylight: { month: 3, byday: "-1SU", from: "+0000", to: "+0100", localStart: "01:00" },
    standard: { month: 10, byday: "-1SU", from: "+0100", to: "+0000", localStart: "02:00" },
  },
};

/** Wall-clock times in each zone and the UTC instant each one is, in summer, winter and around the switches. */
const INSTANTS: Record<string, [local: string, utc: string][]> = {
  "Europe/Vienna": [
    ["2026-01-15T10:00", "2026-01-15T09:00Z"],
    ["2026-07-15T10:00", "2026-07-15T08:00Z"],
    ["2026-03-29T01:30", "2026-03-29T00:30Z"], // the night of the spring switch, before it
    ["2026-03-29T03:30", "2026-03-29T01:30Z"], // and after it
    ["2026-10-25T01:30", "2026-10-24T23:30Z"], // still summer time
    ["2026-10-25T04:00", "2026-10-25T03:00Z"], // winter time again
    ["2027-03-27T12:00", "2027-03-27T11:00Z"],
    ["2027-03-28T12:00", "2027-03-28T10:00Z"],
    ["2027-10-30T12:00", "2027-10-30T10:00Z"],
    ["2027-10-31T12:00", "2027-10-31T11:00Z"],
    ["2028-03-25T12:00", "2028-03-25T11:00Z"],
    ["2028-03-26T12:00", "2028-03-26T10:00Z"],
    ["2028-07-04T16:00", "2028-07-04T14:00Z"],
    ["2028-10-28T12:00", "2028-10-28T10:00Z"],
    ["2028-10-29T12:00", "2028-10-29T11:00Z"],
    ["2028-12-20T16:00", "2028-12-20T15:00Z"],
  ],
  "America/Toronto": [
    ["2026-01-15T10:00", "2026-01-15T15:00Z"],
    ["2026-07-15T10:00", "2026-07-15T14:00Z"],
    ["2026-03-08T01:30", "2026-03-08T06:30Z"],
    ["2026-03-08T03:30", "2026-03-08T07:30Z"],
    ["2026-11-01T00:30", "2026-11-01T04:30Z"],
    ["2026-11-01T03:00", "2026-11-01T08:00Z"],
    ["2027-03-13T12:00", "2027-03-13T17:00Z"],
    ["2027-03-14T12:00", "2027-03-14T16:00Z"],
    ["2027-11-06T12:00", "2027-11-06T16:00Z"],
    ["2027-11-07T12:00", "2027-11-07T17:00Z"],
    ["2028-03-11T12:00", "2028-03-11T17:00Z"],
    ["2028-03-12T12:00", "2028-03-12T16:00Z"],
    ["2028-11-04T12:00", "2028-11-04T16:00Z"],
    ["2028-11-05T12:00", "2028-11-05T17:00Z"],
  ],
  "America/Bogota": [
    ["2026-01-15T10:00", "2026-01-15T15:00Z"],
    ["2026-07-15T10:00", "2026-07-15T15:00Z"],
    ["2027-03-14T12:00", "2027-03-14T17:00Z"],
    ["2028-11-05T23:30", "2028-11-06T04:30Z"],
  ],
  "Europe/London": [
    ["2026-01-15T10:00", "2026-01-15T10:00Z"],
    ["2026-07-15T10:00", "2026-07-15T09:00Z"],
    ["2026-03-29T00:30", "2026-03-29T00:30Z"],
    ["2026-03-29T02:30", "2026-03-29T01:30Z"],
    ["2026-10-25T00:30", "2026-10-24T23:30Z"],
    ["2026-10-25T02:30", "2026-10-25T02:30Z"],
    ["2027-03-27T12:00", "2027-03-27T12:00Z"],
    ["2027-03-28T12:00", "2027-03-28T11:00Z"],
    ["2028-02-29T09:00", "2028-02-29T09:00Z"],
    ["2028-06-30T09:00", "2028-06-30T08:00Z"],
    ["2028-10-28T12:00", "2028-10-28T11:00Z"],
    ["2028-10-29T12:00", "2028-10-29T12:00Z"],
  ],
};

const utc = (iso: string) => new Date(iso.replace("Z", ":00Z"));
const icsLocal = (local: string) => `${local.replace(/[-:]/g, "")}00`;

/** The VTIMEZONE read by ical.js, with its sub-components. */
function readVtimezone(zone: string, year: number) {
  const text = vtimezone(zone, year);
  const component = new ICAL.Component(ICAL.parse(text));
  expect(component.name).toBe("vtimezone");
  expect(component.getFirstPropertyValue("tzid")).toBe(zone);
  return { text, component, parts: component.getAllSubcomponents() };
}

/** A one-event calendar around a zone's VTIMEZONE: how a calendar app meets the zone. */
function eventAt(zone: string, local: string, ...years: number[]) {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//test//EN",
    vtimezone(zone, ...years),
    "BEGIN:VEVENT",
    "UID:probe@test",
    "DTSTAMP:20260101T000000Z",
    `DTSTART;TZID=${zone}:${icsLocal(local)}`,
    `DTEND;TZID=${zone}:${icsLocal(local)}`,
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}

describe("vtimezone", () => {
  it("is the tz database's own table of instants (the test's oracle agrees with Intl)", () => {
    const wallClock = (at: Date, zone: string) =>
      new Intl.DateTimeFormat("sv-SE", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .format(at)
        .replace(" ", "T");
    for (const [zone, cases] of Object.entries(INSTANTS)) {
      for (const [local, instant] of cases) expect(wallClock(utc(instant), zone), `${zone} ${instant}`).toBe(local);
    }
  });

  for (const [zone, rules] of Object.entries(RULES)) {
    it(`writes ${zone} as yearly RRULEs whose DTSTART is an instance of the rule, without RDATE`, () => {
      for (const year of [2026, 2027, 2028]) {
        const { text, parts } = readVtimezone(zone, year);
        expect(text).not.toMatch(/RDATE/);
        expect(parts.map((part) => part.name).sort()).toEqual(["daylight", "standard"]);
        for (const part of parts) {
          const rule = part.name === "daylight" ? rules.daylight : rules.standard;
          expect(part.getAllProperties("rdate")).toHaveLength(0);
          expect(part.getAllProperties("rrule")).toHaveLength(1);
          const recur = part.getFirstPropertyValue("rrule") as InstanceType<typeof ICAL.Recur>;
          expect(recur.freq).toBe("YEARLY");
          expect(recur.parts.BYMONTH).toEqual([rule.month]);
          expect(recur.parts.BYDAY).toEqual([rule.byday]);
          expect(recur.until ?? null).toBeNull();
          expect(recur.count ?? null).toBeNull();
          expect(String(part.getFirstPropertyValue("tzoffsetfrom")).replace(":", "")).toBe(rule.from);
          expect(String(part.getFirstPropertyValue("tzoffsetto")).replace(":", "")).toBe(rule.to);

          // DTSTART: a local time (no Z, no TZID) on a day the rule itself picks.
          const dtstart = part.getFirstProperty("dtstart")!;
          expect(dtstart.getParameter("tzid")).toBeUndefined();
          const start = dtstart.getFirstValue() as InstanceType<typeof ICAL.Time>;
          expect(start.isDate).toBe(false);
          expect(start.zone?.tzid).not.toBe("UTC");
          expect(`${String(start.hour).padStart(2, "0")}:${String(start.minute).padStart(2, "0")}`).toBe(rule.localStart);
          expect(start.month).toBe(rule.month);
          const weekday = new Date(Date.UTC(start.year, start.month - 1, start.day)).getUTCDay();
          const daysInMonth = new Date(Date.UTC(start.year, start.month, 0)).getUTCDate();
          expect(weekday, `${zone} ${part.name} DTSTART ${start.toString()} is a Sunday`).toBe(0);
          const ordinal = Number(rule.byday.replace("SU", ""));
          if (ordinal === -1) expect(start.day + 7).toBeGreaterThan(daysInMonth);
          else expect(Math.ceil(start.day / 7)).toBe(ordinal);
        }
      }
    });
  }

  it("writes Bogota, which keeps UTC-5 all year, as a single STANDARD at -0500", () => {
    const { text, parts } = readVtimezone("America/Bogota", 2026);
    expect(text).not.toMatch(/RDATE|RRULE|DAYLIGHT/);
    expect(parts.map((part) => part.name)).toEqual(["standard"]);
    expect(String(parts[0]!.getFirstPropertyValue("tzoffsetfrom")).replace(":", "")).toBe("-0500");
    expect(String(parts[0]!.getFirstPropertyValue("tzoffsetto")).replace(":", "")).toBe("-0500");
    expect(parts[0]!.getFirstPropertyValue("dtstart")).toBeTruthy();
  });

  it("writes one set of yearly rules for years in which the zone kept them, the same as for one year", () => {
    for (const zone of ["Europe/Vienna", "America/Toronto", "America/Bogota"]) {
      expect(vtimezone(zone, 2026, 2028, 2027, 2026)).toBe(vtimezone(zone, 2026));
    }
  });

  // Mexico City kept summer time until 30 October 2022; Volgograd went from UTC+3 to UTC+4 on
  // 28 October 2018 and back on 27 December 2020, without summer time.
  const CHANGED_RULES: { zone: string; years: number[]; instants: [local: string, utc: string][] }[] = [
    {
      zone: "America/Mexico_City",
      years: [2021, 2022, 2023, 2024],
      instants: [
        ["2021-01-15T12:00", "2021-01-15T18:00Z"],
        ["2021-07-01T12:00", "2021-07-01T17:00Z"],
        ["2022-07-01T12:00", "2022-07-01T17:00Z"],
        ["2022-12-01T12:00", "2022-12-01T18:00Z"],
        ["2023-07-01T12:00", "2023-07-01T18:00Z"],
        ["2024-07-01T12:00", "2024-07-01T18:00Z"],
      ],
    },
    {
      zone: "Europe/Volgograd",
      years: [2017, 2019, 2021],
      instants: [
        ["2017-07-01T12:00", "2017-07-01T09:00Z"],
        ["2019-07-01T12:00", "2019-07-01T08:00Z"],
        ["2021-07-01T12:00", "2021-07-01T09:00Z"],
      ],
    },
    {
      zone: "Europe/Volgograd",
      years: [2017, 2018, 2019, 2020, 2021],
      instants: [
        ["2018-10-27T12:00", "2018-10-27T09:00Z"],
        ["2018-10-29T12:00", "2018-10-29T08:00Z"],
        ["2020-12-26T12:00", "2020-12-26T08:00Z"],
        ["2020-12-28T12:00", "2020-12-28T09:00Z"],
        ["2021-07-01T12:00", "2021-07-01T09:00Z"],
      ],
    },
  ];

  for (const { zone, years, instants } of CHANGED_RULES) {
    it(`stays right over ${years.join(", ")} in ${zone}, whose rules changed, with every stretch bounded`, () => {
      const text = vtimezone(zone, ...years);
      const component = new ICAL.Component(ICAL.parse(text));
      const rules = component.getAllSubcomponents().flatMap((part) => part.getAllProperties("rrule"));
      // Here every stretch with clock changes has ended, so each of their rules stops with it.
      for (const rule of rules) expect((rule.getFirstValue() as InstanceType<typeof ICAL.Recur>).until).toBeTruthy();
      for (const [local, instant] of instants) {
        const { event } = parseSingleEvent(eventAt(zone, local, ...years));
        expect(event.start.toISOString(), `${local} in ${zone}`).toBe(utc(instant).toISOString());
      }
    });
  }

  for (const [zone, cases] of Object.entries(INSTANTS)) {
    it(`lets ical.js turn ${zone} wall-clock times of 2026-2028 into the right instants`, () => {
      for (const [local, instant] of cases) {
        const year = Number(local.slice(0, 4));
        // The VTIMEZONE of the file's own year, and the one a feed written in 2026 carries.
        for (const written of new Set([year, 2026])) {
          const { calendar, event } = parseSingleEvent(eventAt(zone, local, written));
          expect(calendar.timezones.has(zone)).toBe(true);
          expect(event.startTzid).toBe(zone);
          expect(event.start.toISOString(), `${local} in ${zone} (VTIMEZONE of ${written})`).toBe(utc(instant).toISOString());
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// buildCalendar

const ANNA = { name: "Anna Visser", email: "anna.visser@taskforce.example" };
const OLIVIA = { name: "Olivia Tremblay", email: "olivia.tremblay@northernmaple.example" };
const ANDRES_PERSON = { name: "Andrés Restrepo", email: "andres.restrepo@bancocordillera.example" };
const GIULIA_PERSON = { name: "Giulia Rossi", email: "giulia.rossi@vigilanzadigitale.example" };
const MARCO_PERSON = { name: "Marco Bianchi", email: "marco.bianchi@sicurezzadigitale.example" };

const SECRET_TITLE = "Takedown of the Grimfang loader botnet";
const SECRET_AGENDA = "Seizure plan for the Quillon bulletproof hosting servers";
const SECRET_PLACE = "Europol HQ, bunker room Obsidian-7";
const SECRET_VIDEO = "https://video.taskforce.example/r/grimfang-takedown";

/** A meeting on 14 July 2027, 10:00-11:30 in Toronto (EDT, UTC-4). */
function meeting(overrides: Partial<CalendarMeeting> = {}): CalendarMeeting {
  return {
    uid: "3f2c7d1e-5a40-4f0e-9d51-8f3b2a6c1e01@consult.taskforce.example",
    title: SECRET_TITLE,
    agenda: SECRET_AGENDA,
    place: SECRET_PLACE,
    videoUrl: SECRET_VIDEO,
    timeZone: "America/Toronto",
    startsAt: new Date("2027-07-14T14:00:00Z"),
    endsAt: new Date("2027-07-14T15:30:00Z"),
    revision: 3,
    cancelled: false,
    tlp: "TLP:AMBER",
    link: `${APP_URL}/meetings/42`,
    changedAt: new Date("2027-06-01T08:30:00Z"),
    organiser: ANNA,
    attendees: [
      { ...OLIVIA, response: null },
      { ...ANDRES_PERSON, response: "accepted" },
      { ...GIULIA_PERSON, response: "tentative" },
      { ...MARCO_PERSON, response: "declined" },
    ],
    ...overrides,
  };
}

describe("buildCalendar", () => {
  for (const method of ["REQUEST", "CANCEL", "PUBLISH"] as const) {
    it(`writes METHOD:${method} when asked for ${method}`, () => {
      const { calendar } = parseSingleEvent(buildCalendar({ method, meetings: [meeting({ cancelled: method === "CANCEL" })] }));
      expect(calendar.method).toBe(method);
    });
  }

  it("writes UID, SEQUENCE (the revision) and DTSTAMP", () => {
    const stamp = new Date("2027-06-02T10:11:12Z");
    const { event } = parseSingleEvent(buildCalendar({ method: "REQUEST", stamp, meetings: [meeting()] }));
    expect(event.uid).toBe("3f2c7d1e-5a40-4f0e-9d51-8f3b2a6c1e01@consult.taskforce.example");
    expect(event.sequence).toBe(3);
    expect(event.stamp?.toISOString()).toBe(stamp.toISOString());

    // A published copy is stamped with the meeting's last change, so a feed does not churn.
    const published = parseSingleEvent(buildCalendar({ method: "PUBLISH", meetings: [meeting({ revision: 0 })] })).event;
    expect(published.sequence).toBe(0);
    expect(published.stamp?.toISOString()).toBe("2027-06-01T08:30:00.000Z");
  });

  it("writes the times with the meeting's TZID and a matching VTIMEZONE, and they are the intended instants", () => {
    const ics = buildCalendar({ method: "REQUEST", meetings: [meeting()] });
    expect(unfoldedLines(ics)).toContain("DTSTART;TZID=America/Toronto:20270714T100000");
    expect(unfoldedLines(ics)).toContain("DTEND;TZID=America/Toronto:20270714T113000");
    const { calendar, event } = parseSingleEvent(ics);
    expect([...calendar.timezones.keys()]).toEqual(["America/Toronto"]);
    expect(event.startTzid).toBe("America/Toronto");
    expect(event.endTzid).toBe("America/Toronto");
    expect(event.start.toISOString()).toBe("2027-07-14T14:00:00.000Z");
    expect(event.end.toISOString()).toBe("2027-07-14T15:30:00.000Z");
  });

  it("holds meetings of several zones and seasons, each in its zone, with one VTIMEZONE per zone", () => {
    const planned = [
      meeting({ uid: "a@test", timeZone: "Europe/Vienna", startsAt: utc("2027-01-20T15:00Z"), endsAt: utc("2027-01-20T16:00Z") }),
      meeting({ uid: "b@test", timeZone: "America/Toronto", startsAt: utc("2027-07-14T14:00Z"), endsAt: utc("2027-07-14T15:00Z") }),
      meeting({ uid: "c@test", timeZone: "Europe/Vienna", startsAt: utc("2028-07-04T14:00Z"), endsAt: utc("2028-07-04T15:00Z") }),
      meeting({ uid: "d@test", timeZone: "America/Bogota", startsAt: utc("2028-11-06T04:30Z"), endsAt: utc("2028-11-06T05:00Z") }),
      meeting({ uid: "e@test", timeZone: "Europe/London", startsAt: utc("2026-10-24T23:30Z"), endsAt: utc("2026-10-25T02:30Z") }),
    ];
    const ics = buildCalendar({ method: "PUBLISH", meetings: planned });
    const lines = unfoldedLines(ics);
    expect(lines).toContain("DTSTART;TZID=Europe/Vienna:20270120T160000");
    expect(lines).toContain("DTSTART;TZID=Europe/Vienna:20280704T160000");
    expect(lines).toContain("DTSTART;TZID=America/Bogota:20281105T233000");
    // Across the autumn switch: 00:30 BST to 02:30 GMT is three hours (01:00-02:00 happens twice).
    expect(lines).toContain("DTSTART;TZID=Europe/London:20261025T003000");
    expect(lines).toContain("DTEND;TZID=Europe/London:20261025T023000");
    const calendar = parseIcs(ics);
    expect([...calendar.timezones.keys()].sort()).toEqual(["America/Bogota", "America/Toronto", "Europe/London", "Europe/Vienna"]);
    expect(
      calendar.events.map((event) => [event.uid, event.startTzid, event.start.toISOString(), event.end.toISOString()]),
    ).toEqual(planned.map((m) => [m.uid, m.timeZone, m.startsAt.toISOString(), m.endsAt.toISOString()]));
  });

  it("names the organiser by mailto, and each attendee with their PARTSTAT and RSVP=TRUE", () => {
    const { event } = parseSingleEvent(buildCalendar({ method: "REQUEST", meetings: [meeting()] }));
    expect(event.organizer).toMatch(/^mailto:anna\.visser@taskforce\.example$/i);
    expect(event.component.getFirstProperty("organizer")!.getParameter("cn")).toBe("Anna Visser");
    expect(event.attendees.map(({ email, name, partstat, rsvp }) => ({ email, name, partstat, rsvp }))).toEqual([
      { email: OLIVIA.email, name: OLIVIA.name, partstat: "NEEDS-ACTION", rsvp: "TRUE" },
      { email: ANDRES_PERSON.email, name: ANDRES_PERSON.name, partstat: "ACCEPTED", rsvp: "TRUE" },
      { email: GIULIA_PERSON.email, name: GIULIA_PERSON.name, partstat: "TENTATIVE", rsvp: "TRUE" },
      { email: MARCO_PERSON.email, name: MARCO_PERSON.name, partstat: "DECLINED", rsvp: "TRUE" },
    ]);
    for (const attendee of event.attendees) expect(attendee.value).toMatch(/^mailto:/i);
  });

  it("writes SUMMARY, DESCRIPTION with the portal link, and LOCATION with the place and the video link", () => {
    const { event } = parseSingleEvent(buildCalendar({ method: "REQUEST", meetings: [meeting()] }));
    expect(event.summary).toBe(SECRET_TITLE);
    expect(event.description).toContain(SECRET_AGENDA);
    expect(event.description).toContain(`${APP_URL}/meetings/42`);
    expect(event.location).toContain(SECRET_PLACE);
    expect(event.location).toContain(SECRET_VIDEO);
    expect(event.status).toBe("CONFIRMED");
  });

  it("marks a cancelled meeting STATUS:CANCELLED", () => {
    const { calendar, event } = parseSingleEvent(
      buildCalendar({ method: "CANCEL", meetings: [meeting({ cancelled: true, revision: 4 })] }),
    );
    expect(calendar.method).toBe("CANCEL");
    expect(event.status).toBe("CANCELLED");
    expect(event.sequence).toBe(4);
  });

  it("adds a display alarm 15 minutes before the start when asked, and none otherwise", () => {
    const withAlarm = parseSingleEvent(buildCalendar({ method: "PUBLISH", alarmMinutesBefore: 15, meetings: [meeting()] })).event;
    expect(withAlarm.alarms).toHaveLength(1);
    expect(withAlarm.alarms[0]).toMatchObject({ action: "DISPLAY", triggerSeconds: -15 * 60 });
    expect(withAlarm.alarms[0]!.related ?? "START").toBe("START");

    const without = parseSingleEvent(buildCalendar({ method: "PUBLISH", meetings: [meeting()] })).event;
    expect(without.alarms).toEqual([]);
  });

  for (const tlp of ["TLP:AMBER+STRICT", "TLP:RED"] as Tlp[]) {
    it(`shows only "${NEUTRAL_TITLE}" and the link for a ${tlp} meeting`, () => {
      const ics = buildCalendar({ method: "PUBLISH", alarmMinutesBefore: 15, meetings: [meeting({ tlp })] });
      const { event } = parseSingleEvent(ics);
      expect(event.summary).toBe(NEUTRAL_TITLE);
      expect(event.description).toContain(`${APP_URL}/meetings/42`);
      expect(event.description).not.toContain(SECRET_AGENDA);
      expect(event.location).toBeNull();
      expect(event.alarms[0]!.description).toBe(NEUTRAL_TITLE);
      // Nowhere in the file, folded or not.
      const unfolded = unfoldedLines(ics).join("\n");
      for (const secret of [SECRET_TITLE, SECRET_AGENDA, SECRET_PLACE, SECRET_VIDEO, "Grimfang", "Quillon", "Obsidian"]) {
        expect(ics).not.toContain(secret);
        expect(unfolded).not.toContain(secret);
      }
      // The times are still right.
      expect(event.start.toISOString()).toBe("2027-07-14T14:00:00.000Z");
    });
  }

  it("shows the title, agenda and place of a TLP:AMBER meeting (the marks above are what hides them)", () => {
    const { event } = parseSingleEvent(buildCalendar({ method: "PUBLISH", meetings: [meeting({ tlp: "TLP:AMBER" })] }));
    expect(event.summary).toBe(SECRET_TITLE);
    expect(event.description).toContain(SECRET_AGENDA);
    expect(event.location).toContain(SECRET_PLACE);
  });
});

// ---------------------------------------------------------------------------------------------
// Clock changes: times are written from their UTC instants

type ClockCase = {
  uid: string;
  zone: string;
  startsAt: string;
  minutes: number;
  /** DTSTART and DTEND as they must be written. */
  written: [string, string];
};

/**
 * Meetings at the autumn and spring changes of 2027 (Rome: 31 Oct and 28 Mar at 01:00 UTC;
 * Toronto: 7 Nov at 06:00 and 14 Mar at 07:00 UTC), and Bogota, which has none, at the same
 * instants. A time in the repeated hour names two instants, so it is written in UTC.
 */
const CLOCK_CASES: ClockCase[] = [
  // 02:30 CEST, the first of the two 02:30s, for 30 minutes: the case of the issue.
  { uid: "rome-repeated-first", zone: "Europe/Rome", startsAt: "2027-10-31T00:30Z", minutes: 30, written: ["DTSTART:20271031T003000Z", "DTEND:20271031T010000Z"] },
  // 02:30 CET, the second 02:30.
  { uid: "rome-repeated-second", zone: "Europe/Rome", startsAt: "2027-10-31T01:30Z", minutes: 30, written: ["DTSTART:20271031T013000Z", "DTEND:20271031T020000Z"] },
  // Ends at 02:00 CEST, which 02:00 CET repeats an hour later.
  { uid: "rome-ends-repeated", zone: "Europe/Rome", startsAt: "2027-10-30T23:00Z", minutes: 60, written: ["DTSTART:20271030T230000Z", "DTEND:20271031T000000Z"] },
  // 01:30 CEST to 03:30 CET: three hours, both ends outside the repeated hour.
  { uid: "rome-across-autumn", zone: "Europe/Rome", startsAt: "2027-10-30T23:30Z", minutes: 180, written: ["DTSTART;TZID=Europe/Rome:20271031T013000", "DTEND;TZID=Europe/Rome:20271031T033000"] },
  // 01:30 CET to 03:30 CEST: one hour across the skipped one.
  { uid: "rome-across-spring", zone: "Europe/Rome", startsAt: "2027-03-28T00:30Z", minutes: 60, written: ["DTSTART;TZID=Europe/Rome:20270328T013000", "DTEND;TZID=Europe/Rome:20270328T033000"] },
  // 03:00 CEST, the first minute after the skipped hour.
  { uid: "rome-after-spring", zone: "Europe/Rome", startsAt: "2027-03-28T01:00Z", minutes: 30, written: ["DTSTART;TZID=Europe/Rome:20270328T030000", "DTEND;TZID=Europe/Rome:20270328T033000"] },
  // 01:30 EDT to 01:00 EST: both repeated.
  { uid: "toronto-repeated-first", zone: "America/Toronto", startsAt: "2027-11-07T05:30Z", minutes: 30, written: ["DTSTART:20271107T053000Z", "DTEND:20271107T060000Z"] },
  // 01:30 EST, the second 01:30, to 02:00 EST.
  { uid: "toronto-repeated-second", zone: "America/Toronto", startsAt: "2027-11-07T06:30Z", minutes: 30, written: ["DTSTART:20271107T063000Z", "DTEND:20271107T070000Z"] },
  // 00:30 EDT to 02:30 EST: three hours.
  { uid: "toronto-across-autumn", zone: "America/Toronto", startsAt: "2027-11-07T04:30Z", minutes: 180, written: ["DTSTART;TZID=America/Toronto:20271107T003000", "DTEND;TZID=America/Toronto:20271107T023000"] },
  // 01:30 EST to 03:30 EDT: one hour across the skipped one.
  { uid: "toronto-across-spring", zone: "America/Toronto", startsAt: "2027-03-14T06:30Z", minutes: 60, written: ["DTSTART;TZID=America/Toronto:20270314T013000", "DTEND;TZID=America/Toronto:20270314T033000"] },
  // Bogota keeps UTC-5: the same instants are plain local times there.
  { uid: "bogota-rome-autumn", zone: "America/Bogota", startsAt: "2027-10-31T00:30Z", minutes: 30, written: ["DTSTART;TZID=America/Bogota:20271030T193000", "DTEND;TZID=America/Bogota:20271030T200000"] },
  { uid: "bogota-rome-spring", zone: "America/Bogota", startsAt: "2027-03-28T00:30Z", minutes: 60, written: ["DTSTART;TZID=America/Bogota:20270327T193000", "DTEND;TZID=America/Bogota:20270327T203000"] },
  { uid: "bogota-toronto-autumn", zone: "America/Bogota", startsAt: "2027-11-07T05:30Z", minutes: 30, written: ["DTSTART;TZID=America/Bogota:20271107T003000", "DTEND;TZID=America/Bogota:20271107T010000"] },
  { uid: "bogota-toronto-spring", zone: "America/Bogota", startsAt: "2027-03-14T06:30Z", minutes: 60, written: ["DTSTART;TZID=America/Bogota:20270314T013000", "DTEND;TZID=America/Bogota:20270314T023000"] },
];

const clockMeeting = (c: ClockCase) =>
  meeting({ uid: c.uid, timeZone: c.zone, startsAt: utc(c.startsAt), endsAt: new Date(utc(c.startsAt).getTime() + minutes(c.minutes)) });

/** DTSTART and DTEND of one VEVENT as written (unfolded). */
function writtenTimes(ics: string, uid: string): string[] {
  const lines = unfoldedLines(ics);
  const at = lines.indexOf(`UID:${uid}`);
  const event = lines.slice(lines.lastIndexOf("BEGIN:VEVENT", at), lines.indexOf("END:VEVENT", at));
  return event.filter((line) => /^DT(START|END)[;:]/.test(line));
}

describe("times at the clock changes of Rome, Toronto and Bogota", () => {
  const expected = CLOCK_CASES.map((c) => {
    const m = clockMeeting(c);
    return { uid: c.uid, start: m.startsAt.toISOString(), end: m.endsAt.toISOString() };
  });

  for (const c of CLOCK_CASES) {
    it(`writes ${c.uid} (${c.startsAt}, ${c.minutes} min in ${c.zone}) as ${c.written.join(" / ")}, read back right by ical.js`, () => {
      const ics = buildCalendar({ method: "REQUEST", meetings: [clockMeeting(c)] });
      expect(writtenTimes(ics, c.uid)).toEqual(c.written);
      const { calendar, event } = parseSingleEvent(ics);
      const m = clockMeeting(c);
      expect([event.start.toISOString(), event.end.toISOString()]).toEqual([m.startsAt.toISOString(), m.endsAt.toISOString()]);
      expect(event.end.getTime()).toBeGreaterThan(event.start.getTime());
      // A VTIMEZONE exactly when the times name the zone.
      const local = c.written[0].includes(";TZID=");
      expect(event.startTzid).toBe(local ? c.zone : null);
      expect(event.endTzid).toBe(local ? c.zone : null);
      expect([...calendar.timezones.keys()]).toEqual(local ? [c.zone] : []);
    });
  }

  it("gives the same instants to ical.js and to python-icalendar in one feed of them all", () => {
    const ics = buildCalendar({ method: "PUBLISH", alarmMinutesBefore: 15, meetings: CLOCK_CASES.map(clockMeeting) });
    expect(foldingProblems(ics)).toEqual([]);
    const calendar = parseIcs(ics);
    expect([...calendar.timezones.keys()].sort()).toEqual(["America/Bogota", "America/Toronto", "Europe/Rome"]);
    const byIcalJs = calendar.events.map((event) => ({ uid: event.uid, start: event.start.toISOString(), end: event.end.toISOString() }));
    expect(byIcalJs).toEqual(expected);
    expect(readWithPythonIcalendar(ics)).toEqual(expected);
  });

  it("gives python-icalendar the right instants in an invitation for the repeated hour alone", () => {
    const rome = CLOCK_CASES[0]!;
    const ics = buildCalendar({ method: "REQUEST", meetings: [clockMeeting(rome)] });
    expect(readWithPythonIcalendar(ics)).toEqual([{ uid: rome.uid, start: "2027-10-31T00:30:00.000Z", end: "2027-10-31T01:00:00.000Z" }]);
  });
});

describe("line folding", () => {
  // One-, two-, three- and four-byte characters, so that the 75-octet limit falls at every
  // position inside a character for one of the prefixes below.
  const BASE = "Zürich × 東京 会議 🌍🚀 Lagebesprechung — 協力と情報共有 ✅ Ünïcödé naïve café 🇪🇺 ";
  const titles = ["", "a", "ab", "abc"].map((prefix) => (prefix + BASE.repeat(3)).trim());

  for (const [index, title] of titles.entries()) {
    it(`folds a long emoji and CJK title (alignment ${index}) at 75 octets, never inside a character, and unfolds to it exactly`, () => {
      const agenda = `${title}\n第二項: 🌍 ${"情報".repeat(40)}`;
      const ics = buildCalendar({ method: "REQUEST", alarmMinutesBefore: 15, meetings: [meeting({ title, agenda })] });
      const bytes = Buffer.from(ics, "utf8");

      expect(foldingProblems(bytes)).toEqual([]);
      const { lines, bareBreaks } = physicalLines(bytes);
      expect(bareBreaks).toBe(0);
      // The title was long enough to be folded, more than once.
      const summaryAt = lines.findIndex((line) => line.toString("utf8").startsWith("SUMMARY:"));
      expect(summaryAt).toBeGreaterThan(-1);
      expect(lines[summaryAt + 1]!.toString("utf8").startsWith(" ")).toBe(true);
      expect(lines[summaryAt + 2]!.toString("utf8").startsWith(" ")).toBe(true);

      expect(unfoldedLines(bytes)).toContain(`SUMMARY:${title}`);
      const { event } = parseSingleEvent(bytes);
      expect(event.summary).toBe(title);
      expect(event.description).toContain(agenda);
      expect(event.alarms[0]!.description).toBe(title);
    });
  }

  it("leaves a line of 75 octets alone and folds one of 76 after its 75th", () => {
    const line = "X".repeat(75);
    expect(foldLines(`${line}\r\n${line}Y\r\n`)).toBe(`${line}\r\n${line}\r\n Y\r\n`);
    // Three octets each: 25 of them fill a line, and a continuation line holds 24 after its space.
    expect(foldLines("€".repeat(50))).toBe(`${"€".repeat(25)}\r\n ${"€".repeat(24)}\r\n €`);
  });

  it("folds any mix of 1- to 4-octet characters (and a stray surrogate) within 75 octets, undone exactly", () => {
    const alphabet = ["a", " ", ";", "é", "ß", "€", "東", "会", "🌍", "🇪🇺", "\uFE0F", "\uD800", "\uDC00"];
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      // Content lines start with a name, never with the space that marks a fold.
      const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
        ["X:", ...Array.from({ length: Math.floor(random() * 120) }, () => alphabet[Math.floor(random() * alphabet.length)])].join(""),
      );
      const text = `${lines.join("\r\n")}\r\n`;
      const folded = foldLines(text);
      expect(foldingProblems(folded), JSON.stringify(text)).toEqual([]);
      expect(folded.replace(/\r\n /g, "")).toBe(text);
    }
  });

  it("ends every line in CRLF, the last one too (RFC 5545 §3.1: contentline = ... CRLF)", () => {
    for (const method of ["REQUEST", "CANCEL", "PUBLISH"] as const) {
      const ics = buildCalendar({ method, meetings: [meeting({ cancelled: method === "CANCEL" })] });
      const { endsWithCrlf, bareBreaks } = physicalLines(ics);
      expect(bareBreaks).toBe(0);
      expect(endsWithCrlf, `the ${method} file ends with ${JSON.stringify(ics.slice(-15))}`).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Against the database: who a calendar lists, reminders, feeds of people who left

const ANDRES = "andres.restrepo@bancocordillera.example"; // accepts
const GIULIA = "giulia.rossi@vigilanzadigitale.example"; // tentative
const MARCO = "marco.bianchi@sicurezzadigitale.example"; // declines
const OLIVIA_EMAIL = "olivia.tremblay@northernmaple.example"; // no answer
const ETIENNE = "etienne.gagnon@northernmaple.example"; // no answer
const INVITED = [
  "Banco Cordillera S.A.",
  "Vigilanza Digitale S.p.A.",
  "Ministero per la Sicurezza Digitale",
  "Northern Maple Bank",
];
const ALL_INVITEES = [ANDRES, GIULIA, MARCO, OLIVIA_EMAIL, ETIENNE];

/** Before both DST switches of 2026. */
const T0 = new Date("2026-03-02T09:00:00.000Z");
/** 17 March 2026, 16:00 in Vienna (CET). */
const STARTS = new Date("2026-03-17T15:00:00.000Z");
/** 18 March 2026, 16:00 in Vienna: where the meeting is moved to. */
const MOVED_TO = new Date("2026-03-18T15:00:00.000Z");

describe("against the database", () => {
  let db: ReturnType<typeof freshDatabase>["db"];
  let sqlite: ReturnType<typeof freshDatabase>["sqlite"];
  let coordinator: { userId: number; origin: typeof origin; appUrl: string };
  let consultationId: number;
  const cleanups: (() => unknown)[] = [];

  beforeEach(() => {
    ({ db, sqlite } = freshDatabase({ seed: true }));
    coordinator = { userId: userIdOf(db, DEMO_SIGN_INS.coordinator), origin, appUrl: APP_URL };
    consultationId = createConsultation(
      db,
      consultationFormSchema.parse({
        title: "Banking trojans, spring round",
        crimeAreas: ["banking_trojans"],
        deadlineDate: "2026-05-15",
        deadlineTime: "17:00",
        deadlineTimeZone: "Europe/Vienna",
        organisationIds: INVITED.map((name) => String(organisationIdOf(db, name))),
      }),
      coordinator,
      T0,
    );
    openConsultation(db, consultationId, coordinator, T0);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    sqlite.close();
  });

  const account = (email: string) => getAccount(db, userIdOf(db, email));

  /** A meeting set for 17 March 16:00 Vienna, with Andrés accepting, Giulia tentative, Marco declining. */
  function scheduledMeeting(overrides: Record<string, unknown> = {}) {
    const meetingId = proposeMeeting(
      db,
      consultationId,
      meetingFormSchema.parse({
        title: "First round: banking trojans",
        agenda: "1. Current campaigns\n2. Takedown options",
        durationMinutes: "60",
        place: "",
        videoUrl: "https://meet.taskforce.example/r/first-round",
        timeZone: "Europe/Vienna",
        slot0Date: "2026-03-17",
        slot0Time: "16:00",
        ...overrides,
      }),
      coordinator,
      T0,
    );
    const slot = db.select().from(meetingSlots).where(eq(meetingSlots.meetingId, meetingId)).get()!;
    expect(slot.startsAt.toISOString()).toBe(STARTS.toISOString());
    finaliseMeeting(db, meetingId, slot.id, coordinator, later(T0, HOUR));
    respondToMeeting(db, account(ANDRES), meetingId, "accepted", APP_URL, later(T0, 2 * HOUR));
    respondToMeeting(db, account(GIULIA), meetingId, "tentative", APP_URL, later(T0, 2 * HOUR));
    respondToMeeting(db, account(MARCO), meetingId, "declined", APP_URL, later(T0, 2 * HOUR));
    return meetingId;
  }

  const reminderRows = (meetingId?: number) =>
    db
      .select()
      .from(outbox)
      .where(
        and(
          eq(outbox.template, "meeting-reminder"),
          meetingId === undefined ? undefined : like(outbox.dedupeKey, `meeting-reminder:${meetingId}:%`),
        ),
      )
      .all();

  async function mailRelay() {
    const smtp = await startSmtpServer();
    const transporter = createTransporter({ SMTP_URL: smtp.url, MAIL_MAX_CONNECTIONS: 5 });
    cleanups.push(() => smtp.close(), () => transporter.close());
    const deps: OutboxDeps = {
      db,
      transporter,
      mailMode: "smtp",
      from: "Taskforce Consult <consult@taskforce.example>",
      policy: { baseMs: 10_000, maxMs: 60_000, giveUpAfterMs: 48 * HOUR },
    };
    const reminders = () => smtp.received.filter((mail) => mail.subject?.startsWith("Tomorrow:"));
    return { smtp, deps, reminders };
  }

  describe("calendarMeetingFor", () => {
    const forPerson = (meeting: ReturnType<typeof getMeeting>, email: string) => {
      const recipient = { id: userIdOf(db, email), name: getAccount(db, userIdOf(db, email)).name, email };
      return calendarMeetingFor(meeting, recipient, APP_URL, calendarContextOf(db, meeting));
    };
    it("lists only the organiser and the recipient while the attendee list is closed, everyone once it is open", () => {
      const meetingId = scheduledMeeting();
      const forAndres = forPerson(getMeeting(db, meetingId), ANDRES);
      expect(forAndres.organiser.email).toBe(DEMO_SIGN_INS.coordinator);
      expect(forAndres.attendees).toEqual([{ name: "Andrés Restrepo", email: ANDRES, response: "accepted" }]);
      const { event } = parseSingleEvent(buildCalendar({ method: "REQUEST", meetings: [forAndres] }));
      expect(event.attendees.map((attendee) => attendee.email)).toEqual([ANDRES]);

      setAttendeeListOpen(db, meetingId, true);
      const open = forPerson(getMeeting(db, meetingId), ANDRES);
      expect(open.attendees.map((attendee) => attendee.email).sort()).toEqual([...ALL_INVITEES].sort());
      expect(Object.fromEntries(open.attendees.map((attendee) => [attendee.email, attendee.response]))).toMatchObject({
        [ANDRES]: "accepted",
        [GIULIA]: "tentative",
        [MARCO]: "declined",
        [OLIVIA_EMAIL]: null,
      });
    });

    it("lists only the recipient for a TLP:RED meeting even with the attendee list open", () => {
      const meetingId = scheduledMeeting({ tlp: "TLP:RED", attendeeListOpen: "on" });
      const forGiulia = forPerson(getMeeting(db, meetingId), GIULIA);
      expect(forGiulia.attendees.map((attendee) => attendee.email)).toEqual([GIULIA]);
    });
  });

  describe("mail about a meeting across a clock change", () => {
    it("names the zone of each end: 01:30 CET–04:30 CEST on the night Europe springs forward", () => {
      // 01:30 in Vienna on 29 March 2026 (00:30 UTC), two hours: the clocks jump from 02:00 to 03:00.
      const meetingId = proposeMeeting(
        db,
        consultationId,
        meetingFormSchema.parse({
          title: "Night shift: botnet takedown window",
          agenda: "",
          durationMinutes: "120",
          place: "",
          videoUrl: "",
          timeZone: "Europe/Vienna",
          slot0Date: "2026-03-29",
          slot0Time: "01:30",
        }),
        coordinator,
        T0,
      );
      const slot = db.select().from(meetingSlots).where(eq(meetingSlots.meetingId, meetingId)).get()!;
      expect([slot.startsAt.toISOString(), slot.endsAt.toISOString()]).toEqual(["2026-03-29T00:30:00.000Z", "2026-03-29T02:30:00.000Z"]);
      finaliseMeeting(db, meetingId, slot.id, coordinator, later(T0, HOUR));
      // The worker composes the invitations from what finalising committed.
      drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, later(T0, HOUR));
      const textTo = (email: string) =>
        db
          .select()
          .from(outbox)
          .where(and(eq(outbox.template, "meeting-scheduled"), eq(outbox.toAddress, email)))
          .get()!.text;
      // Giulia reads Rome time, in Italian; Andrés Bogota time, which does not change.
      expect(textTo(GIULIA)).toMatch(/01:30 CET–04:30 CEST \(Europe\/Rome\)/);
      expect(textTo(ANDRES)).toMatch(/07:30\sp\.\sm\.–09:30\sp\.\sm\. COT \(America\/Bogota\)/);
    });
  });

  describe("queueDueReminders", () => {
    /** The minutely queueing at `now`, then the broadcast worker composing what it queued. */
    const queueAndCompose = (now: Date) => {
      const meetingsQueued = queueDueReminders(db, now);
      drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, now);
      return meetingsQueued;
    };

    it("queues one reminder for each accepted and tentative invitee, none for declined or silent ones", () => {
      const meetingId = scheduledMeeting();
      expect(queueAndCompose(later(STARTS, -23 * HOUR))).toBe(1);
      const rows = reminderRows(meetingId);
      expect(rows.map((row) => row.toAddress).sort()).toEqual([ANDRES, GIULIA]);
      const andres = rows.find((row) => row.toAddress === ANDRES)!;
      expect(andres.subject).toBe("Tomorrow: First round: banking trojans");
      // 16:00 in Vienna is 10:00 in Bogota.
      expect(andres.text).toContain(formatTimeRange(STARTS, later(STARTS, minutes(60)), account(ANDRES)));
      expect(andres.text).toContain(`${APP_URL}/meetings/${meetingId}`);
    });

    it("reads no invitee when it queues: the worker composes the reminders a batch of people at a time", () => {
      const meetingId = scheduledMeeting();
      const queued = statementTexts(sqlite, () => expect(queueDueReminders(db, later(STARTS, -23 * HOUR))).toBe(1));
      expect(queued.filter((text) => /"(users|consultation_invitees|meeting_rsvps|outbox)"/.test(text) && !/^insert/i.test(text))).toEqual([]);
      expect(reminderRows(meetingId)).toHaveLength(0);
      // The worker, two people a batch: Andrés and Giulia come in different batches, and each once.
      while (runBroadcastBatch(db, BROADCAST_HANDLERS, APP_URL, later(STARTS, -23 * HOUR), { limit: 2 })) {
        // next batch
      }
      expect(reminderRows(meetingId).map((row) => row.toAddress).sort()).toEqual([ANDRES, GIULIA]);
    });

    it("queues nothing before the 24 hours, nor after the meeting has begun", () => {
      const meetingId = scheduledMeeting();
      expect(queueAndCompose(later(STARTS, -24 * HOUR - minutes(1)))).toBe(0);
      expect(queueAndCompose(later(STARTS, -3 * 24 * HOUR))).toBe(0);
      expect(queueAndCompose(later(STARTS, minutes(1)))).toBe(0);
      expect(reminderRows(meetingId)).toHaveLength(0);
    });

    it("sends each reminder once when both the queueing and the worker run twice", async () => {
      const meetingId = scheduledMeeting();
      const { deps, reminders, smtp } = await mailRelay();
      const now = later(STARTS, -20 * HOUR);
      expect(queueAndCompose(now)).toBe(1);
      expect(queueAndCompose(later(now, minutes(1)))).toBe(0);
      await deliverDueMail(deps, later(now, minutes(1)));
      await deliverDueMail(deps, later(now, minutes(2)));
      // Once more an hour later, as the server's minutely timer would.
      expect(queueAndCompose(later(now, HOUR))).toBe(0);
      await deliverDueMail(deps, later(now, HOUR));
      await smtp.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(reminders().map((mail) => mail.envelopeTo.join()).sort()).toEqual([ANDRES, GIULIA]);
      expect(reminderRows(meetingId).map((row) => row.status)).toEqual(["sent", "sent"]);
      const toGiulia = reminders().find((mail) => mail.envelopeTo.includes(GIULIA))!;
      expect(toGiulia.text).toContain(formatTimeRange(STARTS, later(STARTS, minutes(60)), account(GIULIA)));
    });

    it("gives someone who accepts after the reminders went out theirs at once, and once", () => {
      const meetingId = scheduledMeeting();
      const now = later(STARTS, -20 * HOUR);
      expect(queueAndCompose(now)).toBe(1);
      expect(reminderRows(meetingId).map((row) => row.toAddress).sort()).toEqual([ANDRES, GIULIA]);
      respondToMeeting(db, account(MARCO), meetingId, "tentative", APP_URL, later(now, HOUR));
      respondToMeeting(db, account(MARCO), meetingId, "accepted", APP_URL, later(now, 2 * HOUR));
      respondToMeeting(db, account(ANDRES), meetingId, "accepted", APP_URL, later(now, 2 * HOUR));
      expect(queueAndCompose(later(now, 3 * HOUR))).toBe(0);
      expect(reminderRows(meetingId).map((row) => row.toAddress).sort()).toEqual([ANDRES, GIULIA, MARCO].sort());
      const toMarco = reminderRows(meetingId).find((row) => row.toAddress === MARCO)!;
      expect(toMarco.text).toContain(formatTimeRange(STARTS, later(STARTS, minutes(60)), account(MARCO)));
      // Declining queues nothing; neither does accepting before the reminders fall due.
      respondToMeeting(db, account(OLIVIA_EMAIL), meetingId, "declined", APP_URL, later(now, 3 * HOUR));
      expect(reminderRows(meetingId)).toHaveLength(3);
    });

    it("queues no reminder for an acceptance before the reminders are due", () => {
      const meetingId = scheduledMeeting();
      respondToMeeting(db, account(MARCO), meetingId, "accepted", APP_URL, later(STARTS, -30 * HOUR));
      expect(reminderRows(meetingId)).toHaveLength(0);
      expect(queueAndCompose(later(STARTS, -23 * HOUR))).toBe(1);
      expect(reminderRows(meetingId).map((row) => row.toAddress).sort()).toEqual([ANDRES, GIULIA, MARCO].sort());
    });

    it("queues nothing for a cancelled meeting", () => {
      const meetingId = scheduledMeeting();
      cancelMeeting(db, meetingId, coordinator, later(STARTS, -30 * HOUR));
      expect(queueAndCompose(later(STARTS, -20 * HOUR))).toBe(0);
      expect(queueAndCompose(later(STARTS, -HOUR))).toBe(0);
      expect(reminderRows(meetingId)).toHaveLength(0);
    });

    it("sends no reminder for a meeting cancelled after its reminders were queued", async () => {
      const meetingId = scheduledMeeting();
      const { deps, reminders } = await mailRelay();
      const now = later(STARTS, -20 * HOUR);
      expect(queueAndCompose(now)).toBe(1);
      // Cancelled before the worker's next pass (or while the relay is down).
      cancelMeeting(db, meetingId, coordinator, later(now, 1_000));
      await deliverDueMail(deps, later(now, 2_000));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(reminders()).toEqual([]);
    });

    it("composes no reminder for a meeting cancelled before the worker reached it", () => {
      const meetingId = scheduledMeeting();
      const now = later(STARTS, -20 * HOUR);
      expect(queueDueReminders(db, now)).toBe(1);
      cancelMeeting(db, meetingId, coordinator, later(now, 1_000));
      drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, later(now, 2_000));
      expect(reminderRows(meetingId)).toHaveLength(0);
    });

    it("sends a new reminder for a moved meeting's new time", async () => {
      const meetingId = scheduledMeeting();
      const { deps, reminders } = await mailRelay();
      expect(queueAndCompose(later(STARTS, -23 * HOUR))).toBe(1);
      await deliverDueMail(deps, later(STARTS, -23 * HOUR));
      expect(reminders()).toHaveLength(2);

      rescheduleMeeting(db, meetingId, { date: "2026-03-18", time: "16:00", timeZone: "Europe/Vienna" }, coordinator, later(STARTS, -22 * HOUR));
      expect(getMeeting(db, meetingId).startsAt?.toISOString()).toBe(MOVED_TO.toISOString());
      // A move asks everyone again (iTIP); their answers for the new time, a day and more before it,
      // queue nothing yet.
      respondToMeeting(db, account(ANDRES), meetingId, "accepted", APP_URL, later(STARTS, -22 * HOUR));
      respondToMeeting(db, account(GIULIA), meetingId, "tentative", APP_URL, later(STARTS, -22 * HOUR));
      expect(reminderRows(meetingId)).toHaveLength(2);
      // Not yet: the new time is two days away.
      expect(queueAndCompose(later(STARTS, -21 * HOUR))).toBe(0);
      expect(queueAndCompose(later(MOVED_TO, -23 * HOUR))).toBe(1);
      expect(queueAndCompose(later(MOVED_TO, -22 * HOUR))).toBe(0);
      await deliverDueMail(deps, later(MOVED_TO, -23 * HOUR));
      await deliverDueMail(deps, later(MOVED_TO, -22 * HOUR));

      const all = reminders();
      expect(all).toHaveLength(4);
      const newTime = formatTimeRange(MOVED_TO, later(MOVED_TO, minutes(60)), account(ANDRES));
      const toAndres = all.filter((mail) => mail.envelopeTo.includes(ANDRES));
      expect(toAndres).toHaveLength(2);
      expect(toAndres[1]!.text).toContain(newTime);
    });

    it("does not send a reminder with the old time once the meeting has moved", async () => {
      const meetingId = scheduledMeeting();
      const { deps, reminders } = await mailRelay();
      const now = later(STARTS, -20 * HOUR);
      expect(queueAndCompose(now)).toBe(1);
      // Moved before the worker's next pass (or while the relay is down).
      rescheduleMeeting(db, meetingId, { date: "2026-03-18", time: "16:00", timeZone: "Europe/Vienna" }, coordinator, later(now, 1_000));
      await deliverDueMail(deps, later(now, 2_000));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const oldTime = formatTimeRange(STARTS, later(STARTS, minutes(60)), account(ANDRES));
      expect(reminders().filter((mail) => (mail.text ?? "").includes(oldTime))).toEqual([]);
    });

    it("composes no reminder with the old time for a meeting moved before the worker reached it", () => {
      const meetingId = scheduledMeeting();
      const now = later(STARTS, -20 * HOUR);
      expect(queueDueReminders(db, now)).toBe(1);
      rescheduleMeeting(db, meetingId, { date: "2026-03-18", time: "16:00", timeZone: "Europe/Vienna" }, coordinator, later(now, 1_000));
      drainBroadcasts(db, BROADCAST_HANDLERS, APP_URL, later(now, 2_000));
      expect(reminderRows(meetingId)).toHaveLength(0);
    });
  });

  describe("a feed already built", () => {
    /** The statements `run` prepares that read meetings whole (their agenda is only in those). */
    const wholeMeetingReads = (run: () => unknown) => statementTexts(sqlite, run).filter((text) => text.includes(`"meetings"."agenda"`)).length;

    it("is answered without reading its meetings whole until something it shows changes", () => {
      const meetingId = scheduledMeeting();
      const token = issueFeedToken(db, userIdOf(db, ANDRES), T0);
      let first: ReturnType<typeof feedFor> = null;
      expect(wholeMeetingReads(() => (first = feedFor(db, token, APP_URL)))).toBe(1);
      let again: ReturnType<typeof feedFor> = null;
      expect(wholeMeetingReads(() => (again = feedFor(db, token, APP_URL)))).toBe(0);
      expect(again).toBe(first);
      cancelMeeting(db, meetingId, coordinator, later(T0, 3 * HOUR));
      let after: ReturnType<typeof feedFor> = null;
      expect(wholeMeetingReads(() => (after = feedFor(db, token, APP_URL)))).toBe(1);
      expect(after!.body).toContain("STATUS:CANCELLED");
      expect(after!.etag).not.toBe(first!.etag);
    });
  });

  describe("feeds of people who no longer may use the portal", () => {
    it("answers nothing for a deactivated person's feed", () => {
      scheduledMeeting();
      const token = issueFeedToken(db, userIdOf(db, ANDRES), T0);
      expect(feedFor(db, token, APP_URL)?.body).toContain("BEGIN:VEVENT");
      const admin = { userId: userIdOf(db, DEMO_SIGN_INS.admin), origin };
      setAccountActive(db, userIdOf(db, ANDRES), false, admin, later(T0, 3 * HOUR));
      expect(feedFor(db, token, APP_URL)).toBeNull();
    });

    it("answers nothing for the feed of someone whose organisation was deactivated", () => {
      scheduledMeeting();
      const token = issueFeedToken(db, userIdOf(db, GIULIA), T0);
      expect(feedFor(db, token, APP_URL)?.body).toContain("BEGIN:VEVENT");
      const admin = { userId: userIdOf(db, DEMO_SIGN_INS.admin), origin };
      setOrganisationActive(db, organisationIdOf(db, "Vigilanza Digitale S.p.A."), false, admin, later(T0, 3 * HOUR));
      expect(feedFor(db, token, APP_URL)).toBeNull();
    });
  });
});
