import { randomBytes } from "node:crypto";
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { sessions, type Flash } from "../../../db/schema";
import { builtOnce, type Db } from "~/lib/db.server";
import { SESSION_IDLE_MS } from "~/lib/session.server";
import { sessionAccount, type Account } from "../accounts/service.server";
import { recordAudit, type RequestOrigin } from "../audit/audit.server";
import { hashToken } from "./tokens.server";

// Writing last_seen on every request would turn every page view into a write; a minute's
// slack on a 30-minute idle limit costs nothing.
const TOUCH_AFTER_MS = 60_000;

/** The person behind a session token, or null when the session is over for any reason. */
export function resolveSession(db: Db, token: string, now = new Date()): Account | null {
  const idHash = hashToken(token);
  const found = sessionAccount(db, idHash);
  if (!found) return null;
  const { session, account, usable } = found;
  const idleFor = now.getTime() - session.lastSeenAt.getTime();
  const over = session.expiresAt.getTime() <= now.getTime() || idleFor >= SESSION_IDLE_MS || !usable;
  if (over) {
    db.delete(sessions).where(eq(sessions.idHash, idHash)).run();
    return null;
  }
  if (idleFor >= TOUCH_AFTER_MS) {
    db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash)).run();
  }
  return account;
}

export function endSession(db: Db, token: string, origin: RequestOrigin, now = new Date()) {
  const ended = db
    .delete(sessions)
    .where(eq(sessions.idHash, hashToken(token)))
    .returning({ userId: sessions.userId })
    .get();
  if (ended) {
    recordAudit(db, { action: "sign_out", actorUserId: ended.userId, origin, at: now });
  }
}

/** Keeps a message for the next page the session loads, in place of any still unseen. */
export function setFlash(db: Db, token: string, message: string): Flash {
  const flash = { id: randomBytes(6).toString("base64url"), message };
  db.update(sessions).set({ flash }).where(eq(sessions.idHash, hashToken(token))).run();
  return flash;
}

// Read first: most pages have no message, and a read takes no write lock.
const flashQuery = builtOnce((db) =>
  db
    .select({ flash: sessions.flash })
    .from(sessions)
    .where(and(eq(sessions.idHash, sql.placeholder("idHash")), isNotNull(sessions.flash)))
    .prepare(),
);

/** The message kept for this page, if any, and gone once read: it is shown once. */
export function takeFlash(db: Db, token: string): Flash | null {
  const idHash = hashToken(token);
  const row = flashQuery(db).get({ idHash });
  if (!row?.flash) return null;
  db.update(sessions).set({ flash: null }).where(eq(sessions.idHash, idHash)).run();
  return row.flash;
}
