import { keccak_256 } from "@noble/hashes/sha3.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base58, base58xmr, bech32, bech32m } from "@scure/base";
import ipaddr from "ipaddr.js";

// The parsing rules for a threat input item's indicators: typing, refanging, validation and
// de-duplication of pasted lines, CSV files and STIX 2.1 bundles. Pure functions with no Node-only
// imports, because the same rules run in the browser bundle (live feedback while pasting) and on
// the server (the rule that counts). Whether a value is an address, a checksum or a hash is
// decided by well-kept libraries that run in both (ipaddr.js, @scure/base, @noble/hashes); why a
// value is refused is written here, in the words people read.

export const INDICATOR_TYPES = [
  "ipv4",
  "ipv6",
  "domain",
  "url",
  "email",
  "sha256",
  "sha1",
  "md5",
  "btc_wallet",
  "xmr_wallet",
  "file_name",
] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

// The words of INDICATOR_TYPE_LABELS (app/lib/labels.ts) inside a sentence.
const A_LABEL: Record<IndicatorType, string> = {
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
  domain: "a domain name",
  url: "a URL",
  email: "an email address",
  sha256: "a SHA-256 hash",
  sha1: "a SHA-1 hash",
  md5: "an MD5 hash",
  btc_wallet: "a bitcoin wallet address",
  xmr_wallet: "a monero wallet address",
  file_name: "a file name",
};

/** No indicator is longer; a longer line is a paste gone wrong, and refusing it early keeps parsing cheap. */
export const MAX_INDICATOR_LENGTH = 4096;

export type IndicatorCheck = { ok: true; value: string } | { ok: false; reason: string };
/**
 * One indicator as read. A comment that starts with "keep:" is the organisation's note for a
 * value it keeps although a warning list has it (see app/modules/reference/warning-lists.ts).
 */
export type ParsedIndicator = { type: IndicatorType; value: string; line: number; comment?: string; keepNote?: string };
export type RejectedIndicator = { line: number; input: string; reason: string };
export type IndicatorParseResult = {
  indicators: ParsedIndicator[];
  rejected: RejectedIndicator[];
  /**
   * Entries dropped because an earlier one had the same type and value. Values are normalised
   * (see validateIndicator), so equal values are the same indicator: that is also what the
   * database's unique index and the corroboration of indicators across organisations rely on.
   */
  duplicates: number;
};

// ---------------------------------------------------------------------------------------------
// Refanging

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;
// A space either side of a bracketed dot or at is part of the defanging ("user (at) example (dot)
// org"). One space, not a run of them: "\s*" at every position would make long lines quadratic.
const DEFANGED =
  / ?(?:\[ ?(\.|dot|@|at|:|:\/\/|\/\/|\/) ?\]|\( ?(\.|dot|@|at|:) ?\)|\{ ?(\.|dot|@|at|:) ?\}) ?|\\\./gi;
// Only at the start and before "://", so that a file called "fxp.exe" keeps its name.
const DEFANGED_SCHEME = /^(?:h(?:xx|\*\*)p(s?)|(fxp))(?=:\/\/)/i;
// An address copied from a mail link.
const MAILTO = /^mailto:(?=[^@]+@)/i;
const SURROUNDING: Record<string, string> = { '"': '"', "'": "'", "`": "`", "<": ">", "“": "”", "‘": "’", "«": "»" };

function undoDefang(_match: string, square?: string, round?: string, curly?: string): string {
  const inner = (square ?? round ?? curly ?? ".").toLowerCase();
  if (inner === "dot") return ".";
  if (inner === "at") return "@";
  return inner;
}

/**
 * Undoes the usual defanging of shared indicators (hxxp, [.], (dot), [@], [:], [://]), trims, and
 * drops surrounding quotes or angle brackets and a mailto: prefix. Harmless on a value that was
 * never defanged.
 */
export function refang(value: string): string {
  let out = value.replace(INVISIBLE, "").trim();
  for (;;) {
    const close = out.length >= 2 ? SURROUNDING[out[0]!] : undefined;
    if (close === undefined || !out.endsWith(close)) break;
    out = out.slice(1, -1).trim();
  }
  out = out.replace(DEFANGED, undoDefang);
  return out
    .replace(DEFANGED_SCHEME, (_m, s: string | undefined, ftp: string | undefined) => (ftp ? "ftp" : `http${s ? "s" : ""}`))
    .replace(MAILTO, "");
}

// ---------------------------------------------------------------------------------------------
// Automatic typing

const HEX = /^[0-9a-f]+$/i;
const IPV4_SHAPE = /^\d+\.\d+\.\d+\.\d+$/;
// A zone (%eth0) is allowed in the shape so that validation can say what is wrong with it.
const IPV6_CHARS = /^\[?[0-9a-f:.]+(?:%[\w.-]+)?\]?$/i;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
const BTC_LEGACY_SHAPE = /^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/;
const BTC_BECH32_SHAPE = /^bc1[0-9a-z]{6,87}$/i;
const XMR_SHAPE = /^[48](?:[1-9A-HJ-NP-Za-km-z]{94}|[1-9A-HJ-NP-Za-km-z]{105})$/;
const ASCII_LABEL = /^[a-z0-9-]+$/i;
const UNICODE_LABEL = /^[\p{L}\p{M}\p{N}-]+$/u;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/i;
const UNICODE_TLD = /^[\p{L}\p{M}]{2,63}$/u;
const NON_ASCII = /[^\x00-\x7f]/;
const EXTENSION = /^[a-z0-9]{0,9}[a-z][a-z0-9]{0,9}$/i;

