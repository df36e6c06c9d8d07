import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { getDb } from "~/lib/db.server";
import { orStatusPage, parseId, statusPage } from "~/lib/http.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { counted } from "~/lib/words";
import { viewEdition } from "~/modules/assessment/service.server";
import { hasFigures } from "~/modules/assessment/scoring";
import { requireUser } from "~/modules/auth/guard.server";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Publish the edition · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

/**
 * Publishing cannot be undone, so it has a page of its own that says what it freezes and who
 * hears of it, and holds the real button (the edition's action refuses a post sent without it).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const id = parseId(params.editionId);
  const view = orStatusPage(() => viewEdition(getDb(), viewer, id));
  if (!viewer.roles.includes("analyst")) statusPage(403, "Only the taskforce's analysts publish an edition.");
  if (view.edition.status === "published") statusPage(409, "This edition is already published: its figures are frozen.");
  return {
    edition: { id: view.edition.id, title: view.edition.title, periodFrom: view.edition.periodFrom, periodTo: view.edition.periodTo },
    handlingMark: view.handlingMark,
    consultations: view.consultations.map((consultation) => consultation.title),
    items: view.itemCount,
    hiddenItems: view.hiddenItems,
    areas: view.areas.filter(hasFigures).map((area) => ({ crimeArea: area.crimeArea, items: area.items, score: area.finalScore, byHand: !!area.override })),
    undecided: view.proposals.filter((proposal) => proposal.state === "proposed").length,
  };
}

export default function ConfirmPublish() {
  const { edition, consultations, items, hiddenItems, areas, undecided } = useLoaderData<typeof loader>();
  return (
    <section className="narrow-wide" aria-labelledby="publish-title">
      <p className="eyebrow">
        <Link to={`/assessments/${edition.id}`}>{edition.title}</Link>
      </p>
      <h1 id="publish-title">Publish this edition?</h1>
      <div className="notice notice--warning">
        <p>
          <strong>Publishing freezes the figures for good; it cannot be undone.</strong> The items the edition draws on, with their
          grades as they are now, the names merged and the scores set by hand stay exactly as they are: input accepted later, new
          grades and merges no longer change it.
        </p>
      </div>
      <h2>What is frozen</h2>
      <p>
        {counted(items, "accepted item")} from {consultations.join(", ")}, observed from {edition.periodFrom} to {edition.periodTo}
        {hiddenItems ? `, and ${counted(hiddenItems, "item")} marked for other readers only, frozen with it though you do not see them` : ""}.
      </p>
      {areas.length ? (
        <div className="table-wrap">
          <table>
            <caption>The scores as they will be published</caption>
            <thead>
              <tr>
                <th scope="col">Crime area</th>
                <th scope="col" className="num">
                  Items
                </th>
                <th scope="col" className="num">
                  Score
                </th>
              </tr>
            </thead>
            <tbody>
              {areas.map((area) => (
                <tr key={area.crimeArea}>
                  <th scope="row">{CRIME_AREA_LABELS[area.crimeArea]}</th>
                  <td className="num">{area.items}</td>
                  <td className="num">
                    {area.score.toFixed(1)}
                    {area.byHand ? " (set by hand)" : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="notice">No crime area has accepted input yet: there is nothing to publish.</p>
      )}
      <h2 className="section">Who hears of it</h2>
      <ul>
        <li>Nobody is sent mail. The taskforce&apos;s coordinators and analysts see the edition as published in the portal.</li>
        <li>Analysts can then export it (STIX 2.1, CSV and the printable report).</li>
        {undecided ? <li>{counted(undecided, "target proposal is", "target proposals are")} still undecided, and can be decided after publishing.</li> : null}
      </ul>
      <ActionForm action={`/assessments/${edition.id}?index`} className="actions">
        <input type="hidden" name="intent" value="publish" />
        <input type="hidden" name="confirmed" value="yes" />
        <button type="submit" className="button">
          Publish and freeze the figures
        </button>
        <Link className="button button--secondary" to={`/assessments/${edition.id}`}>
          Back to the draft
        </Link>
      </ActionForm>
    </section>
  );
}
