import { ROLES, type Role } from "~/modules/accounts/vocabulary";
import { CRIME_AREAS, TRENDS, type CrimeArea, type Trend } from "~/modules/threat-input/vocabulary";
import { csvDocument } from "~/lib/csv";
import { auditActionLabel, CRIME_AREA_LABELS, ROLE_LABELS } from "~/lib/labels";
import { formatDateTimeWithSeconds, type Viewer } from "~/lib/time";
import { TREND_LABELS } from "../threat-input/scales";

// An audit event's details in words, for its readers (admins, investigators) and the CSV: the
// log keeps ids and codes; this says them. Pure, so that the page and the export agree.

const KEY_WORDS: Record<string, string> = {
  version: "version",
  items: "items",
  from: "from",
  to: "to",
  crimeArea: "crime area",
  score: "score",
  trend: "trend",
  role: "role",
  email: "address",
  reason: "reason",
  invited: "invited",
  slots: "slots",
  startsAt: "starts",
  present: "present",
  reminded: "reminded",
  kind: "kind",
  editionId: "edition",
  inputId: "input",
  format: "format",
  recipient: "recipient",
  redItems: "TLP:RED items",
  left: "left out",
  notShareable: "not cleared for sharing",
  red: "TLP:RED",
  unreadable: "not readable by the exporter",
  tlp: "handling mark",
  limit: "limited by",
  name: "name",
  viewed: "items viewed",
};

/** "crimeArea" -> "crime area", for a key nobody named above. */
const spaced = (key: string) => key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function valueWords(key: string, value: unknown, viewer: Viewer): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "string") {
    if (key === "crimeArea" && (CRIME_AREAS as readonly string[]).includes(value)) return CRIME_AREA_LABELS[value as CrimeArea];
    if (key === "role" && (ROLES as readonly string[]).includes(value)) return ROLE_LABELS[value as Role];
    if ((key === "trend" || key === "from" || key === "to") && (TRENDS as readonly string[]).includes(value)) return TREND_LABELS[value as Trend].toLowerCase();
    if (ISO_INSTANT.test(value)) return formatDateTimeWithSeconds(new Date(value), viewer);
    return value.replace(/_/g, " ");
  }
  if (Array.isArray(value)) return value.map((entry) => valueWords(key, entry, viewer)).join(", ");
  if (typeof value === "object") return detailWords(value as Record<string, unknown>, viewer);
  return String(value);
}

/** "version 2; items 3; crime area Online fraud; score 18". */
export function detailWords(detail: Record<string, unknown> | null, viewer: Viewer): string {
  if (!detail) return "";
  return Object.entries(detail)
    .map(([key, value]) => `${KEY_WORDS[key] ?? spaced(key)} ${valueWords(key, value, viewer)}`)
    .join("; ");
}

/** "threat_input 4" -> "threat input 4". */
export function targetWords(type: string | null, id: string | null): string {
  if (!type) return "";
  const words = type.replace(/_/g, " ");
  return id ? `${words} ${id}` : words;
}

type CsvEvent = {
  at: Date;
  actorName: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
};

/** The events as CSV: the instant in UTC and in the viewer's zone, then each column in words. */
export function auditCsv(events: Iterable<CsvEvent>, viewer: Viewer): string {
  function* rows() {
    yield ["at_utc", `at_${viewer.timeZone}`, "person", "email", "action", "what", "target", "details", "ip", "user_agent"];
    for (const event of events) {
      yield [
        event.at.toISOString(),
        formatDateTimeWithSeconds(event.at, viewer),
        event.actorName,
        event.actorEmail,
        event.action,
        auditActionLabel(event.action),
        targetWords(event.targetType, event.targetId),
        detailWords(event.detail, viewer),
        event.ip,
        event.userAgent,
      ];
    }
  }
  return csvDocument(rows());
}
