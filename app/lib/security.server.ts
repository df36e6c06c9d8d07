import { randomBytes } from "node:crypto";

export const newNonce = () => randomBytes(16).toString("base64");

/** Enforced policy: scripts only from the portal itself or carrying this response's nonce. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  // Not no-referrer: under it Chromium sends "Origin: null" on plain form posts, which the
  // origin check must then refuse. same-origin still sends nothing to other sites.
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a state-changing request that a browser says comes from another site. Browsers send
 * Origin on every POST and Sec-Fetch-Site on every request; a request with neither is refused
 * too, because every form of the portal is posted by a browser.
 */
export function isCrossOriginWrite(input: {
  method: string;
  origin: string | undefined;
  secFetchSite: string | undefined;
  host: string | undefined;
  protocol: string;
  appUrl: string;
}): boolean {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return false;
  if (input.secFetchSite && input.secFetchSite !== "same-origin" && input.secFetchSite !== "none") {
    return true;
  }
  if (!input.origin) return !input.secFetchSite;
  const allowed = new Set([new URL(input.appUrl).origin]);
  if (input.host) allowed.add(`${input.protocol}://${input.host}`);
  return !allowed.has(input.origin);
}
