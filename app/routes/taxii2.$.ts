import type { LoaderFunctionArgs } from "@remix-run/node";
import { serveTaxii, TaxiiError } from "~/modules/taxii/protocol.server";

/** Anything else under /taxii2/: a TAXII error resource, not the portal's page. */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, () => {
    throw new TaxiiError(404, "Not found", "There is no TAXII resource at this address.");
  });
