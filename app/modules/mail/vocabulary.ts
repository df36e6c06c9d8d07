// Where a message in the outbox stands. A plain value with no import (docs/decisions/023).

export const OUTBOX_STATUSES = ["pending", "sent", "dead"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
