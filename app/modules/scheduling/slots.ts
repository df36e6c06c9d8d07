// The proposal form's slot rows, read and edited as typed: the page lays them out in the browser
// too, so this file imports nothing (no zod: docs/decisions/023); schema.ts checks them.

/** How many slot rows a new proposal form starts with, and the most it takes. */
export const FIRST_SLOT_ROWS = 3;
export const MAX_SLOT_ROWS = 20;

const text = (value: unknown) => (typeof value === "string" ? value.trim() : "");

/** The form's slot rows as typed, in order: `slotRows` says how many there are, else the highest row sent. */
export function slotRowsOf(values: Record<string, unknown>): { date: string; time: string }[] {
  const sent = Object.keys(values).flatMap((key) => {
    const match = /^slot(\d{1,2})(?:Date|Time)$/.exec(key);
    return match ? [Number(match[1]) + 1] : [];
  });
  const count = Math.min(MAX_SLOT_ROWS, Math.max(1, Number.parseInt(text(values.slotRows), 10) || Math.max(FIRST_SLOT_ROWS, ...sent)));
  return Array.from({ length: count }, (_, row) => ({ date: text(values[`slot${row}Date`]), time: text(values[`slot${row}Time`]) }));
}

/** The rows written back as the form's fields. */
export function slotFields(rows: { date: string; time: string }[]): Record<string, string> {
  const fields: Record<string, string> = { slotRows: String(rows.length) };
  rows.forEach((row, index) => {
    fields[`slot${index}Date`] = row.date;
    fields[`slot${index}Time`] = row.time;
  });
  return fields;
}

const nextDay = (date: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10) : date;

/**
 * The rows after one of the form's row buttons: add a blank row, remove row n, or copy row n to
 * the next day (inserted after it). Works on what was typed, valid or not: nothing is checked here.
 */
export function editSlotRows(rows: { date: string; time: string }[], edit: { verb: "add" } | { verb: "remove" | "copy"; row: number }) {
  if (edit.verb === "add") return rows.length >= MAX_SLOT_ROWS ? rows : [...rows, { date: "", time: "" }];
  if (edit.row < 0 || edit.row >= rows.length) return rows;
  if (edit.verb === "remove") return rows.length === 1 ? [{ date: "", time: "" }] : rows.filter((_, index) => index !== edit.row);
  if (rows.length >= MAX_SLOT_ROWS) return rows;
  const copy = { date: nextDay(rows[edit.row]!.date), time: rows[edit.row]!.time };
  return [...rows.slice(0, edit.row + 1), copy, ...rows.slice(edit.row + 1)];
}
