import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";

export type RenderedEmail = { subject: string; html: string; text: string };

// Mail clients ignore stylesheets and classes: inline styles and tables are what they render.
const page = {
  fontFamily: "Segoe UI, Helvetica, Arial, sans-serif",
  color: "#1c2733",
  background: "#f4f6f8",
  padding: "24px 0",
} as const;
const card = {
  maxWidth: "560px",
  margin: "0 auto",
  background: "#ffffff",
  borderRadius: "6px",
  padding: "28px 32px",
  border: "1px solid #d8dee4",
} as const;

export function EmailLayout({ preview, children }: { preview: string; children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>{preview}</title>
      </head>
      <body style={page}>
        <div style={{ display: "none" }}>{preview}</div>
        <div style={card}>
          <p style={{ margin: "0 0 16px", fontSize: "13px", color: "#5a6876", letterSpacing: "0.04em" }}>
            TASKFORCE CONSULT
          </p>
          {children}
        </div>
        <p style={{ textAlign: "center", fontSize: "12px", color: "#5a6876" }}>
          Sent by the taskforce&apos;s consultation portal. Do not forward this message.
        </p>
      </body>
    </html>
  );
}

/** The message's one action, as a button, with the address written out for clients that hide links. */
export function EmailAction({ href, label, addressPrefix }: { href: string; label: string; addressPrefix?: string }) {
  return (
    <>
      <p style={{ margin: "24px 0" }}>
        <a
          href={href}
          style={{
            display: "inline-block",
            background: "#1f4e79",
            color: "#ffffff",
            padding: "12px 20px",
            borderRadius: "4px",
            textDecoration: "none",
            fontWeight: 600,
          }}
        >
          {label}
        </a>
      </p>
      {addressPrefix !== undefined ? (
        <p style={{ fontSize: "13px", color: "#5a6876", wordBreak: "break-all" }}>
          {addressPrefix}
          {href}
        </p>
      ) : null}
    </>
  );
}

export function renderHtml(element: ReactNode): string {
  return `<!DOCTYPE html>${renderToStaticMarkup(element)}`;
}
