import nodemailer, { type Transporter } from "nodemailer";
import type { Env } from "./env.server";
import { singleton } from "./singleton.server";

// What the portal asks of nodemailer's SMTP transport unless SMTP_URL's query says otherwise
// (nodemailer reads transport options from the URL's query, e.g. `?maxConnections=10`).
const SMTP_DEFAULTS = {
  // Connections stay open and carry many messages: a new TCP and TLS handshake per message
  // was what held throughput to ~20 messages a second.
  pool: "true",
  maxMessages: "100",
  // The outbox alone decides when a message is tried again (with backoff, counted attempts and
  // a give-up): the pool must not resend a message on its own when a connection drops.
  maxRequeues: "0",
  // Fail fast when the relay is away: the outbox retries later, nobody waits on this.
  connectionTimeout: "10000",
  greetingTimeout: "10000",
  socketTimeout: "30000",
};

/** SMTP_URL with the portal's transport defaults added where the URL does not set them. */
export function smtpTransportUrl(smtpUrl: string, maxConnections: number): string {
  const url = new URL(smtpUrl);
  for (const [key, value] of Object.entries({ ...SMTP_DEFAULTS, maxConnections: String(maxConnections) })) {
    if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  }
  return url.toString();
}

/**
 * A pooled SMTP transport when SMTP_URL is set; otherwise a transport that only renders the
 * message, which the outbox worker then files in the demo mailbox.
 */
export function createTransporter(env: Pick<Env, "SMTP_URL" | "MAIL_MAX_CONNECTIONS">): Transporter {
  if (!env.SMTP_URL) return nodemailer.createTransport({ streamTransport: true, buffer: true });
  return nodemailer.createTransport(smtpTransportUrl(env.SMTP_URL, env.MAIL_MAX_CONNECTIONS));
}

export function getTransporter(env: Env): Transporter {
  return singleton("mail-transporter", () => createTransporter(env));
}
