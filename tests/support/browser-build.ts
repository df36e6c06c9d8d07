import fs from "node:fs";
import path from "node:path";
import { matchRoutes, type AgnosticRouteObject } from "@remix-run/router";

// What the browser build (`npm run build`) makes a browser load, read from what the build wrote:
// the assets manifest the server hands to pages (public/build/manifest-*.js: each route's module
// and the chunks it imports) and esbuild's metafile of the browser build (build/metafile.js.json:
// which sources, packages included, went into each chunk). Used by the bundle test and benchmarks.

type ManifestEntry = { module: string; imports?: string[] };
type ManifestRoute = ManifestEntry & { id: string; parentId?: string; path?: string; index?: boolean };
export type BrowserManifest = { version: string; url: string; entry: ManifestEntry; routes: Record<string, ManifestRoute> };

type MetafileOutput = { bytes: number; inputs: Record<string, { bytesInOutput: number }>; imports: { path: string }[]; exports?: string[]; entryPoint?: string };
export type Metafile = { inputs: Record<string, { imports: { path: string }[] }>; outputs: Record<string, MetafileOutput> };

export type BrowserBuild = { root: string; manifest: BrowserManifest; metafile: Metafile };

const MANIFEST_PREFIX = "window.__remixManifest=";

/** The build in `root` (the working directory unless told), refused clearly when absent or half written. */
export function readBrowserBuild(root = process.cwd()): BrowserBuild {
  const assets = path.join(root, "public/build");
  const metafilePath = path.join(root, "build/metafile.js.json");
  const manifests = fs.existsSync(assets) ? fs.readdirSync(assets).filter((name) => /^manifest-[A-Z0-9]+\.js$/.test(name)) : [];
  if (manifests.length !== 1 || !fs.existsSync(metafilePath)) {
    throw new Error(`no single browser build in ${root} (${manifests.length} manifests, metafile ${fs.existsSync(metafilePath) ? "present" : "missing"}): run npm run build`);
  }
  const text = fs.readFileSync(path.join(assets, manifests[0]!), "utf8").trim();
  if (!text.startsWith(MANIFEST_PREFIX) || !text.endsWith(";")) throw new Error(`${manifests[0]} is not a Remix assets manifest`);
  const manifest = JSON.parse(text.slice(MANIFEST_PREFIX.length, -1)) as BrowserManifest;
  const metafile = JSON.parse(fs.readFileSync(metafilePath, "utf8")) as Metafile;
  return { root, manifest, metafile };
}

/** The route and its parents up to the root, outermost first: the modules a page of it runs. */
export function routeChain(build: BrowserBuild, routeId: string): ManifestRoute[] {
  const chain: ManifestRoute[] = [];
  for (let route = build.manifest.routes[routeId]; route; route = route.parentId ? build.manifest.routes[route.parentId] : undefined) {
    chain.unshift(route);
  }
  if (chain.length === 0) throw new Error(`no route ${routeId} in the manifest`);
  return chain;
}

/** The route a pathname renders, matched as Remix matches it, or null when none does. */
export function routeIdFor(build: BrowserBuild, pathname: string): string | null {
  const childrenOf = (parentId: string | undefined): AgnosticRouteObject[] =>
    Object.values(build.manifest.routes)
      .filter((route) => route.parentId === parentId)
      .map((route) =>
        route.index
          ? { id: route.id, path: route.path, index: true }
          : { id: route.id, path: route.path, children: childrenOf(route.id) },
      );
  return matchRoutes(childrenOf(undefined), pathname)?.at(-1)?.route.id ?? null;
}

/**
 * The JavaScript files a page of the route makes the browser load, each once: the client entry
 * and its chunks, then the module and chunks of each route from the root down (the page's
 * `modulepreload` links and its scripts, as Remix writes them from this manifest).
 */
export function pageScripts(build: BrowserBuild, routeId: string): string[] {
  const files = new Set<string>([build.manifest.entry.module, ...(build.manifest.entry.imports ?? [])]);
  for (const route of routeChain(build, routeId)) for (const file of [route.module, ...(route.imports ?? [])]) files.add(file);
  return [...files];
}

/**
 * The routes that render a page, not resource routes: Remix gives a resource route's browser
 * module no content (`module.exports = {}`), so it imports nothing of the route's source.
 */
export function pageRouteIds(build: BrowserBuild): string[] {
  const pages = new Set(
    Object.entries(build.metafile.inputs)
      .filter(([name, input]) => name.startsWith("browser-route-module:") && input.imports.length > 0)
      .map(([name]) => name.replace(/^browser-route-module:/, "").replace(/\.[jt]sx?\?browser$/, "")),
  );
  return Object.keys(build.manifest.routes).filter((id) => pages.has(id));
}

/** The bytes of JavaScript a pathname's page makes the browser load; null where no page renders (a resource route). */
export function pageJavaScript(build: BrowserBuild, pathname: string): number | null {
  const id = routeIdFor(build, pathname);
  return id && pageRouteIds(build).includes(id) ? bytesOf(build, pageScripts(build, id)) : null;
}

/** Bytes on disk of files named as the browser asks for them (/build/...). */
export function bytesOf(build: BrowserBuild, files: string[]): number {
  return files.reduce((sum, file) => sum + fs.statSync(path.join(build.root, "public", file)).size, 0);
}

/** The package a source of the build belongs to ("react-dom", "@remix-run/router"), or null for the app's own. */
export function packageOf(input: string): string | null {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1]! : null;
}

export type Leak = { chunk: string; packages: Record<string, number>; pulledBy: string[] };

/**
 * The browser chunks that carry code of any of the packages, with how many bytes of each, and
 * the app's sources in the build that import those packages (where to look for the cause).
 */
export function browserChunksWith(metafile: Metafile, packages: string[]): Leak[] {
  const wanted = new Set(packages);
  const present = new Set(Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([name]) => name)));
  const importersOf = (found: string[]) =>
    Object.entries(metafile.inputs)
      .filter(([name, input]) => packageOf(name) === null && present.has(name) && input.imports.some((imported) => found.includes(packageOf(imported.path) ?? "")))
      .map(([name]) => name)
      .sort();
  const leaks: Leak[] = [];
  for (const [chunk, output] of Object.entries(metafile.outputs)) {
    const found: Record<string, number> = {};
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      if (name && wanted.has(name) && bytesInOutput > 0) found[name] = (found[name] ?? 0) + bytesInOutput;
    }
    if (Object.keys(found).length > 0) leaks.push({ chunk, packages: found, pulledBy: importersOf(Object.keys(found)) });
  }
  return leaks;
}
