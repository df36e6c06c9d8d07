import { createHash } from "node:crypto";
import { bench, describe } from "vitest";
import { parseIndicatorCsv, parseIndicatorLines, type IndicatorParseResult } from "~/modules/threat-input/indicators";

// How long a stakeholder waits for a large paste or file to be checked: ten thousand lines of every
// kind, as feeds and reports write them (defanged, upper-case hashes, comments, some duplicates and
// some mistakes), parsed by the same rules the browser runs while typing and the server on submit.
const LINES = 10_000;
const digest = (algorithm: string, text: string) => createHash(algorithm).update(text).digest("hex");
const WALLETS = [
  "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
  "342ftSRCvFHfCeFFBuz4xwbeqnDw6BGUey",
  "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
  "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
  "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
  "888tNkZrPN6JsEgekjMnABU4TBzc2Dt29EPAvkRxbANsAnjyPbb3iQ1YBRk1UXcdRsiKc9dhwMVgN5S9cQUiyoogDavup3H",
];

/** Line i of the paste: [type for the CSV ("" to detect), value]; null for a comment or blank line. */
function entry(i: number): [string, string] | null {
  const a = (i >> 8) & 255;
  const b = i & 255;
  switch (i % 16) {
    case 0:
      return null;
    case 1:
      return ["ipv4", `198[.]51[.]${a}[.]${b}`];
    case 2:
      return ["domain", `cdn-${i}.Update-Check[.]com`];
    case 3:
      return ["url", `hxxps://login-${i}.secure-portal[.]net/wp-admin/${i}/index.php?id=${i}`];
    case 4:
      return ["email", `billing.${i}[@]invoice-${i}[.]org`];
    case 5:
      return ["sha256", digest("sha256", `sample ${i}`).toUpperCase()];
    case 6:
      return ["sha1", digest("sha1", `sample ${i}`)];
    case 7:
      return ["md5", digest("md5", `sample ${i}`)];
    case 8:
      return ["file_name", `Rechnung_${i}.pdf.exe`];
    case 9:
      return ["ipv6", `2001:0db8:0000:${i.toString(16)}:0000:0000:0000:0001`];
    case 10:
      return ["", WALLETS[(i >> 4) % WALLETS.length]!]; // the same few wallets again and again
    case 11:
      return ["ipv4", `${256 + (i % 100)}.1.2.3`]; // a mistake
    case 12:
      return ["", `www.phish-${i}.com/login`]; // a URL without its scheme
    case 13:
      return ["ip", `${(i >> 16) + 1}.${a}.${b}.9`];
    case 14:
      return ["domain", `cdn-${i - 12}.update-check.com.`]; // a duplicate
    default:
      return ["hash", `"${digest("sha256", `payload ${i}`)}"`];
  }
}

const entries = Array.from({ length: LINES }, (_, i) => entry(i));
const paste = entries.map((line, i) => (line ? line[1] : i % 32 === 0 ? "# batch of the week" : "")).join("\n");
const csv = [
  "type,value,comment",
  ...entries.slice(1).map((line, i) => (line ? `${line[0]},"${line[1].replace(/"/g, '""')}",row ${i + 2}` : "")),
].join("\n");

const summary = (result: IndicatorParseResult) =>
  `${result.indicators.length.toLocaleString("en")} kept, ${result.rejected.length.toLocaleString("en")} refused, ${result.duplicates.toLocaleString("en")} duplicates`;

/**
 * A bench that also prints its rate in lines per second, from the time spent in the parse itself
 * over every measured run (warm-up runs are left out).
 */
function linesPerSecond(name: string, lines: number, parse: () => IndicatorParseResult) {
  let elapsed = 0;
  let runs = 0;
  bench(
    name,
    () => {
      const start = performance.now();
      parse();
      elapsed += performance.now() - start;
      runs += 1;
    },
    {
      time: 2_000,
      setup: () => {
        elapsed = 0;
        runs = 0;
      },
      teardown: (_task, mode) => {
        if (mode !== "run" || runs === 0) return;
        const rate = Math.round((lines * runs) / (elapsed / 1000));
        console.log(`${name}: ${rate.toLocaleString("en")} lines/s (${(elapsed / runs).toFixed(1)} ms a parse, ${runs} runs)`);
      },
    },
  );
}

describe("indicators", () => {
  const pasted = parseIndicatorLines(paste);
  const imported = parseIndicatorCsv(csv);
  console.log(`paste of ${LINES.toLocaleString("en")} lines: ${summary(pasted)}`);
  console.log(`CSV of ${LINES.toLocaleString("en")} rows: ${summary(imported)}`);

  linesPerSecond("parse a pasted list of 10,000 lines", LINES, () => parseIndicatorLines(paste));
  linesPerSecond("parse a CSV file of 10,000 rows", LINES, () => parseIndicatorCsv(csv));
});
