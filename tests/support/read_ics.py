"""Reads an iCalendar file on stdin with python-icalendar (Debian's python3-icalendar) and
prints each VEVENT's UID, start and end as UTC instants, one JSON list: a second reader, made
independently of ical.js, for the tests of times around clock changes."""
import json
import sys
from datetime import timezone

from icalendar import Calendar

calendar = Calendar.from_ical(sys.stdin.buffer.read())
events = []
for event in calendar.walk("VEVENT"):
    times = {}
    for name in ("DTSTART", "DTEND"):
        value = event.decoded(name)
        if value.tzinfo is None:
            raise SystemExit(f"{name} of {event['UID']} is a floating time")
        times[name] = value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    events.append({"uid": str(event["UID"]), "start": times["DTSTART"], "end": times["DTEND"]})
json.dump(events, sys.stdout)
