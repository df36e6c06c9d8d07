import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const booleanString = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_PATH: z.string().min(1).default("data/portal.sqlite"),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default("Taskforce Consult <consult@taskforce.example>"),
  MAIL_POLL_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  MAIL_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(5),
  MAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).default(10_000),
  MAIL_RETRY_MAX_MS: z.coerce.number().int().min(10).default(15 * 60_000),
  MAIL_GIVE_UP_AFTER_HOURS: z.coerce.number().positive().default(48),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TRUST_PROXY: booleanString.default(false),
  // Below 16 kB the portal's own forms (a consultation with its invitees) would not fit.
  MAX_BODY_BYTES: z.coerce.number().int().min(16_384, "must be at least 16384 bytes").default(1_000_000),
  // Pages computed at once (the rest wait in arrival order, server/edge.ts) and how many may wait.
  PAGES_AT_ONCE: z.coerce.number().int().min(1).max(256).default(4),
  PAGES_WAITING: z.coerce.number().int().min(0).default(500),
  // How long the analysts' notice of new input gathers the submits that follow the first, so that
  // a burst near a deadline is one digest each (docs/decisions/032).
  ANALYST_NOTICE_GATHER_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
});

export type Env = Omit<z.infer<typeof schema>, "APP_URL" | "SESSION_SECRET"> & {
  APP_URL: string;
  SESSION_SECRET: string;
  mailMode: "smtp" | "mailbox";
};

/** Stops start-up: its message names each variable that is wrong and why. */
export class EnvError extends Error {
  override name = "EnvError";
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty (or blank) variable means "not set", as in most deployment tools.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value.trim() !== ""),
  );
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  ${issue.path.join(".")}: ${issue.message}`,
    );
    throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const env = result.data;
  const missing: string[] = [];
  if (env.NODE_ENV === "production") {
    if (!env.SESSION_SECRET) missing.push("SESSION_SECRET (a random string of 32+ characters)");
    // The demo mailbox shows sign-in links to whoever opens it: never in production.
    if (!env.SMTP_URL) missing.push("SMTP_URL (smtp:// or smtps:// URL of the mail relay)");
    if (!env.APP_URL) missing.push("APP_URL (the portal's public URL, used in emails)");
  }
  if (missing.length > 0) {
    throw new EnvError(
      `Missing environment configuration for NODE_ENV=production:\n${missing
        .map((name) => `  ${name} is required`)
        .join("\n")}`,
    );
  }
  return {
    ...env,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ""),
    SESSION_SECRET: env.SESSION_SECRET ?? localSessionSecret(env.DATABASE_PATH),
    mailMode: env.SMTP_URL ? "smtp" : "mailbox",
  };
}

// Outside production a secret is made once and kept beside the database, so that sessions
// survive a restart without anyone having to configure anything.
function localSessionSecret(databasePath: string): string {
  const file = path.join(path.dirname(path.resolve(databasePath)), "session-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
  }
  const secret = fs.readFileSync(file, "utf8").trim();
  if (secret.length < 32) {
    throw new EnvError(
      `Invalid environment configuration:\n  SESSION_SECRET: ${file} holds fewer than 32 characters; delete it to have a new one made`,
    );
  }
  return secret;
}

/**
 * DATABASE_PATH alone, as the portal reads it: for tools such as the backup that work on the
 * database without the rest of the portal's configuration.
 */
export function databasePathFrom(source: Record<string, string | undefined> = process.env): string {
  const value = source.DATABASE_PATH?.trim() ? source.DATABASE_PATH : undefined;
  return schema.shape.DATABASE_PATH.parse(value);
}

let current: Env | undefined;

export function getEnv(): Env {
  current ??= parseEnv();
  return current;
}

/** The only part of the configuration the browser ever sees. */
export function publicEnv(env: Env) {
  return { APP_URL: env.APP_URL, MAIL_MODE: env.mailMode };
}
export type PublicEnv = ReturnType<typeof publicEnv>;
