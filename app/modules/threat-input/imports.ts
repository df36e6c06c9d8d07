import {
  indicatorKey,
  parseIndicatorCsv,
  parseIndicatorLines,
  parseStixBundle,
  type IndicatorParseResult,
  type ParsedIndicator,
} from "./indicators";

/** Larger files are refused with a message; the indicators of one item fit well under it. */
export const MAX_IMPORT_BYTES = 1_000_000;

export type ImportFile = { name: string; type: string; bytes: Uint8Array };
export type ImportOutcome = { format: "csv" | "stix"; result: IndicatorParseResult } | { error: string };

const CSV_TYPES = ["text/csv", "text/plain", "application/vnd.ms-excel"];
const JSON_TYPES = ["application/json", "application/stix+json"];

function formatOf(file: ImportFile, text: string): "csv" | "stix" | null {
  const name = file.name.toLowerCase();
  const type = file.type.split(";")[0]!.trim().toLowerCase();
  if (name.endsWith(".csv") || name.endsWith(".txt")) return "csv";
  if (name.endsWith(".json") || name.endsWith(".stix")) return "stix";
  if (JSON_TYPES.includes(type)) return "stix";
  if (CSV_TYPES.includes(type)) return "csv";
  // No telling name or type: a bundle is a JSON object, anything else textual is read as CSV.
  if (name.includes(".")) return null;
  return text.trimStart().startsWith("{") ? "stix" : "csv";
}

/**
 * Reads an uploaded indicator file: a CSV (type,value[,comment]) or a STIX 2.1 bundle. A file
 * that is not text, not one of the two, or not well formed gets one clear message.
 */
export function importIndicatorFile(file: ImportFile): ImportOutcome {
  if (file.bytes.byteLength === 0) return { error: `"${file.name}" is empty.` };
  if (file.bytes.byteLength > MAX_IMPORT_BYTES) {
    return { error: `"${file.name}" is larger than ${MAX_IMPORT_BYTES / 1_000_000} MB; split it into smaller files.` };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(file.bytes);
  } catch {
    text = "\u0000";
  }
  if (text.includes("\u0000")) {
    return { error: `"${file.name}" is not a text file. Choose a CSV file (type,value,comment) or a STIX 2.1 bundle (.json).` };
  }
  const format = formatOf(file, text);
  if (!format) {
    return { error: `"${file.name}" is neither a CSV file (type,value,comment) nor a STIX 2.1 bundle (.json).` };
  }
  if (format === "csv") return { format, result: parseIndicatorCsv(text.replace(/^\uFEFF/, "")) };
  const stix = parseStixBundle(text.replace(/^\uFEFF/, ""));
  return "error" in stix ? { error: `"${file.name}": ${stix.error}` } : { format, result: stix };
}

/** How an indicator is written back into the paste box: typed, so that it reads back the same. */
export function indicatorLine(indicator: ParsedIndicator): string {
  const note = indicator.keepNote ? `keep: ${indicator.keepNote}` : indicator.comment;
  return `${indicator.type}: ${indicator.value}${note ? ` # ${note.replace(/[\r\n]+/g, " ")}` : ""}`;
}

/** Adds imported indicators under those already typed, leaving out the ones already there. */
export function appendIndicators(existing: string, imported: ParsedIndicator[]): { text: string; added: number; alreadyThere: number } {
  const present = new Set(parseIndicatorLines(existing).indicators.map((indicator) => indicatorKey(indicator.type, indicator.value)));
  const fresh = imported.filter((indicator) => !present.has(indicatorKey(indicator.type, indicator.value)));
  const lines = fresh.map(indicatorLine);
  const base = existing.replace(/\s+$/, "");
  return {
    text: [base, ...lines].filter(Boolean).join("\n"),
    added: fresh.length,
    alreadyThere: imported.length - fresh.length,
  };
}
