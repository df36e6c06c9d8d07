import type { OrganisationKind, Role, Sector } from "../../db/schema";

// The product's words for stored values, in one place.
export const SECTOR_LABELS: Record<Sector, string> = {
  bank: "Bank",
  isp: "Internet service provider",
  security_vendor: "Security vendor",
  cert: "CERT / CSIRT",
  ministry: "Ministry",
  payment_provider: "Payment provider",
};

export const ROLE_LABELS: Record<Role, string> = {
  coordinator: "Coordinator",
  analyst: "Analyst",
  stakeholder: "Stakeholder",
  admin: "Admin",
};

export const KIND_LABELS: Record<OrganisationKind, string> = {
  public: "Public",
  private: "Private",
};

export const LOCALES = [
  "en-GB",
  "en-US",
  "en-CA",
  "fr-CA",
  "de-AT",
  "de-DE",
  "es-CO",
  "es-ES",
  "fr-FR",
  "it-IT",
  "nl-NL",
] as const;
