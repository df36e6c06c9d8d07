import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { usePageMessage } from "~/components/action-form";
import { HandlingMark, type Tlp } from "~/components/handling-mark";
import { REQUEST_ID_META, useErrorReference } from "~/components/request-id";
import { SiteHeader } from "~/components/site-header";
import { useNonce } from "~/components/nonce";
import { getEnv, publicEnv } from "~/lib/env.server";
import type { BodyLimitHandle } from "~/lib/request-guard.server";
import { getViewer } from "~/modules/auth/guard.server";
import { takeMessage } from "~/modules/submissions/answer.server";
import { newSubmitKey } from "~/modules/submissions/service.server";
import styles from "~/styles/app.css";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await getViewer(request);
  return {
    viewer: viewer && {
      name: viewer.name,
      roles: viewer.roles,
      organisationName: viewer.organisationName,
      timeZone: viewer.timeZone,
      locale: viewer.locale,
    },
    env: publicEnv(getEnv()),
    /** The one-time key of this page's forms (components/action-form). */
    submitKey: newSubmitKey(),
    /** What the last action said, shown once on the page it led to. */
    flash: viewer ? await takeMessage(request) : null,
  };
}

/**
 * A route declares the handling mark of what it shows, in its handle or, when the mark belongs
 * to the record shown (a meeting's own marking), as `handlingMark` in its loader data. The most
 * specific route wins. A route whose forms are larger than MAX_BODY_BYTES declares its own
 * `bodyLimit`, which the request guard reads from the server build. A page that is only ever
 * sent as the answer to another address (routes/refused) says `hydrate: false`: the browser's
 * router would match the address in the bar, not the page it got, and fail to hydrate it.
 */
export type RouteHandle = { tlp?: Tlp; hydrate?: false } & BodyLimitHandle;

function useHandlingMark(): Tlp {
  const matches = useMatches();
  for (let i = matches.length - 1; i >= 0; i--) {
    const match = matches[i];
    const fromData = (match?.data as { handlingMark?: Tlp } | undefined)?.handlingMark;
    const tlp = fromData ?? (match?.handle as RouteHandle | undefined)?.tlp;
    if (tlp) return tlp;
  }
  return "TLP:CLEAR";
}

function Document({ children, tlp, reference }: { children: ReactNode; tlp: Tlp; reference?: string }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const hydrate = !useMatches().some((match) => (match.handle as RouteHandle | undefined)?.hydrate === false);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {reference ? <meta name={REQUEST_ID_META} content={reference} /> : null}
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <HandlingMark tlp={tlp} />
        <SiteHeader viewer={data?.viewer ?? null} mailMode={data?.env.MAIL_MODE} />
        <main id="main" className="page">
          <PageMessage />
          {children}
        </main>
        <HandlingMark tlp={tlp} position="bottom" />
        {hydrate ? (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : null}
      </body>
    </html>
  );
}

/** Always on the page, so that screen readers announce a message as it arrives after an action. */
function PageMessage() {
  const flash = usePageMessage();
  return (
    <div className="page-message" role="status">
      {flash ? (
        <p className="notice notice--success" key={flash.id}>
          {flash.message}
        </p>
      ) : null}
    </div>
  );
}

export default function App() {
  const tlp = useHandlingMark();
  return (
    <Document tlp={tlp}>
      <Outlet />
    </Document>
  );
}

const STATUS_TITLES: Record<number, string> = {
  400: "That request was not understood",
  401: "Please sign in",
  403: "You do not have access to this page",
  404: "Page not found",
  405: "This page does not take that kind of request",
  410: "This link no longer works",
  413: "That was too much to send at once",
  415: "That request was not a form",
  429: "Too many requests",
};

/** The one error page of the portal: every route's errors end here. */
export function ErrorBoundary() {
  const error = useRouteError();
  let status = 500;
  let message = "Something went wrong on our side. The error has been logged; please try again.";
  let fromData: string | undefined;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    const data = error.data as { message?: unknown; requestId?: unknown } | string | null;
    const given = typeof data === "string" ? data : data?.message;
    if (typeof given === "string" && given) message = given;
    else if (status === 404) message = "There is nothing at this address.";
    if (data && typeof data === "object" && typeof data.requestId === "string") fromData = data.requestId;
  }
  const reference = useErrorReference(error, fromData);
  return (
    <Document tlp="TLP:CLEAR" reference={reference}>
      <section className="error-page" aria-labelledby="error-title">
        <p className="eyebrow">Error {status}</p>
        <h1 id="error-title">{STATUS_TITLES[status] ?? "Something went wrong"}</h1>
        <p>{message}</p>
        {reference ? (
          <p className="muted">
            Quote this reference: <code id="error-reference">{reference}</code>
          </p>
        ) : null}
        <p>
          <a href="/">Go to your home page</a>
        </p>
      </section>
    </Document>
  );
}
