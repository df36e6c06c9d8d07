import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { outbox } from "../../db/schema";
import { DEMO_SIGN_INS, seedDemoData } from "../../db/seed";
import { getDb, migrateDatabase } from "~/lib/db.server";
import { sessionCookieHeader } from "~/lib/session.server";
import { getViewer } from "~/modules/auth/guard.server";
import { endSession } from "~/modules/auth/sessions.server";
import { redeemSignInLink, requestSignIn } from "~/modules/auth/sign-in.server";

// Who is viewing is resolved once a page (app/modules/auth/guard.server.ts): the layout's loader
// and the route's loader get the same Request. An action asks afresh each time.

const APP_URL = "http://localhost:3000";
const origin = { ip: "203.0.113.5", userAgent: "vitest" };
let cookie: string;
let token: string;

beforeAll(async () => {
  const db = getDb();
  migrateDatabase(db);
  seedDemoData(db);
  requestSignIn(db, { email: DEMO_SIGN_INS.coordinator, redirectTo: "/", origin, appUrl: APP_URL });
  const text = db.select().from(outbox).where(eq(outbox.template, "sign-in")).all().at(-1)!.text;
  ({ sessionToken: token } = redeemSignInLink(db, { token: /token=([A-Za-z0-9_-]+)/.exec(text)![1]!, origin }));
  cookie = (await sessionCookieHeader(token)).split(";")[0]!;
});

const request = (method: string) => new Request(`${APP_URL}/`, { method, headers: { Cookie: cookie } });

describe("the viewer of a request", () => {
  it("is resolved once for all the loaders of a page", async () => {
    const page = request("GET");
    const first = getViewer(page);
    expect(getViewer(page)).toBe(first);
    expect((await first)?.email).toBe(DEMO_SIGN_INS.coordinator);
    // Another page is another request, resolved on its own.
    expect(getViewer(request("GET"))).not.toBe(first);
  });

  it("is asked afresh by an action, which may end the session it started with", async () => {
    const post = request("POST");
    expect((await getViewer(post))?.email).toBe(DEMO_SIGN_INS.coordinator);
    endSession(getDb(), token, origin);
    expect(await getViewer(post)).toBeNull();
  });
});
