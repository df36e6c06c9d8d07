import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrorSummary, TextField } from "~/components/form-fields";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm } from "~/lib/forms";
import { attempt, orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { requireRole } from "~/modules/auth/guard.server";
import { API_ROOT_PATH } from "~/modules/taxii/protocol.server";
import { agencyIntentSchema, issueKey, keyFormSchema, revokeKey, viewAgency } from "~/modules/taxii/service.server";

export const meta: MetaFunction = () => [{ title: "Member agency · Taskforce Consult" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const view = orStatusPage(() => viewAgency(getDb(), viewer, parseId(params.agencyId)));
  return { viewer, ...view, apiRoot: new URL(API_ROOT_PATH, getEnv().APP_URL).toString() };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireRole(request, "admin");
  const agencyId = parseId(params.agencyId);
  const formData = await readForm(request, context);
  const values = formValues(formData);
  const intent = agencyIntentSchema.safeParse(values.intent);
  if (!intent.success) return data(formFailure(values, "Unknown action."), { status: 400 });
  const actor = { userId: viewer.id, origin: requestOrigin(request, context) };
  if (intent.data === "revoke") {
    const keyId = z.coerce.number().int().positive().safeParse(values.keyId);
    if (!keyId.success) return data(formFailure(values, "Choose a key to revoke."), { status: 400 });
    const outcome = attempt(values, () => revokeKey(getDb(), viewer, agencyId, keyId.data, actor));
    return outcome.ok ? redirect(`/admin/agencies/${agencyId}`) : data(outcome, { status: outcome.status ?? 400 });
  }
  const form = parseForm(keyFormSchema, formData);
  if (!form.ok) return data(form, { status: 400 });
  const outcome = attempt(values, () => issueKey(getDb(), viewer, agencyId, form.data, actor));
  if (!outcome.ok) return data(outcome, { status: outcome.status ?? 400 });
  // The key is shown in this answer and nowhere else: it is stored only as its hash.
  return data({ ok: true as const, issued: outcome.result.key }, { headers: { "Cache-Control": "no-store" } });
}

export default function Agency() {
  const { viewer, agency, keys, collections, apiRoot } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const state = result && !result.ok ? result : undefined;
  return (
    <>
      <h1>{agency.name}</h1>
      {result?.ok ? (
        <div className="notice notice--success" role="status">
          <p>The new key, shown this once; give it to the agency by a safe way and keep no copy:</p>
          <p>
            <code id="issued-key">{result.issued}</code>
          </p>
        </div>
      ) : null}
      <section className="section">
        <h2>TAXII</h2>
        <p>
          API root: <code>{apiRoot}</code>. Collections:
        </p>
        <ul className="plain-list">
          {collections.map((collection) => (
            <li key={collection.id}>
              {collection.title}: <code>{collection.id}</code>
            </li>
          ))}
        </ul>
      </section>
      <section className="section">
        <h2>Keys</h2>
        <FormErrorSummary state={state} />
        {keys.length === 0 ? (
          <p className="muted">No keys yet.</p>
        ) : (
          <ul className="plain-list">
            {keys.map((key) => (
              <li key={key.id}>
                <code>{key.prefix}…</code> {key.label} · issued <LocalTime at={key.createdAt} viewer={viewer} />
                {key.lastUsedAt ? (
                  <>
                    {" "}
                    · last used <LocalTime at={key.lastUsedAt} viewer={viewer} />
                  </>
                ) : null}
                {key.revokedAt ? (
                  <>
                    {" "}
                    · <span className="badge badge--muted">revoked</span>
                  </>
                ) : (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="keyId" value={key.id} />
                    <button className="button button--quiet" type="submit" name="intent" value="revoke">
                      Revoke
                    </button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        )}
        <Form method="post" className="stack card" noValidate>
          <TextField name="label" label="What the key is for" hint="For instance the platform that uses it: OpenCTI, MISP." state={state} />
          <button className="button" type="submit" name="intent" value="issue">
            Issue a key
          </button>
        </Form>
      </section>
    </>
  );
}
