import { describe, expect, it } from "vitest";
import { browserChunksWith, readBrowserBuild, type Metafile } from "../support/browser-build";

// The browser gets neither the database layer nor the form checks of the server (issue 13.7,
// docs/decisions/023): read from esbuild's metafile of the browser build (`npm run build`),
// which names, for every chunk, the sources and packages it was made of.

const SERVER_ONLY = ["drizzle-orm", "zod"];

describe("the browser build", () => {
  const build = readBrowserBuild();

  it("is the one the pages are served from: every chunk the manifest names is in the metafile", () => {
    const named = [build.manifest.entry, ...Object.values(build.manifest.routes)].flatMap((entry) => [entry.module, ...(entry.imports ?? [])]);
    const missing = [...new Set(named)].filter((file) => !(`public${file}` in build.metafile.outputs));
    expect(named.length).toBeGreaterThan(Object.keys(build.manifest.routes).length);
    expect(missing).toEqual([]);
  });

  it("carries no drizzle-orm and no zod in any chunk", () => {
    const leaks = browserChunksWith(build.metafile, SERVER_ONLY);
    const report = leaks.map((leak) => `${leak.chunk}: ${JSON.stringify(leak.packages)} (sources that import them: ${leak.pulledBy.join(", ")})`);
    expect(report).toEqual([]);
  });

  it("sees the packages a chunk is made of (react-dom is in the browser, as it must be)", () => {
    const reactDom = browserChunksWith(build.metafile, ["react-dom"]).reduce((sum, leak) => sum + leak.packages["react-dom"]!, 0);
    expect(reactDom).toBeGreaterThan(100_000);
  });
});

describe("finding a package in a browser build", () => {
  const metafile: Metafile = {
    inputs: {
      "node_modules/zod/v4/classic/schemas.js": { imports: [] },
      "app/modules/example/schema.ts": { imports: [{ path: "node_modules/zod/index.js" }] },
      "app/routes/example.tsx": { imports: [{ path: "app/modules/example/schema.ts" }] },
    },
    outputs: {
      "public/build/_shared/chunk-A.js": { bytes: 900, inputs: { "node_modules/zod/v4/classic/schemas.js": { bytesInOutput: 800 } }, imports: [] },
      "public/build/routes/example-B.js": {
        bytes: 300,
        inputs: { "app/routes/example.tsx": { bytesInOutput: 200 }, "app/modules/example/schema.ts": { bytesInOutput: 90 } },
        imports: [{ path: "public/build/_shared/chunk-A.js" }],
      },
    },
  };

  it("names the chunk, the bytes of the package and the sources that import it", () => {
    expect(browserChunksWith(metafile, SERVER_ONLY)).toEqual([
      { chunk: "public/build/_shared/chunk-A.js", packages: { zod: 800 }, pulledBy: ["app/modules/example/schema.ts"] },
    ]);
  });

  it("finds nothing when the package's code was shaken out", () => {
    const shaken = structuredClone(metafile);
    shaken.outputs["public/build/_shared/chunk-A.js"]!.inputs["node_modules/zod/v4/classic/schemas.js"]!.bytesInOutput = 0;
    expect(browserChunksWith(shaken, SERVER_ONLY)).toEqual([]);
  });
});
