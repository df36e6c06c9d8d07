import { EmailAction, EmailLayout, renderHtml, type RenderedEmail } from "./layout";

export type MeetingReminderData = {
  name: string;
  meetingTitle: string;
  /** Already in the recipient's zone. */
  when: string;
  where: string | null;
  link: string;
};

export function renderMeetingReminderEmail(data: MeetingReminderData): RenderedEmail {
  const subject = `Tomorrow: ${data.meetingTitle}`;
  const html = renderHtml(
    <EmailLayout preview={subject}>
      <h1 style={{ fontSize: "20px", margin: "0 0 12px" }}>{data.meetingTitle}</h1>
      <p>Hello {data.name},</p>
      <p>
        A reminder: the meeting takes place <strong>{data.when}</strong>.
      </p>
      {data.where ? <p>Where: {data.where}</p> : null}
      <EmailAction href={data.link} label="Open the meeting" />
    </EmailLayout>,
  );
  const text = [
    `Hello ${data.name},`,
    "",
    `A reminder: the meeting takes place ${data.when}.`,
    ...(data.where ? [`Where: ${data.where}`] : []),
    "",
    `Open the meeting: ${data.link}`,
  ].join("\n");
  return { subject, html, text };
}
