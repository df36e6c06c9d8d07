import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The need-to-know rule, checked on the source (docs/decisions/011): outside app/modules/access,
// every query that selects from the input or item tables carries one of the gate's conditions.
// A query is a whole expression (a chain of calls such as db.select().from(x).where(...)); it
// passes when it calls a function imported from the gate, or uses a parameter typed `Gated`
// (which only the gate's conditions can fill). Writes (insert, update, delete) are not reads.

const PROTECTED = new Set([
  "threatInputs",
  "threatInputVersions",
  "threatInputItems",
  "threatInputIndicators",
  "threatInputItemRecipients",
  // The mentions of every organisation's items, counted (docs/decisions/026).
  "reportedSubjects",
]);
const READS = new Set(["from", "innerJoin", "leftJoin", "rightJoin", "fullJoin"]);
const GATE_MODULE = /(^|\/)access\/gate\.server$/;

type Finding = { file: string; line: number; text: string };

/** The outermost expression a node belongs to: the whole query it is part of. */
function queryOf(node: ts.Node): ts.Node {
  let current = node;
  while (
    current.parent &&
    (ts.isPropertyAccessExpression(current.parent) ||
      ts.isCallExpression(current.parent) ||
      ts.isNonNullExpression(current.parent) ||
      ts.isAsExpression(current.parent) ||
      ts.isParenthesizedExpression(current.parent) ||
      ts.isTemplateSpan(current.parent) ||
      ts.isTemplateExpression(current.parent) ||
      ts.isTaggedTemplateExpression(current.parent))
  ) {
    current = current.parent;
  }
  return current;
}

function gateNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!GATE_MODULE.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
  }
  return names;
}

/** Parameters annotated `Gated` in the functions around a node. */
function gatedParameters(node: ts.Node): Set<string> {
  const names = new Set<string>();
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (ts.isFunctionLike(current)) {
      for (const parameter of current.parameters) {
        if (parameter.type && parameter.type.getText() === "Gated" && ts.isIdentifier(parameter.name)) names.add(parameter.name.text);
      }
    }
  }
  return names;
}

function carriesGate(query: ts.Node, gate: Set<string>, parameters: Set<string>): boolean {
  let found = false;
  const visit = (node: ts.Node) => {
    if (found) return;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && gate.has(node.expression.text)) found = true;
    else if (ts.isIdentifier(node) && parameters.has(node.text)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(query);
  return found;
}

/** Every read of a protected table in the source that carries no gate condition. */
export function ungatedReads(fileName: string, text: string): Finding[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const gate = gateNames(source);
  const findings: Finding[] = [];
  const report = (node: ts.Node) => {
    const query = queryOf(node);
    if (carriesGate(query, gate, gatedParameters(node))) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    findings.push({ file: fileName, line: line + 1, text: node.getText().slice(0, 80) });
  };
  const visit = (node: ts.Node) => {
    // db.select(...).from(threatInputItems), .innerJoin(threatInputs, ...)
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      READS.has(node.expression.name.text) &&
      node.arguments[0] &&
      ts.isIdentifier(node.arguments[0]) &&
      PROTECTED.has(node.arguments[0].text)
    ) {
      report(node);
    }
    // sql`... from ${threatInputItems} ...`: the table itself (not a column) in raw SQL.
    if (ts.isTemplateSpan(node) && ts.isIdentifier(node.expression) && PROTECTED.has(node.expression.text)) report(node);
    // db.query.threatInputs.findMany(...): the relational API, which no condition of ours reaches.
    if (
      ts.isPropertyAccessExpression(node) &&
      PROTECTED.has(node.name.text) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "query"
    ) {
      findings.push({ file: fileName, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText() });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("the need-to-know rule", () => {
  it("catches a query that reads the item table without the gate, and passes one that joins it", () => {
    const ungated = `
      import { threatInputItems } from "../../../db/schema";
      export const titles = (db) => db.select({ title: threatInputItems.title }).from(threatInputItems).all();
      export const raw = (db) => db.all(sql\`select title from \${threatInputItems}\`);
    `;
    expect(ungatedReads("fixture.server.ts", ungated).map((finding) => finding.line)).toEqual([3, 4]);
    const gated = `
      import { threatInputItems } from "../../../db/schema";
      import { itemReadableBy, type Gated } from "../access/gate.server";
      export const titles = (db, viewer) => db.select().from(threatInputItems).where(itemReadableBy(viewer)).all();
      function basis(db, where: Gated) { return db.select().from(threatInputItems).where(where); }
    `;
    expect(ungatedReads("fixture.server.ts", gated)).toEqual([]);
    // A gate-like name from anywhere else does not count.
    const lookalike = `
      import { threatInputItems } from "../../../db/schema";
      import { itemReadableBy } from "./my-own-filters";
      export const titles = (db, viewer) => db.select().from(threatInputItems).where(itemReadableBy(viewer)).all();
    `;
    expect(ungatedReads("fixture.server.ts", lookalike)).toHaveLength(1);
  });

  it("holds for every module, route and library file outside app/modules/access", () => {
    const files = [...sourceFiles("app"), ...sourceFiles("server"), ...sourceFiles("emails")].filter(
      (file) => !file.startsWith(path.join("app", "modules", "access") + path.sep),
    );
    expect(files.length).toBeGreaterThan(50);
    const findings = files.flatMap((file) => ungatedReads(file, fs.readFileSync(file, "utf8")));
    expect(findings.map((finding) => `${finding.file}:${finding.line} ${finding.text}`)).toEqual([]);
  });

  it("lists the reads that pass beyond the viewer, each with its reason, all of them in the assessment, triage and the start-up indexing", () => {
    const uses = [...sourceFiles("app")]
      .filter((file) => !file.includes(`${path.sep}access${path.sep}`))
      .flatMap((file) =>
        [...fs.readFileSync(file, "utf8").matchAll(/beyondViewer\("([^"]+)"\)/g)].map((match) => `${path.basename(file)}: ${match[1]}`),
      );
    console.info(`reads beyond the viewer:\n  ${uses.join("\n  ")}`);
    expect(new Set(uses.map((use) => use.split(":")[0]))).toEqual(new Set(["service.server.ts", "entities.server.ts"]));
    expect(new Set(uses.map((use) => use.split(": ")[1]))).toEqual(
      new Set([
        "freezing every item the edition draws on",
        "counting what is left out, never showing it",
        "checking free text against every withheld source",
        "indexing what items name and checking their values, showing nothing",
      ]),
    );
  });
});
