import type {
  Attribution,
  InformationCredibility,
  SourceReliability,
  TargetedSector,
  ThreatInputStatus,
  Trend,
  TriageState,
} from "./vocabulary";

// The words of each scale, shown beside the numbers in the form and wherever a grade is read.

export const IMPACT_SCALE: Record<number, { word: string; meaning: string }> = {
  1: { word: "Minimal", meaning: "isolated nuisance, no lasting harm" },
  2: { word: "Minor", meaning: "limited losses to a few victims" },
  3: { word: "Moderate", meaning: "significant losses or disruption in one sector or country" },
  4: { word: "Major", meaning: "serious harm across sectors or countries" },
  5: { word: "Severe", meaning: "critical services or very many victims harmed" },
};

/** ICD 203's estimative words: the assessment says a mean likelihood in the same words (scoring.ts). */
export const LIKELIHOOD_SCALE: Record<number, { word: string; meaning: string }> = {
  1: { word: "Remote", meaning: "not expected in the coming year" },
  2: { word: "Unlikely", meaning: "could happen, but not expected" },
  3: { word: "Roughly even chance", meaning: "as likely to happen as not" },
  4: { word: "Likely", meaning: "expected to happen" },
  5: { word: "Almost certain", meaning: "happening now or about to" },
};

/** The Admiralty code's source reliability (NATO AJP-2.1). */
export const SOURCE_RELIABILITY_LABELS: Record<SourceReliability, { word: string; meaning: string }> = {
  A: { word: "Completely reliable", meaning: "no doubt of authenticity, trustworthiness or competency; a history of complete reliability" },
  B: { word: "Usually reliable", meaning: "minor doubts; a history of mostly valid information" },
  C: { word: "Fairly reliable", meaning: "doubts; has provided valid information in the past" },
  D: { word: "Not usually reliable", meaning: "significant doubts; has provided valid information in the past" },
  E: { word: "Unreliable", meaning: "lacking authenticity, trustworthiness and competency; a history of invalid information" },
  F: { word: "Cannot be judged", meaning: "no basis to evaluate the source" },
};

export const INFORMATION_CREDIBILITY_LABELS: Record<InformationCredibility, { word: string; meaning: string }> = {
  "1": { word: "Confirmed", meaning: "confirmed by other independent sources; logical; consistent with other information" },
  "2": { word: "Probably true", meaning: "not confirmed; logical; consistent with other information" },
  "3": { word: "Possibly true", meaning: "not confirmed; reasonably logical; agrees with some other information" },
  "4": { word: "Doubtful", meaning: "not confirmed; possible but not logical; no other information on the subject" },
  "5": { word: "Improbable", meaning: "not confirmed; not logical; contradicted by other information" },
  "6": { word: "Cannot be judged", meaning: "no basis to evaluate the information" },
};

export const TREND_LABELS: Record<Trend, string> = {
  new: "New",
  increasing: "Increasing",
  stable: "Stable",
  decreasing: "Decreasing",
};

export const TARGETED_SECTOR_LABELS: Record<TargetedSector, string> = {
  finance: "Finance",
  telecom: "Telecommunications",
  health: "Health",
  energy: "Energy",
  government: "Government",
  retail: "Retail and e-commerce",
  transport: "Transport",
  manufacturing: "Manufacturing",
  education: "Education and research",
  technology: "Technology",
  individuals: "Private individuals",
};

export const ATTRIBUTION_LABELS: Record<Attribution, { word: string; meaning: string }> = {
  named: { word: "Named", meaning: "the taskforce may name your organisation as the source" },
  sector_country: { word: "Sector and country only", meaning: "shown as, say, \u201ca bank in Austria\u201d" },
  anonymous: { word: "Anonymous", meaning: "only the taskforce's analysts know it came from you" },
};

export const THREAT_INPUT_STATUS_LABELS: Record<ThreatInputStatus, string> = {
  draft: "Draft (not submitted)",
  submitted: "Submitted",
  withdrawn: "Withdrawn",
};

export const TRIAGE_STATE_LABELS: Record<TriageState, string> = {
  new: "New",
  accepted: "Accepted",
  needs_clarification: "Needs clarification",
  rejected: "Rejected",
};

/** "B2 (Usually reliable, probably true)". */
export function evaluationLabel(source: SourceReliability, information: InformationCredibility): string {
  return `${source}${information} (${SOURCE_RELIABILITY_LABELS[source].word}, ${INFORMATION_CREDIBILITY_LABELS[information].word.toLowerCase()})`;
}
