import type { LoaderFunctionArgs } from "@remix-run/node";
import { envelope, objectFilter, serveTaxii } from "~/modules/taxii/protocol.server";

/** TAXII 2.1 §5.6: one object (its latest version unless match[version] says). */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, (request) => envelope(request, objectFilter(request.url, { version: "last", id: request.params.objectId })));
