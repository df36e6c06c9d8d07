// Helpers for the consultation and meeting tests: dates computed from today (never fixed, so
// that slots stay in the future), an oracle for zone offsets independent of app/lib/time.ts,
// and readers of the meeting page's tables.
import { count, eq } from "drizzle-orm";
import { organisations } from "../../db/schema";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { attr, textOf } from "../integration/html";
import type { Visitor } from "./http";
import type { Portal } from "./portal";

const DAY = 86_400_000;

/** A calendar date (YYYY-MM-DD) as the instant of its midnight UTC. */
const dateMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const todayUtc = () => isoDate(Date.now());
export const addDays = (date: string, days: number) => isoDate(dateMs(date) + days * DAY);

/**
 * Minutes a zone is ahead of UTC at an instant, read from Intl's "GMT+01:00" offset names:
 * a second opinion, independent of the portal's own arithmetic.
 */
export function offsetMinutes(at: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(at)
    .find((part) => part.type === "timeZoneName")!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0; // "GMT": UTC itself
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** The UTC instant of a wall-clock time in a zone whose offset at that time is `offset` minutes. */
export const utcOf = (date: string, time: string, offset: number) =>
  new Date(Date.parse(`${date}T${time}:00Z`) - offset * 60_000);

/**
 * The first date at least `minDaysAhead` days from today from which Vienna (and so Rome) keeps
 * winter time (UTC+1) for `span` days: a 16:00 Vienna slot on those days is 15:00 UTC, 10:00 in
 * Bogota (always UTC-5).
 */
export function nextEuWinterDate(minDaysAhead = 40, span = 4): string {
  let date = addDays(todayUtc(), minDaysAhead);
  for (let tries = 0; tries < 400; tries++, date = addDays(date, 1)) {
    const days = Array.from({ length: span }, (_, i) => addDays(date, i));
    if (days.every((day) => offsetMinutes(new Date(`${day}T12:00:00Z`), "Europe/Vienna") === 60)) return date;
  }
  throw new Error("no winter date found in Vienna within 400 days");
}

function lastSunday(year: number, monthIndex: number): string {
  const last = new Date(Date.UTC(year, monthIndex + 1, 0));
  return isoDate(last.getTime() - last.getUTCDay() * DAY);
}

function nthSunday(year: number, monthIndex: number, n: number): string {
  const first = new Date(Date.UTC(year, monthIndex, 1));
  const firstSunday = 1 + ((7 - first.getUTCDay()) % 7);
  return isoDate(Date.UTC(year, monthIndex, firstSunday + 7 * (n - 1)));
}

/** Europe's switches (01:00 UTC on the last Sunday of March and of October) of a year. */
export const euSwitches = (year: number) => [lastSunday(year, 2), lastSunday(year, 9)];
/** North America's switches (second Sunday of March, first Sunday of November) of a year. */
export const naSwitches = (year: number) => [nthSunday(year, 2, 2), nthSunday(year, 10, 1)];

/** The date of Europe's next clock change after now (it happens at 01:00 UTC that day). */
export function nextEuSwitch(now = new Date()): string {
  const year = now.getUTCFullYear();
  const candidates = [...euSwitches(year), ...euSwitches(year + 1)];
  return candidates.find((date) => Date.parse(`${date}T01:00:00Z`) > now.getTime())!;
}

/**
 * A Wednesday in the next week where North America has changed its clocks in spring and Europe
 * has not yet: Toronto is UTC-4, Vienna still UTC+1, five hours apart instead of six.
 */
export function nextGapWeekWednesday(minDaysAhead = 1): string {
  const earliest = addDays(todayUtc(), minDaysAhead);
  const year = new Date().getUTCFullYear();
  for (const y of [year, year + 1]) {
    const wednesday = addDays(naSwitches(y)[0]!, 3);
    if (wednesday >= earliest && wednesday < euSwitches(y)[0]!) return wednesday;
  }
  throw new Error("no gap week ahead");
}

/** How a locale writes a calendar date, as the portal's slot times do ("mar, 5 ene 2027"). */
export function dayText(locale: string, date: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  }).format(new Date(`${date}T12:00:00Z`));
}

/** How a locale writes a clock time ("10:00 a. m." in es-CO, "16:00" in it-IT). */
export function clockText(locale: string, time: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", hour: "2-digit", minute: "2-digit" })
    .format(new Date(`2000-01-01T${time}:00Z`))
    .replace(/\s+/g, " ");
}

/** Number of rows in a table of the portal's database. */
export const rowCount = (portal: Portal, table: SQLiteTable) => portal.db().select({ n: count() }).from(table).get()!.n;

// ---------------------------------------------------------------------------------------------
// Forms

export function consultationForm(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: "Banking trojans, winter round",
    description: "Which banking trojan families reached your customers this quarter?",
    crimeAreas: ["banking_trojans", "online_fraud"],
    deadlineDate: addDays(todayUtc(), 60),
    deadlineTime: "17:00",
    deadlineTimeZone: "Europe/Vienna",
    ...overrides,
  };
}

