import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CRIME_AREAS, TLP_MARKS, TRIAGE_STATES } from "~/modules/threat-input/vocabulary";
import { InputCorroborationCell } from "~/components/corroboration";
import { EmptyState } from "~/components/empty-state";
import { SelectField, TextField } from "~/components/form-fields";
import { LocalTime } from "~/components/local-time";
import { Pager } from "~/components/pager";
import { TlpBadge } from "~/components/threat-input-view";
import { getDb } from "~/lib/db.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { requireRole } from "~/modules/auth/guard.server";
import { gateViewer } from "~/modules/access/viewer";
import { reads } from "~/modules/system/read-worker.server";
import { THREAT_INPUT_STATUS_LABELS, TRIAGE_STATE_LABELS } from "~/modules/threat-input/scales";
import { triageFilterSchema } from "~/modules/threat-input/schema";
import { triageConsultation, triageQueue } from "~/modules/threat-input/service.server";
import type { RouteHandle } from "~/root";
import { scrollRegion } from "~/components/table-wrap";

export const meta: MetaFunction = () => [{ title: "Triage · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "analyst");
  const url = new URL(request.url);
  const values = Object.fromEntries(url.searchParams);
  const filter = triageFilterSchema.parse(values);
  const db = getDb();
  const queue = triageQueue(db, viewer, filter);
  return {
    viewer,
    values,
    queue,
    // One statement for the page of the queue, whatever its inputs hold, run by the read worker:
    // 50-70 ms at 10,000 inputs that the event loop no longer waits for (decision 034).
    corroboration: await reads().run("corroboration", { viewer: gateViewer(viewer), inputIds: queue.rows.map((row) => row.id) }),
    consultation: triageConsultation(db, viewer, filter.consultationId),
  };
}

/** The same filters without the one consultation (and from the first page). */
const withoutConsultation = (values: Record<string, string>) =>
  new URLSearchParams(Object.entries(values).filter(([key]) => key !== "consultationId" && key !== "after")).toString();

export default function Triage() {
  const { viewer, values, queue, corroboration, consultation } = useLoaderData<typeof loader>();
  const state = { values };
  return (
    <>
      <header className="page-header">
        <h1>Triage</h1>
        <p className="lead">Submitted threat input, newest first. Accept it for the assessment, reject it, or ask the organisation.</p>
      </header>
      <Form method="get" className="filters" aria-label="Filter the queue">
        <SelectField
          name="state"
          label="State"
          state={state}
          placeholder="Any"
          options={TRIAGE_STATES.map((triage) => ({ value: triage, label: TRIAGE_STATE_LABELS[triage] }))}
        />
        {consultation ? (
          <p className="field small">
            <input type="hidden" name="consultationId" value={consultation.id} />
            In “{consultation.title}” · <Link to={`?${withoutConsultation(values)}`}>every consultation</Link>
          </p>
        ) : (
          <TextField name="consultation" label="Consultation: part of its title" state={state} type="search" />
        )}
        <SelectField
          name="crimeArea"
          label="Crime area"
          state={state}
          placeholder="Any"
          options={CRIME_AREAS.map((area) => ({ value: area, label: CRIME_AREA_LABELS[area] }))}
        />
        <SelectField name="tlp" label="TLP" state={state} placeholder="Any" options={TLP_MARKS.map((mark) => ({ value: mark, label: mark }))} />
        <TextField name="organisation" label="Organisation: part of its name" state={state} type="search" />
        <button className="button button--secondary" type="submit">
          Filter
        </button>
      </Form>
      {queue.rows.length === 0 ? (
        <EmptyState title={Object.values(values).some(Boolean) ? "No input matches these filters." : "No input has been submitted yet."} />
      ) : (
        <div className="table-wrap" {...scrollRegion("Threat input to triage")}>
          <table className="stacked-table">
            <caption className="visually-hidden">Threat input to triage</caption>
            <thead>
              <tr>
                <th scope="col">Organisation</th>
                <th scope="col">Consultation</th>
                <th scope="col">Crime areas</th>
                <th scope="col">TLP</th>
                <th scope="col" className="num">Items</th>
                <th scope="col">State</th>
                <th scope="col">Submitted</th>
                <th scope="col">Reported elsewhere</th>
              </tr>
            </thead>
            <tbody>
              {queue.rows.map((row) => (
                <tr key={row.id}>
                  <td data-label="Organisation">
                    <Link to={`/inputs/${row.id}`}>{row.source}</Link>
                  </td>
                  <td data-label="Consultation">{row.consultationTitle}</td>
                  <td data-label="Crime areas">{row.crimeAreas.map((area) => CRIME_AREA_LABELS[area]).join(", ")}</td>
                  <td data-label="TLP">
                    {row.marks.map((mark) => (
                      <TlpBadge key={mark} tlp={mark} />
                    ))}
                  </td>
                  <td className="num" data-label="Items">
                    {row.items}
                    {row.withheld ? <span className="muted small"> (+{row.withheld} RED)</span> : null}
                  </td>
                  <td data-label="State" className="stacked-table__key">
                    {row.status === "withdrawn" ? THREAT_INPUT_STATUS_LABELS.withdrawn : TRIAGE_STATE_LABELS[row.triageState]}
                  </td>
                  <td data-label="Submitted" className="stacked-table__key">
                    <LocalTime at={row.submittedAt} viewer={viewer} /> · v{row.version}
                  </td>
                  <td data-label="Reported elsewhere">
                    <InputCorroborationCell inputId={row.id} corroboration={corroboration[row.id]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager next={queue.next} label="Pages of the queue" nextLabel="Older inputs" firstLabel="Newest first" />
    </>
  );
}
