import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { domainToASCII } from "node:url";
import { describe, expect, it } from "vitest";
import {
  INDICATOR_TYPES,
  MAX_INDICATOR_LENGTH,
  detectIndicatorType,
  parseIndicatorCsv,
  parseIndicatorLines,
  parseStixBundle,
  refang,
  validateIndicator,
  type IndicatorParseResult,
  type IndicatorType,
} from "~/modules/threat-input/indicators";
import { indicatorSchema } from "~/modules/threat-input/schema";

// What a stakeholder pastes: indicators as threat reports and feeds write them (defanged, in any
// case, with comments and blank lines), and real wallet addresses whose checksums are right.

/** The normalised value of a valid indicator; fails the test with the reason otherwise. */
function valid(type: IndicatorType, input: string): string {
  const checked = validateIndicator(type, input);
  if (!checked.ok) throw new Error(`expected ${JSON.stringify(input)} to be a valid ${type}: ${checked.reason}`);
  return checked.value;
}

/** The reason an invalid indicator is refused; fails the test if it is accepted. */
function reason(type: IndicatorType, input: string): string {
  const checked = validateIndicator(type, input);
  if (checked.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused as ${type}, got ${checked.value}`);
  return checked.reason;
}

const digest = (algorithm: string, text: string) => createHash(algorithm).update(text).digest("hex");
const keysOf = (result: IndicatorParseResult) => result.indicators.map((i) => `${i.type} ${i.value}`);

// Real addresses. Bitcoin: the example P2PKH and P2SH addresses of the bitcoin wiki, the genesis
// block's coinbase address, BIP 173/350 vectors and addresses from the wild; Monero: the project's
// general fund (getmonero.org), its current donation subaddress, and an integrated address.
const BTC = {
  p2pkh: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
  genesis: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
  p2sh: "342ftSRCvFHfCeFFBuz4xwbeqnDw6BGUey",
  p2shBip: "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
  p2wpkh: "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
  p2wpkhBip173: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
  p2wsh: "bc1qeklep85ntjz4605drds6aww9u0qr46qzrv5xswd35uhjuj8ahfcqgf6hak",
  taproot: "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
  taprootBip350: "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
};
const XMR = {
  generalFund: "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A",
  donationSubaddress: "888tNkZrPN6JsEgekjMnABU4TBzc2Dt29EPAvkRxbANsAnjyPbb3iQ1YBRk1UXcdRsiKc9dhwMVgN5S9cQUiyoogDavup3H",
  standard: "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5ucd",
  integrated:
    "4KEMxkrvHF13ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyVTr66Q8LFefPwwfA1t",
};

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** The same address with the character at `index` replaced by the next one of the base58 alphabet. */
function mistype(address: string, index: number): string {
  const next = BASE58[(BASE58.indexOf(address[index]!) + 1) % BASE58.length]!;
  return address.slice(0, index) + next + address.slice(index + 1);
}

/** A base58check address built here with node:crypto, independently of the module. */
function base58check(version: number, payload: Buffer, corrupt = false): string {
  const body = Buffer.concat([Buffer.from([version]), payload]);
  const check = createHash("sha256").update(createHash("sha256").update(body).digest()).digest().subarray(0, 4);
  if (corrupt) check[3] = check[3]! ^ 0x01;
  const bytes = Buffer.concat([body, check]);
  let n = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = BASE58[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

describe("the module stays importable in the browser", () => {
  it("imports nothing but the libraries that decide addresses, checksums and hashes in both (no zod: the form checks without it)", () => {
    const source = fs.readFileSync("app/modules/threat-input/indicators.ts", "utf8");
    const imports = [...source.matchAll(/^\s*import\s[^;]*?from\s+["']([^"']+)["']/gm)].map((match) => match[1]);
    expect(imports.sort()).toEqual(["@noble/hashes/sha2.js", "@noble/hashes/sha3.js", "@scure/base", "ipaddr.js"]);
    expect(source).not.toMatch(/\brequire\(|\bimport\(|\bBuffer\b|\bprocess\./);
  });
});

describe("IPv4 addresses", () => {
  it("accepts dotted quads, including the edges of the range", () => {
    for (const address of ["198.51.100.7", "203.0.113.254", "0.0.0.0", "255.255.255.255", "8.8.8.8"]) {
      expect(detectIndicatorType(address)).toBe("ipv4");
      expect(valid("ipv4", address)).toBe(address);
    }
  });

  it("refuses numbers above 255, leading zeros, ports, ranges and short forms, saying which", () => {
    expect(reason("ipv4", "198.51.100.256")).toMatch(/0 to 255.*"256"/);
    expect(reason("ipv4", "198.051.100.7")).toMatch(/"051".*leading zero.*octal/);
    expect(reason("ipv4", "198.51.100.7:8443")).toMatch(/without a port/);
    expect(reason("ipv4", "198.51.100.0/24")).toMatch(/range.*CIDR/);
    expect(reason("ipv4", "198.51.100")).toMatch(/four numbers/);
    expect(reason("ipv4", "evil.example")).toMatch(/four numbers/);
  });

  it("undoes the usual defangings", () => {
    for (const defanged of ["198.51.100[.]7", "198[.]51[.]100[.]7", "198(.)51(.)100(.)7", "198{.}51{.}100{.}7", "198[dot]51[dot]100[dot]7", "198\\.51\\.100\\.7"]) {
      expect(detectIndicatorType(defanged), defanged).toBe("ipv4");
      expect(valid("ipv4", defanged), defanged).toBe("198.51.100.7");
    }
  });
});

describe("IPv6 addresses", () => {
  it("writes every notation of an address in its one RFC 5952 form", () => {
    const forms = ["2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:0db8:0000:0000:0000:0000:0000:0001", "[2001:db8::1]", "2001:db8:0::0:1"];
    for (const form of forms) {
      expect(detectIndicatorType(form), form).toBe("ipv6");
      expect(valid("ipv6", form), form).toBe("2001:db8::1");
    }
    // The longest run of zeros is the one shortened, the first of two equal ones, and never a lone zero.
    expect(valid("ipv6", "2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(valid("ipv6", "2001:0:0:1:0:0:0:1")).toBe("2001:0:0:1::1");
    expect(valid("ipv6", "2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(valid("ipv6", "1::2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
    expect(valid("ipv6", "::")).toBe("::");
    expect(valid("ipv6", "::1")).toBe("::1");
    expect(valid("ipv6", "fe80::")).toBe("fe80::");
  });

  it("keeps an IPv4-mapped address in its dotted form, however it was written", () => {
    expect(valid("ipv6", "::ffff:198.51.100.7")).toBe("::ffff:198.51.100.7");
    expect(valid("ipv6", "::FFFF:c633:6407")).toBe("::ffff:198.51.100.7");
    expect(valid("ipv6", "0:0:0:0:0:ffff:198.51.100.7")).toBe("::ffff:198.51.100.7");
  });

  it("refuses malformed addresses, saying what is wrong", () => {
    expect(reason("ipv6", "2001:db8::1::2")).toMatch(/"::" may appear only once/);
    expect(reason("ipv6", "2001:db8:::1")).toMatch(/empty group/);
    expect(reason("ipv6", ":2001:db8:1:2:3:4:5:6")).toMatch(/empty group/);
    expect(reason("ipv6", "2001:db8:12345::1")).toMatch(/"12345".*four hexadecimal digits/);
    expect(reason("ipv6", "2001:db8:1:2:3:4:5")).toMatch(/7 groups/);
    expect(reason("ipv6", "2001:db8:1:2:3:4:5:6:7")).toMatch(/9 groups/);
    expect(reason("ipv6", "1:2:3:4::5:6:7:8")).toMatch(/too many groups/);
    expect(reason("ipv6", "2001:db8::g1")).toMatch(/"g" cannot appear/);
    expect(reason("ipv6", "2001:db8::/32")).toMatch(/range.*CIDR/);
    expect(reason("ipv6", "::ffff:198.51.100.256")).toMatch(/IPv4 part.*0 to 255/);
    expect(reason("ipv6", "198.51.100.7")).toMatch(/IPv4 address.*choose IPv4/);
  });

  it("is recognised with a zone, and told to drop it", () => {
    expect(detectIndicatorType("fe80::1%eth0")).toBe("ipv6");
    expect(reason("ipv6", "fe80::1%eth0")).toMatch(/without a zone/);
  });

  it("undoes the defanging of each colon", () => {
    expect(valid("ipv6", "2001[:]db8[:][:]1")).toBe("2001:db8::1");
    expect(detectIndicatorType("2001[:]db8[:][:]1")).toBe("ipv6");
  });
});

describe("domain names", () => {
  it("accepts host names in lower case, without the trailing dot of a fully qualified name", () => {
    expect(valid("domain", "secure-login.microsoftonline-verify.com")).toBe("secure-login.microsoftonline-verify.com");
    expect(valid("domain", "Secure-Login.Example.COM")).toBe("secure-login.example.com");
    expect(valid("domain", "evil.example.")).toBe("evil.example");
    expect(detectIndicatorType("evil.example.")).toBe("domain");
    expect(valid("domain", "xn--80ak6aa92e.com")).toBe("xn--80ak6aa92e.com");
  });

  it("writes an internationalised name in its punycode form, as the URL parser does", () => {
    for (const name of ["bücher.de", "BÜCHER.de", "пример.рф", "例え.テスト"]) {
      expect(detectIndicatorType(name), name).toBe("domain");
      expect(valid("domain", name), name).toBe(domainToASCII(name));
    }
  });

  it("tells a domain from a file name by its last word", () => {
    expect(detectIndicatorType("update.zip")).toBe("domain"); // .zip is a top-level domain
    expect(detectIndicatorType("login.mov")).toBe("domain");
    expect(detectIndicatorType("invoice.pdf.zip")).toBe("file_name"); // the lure's double extension
    expect(detectIndicatorType("setup.exe.com")).toBe("file_name");
    expect(detectIndicatorType("payload.exe")).toBe("file_name");
    expect(detectIndicatorType("cdn.docs.example.com")).toBe("domain");
  });

  it("refuses malformed names, saying what is wrong", () => {
    expect(reason("domain", "evil..example")).toMatch(/empty part/);
    expect(reason("domain", "-evil.example")).toMatch(/start or end with a hyphen/);
    expect(reason("domain", "evil-.example")).toMatch(/start or end with a hyphen/);
    expect(reason("domain", "evil_site.example")).toMatch(/"_" cannot appear/);
    expect(reason("domain", `${"a".repeat(64)}.example`)).toMatch(/at most 63 characters.*has 64/);
    const long = Array.from({ length: 50 }, () => "abcdef").join(".") + ".com";
    expect(reason("domain", long)).toMatch(/at most 253 characters/);
    expect(reason("domain", "localhost")).toMatch(/at least two parts/);
    expect(reason("domain", "evil.c0m")).toMatch(/top-level domain.*"c0m"/);
    expect(reason("domain", "198.51.100.7")).toMatch(/top-level domain/);
    expect(reason("domain", ".")).toMatch(/empty/);
  });

  it("undoes the usual defangings", () => {
    for (const defanged of ["evil[.]example", "evil[dot]example", "evil(dot)example", "evil (dot) example", "evil [.] example", "evil{.}example", "\"evil[.]example\""]) {
      expect(detectIndicatorType(defanged), defanged).toBe("domain");
      expect(valid("domain", defanged), defanged).toBe("evil.example");
    }
  });
});

describe("URLs", () => {
  it("writes the scheme and host as the URL parser does and keeps the rest as given", () => {
    expect(valid("url", "https://evil.example/login?next=%2Fadmin")).toBe("https://evil.example/login?next=%2Fadmin");
    expect(valid("url", "HTTP://Evil.Example:80/Login.PHP")).toBe("http://evil.example/Login.PHP");
    expect(valid("url", "https://evil.example:8443/a")).toBe("https://evil.example:8443/a");
    expect(valid("url", "http://evil.example")).toBe("http://evil.example/");
    expect(valid("url", "http://evil.example?id=1")).toBe("http://evil.example/?id=1");
    expect(valid("url", "ftp://files.evil.example/drop/x.bin")).toBe("ftp://files.evil.example/drop/x.bin");
    expect(valid("url", `http://bücher.de/Straße`)).toBe(`http://${domainToASCII("bücher.de")}/Straße`);
    expect(valid("url", "http://user:pw@Evil.example/x")).toBe("http://user:pw@evil.example/x");
    expect(valid("url", "http://198.51.100.7:8080/gate.php")).toBe("http://198.51.100.7:8080/gate.php");
    expect(valid("url", "http://[2001:DB8:0::1]/x")).toBe("http://[2001:db8::1]/x");
  });

  it("keeps the spelling of a path that the URL parser would rewrite, since it is evidence", () => {
    expect(valid("url", "http://evil.example/cgi-bin/%2e%2e/%2e%2e/etc/passwd")).toBe("http://evil.example/cgi-bin/%2e%2e/%2e%2e/etc/passwd");
    expect(valid("url", "http://evil.example/a/../b//c")).toBe("http://evil.example/a/../b//c");
    expect(valid("url", "http://evil.example/Path")).not.toBe(valid("url", "http://evil.example/path"));
  });

  it("refuses other schemes, spaces, missing hosts and scheme-less addresses", () => {
    expect(reason("url", "javascript://alert(1)")).toMatch(/Only http, https and ftp.*"javascript"/);
    expect(reason("url", "https://evil.example/a b")).toMatch(/no spaces.*%20/);
    expect(reason("url", "http://")).toMatch(/cannot be read/);
    expect(reason("url", "http://evil.example:99999/")).toMatch(/cannot be read/);
    expect(reason("url", "evil.example/login")).toMatch(/starts with its scheme/);
  });

  it("undoes the usual defangings", () => {
    const expected = "https://evil.example/login.php";
    for (const defanged of [
      "hxxps://evil[.]example/login.php",
      "hXXps://evil.example/login.php",
      "hxxps[:]//evil[.]example/login.php",
      "hxxps[://]evil[.]example/login.php",
      "https[:]//evil(.)example/login.php",
      "h**ps://evil[.]example/login.php",
      "<hxxps://evil[.]example/login.php>",
    ]) {
      expect(detectIndicatorType(defanged), defanged).toBe("url");
      expect(valid("url", defanged), defanged).toBe(expected);
    }
    expect(valid("url", "hxxp://evil[.]example/")).toBe("http://evil.example/");
    expect(valid("url", "fxp://files.evil[.]example/a")).toBe("ftp://files.evil.example/a");
    expect(valid("url", "hxxp://198.51.100[.]7/gate.php")).toBe("http://198.51.100.7/gate.php");
  });
});