// How a file name is told from a domain name. Both are dot-separated words, so the last word
// decides:
//  1. An extension no TLD uses (exe, dll, js, msi, pdf, docx, ...) makes a file name:
//     "payload.exe", "invoice.pdf.js", "setup.msi".
//  2. A value that is a well-formed host name is otherwise a domain, including the extensions that
//     are TLDs too (com, zip, mov, app, one, sh, py, ...): "evil.com", "update.zip". The exception
//     is the classic double extension, where the word before is a document or program extension:
//     "invoice.pdf.zip", "setup.exe.com". A subdomain called "pdf" or "exe" is rare; that lure is not.
//  3. Anything else with an extension (spaces, underscores, brackets, a non-TLD ending such as
//     "v2" or "c") is a file name: "my invoice (1).pdf", "dropper_x64.bin".
// A person who means the other reading chooses the type by hand.
const FILE_ONLY_EXTENSIONS = new Set(
  (
    "exe dll scr pif cpl sys drv ocx msi msp mst msix msixbundle appx appxbundle bat cmd ps1 psm1 psd1 " +
    "vbs vbe js jse wsf wsh hta lnk jar class iso img vhd vhdx chm reg elf bin dmg pkg deb rpm apk xapk " +
    "ipa dex dylib doc docx docm dotx dotm xls xlsx xlsm xlsb xlam xll ppt pptx pptm pps ppsx ppsm pot " +
    "potx pdf rtf odt ods odp txt csv eml msg htm html shtml xhtml svg xml json iqy slk sct inf ini tmp " +
    "dat log sqlite rar 7z gz tgz tar bz2 xz zst arj ace lzh lha uue jpg jpeg png gif bmp tif tiff webp " +
    "ico mp3 mp4 wav avi mkv wmv flv php asp aspx jsp cgi bash ts vb"
  ).split(" "),
);
const LURE_EXTENSIONS = new Set(
  "pdf doc docx docm xls xlsx xlsm ppt pptx rtf txt csv odt jpg jpeg png gif exe scr js msi lnk iso".split(" "),
);

/** The shape of a host name: dot-separated labels of letters, digits and hyphens, ending in a TLD of letters. */
function looksLikeDomain(host: string): boolean {
  const labels = host.split(".");
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1]!;
  if (!TLD.test(tld) && !(NON_ASCII.test(tld) && UNICODE_TLD.test(tld))) return false;
  for (const label of labels) {
    if (label === "" || !(ASCII_LABEL.test(label) || (NON_ASCII.test(label) && UNICODE_LABEL.test(label)))) {
      return false;
    }
  }
  return true;
}

function detectRefanged(value: string): IndicatorType | null {
  if (value === "") return null;
  if (SCHEME.test(value)) return "url";
  if (HEX.test(value)) {
    if (value.length === 64) return "sha256";
    if (value.length === 40) return "sha1";
    if (value.length === 32) return "md5";
  }
  if (IPV4_SHAPE.test(value)) return "ipv4";
  const colon = value.indexOf(":");
  if (colon >= 0 && value.indexOf(":", colon + 1) > 0 && IPV6_CHARS.test(value)) return "ipv6";
  if (EMAIL_SHAPE.test(value)) return "email";
  if (BTC_BECH32_SHAPE.test(value) || BTC_LEGACY_SHAPE.test(value)) return "btc_wallet";
  if (XMR_SHAPE.test(value)) return "xmr_wallet";

  const dot = value.lastIndexOf(".");
  if (dot <= 0 || value.includes("/") || value.includes("\\")) return null;
  const extension = value.slice(dot + 1).toLowerCase();
  if (FILE_ONLY_EXTENSIONS.has(extension)) return "file_name";
  // A trailing dot is a fully qualified domain name (evil.example.), not an empty extension.
  const host = extension === "" ? value.slice(0, -1) : value;
  if (looksLikeDomain(host)) {
    const labels = host.toLowerCase().split(".");
    const inner = labels.length >= 3 ? labels[labels.length - 2]! : "";
    return LURE_EXTENSIONS.has(inner) ? "file_name" : "domain";
  }
  return EXTENSION.test(extension) ? "file_name" : null;
}

/**
 * The type a value has by its shape, after refanging; null when it has none of them. The shape
 * is enough to pick a type, not to accept the value: validateIndicator says whether it is valid.
 */
export function detectIndicatorType(value: string): IndicatorType | null {
  return detectRefanged(refang(value));
}

/** "evil.example/login" or "evil.example:8080/": a URL that lost its scheme. */
function hostThenPath(value: string): boolean {
  const slash = value.indexOf("/");
  if (slash <= 0) return false;
  const host = value.slice(0, slash).replace(/:\d+$/, "");
  return looksLikeDomain(host) || IPV4_SHAPE.test(host);
}

/** Why a value has no type, as precisely as its shape allows. */
function explainUnrecognised(value: string): string {
  if (HEX.test(value) && value.length >= 16) {
    if (value.length === 128) return "This looks like a SHA-512 hash; only MD5, SHA-1 and SHA-256 hashes are accepted.";
    return `This looks like a hash, but it has ${value.length} hexadecimal characters; an MD5 hash has 32, a SHA-1 hash 40 and a SHA-256 hash 64.`;
  }
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(value)) {
    return "This is an IP address with a port; give the address alone, without the port.";
  }
  if (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(value) || /^[0-9a-f:]+\/\d+$/i.test(value)) {
    return "This is a range of addresses (CIDR); list single addresses instead.";
  }
  if (hostThenPath(value)) {
    return "This looks like a web address without its scheme; write it with http:// or https:// in front.";
  }
  if (value.includes("\\") || /^\/|^[a-z]:/i.test(value)) {
    return "This looks like a file path; give the file name only, without its folders.";
  }
  if (/\s/.test(value)) {
    return 'This line holds more than one value, or a value with spaces in it; put one indicator on each line, and a comment after " # ".';
  }
  return "This is not recognised as an IP address, domain name, URL, email address, MD5, SHA-1 or SHA-256 hash, bitcoin or monero wallet address, or file name. Choose the type by hand if it is one of them.";
}

// ---------------------------------------------------------------------------------------------
// Validation and normalisation, per type

const ok = (value: string): IndicatorCheck => ({ ok: true, value });
const fail = (reason: string): IndicatorCheck => ({ ok: false, reason });
const show = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text);
const firstNotIn = (value: string, allowed: RegExp) => [...value].find((ch) => !allowed.test(ch)) ?? "";

const HASH_LENGTHS = { md5: [32, "An MD5"], sha1: [40, "A SHA-1"], sha256: [64, "A SHA-256"] } as const;

function validateHash(type: "md5" | "sha1" | "sha256", value: string): IndicatorCheck {
  const [length, name] = HASH_LENGTHS[type];
  if (!HEX.test(value)) {
    return fail(
      `${name} hash has only hexadecimal characters (0-9 and a-f); this one contains "${firstNotIn(value, /[0-9a-f]/i)}".`,
    );
  }
  if (value.length !== length) {
    return fail(`${name} hash has ${length} hexadecimal characters; this one has ${value.length}.`);
  }
  return ok(value.toLowerCase());
}

