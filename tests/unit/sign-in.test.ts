import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, organisations, outbox, roleGrants, sessions, signInTokens, users } from "../../db/schema";
import { DEMO_SIGN_INS } from "../../db/seed";
import { forgetSingleton } from "~/lib/singleton.server";
import { getAccount, setAccountActive } from "~/modules/accounts/service.server";
import { endSession, resolveSession, setFlash, takeFlash } from "~/modules/auth/sessions.server";
import {
  inspectSignInLink,
  redeemSignInLink,
  requestSignIn,
} from "~/modules/auth/sign-in.server";
import { freshDatabase, statementTexts } from "../support/db";
import { appErrorFrom, later, minutes } from "./helpers";

const APP_URL = "http://localhost:3000";
const ANNA = DEMO_SIGN_INS.coordinator;
const KATHARINA = DEMO_SIGN_INS.stakeholder;
const T0 = new Date("2025-03-10T09:00:00.000Z");
const origin = { ip: "203.0.113.5", userAgent: "vitest" };

let db: ReturnType<typeof freshDatabase>["db"];
let sqlite: ReturnType<typeof freshDatabase>["sqlite"];

beforeEach(() => {
  ({ db, sqlite } = freshDatabase({ seed: true }));
  // The rate limiter is a process-wide singleton: each test starts with empty windows.
  forgetSingleton("sign-in-limits");
});
afterEach(() => sqlite.close());

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

function ask(email: string, now = T0, ip = origin.ip) {
  return requestSignIn(db, { email, redirectTo: "/", origin: { ...origin, ip }, appUrl: APP_URL }, now);
}

function userId(email: string) {
  return db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()!.id;
}

/** The raw token of the newest sign-in mail, read from the outbox as the recipient would. */
function latestToken(): string {
  const rows = db.select().from(outbox).where(eq(outbox.template, "sign-in")).all();
  const text = rows.at(-1)!.text;
  const match = text.match(/\/login\/link\?token=([A-Za-z0-9_-]+)/);
  if (!match) throw new Error(`no sign-in link in: ${text}`);
  return match[1]!;
}

function signIn(email: string, now = T0) {
  ask(email, now);
  return redeemSignInLink(db, { token: latestToken(), origin }, now);
}

const audits = (action: string) =>
  db.select().from(auditEvents).where(eq(auditEvents.action, action)).all();
const tokenCount = () => db.select().from(signInTokens).all().length;
const outboxCount = () => db.select().from(outbox).all().length;

describe("requestSignIn", () => {
  it("stores only the token's hash and queues one sign-in mail carrying the token", () => {
    expect(ask("Anna.Visser@TASKFORCE.example")).toBeUndefined();

    const tokens = db.select().from(signInTokens).all();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[0]!.userId).toBe(userId(ANNA));
    expect(tokens[0]!.expiresAt.getTime()).toBe(T0.getTime() + minutes(10));
    expect(tokens[0]!.usedAt).toBeNull();

    const mails = db.select().from(outbox).all();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.template).toBe("sign-in");
    expect(mails[0]!.toAddress).toBe(ANNA);
    expect(mails[0]!.text).toContain(`${APP_URL}/login/link?token=`);

    const token = latestToken();
    // 32 random bytes in base64url: 256 bits, well over the 128 a guess would have to beat.
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens[0]!.tokenHash).toBe(sha256(token));
    const storedTokens = JSON.stringify(sqlite.prepare("select * from sign_in_tokens").all());
    expect(storedTokens).not.toContain(token);
    const storedAudit = JSON.stringify(sqlite.prepare("select * from audit_events").all());
    expect(storedAudit).not.toContain(token);
  });

  it("makes a different token for every request", () => {
    ask(ANNA);
    const first = latestToken();
    ask(ANNA);
    expect(latestToken()).not.toBe(first);
    expect(tokenCount()).toBe(2);
  });

  it("keeps a redirect inside the link", () => {
    requestSignIn(db, { email: ANNA, redirectTo: "/admin/accounts?q=x", origin, appUrl: APP_URL }, T0);
    const text = db.select().from(outbox).get()!.text;
    const link = new URL(text.match(/https?:\/\/\S+\/login\/link\S*/)![0]);
    expect(link.searchParams.get("redirectTo")).toBe("/admin/accounts?q=x");
  });

  it("does nothing visible for an unknown address, and records the refusal", () => {
    expect(ask("nobody@nowhere.example")).toBeUndefined();
    expect(tokenCount()).toBe(0);
    expect(outboxCount()).toBe(0);
    const [refusal] = audits("sign_in.refused");
    expect(refusal!.detail).toMatchObject({ email: "nobody@nowhere.example", reason: expect.any(String) });
  });

  it("sends nothing to a deactivated person", () => {
    db.update(users).set({ active: false }).where(eq(users.email, ANNA)).run();
    expect(ask(ANNA)).toBeUndefined();
    expect(tokenCount()).toBe(0);
    expect(outboxCount()).toBe(0);
    expect(audits("sign_in.refused")).toHaveLength(1);
  });

  it("sends nothing to a member of a deactivated organisation", () => {
    const member = db.select().from(users).where(eq(users.email, KATHARINA)).get()!;
    db.update(organisations).set({ active: false }).where(eq(organisations.id, member.organisationId!)).run();
    expect(ask(KATHARINA)).toBeUndefined();
    expect(tokenCount()).toBe(0);
    expect(outboxCount()).toBe(0);
  });

  it("records sign_in.link_sent for the person", () => {
    ask(ANNA);
    const [sent] = audits("sign_in.link_sent");
    expect(sent).toMatchObject({ actorUserId: userId(ANNA), ip: origin.ip, userAgent: "vitest" });
    expect(sent!.at.getTime()).toBe(T0.getTime());
  });
});

