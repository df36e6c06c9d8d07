import path from "node:path";
import { fileURLToPath } from "node:url";
import { browserChunksWith, bytesOf, packageOf, pageRouteIds, pageScripts, readBrowserBuild, type BrowserBuild } from "../support/browser-build";

// npm run bench:bundle — the JavaScript each page makes the browser load (issue 13.7), read from
// the build (`node --import tsx tests/bench/bundle.ts [dir]` reads the build already in dir, the
// working directory by default): per page route, the client entry, the root and the route's
// modules with the chunks each imports, as the assets manifest names them; then which packages
// the browser gets, and how much of each. Figures, not assertions.

const kb = (bytes: number) => (bytes / 1024).toFixed(1).padStart(8);

export function bundleReport(build: BrowserBuild): string[] {
  const lines: string[] = [];
  const shared = bytesOf(build, pageScripts(build, "root"));
  const pages = pageRouteIds(build)
    .filter((id) => id !== "root")
    .map((id) => ({ id, files: pageScripts(build, id) }))
    .map((page) => ({ ...page, bytes: bytesOf(build, page.files) }))
    .sort((a, b) => b.bytes - a.bytes);
  const sizes = pages.map((page) => page.bytes).sort((a, b) => a - b);
  lines.push(`browser build ${build.manifest.version}: ${pages.length} pages; every page loads the entry and root, ${kb(shared).trim()} KB`);
  lines.push(`JavaScript a page loads: median ${kb(sizes[Math.floor(sizes.length / 2)] ?? 0).trim()} KB, largest ${kb(sizes.at(-1) ?? 0).trim()} KB`);
  lines.push(`${"page route".padEnd(52)}${"JS KB".padStart(8)}${"files".padStart(7)}`);
  for (const page of pages) lines.push(`${page.id.padEnd(52)}${kb(page.bytes)}${String(page.files.length).padStart(7)}`);
  const byPackage = new Map<string, number>();
  for (const [chunk, output] of Object.entries(build.metafile.outputs)) {
    if (!chunk.endsWith(".js")) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input) ?? "(the app's own code)";
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  lines.push("what the browser's JavaScript is made of, KB:");
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).filter(([, bytes]) => bytes >= 1024)) lines.push(`  ${name.padEnd(50)}${kb(bytes)}`);
  for (const name of ["drizzle-orm", "zod"]) {
    const chunks = browserChunksWith(build.metafile, [name]);
    lines.push(`  ${name}: ${chunks.length === 0 ? "none" : `${kb(chunks.reduce((sum, chunk) => sum + chunk.packages[name]!, 0)).trim()} KB in ${chunks.length} chunk(s)`}`);
  }
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const line of bundleReport(readBrowserBuild(path.resolve(process.argv[2] ?? ".")))) console.log(line);
}
