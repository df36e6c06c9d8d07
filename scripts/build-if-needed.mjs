// `npm start` builds only when the build is missing or older than a source file it depends on.
import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const BUILDS = ["build/index.js", "build/server/index.js", "build/server/read-worker.js"];
const SOURCES = ["app", "emails", "server", "db", "remix.config.js", "package-lock.json", "scripts/build-server.mjs"];

function newestMtime(target) {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs
    .readdirSync(target)
    .reduce((newest, entry) => Math.max(newest, newestMtime(path.join(target, entry))), 0);
}

const built = Math.min(...BUILDS.map((file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0)));
const changed = Math.max(...SOURCES.map(newestMtime));
if (built < changed) {
  console.log("Building the portal (first start or sources changed)...");
  execSync("npm run build", { stdio: "inherit" });
}
