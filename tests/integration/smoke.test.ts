import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPortal, type Portal } from "../support/portal";
import { startSmtpServer } from "../support/smtp";
import { Visitor } from "../support/http";

let portal: Portal;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  portal = await startPortal({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await portal?.stop();
  await smtp?.close();
});

describe("smoke", () => {
  it("answers healthz and sends a sign-in link", async () => {
    const visitor = new Visitor(portal.url);
    expect((await visitor.get("/healthz")).status).toBe(200);
    const response = await visitor.post("/login", { email: "anna.visser@taskforce.example" });
    expect(response.status).toBe(200);
    const [mail] = await smtp.waitFor(1);
    expect(mail!.subject).toContain("sign-in link");
  });
});
