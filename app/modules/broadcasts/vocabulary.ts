// The kinds of mail to many people that the broadcast worker composes, and what the admins'
// outbox page calls them. A plain value with no import (docs/decisions/023).

export const BROADCAST_KINDS = {
  "consultation-invitations": "Invitations to a consultation",
  "meeting-poll": "A meeting's poll of times",
  "meeting-update": "A meeting's change (finalised, moved or cancelled)",
  "meeting-reminders": "A meeting's day-before reminders",
  "threat-input-notices": "The analysts' notice of new threat input",
} as const;

export type BroadcastKind = keyof typeof BROADCAST_KINDS;

/** What a broadcast is, in the admins' words; a kind no longer known is shown as it is stored. */
export const broadcastKindLabel = (kind: string) => (kind in BROADCAST_KINDS ? BROADCAST_KINDS[kind as BroadcastKind] : kind);
