import { formatDateTime, formatDateTimeWithSeconds, type Viewer } from "~/lib/time";

/** A moment shown in the viewer's own zone, with the machine-readable instant alongside. */
export function LocalTime({ at, viewer, seconds = false }: { at: Date | string; viewer: Viewer; seconds?: boolean }) {
  const date = typeof at === "string" ? new Date(at) : at;
  // ICU versions may name a zone differently (CET or GMT+1): the server's text stands.
  return (
    <time dateTime={date.toISOString()} suppressHydrationWarning>
      {(seconds ? formatDateTimeWithSeconds : formatDateTime)(date, viewer)}
    </time>
  );
}
