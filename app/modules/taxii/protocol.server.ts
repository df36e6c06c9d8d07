import type { AppLoadContext } from "@remix-run/node";
import { getDb } from "~/lib/db.server";
import { requestOrigin } from "~/lib/http.server";
import { RateLimiter } from "~/lib/rate-limit.server";
import { singleton } from "~/lib/singleton.server";
import {
  auditTaxii,
  authenticate,
  collectionFor,
  collectionObjects,
  type Collection,
  type ObjectFilter,
  type ObjectVersionRow,
  type TaxiiClient,
  type VersionMatch,
} from "./service.server";

// The TAXII 2.1 protocol (OASIS TAXII Version 2.1, Committee Specification 01): media types
// (§1.6.8), the error resource (§3.6.1), authentication, paging by `limit` and `next` with
// `more` (§3.4), `added_after` and the match[...] filters (§3.5), the envelope, manifest and
// versions resources (§5.3-5.8). Read-only: no route here takes POST or DELETE.

export const TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1";
export const STIX_MEDIA_TYPE = "application/stix+json;version=2.1";
export const API_ROOT_PATH = "/taxii2/intel/";
export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

export class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
  }
}

const limits = () =>
  singleton("taxii-limits", () => ({
    // A client paging through a large collection makes many requests; a stolen key should not.
    perKey: new RateLimiter(600, 60_000),
    // Guessing keys: few tries per address.
    perAddress: new RateLimiter(30, 60_000),
  }));

/** §1.6.8: a client asks for application/taxii+json (version 2.1, or none: the latest). */
export function acceptsTaxii(accept: string | null): boolean {
  if (!accept) return true;
  return accept.split(",").some((part) => {
    const [type, ...parameters] = part.split(";").map((piece) => piece.trim().toLowerCase());
    if (type === "*/*" || type === "application/*") return true;
    if (type !== "application/taxii+json") return false;
    const version = parameters.find((parameter) => parameter.startsWith("version="));
    return version === undefined || version === "version=2.1";
  });
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": TAXII_MEDIA_TYPE, "Cache-Control": "no-store", ...headers } });

/** §3.6.1: the error message resource. */
export const errorResponse = (error: TaxiiError) =>
  json(error.status, { title: error.title, description: error.description, http_status: String(error.status) }, error.headers);

export type TaxiiAnswer = { body: unknown; headers?: Record<string, string>; objects?: number };
export type TaxiiRequest = { client: TaxiiClient; url: URL; params: Record<string, string | undefined> };

/**
 * Answers a TAXII request: the media type is checked, the key authenticated and its rate
 * counted, the handler run, and the request audited (ids only) whatever the outcome.
 */
export async function serveTaxii(
  args: { request: Request; context: AppLoadContext; params: Record<string, string | undefined> },
  handler: (request: TaxiiRequest) => TaxiiAnswer,
): Promise<Response> {
  const { request, context, params } = args;
  const db = getDb();
  const url = new URL(request.url);
  const actor = { userId: 0, origin: requestOrigin(request, context) };
  let client: TaxiiClient | null = null;
  try {
    if (!acceptsTaxii(request.headers.get("Accept"))) {
      throw new TaxiiError(406, "Not acceptable", `This server answers in ${TAXII_MEDIA_TYPE} only.`);
    }
    client = authenticate(db, request.headers.get("Authorization"));
    if (!client) {
      if (!limits().perAddress.take(context.clientAddress)) {
        throw new TaxiiError(429, "Too many requests", "Too many requests without a valid key from this address; wait a minute.", { "Retry-After": "60" });
      }
      throw new TaxiiError(401, "Unauthorized", "Send the API key your agency was issued, as a Bearer token or as the password of HTTP Basic authentication.", {
        "WWW-Authenticate": 'Basic realm="Taskforce Consult TAXII", charset="UTF-8"',
      });
    }
    if (!limits().perKey.take(String(client.keyId))) {
      throw new TaxiiError(429, "Too many requests", "This key has made too many requests in the last minute; wait a minute.", { "Retry-After": "60" });
    }
    const answer = handler({ client, url, params });
    auditTaxii(db, client, { path: url.pathname, status: 200, objects: answer.objects }, actor);
    return json(200, answer.body, answer.headers);
  } catch (error) {
    if (!(error instanceof TaxiiError)) throw error;
    auditTaxii(db, client, { path: url.pathname, status: error.status }, actor);
    return errorResponse(error);
  }
}

/** The collection of the address, if the client's agency may read it (404 otherwise: no telling). */
export function collectionOf(request: TaxiiRequest): Collection {
  const collection = collectionFor(request.client, request.params.collectionId ?? "");
  if (!collection) throw new TaxiiError(404, "Not found", "There is no such collection, or not for this agency.");
  return collection;
}

// ---------------------------------------------------------------------------------------------
// Query parameters (§3.4, §3.5)

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;

function timestamp(value: string, parameter: string): number {
  const time = TIMESTAMP.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw new TaxiiError(400, "Bad request", `${parameter} is a timestamp such as 2026-01-31T12:00:00.000Z.`);
  return time;
}

const listOf = (url: URL, name: string) =>
  url.searchParams
    .getAll(name)
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);

