import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { count, isNull } from "drizzle-orm";
import { broadcasts } from "../../db/schema";
import { openDatabase } from "~/lib/db.server";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export type Portal = Awaited<ReturnType<typeof startPortal>>;

/**
 * What `npm start` hands node after its build check (package.json): V8's flags, then the built
 * server. Read from there, so that the tests and the benchmark run the portal as it is run.
 */
export const START_ARGUMENTS: readonly string[] = (() => {
  const start = (JSON.parse(fs.readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start;
  const [command, ...args] = start.split("&&").at(-1)!.trim().split(/\s+/);
  if (command !== "node" || args.at(-1) !== "build/server/index.js") throw new Error(`npm start no longer ends in "node ... build/server/index.js": ${start}`);
  return args;
})();

/** Runs the built server (`npm run build` first), as `npm start` does, with only the given variables. */
function spawnServer(env: Record<string, string | undefined>) {
  const childEnv: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  const child = spawn(process.execPath, START_ARGUMENTS, {
    cwd: process.cwd(),
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

const freshDatabasePath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tfc-portal-")), "portal.sqlite");

/**
 * The built portal (`npm run build` first), started as `npm start` starts it, on a free port
 * with its own database file, or the given one (a restart, a restored backup). Extra
 * environment variables override the test defaults.
 */
export async function startPortal(
  env: Record<string, string | undefined> = {},
  { databasePath = freshDatabasePath() }: { databasePath?: string } = {},
) {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const { child, exited, output } = spawnServer({
    NODE_ENV: "test",
    PORT: String(port),
    APP_URL: url,
    DATABASE_PATH: databasePath,
    LOG_LEVEL: "warn",
    MAIL_POLL_INTERVAL_MS: "100",
    // Tests that count mail once the outbox is drained would otherwise race the analysts' notice.
    ANALYST_NOTICE_GATHER_MS: "0",
    ...env,
  });

  await waitUntilServing(url, child, output);

  let db: ReturnType<typeof openDatabase> | undefined;
  return {
    url,
    port,
    databasePath,
    pid: child.pid!,
    output,
    /** A second connection to the portal's database file, for arrangement and assertions. */
    db() {
      db ??= openDatabase(databasePath);
      return db.db;
    },
    async stop() {
      db?.sqlite.close();
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
    /** kill -9: the process ends at once, mid-whatever, as in a crash or an OOM kill. */
    async crash() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the portal exited with code ${child.exitCode}:\n${output()}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`the portal did not answer /healthz within 30 s:\n${output()}`);
}

/** Runs the server entry to its end (it should refuse to start); returns its exit code and output. */
export async function runPortalExpectingExit(env: Record<string, string | undefined>) {
  const { child, exited, output } = spawnServer({
    PORT: String(await freePort()),
    DATABASE_PATH: freshDatabasePath(),
    ...env,
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, output: output() };
}

/**
 * Waits until the portal's broadcast worker has composed every pending broadcast (mail to many
 * people is written to the outbox off the request that causes it).
 */
export async function broadcastsSettled(portal: Portal, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (portal.db().select({ n: count() }).from(broadcasts).where(isNull(broadcasts.doneAt)).get()!.n > 0) {
    if (Date.now() > deadline) throw new Error(`broadcasts still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
