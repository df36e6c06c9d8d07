import { EmailAction, EmailLayout, renderHtml, type RenderedEmail } from "./layout";

export type MeetingUpdateData = {
  kind: "scheduled" | "rescheduled" | "cancelled";
  name: string;
  meetingTitle: string;
  /** The meeting's time, already in the recipient's zone; for a move, the old one too. */
  when: string | null;
  previously?: string | null;
  where: string | null;
  link: string;
};

const HEADINGS: Record<MeetingUpdateData["kind"], string> = {
  scheduled: "Meeting scheduled",
  rescheduled: "Meeting moved",
  cancelled: "Meeting cancelled",
};

export function renderMeetingUpdateEmail(data: MeetingUpdateData): RenderedEmail {
  const subject = `${HEADINGS[data.kind]}: ${data.meetingTitle}`;
  const lines =
    data.kind === "cancelled"
      ? ["This meeting has been cancelled.", data.when ? `It was planned for ${data.when}.` : ""]
      : [
          data.kind === "rescheduled" && data.previously
            ? `The meeting has moved from ${data.previously} to ${data.when}.`
            : `The meeting will take place ${data.when}.`,
          data.where ? `Where: ${data.where}` : "",
          "Please tell us in the portal whether you will attend.",
        ];
  const body = lines.filter(Boolean);
  const html = renderHtml(
    <EmailLayout preview={subject}>
      <h1 style={{ fontSize: "20px", margin: "0 0 12px" }}>{subject}</h1>
      <p>Hello {data.name},</p>
      {body.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <EmailAction href={data.link} label="Open the meeting" />
    </EmailLayout>,
  );
  const text = [`Hello ${data.name},`, "", ...body, "", `Open the meeting: ${data.link}`].join("\n");
  return { subject, html, text };
}
