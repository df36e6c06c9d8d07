import { RiskMatrix } from "~/components/charts/risk-matrix";
import { CRIME_AREA_LABELS } from "~/lib/labels";
import type { AreaResult } from "~/modules/assessment/types";

/** An edition's crime areas on the likelihood x impact matrix, each leading to its items. */
export function AreaMatrix({ id, editionId, areas }: { id: string; editionId: number; areas: AreaResult[] }) {
  return (
    <RiskMatrix
      id={id}
      title="Likelihood and impact of each crime area"
      areas={areas.map((area) => ({
        crimeArea: area.crimeArea,
        label: CRIME_AREA_LABELS[area.crimeArea],
        impact: area.impact,
        likelihood: area.likelihood,
        score: area.finalScore,
        likelihoodWords: area.likelihoodWords,
        href: `/assessments/${editionId}/items?area=${area.crimeArea}`,
      }))}
    />
  );
}
