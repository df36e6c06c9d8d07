import { describe, expect, it } from "vitest";
import { runPortalExpectingExit } from "../support/portal";

// Each case runs the real server entry, which must refuse to start and say why.
describe("start-up configuration", () => {
  it("refuses to start in production without SESSION_SECRET, naming it", async () => {
    const { code, output } = await runPortalExpectingExit({
      NODE_ENV: "production",
      SMTP_URL: "smtp://127.0.0.1:2525",
      APP_URL: "https://consult.example",
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull(); // exited by itself, not killed by the time-out
    expect(output).toContain("SESSION_SECRET");
    expect(output).not.toContain("is listening");
    // Only what is missing is named.
    expect(output).not.toMatch(/SMTP_URL.*required|APP_URL.*required/);
  });

  it("refuses a SESSION_SECRET that is too short, naming it", async () => {
    const { code, output } = await runPortalExpectingExit({
      NODE_ENV: "production",
      SMTP_URL: "smtp://127.0.0.1:2525",
      APP_URL: "https://consult.example",
      SESSION_SECRET: "short",
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toMatch(/SESSION_SECRET.*32/);
  });

  it("refuses a PORT that is not a number, naming it", async () => {
    const { code, output } = await runPortalExpectingExit({ PORT: "abc" });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toContain("PORT");
    expect(output).not.toContain("SESSION_SECRET");
  });
});
