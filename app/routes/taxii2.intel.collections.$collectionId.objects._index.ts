import type { LoaderFunctionArgs } from "@remix-run/node";
import { envelope, objectFilter, serveTaxii } from "~/modules/taxii/protocol.server";

/** TAXII 2.1 §5.4: the objects of a collection (latest versions unless match[version] says). */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, (request) => envelope(request, objectFilter(request.url, { version: "last" })));
