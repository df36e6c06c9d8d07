import ipaddr from "ipaddr.js";
import { getHostname } from "tldts";
import type { IndicatorType } from "../threat-input/indicators";
import { VENDORED_WARNING_LISTS, type MispWarningList } from "./vendored-lists";

// MISP warning lists (docs/decisions/019): values that are not indicators of anything (RFC
// documentation and private ranges, empty-file hashes, public resolvers, sinkholes, top domains,
// TLDs). Pure: the lists are read once, the first time a value is checked, into lookups that make
// each check a handful of set look-ups whatever the lists' size (62,745 resolvers, 10,000 domains).
//
// Matching follows MISP's list types and `matching_attributes`:
//  - cidr: the address lies in one of the ranges (a bare address is a /32 or /128);
//  - string: the value equals an entry (a URL's host is compared too, for lists meant for URLs);
//  - hostname: the host, or a domain above it, equals an entry (as MISP's hostname lists do);
//  - substring: an entry occurs in the value;
//  - regex: the value matches an entry, a PCRE like /^(abuse|noc)@.*$/i.
// Our indicator types stand for MISP attribute types as below; a list whose matching attributes
// name none of them never applies (no list is meant for wallets).

export type WarningMatch = {
  /** The list's folder name in MISP/misp-warninglists, e.g. "rfc5735". */
  list: string;
  /** The list's own name, e.g. "List of RFC 5735 CIDR blocks". */
  name: string;
  /** Why the value matched, in a sentence: "203.0.113.45 is in 203.0.113.0/24." */
  why: string;
};

const ATTRIBUTES: Record<IndicatorType, readonly string[]> = {
  ipv4: ["ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "domain|ip"],
  ipv6: ["ip-src", "ip-dst", "ip-src|port", "ip-dst|port", "domain|ip"],
  domain: ["domain", "hostname", "domain|ip"],
  url: ["url", "uri", "link"],
  email: ["email", "email-src", "email-dst", "target-email"],
  md5: ["md5", "filename|md5"],
  sha1: ["sha1", "filename|sha1"],
  sha256: ["sha256", "filename|sha256"],
  file_name: ["filename"],
  btc_wallet: ["btc"],
  xmr_wallet: ["xmr"],
};

/** A family's ranges: network keys by prefix length, and plain addresses (most of the entries) apart. */
type Cidr = { width: 32 | 128; lengths: number[]; networks: Map<number | string, string>; exact: Map<string, string> };
type Compiled =
  | { kind: "cidr"; v4: Cidr; v6: Cidr }
  | { kind: "string" | "hostname"; entries: Map<string, string> }
  | { kind: "substring"; entries: string[] }
  | { kind: "regex"; entries: { pattern: RegExp; source: string }[] };
type CompiledList = { slug: string; name: string; types: Set<IndicatorType>; urlHosts: boolean; compiled: Compiled };

const normaliseEntry = (entry: string) => entry.trim().toLowerCase().replace(/\.$/, "");

/** An address's bits: IPv4 as a number (cheap), IPv6 as a bigint (128 bits). */
const v4Bits = (address: ipaddr.IPv4) => address.octets.reduce((bits, octet) => bits * 256 + octet, 0);
const v6Bits = (address: ipaddr.IPv6) => address.toByteArray().reduce((bits, byte) => (bits << 8n) | BigInt(byte), 0n);

/** An address ready for look-ups: its family's table, its exact key, its bits. */
type Probe = { family: "ipv4" | "ipv6"; exact: string; bits: number | bigint };

const probeOf = (address: ipaddr.IPv4 | ipaddr.IPv6): Probe =>
  address.kind() === "ipv4"
    ? { family: "ipv4", exact: address.toString(), bits: v4Bits(address as ipaddr.IPv4) }
    : { family: "ipv6", exact: address.toNormalizedString(), bits: v6Bits(address as ipaddr.IPv6) };

/** The key of the network of this prefix length around the address: a number for IPv4, no allocation. */
function networkKey(probe: Pick<Probe, "bits">, length: number): number | string {
  if (typeof probe.bits === "number") {
    const size = 2 ** (32 - length);
    return length * 2 ** 32 + Math.floor(probe.bits / size) * size;
  }
  const shift = BigInt(128 - length);
  return `${length}/${((probe.bits >> shift) << shift).toString(16)}`;
}

// A plain dotted quad needs no parsing to be its own key: 62,745 resolvers are read in no time.
const PLAIN_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function compileCidr(entries: string[]): Compiled {
  const v4: Cidr = { width: 32, lengths: [], networks: new Map(), exact: new Map() };
  const v6: Cidr = { width: 128, lengths: [], networks: new Map(), exact: new Map() };
  for (const raw of entries) {
    const entry = raw.trim();
    if (PLAIN_IPV4.test(entry)) {
      v4.exact.set(entry, entry);
      continue;
    }
    try {
      const [address, length] = entry.includes("/") ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), -1];
      const table = address.kind() === "ipv4" ? v4 : v6;
      if (length === -1 || length === table.width) table.exact.set(address.toNormalizedString(), entry);
      else {
        if (!table.lengths.includes(length)) table.lengths.push(length);
        table.networks.set(networkKey(probeOf(address), length), entry);
      }
    } catch {
      // an entry that is no address or range cannot match anything
    }
  }
  return { kind: "cidr", v4, v6 };
}

