import type { AuditQuery } from "./schema";

// The log's page links are built in the browser too, so this file takes no zod: only the type of
// what schema.ts reads, which the compiler erases (docs/decisions/023).

/** The address of the same filter, without the page, for links and the export. */
export function auditQueryString(query: AuditQuery, extra: Record<string, string> = {}): string {
  const entries = Object.entries({ ...query, after: undefined, ...extra }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== "",
  );
  return new URLSearchParams(entries.map(([key, value]) => [key, String(value)])).toString();
}
