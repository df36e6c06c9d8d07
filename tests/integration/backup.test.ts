import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organisations } from "../../db/schema";
import { MIGRATIONS_FOLDER } from "~/lib/db.server";
import type { Visitor } from "../support/http";
import { startPortal, type Portal } from "../support/portal";
import { signIn } from "../support/sign-in";
import { startSmtpServer } from "../support/smtp";
import { attr, decode, mainText } from "./html";

// `npm run backup` while two admins keep adding organisations over HTTP; then the README's
// restore (stop, replace the file, remove -wal and -shm, start) and a look at what came back.

const WRITERS = 2;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const portals: Portal[] = [];
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  for (const portal of portals) await portal.stop();
  await smtp?.close();
});

const start = async (databasePath?: string) => {
  const portal = await startPortal({ SMTP_URL: smtp.url }, { databasePath });
  portals.push(portal);
  return portal;
};

/** The hidden fields of the page's forms (a one-time key, say), as a browser would post them. */
const hiddenFields = (html: string) =>
  Object.fromEntries(
    (html.match(/<input\b[^>]*>/g) ?? [])
      .filter((tag) => attr(tag, "type") === "hidden" && attr(tag, "name"))
      .map((tag) => [attr(tag, "name")!, decode(attr(tag, "value") ?? "")]),
  );

type Write = { writer: number; index: number; name: string; id: number };

/** Adds organisations one after the other until stopped; keeps those the portal acknowledged. */
function writer(admin: Visitor, writerNo: number, acknowledged: Write[], failures: string[]) {
  let stopped = false;
  const done = (async () => {
    for (let index = 0; !stopped && index < 2_000; index++) {
      const name = `Backup load ${writerNo}-${String(index).padStart(4, "0")} Bank`;
      const form = await admin.get("/admin/organisations/new");
      const hidden = hiddenFields(await form.text());
      const response = await admin.post("/admin/organisations/new", {
        ...hidden,
        intent: "save",
        name,
        sector: "bank",
        country: "AT",
        kind: "private",
      });
      await response.text();
      const id = response.headers.get("Location")?.match(/^\/admin\/organisations\/(\d+)$/)?.[1];
      if (response.status !== 302 || !id) {
        failures.push(`${name}: ${response.status} ${response.headers.get("Location")}`);
        return;
      }
      acknowledged.push({ writer: writerNo, index, name, id: Number(id) });
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}

function runBackup(databasePath: string, file: string) {
  const child = spawn("npm", ["run", "--silent", "backup", "--", file], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_PATH: databasePath },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

const latestTag = () =>
  (JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] }).entries.at(-1)!
    .tag;

describe("backup and restore", () => {
  it("copies the live database under write load, and a restore has every write acknowledged before the backup", async () => {
    const live = await start();
    const acknowledged: Write[] = [];
    const failures: string[] = [];
    const admins: Visitor[] = [];
    for (let i = 0; i < WRITERS; i++) admins.push(await signIn(live, smtp, "elena.conti@taskforce.example"));
    const writers = admins.map((admin, i) => writer(admin, i, acknowledged, failures));
    while (acknowledged.length < 30 && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tfc-backup-")), "portal-backup.sqlite");
    const beforeBackup = [...acknowledged];
    const backup = await runBackup(live.databasePath, file);
    const duringBackup = acknowledged.length - beforeBackup.length;
    // The portal goes on answering while it is copied.
    while (acknowledged.length < beforeBackup.length + duringBackup + 10 && failures.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const running of writers) await running.stop();
    expect(failures).toEqual([]);

    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^integrity_check: ok$/m);
    expect(backup.stdout).toContain(`latest migration: ${latestTag()}`);
    const printedOrganisations = Number(backup.stdout.match(/^ {2}organisations +(\d+)$/m)?.[1]);
    expect(printedOrganisations).toBeGreaterThan(beforeBackup.length);
    expect(fs.readdirSync(path.dirname(file))).toEqual(["portal-backup.sqlite"]);

    // The README's restore, on the portal's own file.
    await live.stop();
    fs.copyFileSync(file, live.databasePath);
    for (const suffix of ["-wal", "-shm"]) fs.rmSync(`${live.databasePath}${suffix}`, { force: true });
    const restored = await start(live.databasePath);

    const names = new Set(restored.db().select({ name: organisations.name }).from(organisations).all().map((row) => row.name));
    expect(names.size).toBe(printedOrganisations);
    for (const write of beforeBackup) expect(names.has(write.name), `${write.name} was acknowledged before the backup`).toBe(true);
    // One snapshot: of each writer's sequence, the copy holds a beginning and nothing after a gap.
    for (let w = 0; w < WRITERS; w++) {
      const held = acknowledged.filter((write) => write.writer === w).map((write) => names.has(write.name));
      expect(held.indexOf(false) === -1 || !held.slice(held.indexOf(false)).includes(true), `writer ${w}: ${held.join(",")}`).toBe(true);
    }

    const admin = await signIn(restored, smtp, "elena.conti@taskforce.example");
    for (const write of beforeBackup) {
      const page = await admin.get(`/admin/organisations/${write.id}`);
      expect(page.status).toBe(200);
      expect(mainText(await page.text())).toContain(write.name);
    }
  }, 120_000);
});
