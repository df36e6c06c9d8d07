import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { InputView } from "~/components/threat-input-view";
import { countryLabels } from "~/lib/countries";
import { getDb } from "~/lib/db.server";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireUser } from "~/modules/auth/guard.server";
import { viewInput } from "~/modules/threat-input/service.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Threat input, earlier version · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const view = orStatusPage(() =>
    viewInput(getDb(), viewer, parseId(params.inputId), { userId: viewer.id, origin: requestOrigin(request, context) }, {
      version: parseId(params.number),
    }),
  );
  return { viewer, view, countries: countryLabels(view.items.flatMap((item) => item.countries)), handlingMark: view.handlingMark };
}

export default function InputVersionPage() {
  const { viewer, view, countries } = useLoaderData<typeof loader>();
  return <InputView view={view} viewer={viewer} countries={countries} />;
}