describe("rate limits", () => {
  it("allows ten requests a minute per address, whatever its case, then refuses", () => {
    for (let i = 0; i < 10; i++) ask(i % 2 ? ANNA.toUpperCase() : ANNA, later(T0, i * 1000));
    expect(tokenCount()).toBe(10);

    const error = appErrorFrom(() => ask(ANNA, later(T0, 30_000)), "rate_limited");
    expect(error.field).toBe("email");
    expect(error.status).toBe(429);
    expect(tokenCount()).toBe(10);
    expect(outboxCount()).toBe(10);
    expect(audits("sign_in.rate_limited")[0]!.detail).toMatchObject({ email: ANNA, limit: "address" });

    // The window started at T0; a minute and a second later it is a new one.
    expect(ask(ANNA, later(T0, 61_000))).toBeUndefined();
    expect(tokenCount()).toBe(11);
  });

  it("limits one address without touching another", () => {
    for (let i = 0; i < 10; i++) ask(ANNA);
    appErrorFrom(() => ask(ANNA), "rate_limited");
    ask(KATHARINA);
    expect(tokenCount()).toBe(11);
  });

  it("allows thirty requests a minute per client across addresses, then refuses", () => {
    for (let i = 0; i < 30; i++) ask(`probe${i}@nowhere.example`);
    appErrorFrom(() => ask(ANNA), "rate_limited");
    expect(tokenCount()).toBe(0);
    expect(audits("sign_in.rate_limited")[0]!.detail).toMatchObject({ limit: "client" });

    // Another client is not affected, and neither is this one after the window.
    ask(ANNA, T0, "198.51.100.20");
    expect(tokenCount()).toBe(1);
    ask(KATHARINA, later(T0, 61_000));
    expect(tokenCount()).toBe(2);
  });
});