/** The four numbers of a dotted quad, or the reason it is not one. */
function parseIpv4(value: string): number[] | string {
  if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(value)) return "Give the IPv4 address without a port.";
  if (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(value)) {
    return "This is a range of addresses (CIDR); list single IPv4 addresses instead.";
  }
  if (!IPV4_SHAPE.test(value)) {
    return "An IPv4 address is four numbers from 0 to 255 separated by dots, like 198.51.100.7.";
  }
  const parts = value.split(".");
  const numbers: number[] = [];
  for (const part of parts) {
    // Some tools read a leading zero as octal (010 is 8), so such an address means different
    // things to different tools; refusing it is safer than guessing.
    if (part.length > 1 && part.startsWith("0")) {
      return `"${part}" has a leading zero, which some tools read as octal; write the address without leading zeros.`;
    }
    const n = Number(part);
    if (n > 255) return `Each number of an IPv4 address is from 0 to 255; "${part}" is too large.`;
    numbers.push(n);
  }
  return numbers;
}

function validateIpv4(value: string): IndicatorCheck {
  // ipaddr.js decides (four decimal parts, no leading zeros, none above 255); parseIpv4 says why not.
  if (IPV4_SHAPE.test(value) && ipaddr.IPv4.isValidFourPartDecimal(value)) return ok(ipaddr.IPv4.parse(value).toString());
  const parsed = parseIpv4(value);
  return typeof parsed === "string" ? fail(parsed) : fail("This is not a valid IPv4 address.");
}

const IPV6_HELP =
  "An IPv6 address is eight groups of up to four hexadecimal digits separated by colons, with one \"::\" allowed for a run of zero groups, like 2001:db8::7.";
const IPV6_GROUP = /^[0-9a-f]{1,4}$/;

/**
 * Why a value is not an IPv6 address, or null when nothing is wrong with its shape: ipaddr.js
 * decides, and this says what a person got wrong (an IPv4 address, a zone, a range, a stray
 * character, a group too long, one too many "::", the wrong count of groups).
 */
function ipv6Problem(input: string): string | null {
  let value = input.toLowerCase();
  if (value.startsWith("[") && value.endsWith("]")) value = value.slice(1, -1);
  if (IPV4_SHAPE.test(value)) return "This is an IPv4 address, not an IPv6 one; choose IPv4 as its type.";
  if (value.includes("%")) return "Give the IPv6 address without a zone (the part after %).";
  if (/^[0-9a-f:]+\/\d+$/.test(value)) return "This is a range of addresses (CIDR); list single IPv6 addresses instead.";
  if (!/^[0-9a-f:.]+$/.test(value)) {
    return `${IPV6_HELP} "${firstNotIn(value, /[0-9a-f:.]/)}" cannot appear in one.`;
  }
  let tail = 0;
  if (value.includes(".")) {
    // An IPv4 address may stand for the last two groups (::ffff:198.51.100.7).
    const colon = value.lastIndexOf(":");
    const ipv4 = parseIpv4(value.slice(colon + 1));
    if (typeof ipv4 === "string") return `The IPv4 part at the end of this IPv6 address is not valid. ${ipv4}`;
    tail = 2;
    value = value.slice(0, value.endsWith("::", colon + 1) ? colon + 1 : colon);
  }
  const halves = value.split("::");
  if (halves.length > 2) return `"::" may appear only once in an IPv6 address. ${IPV6_HELP}`;
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":"));
  const groups = [...groupsOf(halves[0]!), ...(halves.length === 2 ? groupsOf(halves[1]!) : [])];
  for (const group of groups) {
    if (group === "") return `This IPv6 address has an empty group (a lone ":" at its start or end, or ":::"). ${IPV6_HELP}`;
    if (!IPV6_GROUP.test(group)) return `The group "${show(group)}" has more than four hexadecimal digits. ${IPV6_HELP}`;
  }
  const count = groups.length + tail;
  if (halves.length === 1 && count !== 8) return `This IPv6 address has ${count} groups. ${IPV6_HELP}`;
  if (halves.length === 2 && count > 7) return `This IPv6 address has too many groups for a "::". ${IPV6_HELP}`;
  return null;
}

/** RFC 5952 (ipaddr.js), with an IPv4-mapped address in its dotted form as §5 recommends. */
function validateIpv6(value: string): IndicatorCheck {
  const problem = ipv6Problem(value);
  if (problem) return fail(problem);
  const bare = value.startsWith("[") && value.endsWith("]") ? value.slice(1, -1) : value;
  if (!ipaddr.IPv6.isValid(bare)) return fail(`This is not a valid IPv6 address. ${IPV6_HELP}`);
  const address = ipaddr.IPv6.parse(bare);
  return ok(address.isIPv4MappedAddress() ? `::ffff:${address.toIPv4Address().toString()}` : address.toRFC5952String());
}

const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const IDN_CHARS = /^[\p{L}\p{M}\p{N}.-]+$/u;

/** A domain name in lower case and, when internationalised, in its ASCII (punycode) form. */
function validateDomain(input: string): IndicatorCheck {
  let value = input.endsWith(".") ? input.slice(0, -1) : input;
  if (value === "") return fail("The domain name is empty.");
  if (NON_ASCII.test(value)) {
    if (!IDN_CHARS.test(value)) {
      return fail(`A domain name has letters, digits, hyphens and dots only; "${firstNotIn(value, /[\p{L}\p{M}\p{N}.-]/u)}" cannot appear in one.`);
    }
    // The URL parser is the browser's and Node's own IDNA (UTS 46) implementation.
    try {
      value = new URL(`http://${value}/`).hostname;
    } catch {
      return fail("This internationalised domain name cannot be converted to its ASCII form; check its letters.");
    }
  }
  value = value.toLowerCase();
  if (value.length > 253) return fail(`A domain name has at most 253 characters; this one has ${value.length}.`);
  const labels = value.split(".");
  if (labels.length < 2) {
    return fail("A domain name has at least two parts separated by a dot, like evil.example.");
  }
  for (const label of labels) {
    if (label === "") return fail("This domain name has an empty part between two dots.");
    if (label.length > 63) return fail(`Each part of a domain name has at most 63 characters; "${show(label)}" has ${label.length}.`);
    if (!LDH_LABEL.test(label)) {
      if (label.startsWith("-") || label.endsWith("-")) {
        return fail(`A part of a domain name cannot start or end with a hyphen, as "${show(label)}" does.`);
      }
      return fail(`A domain name has letters, digits, hyphens and dots only; "${firstNotIn(label, /[a-z0-9-]/)}" cannot appear in one.`);
    }
  }
  const tld = labels[labels.length - 1]!;
  if (!TLD.test(tld)) {
    return fail(`The last part of a domain name (its top-level domain) is made of letters; "${show(tld)}" is not.`);
  }
  return ok(value);
}

