import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { EmptyState } from "~/components/empty-state";
import { CheckboxGroup, FormErrorSummary, SelectField, TextAreaField, TextField, type FormState } from "~/components/form-fields";
import { Pager } from "~/components/pager";
import { TlpBadge } from "~/components/threat-input-view";
import { getDb } from "~/lib/db.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm, type FormFailure } from "~/lib/forms";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { counted } from "~/lib/words";
import { requireUser } from "~/modules/auth/guard.server";
import { itemsFilterSchema, proposalFormSchema } from "~/modules/assessment/schema";
import { itemsBehind, proposeTarget } from "~/modules/assessment/service.server";
import { TARGET_KINDS } from "~/modules/assessment/vocabulary";
import { answerOnce } from "~/modules/submissions/answer.server";
import { evaluationLabel, IMPACT_SCALE, LIKELIHOOD_SCALE, TREND_LABELS } from "~/modules/threat-input/scales";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Items behind a figure · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const filter = itemsFilterSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const view = orStatusPage(() =>
    itemsBehind(getDb(), viewer, parseId(params.editionId), filter, { userId: viewer.id, origin: requestOrigin(request, context) }),
  );
  // Targets are proposed here, from the items an analyst reads behind a figure, a page at a time:
  // the edition's page lists no items, however many it rests on.
  return { ...view, filter, canPropose: view.edition.status === "draft" && viewer.roles.includes("analyst") };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const id = parseId(params.editionId);
  const formData = await readForm(request, context);
  const values = formValues(formData);
  if (values.intent !== "propose") return data<FormFailure>(formFailure(values, "Unknown action."), { status: 400 });
  const form = parseForm(proposalFormSchema, formData);
  if (!form.ok) return data({ ...form, values }, { status: 400 });
  return answerOnce(request, viewer, values, () => {
    proposeTarget(getDb(), viewer, id, form.data, { userId: viewer.id, origin: requestOrigin(request, context) });
    return { location: `/assessments/${id}`, message: "The target is proposed. A coordinator or another analyst endorses or declines it." };
  });
}

function describe(filter: ReturnType<typeof useLoaderData<typeof loader>>["filter"]): string {
  if (filter.area) return CRIME_AREA_LABELS[filter.area];
  if (filter.actor) return `the actor or network ${filter.actor}`;
  if (filter.malware) return `the malware ${filter.malware}`;
  if (filter.indicator) return `the indicator ${filter.indicator}`;
  if (filter.target) return "the proposed target";
  return "the whole edition";
}

export default function ItemsBehind() {
  const { edition, items, total, next, hiddenItems, filter, canPropose } = useLoaderData<typeof loader>();
  const state = useActionData<typeof action>() as FormState;
  return (
    <>
      <header className="page-header">
        <p className="eyebrow">
          <Link to={`/assessments/${edition.id}`}>{edition.title}</Link> · Items behind a figure
        </p>
        <h1>Items behind {describe(filter)}</h1>
        <p className="muted">
          {counted(total, "item")}
          {total > items.length ? `, ${items.length} on this page` : ""}, each weighted by its evaluation (the taskforce&apos;s grade where an analyst
          re-graded it).
        </p>
      </header>
      {hiddenItems > 0 ? (
        <p className="notice" role="status">
          This edition also draws on {hiddenItems === 1 ? "one item" : `${hiddenItems} items`} marked for other readers only: none of
          them is shown or counted on this page, whatever it lists.
        </p>
      ) : null}
      {items.length === 0 ? (
        <EmptyState title="No item you may read." />
      ) : (
        <div className="table-wrap" {...scrollRegion("The items, with their figures")}>
          <table className="stacked-table">
            <caption className="visually-hidden">The items, with their figures</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Source</th>
                <th scope="col">Impact</th>
                <th scope="col">Likelihood</th>
                <th scope="col">Evaluation</th>
                <th scope="col">Trend</th>
                <th scope="col">TLP</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <th scope="row">
                    <Link to={`/inputs/${item.inputId}#item-${item.id}`}>{item.title}</Link>
                    <div className="muted small">{CRIME_AREA_LABELS[item.crimeArea]}</div>
                  </th>
                  <td data-label="Source">{item.source}</td>
                  <td data-label="Impact">
                    {item.impact} · {IMPACT_SCALE[item.impact]?.word}
                  </td>
                  <td data-label="Likelihood">
                    {item.likelihood} · {LIKELIHOOD_SCALE[item.likelihood]?.word}
                  </td>
                  <td data-label="Evaluation">{evaluationLabel(item.sourceReliability, item.informationCredibility)}</td>
                  <td data-label="Trend">{TREND_LABELS[item.trend]}</td>
                  <td data-label="TLP">
                    <TlpBadge tlp={item.tlp} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={next} label="Pages of the items" />
      {canPropose && items.length ? <ProposeTarget items={items} filter={filter} state={state} /> : null}
    </>
  );
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

/** A target proposed from items of this page; a filter by a name gives the name to start from. */
function ProposeTarget({ items, filter, state }: { items: Loaded["items"]; filter: Loaded["filter"]; state: FormState }) {
  return (
    <section className="section card" aria-labelledby="propose-title">
      <h2 id="propose-title">Propose a target</h2>
      <p className="muted small">From the items on this page. A coordinator or another analyst then endorses or declines it.</p>
      <ActionForm className="stack" noValidate>
        <FormErrorSummary state={state} />
        <SelectField
          name="kind"
          label="Kind"
          state={state}
          defaultValue={filter.actor ? "actor" : "network"}
          options={TARGET_KINDS.map((kind) => ({ value: kind, label: kind === "actor" ? "Actor" : "Network" }))}
        />
        <TextField name="name" label="Name" state={state} defaultValue={filter.actor ?? ""} />
        <TextAreaField name="rationale" label="Rationale" rows={4} state={state} />
        <CheckboxGroup
          name="itemIds"
          legend="Supporting items"
          state={state}
          options={items.map((item) => ({ value: String(item.id), label: `${item.title} (${CRIME_AREA_LABELS[item.crimeArea]}, ${item.tlp})` }))}
        />
        <button className="button" type="submit" name="intent" value="propose">
          Propose
        </button>
      </ActionForm>
    </section>
  );
}
