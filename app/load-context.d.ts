import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The CSP nonce of this response; every inline script must carry it. */
    cspNonce: string;
    /** The client's address (behind a proxy only when TRUST_PROXY is set). */
    clientAddress: string;
  }
  interface Future {
    v3_singleFetch: true;
  }
}
