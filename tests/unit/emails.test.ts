import { describe, expect, it } from "vitest";
import { renderSignInEmail } from "../../emails/sign-in";

const link = "http://localhost:3000/login/link?token=abcDEF123_-xyz&redirectTo=%2Fadmin%2Faccounts";

describe("renderSignInEmail", () => {
  const mail = renderSignInEmail({ name: "Andrés Restrepo", link, expiresInMinutes: 10 });

  it("is a complete HTML document", () => {
    expect(mail.html.startsWith("<!DOCTYPE html><html")).toBe(true);
    expect(mail.html.trimEnd().endsWith("</html>")).toBe(true);
    expect(mail.html).toMatch(/<meta charset="utf-8"\/>/i);
  });

  it("puts the link, the name and the expiry in the plain text", () => {
    expect(mail.text).toContain(link);
    expect(mail.text).toContain("Hello Andrés Restrepo,");
    expect(mail.text).toContain("10 minutes");
    expect(mail.text).not.toContain("<");
  });

  it("puts the same in the HTML, escaped for an attribute and for text", () => {
    const escaped = link.replace(/&/g, "&amp;");
    expect(mail.html).toContain(`href="${escaped}"`);
    expect(mail.html).toContain(`Or paste this address into your browser: ${escaped}`);
    expect(mail.html).not.toContain(link);
    expect(mail.html).toContain("<p>Hello Andrés Restrepo,</p>");
    expect(mail.html).toContain("10 minutes");
  });

  it("follows the expiry it is given", () => {
    const other = renderSignInEmail({ name: "A", link, expiresInMinutes: 15 });
    expect(other.text).toContain("15 minutes");
    expect(other.html).toContain("15 minutes");
    expect(other.text).not.toContain("10 minutes");
  });

  it("has a subject that says what it is", () => {
    expect(mail.subject).toBe("Your sign-in link for Taskforce Consult");
  });

  it("escapes markup in a person's name", () => {
    const hostile = renderSignInEmail({
      name: `<script>alert("x")</script><img src=x onerror=alert(1)>`,
      link,
      expiresInMinutes: 10,
    });
    expect(hostile.html).not.toContain("<script");
    expect(hostile.html).not.toContain("<img");
    expect(hostile.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    // Plain text is not markup: it carries the name as typed.
    expect(hostile.text).toContain(`Hello <script>alert("x")</script>`);
  });

  it("does not let a link break out of its attribute", () => {
    const hostile = renderSignInEmail({ name: "A", link: `http://localhost:3000/login/link?token=a"onmouseover="x`, expiresInMinutes: 10 });
    expect(hostile.html).not.toContain(`"onmouseover="`);
    expect(hostile.html).toContain("&quot;onmouseover=&quot;");
  });
});
