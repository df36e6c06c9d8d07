export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export type Viewer = { timeZone: string; locale: string };

/** A date and time in the viewer's zone, with the zone named so nobody has to guess. */
export function formatDateTime(at: Date, viewer: Viewer): string {
  const text = new Intl.DateTimeFormat(viewer.locale, {
    timeZone: viewer.timeZone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(at);
  const zone = new Intl.DateTimeFormat(viewer.locale, {
    timeZone: viewer.timeZone,
    timeZoneName: "short",
  })
    .formatToParts(at)
    .find((part) => part.type === "timeZoneName")?.value;
  return `${text} ${zone ?? ""} (${viewer.timeZone})`.replace(/\s+/g, " ");
}
