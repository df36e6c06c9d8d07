import { z } from "zod";

/** The outbox's "send again" on a dead message (app/routes/admin.outbox.tsx). */
export const retryFormSchema = z.object({ id: z.coerce.number().int().positive() });
