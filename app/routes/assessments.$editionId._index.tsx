import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { z } from "zod";
import { CRIME_AREAS, TRENDS } from "~/modules/threat-input/vocabulary";
import { AreaMatrix } from "~/components/area-matrix";
import { ReportedBeyond } from "~/components/corroboration";
import { TrendLines } from "~/components/charts/trend-lines";
import { EmptyState } from "~/components/empty-state";
import { CheckboxGroup, FormErrorSummary, SelectField, TextAreaField, TextField, type FormState } from "~/components/form-fields";
import { LocalTime } from "~/components/local-time";
import { getDb } from "~/lib/db.server";
import { getEnv } from "~/lib/env.server";
import { readForm } from "~/lib/form-reader.server";
import { formFailure, formValues, parseForm, type FormFailure } from "~/lib/forms";
import { orStatusPageSoon, parseId, requestOrigin } from "~/lib/http.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { counted } from "~/lib/words";
import { requireUser } from "~/modules/auth/guard.server";
import {
  clearOverrideFormSchema,
  decisionFormSchema,
  editionIntentSchema,
  mergeFormSchema,
  overrideFormSchema,
  publishFormSchema,
} from "~/modules/assessment/schema";
import {
  assertPublishConfirmed,
  clearOverride,
  decideTarget,
  mergeNames,
  publishEdition,
  setOverride,
} from "~/modules/assessment/service.server";
import { editionPageSoon } from "~/modules/assessment/page.server";
import { reads } from "~/modules/system/read-worker.server";
import { TREND_LABELS } from "~/modules/threat-input/scales";
import { hasFigures, RISK_BAND_WORDS } from "~/modules/assessment/scoring";
import { releaseEdition, releaseFormSchema } from "~/modules/taxii/service.server";
import { answerOnce } from "~/modules/submissions/answer.server";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Assessment edition · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireUser(request);
  const url = new URL(request.url);
  const db = getDb();
  const id = parseId(params.editionId);
  return {
    viewer,
    // Computed off the event loop by the read worker, and kept until a write (decision 034).
    ...(await orStatusPageSoon(() => editionPageSoon(db, viewer, id, (asked) => reads().run("edition-page", asked)))),
    // A refused named export comes back here with its message and what was typed.
    exportForm: url.searchParams.has("exportError")
      ? {
          fieldErrors: { [url.searchParams.get("field") ?? "recipient"]: [url.searchParams.get("exportError") ?? ""] },
          values: { recipient: url.searchParams.get("recipient") ?? "", format: url.searchParams.get("format") ?? "stix" },
        }
      : undefined,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = await requireUser(request);
  const id = parseId(params.editionId);
  const formData = await readForm(request, context);
  const values = formValues(formData);
  const intent = editionIntentSchema.safeParse(values.intent);
  if (!intent.success) return data<FormFailure>(formFailure(values, "Unknown action."), { status: 400 });
  const db = getDb();
  const actor = { userId: viewer.id, origin: requestOrigin(request, context), appUrl: getEnv().APP_URL };
  /**
   * Parses the form, runs the change once per key and says what it did. Each of these creates
   * something or would be refused the second time: a double click gets the first answer.
   */
  const run = <T,>(schema: z.ZodType<T>, act: (input: T) => string) => {
    const form = parseForm(schema, formData);
    if (!form.ok) return data({ ...form, values }, { status: 400 });
    return answerOnce(request, viewer, values, () => ({ location: `/assessments/${id}`, message: act(form.data) }));
  };
  switch (intent.data) {
    case "override":
      return run(overrideFormSchema, (input) => {
        setOverride(db, viewer, id, input, actor);
        return `${CRIME_AREA_LABELS[input.crimeArea]} is set by hand, with your reason beside it.`;
      });
    case "clear-override":
      return run(clearOverrideFormSchema, (input) => {
        clearOverride(db, viewer, id, input.crimeArea, actor);
        return `${CRIME_AREA_LABELS[input.crimeArea]} shows the computed figures again.`;
      });
    case "merge":
      // The names may be a TLP:RED item's: the message does not repeat them.
      return run(mergeFormSchema, (input) => {
        mergeNames(db, viewer, input, actor);
        return "The two names are merged: every draft edition now reads them as one.";
      });
    case "decide":
      return run(decisionFormSchema, (input) => {
        decideTarget(db, viewer, id, input, actor);
        return `The proposal is ${input.decision}.`;
      });
    case "publish":
      return run(publishFormSchema, (input) => {
        assertPublishConfirmed(db, viewer, id, input.confirmed);
        publishEdition(db, viewer, id, actor);
        return "The edition is published: its figures are frozen, and it can be exported.";
      });
    case "release":
      return run(releaseFormSchema, (input) => {
        releaseEdition(db, viewer, id, input, actor);
        return "The edition is released: the member agencies' platforms can pull it over TAXII.";
      });
  }
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Area = Data["areas"][number];

const itemsLink = (editionId: number, query: Record<string, string | number>) =>
  `/assessments/${editionId}/items?${new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)]))}`;
const figure = (value: number | null, digits = 1) => (value === null ? "—" : value.toFixed(digits));
const stateFor = (state: FormState, intent: string): FormState => (state?.values?.intent === intent ? state : undefined);

function AreasTable({ editionId, areas }: { editionId: number; areas: Area[] }) {
  return (
    <div className="table-wrap" {...scrollRegion("Crime areas, with the figures behind each score")}>
      <table className="figures-table stacked-table">
        <caption className="visually-hidden">Crime areas, with the figures behind each score</caption>
        <thead>
          <tr>
            <th scope="col">Crime area</th>
            <th scope="col" className="num">Items</th>
            <th scope="col" className="num">Organisations</th>
            <th scope="col" className="num">Countries affected</th>
            <th scope="col" className="num">Impact</th>
            <th scope="col">Likelihood</th>
            <th scope="col" className="num">Corroborated by</th>
            <th scope="col" className="num">Confidence</th>
            <th scope="col" className="num">Score</th>
            <th scope="col" className="num">Change</th>
            <th scope="col">Trend</th>
          </tr>
        </thead>
        <tbody>
          {areas.map((area) => {
            const link = itemsLink(editionId, { area: area.crimeArea });
            const has = area.items > 0;
            const scoreSet = area.override?.score !== null && area.override?.score !== undefined;
            return (
              <tr key={area.crimeArea}>
                <th scope="row">{has ? <Link to={link}>{CRIME_AREA_LABELS[area.crimeArea]}</Link> : CRIME_AREA_LABELS[area.crimeArea]}</th>
                <td className="num" data-label="Items">{has ? <Link to={link} aria-label={`${area.items} items behind ${CRIME_AREA_LABELS[area.crimeArea]}`}>{area.items}</Link> : 0}</td>
                <td className="num" data-label="Organisations">{area.organisations}</td>
                <td className="num" data-label="Countries affected">{area.affectedCountries}</td>
                <td className="num" data-label="Impact">
                  {figure(area.final.impact, 2)}
                  {scoreSet ? <span className="muted small"> (computed {figure(area.impact, 2)})</span> : null}
                </td>
                <td data-label="Likelihood">
                  {figure(area.final.likelihood, 2)}
                  {area.final.likelihoodWords ? <span className="muted small"> ({area.final.likelihoodWords})</span> : null}
                  {scoreSet ? <span className="muted small"> (computed {figure(area.likelihood, 2)})</span> : null}
                </td>
                <td className="num" data-label="Corroborated by">
                  {area.corroboratedTotal ? (
                    <details>
                      <summary>
                        {area.corroboratingOrganisations} org. · {area.corroboratedTotal}
                      </summary>
                      <ul className="plain-list small">
                        {area.corroborated.map((entity) => (
                          <li key={`${entity.kind}:${entity.name}`}>
                            <Link to={itemsLink(editionId, { [entity.kind]: entity.name })}>{entity.name}</Link> ({entity.organisations})
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : (
                    "—"
                  )}
                </td>
                <td className="num" data-label="Confidence">{figure(area.confidence, 2)}</td>
                <td className="num stacked-table__key" data-label="Score">
                  <strong>{area.finalScore.toFixed(1)}</strong>
                  {area.final.band ? <span className="small"> {RISK_BAND_WORDS[area.final.band]}</span> : null}
                  {scoreSet ? <span className="muted small"> (computed {area.score.toFixed(1)})</span> : null}
                </td>
                <td className="num" data-label="Change">{area.change === null ? "—" : `${area.change > 0 ? "+" : ""}${area.change.toFixed(1)}`}</td>
                <td data-label="Trend">
                  {area.finalTrend ? TREND_LABELS[area.finalTrend] : "—"}
                  {area.override?.trend && area.trend !== area.override.trend ? (
                    <span className="muted small"> (computed {area.trend ? TREND_LABELS[area.trend].toLowerCase() : "none"})</span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Overrides({ areas, canEdit, state }: { areas: Area[]; canEdit: boolean; state: FormState }) {
  const overridden = areas.filter((area) => area.override);
  return (
    <section className="section" aria-labelledby="overrides-title">
      <h2 id="overrides-title">Set by hand</h2>
      {overridden.length === 0 ? (
        <p className="muted">Every figure above is computed.</p>
      ) : (
        <ul className="plain-list">
          {overridden.map((area) => (
            <li key={area.crimeArea}>
              <strong>{CRIME_AREA_LABELS[area.crimeArea]}</strong>:{" "}
              {area.override!.score !== null ? `score ${area.override!.score.toFixed(1)} (computed ${area.score.toFixed(1)})` : ""}
              {area.override!.score !== null && area.override!.trend ? ", " : ""}
              {area.override!.trend ? `trend ${TREND_LABELS[area.override!.trend].toLowerCase()}` : ""} — set by {area.override!.byName}:{" "}
              <q>{area.override!.reason}</q>
              {canEdit ? (
                <ActionForm className="inline-form">
                  <input type="hidden" name="crimeArea" value={area.crimeArea} />
                  <button className="button button--quiet" type="submit" name="intent" value="clear-override">
                    Use the computed figures
                  </button>
                </ActionForm>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canEdit ? (
        <details className="card" open={!!state}>
          <summary>Set a crime area's score or trend by hand</summary>
          <ActionForm className="stack" noValidate>
            <FormErrorSummary state={state} />
            <SelectField
              name="crimeArea"
              label="Crime area"
              state={state}
              placeholder="Choose…"
              options={CRIME_AREAS.map((area) => ({ value: area, label: CRIME_AREA_LABELS[area] }))}
            />
            <div className="pair">
              <TextField name="score" label="Score (0 to 25)" state={state} hint="Leave empty to keep the computed score." inputMode="numeric" />
              <SelectField
                name="trend"
                label="Trend"
                state={state}
                placeholder="Keep the computed trend"
                options={TRENDS.map((trend) => ({ value: trend, label: TREND_LABELS[trend] }))}
              />
            </div>
            <TextAreaField name="reason" label="Reason" rows={3} state={state} hint="Shown beside the figure and kept in the audit log." />
            <button className="button" type="submit" name="intent" value="override">
              Set by hand
            </button>
          </ActionForm>
        </details>
      ) : null}
    </section>
  );
}

function Entities({
  editionId,
  entities,
  unranked,
  canSearch,
  canEdit,
  state,
}: {
  editionId: number;
  entities: Data["entities"];
  unranked: number;
  /** Search is for analysts: a coordinator is not sent to a page that refuses them. */
  canSearch: boolean;
  canEdit: boolean;
  state: FormState;
}) {
  return (
    <section className="section" aria-labelledby="entities-title">
      <h2 id="entities-title">Actors, networks and malware</h2>
      <p className="muted">Ranked by the weight of the items that name them (aliases merged).</p>
      {entities.length === 0 ? (
        <EmptyState title="No actor or malware is named in the accepted input." />
      ) : (
        <div className="table-wrap" {...scrollRegion("Actors, networks and malware families by weight")}>
          <table className="stacked-table">
            <caption className="visually-hidden">Actors, networks and malware families by weight</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col" className="num">Weight</th>
                <th scope="col" className="num">Items</th>
                <th scope="col" className="num">Organisations</th>
                <th scope="col">Crime areas</th>
              </tr>
            </thead>
            <tbody>
              {entities.map((entity) => (
                <tr key={`${entity.kind}:${entity.name}`}>
                  <th scope="row">
                    {entity.name}
                    {entity.aliases.length ? <span className="muted small"> aka {entity.aliases.join(", ")}</span> : null}
                  </th>
                  <td data-label="Kind">{entity.kind === "actor" ? "Actor or network" : "Malware"}</td>
                  <td className="num" data-label="Weight">
                    {entity.weight.toFixed(2)}
                  </td>
                  <td className="num" data-label="Items">
                    <Link to={itemsLink(editionId, { [entity.kind]: entity.name })}>{entity.items}</Link>
                  </td>
                  <td className="num" data-label="Organisations">
                    {entity.organisations}
                  </td>
                  <td data-label="Crime areas">{entity.crimeAreas.map((area) => CRIME_AREA_LABELS[area]).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {unranked > 0 ? (
        <p className="small muted">
          The {entities.length} heaviest are listed; {counted(unranked, "more name")} weigh less.
          {canSearch ? (
            <>
              {" "}
              Search for any of them on the <Link to="/search">search page</Link>.
            </>
          ) : null}
        </p>
      ) : null}
      {canEdit && entities.length > 1 ? (
        <details className="card" open={!!state}>
          <summary>Merge two names into one</summary>
          <ActionForm className="stack" noValidate>
            <FormErrorSummary state={state} />
            <datalist id="entity-names">
              {entities.flatMap((entity) => [entity.name, ...entity.aliases]).map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
            <SelectField
              name="kind"
              label="Kind"
              state={state}
              defaultValue="actor"
              options={[
                { value: "actor", label: "Actors and networks" },
                { value: "malware", label: "Malware" },
              ]}
            />
            <div className="pair">
              <TextField name="from" label="This name" state={state} hint="Read from now on as the name beside it." />
              <TextField name="into" label="Is the same as" state={state} />
            </div>
            <button className="button button--secondary" type="submit" name="intent" value="merge">
              Merge
            </button>
          </ActionForm>
        </details>
      ) : null}
    </section>
  );
}

function Targets({
  editionId,
  proposals,
  itemCount,
  canEdit,
  hidden,
  viewer,
  decideState,
}: {
  editionId: number;
  proposals: Data["proposals"];
  itemCount: number;
  canEdit: boolean;
  hidden: number;
  viewer: Data["viewer"];
  decideState: FormState;
}) {
  return (
    <section className="section" aria-labelledby="targets-title">
      <h2 id="targets-title">Proposed targets and networks</h2>
      <FormErrorSummary state={decideState} />
      {hidden > 0 ? (
        <p className="notice" role="status">
          {hidden === 1 ? "One more proposal rests" : `${hidden} more proposals rest`} on items you may not read, and{" "}
          {hidden === 1 ? "is" : "are"} not shown.
        </p>
      ) : null}
      {proposals.length === 0 ? (
        <EmptyState title="No proposals yet." />
      ) : (
        <ul className="plain-list">
          {proposals.map((proposal) => (
            <li key={proposal.id} className="card proposal">
              <p className="eyebrow">
                {proposal.kind === "actor" ? "Actor" : "Network"} · <span className={`badge target--${proposal.state}`}>{proposal.state}</span>
              </p>
              <h3>{proposal.name}</h3>
              <p className="pre-line">{proposal.rationale}</p>
              <p className="small muted">
                Proposed by {proposal.proposedBy ?? "a former analyst"}, <LocalTime at={proposal.proposedAt} viewer={viewer} /> ·{" "}
                <Link to={itemsLink(editionId, { target: proposal.id })}>
                  {proposal.itemIds.length} supporting {proposal.itemIds.length === 1 ? "item" : "items"}
                </Link>
                {proposal.decidedAt ? (
                  <>
                    {" "}
                    · {proposal.state} by {proposal.decidedBy ?? "someone who left"}, <LocalTime at={proposal.decidedAt} viewer={viewer} />
                    {proposal.decisionNote ? `: ${proposal.decisionNote}` : ""}
                  </>
                ) : null}
              </p>
              {proposal.canDecide ? (
                <ActionForm className="decision">
                  <input type="hidden" name="intent" value="decide" />
                  <input type="hidden" name="proposalId" value={proposal.id} />
                  <div className="field">
                    <label htmlFor={`note-${proposal.id}`}>Note (optional)</label>
                    <input id={`note-${proposal.id}`} name="note" type="text" />
                  </div>
                  <div className="actions">
                    <button className="button" type="submit" name="decision" value="endorsed">
                      Endorse
                    </button>
                    <button className="button button--secondary" type="submit" name="decision" value="declined">
                      Decline
                    </button>
                  </div>
                </ActionForm>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canEdit && itemCount > 0 ? (
        <p className="card">
          To propose a target, tick the items that support it on the page of the items behind a name or a crime area (follow a count above),
          or among <Link to={`/assessments/${editionId}/items`}>all the items of this edition</Link>.
        </p>
      ) : null}
    </section>
  );
}

export default function EditionPage() {
  const loaded = useLoaderData<typeof loader>();
  const { viewer, edition, areas, entities, proposals, hiddenProposals, canEdit, timeline, exports, exportForm } = loaded;
  const state = useActionData<typeof action>() as FormState;
  const withFigures = areas.filter(hasFigures);
  return (
    <>
      <header className="page-header">
        <p className="eyebrow">
          <Link to="/assessments">Threat assessment</Link> · {edition.status === "published" ? "Published edition" : "Draft edition"}
        </p>
        <h1>{edition.title}</h1>
        <p>
          Period {edition.periodFrom} to {edition.periodTo} · {loaded.itemCount} accepted {loaded.itemCount === 1 ? "item" : "items"} from{" "}
          {loaded.consultations.map((consultation) => consultation.title).join(", ")}
          {edition.publishedAt ? (
            <>
              {" "}
              · published <LocalTime at={edition.publishedAt} viewer={viewer} />
            </>
          ) : null}
        </p>
        <p className="small">
          <Link to="/help/assessment">How the scores are computed</Link> · <Link to={`/assessments/${edition.id}/print`}>Printable report</Link>
          {loaded.previous ? (
            <>
              {" "}
              · compared with <Link to={`/assessments/${loaded.previous.id}`}>{loaded.previous.title}</Link>
            </>
          ) : null}
        </p>
      </header>
      {loaded.hiddenItems > 0 ? (
        <p className="notice notice--warning" role="status">
          {loaded.hiddenItems === 1 ? "One item" : `${loaded.hiddenItems} items`} of this edition {loaded.hiddenItems === 1 ? "is" : "are"} marked
          for other readers only: {loaded.hiddenItems === 1 ? "it is" : "they are"} left out of every figure, chart and list on this page.
        </p>
      ) : null}
      {state?.formError && !["override", "merge", "decide"].includes(String(state.values?.intent)) ? (
        <p className="notice notice--error" role="alert">
          {state.formError}
        </p>
      ) : null}

      <section className="section" aria-labelledby="areas-title">
        <h2 id="areas-title">Crime areas</h2>
        {withFigures.length === 0 ? (
          <EmptyState title="No accepted input yet.">
            The figures appear as analysts accept input of these consultations observed within the period.
          </EmptyState>
        ) : (
          <AreasTable editionId={edition.id} areas={[...withFigures].sort((a, b) => b.finalScore - a.finalScore)} />
        )}
        {areas.length > withFigures.length ? (
          <p className="small muted">
            No accepted input on:{" "}
            {areas
              .filter((area) => !withFigures.includes(area))
              .map((area) => CRIME_AREA_LABELS[area.crimeArea])
              .join(", ")}
            .
          </p>
        ) : null}
      </section>

      <section className="section charts" aria-labelledby="pictures-title">
        <h2 id="pictures-title">Pictures</h2>
        <AreaMatrix id="matrix" editionId={edition.id} areas={areas} />
        <TrendLines
          id="trend"
          title="Score of each crime area across editions"
          editions={timeline.editions}
          series={timeline.series
            .filter((series) => series.points.some((point) => point !== null))
            .map((series) => ({
              crimeArea: series.crimeArea,
              label: CRIME_AREA_LABELS[series.crimeArea],
              href: itemsLink(edition.id, { area: series.crimeArea }),
              points: series.points,
            }))}
        />
      </section>

      <Overrides areas={areas} canEdit={canEdit} state={stateFor(state, "override")} />
      <Entities editionId={edition.id} entities={entities} unranked={loaded.unranked} canSearch={viewer.roles.includes("analyst")} canEdit={canEdit} state={stateFor(state, "merge")} />
      <Targets
        editionId={edition.id}
        proposals={proposals}
        itemCount={loaded.itemCount}
        canEdit={canEdit}
        hidden={hiddenProposals}
        viewer={viewer}
        decideState={stateFor(state, "decide")}
      />
      {loaded.beyond ? <ReportedBeyond entities={entities} targets={proposals} beyond={loaded.beyond} /> : null}

      {canEdit ? (
        <section className="section card" aria-labelledby="publish-title">
          <h2 id="publish-title">Publish</h2>
          <p>Publishing freezes the edition: input accepted later, new grades and merges no longer change it.</p>
          <p>
            <Link className="button" to={`/assessments/${edition.id}/publish`}>
              Publish the edition…
            </Link>
          </p>
        </section>
      ) : null}

      {loaded.releases ? (
        <section className="section card" aria-labelledby="release-title">
          <h2 id="release-title">Share over TAXII</h2>
          <p>
            Member agencies pull released editions over TAXII 2.1, under the rules of a default export: no TLP:RED, only what was cleared
            for onward sharing, no warning-listed value, no organisation.
          </p>
          {loaded.releases.released.length ? (
            <p className="small">Released to: {loaded.releases.released.map((release) => release.label).join(", ")}.</p>
          ) : null}
          <Form method="post" className="inline-fields" noValidate>
            <SelectField
              name="audience"
              label="Release to"
              state={stateFor(state, "release")}
              options={loaded.releases.audiences.map((audience) => ({ value: audience.value, label: audience.label }))}
            />
            <button className="button button--secondary" type="submit" name="intent" value="release">
              Release
            </button>
          </Form>
        </section>
      ) : null}

      {exports?.published ? (
        <section className="section card" aria-labelledby="export-title">
          <h2 id="export-title">Export</h2>
          <p>
            <a className="button button--secondary" href={`/assessments/${edition.id}/export/stix`} download>
              STIX 2.1 bundle
            </a>{" "}
            <a className="button button--secondary" href={`/assessments/${edition.id}/export/csv`} download>
              CSV
            </a>
          </p>
          <p className="small muted">
            Exports leave out TLP:RED items{exports.red ? ` (${exports.red} here)` : ""} and items their organisations did not clear for
            onward sharing{exports.notShareable ? ` (${exports.notShareable} here)` : ""}, and values on a warning list that no analyst
            cleared{exports.listed ? ` (${exports.listed} here)` : ""}; no export names an organisation.
            {exports.unreadable
              ? ` Items you may not read never leave with your exports (${exports.unreadable} here).`
              : ""}
          </p>
          {exports.red ? (
            <details open={!!exportForm}>
              <summary>Export with the TLP:RED items for a named recipient</summary>
              <Form method="post" action={`/assessments/${edition.id}/export/named`} reloadDocument className="stack" noValidate>
                <FormErrorSummary state={exportForm} />
                <SelectField
                  name="format"
                  label="Format"
                  state={exportForm}
                  defaultValue="stix"
                  options={[
                    { value: "stix", label: "STIX 2.1 bundle" },
                    { value: "csv", label: "CSV" },
                  ]}
                />
                <TextField name="recipient" label="Recipient" state={exportForm} hint="The person and the agency it is for." />
                <CheckboxGroup
                  name="confirm"
                  legend="Confirmation"
                  state={exportForm}
                  options={[{ value: "on", label: "The TLP:RED items may go to this recipient; the export is audited." }]}
                />
                <button className="button button--danger" type="submit">
                  Export with TLP:RED
                </button>
              </Form>
            </details>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

