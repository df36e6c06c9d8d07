import type { LoaderFunctionArgs } from "@remix-run/node";
import { collectionOf, collectionResource, serveTaxii } from "~/modules/taxii/protocol.server";

/** TAXII 2.1 §5.2: one collection. */
export const loader = (args: LoaderFunctionArgs) => serveTaxii(args, (request) => ({ body: collectionResource(collectionOf(request)) }));