describe("sign-in links", () => {
  it("can be looked at without being used up", () => {
    ask(ANNA);
    const token = latestToken();
    expect(inspectSignInLink(db, token, later(T0, minutes(1)))).toEqual({ valid: true });
    expect(inspectSignInLink(db, token, later(T0, minutes(2)))).toEqual({ valid: true });
    expect(db.select().from(signInTokens).get()!.usedAt).toBeNull();
    expect(db.select().from(sessions).all()).toHaveLength(0);
  });

  it("reports an unknown, an expired and a used link as invalid", () => {
    ask(ANNA);
    const token = latestToken();
    expect(inspectSignInLink(db, "A".repeat(43), T0)).toMatchObject({ valid: false });
    expect(inspectSignInLink(db, token, later(T0, minutes(10)))).toMatchObject({
      valid: false,
      message: expect.stringContaining("expired"),
    });
    redeemSignInLink(db, { token, origin }, T0);
    expect(inspectSignInLink(db, token, T0)).toMatchObject({
      valid: false,
      message: expect.stringContaining("already been used"),
    });
  });

  it("starts a session once and marks the link used", () => {
    ask(ANNA);
    const token = latestToken();
    const at = later(T0, minutes(3));
    const { sessionToken, userId: signedIn } = redeemSignInLink(db, { token, origin }, at);

    expect(signedIn).toBe(userId(ANNA));
    expect(sessionToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [session] = db.select().from(sessions).all();
    expect(session).toMatchObject({ idHash: sha256(sessionToken), userId: signedIn, ip: origin.ip });
    expect(session!.expiresAt.getTime()).toBe(at.getTime() + 12 * 60 * 60_000);
    expect(JSON.stringify(sqlite.prepare("select * from sessions").all())).not.toContain(sessionToken);
    expect(db.select().from(signInTokens).get()!.usedAt!.getTime()).toBe(at.getTime());
    expect(audits("sign_in.succeeded")).toMatchObject([{ actorUserId: signedIn, targetId: String(signedIn) }]);
  });

  it("refuses a second use of the same link", () => {
    ask(ANNA);
    const token = latestToken();
    redeemSignInLink(db, { token, origin }, T0);
    const error = appErrorFrom(() => redeemSignInLink(db, { token, origin }, later(T0, 1000)), "gone");
    expect(error.message).toContain("already been used");
    expect(db.select().from(sessions).all()).toHaveLength(1);
    expect(audits("sign_in.failed")).toMatchObject([{ actorUserId: userId(ANNA), detail: { reason: "used" } }]);
  });

  it("works until ten minutes have passed, and not a millisecond longer", () => {
    ask(ANNA);
    const first = latestToken();
    ask(ANNA);
    const second = latestToken();

    const error = appErrorFrom(
      () => redeemSignInLink(db, { token: first, origin }, later(T0, minutes(10) + 1)),
      "gone",
    );
    expect(error.message).toContain("expired");
    expect(audits("sign_in.failed")[0]!.detail).toEqual({ reason: "expired" });
    expect(db.select().from(sessions).all()).toHaveLength(0);

    expect(() => redeemSignInLink(db, { token: second, origin }, later(T0, minutes(10) - 1))).not.toThrow();
  });

  it("refuses a token nobody was sent", () => {
    const error = appErrorFrom(() => redeemSignInLink(db, { token: "B".repeat(43), origin }, T0), "gone");
    expect(error.message).toContain("not valid");
    expect(audits("sign_in.failed")).toMatchObject([{ actorUserId: null, detail: { reason: "unknown" } }]);
  });

  it("refuses a link whose person was deactivated after it was sent", () => {
    ask(ANNA);
    const token = latestToken();
    db.update(users).set({ active: false }).where(eq(users.email, ANNA)).run();
    expect(inspectSignInLink(db, token, T0)).toMatchObject({ valid: false });
    appErrorFrom(() => redeemSignInLink(db, { token, origin }, T0), "gone");
    expect(audits("sign_in.failed")[0]!.detail).toEqual({ reason: "inactive" });
    expect(db.select().from(sessions).all()).toHaveLength(0);
  });

  it("ends the person's other unused links when one is redeemed: the older answers as a used link", () => {
    ask(ANNA);
    const older = latestToken();
    ask(ANNA, later(T0, 1000));
    const newer = latestToken();
    ask(KATHARINA, later(T0, 2000));
    const someoneElse = latestToken();

    redeemSignInLink(db, { token: newer, origin }, later(T0, minutes(1)));

    const used = { valid: false, message: "This sign-in link has already been used. Each link works once: ask for a new one." };
    expect(inspectSignInLink(db, older, later(T0, minutes(2)))).toEqual(used);
    const error = appErrorFrom(() => redeemSignInLink(db, { token: older, origin }, later(T0, minutes(2))), "gone");
    expect(error.message).toBe(used.message);
    expect(db.select().from(sessions).all()).toHaveLength(1);
    // Another person's link is theirs alone.
    expect(inspectSignInLink(db, someoneElse, later(T0, minutes(2)))).toEqual({ valid: true });
  });

  it("ends a newer unused link too, when an older one is redeemed first", () => {
    ask(ANNA);
    const older = latestToken();
    ask(ANNA, later(T0, 1000));
    const newer = latestToken();
    redeemSignInLink(db, { token: older, origin }, later(T0, 2000));
    expect(inspectSignInLink(db, newer, later(T0, 3000))).toMatchObject({ valid: false, message: expect.stringContaining("already been used") });
  });

  it("gives every sign-in its own session", () => {
    const one = signIn(ANNA);
    const two = signIn(ANNA, later(T0, 1000));
    expect(two.sessionToken).not.toBe(one.sessionToken);
    expect(db.select().from(sessions).where(eq(sessions.userId, one.userId)).all()).toHaveLength(2);
  });
});

describe("resolveSession", () => {
  it("returns the account right after sign-in", () => {
    const { sessionToken, userId: id } = signIn(ANNA);
    const account = resolveSession(db, sessionToken, T0);
    expect(account).toMatchObject({ id, email: ANNA, roles: ["coordinator"], active: true });
  });

  it("returns each person's account as the accounts module reads it, organisation and every role in order", () => {
    const multi = db.select().from(users).where(eq(users.email, DEMO_SIGN_INS.analyst)).get()!;
    // Granted after "analyst", listed before it.
    db.insert(roleGrants).values({ userId: multi.id, role: "admin", grantedAt: T0 }).run();
    for (const email of [ANNA, KATHARINA, DEMO_SIGN_INS.analyst, DEMO_SIGN_INS.admin]) {
      const { sessionToken, userId } = signIn(email);
      expect(resolveSession(db, sessionToken, T0), email).toEqual(getAccount(db, userId));
    }
    expect(getAccount(db, multi.id).roles).toEqual(["admin", "analyst"]);
  });

  it("returns null for a token it never issued", () => {
    signIn(ANNA);
    expect(resolveSession(db, "C".repeat(43), T0)).toBeNull();
  });

  it("ends a session idle for 30 minutes", () => {
    const { sessionToken } = signIn(ANNA);
    expect(resolveSession(db, sessionToken, later(T0, minutes(29)))).not.toBeNull();
    // That visit counted as activity: 29 more minutes are still fine, 30 are not.
    const seen = later(T0, minutes(29));
    expect(resolveSession(db, sessionToken, later(seen, minutes(29)))).not.toBeNull();
    const lastSeen = later(seen, minutes(29));
    expect(resolveSession(db, sessionToken, later(lastSeen, minutes(30)))).toBeNull();
    expect(db.select().from(sessions).all()).toHaveLength(0);
    // Gone for good, even at a time that would have been within the limits.
    expect(resolveSession(db, sessionToken, lastSeen)).toBeNull();
  });

  it("ends a session after 12 hours even when it is used every 20 minutes", () => {
    const { sessionToken } = signIn(ANNA);
    for (let at = minutes(20); at < 12 * 60 * 60_000; at += minutes(20)) {
      expect(resolveSession(db, sessionToken, later(T0, at)), `after ${at / 60_000} min`).not.toBeNull();
    }
    expect(resolveSession(db, sessionToken, later(T0, 12 * 60 * 60_000))).toBeNull();
    expect(db.select().from(sessions).all()).toHaveLength(0);
  });

  it("ends the sessions of a person an admin deactivates", () => {
    const admin = userId(DEMO_SIGN_INS.admin);
    const { sessionToken, userId: id } = signIn(ANNA);
    ask(ANNA, later(T0, 1000)); // an unused link, which must die too
    setAccountActive(db, id, false, { userId: admin, origin }, later(T0, minutes(1)));

    expect(db.select().from(sessions).where(eq(sessions.userId, id)).all()).toHaveLength(0);
    expect(resolveSession(db, sessionToken, later(T0, minutes(2)))).toBeNull();
    expect(inspectSignInLink(db, latestToken(), later(T0, minutes(2)))).toMatchObject({ valid: false });
  });

  it("builds its query once per connection: every later request's look-up, and its flash read, prepares nothing", () => {
    const { sessionToken } = signIn(ANNA);
    resolveSession(db, sessionToken, T0);
    takeFlash(db, sessionToken);
    expect(statementTexts(sqlite, () => resolveSession(db, sessionToken, T0))).toEqual([]);
    expect(statementTexts(sqlite, () => takeFlash(db, sessionToken))).toEqual([]);
    // Built once, still run with each request's own values.
    const other = signIn(KATHARINA);
    expect(resolveSession(db, other.sessionToken, T0)).toMatchObject({ email: KATHARINA });
    setFlash(db, other.sessionToken, "Draft saved.");
    expect(takeFlash(db, sessionToken)).toBeNull();
    expect(takeFlash(db, other.sessionToken)).toMatchObject({ message: "Draft saved." });
    expect(takeFlash(db, other.sessionToken)).toBeNull();
  });

  it("refuses a session whose organisation was deactivated behind its back", () => {
    const { sessionToken } = signIn(KATHARINA);
    const member = db.select().from(users).where(eq(users.email, KATHARINA)).get()!;
    db.update(organisations).set({ active: false }).where(eq(organisations.id, member.organisationId!)).run();
    expect(resolveSession(db, sessionToken, later(T0, 1000))).toBeNull();
  });
});

describe("endSession", () => {
  it("removes the session and records sign_out", () => {
    const { sessionToken, userId: id } = signIn(ANNA);
    const other = signIn(ANNA, later(T0, 1000));
    endSession(db, sessionToken, origin, later(T0, minutes(5)));

    expect(db.select().from(sessions).where(eq(sessions.idHash, sha256(sessionToken))).all()).toHaveLength(0);
    expect(resolveSession(db, sessionToken, later(T0, minutes(5)))).toBeNull();
    // Signing out in one browser leaves the other signed in.
    expect(resolveSession(db, other.sessionToken, later(T0, minutes(5)))).not.toBeNull();
    const signOuts = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "sign_out"), eq(auditEvents.actorUserId, id)))
      .all();
    expect(signOuts).toHaveLength(1);
    expect(signOuts[0]!.at.getTime()).toBe(later(T0, minutes(5)).getTime());
  });

  it("records nothing for a session that is already over", () => {
    const { sessionToken } = signIn(ANNA);
    endSession(db, sessionToken, origin, T0);
    endSession(db, sessionToken, origin, T0);
    expect(audits("sign_out")).toHaveLength(1);
  });
});
