import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { FormErrorSummary, SelectField } from "~/components/form-fields";
import { getDb } from "~/lib/db.server";
import { parseForm } from "~/lib/forms";
import { LOCALES } from "~/lib/labels";
import { requireUser } from "~/modules/auth/guard.server";
import { preferencesSchema } from "~/modules/accounts/schema";
import { updatePreferences } from "~/modules/accounts/service.server";

export const meta: MetaFunction = () => [{ title: "Settings · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  return { viewer, timeZones: Intl.supportedValuesOf("timeZone") };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const form = parseForm(preferencesSchema, await request.formData());
  if (!form.ok) return data(form, { status: 400 });
  updatePreferences(getDb(), viewer.id, form.data);
  return redirect("/settings?saved=1");
}

export default function Settings() {
  const { viewer, timeZones } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <section className="narrow card" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {params.get("saved") && !state ? (
        <p className="notice notice--success" role="status">
          Saved. Times are now shown in {viewer.timeZone}.
        </p>
      ) : null}
      <Form method="post">
        <FormErrorSummary state={state} />
        <SelectField
          name="timeZone"
          label="Time zone"
          hint="Every time in the portal is shown in this zone."
          state={state}
          defaultValue={viewer.timeZone}
          options={timeZones.map((zone) => ({ value: zone, label: zone }))}
        />
        <SelectField
          name="locale"
          label="Date and number format"
          state={state}
          defaultValue={viewer.locale}
          options={LOCALES.map((locale) => ({ value: locale, label: locale }))}
        />
        <button type="submit" className="button">
          Save settings
        </button>
      </Form>
    </section>
  );
}