describe("email addresses", () => {
  it("writes an address in lower case, its domain like a domain name", () => {
    expect(detectIndicatorType("john.doe@payment-notice.example")).toBe("email");
    expect(valid("email", "John.Doe@Payment-Notice.EXAMPLE")).toBe("john.doe@payment-notice.example");
    expect(valid("email", "billing+ref_7731@evil.example")).toBe("billing+ref_7731@evil.example");
    expect(valid("email", "o'brien@evil.example.")).toBe("o'brien@evil.example");
    expect(valid("email", "info@bücher.de")).toBe(`info@${domainToASCII("bücher.de")}`);
  });

  it("refuses malformed addresses, saying which part is wrong", () => {
    expect(reason("email", "john.doe")).toMatch(/has an @/);
    expect(reason("email", "@evil.example")).toMatch(/nothing before the @/);
    expect(reason("email", "john..doe@evil.example")).toMatch(/two dots in a row/);
    expect(reason("email", ".john@evil.example")).toMatch(/start or end with a dot/);
    expect(reason("email", "jo(hn)@evil.example")).toMatch(/cannot contain "\("/);
    expect(reason("email", `${"a".repeat(65)}@evil.example`)).toMatch(/at most 64 characters/);
    expect(reason("email", "john@localhost")).toMatch(/domain of this email address.*two parts/);
    expect(reason("email", "john@evil..example")).toMatch(/domain of this email address.*empty part/);
    expect(reason("email", "john@")).toMatch(/domain of this email address/);
  });

  it("undoes the usual defangings, and a mailto: prefix", () => {
    for (const defanged of [
      "john.doe[@]evil[.]example",
      "john.doe[at]evil[.]example",
      "john.doe(at)evil(dot)example",
      "john.doe (at) evil (dot) example",
      "john.doe [at] evil [dot] example",
      "<john.doe@evil.example>",
      "mailto:john.doe@evil.example",
    ]) {
      expect(detectIndicatorType(defanged), defanged).toBe("email");
      expect(valid("email", defanged), defanged).toBe("john.doe@evil.example");
    }
  });
});

