import { Link } from "@remix-run/react";
import { ActionForm } from "~/components/action-form";
import { INFORMATION_CREDIBILITY, SOURCE_RELIABILITY, type Tlp } from "~/modules/threat-input/vocabulary";
import { EmptyState } from "~/components/empty-state";
import { FormErrorSummary, SelectField, TextAreaField, type FormState } from "~/components/form-fields";
import { LocalTime } from "~/components/local-time";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import type { Viewer } from "~/lib/time";
import type { IndicatorType } from "~/modules/threat-input/indicators";
import { INDICATOR_TYPE_LABELS } from "~/lib/labels";
import {
  ATTRIBUTION_LABELS,
  evaluationLabel,
  IMPACT_SCALE,
  INFORMATION_CREDIBILITY_LABELS,
  LIKELIHOOD_SCALE,
  SOURCE_RELIABILITY_LABELS,
  TARGETED_SECTOR_LABELS,
  THREAT_INPUT_STATUS_LABELS,
  TREND_LABELS,
  TRIAGE_STATE_LABELS,
} from "~/modules/threat-input/scales";
import type { viewInput } from "~/modules/threat-input/service.server";
import { scrollRegion } from "./table-wrap";

export type InputViewData = ReturnType<typeof viewInput>;

export const tlpSlug = (tlp: Tlp) => tlp.slice(4).toLowerCase().replace("+", "-");

export function TlpBadge({ tlp }: { tlp: Tlp }) {
  return <span className={`tlp tlp-badge tlp--${tlpSlug(tlp)}`}>{tlp}</span>;
}

/** Shown only to the analysts: what they may do with the input in front of them. */
export type TriageControls = { state: FormState; canTriage: boolean };

function Scale({ value, scale }: { value: number; scale: Record<number, { word: string }> }) {
  return (
    <>
      {value} · {scale[value]?.word}
    </>
  );
}

type ShownIndicator = InputViewData["items"][number]["indicators"][number];

/** Which warning lists a value is on, the organisation's note, and an analyst's clearing. */
function WarningCell({ indicator, canClear, state }: { indicator: ShownIndicator; canClear: boolean; state?: FormState }) {
  if (!indicator.warnings) return null;
  const mine = state?.values?.indicatorId === String(indicator.id) ? state : undefined;
  return (
    <div className="small">
      <p className={indicator.clearedAt ? "muted" : "field__error"}>
        On a warning list: {indicator.warnings.map((warning) => `${warning.name} (${warning.why})`).join("; ")}
      </p>
      {indicator.keepNote ? <p>Kept by the organisation: {indicator.keepNote}</p> : null}
      {indicator.clearedAt ? (
        <p>Cleared by an analyst for export: {indicator.clearReason}</p>
      ) : (
        <p className="muted">Left out of exports and TAXII.</p>
      )}
      {canClear && !indicator.clearedAt ? (
        <details open={!!mine?.fieldErrors}>
          <summary>Clear it for export</summary>
          <ActionForm className="stack">
            <input type="hidden" name="indicatorId" value={indicator.id} />
            <TextAreaField name="reason" label="Why it is a real indicator" rows={2} state={mine} />
            <button className="button button--secondary" type="submit" name="intent" value="clear-warning">
              Clear
            </button>
          </ActionForm>
        </details>
      ) : null}
    </div>
  );
}

