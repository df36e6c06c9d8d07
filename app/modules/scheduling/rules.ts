import type { VoteAnswer } from "./vocabulary";
import { localDateTime, zoneOffsetMinutes } from "~/lib/time";

/** The longest a meeting may last: the form refuses more, and "still to come" counts on it. */
export const LONGEST_MEETING_MINUTES = 8 * 60;

/** Local working hours, 08:00 to 18:00, in minutes after midnight. */
export const WORKING_HOURS = { from: 8 * 60, to: 18 * 60 } as const;

/** True when any part of the slot falls outside 08:00-18:00 on the same local day. */
export function outsideWorkingHours(start: Date, end: Date, timeZone: string): boolean {
  const from = localDateTime(start, timeZone);
  const to = localDateTime(end, timeZone);
  if (from.date !== to.date) return true;
  return from.minutes < WORKING_HOURS.from || to.minutes > WORKING_HOURS.to;
}

/** True when the zone's clocks change between the two instants (a DST switch lies between). */
export function clockChangeBetween(from: Date, to: Date, timeZone: string): boolean {
  return zoneOffsetMinutes(from, timeZone) !== zoneOffsetMinutes(to, timeZone);
}

export type SlotTally = { slotId: number; startsAt: Date; yes: number; ifNeedBe: number; no: number };

/** Best first: most yes, then most if-need-be, then the earlier slot. */
export function rankSlots(
  slots: { id: number; startsAt: Date }[],
  votes: { slotId: number; answer: VoteAnswer; count?: number }[],
): SlotTally[] {
  const tallies = new Map(
    slots.map((slot) => [slot.id, { slotId: slot.id, startsAt: slot.startsAt, yes: 0, ifNeedBe: 0, no: 0 }]),
  );
  for (const vote of votes) {
    const tally = tallies.get(vote.slotId);
    if (!tally) continue;
    // A vote, or a count of like votes from a grouped statement.
    const n = vote.count ?? 1;
    if (vote.answer === "yes") tally.yes += n;
    else if (vote.answer === "if_need_be") tally.ifNeedBe += n;
    else tally.no += n;
  }
  return [...tallies.values()].sort(
    (a, b) => b.yes - a.yes || b.ifNeedBe - a.ifNeedBe || a.startsAt.getTime() - b.startsAt.getTime(),
  );
}