describe("hashes", () => {
  const sample = "MZ\x90\x00 dropper stage 2";
  const hashes = { md5: digest("md5", sample), sha1: digest("sha1", sample), sha256: digest("sha256", sample) } as const;

  it("types a hash by its length and writes it in lower case", () => {
    for (const [type, hash] of Object.entries(hashes) as [IndicatorType, string][]) {
      expect(detectIndicatorType(hash)).toBe(type);
      expect(detectIndicatorType(hash.toUpperCase())).toBe(type);
      expect(valid(type, hash.toUpperCase())).toBe(hash);
      expect(valid(type, ` '${hash}' `)).toBe(hash);
    }
  });

  it("refuses a hash of the wrong length or with other characters, saying so", () => {
    expect(reason("sha256", hashes.sha256.slice(1))).toMatch(/64 hexadecimal characters; this one has 63/);
    expect(reason("sha1", hashes.md5)).toMatch(/40 hexadecimal characters; this one has 32/);
    expect(reason("md5", `${hashes.md5.slice(0, 31)}g`)).toMatch(/hexadecimal.*"g"/);
  });

  it("explains a pasted hash of another algorithm or length", () => {
    const sha512 = digest("sha512", sample);
    const [sha512Line, oddLine] = parseIndicatorLines(`${sha512}\n${hashes.sha256.slice(0, 50)}`).rejected;
    expect(sha512Line!.reason).toMatch(/SHA-512.*only MD5, SHA-1 and SHA-256/);
    expect(oddLine!.reason).toMatch(/has 50 hexadecimal characters/);
  });
});

