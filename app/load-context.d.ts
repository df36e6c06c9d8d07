import "@remix-run/node";
import type { Refusal } from "~/lib/request-guard.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The CSP nonce of this response; every inline script must carry it. */
    cspNonce: string;
    /** The client's address (behind a proxy only when TRUST_PROXY is set). */
    clientAddress: string;
    /** This request's id: on every log line it causes, in X-Request-Id and on the error page. */
    requestId: string;
    /** The most bytes this request's form may have, as the request guard worked it out. */
    bodyLimit: number;
    /**
     * Called by the form reader when it stops reading a body that is too large: the connection
     * then closes after the answer, so that the rest is never read.
     */
    abandonBody: () => void;
    /**
     * Waits for this write's place in the page queue (server/edge.ts): the form reader asks once
     * the whole form has arrived, so that a write computes a few at a time, as pages do.
     */
    takePlace: () => Promise<void>;
    /** Set only when the request guard asks the portal to render its refusal (routes/refused). */
    refusal?: Refusal;
  }
  interface Future {
    v3_singleFetch: true;
  }
}
