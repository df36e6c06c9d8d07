import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv as parseProcessEnv } from "~/lib/env.server";
import { thrownBy } from "./helpers";

const SECRET = "x".repeat(40);

// The real environment is untyped text; NodeJS.ProcessEnv's narrowed NODE_ENV (from Remix's
// globals) would keep the tests from passing the wrong values they are about.
const parseEnv = (source: Record<string, string | undefined>) => parseProcessEnv(source as NodeJS.ProcessEnv);

// Every parse that may generate a session secret gets its own directory, so that nothing is
// written into the working tree and no two tests share a secret file.
function tempDatabasePath() {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tfc-env-")), "portal.sqlite");
}

function envErrorFrom(source: Record<string, string | undefined>): EnvError {
  const error = thrownBy(() => parseEnv(source));
  expect(error).toBeInstanceOf(EnvError);
  return error as EnvError;
}

describe("parseEnv defaults", () => {
  it("uses port 3000, data/portal.sqlite, a localhost APP_URL and the mailbox", () => {
    const env = parseEnv({ SESSION_SECRET: SECRET });
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_PATH).toBe("data/portal.sqlite");
    expect(env.APP_URL).toBe("http://localhost:3000");
    expect(env.mailMode).toBe("mailbox");
    expect(env.NODE_ENV).toBe("development");
  });

  it("derives APP_URL from PORT and switches to SMTP when SMTP_URL is set", () => {
    const env = parseEnv({ SESSION_SECRET: SECRET, PORT: "8123", SMTP_URL: "smtp://relay.example:2525" });
    expect(env.PORT).toBe(8123);
    expect(env.APP_URL).toBe("http://localhost:8123");
    expect(env.mailMode).toBe("smtp");
  });

  it("keeps a configured APP_URL, without trailing slashes", () => {
    const env = parseEnv({ SESSION_SECRET: SECRET, APP_URL: "https://consult.taskforce.example/" });
    expect(env.APP_URL).toBe("https://consult.taskforce.example");
  });

  it("treats empty variables as unset", () => {
    const env = parseEnv({
      SESSION_SECRET: SECRET,
      PORT: "",
      DATABASE_PATH: "",
      APP_URL: "",
      SMTP_URL: "",
      NODE_ENV: "",
    });
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_PATH).toBe("data/portal.sqlite");
    expect(env.APP_URL).toBe("http://localhost:3000");
    expect(env.mailMode).toBe("mailbox");
    expect(env.NODE_ENV).toBe("development");
  });
});

describe("parseEnv in production", () => {
  const complete = {
    NODE_ENV: "production",
    SESSION_SECRET: SECRET,
    SMTP_URL: "smtps://relay.taskforce.example:465",
    APP_URL: "https://consult.taskforce.example",
  };

  it("accepts a complete configuration", () => {
    const databasePath = tempDatabasePath();
    const env = parseEnv({ ...complete, DATABASE_PATH: databasePath });
    expect(env.SESSION_SECRET).toBe(SECRET);
    expect(env.mailMode).toBe("smtp");
    // A configured secret is used as is: nothing is generated beside the database.
    expect(fs.existsSync(path.join(path.dirname(databasePath), "session-secret"))).toBe(false);
  });

  it("refuses to start without SESSION_SECRET, and says so", () => {
    const error = envErrorFrom({ ...complete, SESSION_SECRET: undefined, DATABASE_PATH: tempDatabasePath() });
    expect(error.message).toContain("SESSION_SECRET");
    expect(error.message).not.toContain("SMTP_URL");
    expect(error.message).not.toContain("APP_URL");
  });

  it("counts an empty SESSION_SECRET as missing", () => {
    const error = envErrorFrom({ ...complete, SESSION_SECRET: "", DATABASE_PATH: tempDatabasePath() });
    expect(error.message).toContain("SESSION_SECRET");
  });

  it("requires SMTP_URL, so that the demo mailbox never runs in production", () => {
    const error = envErrorFrom({ ...complete, SMTP_URL: undefined });
    expect(error.message).toContain("SMTP_URL");
    expect(error.message).not.toContain("SESSION_SECRET");
  });

  it("requires APP_URL, which emails link to", () => {
    const error = envErrorFrom({ ...complete, APP_URL: "" });
    expect(error.message).toContain("APP_URL");
    expect(error.message).not.toContain("SMTP_URL");
  });

  it("names every missing variable at once", () => {
    const error = envErrorFrom({ NODE_ENV: "production", DATABASE_PATH: tempDatabasePath() });
    for (const name of ["SESSION_SECRET", "SMTP_URL", "APP_URL"]) expect(error.message).toContain(name);
  });
});

