import { z } from "zod";
import { cursorParam } from "~/lib/forms";

/**
 * The outbox's "try again", on a given-up message or on a broadcast set aside
 * (app/routes/admin.outbox.tsx). A message unless said otherwise, as the form was before
 * broadcasts could be set aside.
 */
export const retryFormSchema = z.object({
  intent: z.enum(["retry-mail", "retry-broadcast"]).default("retry-mail"),
  id: z.coerce.number().int().positive(),
});

/** Where the outbox page stands in its list of troubled messages, from its address. */
export const outboxPageSchema = z.object({ after: cursorParam() });
