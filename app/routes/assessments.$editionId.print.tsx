import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AreaMatrix } from "~/components/area-matrix";
import { EmptyState } from "~/components/empty-state";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { orStatusPage, parseId } from "~/lib/http.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { requireUser } from "~/modules/auth/guard.server";
import { printableEdition } from "~/modules/assessment/service.server";
import { TREND_LABELS } from "~/modules/threat-input/scales";
import { hasFigures, RISK_BAND_WORDS } from "~/modules/assessment/scoring";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Threat assessment report · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const report = orStatusPage(() => printableEdition(getDb(), viewer, parseId(params.editionId)));
  return { viewer, ...report };
}

/** The report as it is handed out: what a default export holds, marked at the top and foot of every page. */
export default function PrintableReport() {
  const { viewer, edition, areas, entities, proposals, left } = useLoaderData<typeof loader>();
  const scored = areas.filter(hasFigures).sort((a, b) => b.finalScore - a.finalScore);
  return (
    <article className="report">
      <p className="no-print">
        <Link to={`/assessments/${edition.id}`}>Back to the edition</Link> · Use your browser&apos;s print command; the handling mark
        repeats at the top and foot of every page.
      </p>
      <header className="page-header">
        <p className="eyebrow">International Cybercrime Taskforce · Threat assessment</p>
        <h1>{edition.title}</h1>
        <p>
          Period {edition.periodFrom} to {edition.periodTo} ·{" "}
          {edition.publishedAt ? (
            <>
              published <LocalTime at={edition.publishedAt} viewer={viewer} />
            </>
          ) : (
            "draft, not published"
          )}
        </p>
        {left.red || left.notShareable ? (
          <p className="small muted">
            This report leaves out {left.red ? `${left.red} TLP:RED ${left.red === 1 ? "item" : "items"}` : ""}
            {left.red && left.notShareable ? " and " : ""}
            {left.notShareable ? `${left.notShareable} ${left.notShareable === 1 ? "item" : "items"} not cleared for onward sharing` : ""}; its
            figures are computed without them.
          </p>
        ) : null}
      </header>
      <section className="section" aria-labelledby="report-areas">
        <h2 id="report-areas">Priorities by crime area</h2>
        {scored.length === 0 ? (
          <EmptyState title="No crime area has figures in this report." />
        ) : (
          <table className="stacked-table">
            <caption className="visually-hidden">Crime areas by score</caption>
            <thead>
              <tr>
                <th scope="col">Crime area</th>
                <th scope="col" className="num">Score</th>
                <th scope="col" className="num">Change</th>
                <th scope="col">Likelihood</th>
                <th scope="col" className="num">Impact</th>
                <th scope="col">Trend</th>
                <th scope="col" className="num">Organisations</th>
              </tr>
            </thead>
            <tbody>
              {scored.map((area) => (
                <tr key={area.crimeArea}>
                  <th scope="row">{CRIME_AREA_LABELS[area.crimeArea]}</th>
                  <td className="num stacked-table__key" data-label="Score">
                    {area.finalScore.toFixed(1)}
                    {area.final.band ? ` ${RISK_BAND_WORDS[area.final.band]}` : ""}
                  </td>
                  <td className="num" data-label="Change">
                    {area.change === null ? "—" : `${area.change > 0 ? "+" : ""}${area.change.toFixed(1)}`}
                  </td>
                  <td data-label="Likelihood">{area.final.likelihoodWords ?? "—"}</td>
                  <td className="num" data-label="Impact">
                    {area.final.impact?.toFixed(1) ?? "—"}
                  </td>
                  <td data-label="Trend">{area.finalTrend ? TREND_LABELS[area.finalTrend] : "—"}</td>
                  <td className="num" data-label="Organisations">
                    {area.organisations}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {scored.some((area) => area.override) ? (
          <ul className="small">
            {scored
              .filter((area) => area.override)
              .map((area) => (
                <li key={area.crimeArea}>
                  {CRIME_AREA_LABELS[area.crimeArea]}: set by the analysts ({area.override!.reason}).
                </li>
              ))}
          </ul>
        ) : null}
      </section>
      <section className="section" aria-labelledby="report-matrix">
        <h2 id="report-matrix">Likelihood and impact</h2>
        <AreaMatrix id="report-matrix-chart" editionId={edition.id} areas={scored} />
      </section>
      <section className="section" aria-labelledby="report-targets">
        <h2 id="report-targets">Targets and networks proposed for investigation</h2>
        {proposals.length === 0 ? (
          <p>None.</p>
        ) : (
          <ul>
            {proposals.map((proposal) => (
              <li key={proposal.id}>
                <strong>{proposal.name}</strong> ({proposal.kind}, {proposal.state}): {proposal.rationale}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="section" aria-labelledby="report-entities">
        <h2 id="report-entities">Most reported actors and malware</h2>
        {entities.length === 0 ? (
          <p>None named.</p>
        ) : (
          <ol>
            {entities.map((entity) => (
              <li key={`${entity.kind}:${entity.name}`}>
                {entity.name} ({entity.kind === "actor" ? "actor or network" : "malware"}
                {entity.aliases.length ? `, also ${entity.aliases.join(", ")}` : ""}): named by {entity.organisations}{" "}
                {entity.organisations === 1 ? "organisation" : "organisations"}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}