/** Creates a consultation through the form and returns its id (from the redirect). */
export async function createConsultation(coordinator: Visitor, form: Record<string, string | string[]>): Promise<number> {
  const response = await coordinator.post("/consultations/new", form);
  const body = await response.text();
  if (response.status !== 302) throw new Error(`creating a consultation answered ${response.status}: ${textOf(body).slice(0, 400)}`);
  const match = /^\/consultations\/(\d+)$/.exec(response.headers.get("Location") ?? "");
  if (!match) throw new Error(`unexpected redirect ${response.headers.get("Location")}`);
  return Number(match[1]);
}

/** A consultation for the named organisations, created and opened through the coordinator's forms. */
export async function openConsultationFor(portal: Portal, coordinator: Visitor, title: string, organisationNames: string[]): Promise<number> {
  const organisationIds = organisationNames.map((name) => {
    const found = portal.db().select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name)).get();
    if (!found) throw new Error(`no organisation ${name}`);
    return String(found.id);
  });
  const id = await createConsultation(coordinator, consultationForm({ title, organisationIds }));
  await openConsultation(coordinator, id);
  return id;
}

export async function openConsultation(coordinator: Visitor, id: number) {
  const response = await coordinator.post(`/consultations/${id}`, { intent: "open" });
  const body = await response.text();
  if (response.status !== 302) throw new Error(`opening consultation ${id} answered ${response.status}: ${textOf(body).slice(0, 400)}`);
}

/** The propose-meeting form's fields, with slot rows from `slots` (date and time each). */
export function meetingForm(
  slots: { date: string; time: string }[],
  overrides: Record<string, string | string[]> = {},
): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {
    title: "Banking trojans: first round table",
    agenda: "1. Families seen\n2. Takedown options",
    durationMinutes: "60",
    place: "",
    videoUrl: "https://video.taskforce.example/round-table",
    timeZone: "Europe/Vienna",
  };
  slots.forEach((slot, row) => {
    form[`slot${row}Date`] = slot.date;
    form[`slot${row}Time`] = slot.time;
  });
  return { ...form, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// Readers of the meeting page

/** The HTML of the <section> labelled by the heading with this id. */
export function sectionLabelledBy(html: string, id: string): string | undefined {
  const start = html.search(new RegExp(`<section\\b[^>]*aria-labelledby="${id}"`));
  if (start === -1) return undefined;
  // Sections of the meeting page do not nest, except the coordinator's (which is last).
  const end = html.indexOf("</section>", start);
  return html.slice(start, end === -1 ? undefined : end);
}

export type SlotRow = { slotId: number; dateTime: string; text: string; flags: string[]; checked: string | undefined };

/** The invitee's poll: one entry per slot row, with its <time>, its flags, and the ticked answer. */
export function voteRows(html: string): SlotRow[] {
  const section = sectionLabelledBy(html, "vote-title");
  if (!section) throw new Error(`no poll on the page:\n${textOf(html).slice(0, 1500)}`);
  const body = section.match(/<tbody\b[^>]*>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = row[1]!;
    const time = cells.match(/<time\b([^>]*)>([\s\S]*?)<\/time>/);
    const radios = cells.match(/<input\b[^>]*>/g) ?? [];
    const name = attr(radios[0], "name") ?? "";
    return {
      slotId: Number(name.replace(/^slot-/, "")),
      dateTime: attr(`<time ${time?.[1] ?? ""}>`, "dateTime") ?? attr(`<time ${time?.[1] ?? ""}>`, "datetime") ?? "",
      text: textOf(time?.[2] ?? ""),
      flags: [...cells.matchAll(/<span class="flag">([\s\S]*?)<\/span>/g)].map((flag) => textOf(flag[1]!)),
      checked: attr(radios.find((radio) => attr(radio, "checked") !== undefined), "value"),
    };
  });
}

export type RankedSlot = { slotId: number; yes: number; ifNeedBe: number; no: number; text: string; preselected: boolean };

/** The coordinator's ranking of the slots, best first. */
export function ranking(html: string): RankedSlot[] {
  const list = html.match(/<ol class="ranking">([\s\S]*?)<\/ol>/)?.[1];
  if (list === undefined) throw new Error(`no ranking on the page:\n${textOf(html).slice(0, 1500)}`);
  return [...list.matchAll(/<li\b[^>]*>([\s\S]*?)<\/li>/g)].map((item) => {
    const radio = item[1]!.match(/<input\b[^>]*>/)?.[0];
    const text = textOf(item[1]!);
    const counts = text.match(/(\d+) yes, (\d+) if need be, (\d+) no/);
    if (!counts) throw new Error(`no counts in "${text}"`);
    return {
      slotId: Number(attr(radio, "value")),
      yes: Number(counts[1]),
      ifNeedBe: Number(counts[2]),
      no: Number(counts[3]),
      text,
      preselected: attr(radio, "checked") !== undefined,
    };
  });
}

/** The coordinator's grid of answers: invitee name -> the answer text per column (slot order). */
export function answerGrid(html: string): Map<string, string[]> {
  const table = html.match(/<table class="grid-table\b[^"]*">([\s\S]*?)<\/table>/)?.[1];
  if (!table) throw new Error("no answer grid on the page");
  const body = table.match(/<tbody\b[^>]*>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  const grid = new Map<string, string[]>();
  for (const row of body.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr>/g)) {
    const header = row[1]!.match(/<th\b[^>]*>([\s\S]*?)<div/)?.[1] ?? "";
    const cells = [...row[1]!.matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => textOf(cell[1]!));
    grid.set(textOf(header), cells);
  }
  return grid;
}
