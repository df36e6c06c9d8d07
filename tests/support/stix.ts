import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

// ---------------------------------------------------------------------------------------------
// The OASIS schemas, vendored in vendor/stix2-json-schemas (its SOURCE.md names the commit)

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const STIX_VENDOR_DIR = path.join(REPO_ROOT, "vendor/stix2-json-schemas");
export const SCHEMA_DIR = path.join(STIX_VENDOR_DIR, "schemas");
/** The OASIS TLP 2.0 marking-definition ids, vendored beside the schemas. */
export const TLP_REFERENCE_FILE = path.join(STIX_VENDOR_DIR, "tlp-2.0.json");
const SCHEMA_BASE = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/";

/** Every schema file under the folder, registered by its own $id so that their $refs resolve. */
export function loadSchemas(): Ajv2020 {
  if (!fs.existsSync(path.join(SCHEMA_DIR, "common", "bundle.json"))) {
    throw new Error(
      `The OASIS STIX 2.1 JSON schemas are missing: expected ${path.join(SCHEMA_DIR, "common", "bundle.json")}. ` +
        "They are vendored in the repository: restore vendor/stix2-json-schemas from git.",
    );
  }
  // The schemas are draft 2020-12; strict mode is off because they use `definitions` and
  // properties without types, and unicodeRegExp is off because some patterns write `\-` outside
  // a character class, which a unicode regular expression refuses.
  const ajv = new Ajv2020({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  // domain-name.json asks for idn-hostname, which ajv-formats does not have.
  ajv.addFormat("idn-hostname", (value: string) => {
    try {
      return new URL(`http://${value}/`).hostname !== "";
    } catch {
      return false;
    }
  });
  const files = fs.readdirSync(SCHEMA_DIR, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".json"));
  for (const file of files.sort()) {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, file), "utf8")) as { $id?: string; $schema?: string };
    if (schema.$schema !== "https://json-schema.org/draft/2020-12/schema") {
      throw new Error(`${file} is not a draft 2020-12 schema (${schema.$schema}); the test uses ajv's 2020 build.`);
    }
    if (!schema.$id) throw new Error(`${file} has no $id.`);
    ajv.addSchema(schema);
  }
  return ajv;
}

/** Where each object type's schema lives. */
export const SCHEMA_OF_TYPE: Record<string, string> = {
  "marking-definition": "common/marking-definition.json",
  relationship: "sros/relationship.json",
  identity: "sdos/identity.json",
  report: "sdos/report.json",
  "threat-actor": "sdos/threat-actor.json",
  "intrusion-set": "sdos/intrusion-set.json",
  malware: "sdos/malware.json",
  "attack-pattern": "sdos/attack-pattern.json",
  indicator: "sdos/indicator.json",
};

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((error) => `  ${error.instancePath || "/"} ${error.message ?? ""} (${error.schemaPath}${error.params ? ` ${JSON.stringify(error.params)}` : ""})`)
    .join("\n");
}

export function schemaValidator(ajv: Ajv2020, file: string): ValidateFunction {
  const validate = ajv.getSchema(`${SCHEMA_BASE}${file}`);
  if (!validate) throw new Error(`The schema ${file} is not loaded.`);
  return validate;
}


let loaded: Ajv2020 | undefined;

/**
 * The schemas, loaded once per test file on first use. Each test that needs them calls this, so
 * that missing schemas fail those tests by name instead of a hook whose tests are then skipped.
 */
export function stixSchemas(): Ajv2020 {
  loaded ??= loadSchemas();
  return loaded;
}

type Loose = { id?: string; type?: string; object_marking_refs?: string[]; source_ref?: string; target_ref?: string; [key: string]: unknown };

/**
 * Everything wrong with a bundle, as messages (empty when it is valid): the OASIS schemas for the
 * bundle and each object, and what they cannot say: every object's marking is a marking definition
 * in the bundle, every relationship joins objects in the bundle.
 */
export function validateStixBundle(bundle: { objects?: Loose[] }): string[] {
  const schemas = stixSchemas();
  const failures: string[] = [];
  const validateBundle = schemaValidator(schemas, "common/bundle.json");
  const bundleValid: boolean = validateBundle(bundle);
  if (!bundleValid) failures.push(`bundle.json:\n${describeErrors(validateBundle.errors)}`);
  const objects = bundle.objects ?? [];
  const ids = new Set(objects.map((object) => object.id));
  const markings = new Set(objects.filter((object) => object.type === "marking-definition").map((object) => object.id));
  for (const object of objects) {
    const file = SCHEMA_OF_TYPE[object.type ?? ""];
    if (!file) {
      failures.push(`${object.id}: no schema for type ${object.type}`);
      continue;
    }
    const validate = schemaValidator(schemas, file);
    const valid: boolean = validate(object);
    if (!valid) failures.push(`${object.id} against ${file}:\n${describeErrors(validate.errors)}`);
    for (const field of ["id", "type", "spec_version", "created"]) if (!(field in object)) failures.push(`${object.id} has no ${field}`);
    if (object.type === "marking-definition") continue;
    if (!("modified" in object)) failures.push(`${object.id} has no modified`);
    const marks = object.object_marking_refs ?? [];
    if (marks.length === 0 || !marks.every((mark) => markings.has(mark))) {
      failures.push(`${object.id} is not marked with a marking definition of the bundle (${marks.join(", ")})`);
    }
    if (object.type === "relationship" && !(ids.has(object.source_ref) && ids.has(object.target_ref))) {
      failures.push(`${object.id} joins objects that are not in the bundle`);
    }
  }
  return failures;
}
