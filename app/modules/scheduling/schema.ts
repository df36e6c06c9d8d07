import { z } from "zod";
import { RSVP_RESPONSES, VOTE_ANSWERS } from "./vocabulary";
import { TLP_MARKS } from "~/modules/threat-input/vocabulary";
import { chosenIds, cursorParam, optionalText } from "~/lib/forms";
import { timeZoneField } from "../accounts/schema";
import { clockField, dateField } from "../consultations/schema";
import { slotRowsOf } from "./slots";
import { LONGEST_MEETING_MINUTES } from "./rules";

// Slots arrive as numbered rows (slot0Date, slot0Time, ...) so that the form works as plain
// HTML; blank rows are ignored, half-filled ones are refused at their field.
export const meetingFormSchema = z
  .looseObject({
    title: z.string().trim().min(3, "Give the meeting a title.").max(160, "Keep the title under 160 characters."),
    agenda: z.string().trim().max(5000, "Keep the agenda under 5,000 characters.").default(""),
    durationMinutes: z.coerce
      .number({ error: "Enter the length in minutes." })
      .int("Enter whole minutes.")
      .min(15, "A meeting lasts at least 15 minutes.")
      .max(LONGEST_MEETING_MINUTES, `A meeting lasts at most ${LONGEST_MEETING_MINUTES / 60} hours.`),
    place: optionalText(300),
    videoUrl: z.preprocess(
      (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
      z.url({ protocol: /^https$/, error: "Enter the video link as an https:// address." }).optional(),
    ),
    timeZone: timeZoneField,
    attendeeListOpen: z.preprocess((value) => value === "on" || value === "true", z.boolean()),
    tlp: z.enum(TLP_MARKS, { error: "Choose the meeting's handling mark." }).default("TLP:AMBER"),
  })
  .transform((value, context) => {
    const slots: { row: number; date: string; time: string }[] = [];
    for (const [row, { date, time }] of slotRowsOf(value as Record<string, unknown>).entries()) {
      if (!date && !time) continue;
      if (!dateField("").safeParse(date).success) {
        context.addIssue({ code: "custom", path: [`slot${row}Date`], message: "Enter the slot's date." });
      } else if (!clockField("").safeParse(time).success) {
        context.addIssue({ code: "custom", path: [`slot${row}Time`], message: "Enter the slot's start time, like 16:00." });
      } else {
        slots.push({ row, date, time });
      }
    }
    if (slots.length === 0) {
      context.addIssue({ code: "custom", path: ["slot0Date"], message: "Propose at least one slot." });
    }
    return {
      title: value.title,
      agenda: value.agenda,
      durationMinutes: value.durationMinutes,
      place: value.place,
      videoUrl: value.videoUrl,
      timeZone: value.timeZone,
      attendeeListOpen: value.attendeeListOpen,
      tlp: value.tlp,
      slots,
    };
  });
export type MeetingInput = z.output<typeof meetingFormSchema>;

export const voteFormSchema = z.record(
  z.string().regex(/^slot-\d+$/),
  z.enum(VOTE_ANSWERS, { error: "Answer yes, if need be, or no." }),
);

export const rsvpFormSchema = z.object({
  response: z.enum(RSVP_RESPONSES, { error: "Choose accept, maybe or decline." }),
});

export const finaliseFormSchema = z.object({
  slotId: z.coerce.number({ error: "Choose a slot." }).int().positive("Choose a slot."),
  // Sent by the confirmation page, which finalising before everyone answered goes through.
  confirmed: z
    .string()
    .optional()
    .transform((value) => value === "yes"),
});

export const rescheduleFormSchema = z.object({
  date: dateField("Enter the new date."),
  time: clockField("Enter the new start time, like 16:00."),
  timeZone: timeZoneField,
});

const idList = () =>
  z.preprocess(
    (value) => (value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.coerce.number().int().positive()),
  );

// The attendance is kept a page of invitees at a time: `shown` names the people whose boxes the
// form showed, so that saving one page leaves the others' attendance as it was.
export const recordFormSchema = z.object({
  shown: idList(),
  attended: idList(),
  minutes: z.string().trim().max(50_000, "Keep the minutes under 50,000 characters.").default(""),
});

export const actionItemFormSchema = z.object({
  title: z.string().trim().min(3, "Describe the action in a few words.").max(300, "Keep it under 300 characters."),
  ownerUserId: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.coerce.number().int().positive().optional(),
  ),
  dueOn: z.preprocess(
    (value) => (value === "" ? undefined : value),
    dateField("Enter the due date.").optional(),
  ),
});

/** The action item form's Find step: what was typed, and the owner's name to look for. */
export const ownerSearchSchema = z.object({
  ownerUserId: chosenIds(),
  findOwner: optionalText(120).catch(undefined),
});

/** Where the meeting page's lists of invitees stand (their cursors). */
export const meetingPageSchema = z.object({ invited: cursorParam(), answers: cursorParam() });

export const actionItemDoneSchema = z.object({
  itemId: z.coerce.number().int().positive(),
  done: z.enum(["true", "false"]).transform((value) => value === "true"),
});

/** What the meeting page asks: invitees answer, the coordinator runs the meeting (app/routes/meetings.$meetingId.tsx). */
const INVITEE_INTENTS = ["vote", "rsvp"] as const;
const COORDINATOR_INTENTS = [
  "remind",
  "finalise",
  "reschedule",
  "cancel",
  "attendee-list",
  "record",
  "action-item",
  "action-item-done",
] as const;
export const meetingIntentSchema = z.enum([...INVITEE_INTENTS, ...COORDINATOR_INTENTS]);
