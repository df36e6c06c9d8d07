import type { LoaderFunctionArgs } from "@remix-run/node";
import { objectFilter, serveTaxii, versions } from "~/modules/taxii/protocol.server";

/** TAXII 2.1 §5.8: the versions of one object. */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, (request) => versions(request, objectFilter(request.url, { version: "all", id: request.params.objectId })));