const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+$/u;

/**
 * In lower case, with its domain normalised like a domain name. The part before the @ may in
 * theory be case-sensitive, but no mail provider treats it so, and one spelling per address is
 * what lets the same address from two organisations be recognised as one.
 */
function validateEmail(value: string): IndicatorCheck {
  const at = value.lastIndexOf("@");
  if (at < 0) return fail("An email address has an @ between the mailbox and the domain, like user@example.org.");
  const local = value.slice(0, at);
  if (local === "") return fail("This email address has nothing before the @.");
  if (local.length > 64) return fail(`The part of an email address before the @ has at most 64 characters; this one has ${local.length}.`);
  if (!LOCAL_PART.test(local)) {
    return fail(`The part of an email address before the @ cannot contain "${firstNotIn(local, /[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]/u)}".`);
  }
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return fail("The part of an email address before the @ cannot start or end with a dot or have two dots in a row.");
  }
  const domain = validateDomain(value.slice(at + 1));
  if (!domain.ok) return fail(`The domain of this email address is not valid. ${domain.reason}`);
  const address = `${local.toLowerCase()}@${domain.value}`;
  if (address.length > 254) return fail(`An email address has at most 254 characters; this one has ${address.length}.`);
  return ok(address);
}

const URL_SCHEMES = new Set(["http", "https", "ftp"]);

/**
 * The URL with its scheme and host written as the URL parser writes them (lower case, punycode,
 * no default port, "/" for an empty path) and the rest as given: paths are case-sensitive, and
 * their spelling ("%2e%2e/", "//", "\\") is evidence that the parser would rewrite.
 */
