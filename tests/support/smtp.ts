import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export type ReceivedMail = ParsedMail & { envelopeTo: string[]; raw: string };

/**
 * A real SMTP server, in this process, that keeps and parses what it receives. With
 * `acceptDelayMs` it answers each message's data that much later, as a busy relay does.
 */
export async function startSmtpServer(port = 0, { acceptDelayMs = 0 }: { acceptDelayMs?: number } = {}) {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    // The portal keeps pooled connections open: closing the server drops them at once, as a
    // relay that goes away does, instead of waiting 30 s for the client to hang up.
    closeTimeout: 100,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        new Promise((resolve) => setTimeout(resolve, acceptDelayMs))
          .then(() => simpleParser(raw))
          .then((parsed) => {
            received.push(
              Object.assign(parsed, {
                raw,
                envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              }),
            );
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  // A client that goes away mid-session (a portal killed with -9) is a relay's everyday event:
  // smtp-server reports it as an error of the server, which is kept, not thrown.
  const connectionErrors: Error[] = [];
  server.on("error", (error) => connectionErrors.push(error));
  const address = server.server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  return {
    port: boundPort,
    url: `smtp://127.0.0.1:${boundPort}`,
    received,
    connectionErrors,
    /** Waits until at least `count` messages are in, or fails after `timeoutMs`. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} messages, received ${received.length} in ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first portal link in a message's plain-text part. */
export function linkIn(mail: ParsedMail, pathPrefix: string): string {
  const match = (mail.text ?? "").match(new RegExp(`https?://\\S+${pathPrefix.replace(/[/?.]/g, "\\$&")}\\S*`));
  if (!match) throw new Error(`no link to ${pathPrefix} in: ${mail.text}`);
  return match[0];
}
