import { EmailAction, EmailLayout, renderHtml, type RenderedEmail } from "./layout";

/**
 * Everything about a threat input that leaves the portal by mail: that something happened, and
 * where to read it. Never the content (it may be TLP:RED) nor, for the taskforce, who sent it
 * (the organisation may have asked to stay anonymous).
 */
export type ThreatInputNoticeData = {
  kind: "received" | "revised" | "question" | "answer";
  name: string;
  consultationTitle: string;
  link: string;
};

const WORDING: Record<ThreatInputNoticeData["kind"], { subject: string; heading: string; body: string; button: string }> = {
  received: {
    subject: "New threat input received",
    heading: "New threat input received",
    body: "An organisation has submitted threat input to",
    button: "Open the input",
  },
  revised: {
    subject: "Threat input revised",
    heading: "Threat input revised",
    body: "An organisation has revised its threat input to",
    button: "Open the input",
  },
  question: {
    subject: "A question about your threat input",
    heading: "The taskforce has a question",
    body: "An analyst of the taskforce has asked a question about your organisation's input to",
    button: "Read and answer it",
  },
  answer: {
    subject: "Your question was answered",
    heading: "Your question was answered",
    body: "The organisation has answered your question about its input to",
    button: "Read the answer",
  },
};

export function renderThreatInputNoticeEmail(data: ThreatInputNoticeData): RenderedEmail {
  const wording = WORDING[data.kind];
  const subject = `${wording.subject}: ${data.consultationTitle}`;
  const html = renderHtml(
    <EmailLayout preview={subject}>
      <h1 style={{ fontSize: "20px", margin: "0 0 12px" }}>{wording.heading}</h1>
      <p>Hello {data.name},</p>
      <p>
        {wording.body} <strong>{data.consultationTitle}</strong>. The details are in the portal only.
      </p>
      <EmailAction href={data.link} label={wording.button} addressPrefix="" />
    </EmailLayout>,
  );
  const text = [
    `Hello ${data.name},`,
    "",
    `${wording.body} "${data.consultationTitle}". The details are in the portal only.`,
    "",
    `${wording.button}: ${data.link}`,
  ].join("\n");
  return { subject, html, text };
}

/** Several inputs submitted or revised before the analysts were told of the first: one notice. */
export type ThreatInputDigestData = { name: string; inputs: number; consultationTitles: string[]; link: string };

export function renderThreatInputDigestEmail(data: ThreatInputDigestData): RenderedEmail {
  const subject = `${data.inputs} threat inputs received or revised`;
  const html = renderHtml(
    <EmailLayout preview={subject}>
      <h1 style={{ fontSize: "20px", margin: "0 0 12px" }}>{subject}</h1>
      <p>Hello {data.name},</p>
      <p>Organisations have submitted or revised {data.inputs} threat inputs to:</p>
      <ul>
        {data.consultationTitles.map((title) => (
          <li key={title}>
            <strong>{title}</strong>
          </li>
        ))}
      </ul>
      <p>The details are in the portal only.</p>
      <EmailAction href={data.link} label="Open the triage queue" addressPrefix="" />
    </EmailLayout>,
  );
  const text = [
    `Hello ${data.name},`,
    "",
    `Organisations have submitted or revised ${data.inputs} threat inputs to:`,
    ...data.consultationTitles.map((title) => `- "${title}"`),
    "",
    "The details are in the portal only.",
    "",
    `Open the triage queue: ${data.link}`,
  ].join("\n");
  return { subject, html, text };
}
