import { RiskMatrix } from "~/components/charts/risk-matrix";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import { areaNumber } from "~/modules/assessment/scoring";
import type { AreaShown } from "~/modules/assessment/types";

/** An edition's crime areas on the likelihood x impact matrix, each leading to its items. */
export function AreaMatrix({ id, editionId, areas }: { id: string; editionId: number; areas: Pick<AreaShown, "crimeArea" | "final" | "finalScore">[] }) {
  return (
    <RiskMatrix
      id={id}
      title="Likelihood and impact of each crime area"
      areas={areas.map((area) => ({
        crimeArea: area.crimeArea,
        label: CRIME_AREA_LABELS[area.crimeArea],
        // Where the final score puts it, under the number it has in every edition.
        impact: area.final.impact,
        likelihood: area.final.likelihood,
        score: area.finalScore,
        likelihoodWords: area.final.likelihoodWords,
        number: areaNumber(area.crimeArea),
        href: `/assessments/${editionId}/items?area=${area.crimeArea}`,
      }))}
    />
  );
}