function validateUrl(value: string): IndicatorCheck {
  if (/\s/.test(value)) return fail("A URL has no spaces in it; write a space as %20.");
  const scheme = SCHEME.exec(value);
  if (!scheme) return fail("A URL starts with its scheme, like https://evil.example/path.");
  const name = scheme[1]!.toLowerCase();
  if (!URL_SCHEMES.has(name)) {
    return fail(`Only http, https and ftp URLs are accepted; this one is "${show(name)}".`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail("This URL cannot be read; check the part after the scheme for stray characters.");
  }
  // http, https and ftp URLs always have a host: "http:///x" is read as host "x".
  const rest = value.slice(scheme[0].length).replace(/^[^/\\?#]*/, "");
  const user = url.username ? `${url.username}${url.password ? `:${url.password}` : ""}@` : "";
  return ok(`${url.protocol}//${user}${url.host}${/^[/\\]/.test(rest) ? rest : `/${rest}`}`);
}

function validateFileName(value: string): IndicatorCheck {
  if (value.includes("/") || value.includes("\\")) {
    const name = value.slice(Math.max(value.lastIndexOf("/"), value.lastIndexOf("\\")) + 1);
    return fail(
      name
        ? `A file name has no folders in it; give only the name after the last slash ("${show(name)}").`
        : "A file name has no folders in it; this value ends with a slash.",
    );
  }
  if (/[\x00-\x1f\x7f]/.test(value)) return fail("A file name cannot contain control characters.");
  if (value === "." || value === "..") return fail(`"${value}" is not a file name.`);
  if (value.length > 255) return fail(`A file name has at most 255 characters; this one has ${value.length}.`);
  return ok(value);
}

function validateBitcoin(value: string): IndicatorCheck {
  if (/^bc1/i.test(value)) return validateBech32Address(value);
  if (!/^[13]/.test(value)) {
    return fail("A bitcoin address starts with 1 or 3 (legacy addresses) or bc1 (SegWit addresses); test-network addresses are not accepted.");
  }
  const bad = firstNotIn(value, /[1-9A-HJ-NP-Za-km-z]/);
  if (bad) {
    return fail(`"${bad}" cannot appear in a bitcoin address (its alphabet leaves out 0, O, I and l, and has no punctuation).`);
  }
  if (value.length < 26 || value.length > 35) {
    return fail(`A bitcoin address starting with 1 or 3 has 26 to 35 characters; this one has ${value.length}.`);
  }
  const bytes = base58.decode(value);
  if (bytes.length !== 25 || bytes[0] !== (value.startsWith("1") ? 0x00 : 0x05)) {
    return fail("This is not a valid bitcoin address: it does not decode to an address of its kind.");
  }
  const check = sha256(sha256(bytes.subarray(0, 21)));
  for (let i = 0; i < 4; i++) {
    if (check[i] !== bytes[21 + i]) {
      return fail("This bitcoin address's checksum does not match: a character is probably mistyped or missing.");
    }
  }
  return ok(value);
}

const BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

// BIP 173 (bech32, witness version 0) and BIP 350 (bech32m, versions 1 to 16), decoded by @scure/base.
function validateBech32Address(input: string): IndicatorCheck {
  if (input !== input.toLowerCase() && input !== input.toUpperCase()) {
    return fail("A bc1 bitcoin address is all lower case or all upper case, not mixed.");
  }
  const value = input.toLowerCase();
  if (value.length > 90) return fail(`A bc1 bitcoin address has at most 90 characters; this one has ${value.length}.`);
  const bad = [...value.slice(3)].find((ch) => !BECH32_CHARSET.includes(ch));
  if (bad) return fail(`"${bad}" cannot appear in a bc1 bitcoin address (its alphabet leaves out 1, b, i and o).`);
  if (value.length - 3 < 7) return fail("This bc1 bitcoin address is too short.");
  // Version 0 is checksummed with bech32, every later version with bech32m.
  const legacy = bech32.decodeUnsafe(value, 90);
  const modern = bech32m.decodeUnsafe(value, 90);
  const decoded = legacy && legacy.words[0] === 0 ? legacy : modern && modern.words[0] !== 0 ? modern : undefined;
  if (!decoded || decoded.prefix !== "bc") {
    return fail("This bitcoin address's checksum does not match: a character is probably mistyped or missing.");
  }
  const version = decoded.words[0]!;
  if (version > 16) return fail(`This is not a valid bitcoin address: its witness version (${version}) is above 16.`);
  const program = bech32.fromWordsUnsafe(decoded.words.slice(1));
  const valid =
    program !== undefined &&
    (version === 0 ? program.length === 20 || program.length === 32 : program.length >= 2 && program.length <= 40);
  if (!valid) return fail("This is not a valid bitcoin address: its witness program has the wrong length.");
  return ok(value);
}

// Monero's network bytes on the main network: standard (18) and integrated (19) addresses start
// with 4, subaddresses (42) with 8.
const XMR_KINDS: Record<number, { length: number; bytes: number }> = {
  18: { length: 95, bytes: 69 },
  19: { length: 106, bytes: 77 },
  42: { length: 95, bytes: 69 },
};

function validateMonero(value: string): IndicatorCheck {
  if (!/^[48]/.test(value)) return fail("A monero address starts with 4 (or 8 for a subaddress).");
  const bad = firstNotIn(value, /[1-9A-HJ-NP-Za-km-z]/);
  if (bad) {
    return fail(`"${bad}" cannot appear in a monero address (its alphabet leaves out 0, O, I and l, and has no punctuation).`);
  }
  if (value.length !== 95 && value.length !== 106) {
    return fail(`A monero address has 95 characters (106 for an integrated address); this one has ${value.length}.`);
  }
  let bytes: Uint8Array | null;
  try {
    bytes = base58xmr.decode(value);
  } catch {
    bytes = null;
  }
  const kind = bytes ? XMR_KINDS[bytes[0]!] : undefined;
  if (!bytes || !kind || kind.length !== value.length || kind.bytes !== bytes.length) {
    return fail("This is not a valid monero main-network address: it does not decode to an address of its kind.");
  }
  // Keccak-256 with the original padding, not SHA3-256's: what Monero uses.
  const check = keccak_256(bytes.subarray(0, bytes.length - 4));
  for (let i = 0; i < 4; i++) {
    if (check[i] !== bytes[bytes.length - 4 + i]) {
      return fail("This monero address's checksum does not match: a character is probably mistyped or missing.");
    }
  }
  return ok(value);
}

function validateRefanged(type: IndicatorType, value: string): IndicatorCheck {
  switch (type) {
    case "ipv4":
      return validateIpv4(value);
    case "ipv6":
      return validateIpv6(value);
    case "domain":
      return validateDomain(value);
    case "url":
      return validateUrl(value);
    case "email":
      return validateEmail(value);
    case "sha256":
    case "sha1":
    case "md5":
      return validateHash(type, value);
    case "btc_wallet":
      return validateBitcoin(value);
    case "xmr_wallet":
      return validateMonero(value);
    case "file_name":
      return validateFileName(value);
  }
}

/**
 * Checks a value as an indicator of the given type (refanging it first) and returns it in its one
 * normal form, so that two spellings of the same indicator come out equal: hashes, domains, email
 * addresses and bech32 addresses in lower case, internationalised domains in punycode and without
 * a trailing dot, IPv6 in its RFC 5952 form, a URL's scheme and host as the URL parser writes them.
 * File names, base58 wallets and a URL's path are kept as given, because their case matters.
 */
export function validateIndicator(type: IndicatorType, value: string): IndicatorCheck {
  const checked = classify(value, [type]);
  return checked.ok ? ok(checked.value) : checked;
}

/**
 * The identity of an indicator, for telling whether two lists hold the same one: its type and its
 * normalised value (as validateIndicator and the parsers return it).
 */
export function indicatorKey(type: IndicatorType, value: string): string {
  return `${type} ${value}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing lists: pasted lines, CSV, STIX

type Classified = { ok: true; type: IndicatorType; value: string } | { ok: false; reason: string };

/**
 * Types a raw value among the candidate types (all when null) and validates it. `typeName` is
 * what the source called the type, for the reason when the value does not fit it.
 */
function classify(raw: string, candidates: readonly IndicatorType[] | null, typeName = ""): Classified {
  if (raw.length > MAX_INDICATOR_LENGTH) {
    return { ok: false, reason: `This value has ${raw.length.toLocaleString("en")} characters; no indicator is longer than ${MAX_INDICATOR_LENGTH.toLocaleString("en")}.` };
  }
  const value = refang(raw);
  if (value === "") {
    return { ok: false, reason: `The value is empty${candidates?.length === 1 ? `; give ${A_LABEL[candidates[0]!]}` : ""}.` };
  }
  let type: IndicatorType | null;
  if (candidates && candidates.length === 1) {
    type = candidates[0]!;
  } else {
    type = detectRefanged(value);
    if (candidates && (type === null || !candidates.includes(type))) {
      return { ok: false, reason: mismatchReason(candidates, type, typeName, value) };
    }
    if (type === null) return { ok: false, reason: explainUnrecognised(value) };
  }
  const checked = validateRefanged(type, value);
  return checked.ok ? { ok: true, type, value: checked.value } : checked;
}

function mismatchReason(
  candidates: readonly IndicatorType[],
  detected: IndicatorType | null,
  typeName: string,
  value: string,
): string {
  if (candidates.includes("md5") && HEX.test(value)) {
    return `A hash has 32 (MD5), 40 (SHA-1) or 64 (SHA-256) hexadecimal characters; this one has ${value.length}.`;
  }
  const wanted = candidates.map((type) => A_LABEL[type]).join(" or ");
  const seen = detected ? `it looks like ${A_LABEL[detected]}` : "it does not look like one";
  return `The type "${typeName}" needs ${wanted}, but ${seen}.`;
}

// "# keep: the loader checks connectivity against it": kept although a warning list has it.
const KEEP_NOTE = /^keep:\s*(\S.*)$/i;

function collector() {
  const result: IndicatorParseResult = { indicators: [], rejected: [], duplicates: 0 };
  const seen = new Set<string>();
  return {
    result,
    add(classified: Classified, line: number, input: string, comment?: string) {
      if (!classified.ok) {
        result.rejected.push({ line, input, reason: classified.reason });
        return;
      }
      const key = indicatorKey(classified.type, classified.value);
      if (seen.has(key)) {
        result.duplicates += 1;
        return;
      }
      seen.add(key);
      const indicator: ParsedIndicator = { type: classified.type, value: classified.value, line };
      const keep = comment ? KEEP_NOTE.exec(comment) : null;
      if (keep) indicator.keepNote = keep[1]!;
      else if (comment) indicator.comment = comment;
      result.indicators.push(indicator);
    },
    reject(line: number, input: string, reason: string) {
      result.rejected.push({ line, input, reason });
    },
  };
}

const LINE_BREAK = /\r\n|\r|\n/;
// "sha256: e3b0...", "file_name: evil.com": a type name (or alias) and a colon choose the type. Not
// before "//", so that "file://..." stays a (refused) URL; IPv6 addresses start with no type name.
const TYPED_LINE = /^([a-z][a-z0-9 _-]{0,29}?)\s*:(?!\/\/)\s*(\S.*)$/i;
// " # " after the value starts a comment. Not "#" alone, which file names have ("Invoice #12.pdf").
const TRAILING_COMMENT = /\s#(?:\s|$)/;

/**
 * One indicator a line: `value`, or `type: value` to choose the type, either followed by
 * ` # comment` (the form an imported indicator is written back into the paste box in). Blank
 * lines and lines starting with # are skipped; each value is refanged, typed (by its line, else as
 * `options.type`, else by detection), validated and de-duplicated, keeping the first. Failing lines
 * come back with their 1-based line number and the reason; the rest are kept.
 */
export function parseIndicatorLines(text: string, options: { type?: IndicatorType } = {}): IndicatorParseResult {
  const out = collector();
  const lines = text.split(LINE_BREAK);
  for (let i = 0; i < lines.length; i++) {
    const input = lines[i]!.trim();
    if (input === "" || input.startsWith("#")) continue;
    const hash = TRAILING_COMMENT.exec(input);
    let value = hash ? input.slice(0, hash.index) : input;
    const comment = hash ? input.slice(hash.index + 2).trim() : "";
    let candidates: readonly IndicatorType[] | null = options.type ? [options.type] : null;
    let typeName = "";
    const typed = TYPED_LINE.exec(value);
    const named = typed ? typesNamed(typed[1]!) : undefined;
    if (typed && named) {
      [candidates, typeName, value] = [named, typed[1]!.trim(), typed[2]!];
    }
    out.add(classify(value, candidates, typeName), i + 1, input, comment || undefined);
  }
  return out.result;
}

// The names other tools give the types (MISP, STIX, spreadsheets), after lower-casing and turning
// spaces and underscores into hyphens. A name that covers several types is settled by detection.
const WALLET: readonly IndicatorType[] = ["btc_wallet", "xmr_wallet"];
const TYPE_ALIASES = new Map<string, readonly IndicatorType[]>();
for (const type of INDICATOR_TYPES) TYPE_ALIASES.set(type.replace("_", "-"), [type]);
for (const [types, names] of [
  [["ipv4", "ipv6"], "ip ip-dst ip-src ip-addr ip-address ipaddress"],
  [["ipv4"], "ip4 ipv4-addr ipv4-address"],
  [["ipv6"], "ip6 ipv6-addr ipv6-address"],
  [["domain"], "domain-name hostname host fqdn"],
  [["url"], "uri link"],
  [["email"], "email-addr email-address e-mail email-src email-dst mail"],
  [["sha256"], "sha-256"],
  [["sha1"], "sha-1"],
  [["md5", "sha1", "sha256"], "hash hashes file-hash"],
  [["file_name"], "filename file"],
  [["btc_wallet"], "btc bitcoin bitcoin-address bitcoin-wallet"],
  [["xmr_wallet"], "xmr monero monero-address monero-wallet"],
  [WALLET, "wallet crypto-wallet cryptocurrency-wallet wallet-address"],
] as const) {
  for (const name of names.split(" ")) TYPE_ALIASES.set(name, types);
}

/** The types a type name stands for: null for an empty name (detect), undefined for an unknown one. */
function typesNamed(name: string): readonly IndicatorType[] | null | undefined {
  const key = name.trim().toLowerCase().replace(/[\s_]+/g, "-");
  if (key === "") return null;
  return TYPE_ALIASES.get(key);
}

type CsvRecord = { line: number; fields: string[]; error?: string };

function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) count += 1;
  }
  return count;
}

