import { Link } from "@remix-run/react";
import { scrollRegion } from "~/components/table-wrap";
// Plain numbers and strings: the loader's JSON has the same shape.
import type { Beyond, InputCorroboration } from "~/modules/intel/correlation.server";

// What else the taskforce holds on what a page shows (app/modules/intel/correlation.server.ts):
// in the triage queue per input, on an edition per actor, malware family and target. The figures
// come from the loader, already limited to what the viewer may read.

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "3 of its 12 indicators, 1 of 2 actor names": only the kinds the input names. */
function shares(corroboration: InputCorroboration): string {
  const parts: string[] = [];
  const { indicators, actors, malware } = corroboration;
  if (indicators.reported) parts.push(`${indicators.reported} of its ${plural(indicators.of, "indicator", "indicators")}`);
  if (actors.reported) parts.push(`${actors.reported} of ${plural(actors.of, "actor name", "actor names")}`);
  if (malware.reported) parts.push(`${malware.reported} of ${plural(malware.of, "malware family", "malware families")}`);
  return parts.join(", ");
}

/** One input's line in the triage queue: how much of it is corroborated, where to look. */
export function InputCorroborationCell({ inputId, corroboration }: { inputId: number; corroboration: InputCorroboration | undefined }) {
  if (!corroboration || corroboration.organisations === 0) return <span className="muted">Not reported elsewhere</span>;
  return (
    <span className="small">
      {shares(corroboration)} also reported by {plural(corroboration.organisations, "other organisation", "other organisations")}.{" "}
      {corroboration.top ? (
        <>
          Most reported ({plural(corroboration.top.organisations, "other organisation", "other organisations")}):{" "}
          <Link to={corroboration.top.search} aria-label={`Search for ${corroboration.top.label}`}>
            <code className="break">{corroboration.top.label}</code>
          </Link>
          .{" "}
        </>
      ) : null}
      <Link to={`/inputs/${inputId}`} aria-label={`Details of input ${inputId}, item by item`}>
        Details
      </Link>
    </span>
  );
}

/** The words for one name's figures beyond an edition. */
export function beyondWords(beyond: Beyond): string {
  return `also reported by ${plural(beyond.organisations, "organisation", "organisations")} beyond this edition`;
}

/**
 * The edition's section: each ranked actor, network, malware family and proposed target that
 * input beyond the edition reports too, with a search for it.
 */
export function ReportedBeyond({
  entities,
  targets,
  beyond,
}: {
  entities: { kind: "actor" | "malware"; name: string }[];
  targets: { id: number; kind: "actor" | "network"; name: string }[];
  beyond: { entities: Record<string, Beyond>; targets: Record<number, Beyond> };
}) {
  const rows = [
    ...entities.flatMap((entity) => {
      const found = beyond.entities[`${entity.kind} ${entity.name}`];
      return found ? [{ key: `${entity.kind} ${entity.name}`, name: entity.name, what: entity.kind === "actor" ? "Actor or network" : "Malware", found }] : [];
    }),
    ...targets.flatMap((target) => {
      const found = beyond.targets[target.id];
      return found ? [{ key: `target ${target.id}`, name: target.name, what: target.kind === "actor" ? "Proposed target (actor)" : "Proposed target (network)", found }] : [];
    }),
  ];
  return (
    <section className="section" aria-labelledby="beyond-title">
      <h2 id="beyond-title">Reported beyond this edition</h2>
      <p className="muted">
        Other input you may read that names the same actors, networks, malware and targets (names resolved as in the ranking above), outside
        the input this edition draws on.
      </p>
      {rows.length === 0 ? (
        <p>No input beyond this edition names them.</p>
      ) : (
        <div className="table-wrap" {...scrollRegion("Names reported beyond this edition")}>
          <table className="stacked-table">
            <caption className="visually-hidden">Names reported beyond this edition</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Beyond this edition</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">
                    <Link to={row.found.search}>{row.name}</Link>
                  </th>
                  <td data-label="Kind">{row.what}</td>
                  <td data-label="Beyond this edition">{beyondWords(row.found)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
