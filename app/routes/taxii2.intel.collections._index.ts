import type { LoaderFunctionArgs } from "@remix-run/node";
import { collectionResource, serveTaxii } from "~/modules/taxii/protocol.server";
import { collectionsFor } from "~/modules/taxii/service.server";

/** TAXII 2.1 §5.1: the collections this agency may read. */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, ({ client }) => ({ body: { collections: collectionsFor(client).map(collectionResource) } }));
