import { EmailAction, EmailLayout, renderHtml, type RenderedEmail } from "./layout";

export type MeetingPollData = {
  name: string;
  meetingTitle: string;
  consultationTitle: string;
  /** Each candidate slot, already in the recipient's zone. */
  slots: string[];
  link: string;
  /** A reminder to someone who has not answered yet. */
  reminder: boolean;
};

export function renderMeetingPollEmail(data: MeetingPollData): RenderedEmail {
  const subject = data.reminder
    ? `Reminder: when can you meet? ${data.meetingTitle}`
    : `When can you meet? ${data.meetingTitle}`;
  const lead = data.reminder
    ? "We have not yet heard which of these times suit you."
    : "The taskforce proposes a meeting and would like to know which of these times suit you.";
  const html = renderHtml(
    <EmailLayout preview={subject}>
      <h1 style={{ fontSize: "20px", margin: "0 0 12px" }}>{data.meetingTitle}</h1>
      <p>Hello {data.name},</p>
      <p>
        {lead} It is part of the consultation <strong>{data.consultationTitle}</strong>.
      </p>
      <ul>
        {data.slots.map((slot) => (
          <li key={slot}>{slot}</li>
        ))}
      </ul>
      <EmailAction href={data.link} label="Choose your times" />
    </EmailLayout>,
  );
  const text = [
    `Hello ${data.name},`,
    "",
    `${lead} It is part of the consultation "${data.consultationTitle}".`,
    "",
    ...data.slots.map((slot) => `- ${slot}`),
    "",
    `Choose your times: ${data.link}`,
  ].join("\n");
  return { subject, html, text };
}
