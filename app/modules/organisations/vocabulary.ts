// What kind of organisation a stakeholder is, as stored and as forms offer it. Plain values with
// no import, so that pages take them without the database schema (docs/decisions/023).

export const SECTORS = [
  "bank",
  "isp",
  "security_vendor",
  "cert",
  "ministry",
  "payment_provider",
] as const;
export type Sector = (typeof SECTORS)[number];

export const ORGANISATION_KINDS = ["public", "private"] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