// A blank line, or a comment line (# first), read to its end without looking for quotes: a quote
// in a comment must not open a field that swallows the rows after it.
const SKIPPED_LINE = /[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|$)/y;

/**
 * RFC 4180 records, each with the line it starts on; a quoted field may hold the delimiter,
 * quotes ("") and line breaks. Blank and comment lines make no record.
 */
function readCsv(text: string, delimiter: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  const nextDelimiter = (from: number) => {
    let i = from;
    while (i < n && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") i += 1;
    return i;
  };
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    SKIPPED_LINE.lastIndex = i;
    if (SKIPPED_LINE.test(text)) {
      i = SKIPPED_LINE.lastIndex;
      line += 1;
      continue;
    }
    const record: CsvRecord = { line, fields: [] };
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        i += 1;
        for (;;) {
          const quote = text.indexOf('"', i);
          if (quote < 0) {
            record.error = "A quoted field is not closed: a closing double quote is missing.";
            field += text.slice(i);
            line += countLineBreaks(text, i, n);
            i = n;
            break;
          }
          field += text.slice(i, quote);
          line += countLineBreaks(text, i, quote);
          i = quote + 1;
          if (text[i] !== '"') break;
          field += '"';
          i += 1;
        }
      }
      // Text after a closing quote is kept rather than refused, as spreadsheet programs do.
      const end = nextDelimiter(i);
      field += text.slice(i, end);
      i = end;
      record.fields.push(field);
      if (i >= n) break;
      if (text[i] === delimiter) {
        i += 1;
        continue;
      }
      i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line += 1;
      break;
    }
    records.push(record);
  }
  return records;
}

/**
 * A comma, or a semicolon when the first row has semicolons and no comma: spreadsheet programs
 * save "CSV" with semicolons wherever the comma is the decimal separator (most of Europe).
 */
