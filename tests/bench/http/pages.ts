import type { Dataset } from "./dataset";

// The pages the HTTP benchmark loads, each as the portal serves it and as the bare server
// computes it (the same module calls, so the same SQL): who asks, and where.

export type Page = { name: string; path: (data: Dataset) => string; as: keyof Dataset["sessions"] | null };

export const PAGES: Page[] = [
  { name: "/healthz", path: () => "/healthz", as: null },
  { name: "coordinator's home", path: () => "/", as: "coordinator" },
  { name: "stakeholder's home", path: () => "/", as: "stakeholder" },
  { name: "a consultation (coordinator)", path: (data) => `/consultations/${data.consultationId}`, as: "coordinator" },
  { name: "triage queue", path: () => "/triage", as: "analyst" },
  { name: "an input (analyst)", path: (data) => `/inputs/${data.inputId}`, as: "analyst" },
  { name: "published edition (analyst)", path: (data) => `/assessments/${data.publishedEditionId}`, as: "analyst" },
  { name: "published edition (coordinator)", path: (data) => `/assessments/${data.publishedEditionId}`, as: "coordinator" },
  { name: "draft edition (analyst)", path: (data) => `/assessments/${data.draftEditionId}`, as: "analyst" },
  { name: "feed, 500 meetings", path: (data) => `/calendar/${data.feeds.meetings500}.ics`, as: null },
  { name: "feed, 2,000 meetings", path: (data) => `/calendar/${data.feeds.meetings2000}.ics`, as: null },
];
