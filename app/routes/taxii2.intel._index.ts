import type { LoaderFunctionArgs } from "@remix-run/node";
import { serveTaxii, TAXII_MEDIA_TYPE } from "~/modules/taxii/protocol.server";

/** TAXII 2.1 §4.2: the API root. Read-only: it takes no content (max_content_length 0). */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, () => ({
    body: {
      title: "Threat assessment",
      description: "Published editions, as STIX 2.1, one collection for all member agencies and one for each.",
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: 0,
    },
  }));