/** A PCRE as MISP writes it (/body/flags) as a JavaScript expression; null if it is not one. */
function compileRegex(entry: string): { pattern: RegExp; source: string } | null {
  const match = /^\/(.*)\/([a-z]*)$/s.exec(entry.trim());
  try {
    if (!match) return { pattern: new RegExp(entry), source: entry };
    // PHP escapes that JavaScript reads the same; flags JavaScript does not have are dropped.
    const flags = [...new Set(match[2]!.split("").filter((flag) => "ims".includes(flag)))].join("");
    return { pattern: new RegExp(match[1]!, flags), source: entry };
  } catch {
    return null;
  }
}

function compile(slug: string, list: MispWarningList): CompiledList {
  const attributes = new Set(list.matching_attributes);
  const types = new Set(
    (Object.keys(ATTRIBUTES) as IndicatorType[]).filter((type) => ATTRIBUTES[type].some((attribute) => attributes.has(attribute))),
  );
  const urlHosts = attributes.has("url") || attributes.has("uri");
  let compiled: Compiled;
  switch (list.type) {
    case "cidr":
      compiled = compileCidr(list.list);
      break;
    case "string":
    case "hostname":
      compiled = { kind: list.type, entries: new Map(list.list.map((entry) => [normaliseEntry(entry), entry.trim()])) };
      break;
    case "substring":
      compiled = { kind: "substring", entries: list.list.map(normaliseEntry).filter(Boolean) };
      break;
    case "regex":
      compiled = { kind: "regex", entries: list.list.map(compileRegex).filter((entry) => entry !== null) };
      break;
    default:
      compiled = { kind: "substring", entries: [] };
  }
  return { slug, name: list.name, types, urlHosts, compiled };
}

let lists: CompiledList[] | undefined;
const compiledLists = () =>
  (lists ??= Object.entries(VENDORED_WARNING_LISTS)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([slug, list]) => compile(slug, list)));

function inCidr(table: Cidr, probe: Probe): string | undefined {
  const exact = table.exact.get(probe.exact);
  if (exact !== undefined) return exact;
  for (const length of table.lengths) {
    const entry = table.networks.get(networkKey(probe, length));
    if (entry !== undefined) return entry;
  }
  return undefined;
}

/** The host a URL or domain indicator names, lower case and without a trailing dot. */
function hostOf(type: IndicatorType, value: string): string | null {
  if (type === "domain") return value.toLowerCase().replace(/\.$/, "");
  if (type === "url") return getHostname(value)?.replace(/^\[|\]$/g, "").replace(/\.$/, "") ?? null;
  return null;
}

/** What a value is, worked out once for every list: its address, its host, its lower case. */
type Subject = { type: IndicatorType; value: string; lower: string; address: Probe | null; host: string | null };

function subjectOf(type: IndicatorType, value: string): Subject {
  let address: Probe | null = null;
  if (type === "ipv4" || type === "ipv6") {
    try {
      // An IPv4-mapped IPv6 address is checked as the IPv4 address it maps. (ipaddr.process
      // would do this too, but tries IPv6 first: five times slower for the common case.)
      const parsed = type === "ipv4" ? ipaddr.IPv4.parse(value) : ipaddr.IPv6.parse(value);
      address = probeOf(parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed);
    } catch {
      address = null;
    }
  }
  return { type, value, lower: value.toLowerCase(), address, host: hostOf(type, value) };
}

function check(list: CompiledList, { type, value, lower, address, host }: Subject): string | null {
  const { compiled } = list;
  switch (compiled.kind) {
    case "cidr": {
      if (!address) return null;
      const entry = inCidr(address.family === "ipv4" ? compiled.v4 : compiled.v6, address);
      if (entry === undefined) return null;
      return entry.includes("/") ? `${value} is in ${entry}.` : `${value} is listed.`;
    }
    case "string": {
      if (compiled.entries.has(lower)) return `${value} is listed.`;
      if (type === "url" && list.urlHosts && host && compiled.entries.has(host)) return `Its host, ${host}, is listed.`;
      return null;
    }
    case "hostname": {
      if (!host) return compiled.entries.has(lower) ? `${value} is listed.` : null;
      const labels = host.split(".");
      for (let i = 0; i < labels.length; i++) {
        const candidate = labels.slice(i).join(".");
        const entry = compiled.entries.get(candidate);
        if (entry === undefined) continue;
        if (i === 0) return type === "url" ? `Its host, ${host}, is listed.` : `${host} is listed.`;
        return `${type === "url" ? `Its host, ${host},` : host} is under ${entry}, which is listed.`;
      }
      return null;
    }
    case "substring": {
      const entry = compiled.entries.find((candidate) => lower.includes(candidate));
      return entry === undefined ? null : `It contains "${entry}".`;
    }
    case "regex": {
      const entry = compiled.entries.find((candidate) => candidate.pattern.test(value));
      return entry === undefined ? null : `It matches ${entry.source}.`;
    }
  }
}

/**
 * The warning lists a normalised indicator (as validateIndicator returns it) is on, and why; an
 * empty array when it is on none. The lists are checked in the order of their names.
 */
export function warningListsFor(type: IndicatorType, value: string): WarningMatch[] {
  const matches: WarningMatch[] = [];
  const subject = subjectOf(type, value);
  for (const list of compiledLists()) {
    if (!list.types.has(type)) continue;
    const why = check(list, subject);
    if (why !== null) matches.push({ list: list.slug, name: list.name, why });
  }
  return matches;
}

/** The vendored lists, for the page that says which lists are checked. */
export function warningListNames(): { list: string; name: string; entries: number }[] {
  return Object.entries(VENDORED_WARNING_LISTS)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([list, { name, list: entries }]) => ({ list, name, entries: entries.length }));
}
