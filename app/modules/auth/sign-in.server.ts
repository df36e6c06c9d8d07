import { and, eq, isNull } from "drizzle-orm";
import { sessions, signInTokens, users } from "../../../db/schema";
import { renderSignInEmail } from "../../../emails/sign-in";
import type { Db, DbOrTx } from "~/lib/db.server";
import { AppError } from "~/lib/errors";
import { signInLimits } from "~/lib/rate-limit.server";
import { SESSION_ABSOLUTE_MS } from "~/lib/session.server";
import { findSignInAccount } from "../accounts/service.server";
import { recordAudit, type RequestOrigin } from "../audit/audit.server";
import { enqueueMail } from "../mail/outbox.server";
import { hashToken, newSecretToken } from "./tokens.server";

export const SIGN_IN_LINK_MINUTES = 10;

/**
 * Sends a one-time link when the address belongs to someone who may sign in, and otherwise
 * does nothing visible: the caller shows the same answer either way.
 */
export function requestSignIn(
  db: Db,
  input: { email: string; redirectTo: string; origin: RequestOrigin; appUrl: string },
  now = new Date(),
) {
  const limits = signInLimits();
  const address = input.email.trim().toLowerCase();
  const clientOk = limits.perClient.take(input.origin.ip ?? "unknown", now.getTime());
  const addressOk = limits.perAddress.take(address, now.getTime());
  if (!clientOk || !addressOk) {
    recordAudit(db, {
      action: "sign_in.rate_limited",
      detail: { email: address, limit: addressOk ? "client" : "address" },
      origin: input.origin,
      at: now,
    });
    throw new AppError(
      "rate_limited",
      "Too many sign-in requests. Wait a minute, then ask for a new link.",
      "email",
    );
  }

  const account = findSignInAccount(db, address);
  if (!account) {
    recordAudit(db, {
      action: "sign_in.refused",
      detail: { email: address, reason: "no active account" },
      origin: input.origin,
      at: now,
    });
    return;
  }
  const { token, hash } = newSecretToken();
  const link = new URL("/login/link", input.appUrl);
  link.searchParams.set("token", token);
  if (input.redirectTo !== "/") link.searchParams.set("redirectTo", input.redirectTo);
  db.transaction((tx) => {
    tx.insert(signInTokens)
      .values({
        tokenHash: hash,
        userId: account.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + SIGN_IN_LINK_MINUTES * 60_000),
        requestedIp: input.origin.ip ?? null,
      })
      .run();
    enqueueMail(
      tx,
      {
        to: account.email,
        template: "sign-in",
        ...renderSignInEmail({
          name: account.name,
          link: link.toString(),
          expiresInMinutes: SIGN_IN_LINK_MINUTES,
        }),
      },
      { appUrl: input.appUrl, now },
    );
    recordAudit(tx, {
      action: "sign_in.link_sent",
      actorUserId: account.id,
      targetType: "user",
      targetId: account.id,
      origin: input.origin,
      at: now,
    });
  });
}

type LinkProblem = "unknown" | "used" | "expired" | "inactive";

const PROBLEM_MESSAGES: Record<LinkProblem, string> = {
  unknown: "This sign-in link is not valid. Ask for a new one.",
  used: "This sign-in link has already been used. Each link works once: ask for a new one.",
  expired: `This sign-in link has expired: links work for ${SIGN_IN_LINK_MINUTES} minutes. Ask for a new one.`,
  inactive: "This account cannot sign in. Ask the taskforce's administrators if you think it should.",
};

function findLink(db: DbOrTx, token: string) {
  return db
    .select({
      id: signInTokens.id,
      userId: signInTokens.userId,
      expiresAt: signInTokens.expiresAt,
      usedAt: signInTokens.usedAt,
      email: users.email,
    })
    .from(signInTokens)
    .innerJoin(users, eq(users.id, signInTokens.userId))
    .where(eq(signInTokens.tokenHash, hashToken(token)))
    .get();
}

function problemWith(db: DbOrTx, link: ReturnType<typeof findLink>, now: Date): LinkProblem | null {
  if (!link) return "unknown";
  if (link.usedAt) return "used";
  if (link.expiresAt.getTime() <= now.getTime()) return "expired";
  if (!findSignInAccount(db, link.email)) return "inactive";
  return null;
}

/** Looks at a link without using it: what a GET (or a mail scanner's GET) may do. */
export function inspectSignInLink(db: Db, token: string, now = new Date()) {
  const problem = problemWith(db, findLink(db, token), now);
  return problem ? { valid: false as const, message: PROBLEM_MESSAGES[problem] } : { valid: true as const };
}

/** Uses the link once and starts a new session; returns the session's token for the cookie. */
export function redeemSignInLink(
  db: Db,
  input: { token: string; origin: RequestOrigin; browserTimeZone?: string },
  now = new Date(),
): { sessionToken: string; userId: number } {
  const outcome = db.transaction((tx) => {
    const link = findLink(tx, input.token);
    const problem = problemWith(tx, link, now);
    if (problem || !link) {
      recordAudit(tx, {
        action: "sign_in.failed",
        actorUserId: link?.userId ?? null,
        detail: { reason: problem },
        origin: input.origin,
        at: now,
      });
      return { ok: false as const, problem: problem ?? ("unknown" as const) };
    }
    const claimed = tx
      .update(signInTokens)
      .set({ usedAt: now })
      .where(and(eq(signInTokens.id, link.id), isNull(signInTokens.usedAt)))
      .run();
    if (claimed.changes !== 1) return { ok: false as const, problem: "used" as const };
    // Signing in ends every other link still waiting for this person: an older message left in
    // a mailbox (or read by someone else) must not sign in later. They answer as used links do.
    tx.update(signInTokens)
      .set({ usedAt: now })
      .where(and(eq(signInTokens.userId, link.userId), isNull(signInTokens.usedAt)))
      .run();
    const zoneSource = tx.select({ source: users.timeZoneSource }).from(users).where(eq(users.id, link.userId)).get()?.source;
    tx.update(users)
      .set({
        lastSignedInAt: now,
        ...(zoneSource === "default" && input.browserTimeZone
          ? { timeZone: input.browserTimeZone, timeZoneSource: "browser" as const }
          : {}),
      })
      .where(eq(users.id, link.userId))
      .run();
    const session = newSecretToken();
    tx.insert(sessions)
      .values({
        idHash: session.hash,
        userId: link.userId,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + SESSION_ABSOLUTE_MS),
        ip: input.origin.ip ?? null,
        userAgent: input.origin.userAgent?.slice(0, 300) ?? null,
      })
      .run();
    recordAudit(tx, {
      action: "sign_in.succeeded",
      actorUserId: link.userId,
      targetType: "user",
      targetId: link.userId,
      origin: input.origin,
      at: now,
    });
    return { ok: true as const, sessionToken: session.token, userId: link.userId };
  });
  if (!outcome.ok) throw new AppError("gone", PROBLEM_MESSAGES[outcome.problem]);
  return { sessionToken: outcome.sessionToken, userId: outcome.userId };
}
