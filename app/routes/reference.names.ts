import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/modules/auth/guard.server";
import { currentTechniques } from "~/modules/reference/attack";
import { knownNames } from "~/modules/reference/names";

/**
 * Every known actor, malware family and current ATT&CK technique, for the threat input form's
 * suggestions with JavaScript: loaded once, on first use, and kept by the browser for a day, so
 * that the form's page stays light (the lists are about 150 kB).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return Response.json(
    { actor: knownNames("actor"), malware: knownNames("malware"), technique: currentTechniques() },
    { headers: { "Cache-Control": "private, max-age=86400" } },
  );
}
