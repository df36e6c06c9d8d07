// Loaded into the benchmark's servers with `node --import` (plain JavaScript, so that the portal
// runs as `npm start` runs it, with nothing compiled at start): Node's own event-loop delay
// histogram, sampled every millisecond. On SIGUSR2 it writes what it saw since the last signal to
// BENCH_EVENT_LOOP_FILE, numbered, and starts again: the benchmark asks before and after a load.
import fs from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.BENCH_EVENT_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  let seq = 0;
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  process.on("SIGUSR2", () => {
    seq += 1;
    const seen = histogram.count > 0;
    fs.writeFileSync(
      file,
      JSON.stringify({ seq, p50: seen ? ms(histogram.percentile(50)) : 0, p99: seen ? ms(histogram.percentile(99)) : 0, max: seen ? ms(histogram.max) : 0 }),
    );
    histogram.reset();
  });
}