function IndicatorsTable({ indicators, label, canClear, state }: { indicators: ShownIndicator[]; label: string; canClear: boolean; state?: FormState }) {
  if (indicators.length === 0) return <p className="muted">No indicators.</p>;
  return (
    <details open={indicators.length <= 25}>
      <summary>
        {indicators.length.toLocaleString("en")} {indicators.length === 1 ? "indicator" : "indicators"}
      </summary>
      <div className="table-wrap" {...scrollRegion(label)}>
        <table className="stacked-table">
          <caption className="visually-hidden">{label}</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Value</th>
              <th scope="col">Comment</th>
            </tr>
          </thead>
          <tbody>
            {indicators.map((indicator) => (
              <tr key={`${indicator.type}:${indicator.value}`}>
                <td data-label="Type">{INDICATOR_TYPE_LABELS[indicator.type as IndicatorType] ?? indicator.type}</td>
                <td className="stacked-table__key">
                  <code className="break">{indicator.value}</code>
                </td>
                <td data-label="Comment">
                  {indicator.comment ?? ""}
                  <WarningCell indicator={indicator} canClear={canClear} state={state} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function GradeForm({ item, state }: { item: InputViewData["items"][number]; state: FormState }) {
  const mine = state?.values?.itemId === String(item.id) ? state : undefined;
  return (
    <details className="grade-form" open={!!mine?.fieldErrors}>
      <summary>Grade the evaluation yourself</summary>
      <ActionForm className="stack">
        <input type="hidden" name="itemId" value={item.id} />
        <div className="pair">
          <SelectField
            name="sourceReliability"
            label="Source reliability"
            state={mine}
            defaultValue={item.gradedSourceReliability ?? item.sourceReliability}
            options={SOURCE_RELIABILITY.map((grade) => ({ value: grade, label: `${grade} · ${SOURCE_RELIABILITY_LABELS[grade].word}` }))}
          />
          <SelectField
            name="informationCredibility"
            label="Information credibility"
            state={mine}
            defaultValue={item.gradedInformationCredibility ?? item.informationCredibility}
            options={INFORMATION_CREDIBILITY.map((grade) => ({
              value: grade,
              label: `${grade} · ${INFORMATION_CREDIBILITY_LABELS[grade].word}`,
            }))}
          />
        </div>
        <TextAreaField name="note" label="Why" rows={2} state={mine} />
        <button className="button button--secondary" type="submit" name="intent" value="grade">
          Save grade
        </button>
      </ActionForm>
    </details>
  );
}

type Correlation = { label: string; search: string; organisations: number };

/** "Also reported by N other organisations", with the search that lists their items. */
function AlsoReported({ correlations }: { correlations: Correlation[] | undefined }) {
  if (!correlations?.length) return null;
  return (
    <>
      <h4>Reported elsewhere</h4>
      <ul className="plain-list small">
        {correlations.slice(0, 50).map((entry) => (
          <li key={entry.label}>
            <Link to={entry.search}>
              <code className="break">{entry.label}</code>
            </Link>
            : also reported by {entry.organisations} other {entry.organisations === 1 ? "organisation" : "organisations"}
          </li>
        ))}
      </ul>
    </>
  );
}

function Item({
  item,
  viewer,
  countries,
  triage,
  correlations,
}: {
  item: InputViewData["items"][number];
  viewer: Viewer;
  countries: Record<string, string>;
  triage?: TriageControls;
  correlations?: Correlation[];
}) {
  return (
    <article className="item card" id={`item-${item.id}`} aria-labelledby={`item-${item.id}-title`}>
      <header className="item__header">
        <p className="eyebrow">
          {CRIME_AREA_LABELS[item.crimeArea]} · <TlpBadge tlp={item.tlp} />
        </p>
        <h3 id={`item-${item.id}-title`}>{item.title}</h3>
      </header>
      <dl className="meta-list">
        <dt>Observed</dt>
        <dd>
          {item.observedFrom} to {item.observedTo ?? "now"} · {TREND_LABELS[item.trend]}
        </dd>
        <dt>Impact</dt>
        <dd>
          <Scale value={item.impact} scale={IMPACT_SCALE} />
        </dd>
        <dt>Likelihood</dt>
        <dd>
          <Scale value={item.likelihood} scale={LIKELIHOOD_SCALE} />
        </dd>
        <dt>Evaluation</dt>
        <dd>
          {evaluationLabel(item.sourceReliability, item.informationCredibility)}
          {item.gradedSourceReliability && item.gradedInformationCredibility ? (
            <>
              <br />
              <strong>Graded by the taskforce: {evaluationLabel(item.gradedSourceReliability, item.gradedInformationCredibility)}</strong>
              {item.gradeNote ? <span className="muted"> — {item.gradeNote}</span> : null}
              {item.gradedAt ? (
                <span className="muted small">
                  {" "}
                  (<LocalTime at={item.gradedAt} viewer={viewer} />)
                </span>
              ) : null}
            </>
          ) : null}
        </dd>
        {item.sectors.length ? (
          <>
            <dt>Sectors</dt>
            <dd>{item.sectors.map((sector) => TARGETED_SECTOR_LABELS[sector]).join(", ")}</dd>
          </>
        ) : null}
        {item.countries.length ? (
          <>
            <dt>Countries</dt>
            <dd>{item.countries.map((code) => countries[code] ?? code).join(", ")}</dd>
          </>
        ) : null}
        {item.actors.length ? (
          <>
            <dt>Actors and networks</dt>
            <dd>
              {item.actors.map((actor) => (actor.aliases.length ? `${actor.name} (${actor.aliases.join(", ")})` : actor.name)).join("; ")}
            </dd>
          </>
        ) : null}
        {item.malware.length ? (
          <>
            <dt>Malware</dt>
            <dd>{item.malware.join(", ")}</dd>
          </>
        ) : null}
        {item.techniques.length ? (
          <>
            <dt>Techniques</dt>
            <dd>{item.techniqueLabels.join("; ")}</dd>
          </>
        ) : null}
        <dt>Handling</dt>
        <dd>
          {item.tlp}
          {item.recipients.length ? ` for ${item.recipients.map((recipient) => recipient.name).join(", ")}` : ""}
          {item.shareOnward ? "; may be shared with member agencies" : "; not to be shared onward"}
        </dd>
        <dt>Attribution</dt>
        <dd>{ATTRIBUTION_LABELS[item.attribution].word}</dd>
      </dl>
      <h4>Narrative</h4>
      <p className="prose pre-line">{item.narrative}</p>
      {item.recommendedActions ? (
        <>
          <h4>Recommended actions</h4>
          <p className="prose pre-line">{item.recommendedActions}</p>
        </>
      ) : null}
      <h4>Indicators</h4>
      {/* Named after its item: a page of several items has several tables. */}
      <IndicatorsTable indicators={item.indicators} label={`Indicators of “${item.title}”`} canClear={!!triage?.canTriage} state={triage?.state} />
      <AlsoReported correlations={correlations} />
      {triage?.canTriage ? <GradeForm item={item} state={triage.state} /> : null}
    </article>
  );
}

export function InputView({
  view,
  viewer,
  countries,
  triage,
  reply,
  editLink,
  correlations,
}: {
  view: InputViewData;
  viewer: Viewer;
  /** The items' countries' labels, countryLabels() from the loader (see app/lib/countries.ts). */
  countries: Record<string, string>;
  triage?: TriageControls;
  /** For analysts: per item id, what other organisations reported of the same. */
  correlations?: Record<number, Correlation[]>;
  /** Who may write on the thread, and in what words. */
  reply?: { intent: "ask" | "answer"; label: string; state: FormState };
  editLink?: string | null;
}) {
  const { input, consultation, version } = view;
  return (
    <>
      <header className="page-header">
        <p className="eyebrow">
          <Link to={`/consultations/${consultation.id}`}>{consultation.title}</Link> · Threat input
        </p>
        <h1>{view.source.label}</h1>
        <p>
          <span className="badge">{THREAT_INPUT_STATUS_LABELS[input.status]}</span>{" "}
          <span className={`badge triage--${input.triageState}`}>{TRIAGE_STATE_LABELS[input.triageState]}</span>
          {version ? (
            <span className="muted">
              {" "}
              · version {version.number} of {input.currentVersion}, submitted <LocalTime at={version.submittedAt} viewer={viewer} />
              {version.submittedBy ? ` by ${version.submittedBy}` : ""}
            </span>
          ) : null}
        </p>
        {input.triageState === "rejected" && input.triageReason ? (
          <p className="notice notice--warning">Rejected: {input.triageReason}</p>
        ) : null}
        {editLink ? (
          <p>
            <Link className="button button--secondary" to={editLink}>
              {input.currentVersion > 0 ? "Revise or withdraw" : "Continue the draft"}
            </Link>
          </p>
        ) : null}
      </header>

      {!view.isCurrent ? (
        <p className="notice notice--warning" role="status">
          This is an earlier version. <Link to={`/inputs/${input.id}`}>See the current one</Link>.
        </p>
      ) : null}

      {triage?.canTriage && view.isCurrent ? <TriageForm state={triage.state} current={input.triageState} /> : null}

      <section className="section" aria-labelledby="items-title">
        <h2 id="items-title">Items</h2>
        {view.withheld > 0 ? (
          <p className="notice notice--warning" role="status">
            {view.withheld === 1 ? "One item is" : `${view.withheld} items are`} marked TLP:RED for named analysts only, and{" "}
            {view.withheld === 1 ? "is" : "are"} not shown to you.
          </p>
        ) : null}
        {view.items.length === 0 ? (
          <EmptyState title={version ? "No items you may read." : "Nothing has been submitted yet."} />
        ) : (
          view.items.map((item) => <Item key={item.id} item={item} viewer={viewer} countries={countries} triage={triage} correlations={correlations?.[item.id]} />)
        )}
      </section>

      <section className="section" aria-labelledby="thread-title">
        <h2 id="thread-title">Questions and answers</h2>
        {view.messages.length === 0 ? (
          <EmptyState title="No questions so far." />
        ) : (
          <ol className="thread">
            {view.messages.map((message) => (
              <li key={message.id} className={message.fromTaskforce ? "thread__taskforce" : "thread__organisation"}>
                <p className="small muted">
                  {message.fromTaskforce ? "Taskforce" : "Organisation"}
                  {message.authorName ? ` · ${message.authorName}` : ""} · <LocalTime at={message.createdAt} viewer={viewer} />
                </p>
                <p className="pre-line">{message.body}</p>
              </li>
            ))}
          </ol>
        )}
        {reply ? (
          <ActionForm className="stack">
            <FormErrorSummary state={reply.state?.values?.intent === reply.intent ? reply.state : undefined} />
            <TextAreaField
              name="body"
              label={reply.label}
              rows={3}
              state={reply.state?.values?.intent === reply.intent ? reply.state : undefined}
            />
            <button className="button button--secondary" type="submit" name="intent" value={reply.intent}>
              {reply.intent === "ask" ? "Send the question" : "Send the answer"}
            </button>
          </ActionForm>
        ) : null}
      </section>

      {view.versions.length > 1 ? (
        <section className="section" aria-labelledby="versions-title">
          <h2 id="versions-title">Versions</h2>
          <ol className="plain-list" reversed>
            {view.versions.map((entry) => (
              <li key={entry.number}>
                <Link to={entry.number === input.currentVersion ? `/inputs/${input.id}` : `/inputs/${input.id}/versions/${entry.number}`}>
                  Version {entry.number}
                </Link>{" "}
                · <LocalTime at={entry.submittedAt} viewer={viewer} />
                {entry.number === input.currentVersion ? " (current)" : ""}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </>
  );
}

function TriageForm({ state, current }: { state: FormState; current: InputViewData["input"]["triageState"] }) {
  const mine = state?.values?.intent === "reject" || state?.values?.intent === "accept" ? state : undefined;
  return (
    <section className="section card" aria-labelledby="triage-title">
      <h2 id="triage-title">Triage</h2>
      <FormErrorSummary state={mine} />
      <div className="actions">
        {current !== "accepted" ? (
          <ActionForm>
            <button className="button" type="submit" name="intent" value="accept">
              Accept
            </button>
          </ActionForm>
        ) : null}
      </div>
      <ActionForm className="stack">
        <TextAreaField name="reason" label="Reason for rejecting" rows={2} state={mine} hint="The organisation sees it." />
        <button className="button button--danger" type="submit" name="intent" value="reject">
          Reject
        </button>
      </ActionForm>
      <p className="small muted">To ask the organisation a question, write it under Questions and answers below.</p>
    </section>
  );
}
