import type { ServerBuild } from "@remix-run/node";
import { matchRoutes, type AgnosticDataRouteObject } from "@remix-run/router";
import contentType from "content-type";

/** A request the guard answers itself, before any route runs. */
export type Refusal = { status: number; message: string; allow?: string };

export type GuardInput = {
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  contentType: string | undefined;
  contentLength: string | undefined;
  origin?: string | undefined;
  /** The host the request was sent to: X-Forwarded-Host's first value, or else Host. */
  host?: string | undefined;
};

/** What a state-changing request from another site is told, here and by the cross-origin check. */
export const CROSS_ORIGIN_REFUSAL: Refusal = {
  status: 403,
  message: "This request came from another site: the portal takes changes only from its own pages.",
};

/** Either a refusal, or the request may go on, with the most bytes its form may have. */
export type GuardDecision = { refusal: Refusal } | { bodyLimit: number };

export type FormKind = "urlencoded" | "multipart";

// RFC 2046: 1 to 70 of these characters, the last one not a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/**
 * Which of the two form encodings a Content-Type header names, or null for anything else: a
 * multipart type without a usable boundary, or urlencoded in a charset other than UTF-8, is no
 * form this portal can read.
 */
export function formContentType(header: string | null | undefined): FormKind | null {
  if (!header) return null;
  let parsed: contentType.ParsedMediaType;
  try {
    parsed = contentType.parse(header);
  } catch {
    return null;
  }
  if (parsed.type === "application/x-www-form-urlencoded") {
    const charset = parsed.parameters.charset?.toLowerCase();
    return charset === undefined || charset === "utf-8" ? "urlencoded" : null;
  }
  if (parsed.type === "multipart/form-data") {
    const boundary = parsed.parameters.boundary;
    return boundary !== undefined && BOUNDARY.test(boundary) ? "multipart" : null;
  }
  return null;
}

/** What a route may declare in its `handle`: a larger limit for its own forms. */
export type BodyLimitHandle = { bodyLimit?: number };

type RouteRules = { takesGet: boolean; takesPost: boolean; resource: boolean; bodyLimit: number | undefined };

/** A byte count as people read it: "1 MB", "66 kB". */
const describeBytes = (bytes: number) =>
  bytes >= 1_000_000 ? `${Math.round(bytes / 100_000) / 10} MB` : `${Math.round(bytes / 1000)} kB`;

/** The message of a 413, whether the guard saw the length or the form reader counted it. */
export const tooLarge = (limit: number) => `This request is larger than ${describeBytes(limit)}, the most this page takes.`;

/** The message of a 415, from the guard or, should a request get past it, the form reader. */
export const NOT_A_FORM = "This address takes a form (application/x-www-form-urlencoded or multipart/form-data), and this request is not one.";

/**
 * The guard in front of every route, built from the Remix server build so that it knows what
 * each route takes without a hand-kept list: GET and HEAD where the route has a loader or a
 * page, POST where it has an action. It matches a request to its route the way Remix does
 * (single-fetch `.data` addresses, `?index`, resource routes), and looks only at the request
 * line and headers: it never reads a body.
 */
export function createRequestGuard(manifest: ServerBuild["routes"], defaultLimit: number) {
  const rules = new Map<string, RouteRules>();
  for (const route of Object.values(manifest)) {
    const { loader, action, default: page, ErrorBoundary, handle } = route.module;
    const declared = (handle as BodyLimitHandle | undefined)?.bodyLimit;
    rules.set(route.id, {
      takesGet: Boolean(loader || page),
      takesPost: Boolean(action),
      resource: !page && !ErrorBoundary,
      bodyLimit: typeof declared === "number" ? declared : undefined,
    });
  }
  const tree = routeTree(manifest);
  const rulesOf = (id: string) => rules.get(id)!;
  // One tree for every request: the router's matcher keeps its flattened branches (docs/decisions/028).
  const routesAt = (pathname: string) => matchRoutes(tree, pathname)?.map((match) => match.route) ?? null;

  return function check(input: GuardInput): GuardDecision {
    const refuse = (status: number, message: string, allow?: string): GuardDecision => ({
      refusal: { status, message, ...(allow === undefined ? {} : { allow }) },
    });
    if (!input.target.startsWith("/")) return refuse(400, "This address is not well-formed.");
    let url: URL;
    try {
      // Read as the Remix adapter reads it: appended to an origin, so that "//x" stays a path.
      url = new URL(`http://portal.invalid${input.target}`);
      decodeURIComponent(url.pathname);
    } catch {
      return refuse(400, "This address is not well-formed: it has a broken %-escape.");
    }
    // Remix answers ?_data (its pre-single-fetch data requests) from any route; nothing here asks for them.
    if (url.searchParams.has("_data")) return refuse(400, "This address does not take a _data parameter.");

    const pathname = url.pathname.endsWith(".data")
      ? url.pathname.replace(/\.data$/, "").replace(/^\/_root$/, "/")
      : url.pathname;
    const method = input.method.toUpperCase();
    const matches = routesAt(pathname);
    if (!matches) {
      // Remix renders its own "not found" page for these; nothing else may be done there.
      return method === "GET" || method === "HEAD" ? { bodyLimit: 0 } : refuse(404, "There is nothing at this address.");
    }

    const leaf = matches[matches.length - 1]!;
    const target = actionTarget(matches, rulesOf(leaf.id).resource, url.searchParams);
    const allowed = [
      ...(rulesOf(leaf.id).takesGet ? ["GET", "HEAD"] : []),
      ...(rulesOf(target).takesPost ? ["POST"] : []),
    ];
    if (!allowed.includes(method)) {
      return refuse(405, `This address does not take ${method} requests.`, allowed.join(", "));
    }
    if (method !== "POST") return { bodyLimit: 0 };
    // Remix refuses a POST whose Origin names another host than the request's by throwing, a
    // 500; it is what the cross-origin check refuses, answered as such.
    if (input.origin !== undefined && originHost(input.origin) !== input.host) return { refusal: CROSS_ORIGIN_REFUSAL };

    if (!formContentType(input.contentType)) {
      return refuse(415, NOT_A_FORM);
    }
    const bodyLimit = Math.max(defaultLimit, rulesOf(target).bodyLimit ?? 0);
    const length = input.contentLength === undefined ? undefined : Number(input.contentLength);
    if (length !== undefined && length > bodyLimit) {
      return refuse(413, tooLarge(bodyLimit));
    }
    return { bodyLimit };
  };
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** The route tree Remix builds from its manifest, as plain objects for the router's matcher. */
function routeTree(manifest: ServerBuild["routes"], parentId?: string): AgnosticDataRouteObject[] {
  return Object.values(manifest)
    .filter((route) => route.parentId === parentId)
    .map((route) =>
      route.index
        ? { id: route.id, index: true, path: route.path, caseSensitive: route.caseSensitive }
        : { id: route.id, path: route.path, caseSensitive: route.caseSensitive, children: routeTree(manifest, route.id) },
    );
}

/**
 * The route whose action a POST reaches, by Remix's rule: a resource route is its own target;
 * an index route only with a bare `?index`; otherwise the deepest route that adds to the path.
 */
function actionTarget(matches: AgnosticDataRouteObject[], resource: boolean, search: URLSearchParams): string {
  const leaf = matches[matches.length - 1]!;
  if (resource) return leaf.id;
  if (leaf.index && search.getAll("index").some((value) => value === "")) return leaf.id;
  const contributing = matches.filter((route, i) => i === 0 || (route.path ?? "").length > 0);
  return contributing[contributing.length - 1]!.id;
}
