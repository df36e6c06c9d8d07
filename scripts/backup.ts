// `npm run backup -- FILE`: a consistent copy of the live database (the portal may keep running),
// checked and described. Restore: README, "Backup and restore".
import path from "node:path";
import { BackupError, backupDatabase } from "~/lib/backup.server";
import { databasePathFrom } from "~/lib/env.server";

const [target, ...rest] = process.argv.slice(2);
if (!target || rest.length > 0 || target.startsWith("-")) {
  console.error("Usage: npm run backup -- FILE\n  Copies the database at DATABASE_PATH (default data/portal.sqlite) to FILE, a new file.");
  process.exit(2);
}

const source = databasePathFrom();
const started = performance.now();
try {
  const summary = await backupDatabase(source, target);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const width = Math.max(...summary.tables.map((table) => table.name.length));
  console.log(
    [
      `Backed up ${source} to ${path.resolve(target)} (${(summary.bytes / 1024 / 1024).toFixed(1)} MB) in ${seconds} s.`,
      `integrity_check: ${summary.integrity}`,
      `latest migration: ${summary.latestMigration ?? "none"} (${summary.migrations} applied)`,
      `tables (rows):`,
      ...summary.tables.map((table) => `  ${table.name.padEnd(width)}  ${table.rows}`),
    ].join("\n"),
  );
} catch (error) {
  if (!(error instanceof BackupError)) throw error;
  console.error(`No backup made: ${error.message}`);
  process.exit(1);
}
