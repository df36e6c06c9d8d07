import { formatTimeRange, type Viewer } from "~/lib/time";

/** A meeting's start and end in the viewer's own zone, the zone named. */
export function MeetingTime({ start, end, viewer }: { start: Date | string; end: Date | string; viewer: Viewer }) {
  const from = new Date(start);
  const to = new Date(end);
  return (
    <time dateTime={from.toISOString()} suppressHydrationWarning>
      {formatTimeRange(from, to, viewer)}
    </time>
  );
}
