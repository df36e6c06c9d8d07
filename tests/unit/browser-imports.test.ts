import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// What may reach the browser, checked on the source (docs/decisions/023). Any file of app/ that is
// not a `.server` module can end up in a page's JavaScript, so none of them takes a value from the
// database schema or drizzle: the vocabulary it needs lives in the modules' plain vocabulary.ts.
// Components run in the browser whole, so they take no value from zod or from a module's zod
// schema file either. Type-only imports are erased by the compiler and pass.
// (tests/integration/browser-bundle.test.ts checks the build itself.)

const ROOT = process.cwd();
const SCHEMA = path.join(ROOT, "db", "schema");
const DATABASE_PACKAGES = /^(drizzle-orm|better-sqlite3)(\/|$)/;
const MODULE_SCHEMA = new RegExp(`^${path.join(ROOT, "app", "modules").replaceAll("\\", "\\\\")}\\${path.sep}[^\\${path.sep}]+\\${path.sep}schema$`);

type Finding = { file: string; line: number; text: string };

/** Where an import leads: a path without extension for the app's own files, else the package name. */
function target(fileName: string, specifier: string): string {
  const strip = (file: string) => file.replace(/\.(tsx?|jsx?)$/, "");
  if (specifier.startsWith(".")) return strip(path.resolve(ROOT, path.dirname(fileName), specifier));
  if (specifier.startsWith("~/")) return strip(path.join(ROOT, "app", specifier.slice(2)));
  return specifier;
}

/** An import or re-export the compiler removes: `import type`, or nothing but `type` names. */
function erased(statement: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(statement)) {
    if (statement.isTypeOnly) return true;
    const clause = statement.exportClause;
    return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((element) => element.isTypeOnly);
  }
  const clause = statement.importClause;
  if (!clause) return false; // import "x": kept for its effects
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return !clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** The imports of a browser-reachable file (app/, not `.server`) that would put server code in a page. */
export function serverImportsInBrowserCode(fileName: string, text: string): Finding[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const component = path.resolve(ROOT, fileName).startsWith(path.join(ROOT, "app", "components") + path.sep);
  const findings: Finding[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
    if (!statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier) || erased(statement)) continue;
    const leadsTo = target(fileName, statement.moduleSpecifier.text);
    const forbidden = leadsTo === SCHEMA || DATABASE_PACKAGES.test(leadsTo) || (component && (leadsTo === "zod" || MODULE_SCHEMA.test(leadsTo)));
    if (forbidden) {
      findings.push({ file: fileName, line: source.getLineAndCharacterOfPosition(statement.getStart()).line + 1, text: statement.getText().replace(/\s+/g, " ") });
    }
  }
  return findings;
}

function browserReachable(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return browserReachable(full);
    return /\.tsx?$/.test(entry.name) && !/\.server\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

describe("what pages import", () => {
  it("catches a value taken from the schema, drizzle, or (in a component) zod and a module's schema file; passes types and vocabulary", () => {
    const route = `
      import { CRIME_AREAS } from "../../db/schema";
      import { eq } from "drizzle-orm";
      import { ROLES, type Role } from "~/modules/accounts/vocabulary";
      import type { Tlp } from "../../db/schema";
      import { type CrimeArea } from "../../db/schema";
      export { TLP_MARKS } from "../../db/schema";
      import { z } from "zod";
    `;
    expect(serverImportsInBrowserCode(path.join("app", "routes", "fixture.tsx"), route).map((finding) => finding.line)).toEqual([2, 3, 7]);
    const component = `
      import { itemFieldName } from "~/modules/threat-input/schema";
      import { z } from "zod";
      import "../../db/schema";
      import type { ItemInput } from "../modules/threat-input/schema";
      import { itemFieldName as name } from "~/modules/threat-input/fields";
    `;
    expect(serverImportsInBrowserCode(path.join("app", "components", "fixture.tsx"), component).map((finding) => finding.line)).toEqual([2, 3, 4]);
  });

  it("holds for every component, route and plain module and library file of app/", () => {
    const files = browserReachable("app");
    expect(files.filter((file) => file.startsWith(path.join("app", "components"))).length).toBeGreaterThan(15);
    expect(files.filter((file) => file.startsWith(path.join("app", "routes"))).length).toBeGreaterThan(40);
    const findings = files.flatMap((file) => serverImportsInBrowserCode(file, fs.readFileSync(file, "utf8")));
    expect(findings.map((finding) => `${finding.file}:${finding.line} ${finding.text}`)).toEqual([]);
  });
});
