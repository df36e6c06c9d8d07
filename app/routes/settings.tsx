import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { FormErrorSummary, SelectField, type FormState } from "~/components/form-fields";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm } from "~/lib/forms";
import { LOCALES } from "~/lib/labels";
import { requireUser } from "~/modules/auth/guard.server";
import { preferencesSchema, settingsIntentSchema } from "~/modules/accounts/schema";
import { updatePreferences } from "~/modules/accounts/service.server";
import { feedStatus, feedUrls, issueFeedToken, revokeFeed } from "~/modules/calendar/feeds.server";
import { answer } from "~/modules/submissions/answer.server";

export const meta: MetaFunction = () => [{ title: "Settings · Taskforce Consult" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  return { viewer, timeZones: Intl.supportedValuesOf("timeZone"), feed: feedStatus(getDb(), viewer.id) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const formData = await readForm(request, context);
  const intent = settingsIntentSchema.safeParse(formData.get("intent"));
  if (!intent.success) return data(formFailure(formValues(formData), "Unknown action."), { status: 400 });
  const db = getDb();
  switch (intent.data) {
    case "preferences": {
      const form = parseForm(preferencesSchema, formData);
      if (!form.ok) return data(form, { status: 400 });
      updatePreferences(db, viewer.id, form.data);
      return answer(request, { location: "/settings", message: `Your settings are saved. Times are now shown in ${form.data.timeZone}.` });
    }
    case "feed-issue":
      // Shown once, in this answer only: the portal keeps nothing but the token's hash.
      return { feedUrls: feedUrls(getEnv().APP_URL, issueFeedToken(db, viewer.id)) };
    case "feed-revoke":
      revokeFeed(db, viewer.id);
      return answer(request, { location: "/settings", message: "Your feed is turned off: its address no longer works." });
  }
}

export default function Settings() {
  const { viewer, timeZones, feed } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const state = result && "ok" in result ? (result as FormState) : undefined;
  const issued = result && "feedUrls" in result ? result.feedUrls : null;
  return (
    <div className="stack narrow-wide">
      <section className="card" aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        <ActionForm>
          <FormErrorSummary state={state} />
          <input type="hidden" name="intent" value="preferences" />
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
        </ActionForm>
      </section>

      <section className="card" aria-labelledby="feed-title">
        <h2 id="feed-title">Calendar subscription</h2>
        <p>
          Subscribe to your meetings in Outlook, Google Calendar, Apple Calendar or Thunderbird. The feed holds the
          meetings you are invited to{viewer.roles.includes("coordinator") ? " or organise" : ""}, follows every
          change, and reminds you 15 minutes before each.
        </p>
        {issued ? (
          <div className="notice notice--success" role="status">
            <p>
              <strong>Your feed address.</strong> Copy it now: it is shown only this once. Anyone with it can read your
              meeting times, so keep it to yourself.
            </p>
            <p>
              <label htmlFor="feed-https">Address</label>
              <input id="feed-https" type="text" readOnly value={issued.https} className="copyable" />
            </p>
            <p>
              <a href={issued.webcal}>Open in your calendar app (webcal)</a>
            </p>
          </div>
        ) : null}
        {feed ? (
          <>
            {!issued ? (
              <p>
                Your feed is active since <LocalTime at={feed.createdAt} viewer={viewer} />. For your safety the
                address is not shown again: make a new one if you need it.
              </p>
            ) : null}
            <div className="actions">
              <ActionForm>
                <input type="hidden" name="intent" value="feed-issue" />
                <button type="submit" className="button button--secondary">
                  Make a new address (the old one stops)
                </button>
              </ActionForm>
              <ActionForm>
                <input type="hidden" name="intent" value="feed-revoke" />
                <button type="submit" className="button button--danger">
                  Turn the feed off
                </button>
              </ActionForm>
            </div>
          </>
        ) : (
          <ActionForm>
            <input type="hidden" name="intent" value="feed-issue" />
            <button type="submit" className="button">
              Create my feed address
            </button>
          </ActionForm>
        )}
      </section>
    </div>
  );
}
