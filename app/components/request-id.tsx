import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

/**
 * The id of the request that rendered this document. The server provides it from the load
 * context; the browser reads it back from the page at hydration (so both render the same) and
 * then forgets it, because later errors come from other requests.
 */
export const RequestIdContext = createContext<string | undefined>(undefined);

export const REQUEST_ID_META = "request-id";

export function DocumentRequestId({ initial, children }: { initial: string | undefined; children: ReactNode }) {
  const [requestId, setRequestId] = useState(initial);
  useEffect(() => setRequestId(undefined), []);
  return <RequestIdContext.Provider value={requestId}>{children}</RequestIdContext.Provider>;
}

/**
 * The reference to show with an error: the one its data carries (a status page thrown by the
 * portal names its request), or else the document's, but only for the error the page was
 * rendered with, never for one met after a client-side navigation.
 */
export function useErrorReference(error: unknown, fromData: string | undefined): string | undefined {
  const documentId = useContext(RequestIdContext);
  const [first] = useState(() => ({ error, documentId }));
  return fromData ?? (first.error === error ? first.documentId : undefined);
}
