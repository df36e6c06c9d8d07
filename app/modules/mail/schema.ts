import { z } from "zod";
import { cursorParam } from "~/lib/forms";

/** The outbox's "send again" on a dead message (app/routes/admin.outbox.tsx). */
export const retryFormSchema = z.object({ id: z.coerce.number().int().positive() });

/** Where the outbox page stands in its list of troubled messages, from its address. */
export const outboxPageSchema = z.object({ after: cursorParam() });
