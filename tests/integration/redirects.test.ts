import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { linkForm, requestLink, signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { mainText } from "./html";

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let signedIn: Visitor;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  signedIn = await signIn(portal, smtp, "anna.visser@taskforce.example");
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

/** Where a browser on the portal goes with this Location: the portal, or the test fails. */
function expectPortalPath(location: string | null, payload: string) {
  const what = `${JSON.stringify(payload)} -> Location ${JSON.stringify(location)}`;
  expect(location, what).not.toBeNull();
  expect(location!.startsWith("/"), what).toBe(true);
  expect(/^\/[/\\]/.test(location!), what).toBe(false);
  expect(new URL(location!, `${portal.url}/login`).origin, what).toBe(portal.url);
}

// The payloads and their relatives, as the redirectTo a browser would send.
const PAYLOADS = [
  "/./" + "/evil.example",
  "/login/../\\evil.example",
  "//evil.example",
  "///evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\\/evil.example",
  "/.%2e//evil.example",
  "/%2e%2e//evil.example",
  "/a/b/../../..//evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "https://evil.example",
  "https:evil.example",
  "javascript:alert(1)",
  "/%2F/evil.example",
  "/%5C/evil.example",
  "/\u2215evil.example",
  "/\uFF0F/evil.example",
];

describe("redirectTo on /login, signed in", () => {
  it("answers the issue's request with a redirect home", async () => {
    const response = await signedIn.get("/login?redirectTo=%2F.%2F%2Fevil.example");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/");
  });

  it("leads only to paths of the portal, whatever the payload and however it is encoded", async () => {
    for (const payload of PAYLOADS) {
      const encodings = [
        encodeURIComponent(payload),
        // Encoded twice: the server decodes once, and what it gets must still lead nowhere else.
        encodeURIComponent(encodeURIComponent(payload)),
        // Only what a query cannot hold literally is escaped.
        payload.replace(/[#&%+\s]/g, (c) => encodeURIComponent(c)),
      ];
      for (const encoded of encodings) {
        const response = await signedIn.get(`/login?redirectTo=${encoded}`);
        await response.text();
        expect(response.status, encoded).toBe(302);
        expectPortalPath(response.headers.get("Location"), encoded);
      }
    }
  });

  it("still leads to a path inside the portal", async () => {
    const response = await signedIn.get(`/login?${new URLSearchParams({ redirectTo: "/settings?tab=feed" })}`);
    expect(response.headers.get("Location")).toBe("/settings?tab=feed");
  });
});

describe("redirectTo through a sign-in link", () => {
  const email = "katharina.huber@donau-privatbank.example";

  it("sends a tampered redirectTo in POST /login/link home", async () => {
    for (const payload of ["/./" + "/evil.example", "/login/../\\evil.example", "/.%2e//evil.example"]) {
      const { path, form } = linkForm(await requestLink(portal, smtp, email));
      const response = await new Visitor(portal.url).post(path, { ...form, redirectTo: payload });
      expect(response.status, payload).toBe(302);
      expect(response.headers.get("Location"), payload).toBe("/");
    }
  });

  it("never puts an off-site redirectTo into the link it mails", async () => {
    const link = await requestLink(portal, smtp, email, { redirectTo: "/./" + "/evil.example" });
    expect(new URL(link).searchParams.get("redirectTo")).toBeNull();
  });
});

describe("sign-in links", () => {
  it("ends a person's older unused link when a newer one is redeemed", async () => {
    const email = "giulia.rossi@vigilanzadigitale.example";
    const older = linkForm(await requestLink(portal, smtp, email));
    const newer = linkForm(await requestLink(portal, smtp, email));

    const redeemed = await new Visitor(portal.url).post(newer.path, newer.form);
    expect(redeemed.status).toBe(302);

    const page = await new Visitor(portal.url).get(older.path);
    expect(page.status).toBe(410);
    expect(mainText(await page.text())).toContain("This sign-in link has already been used.");
    const visitor = new Visitor(portal.url);
    const pressed = await visitor.post(older.path, older.form);
    expect(pressed.status).toBe(410);
    expect(mainText(await pressed.text())).toContain("This sign-in link has already been used.");
    expect(visitor.cookies.size).toBe(0);
  });
});
