import type { Role } from "~/modules/accounts/vocabulary";
import type { ConsultationStatus } from "~/modules/consultations/vocabulary";
import type { OrganisationKind, Sector } from "~/modules/organisations/vocabulary";
import type { MeetingStatus, RsvpResponse, VoteAnswer } from "~/modules/scheduling/vocabulary";
import type { IndicatorType } from "~/modules/threat-input/indicators";
import type { CrimeArea } from "~/modules/threat-input/vocabulary";

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

export const AUDIT_ACTION_LABELS: Record<string, string> = {
  "sign_in.link_sent": "Sign-in link sent",
  "sign_in.succeeded": "Signed in",
  "sign_in.failed": "Sign-in refused",
  "sign_in.refused": "Sign-in link not sent",
  "sign_in.rate_limited": "Sign-in requests limited",
  sign_out: "Signed out",
  "account.created": "Account created",
  "account.updated": "Account edited",
  "account.deactivated": "Account deactivated",
  "account.reactivated": "Account reactivated",
  "role.granted": "Role granted",
  "role.revoked": "Role revoked",
  "organisation.created": "Organisation added",
  "organisation.updated": "Organisation edited",
  "organisation.deactivated": "Organisation deactivated",
  "organisation.reactivated": "Organisation reactivated",
  "mail.retried": "Mail sent again",
  "broadcast.retried": "Broadcast tried again",
  "consultation.created": "Consultation created",
  "consultation.updated": "Consultation edited",
  "consultation.opened": "Consultation opened",
  "consultation.closed": "Consultation closed",
  "consultation.viewed": "Consultation first seen by an invitee",
  "meeting.proposed": "Meeting proposed",
  "meeting.reminded": "Poll reminder sent",
  "meeting.finalised": "Meeting time chosen",
  "meeting.rescheduled": "Meeting moved",
  "meeting.cancelled": "Meeting cancelled",
  "meeting.recorded": "Meeting record kept",
  "threat_input.submitted": "Threat input submitted",
  "threat_input.revised": "Threat input revised",
  "threat_input.withdrawn": "Threat input withdrawn",
  "threat_input.accepted": "Threat input accepted",
  "threat_input.rejected": "Threat input rejected",
  "threat_input.question_asked": "Question asked about input",
  "threat_input.question_answered": "Question about input answered",
  "threat_input.items_viewed": "Restricted items viewed (AMBER+STRICT or RED)",
  "threat_input.item_graded": "Item graded by an analyst",
  "assessment.created": "Assessment edition opened",
  "assessment.overridden": "Assessment figure set by hand",
  "assessment.override_cleared": "Assessment figure back to computed",
  "assessment.names_merged": "Names merged into one entity",
  "assessment.target_proposed": "Target proposed",
  "assessment.target_endorsed": "Target endorsed",
  "assessment.target_declined": "Target declined",
  "assessment.published": "Assessment edition published",
  "assessment.exported": "Assessment exported",
  "assessment.exported_named": "Assessment exported with TLP:RED for a named recipient",
};

/** Families of actions, to filter by: every code that starts with the key. */
export const AUDIT_ACTION_FAMILIES: Record<string, string> = {
  "sign_in.": "Any sign-in event",
  "account.": "Any account change",
  "role.": "Any role change",
  "organisation.": "Any organisation change",
  "consultation.": "Any consultation event",
  "meeting.": "Any meeting event",
  "threat_input.": "Any threat input event",
  "assessment.": "Any assessment event",
};

/** A person's words for an audit action; unknown codes show as they are. */
export const auditActionLabel = (action: string) => AUDIT_ACTION_LABELS[action] ?? action;

export const CRIME_AREA_LABELS: Record<CrimeArea, string> = {
  malware_coding: "Malware coding",
  malware_testing: "Malware testing (counter-antivirus)",
  malware_distribution: "Malware distribution",
  botnets: "Botnets",
  crime_as_a_service: "Crime-as-a-service",
  online_fraud: "Online fraud",
  intrusion: "Intrusion and ransomware",
  banking_trojans: "Banking trojans",
  underground_forums: "Underground forums and marketplaces",
  offenders_and_networks: "High-profile offenders and networks",
};

// Here, not beside the parsing rules, so that a page showing indicators loads the words without them.
export const INDICATOR_TYPE_LABELS: Record<IndicatorType, string> = {
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
  domain: "Domain name",
  url: "URL",
  email: "Email address",
  sha256: "SHA-256 hash",
  sha1: "SHA-1 hash",
  md5: "MD5 hash",
  btc_wallet: "Bitcoin wallet",
  xmr_wallet: "Monero wallet",
  file_name: "File name",
};

export const CONSULTATION_STATUS_LABELS: Record<ConsultationStatus, string> = {
  draft: "Draft",
  open: "Open",
  closed: "Closed",
};

export const MEETING_STATUS_LABELS: Record<MeetingStatus, string> = {
  polling: "Choosing a time",
  scheduled: "Scheduled",
  cancelled: "Cancelled",
};

export const VOTE_LABELS: Record<VoteAnswer, string> = {
  yes: "Yes",
  if_need_be: "If need be",
  no: "No",
};

export const RSVP_LABELS: Record<RsvpResponse, string> = {
  accepted: "Accept",
  tentative: "Maybe",
  declined: "Decline",
};
