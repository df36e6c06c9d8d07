import { EmailAction, EmailLayout, renderHtml, type RenderedEmail } from "./layout";

export type SignInEmailData = {
  name: string;
  link: string;
  expiresInMinutes: number;
};

export function renderSignInEmail(data: SignInEmailData): RenderedEmail {
  const subject = "Your sign-in link for Taskforce Consult";
  const html = renderHtml(
    <EmailLayout preview={subject}>
      <h1 style={{ fontSize: "20px", margin: "0 0 12px" }}>Sign in to Taskforce Consult</h1>
      <p>Hello {data.name},</p>
      <p>
        Someone, probably you, asked to sign in with this address. The link works once and for{" "}
        {data.expiresInMinutes} minutes.
      </p>
      <EmailAction href={data.link} label="Sign in" addressPrefix="Or paste this address into your browser: " />
      <p style={{ fontSize: "13px", color: "#5a6876" }}>
        If you did not ask for it, ignore this message: nobody can sign in without opening the link.
      </p>
    </EmailLayout>,
  );
  const text = [
    `Hello ${data.name},`,
    "",
    "Someone, probably you, asked to sign in to Taskforce Consult with this address.",
    `Open this link to sign in. It works once and for ${data.expiresInMinutes} minutes:`,
    "",
    data.link,
    "",
    "If you did not ask for it, ignore this message: nobody can sign in without opening the link.",
  ].join("\n");
  return { subject, html, text };
}