function delimiterOf(text: string): string {
  const first = /^(?![ \t]*(?:#|$)).+$/m.exec(text)?.[0] ?? "";
  const unquoted = first.replace(/"[^"]*"?/g, "");
  return !unquoted.includes(",") && unquoted.includes(";") ? ";" : ",";
}

const HEADER_NAMES = {
  type: new Set(["type", "indicator-type", "kind"]),
  value: new Set(["value", "indicator", "ioc"]),
  comment: new Set(["comment", "comments", "description", "note", "notes"]),
};
type Columns = { type: number; value: number; comment: number; names: string[] };

/** The columns a header row names, or null when the row is not a header. */
function headerColumns(fields: string[]): Columns | null {
  const names = fields.map((field) => field.trim().toLowerCase().replace(/[\s_]+/g, "-"));
  const value = names.findIndex((name) => HEADER_NAMES.value.has(name));
  const type = names.findIndex((name) => HEADER_NAMES.type.has(name));
  const comment = names.findIndex((name) => HEADER_NAMES.comment.has(name));
  // A value column and one other known column make a header; other columns are ignored.
  if (value < 0 || (type < 0 && comment < 0 && names.length > 1)) return null;
  return { type, value, comment, names: fields.map((field) => field.trim()) };
}

/**
 * A CSV file of `type,value[,comment]` rows, with or without that header (a header may also order
 * the columns differently, and name others, which are ignored); semicolons instead of commas are
 * understood. An empty type is detected; the type may also be one of the usual aliases (ip,
 * ip-dst, hash, filename, wallet, ...), and a row of one field is a bare value. Blank lines and
 * lines starting with # are skipped. Bad rows come back with the line they start on and the
 * reason; good rows are kept.
 */
export function parseIndicatorCsv(text: string): IndicatorParseResult {
  const out = collector();
  const delimiter = delimiterOf(text);
  const records = readCsv(text, delimiter);
  const header = records[0] && !records[0].error ? headerColumns(records[0].fields) : null;
  const columns = header ?? { type: 0, value: 1, comment: 2, names: ["type", "value", "comment"] };
  for (const { fields, line, error } of header ? records.slice(1) : records) {
    const input = fields.join(delimiter);
    if (error) {
      out.reject(line, input, error);
      continue;
    }
    if (fields.length > columns.names.length) {
      out.reject(
        line,
        input,
        `This row has ${fields.length} fields; expected at most ${columns.names.length} (${columns.names.join(", ")}). Put a value or comment that contains "${delimiter}" in double quotes.`,
      );
      continue;
    }
    const single = fields.length === 1;
    const typeName = single || columns.type < 0 ? "" : (fields[columns.type] ?? "").trim();
    const value = single ? fields[0]! : (fields[columns.value] ?? "");
    const comment = columns.comment >= 0 ? (fields[columns.comment] ?? "").trim() : "";
    const candidates = typesNamed(typeName);
    if (candidates === undefined) {
      out.reject(line, input, `"${show(typeName)}" is not a known indicator type; use one of ${INDICATOR_TYPES.join(", ")}, or leave the type empty to detect it.`);
      continue;
    }
    if (value.trim() === "") {
      out.reject(line, input, "This row has no value.");
      continue;
    }
    out.add(classify(value, candidates, typeName), line, input, comment || undefined);
  }
  return out.result;
}

// STIX patterns: only what is a plain list of values is read, that is observations of
// `object:path = 'string'` comparisons joined by OR. AND, other operators, qualifiers and
// non-string literals express conditions this portal cannot hold as a list of indicators.

type Token = { kind: "punct" | "word" | "string"; text: string };

function tokenise(pattern: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      let text = "";
      i += 1;
      for (;;) {
        if (i >= pattern.length) return "A quoted value in the pattern is not closed.";
        const c = pattern[i]!;
        if (c === "\\" && i + 1 < pattern.length) {
          text += pattern[i + 1];
          i += 2;
        } else if (c === "'") {
          i += 1;
          break;
        } else {
          text += c;
          i += 1;
        }
      }
      tokens.push({ kind: "string", text });
    } else if (/[A-Za-z0-9_-]/.test(ch)) {
      let j = i;
      while (j < pattern.length && /[A-Za-z0-9_-]/.test(pattern[j]!)) j += 1;
      tokens.push({ kind: "word", text: pattern.slice(i, j) });
      i = j;
    } else {
      const two = pattern.slice(i, i + 2);
      const text = two === "!=" || two === "<=" || two === ">=" ? two : ch;
      tokens.push({ kind: "punct", text });
      i += text.length;
    }
  }
  return tokens;
}

type Comparison = { path: string; objectType: string; property: string[]; value: string };

function unsupported(found: Token | undefined): string {
  const where = found ? `has "${show(found.text)}"` : "ends too early";
  return `Only simple patterns like [ipv4-addr:value = '198.51.100.7'], joined with OR, can be imported; this one ${where}.`;
}

/** The comparisons of a pattern that is observations of `path = 'string'` joined by OR. */
function parsePattern(pattern: string): Comparison[] | string {
  const tokens = tokenise(pattern);
  if (typeof tokens === "string") return tokens;
  const comparisons: Comparison[] = [];
  let i = 0;
  const peek = () => tokens[i];
  const isOr = (token: Token | undefined) => token?.kind === "word" && token.text.toUpperCase() === "OR";
  for (;;) {
    if (peek()?.text !== "[") return unsupported(peek());
    i += 1;
    for (;;) {
      const objectType = peek();
      if (objectType?.kind !== "word" || tokens[i + 1]?.text !== ":") return unsupported(objectType);
      i += 2;
      const property: string[] = [];
      for (;;) {
        const part = peek();
        if (!part || (part.kind !== "word" && part.kind !== "string")) return unsupported(part);
        property.push(part.text);
        i += 1;
        if (peek()?.text !== ".") break;
        i += 1;
      }
      if (peek()?.text !== "=") return unsupported(peek());
      i += 1;
      const value = peek();
      if (value?.kind !== "string") return unsupported(value);
      i += 1;
      comparisons.push({
        path: `${objectType.text}:${property.join(".")}`,
        objectType: objectType.text.toLowerCase(),
        property,
        value: value.text,
      });
      if (!isOr(peek())) break;
      i += 1;
    }
    if (peek()?.text !== "]") return unsupported(peek());
    i += 1;
    if (i === tokens.length) return comparisons;
    if (!isOr(peek())) return unsupported(peek());
    i += 1;
  }
}

// The observables whose `value` is an indicator of one type. A Map, not an object literal: the
// type names come from the file, and "constructor" must not find Object.prototype's.
const SCO_TYPES = new Map<string, IndicatorType>([
  ["ipv4-addr", "ipv4"],
  ["ipv6-addr", "ipv6"],
  ["domain-name", "domain"],
  ["url", "url"],
  ["email-addr", "email"],
]);

