import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

// Each test file gets its own database file and its own set of singletons, so that no test
// sees another's data.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tfc-unit-"));
process.env.NODE_ENV = "test";
process.env.DATABASE_PATH = path.join(dir, "portal.sqlite");
process.env.LOG_LEVEL = "silent";
delete process.env.SMTP_URL;
delete process.env.APP_URL;
delete (globalThis as { __taskforceConsult?: unknown }).__taskforceConsult;

// A console.error that nobody expected is a failure, not noise.
const stray: string[] = [];
const original = console.error.bind(console);
console.error = (...args: unknown[]) => {
  stray.push(args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(" "));
  original(...args);
};

afterEach(() => {
  if (stray.length === 0) return;
  const calls = stray.splice(0);
  throw new Error(`console.error was called during the test:\n${calls.join("\n---\n")}`);
});
