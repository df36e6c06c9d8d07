import { z } from "zod";
import { addressParam, cursorParam } from "~/lib/forms";
import { zonedToUtc } from "~/lib/time";

/** What the audit log can be narrowed to; instants, not dates: the viewer's days are turned into them. */
export type AuditFilter = {
  /** Words of a person's name or address: events by everyone they match. */
  person?: string;
  /** Words of an organisation's name: events by its people, and about it. */
  organisation?: string;
  /** An action code, or a family of them ending in a dot ("role."). */
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
};

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** The log's filters, as they come in its address: a value that does not parse is ignored, never an error. */
export const auditFilterSchema = z.object({
  // Searched on the server, never chosen from a list: a list of everyone would grow with the
  // taskforce (a thousand people, hundreds of organisations) on every view of the log.
  person: addressParam(z.string().trim().min(1).max(200)),
  organisation: addressParam(z.string().trim().min(1).max(200)),
  action: addressParam(z.string().trim().regex(/^[a-z_.]{1,60}$/)),
  targetType: addressParam(z.string().trim().regex(/^[a-z_]{1,40}$/)),
  targetId: addressParam(z.string().trim().max(40)),
  from: addressParam(day),
  to: addressParam(day),
  /** The last row of the page before (a keyset cursor). */
  after: cursorParam(),
});
export type AuditQuery = z.output<typeof auditFilterSchema>;

/** The start of a day in a zone; at a midnight the clocks skip, the first minute that exists. */
function startOfDay(date: string, timeZone: string): Date | undefined {
  for (const time of ["00:00", "01:00", "02:00"]) {
    const at = zonedToUtc(date, time, timeZone);
    if (at) return at;
  }
  return undefined;
}

const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The query as the module's filter: whole days in the viewer's zone, "to" included. */
export function auditFilterFrom(query: AuditQuery, timeZone: string): AuditFilter & { after?: string } {
  return {
    person: query.person,
    organisation: query.organisation,
    action: query.action,
    targetType: query.targetType,
    targetId: query.targetId,
    from: query.from ? startOfDay(query.from, timeZone) : undefined,
    to: query.to ? startOfDay(nextDay(query.to), timeZone) : undefined,
    after: query.after,
  };
}
