import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";
import { DocumentRequestId, REQUEST_ID_META } from "~/components/request-id";

// An error page names its request in the head; hydration must render that same reference.
const documentRequestId = document.querySelector<HTMLMetaElement>(`meta[name="${REQUEST_ID_META}"]`)?.content;

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <DocumentRequestId initial={documentRequestId}>
        <RemixBrowser />
      </DocumentRequestId>
    </StrictMode>,
  );
});
