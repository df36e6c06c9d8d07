import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { notFound, orStatusPage, parseId } from "~/lib/http.server";
import { requireUser } from "~/modules/auth/guard.server";
import { buildCalendar } from "~/modules/calendar/ics";
import { calendarContextOf, calendarMeetingFor, viewMeeting } from "~/modules/scheduling/service.server";

// "Add to calendar": the meeting as a published copy (METHOD:PUBLISH), for this person.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const db = getDb();
  const { meeting } = orStatusPage(() => viewMeeting(db, viewer, parseId(params.meetingId)));
  if (!meeting.startsAt) notFound("This meeting has no time yet.");
  const body = buildCalendar({
    method: "PUBLISH",
    meetings: [calendarMeetingFor(meeting, viewer, getEnv().APP_URL, calendarContextOf(db, meeting))],
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8; method=PUBLISH",
      "Content-Disposition": `attachment; filename="meeting-${meeting.id}.ics"`,
      "Cache-Control": "no-store",
    },
  });
}
