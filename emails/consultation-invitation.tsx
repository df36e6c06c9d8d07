import { EmailAction, EmailLayout, renderHtml, type RenderedEmail } from "./layout";

export type ConsultationInvitationData = {
  name: string;
  consultationTitle: string;
  crimeAreas: string[];
  /** The input deadline, already in the recipient's zone. */
  deadline: string;
  link: string;
};

export function renderConsultationInvitationEmail(data: ConsultationInvitationData): RenderedEmail {
  const subject = `Invitation: ${data.consultationTitle}`;
  const html = renderHtml(
    <EmailLayout preview={subject}>
      <h1 style={{ fontSize: "20px", margin: "0 0 12px" }}>You are invited to a consultation</h1>
      <p>Hello {data.name},</p>
      <p>
        The taskforce invites you to <strong>{data.consultationTitle}</strong>, on {data.crimeAreas.join(", ")}.
        Threat input is due by <strong>{data.deadline}</strong>.
      </p>
      <EmailAction href={data.link} label="Open the consultation" addressPrefix="" />
    </EmailLayout>,
  );
  const text = [
    `Hello ${data.name},`,
    "",
    `The taskforce invites you to "${data.consultationTitle}", on ${data.crimeAreas.join(", ")}.`,
    `Threat input is due by ${data.deadline}.`,
    "",
    `Open the consultation: ${data.link}`,
  ].join("\n");
  return { subject, html, text };
}
