import { createHash, randomBytes } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import { idempotentRequests } from "../../../db/schema";
import type { Db } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { SUBMIT_KEY, type FormValues } from "~/lib/forms";
import { submitKeySchema } from "./schema";

/** How long a key is remembered: well past a double click, a resend or a form left open for days. */
export const KEY_RETENTION_MS = 30 * 24 * 60 * 60_000;

/** The one-time key a rendered page's forms carry. */
export const newSubmitKey = () => randomBytes(18).toString("base64url");

/** What an action that worked answers: where the person goes next, and what they are told there. */
export type Answer = { location: string; message: string; status?: 302 | 303 };

/** One post of a form that creates or sends something. */
export type Submission = {
  userId: number;
  /** The path it was posted to, and its intent. */
  form: string;
  values: FormValues;
};

export const MISSING_KEY = "This form is missing its one-time key. Reload the page and send it again.";
export const OTHER_CONTENT =
  "This form was already submitted, with other content. Reload the page to send your changes as a new request.";

/** The form's fields without its key, in a fixed order: two posts of one form hash alike. */
function contentHash(values: FormValues): string {
  const fields = Object.entries(values)
    .filter(([name]) => name !== SUBMIT_KEY)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(fields)).digest("hex");
}

/**
 * Runs `act` once per (person, form, key): a repeat with the same content gets the first answer
 * without running anything again; the same key with other content is refused (409); a post
 * without a valid key is refused (400). The key's row is written in the same transaction as
 * what `act` writes (its own `db.transaction` joins this one as a savepoint: better-sqlite3
 * nests them), so the change, its mail in the outbox and the row commit together or not at
 * all; a refusal inside `act` leaves the key unused, so the corrected form can be sent with it.
 * SQLite runs one writer at a time (docs/decisions/010) and the primary key is the backstop.
 */
export function submitOnce(db: Db, submission: Submission, act: () => Answer, now = new Date()): Answer & { repeated: boolean } {
  const key = submitKeySchema.safeParse(submission.values[SUBMIT_KEY]);
  if (!key.success) throw new AppError("invalid", MISSING_KEY);
  const hash = contentHash(submission.values);
  return db.transaction((tx) => {
    const where = and(
      eq(idempotentRequests.userId, submission.userId),
      eq(idempotentRequests.form, submission.form),
      eq(idempotentRequests.key, key.data),
    );
    const first = tx.select().from(idempotentRequests).where(where).get();
    if (first) {
      if (first.contentHash !== hash) throw new AppError("conflict", OTHER_CONTENT);
      return { location: first.location, message: first.message, status: first.status as 302 | 303, repeated: true };
    }
    const answer = act();
    const status = answer.status ?? 302;
    tx.delete(idempotentRequests).where(lt(idempotentRequests.createdAt, new Date(now.getTime() - KEY_RETENTION_MS))).run();
    tx.insert(idempotentRequests)
      .values({ userId: submission.userId, form: submission.form, key: key.data, contentHash: hash, location: answer.location, status, message: answer.message, createdAt: now })
      .run();
    return { ...answer, status, repeated: false };
  });
}
