// A consultation's states, as stored and as pages show them. Plain values with no import, so
// that pages take them without the database schema (docs/decisions/023).

export const CONSULTATION_STATUSES = ["draft", "open", "closed"] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];
