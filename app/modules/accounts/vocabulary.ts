// What a person may be in the portal, as stored and as pages offer it. Plain values with no
// import, so that pages take them without the database schema (docs/decisions/023).

export const ROLES = ["coordinator", "analyst", "stakeholder", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const TIME_ZONE_SOURCES = ["default", "browser", "chosen"] as const;