const encodeNext = (row: ObjectVersionRow) => Buffer.from(JSON.stringify([row.dateAdded, row.stixId, row.modified])).toString("base64url");

function decodeNext(token: string): ObjectFilter["after"] {
  try {
    const [dateAdded, stixId, modified] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown[];
    if (typeof dateAdded === "number" && typeof stixId === "string" && typeof modified === "number") return { dateAdded, stixId, modified };
  } catch {
    // not one of ours
  }
  throw new TaxiiError(400, "Bad request", "next is not a token this server gave.");
}

/** The filters of an objects, manifest or versions request. */
export function objectFilter(url: URL, defaults: { version: "last" | "all"; id?: string }): ObjectFilter {
  const limitText = url.searchParams.get("limit");
  const limit = limitText === null ? DEFAULT_PAGE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) throw new TaxiiError(400, "Bad request", "limit is a whole number of 1 or more.");
  const addedAfter = url.searchParams.get("added_after");
  const next = url.searchParams.get("next");
  const versions = listOf(url, "match[version]");
  let version: VersionMatch;
  if (versions.length === 0) version = { kind: defaults.version };
  else if (versions.includes("all")) version = { kind: "all" };
  else if (versions.length === 1 && (versions[0] === "last" || versions[0] === "first")) version = { kind: versions[0] };
  else version = { kind: "at", times: versions.map((value) => timestamp(value, "match[version]")) };
  const specVersions = listOf(url, "match[spec_version]");
  // Every object here is STIX 2.1: asking for another version matches nothing.
  const types = listOf(url, "match[type]");
  return {
    ids: defaults.id ? [defaults.id] : listOf(url, "match[id]"),
    types: specVersions.length && !specVersions.includes("2.1") ? ["-none-"] : types,
    version,
    addedAfter: addedAfter === null ? undefined : timestamp(addedAfter, "added_after"),
    // §3.4: the server may return fewer than asked for.
    limit: Math.min(limit, MAX_PAGE),
    after: next === null ? undefined : decodeNext(next),
  };
}

// ---------------------------------------------------------------------------------------------
// Resources

const iso = (ms: number) => new Date(ms).toISOString();

/** The page's date-added range (§3.4.2), for X-TAXII-Date-Added-First and -Last. */
function pageHeaders(rows: ObjectVersionRow[]): Record<string, string> {
  if (rows.length === 0) return {};
  const added = rows.map((row) => row.dateAdded);
  return { "X-TAXII-Date-Added-First": iso(Math.min(...added)), "X-TAXII-Date-Added-Last": iso(Math.max(...added)) };
}

const page = (collection: Collection, filter: ObjectFilter) => collectionObjects(getDb(), collection, filter);

/** §5.4 / §5.6: an envelope of objects. */
export function envelope(request: TaxiiRequest, filter: ObjectFilter): TaxiiAnswer {
  const { rows, more } = page(collectionOf(request), filter);
  if (filter.ids?.length === 1 && rows.length === 0 && !filter.after && request.params.objectId) {
    throw new TaxiiError(404, "Not found", "There is no such object in this collection.");
  }
  return {
    body: { more, ...(more ? { next: encodeNext(rows.at(-1)!) } : {}), ...(rows.length ? { objects: rows.map((row) => row.object) } : {}) },
    headers: pageHeaders(rows),
    objects: rows.length,
  };
}

/** §5.3: the manifest of a collection's objects. */
export function manifest(request: TaxiiRequest, filter: ObjectFilter): TaxiiAnswer {
  const { rows, more } = page(collectionOf(request), filter);
  return {
    body: {
      more,
      ...(more ? { next: encodeNext(rows.at(-1)!) } : {}),
      ...(rows.length
        ? { objects: rows.map((row) => ({ id: row.stixId, date_added: iso(row.dateAdded), version: iso(row.modified), media_type: STIX_MEDIA_TYPE })) }
        : {}),
    },
    headers: pageHeaders(rows),
    objects: rows.length,
  };
}

/** §5.8: the versions of one object. */
export function versions(request: TaxiiRequest, filter: ObjectFilter): TaxiiAnswer {
  const { rows, more } = page(collectionOf(request), { ...filter, version: { kind: "all" } });
  if (rows.length === 0 && !filter.after) throw new TaxiiError(404, "Not found", "There is no such object in this collection.");
  return {
    body: { more, ...(more ? { next: encodeNext(rows.at(-1)!) } : {}), versions: rows.map((row) => iso(row.modified)) },
    headers: pageHeaders(rows),
    objects: rows.length,
  };
}

/** §5.2: a collection resource. */
export const collectionResource = (collection: Collection) => ({
  id: collection.id,
  title: collection.title,
  description: collection.description,
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA_TYPE],
});