describe("parseEnv refuses wrong values", () => {
  it.each(["abc", "70000", "-1", "80.5"])("PORT=%s", (port) => {
    const error = envErrorFrom({ SESSION_SECRET: SECRET, PORT: port });
    expect(error.message).toMatch(/\bPORT\b/);
  });

  it("a SESSION_SECRET shorter than 32 characters", () => {
    const error = envErrorFrom({ SESSION_SECRET: "too-short-secret" });
    expect(error.message).toContain("SESSION_SECRET");
    expect(error.message).toContain("32");
  });

  it("an SMTP_URL that is not smtp:// or smtps://", () => {
    const error = envErrorFrom({ SESSION_SECRET: SECRET, SMTP_URL: "http://relay.example" });
    expect(error.message).toContain("SMTP_URL");
  });

  it("an unknown NODE_ENV", () => {
    const error = envErrorFrom({ SESSION_SECRET: SECRET, NODE_ENV: "staging" });
    expect(error.message).toContain("NODE_ENV");
  });

  it.each(["16383", "1e3", "lots", "-5", "2.5"])("MAX_BODY_BYTES=%s", (limit) => {
    const error = envErrorFrom({ SESSION_SECRET: SECRET, MAX_BODY_BYTES: limit });
    expect(error.message).toMatch(/\bMAX_BODY_BYTES\b/);
  });
});

describe("MAX_BODY_BYTES", () => {
  it("is a million bytes unless set, and takes any whole number from 16384", () => {
    expect(parseEnv({ SESSION_SECRET: SECRET }).MAX_BODY_BYTES).toBe(1_000_000);
    expect(parseEnv({ SESSION_SECRET: SECRET, MAX_BODY_BYTES: "16384" }).MAX_BODY_BYTES).toBe(16_384);
    expect(parseEnv({ SESSION_SECRET: SECRET, MAX_BODY_BYTES: "25000000" }).MAX_BODY_BYTES).toBe(25_000_000);
  });
});

describe("the local session secret", () => {
  it("is generated once and kept beside the database", () => {
    const databasePath = tempDatabasePath();
    const first = parseEnv({ DATABASE_PATH: databasePath }).SESSION_SECRET;
    const second = parseEnv({ DATABASE_PATH: databasePath }).SESSION_SECRET;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(second).toBe(first);
    const file = path.join(path.dirname(databasePath), "session-secret");
    expect(fs.readFileSync(file, "utf8").trim()).toBe(first);
    // Only the portal's own user may read it.
    expect(fs.statSync(file).mode & 0o077).toBe(0);
  });

  it("is never shorter than the 32 characters a configured one must have", () => {
    // A file left empty or cut short (a full disk, a hand edit) must not become the secret
    // that signs session cookies: regenerate it or refuse to start, but never use it.
    const databasePath = tempDatabasePath();
    fs.writeFileSync(path.join(path.dirname(databasePath), "session-secret"), "short\n");
    let secret: string | undefined;
    try {
      secret = parseEnv({ DATABASE_PATH: databasePath }).SESSION_SECRET;
    } catch (error) {
      expect(error).toBeInstanceOf(EnvError);
      expect((error as EnvError).message).toContain("session-secret");
      return;
    }
    expect(secret.length).toBeGreaterThanOrEqual(32);
  });

  it("differs between two databases", () => {
    const one = parseEnv({ DATABASE_PATH: tempDatabasePath() }).SESSION_SECRET;
    const other = parseEnv({ DATABASE_PATH: tempDatabasePath() }).SESSION_SECRET;
    expect(other).not.toBe(one);
  });

  it("creates the database's directory when it does not exist yet", () => {
    const databasePath = path.join(path.dirname(tempDatabasePath()), "nested", "deeper", "portal.sqlite");
    const secret = parseEnv({ NODE_ENV: "test", DATABASE_PATH: databasePath }).SESSION_SECRET;
    expect(fs.readFileSync(path.join(path.dirname(databasePath), "session-secret"), "utf8").trim()).toBe(secret);
  });
});
