// CSV as spreadsheets read it: RFC 4180 quoting, CRLF line ends, a UTF-8 byte-order mark first
// (without it Excel reads "Bogotá" as "BogotÃ¡"), and no field taken for a formula.

/** A field as spreadsheets read it safely: quoted when needed, and never taken for a formula. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === "string") text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of fields as one CSV document. */
export function csvDocument(rows: Iterable<readonly (string | number | null | undefined)[]>): string {
  const lines: string[] = [];
  for (const row of rows) lines.push(row.map(csvField).join(","));
  return `\uFEFF${lines.join("\r\n")}\r\n`;
}
