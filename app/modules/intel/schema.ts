import { z } from "zod";
import { CRIME_AREAS, TLP_MARKS } from "~/modules/threat-input/vocabulary";

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional()).catch(undefined);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The search's fields: a bad filter is ignored, not an error (they come from an address). */
export const searchFormSchema = z.object({
  q: z.string().max(4096).catch(""),
  crimeArea: optional(z.enum(CRIME_AREAS)),
  // Words of a consultation's title, searched on the server rather than chosen from every one.
  consultation: optional(z.string().trim().min(1).max(200)),
  tlp: optional(z.enum(TLP_MARKS)),
  from: optional(z.string().regex(DATE)),
  to: optional(z.string().regex(DATE)),
  after: optional(z.coerce.number().int().positive()),
});
