// A meeting's states and the answers invitees give, as stored and as pages offer them. Plain
// values with no import, so that pages take them without the database schema (docs/decisions/023).

export const MEETING_STATUSES = ["polling", "scheduled", "cancelled"] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const VOTE_ANSWERS = ["yes", "if_need_be", "no"] as const;
export type VoteAnswer = (typeof VOTE_ANSWERS)[number];

export const RSVP_RESPONSES = ["accepted", "tentative", "declined"] as const;
export type RsvpResponse = (typeof RSVP_RESPONSES)[number];
