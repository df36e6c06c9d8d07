import type { LoaderFunctionArgs } from "@remix-run/node";
import { manifest, objectFilter, serveTaxii } from "~/modules/taxii/protocol.server";

/** TAXII 2.1 §5.3: the manifest of a collection. */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, (request) => manifest(request, objectFilter(request.url, { version: "last" })));
