import { z } from "zod";
import { emailField } from "../accounts/schema";

/** Only paths inside the portal: never another site, never a protocol-relative URL. */
export const redirectToField = z
  .string()
  .optional()
  .transform((value) =>
    value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/",
  );

export const signInRequestSchema = z.object({
  email: emailField,
  redirectTo: redirectToField,
});

export const signInLinkSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This sign-in link is not complete."),
  redirectTo: redirectToField,
});
