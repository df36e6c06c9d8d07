import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/empty-state";
import { Pager } from "~/components/pager";
import { TlpBadge } from "~/components/threat-input-view";
import { getDb } from "~/lib/db.server";
import { orStatusPage, parseId, requestOrigin } from "~/lib/http.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { counted } from "~/lib/words";
import { requireUser } from "~/modules/auth/guard.server";
import { itemsFilterSchema } from "~/modules/assessment/schema";
import { itemsBehind } from "~/modules/assessment/service.server";
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
  return { ...view, filter };
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
  const { edition, items, total, next, hiddenItems, filter } = useLoaderData<typeof loader>();
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
    </>
  );
}
