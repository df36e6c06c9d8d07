import { LocalTime } from "~/components/local-time";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import type { Viewer } from "~/lib/time";
import type { CrimeArea } from "~/modules/threat-input/vocabulary";

type Contribution = {
  id: number;
  title: string;
  publishedAt: Date | string | null;
  items: { id: number; title: string; crimeArea: CrimeArea }[];
  areas: { crimeArea: CrimeArea; items: number; impact: number | null; likelihood: number | null; likelihoodWords: string | null; score: number }[];
};

const figure = (value: number | null) => (value === null ? "—" : value.toFixed(1));

/** What the published editions made of an organisation's input, from its own items alone. */
export function InputOutcome({ contributions, viewer }: { contributions: Contribution[]; viewer: Viewer }) {
  return (
    <section className="section card" aria-labelledby="outcome-title">
      <h2 id="outcome-title">What became of your input</h2>
      {contributions.length === 0 ? (
        <p className="muted">No published assessment has used this input yet. Once one does, you will see here which of your items it used.</p>
      ) : (
        <>
          <p className="small muted">
            The figures below come from your organisation&apos;s items alone, graded as the edition graded them; the edition itself also
            draws on other organisations&apos; input, which is not shown to you.
          </p>
          {contributions.map((edition) => (
            <div key={edition.id} className="outcome">
              <h3>
                {edition.title}
                {edition.publishedAt ? (
                  <span className="muted small">
                    {" "}
                    · published <LocalTime at={edition.publishedAt} viewer={viewer} />
                  </span>
                ) : null}
              </h3>
              <p>
                Used {edition.items.length === 1 ? "one of your items" : `${edition.items.length} of your items`}:{" "}
                {edition.items.map((item) => `“${item.title}” (${CRIME_AREA_LABELS[item.crimeArea]})`).join(", ")}.
              </p>
              <ul className="plain-list">
                {edition.areas.map((area) => (
                  <li key={area.crimeArea}>
                    <strong>{CRIME_AREA_LABELS[area.crimeArea]}</strong>: from your {area.items === 1 ? "item" : `${area.items} items`}, impact{" "}
                    {figure(area.impact)}, likelihood {figure(area.likelihood)}
                    {area.likelihoodWords ? ` (${area.likelihoodWords})` : ""}, score {area.score.toFixed(1)} of 25
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
    </section>
  );
}
