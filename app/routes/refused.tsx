import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { notFound, statusPage } from "~/lib/http.server";
import type { RouteHandle } from "~/root";

// The request guard (server/edge.ts) refuses a request before any route runs, then asks the
// portal for this route, with the refusal in the load context, so that the refusal is the
// portal's own error page (or, for a single-fetch `.data` request, a Remix error response).
// Asked for directly, there is nothing here.
function refuse(context: AppLoadContext): never {
  if (!context.refusal) notFound();
  statusPage(context.refusal.status, context.refusal.message);
}

// A plain page, without scripts: it answers whatever address was refused (see RouteHandle).
export const handle: RouteHandle = { hydrate: false };

export const loader = ({ context }: LoaderFunctionArgs) => refuse(context);
export const action = ({ context }: ActionFunctionArgs) => refuse(context);

// Never rendered (the loader always throws); a page component keeps this a page route, whose
// errors the root error boundary renders.
export default function Refused() {
  return null;
}
