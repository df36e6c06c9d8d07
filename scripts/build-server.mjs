// The server entry (server/index.ts and the app modules it loads beside the Remix build) compiled
// to plain JavaScript, so that `npm start` runs node alone, with no TypeScript compiler at start.
// The packages stay outside the bundle: node loads them from node_modules as it would anyway.
import { build } from "esbuild";

await build({
  // The server, and the read worker's thread (app/modules/system/read-worker.server.ts).
  entryPoints: ["server/index.ts", "server/read-worker.ts"],
  outdir: "build/server",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  // The app's own "~/..." imports (tsconfig.json's paths) are sources, not packages.
  alias: { "~": "./app" },
  logLevel: "warning",
});
