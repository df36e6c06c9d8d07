import nodemailer, { type Transporter } from "nodemailer";
import type { Env } from "./env.server";
import { singleton } from "./singleton.server";

/**
 * SMTP when SMTP_URL is set; otherwise a transport that only renders the message, which the
 * outbox worker then files in the demo mailbox.
 */
export function createTransporter(env: Pick<Env, "SMTP_URL">): Transporter {
  if (!env.SMTP_URL) return nodemailer.createTransport({ streamTransport: true, buffer: true });
  return nodemailer.createTransport(env.SMTP_URL, {
    // Fail fast when the relay is away: the outbox retries later, nobody waits on this.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

export function getTransporter(env: Env): Transporter {
  return singleton("mail-transporter", () => createTransporter(env));
}
