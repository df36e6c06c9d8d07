// python-icalendar as a second, independent reader of the portal's calendar files (ical.js,
// what Thunderbird uses, is the first). It comes from Debian's python3-icalendar, which CI
// installs; without it these tests fail and say what to install, they are never skipped.
import { spawnSync } from "node:child_process";
import path from "node:path";

/** Debian's own interpreter: the one apt's python3-icalendar is installed for. */
const PYTHON = "/usr/bin/python3";
const SCRIPT = path.resolve("tests/support/read_ics.py");

export type PythonEvent = { uid: string; start: string; end: string };

/** Each VEVENT of the file as python-icalendar reads it: UID, start and end as UTC ISO instants. */
export function readWithPythonIcalendar(ics: string | Buffer): PythonEvent[] {
  const run = spawnSync(PYTHON, [SCRIPT], { input: ics, encoding: "utf8" });
  if (run.error || run.status !== 0) {
    const why = run.error?.message ?? run.stderr;
    throw new Error(
      `python-icalendar could not read the file (${PYTHON}; install it with apt-get install python3-icalendar): ${why}`,
    );
  }
  return JSON.parse(run.stdout) as PythonEvent[];
}