describe("bitcoin addresses", () => {
  it("accepts real legacy, P2SH, SegWit and taproot addresses", () => {
    for (const [kind, address] of Object.entries(BTC)) {
      expect(detectIndicatorType(address), kind).toBe("btc_wallet");
      expect(valid("btc_wallet", address), kind).toBe(address);
    }
  });

  it("accepts the BIP 173 and BIP 350 main-network vectors, and writes a bc1 address in lower case", () => {
    for (const address of [
      "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
      "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
      "BC1SW50QGDZ25J",
      "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    ]) {
      expect(detectIndicatorType(address), address).toBe("btc_wallet");
      expect(valid("btc_wallet", address), address).toBe(address.toLowerCase());
    }
  });

  it("accepts base58check addresses built with node:crypto, and refuses them with a wrong checksum", () => {
    for (let i = 0; i < 50; i++) {
      const hash160 = randomBytes(20);
      for (const version of [0x00, 0x05]) {
        const address = base58check(version, hash160);
        expect(detectIndicatorType(address), address).toBe("btc_wallet");
        expect(valid("btc_wallet", address)).toBe(address);
        expect(reason("btc_wallet", base58check(version, hash160, true))).toMatch(/checksum does not match/);
      }
    }
    // A P2PKH hash that starts with a zero byte: two leading 1s.
    const zeroFirst = base58check(0x00, Buffer.concat([Buffer.from([0]), randomBytes(19)]));
    expect(zeroFirst.startsWith("11")).toBe(true);
    expect(valid("btc_wallet", zeroFirst)).toBe(zeroFirst);
  });

  it("refuses a mistyped character anywhere, as a checksum mismatch", () => {
    for (const address of Object.values(BTC)) {
      for (const index of [5, Math.floor(address.length / 2), address.length - 1]) {
        const wrong = address.startsWith("bc1")
          ? address.slice(0, index) + (address[index] === "q" ? "p" : "q") + address.slice(index + 1)
          : mistype(address, index);
        expect(detectIndicatorType(wrong)).toBe("btc_wallet");
        expect(reason("btc_wallet", wrong), wrong).toMatch(/checksum does not match/);
      }
    }
  });

  it("refuses the BIP 173 and BIP 350 invalid vectors with a reason that fits", () => {
    const refused: [string, RegExp][] = [
      ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", /checksum/],
      ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", /checksum/], // bech32 where bech32m is due
      ["BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", /checksum/],
      ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", /checksum/], // bech32m where bech32 is due
      ["bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", /"o" cannot appear/],
      ["BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", /witness version \(17\)/],
      ["bc1pw5dgrnzv", /wrong length/],
      ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", /wrong length/],
      ["BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", /wrong length/],
      ["bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", /wrong length/], // padding
      ["bc1gmk9yu", /too short/],
      ["bc1q9zpgru", /wrong length/],
    ];
    for (const [address, gist] of refused) expect(reason("btc_wallet", address), address).toMatch(gist);
  });

  it("refuses mixed case, foreign characters, wrong lengths and test-network addresses", () => {
    expect(reason("btc_wallet", "bc1qAR0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")).toMatch(/lower case or all upper case/);
    expect(reason("btc_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0")).toMatch(/"0" cannot appear/);
    expect(reason("btc_wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2x9")).toMatch(/26 to 35 characters; this one has 36/);
    expect(reason("btc_wallet", base58check(0x6f, randomBytes(20)))).toMatch(/test-network/);
    expect(reason("btc_wallet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")).toMatch(/test-network/);
    expect(detectIndicatorType("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx")).toBeNull();
  });
});

describe("monero addresses", () => {
  it("accepts real standard, sub- and integrated addresses", () => {
    for (const [kind, address] of Object.entries(XMR)) {
      expect(detectIndicatorType(address), kind).toBe("xmr_wallet");
      expect(valid("xmr_wallet", address), kind).toBe(address);
    }
  });

  it("refuses a mistyped character anywhere, as a checksum mismatch", () => {
    for (const address of Object.values(XMR)) {
      for (const index of [3, 50, address.length - 6, address.length - 1]) {
        expect(reason("xmr_wallet", mistype(address, index)), `${address} at ${index}`).toMatch(/checksum does not match/);
      }
    }
  });

  it("refuses random strings of the right shape", () => {
    for (let i = 0; i < 100; i++) {
      const random = `4${Array.from(randomBytes(94), (byte) => BASE58[byte % 58]).join("")}`;
      expect(detectIndicatorType(random)).toBe("xmr_wallet");
      expect(validateIndicator("xmr_wallet", random).ok).toBe(false);
    }
  });

  it("refuses wrong lengths, characters and network bytes, saying which", () => {
    expect(reason("xmr_wallet", XMR.generalFund.slice(0, -1))).toMatch(/95 characters.*this one has 94/);
    expect(reason("xmr_wallet", `${XMR.generalFund.slice(0, -1)}0`)).toMatch(/"0" cannot appear/);
    expect(reason("xmr_wallet", `9${XMR.generalFund.slice(1)}`)).toMatch(/starts with 4/);
    // A 95-character address from another network (stagenet's start with 5).
    expect(reason("xmr_wallet", `5${XMR.generalFund.slice(1)}`)).toMatch(/starts with 4/);
  });
});

describe("file names", () => {
  it("accepts file names as given, case and spaces included", () => {
    for (const name of ["Rechnung_0324.pdf.exe", "payload.EXE", "my invoice (1).pdf", "dropper_x64.bin", "factura.pdf.lnk", "update.msi"]) {
      expect(detectIndicatorType(name), name).toBe("file_name");
      expect(valid("file_name", name), name).toBe(name);
    }
    expect(valid("file_name", "payload[.]exe")).toBe("payload.exe");
    // "fxp" is only a defanged scheme in front of "://".
    expect(valid("file_name", "fxp.exe")).toBe("fxp.exe");
  });

  it("refuses paths, control characters and over-long names, pointing at the name", () => {
    expect(reason("file_name", "C:\\Users\\Public\\svchost.exe")).toMatch(/no folders.*"svchost\.exe"/);
    expect(reason("file_name", "/tmp/.x/kworker")).toMatch(/no folders.*"kworker"/);
    expect(reason("file_name", "/tmp/")).toMatch(/ends with a slash/);
    expect(reason("file_name", "a\u0001b.exe")).toMatch(/control characters/);
    expect(reason("file_name", "..")).toMatch(/not a file name/);
    expect(reason("file_name", `${"a".repeat(252)}.exe`)).toMatch(/at most 255 characters/);
  });
});

describe("refanging", () => {
  it("leaves values that were never defanged as they are", () => {
    for (const value of ["https://evil.example/a[b]?q=(x)", "198.51.100.7", "fxp.exe", "report (1).pdf", XMR.generalFund]) {
      expect(refang(value)).toBe(value);
    }
  });

  it("drops zero-width characters, surrounding quotes and brackets, and trims", () => {
    expect(refang("  evil\u200B.example\uFEFF ")).toBe("evil.example");
    expect(refang("“evil.example”")).toBe("evil.example");
    expect(refang("'\"evil.example\"'")).toBe("evil.example");
    expect(refang("«evil.example»")).toBe("evil.example");
  });

  it("refuses the empty value and over-long values without working on them", () => {
    expect(reason("domain", "  ")).toMatch(/empty/);
    expect(reason("url", `https://evil.example/${"a".repeat(MAX_INDICATOR_LENGTH)}`)).toMatch(/no indicator is longer than 4,096/);
  });
});

describe("a pasted list", () => {
  it("keeps the good lines of a mixed paste and reports the others with their line number", () => {
    const sha256 = digest("sha256", "invoice lure stage 1");
    const paste = [
      "# Campaign: invoice lure, March", // 1
      "", // 2
      "hxxps://invoice-portal[.]com/download.php?id=7731", // 3
      "198.51.100[.]7", // 4
      "   ", // 5
      "payment-notice[.]net", // 6
      "999.51.100.7", // 7: bad
      "Rechnung_0324.pdf.exe", // 8
      "  # hashes, as the sandbox gave them", // 9
      sha256.toUpperCase(), // 10
      sha256, // 11: duplicate
      "198.51.100.7:8080", // 12: bad
      "billing[@]payment-notice[.]net", // 13
      "see the attached report", // 14: bad
      `\t2001:DB8::7\t`, // 15
      BTC.taproot, // 16
      XMR.generalFund, // 17
      "www.payment-notice.net/login", // 18: bad
      "", // 19
    ].join("\r\n");
    const result = parseIndicatorLines(paste);
    expect(result.indicators.map(({ type, line }) => [type, line])).toEqual([
      ["url", 3],
      ["ipv4", 4],
      ["domain", 6],
      ["file_name", 8],
      ["sha256", 10],
      ["email", 13],
      ["ipv6", 15],
      ["btc_wallet", 16],
      ["xmr_wallet", 17],
    ]);
    expect(result.indicators.find((i) => i.line === 10)!.value).toBe(sha256);
    expect(result.duplicates).toBe(1);
    expect(result.rejected.map(({ line, input }) => [line, input])).toEqual([
      [7, "999.51.100.7"],
      [12, "198.51.100.7:8080"],
      [14, "see the attached report"],
      [18, "www.payment-notice.net/login"],
    ]);
    const [tooLarge, port, prose, schemeLess] = result.rejected.map((r) => r.reason);
    expect(tooLarge).toMatch(/"999" is too large/);
    expect(port).toMatch(/with a port.*without the port/);
    expect(prose).toMatch(/one indicator on each line/);
    expect(schemeLess).toMatch(/without its scheme.*http/);
  });

  it("counts lines the same whatever the line breaks", () => {
    for (const lineBreak of ["\n", "\r\n", "\r"]) {
      const result = parseIndicatorLines(["evil.example", "", "bogus value", "198.51.100.7"].join(lineBreak));
      expect(result.indicators.map((i) => i.line)).toEqual([1, 4]);
      expect(result.rejected.map((r) => r.line)).toEqual([3]);
    }
  });

  it("drops a second spelling of the same indicator and keeps the first", () => {
    const sha1 = digest("sha1", "x");
    const result = parseIndicatorLines(
      [
        "evil.example", // 1
        "EVIL.example.", // 2
        "evil[.]example", // 3
        "2001:db8::1", // 4
        "2001:0DB8:0:0:0:0:0:1", // 5
        "[2001:db8::1]", // 6
        "::ffff:198.51.100.7", // 7
        "::ffff:c633:6407", // 8
        sha1.toUpperCase(), // 9
        sha1, // 10
        "http://Evil.Example:80/Login", // 11
        "hxxp://evil[.]example/Login", // 12
        "http://evil.example/login", // 13: another path
        "John.Doe@Evil.example", // 14
        "john.doe[at]evil[.]example", // 15
        "mailto:JOHN.DOE@EVIL.EXAMPLE", // 16
        BTC.p2wpkh.toUpperCase(), // 17
        BTC.p2wpkh, // 18
        "bücher.de", // 19
        domainToASCII("bücher.de"), // 20
        "Payload.exe", // 21
        "payload.exe", // 22: file names keep their case
      ].join("\n"),
    );
    expect(result.indicators.map((i) => i.line)).toEqual([1, 4, 7, 9, 11, 13, 14, 17, 19, 21, 22]);
    expect(result.duplicates).toBe(11);
    expect(result.rejected).toEqual([]);
  });

  it("does not merge the same text typed as different kinds", () => {
    const result = parseIndicatorCsv("domain,evil.example\nfile_name,evil.example\nurl,http://evil.example/\n");
    expect(keysOf(result)).toEqual(["domain evil.example", "file_name evil.example", "url http://evil.example/"]);
    expect(result.duplicates).toBe(0);
  });

  it("takes every line as the type chosen, when there is one", () => {
    // Anything without a folder in it can be a file's name, even one that looks like an address.
    const result = parseIndicatorLines("evil.example\n198.51.100.7", { type: "file_name" });
    expect(keysOf(result)).toEqual(["file_name evil.example", "file_name 198.51.100.7"]);
    expect(result.rejected).toEqual([]);
    const asIp = parseIndicatorLines("evil.example\n198.51.100.7", { type: "ipv4" });
    expect(asIp.indicators.map((i) => i.value)).toEqual(["198.51.100.7"]);
    expect(asIp.rejected).toMatchObject([{ line: 1, reason: expect.stringMatching(/four numbers/) }]);
  });

  it("takes a type written before a colon and a comment written after \" # \"", () => {
    const sha256 = digest("sha256", "typed");
    const result = parseIndicatorLines(
      [
        "file_name: evil.example # the attachment's name, not a host", // 1
        `sha256:${sha256.toUpperCase()}`, // 2
        "Domain Name : evil.example", // 3
        "ip: 2001:db8::7 # C2", // 4: an alias of several types, settled by detection
        "198.51.100.7  #  seen twice", // 5
        "Invoice #12.pdf", // 6: "#" alone is part of the name
        "bitcoin:" + BTC.p2pkh, // 7: as a BIP 21 link writes it
        "fe80::1", // 8: no type name before that colon
        "ipv4: evil.example", // 9: the type chosen, and the value is not one
        "colour: red", // 10: not a type name, so the whole line is the value
      ].join("\n"),
    );
    expect(result.indicators).toEqual([
      { type: "file_name", value: "evil.example", line: 1, comment: "the attachment's name, not a host" },
      { type: "sha256", value: sha256, line: 2 },
      { type: "domain", value: "evil.example", line: 3 },
      { type: "ipv6", value: "2001:db8::7", line: 4, comment: "C2" },
      { type: "ipv4", value: "198.51.100.7", line: 5, comment: "seen twice" },
      { type: "file_name", value: "Invoice #12.pdf", line: 6 },
      { type: "btc_wallet", value: BTC.p2pkh, line: 7 },
      { type: "ipv6", value: "fe80::1", line: 8 },
    ]);
    expect(result.rejected).toMatchObject([
      { line: 9, input: "ipv4: evil.example", reason: expect.stringMatching(/four numbers/) },
      { line: 10, reason: expect.stringMatching(/one indicator on each line/) },
    ]);
  });

  it("reads back what an import writes into the paste box, type, value and comment alike", () => {
    const imported = parseIndicatorCsv(
      [
        "type,value,comment",
        "file_name,evil.example,attachment",
        'domain,evil.example,"two\nlines"',
        `ip,2001:DB8::7,`,
        `wallet,${XMR.integrated},ransom note`,
        "url,hxxp://evil[.]example/a?b=c#d,landing page",
      ].join("\n"),
    );
    expect(imported.rejected).toEqual([]);
    // As the import writes each one: "type: value # comment", line breaks in the comment flattened.
    const written = imported.indicators
      .map((i) => `${i.type}: ${i.value}${i.comment ? ` # ${i.comment.replace(/[\r\n]+/g, " ")}` : ""}`)
      .join("\n");
    const readBack = parseIndicatorLines(written);
    expect(readBack.rejected).toEqual([]);
    expect(readBack.indicators.map(({ type, value, comment }) => ({ type, value, comment }))).toEqual(
      imported.indicators.map(({ type, value, comment }) => ({ type, value, comment: comment?.replace(/[\r\n]+/g, " ") })),
    );
  });

  it("refuses an over-long line and goes on with the rest", () => {
    const result = parseIndicatorLines(`${"A".repeat(50_000)}\nevil.example`);
    expect(result.rejected).toMatchObject([{ line: 1, reason: expect.stringMatching(/50,000 characters.*4,096/) }]);
    expect(keysOf(result)).toEqual(["domain evil.example"]);
  });

  it("returns nothing for an empty paste or one of comments only", () => {
    expect(parseIndicatorLines("")).toEqual({ indicators: [], rejected: [], duplicates: 0 });
    expect(parseIndicatorLines("# nothing yet\n\n   \n")).toEqual({ indicators: [], rejected: [], duplicates: 0 });
  });

  it("parses a 10,000-line paste of every kind correctly", () => {
    const paste = realisticPaste(10_000);
    const result = parseIndicatorLines(paste.text);
    expect(result.indicators).toHaveLength(paste.good.size);
    expect(keysOf(result)).toEqual([...paste.good.keys()]);
    expect(result.indicators.map((i) => i.line)).toEqual([...paste.good.values()]);
    expect(result.duplicates).toBe(paste.duplicates);
    expect(result.rejected.map((r) => r.line)).toEqual(paste.bad);
    const byType = new Map<string, number>();
    for (const indicator of result.indicators) byType.set(indicator.type, (byType.get(indicator.type) ?? 0) + 1);
    expect(new Set(byType.keys())).toEqual(new Set(INDICATOR_TYPES));
  });
});

/**
 * A paste as a feed or a report gives it, built with the normal form of each good line known here
 * (from the rules: lower case, RFC 5952, refanged), so that the parse can be checked line by line.
 */
function realisticPaste(lines: number) {
  const wallets = [...Object.values(BTC), ...Object.values(XMR)];
  const good = new Map<string, number>(); // "type value" -> the line it is first on
  const bad: number[] = [];
  let duplicates = 0;
  const text: string[] = [];
  const keep = (line: number, type: IndicatorType, value: string) => {
    if (good.has(`${type} ${value}`)) duplicates += 1;
    else good.set(`${type} ${value}`, line);
  };
  for (let i = 0; i < lines; i++) {
    const line = i + 1;
    const group = (i >> 8) & 255;
    const low = i & 255;
    switch (i % 20) {
      case 0:
        text.push(`# batch ${i}: infrastructure seen ${group} times`);
        break;
      case 1:
        text.push("");
        break;
      case 2:
        text.push(`${(i >> 16) + 1}.${group}.${low}.${(i % 200) + 1}`);
        keep(line, "ipv4", text.at(-1)!);
        break;
      case 3:
        text.push(`198[.]51[.]${group}[.]${low}`);
        keep(line, "ipv4", `198.51.${group}.${low}`);
        break;
      case 4:
        text.push(`CDN-${i}.Update-Check.com`);
        keep(line, "domain", `cdn-${i}.update-check.com`);
        break;
      case 5:
        text.push(`hxxps://login-${i}.secure-portal[.]net/wp-admin/${i}/index.php?id=${i}`);
        keep(line, "url", `https://login-${i}.secure-portal.net/wp-admin/${i}/index.php?id=${i}`);
        break;
      case 6:
        text.push(`Billing.${i}[@]invoice-${i}[.]org`);
        keep(line, "email", `billing.${i}@invoice-${i}.org`);
        break;
      case 7:
        text.push(digest("sha256", `sample ${i}`));
        keep(line, "sha256", text.at(-1)!);
        break;
      case 8:
        text.push(digest("sha1", `sample ${i}`).toUpperCase());
        keep(line, "sha1", digest("sha1", `sample ${i}`));
        break;
      case 9:
        text.push(digest("md5", `sample ${i}`));
        keep(line, "md5", text.at(-1)!);
        break;
      case 10:
        text.push(`Rechnung_${i}.pdf.exe`);
        keep(line, "file_name", text.at(-1)!);
        break;
      case 11:
        text.push(`2001:0db8:0000:${i.toString(16)}:0000:0000:0000:0001`);
        keep(line, "ipv6", `2001:db8:0:${i.toString(16)}::1`);
        break;
      case 12: // the md5 three lines up, in upper case
        text.push(digest("md5", `sample ${i - 3}`).toUpperCase());
        keep(line, "md5", digest("md5", `sample ${i - 3}`));
        break;
      case 13:
        text.push(`${256 + (i % 100)}.1.2.3`);
        bad.push(line);
        break;
      case 14: {
        const wallet = wallets[(i / 20) % wallets.length | 0]!;
        text.push(wallet);
        keep(line, wallet.startsWith("4") || wallet.startsWith("8") ? "xmr_wallet" : "btc_wallet", wallet);
        break;
      }
      case 15:
        text.push(`www.phish-${i}.com/login`);
        bad.push(line);
        break;
      case 16: // the domain twelve lines up, fully qualified
        text.push(`cdn-${i - 12}.update-check.com.`);
        keep(line, "domain", `cdn-${i - 12}.update-check.com`);
        break;
      case 17: // the IPv6 address six lines up, compressed
        text.push(`2001:db8:0:${(i - 6).toString(16)}::1`);
        keep(line, "ipv6", `2001:db8:0:${(i - 6).toString(16)}::1`);
        break;
      case 18:
        text.push("   # analyst note");
        break;
      case 19:
        text.push(`"${digest("sha256", `payload ${i}`).toUpperCase()}"`);
        keep(line, "sha256", digest("sha256", `payload ${i}`));
        break;
    }
  }
  return { text: text.join("\n"), good, bad, duplicates };
}

describe("a CSV file", () => {
  it("reads type,value,comment rows under a header, with quoted fields and comment lines", () => {
    const csv = [
      "type,value,comment", // 1
      'ipv4,198.51.100.7,"C2, primary"', // 2
      "# the rest came from the sandbox", // 3
      'domain,"payment-notice[.]net","lure domain, registered ""yesterday"""', // 4
      'url,hxxps://payment-notice[.]net/pay,"first line', // 5
      'second line"', // 6
      "sha256,E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,", // 7
      "", // 8
      "email,billing@payment-notice.net", // 9
    ].join("\n");
    const result = parseIndicatorCsv(csv);
    expect(result.rejected).toEqual([]);
    expect(result.indicators).toEqual([
      { type: "ipv4", value: "198.51.100.7", line: 2, comment: "C2, primary" },
      { type: "domain", value: "payment-notice.net", line: 4, comment: 'lure domain, registered "yesterday"' },
      { type: "url", value: "https://payment-notice.net/pay", line: 5, comment: "first line\nsecond line" },
      { type: "sha256", value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", line: 7 },
      { type: "email", value: "billing@payment-notice.net", line: 9 },
    ]);
  });

  it("reads rows without a header, detects an empty type, and takes a lone field as a bare value", () => {
    const result = parseIndicatorCsv(`ipv4,198.51.100.7\n,evil.example\n${BTC.p2sh}\nmd5,${digest("md5", "a")},dropper\n`);
    expect(keysOf(result)).toEqual(["ipv4 198.51.100.7", "domain evil.example", `btc_wallet ${BTC.p2sh}`, `md5 ${digest("md5", "a")}`]);
    expect(result.indicators.map((i) => i.line)).toEqual([1, 2, 3, 4]);
    expect(result.indicators[3]!.comment).toBe("dropper");
  });

  it("understands the type names other tools use, letting detection settle the broad ones", () => {
    const rows = [
      "ip-dst,198.51.100.7",
      "ip-src,2001:db8::7",
      "hostname,evil.example",
      "Domain Name,evil.example.net",
      "link,http://evil.example/x",
      "email-src,a@evil.example",
      "SHA-256," + digest("sha256", "b"),
      "hash," + digest("sha1", "b"),
      "filename,invoice.pdf.exe",
      "wallet," + XMR.donationSubaddress,
      "bitcoin," + BTC.genesis,
    ];
    const result = parseIndicatorCsv(rows.join("\n"));
    expect(result.rejected).toEqual([]);
    expect(result.indicators.map((i) => i.type)).toEqual(["ipv4", "ipv6", "domain", "domain", "url", "email", "sha256", "sha1", "file_name", "xmr_wallet", "btc_wallet"]);
  });

  it("reads a header that orders the columns differently and names others, as a MISP export does", () => {
    const csv = [
      "uuid,event_id,category,type,value,comment,to_ids,date",
      `5f1c0a1e-1,42,Network activity,ip-dst,198.51.100.7,C2,1,20240301`,
      `5f1c0a1e-2,42,Payload delivery,md5,${digest("md5", "c")},,1,20240301`,
      `5f1c0a1e-3,42,Network activity,ip-dst|port,198.51.100.7|443,,1,20240301`,
    ].join("\n");
    const result = parseIndicatorCsv(csv);
    expect(result.indicators).toEqual([
      { type: "ipv4", value: "198.51.100.7", line: 2, comment: "C2" },
      { type: "md5", value: digest("md5", "c"), line: 3 },
    ]);
    expect(result.rejected).toMatchObject([{ line: 4, reason: expect.stringMatching(/"ip-dst\|port" is not a known indicator type/) }]);
    const reversed = parseIndicatorCsv("Indicator,Type\nevil.example,domain\n");
    expect(keysOf(reversed)).toEqual(["domain evil.example"]);
  });

  it("reads a spreadsheet's semicolon-separated export, byte order mark and CRLF included", () => {
    const csv = "\uFEFFType;Value;Comment\r\nipv4;198.51.100.7;Kommentar, mit Komma\r\ndomain;\"evil;example.net\";x\r\nurl;http://evil.example/a,b;\r\n";
    const result = parseIndicatorCsv(csv);
    expect(result.indicators.map(({ type, value, line, comment }) => [type, value, line, comment])).toEqual([
      ["ipv4", "198.51.100.7", 2, "Kommentar, mit Komma"],
      ["url", "http://evil.example/a,b", 4, undefined],
    ]);
    expect(result.rejected).toMatchObject([{ line: 3, reason: expect.stringMatching(/";" cannot appear/) }]);
  });

  it("reports bad rows by the line they start on and keeps the good ones", () => {
    const csv = [
      "type,value,comment", // 1
      "ipv4,198.51.100.300", // 2: bad value
      "sha1,d41d8cd98f00b204e9800998ecf8427e", // 3: an MD5 where a SHA-1 is due
      "ip,evil.example", // 4: not an IP
      "colour,red", // 5: unknown type
      "ipv4,198.51.100.7,C2,extra", // 6: too many fields
      "domain,", // 7: no value
      "domain,evil.example", // 8: good
      'url,"http://evil.example/never', // 9: quote never closed...
      "domain,evil2.example", // 10: ...so this is inside it
    ].join("\n");
    const result = parseIndicatorCsv(csv);
    expect(keysOf(result)).toEqual(["domain evil.example"]);
    expect(result.indicators[0]!.line).toBe(8);
    const reasons = new Map(result.rejected.map((r) => [r.line, r.reason]));
    expect([...reasons.keys()]).toEqual([2, 3, 4, 5, 6, 7, 9]);
    expect(reasons.get(2)).toMatch(/"300" is too large/);
    expect(reasons.get(3)).toMatch(/SHA-1 hash has 40.*has 32/);
    expect(reasons.get(4)).toMatch(/"ip" needs an IPv4 address or an IPv6 address, but it looks like a domain name/);
    expect(reasons.get(5)).toMatch(/"colour" is not a known indicator type/);
    expect(reasons.get(6)).toMatch(/4 fields; expected at most 3 \(type, value, comment\).*double quotes/);
    expect(reasons.get(7)).toMatch(/no value/);
    expect(reasons.get(9)).toMatch(/quoted field is not closed/);
  });

  it("counts a row's fields against the header's columns", () => {
    const result = parseIndicatorCsv("type,value\nipv4,198.51.100.7,C2\n");
    expect(result.rejected).toMatchObject([{ line: 2, reason: expect.stringMatching(/3 fields; expected at most 2 \(type, value\)/) }]);
  });

  it("skips comment lines whole, even with a quote in them", () => {
    // A quote in a comment once opened a field that silently swallowed the rest of the file.
    const csv = ['#type,"value', "ipv4,198.51.100.7", '  # a "quoted, comment', "domain,evil.example"].join("\n");
    const result = parseIndicatorCsv(csv);
    expect(keysOf(result)).toEqual(["ipv4 198.51.100.7", "domain evil.example"]);
    expect(result.indicators.map((i) => i.line)).toEqual([2, 4]);
    expect(result.rejected).toEqual([]);
  });

  it("de-duplicates across rows as a paste does", () => {
    const result = parseIndicatorCsv("domain,evil.example,first\ndomain,EVIL.EXAMPLE.,second\n,evil[.]example\n");
    expect(result.indicators).toEqual([{ type: "domain", value: "evil.example", line: 1, comment: "first" }]);
    expect(result.duplicates).toBe(2);
  });

  it("returns nothing for an empty file", () => {
    expect(parseIndicatorCsv("")).toEqual({ indicators: [], rejected: [], duplicates: 0 });
    expect(parseIndicatorCsv("type,value,comment\n")).toEqual({ indicators: [], rejected: [], duplicates: 0 });
  });

  it("parses a 10,000-row file correctly", () => {
    const paste = realisticPaste(10_000);
    const rows = paste.text.split("\n").map((value) => (value.trim() === "" || value.trim().startsWith("#") ? value : `,"${value.replace(/"/g, '""')}",row`));
    const result = parseIndicatorCsv(rows.join("\n"));
    expect(keysOf(result)).toEqual([...paste.good.keys()]);
    expect(result.indicators.map((i) => i.line)).toEqual([...paste.good.values()]);
    expect(result.duplicates).toBe(paste.duplicates);
    expect(result.rejected.map((r) => r.line)).toEqual(paste.bad);
  });
});

describe("a STIX 2.1 bundle", () => {
  const created = "2024-03-01T09:00:00.000Z";
  const indicator = (id: number, pattern: string, extra: Record<string, unknown> = {}) => ({
    type: "indicator",
    spec_version: "2.1",
    id: `indicator--00000000-0000-4000-8000-${String(id).padStart(12, "0")}`,
    created,
    modified: created,
    name: `Indicator ${id}`,
    indicator_types: ["malicious-activity"],
    pattern,
    pattern_type: "stix",
    valid_from: created,
    object_marking_refs: ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    ...extra,
  });
  const bundle = (objects: unknown[]) => JSON.stringify({ type: "bundle", id: "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", objects });
  const sha256 = digest("sha256", "loader.dll");
  const md5 = digest("md5", "loader.dll");

  it("reads the indicators of simple patterns and the observables it carries", () => {
    const result = parseStixBundle(
      bundle([
        { type: "identity", spec_version: "2.1", id: "identity--1", created, modified: created, name: "CERT-EU", identity_class: "organization" },
        indicator(2, "[ipv4-addr:value = '198.51.100.7']"),
        indicator(3, "[domain-name:value = 'payment-notice.net'] OR [url:value = 'https://payment-notice.net/pay']"),
        indicator(4, `[file:hashes.'SHA-256' = '${sha256.toUpperCase()}' OR file:hashes.MD5 = '${md5}']`),
        indicator(5, "[email-addr:value = 'o\\'brien@payment-notice.net']"),
        indicator(6, "[ipv6-addr:value = '2001:db8::7/128'] OR [ipv4-addr:value = '198.51.100.8/32']"),
        indicator(7, "[file:name = 'Rechnung_0324.pdf.exe']"),
        { type: "malware", spec_version: "2.1", id: "malware--1", created, modified: created, name: "Qakbot", is_family: true },
        { type: "relationship", spec_version: "2.1", id: "relationship--1", created, modified: created, relationship_type: "indicates", source_ref: "indicator--2", target_ref: "malware--1" },
        { type: "ipv4-addr", spec_version: "2.1", id: "ipv4-addr--1", value: "203.0.113.9" },
        { type: "domain-name", spec_version: "2.1", id: "domain-name--1", value: "PAYMENT-NOTICE.NET" }, // a duplicate
        { type: "file", spec_version: "2.1", id: "file--1", name: "loader.dll", hashes: { "SHA-1": digest("sha1", "loader.dll"), "SHA-512": digest("sha512", "x") } },
        { type: "x-crypto-wallet", id: "x-crypto-wallet--1", address: BTC.p2wsh },
        { type: "observed-data", id: "observed-data--1", objects: { "0": { type: "url", value: "hxxp://evil[.]example/gate.php" } } },
      ]),
    );
    if ("error" in result) throw new Error(result.error);
    expect(result.rejected).toEqual([]);
    expect(result.duplicates).toBe(1);
    expect(result.indicators.map(({ type, value, line }) => [type, value, line])).toEqual([
      ["ipv4", "198.51.100.7", 2],
      ["domain", "payment-notice.net", 3],
      ["url", "https://payment-notice.net/pay", 3],
      ["sha256", sha256, 4],
      ["md5", md5, 4],
      ["email", "o'brien@payment-notice.net", 5],
      ["ipv6", "2001:db8::7", 6],
      ["ipv4", "198.51.100.8", 6],
      ["file_name", "Rechnung_0324.pdf.exe", 7],
      ["ipv4", "203.0.113.9", 10],
      ["sha1", digest("sha1", "loader.dll"), 12],
      ["file_name", "loader.dll", 12],
      ["btc_wallet", BTC.p2wsh, 13],
      ["url", "http://evil.example/gate.php", 14],
    ]);
    // An indicator's name comes along as the comment.
    expect(result.indicators[0]!.comment).toBe("Indicator 2");
  });

  it("reports each pattern it cannot hold as a list, with the object's position and what is unsupported", () => {
    const result = parseStixBundle(
      bundle([
        indicator(1, "[file:name = 'a.exe' AND file:size = 5120]"),
        indicator(2, "[ipv4-addr:value = '198.51.100.9'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.10']"),
        indicator(3, "[domain-name:value = 'evil.example'] WITHIN 300 SECONDS"),
        indicator(4, "[domain-name:value LIKE '%.evil.example']"),
        indicator(5, "[url:value MATCHES '^https?://evil']"),
        indicator(6, "[ipv4-addr:value != '198.51.100.7']"),
        indicator(7, "[network-traffic:dst_ref.value = '198.51.100.11']"),
        indicator(8, "[email-message:to_refs[*].value = 'a@evil.example']"),
        indicator(9, "[ipv4-addr:value = '198.51.100.0/24']"),
        indicator(10, "[ipv4-addr:value = '198.51.100.12"),
        indicator(11, "alert tcp any any -> any 443", { pattern_type: "snort" }),
        indicator(12, "[domain-name:value = 'evil.example']", { revoked: true }),
        indicator(13, ""),
        indicator(14, "([domain-name:value = 'evil.example'])"),
        indicator(15, "[x-crypto-wallet:address = 'evil.example']"),
        indicator(16, "[process:name = 'evil.exe']"),
        indicator(17, "[ipv4-addr:value = 5]"),
        indicator(18, "[ipv4-addr:value = '198.51.100.7'"),
        "not an object",
        { type: "domain-name", id: "domain-name--9" },
        { type: "file", id: "file--9", hashes: { "SHA-512": digest("sha512", "y") } },
        indicator(22, "[domain-name:value = 'fine.example']"),
      ]),
    );
    if ("error" in result) throw new Error(result.error);
    expect(keysOf(result)).toEqual(["domain fine.example"]);
    const reasons = new Map(result.rejected.map((r) => [r.line, r.reason]));
    expect([...reasons.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
    const unsupported = (found: string) => new RegExp(`Only simple patterns.*"${found.replace(/[[\]()*]/g, "\\$&")}"`);
    expect(reasons.get(1)).toMatch(unsupported("AND"));
    expect(reasons.get(2)).toMatch(unsupported("FOLLOWEDBY"));
    expect(reasons.get(3)).toMatch(unsupported("WITHIN"));
    expect(reasons.get(4)).toMatch(unsupported("LIKE"));
    expect(reasons.get(5)).toMatch(unsupported("MATCHES"));
    expect(reasons.get(6)).toMatch(unsupported("!="));
    expect(reasons.get(7)).toMatch(/"network-traffic:dst_ref\.value" holds no indicator/);
    expect(reasons.get(8)).toMatch(unsupported("["));
    expect(reasons.get(9)).toMatch(/range.*CIDR/);
    expect(reasons.get(10)).toMatch(/not closed/);
    expect(reasons.get(11)).toMatch(/Only STIX patterns.*"snort"/);
    expect(reasons.get(12)).toMatch(/revoked/);
    expect(reasons.get(13)).toMatch(/no pattern/);
    expect(reasons.get(14)).toMatch(unsupported("("));
    expect(reasons.get(15)).toMatch(/bitcoin wallet address or a monero wallet address, but it looks like a domain name/);
    expect(reasons.get(16)).toMatch(/"process:name" holds no indicator/);
    expect(reasons.get(17)).toMatch(unsupported("5"));
    expect(reasons.get(18)).toMatch(/Only simple patterns.*ends too early/);
    expect(reasons.get(19)).toMatch(/not a STIX object/);
    expect(reasons.get(20)).toMatch(/domain-name observable has no value/);
    expect(reasons.get(21)).toMatch(/no MD5, SHA-1 or SHA-256 hash and no name/);
  });

  it("is not fooled by object types named like the properties of every JavaScript object", () => {
    const result = parseStixBundle(
      bundle([
        { type: "constructor", id: "constructor--1", value: "x" },
        { type: "__proto__", id: "x--1", value: "x" },
        indicator(3, "[constructor:value = 'x']"),
        indicator(4, "[toString:value = 'x']"),
      ]),
    );
    if ("error" in result) throw new Error(result.error);
    expect(result.indicators).toEqual([]);
    expect(result.rejected.map((r) => r.line)).toEqual([3, 4]);
    expect(result.rejected[0]!.reason).toMatch(/holds no indicator/);
  });

  it("refuses a file that is not JSON, or not a bundle, as a whole", () => {
    const error = (text: string) => {
      const result = parseStixBundle(text);
      if (!("error" in result)) throw new Error(`expected an error for ${text}`);
      return result.error;
    };
    expect(error('{"type": "bundle", "objects": [')).toMatch(/not valid JSON/);
    expect(error("")).toMatch(/not valid JSON/);
    expect(error("[]")).toMatch(/not a STIX 2.1 bundle/);
    expect(error("null")).toMatch(/not a STIX 2.1 bundle/);
    expect(error(JSON.stringify(indicator(1, "[ipv4-addr:value = '198.51.100.7']")))).toMatch(/not a STIX 2.1 bundle \(its type is "indicator"\)/);
    expect(error('{"type": "bundle", "id": "bundle--1"}')).toMatch(/no "objects" list/);
    // A byte order mark is not an error.
    expect(parseStixBundle(`\uFEFF${bundle([])}`)).toEqual({ indicators: [], rejected: [], duplicates: 0 });
  });
});

describe("the form schema for one indicator", () => {
  it("gives the normalised value of a valid indicator", () => {
    expect(indicatorSchema.parse({ type: "ipv4", value: " 198.51.100[.]7 " })).toEqual({ type: "ipv4", value: "198.51.100.7" });
    expect(indicatorSchema.parse({ type: "btc_wallet", value: BTC.taproot.toUpperCase() })).toEqual({ type: "btc_wallet", value: BTC.taproot });
  });

  it("puts the reason on the value, and asks for a type when there is none", () => {
    const wrongValue = indicatorSchema.safeParse({ type: "xmr_wallet", value: mistype(XMR.generalFund, 40) });
    expect(wrongValue.success).toBe(false);
    expect(wrongValue.error!.issues).toMatchObject([{ path: ["value"], message: expect.stringMatching(/checksum does not match/) }]);
    const noType = indicatorSchema.safeParse({ type: "hostname", value: "evil.example" });
    expect(noType.error!.issues).toMatchObject([{ path: ["type"], message: "Choose the indicator's type." }]);
    const noValue = indicatorSchema.safeParse({ type: "domain" });
    expect(noValue.error!.issues).toMatchObject([{ path: ["value"], message: "Give the indicator's value." }]);
  });
});
