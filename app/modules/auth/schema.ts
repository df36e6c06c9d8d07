import { z } from "zod";
import { isValidTimeZone } from "~/lib/time";
import { emailField } from "../accounts/schema";

const INSIDE = "http://portal.invalid";

/**
 * Only a path inside the portal. The value goes through the URL parser, as a browser would read
 * it, so that tricks like "//evil.example", "/\\evil.example" or a tab inside "/\t/evil.example"
 * (browsers drop tabs and newlines) cannot lead off-site. The parser also normalises: "/.//x"
 * and "/a/../\\x" both come out as "//x", which a browser reads as another host. So the path
 * handed out must itself read back, inside the portal, as the very same address.
 */
export function safeRedirectPath(value: string | undefined): string {
  if (!value || !value.startsWith("/")) return "/";
  try {
    const url = new URL(value, INSIDE);
    const path = `${url.pathname}${url.search}${url.hash}`;
    const again = new URL(path, INSIDE);
    return url.origin === INSIDE && again.href === url.href ? path : "/";
  } catch {
    return "/";
  }
}

export const redirectToField = z.string().optional().transform(safeRedirectPath);

export const signInRequestSchema = z.object({
  email: emailField,
  redirectTo: redirectToField,
});

export const signInLinkSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This sign-in link is not complete."),
  redirectTo: redirectToField,
  // The browser's own zone, sent by the sign-in page's script; a guess, kept only at first sign-in.
  timeZone: z
    .string()
    .optional()
    .transform((value) => (value && isValidTimeZone(value) ? value : undefined)),
});
