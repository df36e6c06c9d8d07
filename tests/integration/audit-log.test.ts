import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema";
import { recordAudit } from "~/modules/audit/audit.server";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { mainText, tableRows } from "./html";

// The audit log as an investigator uses it: events planted at known instants, then read back
// through the page's filters, its pages and its CSV export, as Elena (Europe/Rome) sees them.

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let admin: Visitor;
const idOf = (email: string) => portal.db().select().from(users).all().find((user) => user.email === email)!.id;

beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
  admin = await signIn(portal, smtp, "elena.conti@taskforce.example");
  const db = portal.db();
  const thomas = idOf("thomas.keller@taskforce.example");
  const andres = idOf("andres.restrepo@bancocordillera.example");
  // 23:30:15 UTC on 14 March is 00:30:15 on the 15th in Rome (CET).
  recordAudit(db, { action: "assessment.overridden", actorUserId: thomas, targetType: "assessment", targetId: 7, detail: { crimeArea: "online_fraud", score: 18, trend: null }, at: new Date("2026-03-14T23:30:15Z") });
  recordAudit(db, { action: "threat_input.submitted", actorUserId: andres, targetType: "threat_input", targetId: 3, detail: { version: 2, items: 3 }, at: new Date("2026-03-14T12:00:00Z") });
  for (let n = 0; n < 60; n++) {
    recordAudit(db, { action: "meeting.proposed", actorUserId: thomas, targetType: "meeting", targetId: n, detail: { slots: 3 }, at: new Date(Date.UTC(2026, 1, 1, 9, n)) });
  }
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

const rows = async (query: string) => {
  const response = await admin.get(`/admin/audit?${query}`);
  expect(response.status).toBe(200);
  return tableRows(await response.text());
};

describe("the audit log", () => {
  it("filters by action in words, and says the details in words, to the second in the viewer's zone", async () => {
    const [row, ...rest] = await rows("action=assessment.overridden");
    expect(rest).toEqual([]);
    expect(row![0]).toBe("15 Mar 2026, 00:30:15 CET (Europe/Rome)");
    expect(row![1]).toBe("Thomas Keller (thomas.keller@taskforce.example)");
    expect(row![2]).toBe("Assessment figure set by hand assessment.overridden crime area Online fraud; score 18; trend none");
    expect(row![3]).toBe("assessment 7");
  });

  it("filters by person, organisation, target and days in the viewer's zone", async () => {
    const submitted = ["Threat input submitted threat_input.submitted version 2; items 3"];
    // A person by part of their name, with or without its accents' case, or of their address.
    expect((await rows("person=restrepo")).map((row) => row[2])).toEqual(submitted);
    expect((await rows("person=andres.restrepo%40banco")).map((row) => row[2])).toEqual(submitted);
    expect(await rows("person=nobody+of+that+name")).toEqual([]);
    // An organisation by part of its name: what its people did, and what was done to it.
    expect((await rows(`organisation=${encodeURIComponent("cordillera")}&action=threat_input.`)).map((row) => row[3])).toEqual(["threat input 3"]);
    const cordillera = portal.db().select().from(users).all().find((user) => user.id === idOf("andres.restrepo@bancocordillera.example"))!.organisationId!;
    recordAudit(portal.db(), { action: "organisation.updated", actorUserId: idOf("elena.conti@taskforce.example"), targetType: "organisation", targetId: cordillera, at: new Date("2026-03-10T12:00:00Z") });
    expect((await rows("organisation=Banco+Cordillera")).map((row) => row[3])).toEqual(["threat input 3", `organisation ${cordillera}`]);
    // A % or _ typed is a character searched for, not a pattern.
    expect(await rows("person=%25")).toEqual([]);
    expect((await rows("targetType=meeting&targetId=42")).map((row) => row[3])).toEqual(["meeting 42"]);
    // The 15th in Rome holds the override (00:30 there) and not the submission (13:00 on the 14th).
    expect((await rows("from=2026-03-15&to=2026-03-15")).map((row) => row[3])).toEqual(["assessment 7"]);
    expect((await rows("from=2026-03-14&to=2026-03-14")).map((row) => row[3])).toEqual(["threat input 3"]);
  });

  it("pages by key, newest first, without repeating or skipping an event", async () => {
    const response = await admin.get("/admin/audit?action=meeting.proposed");
    const html = await response.text();
    const first = tableRows(html).map((row) => row[3]);
    expect(first).toHaveLength(50);
    expect(mainText(html)).toContain("60 events match");
    const older = /href="([^"]*after=[^"]*)"[^>]*>Older</.exec(html)![1]!.replace(/&amp;/g, "&");
    expect(older).toMatch(/^\/admin\/audit\?action=meeting\.proposed&after=[A-Za-z0-9_-]+$/);
    const second = tableRows(await (await admin.get(older)).text()).map((row) => row[3]);
    expect(second).toHaveLength(10);
    expect(new Set([...first, ...second]).size).toBe(60);
    expect(second.at(-1)).toBe("meeting 0");
  });

  it("ignores a filter value that does not parse, rather than failing", async () => {
    expect((await admin.get(`/admin/audit?person=${"x".repeat(300)}&from=yesterday&after=x`)).status).toBe(200);
  });

  it("lists nobody in its filters: people and organisations are searched, so the page does not grow with them", async () => {
    // Someone, and an organisation, that no event on the page names.
    const html = await (await admin.get("/admin/audit?action=meeting.proposed")).text();
    expect(html).not.toContain("giulia.rossi@vigilanzadigitale.example");
    expect(html).not.toContain("Vigilanza Digitale");
    expect(html).toMatch(/<input[^>]*id="person"[^>]*type="search"/);
  });

  it("exports the filtered view as CSV with a byte-order mark, for Excel", async () => {
    const response = await admin.get("/admin/audit.csv?action=threat_input.");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toContain("audit-log.csv");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString("utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("at_utc,at_Europe/Rome,person,email,action,what,target,details,ip,user_agent");
    expect(lines.slice(1)).toEqual([
      "2026-03-14T12:00:00.000Z,\"14 Mar 2026, 13:00:00 CET (Europe/Rome)\",Andrés Restrepo,andres.restrepo@bancocordillera.example,threat_input.submitted,Threat input submitted,threat input 3,version 2; items 3,,",
    ]);
  });

  it("keeps the export to admins", async () => {
    const thomas = await signIn(portal, smtp, "thomas.keller@taskforce.example");
    expect((await thomas.get("/admin/audit.csv")).status).toBe(403);
  });
});
