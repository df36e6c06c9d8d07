import type { LoaderFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/lib/env.server";
import { API_ROOT_PATH, serveTaxii } from "~/modules/taxii/protocol.server";

/** TAXII 2.1 §4.1: server discovery. */
export const loader = (args: LoaderFunctionArgs) =>
  serveTaxii(args, () => {
    const root = new URL(API_ROOT_PATH, getEnv().APP_URL).toString();
    return {
      body: {
        title: "Taskforce Consult TAXII server",
        description: "Published threat-assessment editions of the international cybercrime taskforce, for its member agencies.",
        default: root,
        api_roots: [root],
      },
    };
  });
