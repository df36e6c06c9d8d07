import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_DIR, SCHEMA_OF_TYPE, STIX_VENDOR_DIR, TLP_REFERENCE_FILE } from "../support/stix";

// The repository stands alone: what the tests (and later the portal) read from outside sources is
// vendored under vendor/, with its licence and source. A missing file fails here by name.

const ROOT = path.resolve("vendor");
const REFERENCE = path.join(ROOT, "reference-data");
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;

describe("vendor/stix2-json-schemas", () => {
  it("holds the schemas the exports are checked against, the TLP 2.0 ids, the licence and the source commit", () => {
    for (const file of ["common/bundle.json", "common/core.json", ...Object.values(SCHEMA_OF_TYPE)]) {
      expect(fs.existsSync(path.join(SCHEMA_DIR, file)), `${file} is missing from ${SCHEMA_DIR}`).toBe(true);
    }
    const tlp = readJson(TLP_REFERENCE_FILE) as { markings: { name: string }[] };
    expect(tlp.markings.map((marking) => marking.name)).toEqual([
      "TLP:CLEAR",
      "TLP:GREEN",
      "TLP:AMBER",
      "TLP:AMBER+STRICT",
      "TLP:RED",
    ]);
    expect(fs.readFileSync(path.join(STIX_VENDOR_DIR, "LICENSE"), "utf8")).toMatch(/OASIS Open/);
    expect(fs.readFileSync(path.join(STIX_VENDOR_DIR, "SOURCE.md"), "utf8")).toMatch(
      /oasis-open\/cti-stix2-json-schemas.*commit 3bf9e69/,
    );
  });
});

describe("vendor/reference-data", () => {
  it("holds as many entries as its SOURCE.md says", () => {
    const source = fs.readFileSync(path.join(REFERENCE, "SOURCE.md"), "utf8");
    const stated = (pattern: RegExp) => Number(source.match(pattern)?.[1]);
    const lists = fs.readdirSync(path.join(REFERENCE, "misp-warninglists")).filter((file) => file.endsWith(".json"));
    expect((readJson(path.join(REFERENCE, "attack-techniques.json")).techniques as unknown[]).length).toBe(
      stated(/(\d+) ATT&CK technique/),
    );
    expect((readJson(path.join(REFERENCE, "threat-actors.json")).actors as unknown[]).length).toBe(
      stated(/(\d+) threat actors/),
    );
    expect((readJson(path.join(REFERENCE, "malware-families.json")).families as unknown[]).length).toBe(
      stated(/(\d+) malware families/),
    );
    expect(lists.length).toBe(stated(/(\d+) MISP warning lists/));
    for (const file of lists) {
      const list = readJson(path.join(REFERENCE, "misp-warninglists", file));
      expect(Object.keys(list), file).toEqual(expect.arrayContaining(["name", "description", "type", "list"]));
    }
    expect(source).toMatch(/misp-galaxy [0-9a-f]{40}/);
    expect(source).toMatch(/misp-warninglists [0-9a-f]{40}/);
  });
});

describe("the repository", () => {
  it("reads nothing from beside itself", () => {
    // The schemas used to be read from a shared folder beside the clone; a clone alone must pass.
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|tsx|mjs|js|json)$/.test(entry.name) && /\.\.\/shared\b/.test(fs.readFileSync(file, "utf8"))) {
          offenders.push(file);
        }
      }
    };
    for (const dir of ["app", "db", "emails", "scripts", "server", "tests"]) walk(path.resolve(dir));
    for (const file of ["package.json", "vitest.config.ts", "vitest.browser.config.ts", "remix.config.js"]) {
      if (/\.\.\/shared\b/.test(fs.readFileSync(file, "utf8"))) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
