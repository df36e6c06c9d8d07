import { describe, expect, it } from "vitest";
import { appendIndicators, importIndicatorFile, MAX_IMPORT_BYTES } from "~/modules/threat-input/imports";
import { parseIndicatorLines } from "~/modules/threat-input/indicators";

const file = (name: string, type: string, content: string | Uint8Array) => ({
  name,
  type,
  bytes: typeof content === "string" ? new TextEncoder().encode(content) : content,
});

describe("importIndicatorFile", () => {
  it("reads a CSV by its name, whatever type the browser gave it, and skips a byte-order mark", () => {
    const outcome = importIndicatorFile(file("iocs.csv", "application/octet-stream", "\uFEFFtype,value\nipv4,203.0.113.9\n"));
    expect(outcome).toMatchObject({ format: "csv", result: { indicators: [{ type: "ipv4", value: "203.0.113.9" }] } });
  });

  it("reads a STIX bundle by its type when the name says nothing", () => {
    const bundle = JSON.stringify({
      type: "bundle",
      id: "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
      objects: [{ type: "indicator", spec_version: "2.1", id: "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", pattern: "[domain-name:value = 'c2.evil.example']", pattern_type: "stix" }],
    });
    const outcome = importIndicatorFile(file("export", "application/json", bundle));
    expect(outcome).toMatchObject({ format: "stix", result: { indicators: [{ type: "domain", value: "c2.evil.example" }] } });
  });

  it("refuses an empty file, a binary file, a file of another kind and a file past the limit, each with its own message", () => {
    expect(importIndicatorFile(file("empty.csv", "text/csv", ""))).toEqual({ error: '"empty.csv" is empty.' });
    expect(importIndicatorFile(file("iocs.csv", "text/csv", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff])))).toEqual({
      error: '"iocs.csv" is not a text file. Choose a CSV file (type,value,comment) or a STIX 2.1 bundle (.json).',
    });
    expect(importIndicatorFile(file("notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text"))).toEqual({
      error: '"notes.docx" is neither a CSV file (type,value,comment) nor a STIX 2.1 bundle (.json).',
    });
    expect(importIndicatorFile(file("big.csv", "text/csv", "a".repeat(MAX_IMPORT_BYTES + 1)))).toEqual({
      error: '"big.csv" is larger than 1 MB; split it into smaller files.',
    });
  });

  it("passes a malformed bundle's reason on, with the file's name", () => {
    const outcome = importIndicatorFile(file("bundle.json", "application/json", '{"type": "bundle", "objects": ['));
    expect("error" in outcome && outcome.error).toMatch(/^"bundle\.json": /);
  });
});

describe("appendIndicators", () => {
  it("adds the new indicators as typed lines that read back the same, and leaves out those already there", () => {
    const existing = "185.220.101.47\nhxxp://evil[.]example/a\n";
    const imported = [
      { type: "ipv4" as const, value: "185.220.101.47", line: 2 },
      { type: "file_name" as const, value: "evil.com", line: 3, comment: "dropper\nsaved as" },
      { type: "url" as const, value: "http://evil.example/a", line: 4 },
    ];
    const merged = appendIndicators(existing, imported);
    expect(merged).toMatchObject({ added: 1, alreadyThere: 2 });
    expect(merged.text).toBe("185.220.101.47\nhxxp://evil[.]example/a\nfile_name: evil.com # dropper saved as");
    // The typed line keeps its type: evil.com is a file here, not a domain.
    expect(parseIndicatorLines(merged.text).indicators.map(({ type, value, comment }) => [type, value, comment])).toEqual([
      ["ipv4", "185.220.101.47", undefined],
      ["url", "http://evil.example/a", undefined],
      ["file_name", "evil.com", "dropper saved as"],
    ]);
  });
});