const isWalletType = (objectType: string) =>
  objectType === "cryptocurrency-wallet" || (objectType.startsWith("x-") && objectType.includes("wallet"));

function hashType(name: string): IndicatorType | undefined {
  const key = name.toUpperCase().replace(/[-_]/g, "");
  return key === "SHA256" ? "sha256" : key === "SHA1" ? "sha1" : key === "MD5" ? "md5" : undefined;
}

/** The indicator types an object path holds, or undefined when it holds none of them. */
function typesAt(objectType: string, property: string[]): readonly IndicatorType[] | undefined {
  const [first, second] = property;
  if (property.length === 1) {
    const single = first === "value" ? SCO_TYPES.get(objectType) : undefined;
    if (single) return [single];
    if (objectType === "file" && first === "name") return ["file_name"];
    if (isWalletType(objectType) && (first === "value" || first === "address")) return WALLET;
  }
  if (property.length === 2 && objectType === "file" && first === "hashes") {
    const type = hashType(second!);
    if (type) return [type];
  }
  return undefined;
}

// A single address written as a one-address range is still that address.
const stripHostPrefix = (type: IndicatorType | undefined, value: string) =>
  type === "ipv4" ? value.replace(/\/32$/, "") : type === "ipv6" ? value.replace(/\/128$/, "") : value;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The indicators of a STIX 2.1 bundle: from `indicator` objects with a STIX pattern of the simple
 * `[type:property = 'value']` form (observations and comparisons joined with OR), and from the
 * observables it carries (ipv4-addr, ipv6-addr, domain-name, url, email-addr, file hashes and
 * names, cryptocurrency wallets). Other objects (identities, reports, relationships, ...) carry no
 * indicators here and are passed over. A pattern or observable that cannot be imported is rejected
 * with `line` the object's 1-based position in `objects`. A file that is not a bundle is an error.
 */
export function parseStixBundle(json: string): IndicatorParseResult | { error: string } {
  let bundle: unknown;
  try {
    bundle = JSON.parse(json.charCodeAt(0) === 0xfeff ? json.slice(1) : json);
  } catch {
    return { error: "The file is not valid JSON, so it cannot be read as a STIX bundle." };
  }
  if (!isRecord(bundle) || bundle.type !== "bundle") {
    const found = isRecord(bundle) && typeof bundle.type === "string" ? ` (its type is "${show(bundle.type)}")` : "";
    return { error: `The file is JSON but not a STIX 2.1 bundle${found}: a bundle is an object with "type": "bundle" and a list of "objects".` };
  }
  if (!Array.isArray(bundle.objects)) {
    return { error: 'The STIX bundle has no "objects" list, so there is nothing to import.' };
  }
  const out = collector();
  const objects: unknown[] = bundle.objects;
  objects.forEach((object, index) => {
    const line = index + 1;
    if (!isRecord(object)) {
      out.reject(line, String(object), "This entry of the bundle is not a STIX object.");
      return;
    }
    const label = typeof object.id === "string" ? object.id : typeof object.type === "string" ? object.type : `object ${line}`;
    if (object.type === "indicator") readIndicatorObject(object, line, label, out);
    else if (object.type === "observed-data" && isRecord(object.objects)) {
      // STIX 2.0 put observables inside observed-data; 2.1 still allows it.
      for (const inner of Object.values(object.objects)) {
        if (isRecord(inner)) readObservable(inner, line, label, out);
      }
    } else readObservable(object, line, label, out);
  });
  return out.result;
}

type Collector = ReturnType<typeof collector>;

function readIndicatorObject(object: Record<string, unknown>, line: number, label: string, out: Collector) {
  const pattern = object.pattern;
  if (typeof pattern !== "string" || pattern.trim() === "") {
    out.reject(line, label, "This indicator has no pattern.");
    return;
  }
  const patternType = object.pattern_type;
  if (patternType !== undefined && (typeof patternType !== "string" || patternType.toLowerCase() !== "stix")) {
    out.reject(line, pattern, `Only STIX patterns can be imported; this indicator's pattern is of type "${show(String(patternType))}".`);
    return;
  }
  if (object.revoked === true) {
    out.reject(line, pattern, "This indicator has been revoked by its producer, so it is not imported.");
    return;
  }
  const comparisons = parsePattern(pattern);
  if (typeof comparisons === "string") {
    out.reject(line, pattern, comparisons);
    return;
  }
  const name = typeof object.name === "string" ? object.name.trim() : "";
  for (const comparison of comparisons) {
    const types = typesAt(comparison.objectType, comparison.property);
    if (!types) {
      out.reject(
        line,
        pattern,
        `"${show(comparison.path)}" holds no indicator of a kind this portal keeps (IP addresses, domain names, URLs, email addresses, MD5, SHA-1 and SHA-256 hashes, file names, bitcoin and monero wallets).`,
      );
      continue;
    }
    const value = stripHostPrefix(types.length === 1 ? types[0] : undefined, comparison.value);
    out.add(classify(value, types, comparison.path), line, pattern, name || undefined);
  }
}

function readObservable(object: Record<string, unknown>, line: number, label: string, out: Collector) {
  const objectType = typeof object.type === "string" ? object.type : "";
  const single = SCO_TYPES.get(objectType);
  if (single || isWalletType(objectType)) {
    const value = object.value ?? (single ? undefined : object.address);
    if (typeof value !== "string") {
      out.reject(line, label, `This ${objectType} observable has no value.`);
      return;
    }
    const types = single ? [single] : WALLET;
    out.add(classify(stripHostPrefix(single, value), types, objectType), line, label);
    return;
  }
  if (objectType !== "file") return;
  let found = false;
  if (isRecord(object.hashes)) {
    for (const [algorithm, hash] of Object.entries(object.hashes)) {
      const type = hashType(algorithm);
      if (!type || typeof hash !== "string") continue;
      found = true;
      out.add(classify(hash, [type]), line, label);
    }
  }
  if (typeof object.name === "string") {
    found = true;
    out.add(classify(object.name, ["file_name"]), line, label);
  }
  if (!found) out.reject(line, label, "This file observable has no MD5, SHA-1 or SHA-256 hash and no name.");
}
