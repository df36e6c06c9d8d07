import { Visitor } from "./http";
import type { Portal } from "./portal";
import { linkIn, type ReceivedMail, type startSmtpServer } from "./smtp";

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

const sentTo = (smtp: Smtp, email: string) =>
  smtp.received.filter((mail) => mail.envelopeTo.some((to) => to.toLowerCase() === email.toLowerCase()));

/** Waits for the next message to this address (one more than `seenBefore`), or fails. */
export async function nextMailTo(smtp: Smtp, email: string, seenBefore: number, timeoutMs = 10_000): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = sentTo(smtp, email);
    if (mails.length > seenBefore) return mails[seenBefore]!;
    if (Date.now() > deadline) throw new Error(`no new mail to ${email} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Asks for a sign-in link for `email` and returns the link from the message that arrives. */
export async function requestLink(
  portal: Portal,
  smtp: Smtp,
  email: string,
  { visitor = new Visitor(portal.url), redirectTo }: { visitor?: Visitor; redirectTo?: string } = {},
): Promise<string> {
  const seen = sentTo(smtp, email).length;
  const response = await visitor.post("/login", { email, ...(redirectTo === undefined ? {} : { redirectTo }) });
  if (response.status !== 200) throw new Error(`sign-in request for ${email} answered ${response.status}`);
  await response.text();
  return linkIn(await nextMailTo(smtp, email, seen), "/login/link");
}

/** The token and redirectTo a sign-in link carries, as the link page's form posts them. */
export function linkForm(link: string): { path: string; form: Record<string, string> } {
  const url = new URL(link);
  const form: Record<string, string> = { token: url.searchParams.get("token") ?? "" };
  const redirectTo = url.searchParams.get("redirectTo");
  if (redirectTo !== null) form.redirectTo = redirectTo;
  return { path: `${url.pathname}${url.search}`, form };
}

/**
 * Signs in as a person would without JavaScript: asks for a link, opens it from the mail, and
 * presses the "Sign in" button. Returns the visitor holding the session cookie.
 */
export async function signIn(
  portal: Portal,
  smtp: Smtp,
  email: string,
  visitor: Visitor = new Visitor(portal.url),
): Promise<Visitor> {
  // Asked for from a fresh browser: a signed-in one is sent home by /login.
  const link = await requestLink(portal, smtp, email);
  const { path, form } = linkForm(link);
  const page = await visitor.get(path);
  if (page.status !== 200) throw new Error(`the sign-in link page answered ${page.status}`);
  await page.text();
  const response = await visitor.post(path, form);
  if (response.status !== 302) throw new Error(`signing in as ${email} answered ${response.status}`);
  await response.text();
  return visitor;
}
