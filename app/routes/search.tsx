import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { CRIME_AREAS, TLP_MARKS } from "~/modules/threat-input/vocabulary";
import { EmptyState } from "~/components/empty-state";
import { SelectField, TextField } from "~/components/form-fields";
import { TlpBadge } from "~/components/threat-input-view";
import { getDb } from "~/lib/db.server";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { requireRole } from "~/modules/auth/guard.server";
import { searchItems } from "~/modules/intel/correlation.server";
import { searchFormSchema } from "~/modules/intel/schema";
import type { RouteHandle } from "~/root";

export const meta: MetaFunction = () => [{ title: "Search · Taskforce Consult" }];
export const handle: RouteHandle = { tlp: "TLP:AMBER" };

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireRole(request, "analyst");
  const values = Object.fromEntries(new URL(request.url).searchParams);
  const query = searchFormSchema.parse({ q: "", ...values });
  const db = getDb();
  return { values, found: searchItems(db, viewer, query) };
}

const SUBJECT_WORDS = { indicator: "indicator", actor: "actor or network", malware: "malware family", technique: "ATT&CK technique" } as const;

export default function Search() {
  const { values, found } = useLoaderData<typeof loader>();
  const state = { values };
  return (
    <>
      <header className="page-header">
        <h1>Search the input</h1>
        <p className="lead">
          An indicator (defanged forms too), an actor, a malware family or an ATT&amp;CK id, across every input you may read.
        </p>
      </header>
      <Form method="get" className="filters" aria-label="Search">
        <TextField name="q" label="Search for" state={state} />
        <SelectField name="crimeArea" label="Crime area" state={state} placeholder="Any" options={CRIME_AREAS.map((area) => ({ value: area, label: CRIME_AREA_LABELS[area] }))} />
        <TextField name="consultation" label="Consultation: part of its title" state={state} type="search" />
        <SelectField name="tlp" label="TLP" state={state} placeholder="Any" options={TLP_MARKS.map((mark) => ({ value: mark, label: mark }))} />
        <TextField name="from" label="Observed from" type="date" state={state} />
        <TextField name="to" label="Observed until" type="date" state={state} />
        <button className="button" type="submit">
          Search
        </button>
      </Form>
      {found.subjects.length ? (
        <p className="small muted">Read as: {[...new Set(found.subjects.map((subject) => SUBJECT_WORDS[subject.kind]))].join(", ")}.</p>
      ) : null}
      {found.rows.length === 0 ? (
        <EmptyState title={values.q ? "Nothing you may read matches." : "Type what to search for."} />
      ) : (
        <div className="table-wrap">
          <table className="stacked-table">
            <caption className="visually-hidden">Items that match</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">From</th>
                <th scope="col">Consultation</th>
                <th scope="col">Crime area</th>
                <th scope="col">TLP</th>
                <th scope="col">Observed</th>
              </tr>
            </thead>
            <tbody>
              {found.rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Link to={`/inputs/${row.inputId}#item-${row.id}`}>{row.title}</Link>
                  </td>
                  <td data-label="From">{row.source}</td>
                  <td data-label="Consultation">{row.consultationTitle}</td>
                  <td data-label="Crime area">{CRIME_AREA_LABELS[row.crimeArea]}</td>
                  <td data-label="TLP">
                    <TlpBadge tlp={row.tlp} />
                  </td>
                  <td data-label="Observed">
                    {row.observedFrom} to {row.observedTo ?? "now"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {found.next ? (
        <p>
          <Link to={`?${new URLSearchParams({ ...values, after: String(found.next) })}`}>Older items</Link>
        </p>
      ) : null}
    </>
  );
}
