import { RISK_BANDS, riskBand } from "~/modules/assessment/scoring";
import { IMPACT_SCALE, LIKELIHOOD_SCALE } from "~/modules/threat-input/scales";
import { scrollRegion } from "../table-wrap";

// A likelihood x impact matrix of crime areas, drawn on the server as SVG: no script, no
// measurement in the browser, the same markup on the server and the client. The portal's CSP
// (style-src 'self') refuses style attributes, so colours are SVG presentation attributes and
// everything else comes from classes in app.css.

export type MatrixArea = {
  crimeArea: string;
  label: string;
  /** Weighted mean, 1-5; null without accepted input. */
  impact: number | null;
  /** Weighted mean, 1-5; null without accepted input. */
  likelihood: number | null;
  score: number;
  /** The likelihood in words (ICD 203), e.g. "very likely". */
  likelihoodWords: string | null;
  href: string;
  /** The number its marker and table row carry; by default its rank by score. */
  number?: number;
};

/* ---------- Shared by the charts (TrendLines imports these) ---------- */

/** One decimal, the same on every machine (no locale). */
export const formatFigure = (value: number) => value.toFixed(1);

/** An id prefix safe to put in id and aria attributes. */
export const chartIdPrefix = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, "-") || "chart";

/**
 * The width of a line of text in the portal's sans-serif, estimated (the server cannot measure
 * text): generous, so that labels placed apart stay apart in every font the stack may pick.
 */
export function estimateTextWidth(text: string, fontSize: number): number {
  // Calibrated on DejaVu Sans, the widest of the usual fallbacks, so that labels never come
  // out wider than estimated (Segoe UI, San Francisco and Roboto are narrower).
  let ems = 0;
  for (const char of text) {
    if ("iljI.,:;'!|".includes(char)) ems += 0.3;
    else if ("tfr()- ".includes(char)) ems += 0.4;
    else if ("mwMW@".includes(char)) ems += 0.98;
    else if (char >= "A" && char <= "Z") ems += 0.74;
    else ems += 0.63;
  }
  return ems * fontSize;
}

/** Cuts a line to `maxWidth`, ending it with an ellipsis. */
function fitLine(line: string, maxWidth: number, fontSize: number): string {
  if (estimateTextWidth(line, fontSize) <= maxWidth) return line;
  let cut = line;
  while (cut.length > 1 && estimateTextWidth(`${cut}…`, fontSize) > maxWidth) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

/**
 * Splits a label into at most `maxLines` lines no wider than `maxWidth`, breaking at spaces so
 * that the lines come out as even as they can; what still does not fit ends in an ellipsis.
 */
export function wrapText(text: string, maxWidth: number, fontSize: number, maxLines = 2): string[] {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [""];
  if (estimateTextWidth(text, fontSize) <= maxWidth || maxLines === 1 || words.length === 1) {
    return [fitLine(words.join(" "), maxWidth, fontSize)];
  }
  // Greedy fill first, then even out two-line labels ("Underground forums / and marketplaces").
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    const next = current ? `${current} ${word}` : word;
    if (current && estimateTextWidth(next, fontSize) > maxWidth) {
      lines.push(current);
      current = word;
    } else current = next;
  }
  lines.push(current);
  if (lines.length === 2 && maxLines >= 2) {
    let best: string[] = lines;
    let bestWidth = Infinity;
    for (let split = 1; split < words.length; split += 1) {
      const pair = [words.slice(0, split).join(" "), words.slice(split).join(" ")];
      const widest = Math.max(...pair.map((line) => estimateTextWidth(line, fontSize)));
      if (widest < bestWidth) {
        best = pair;
        bestWidth = widest;
      }
    }
    return best.map((line) => fitLine(line, maxWidth, fontSize));
  }
  if (lines.length <= maxLines) return lines.map((line) => fitLine(line, maxWidth, fontSize));
  // Too long for the lines allowed: the last one takes the rest, cut short with an ellipsis.
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = fitLine(`${kept[maxLines - 1]} ${lines.slice(maxLines).join(" ")}`, maxWidth, fontSize);
  return kept.map((line) => fitLine(line, maxWidth, fontSize));
}

/** Highest score first; equal scores in the order of their labels, so the order never wavers. */
export function byScore<T extends { label: string }>(scoreOf: (item: T) => number) {
  return (a: T, b: T) => scoreOf(b) - scoreOf(a) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

/**
 * "A", "A and B", "A, B and C"; with semicolons where a label has commas or "and" of its own
 * ("Underground forums and marketplaces; Botnets").
 */
export function listInWords(labels: string[]): string {
  if (labels.length <= 1) return labels[0] ?? "";
  if (labels.some((label) => /,| and /.test(label))) return labels.join("; ");
  return `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/* ---------- The matrix ---------- */

// The bands are the scoring rule's (scoring.ts), so that the matrix, the tables and the exports agree.
export { RISK_BANDS, riskBand, type RiskBand } from "~/modules/assessment/scoring";

/** The number a marker shows: the one given, else its rank. */
const numberOf = (area: MatrixArea, rank: number) => area.number ?? rank + 1;

const SCALE = [1, 2, 3, 4, 5] as const;
const FONT = 11;
const LINE = 13;
const CELL = 54;
const LEFT = 84;
const TOP = 8;
const PLOT = CELL * 5;
const WIDTH = LEFT + PLOT + 6;
const HEIGHT = TOP + PLOT + 68;
const MARKER_RADIUS = 9;
const LABEL_GAP = 3;
const LABEL_PAD = 1.5;
const LABEL_MAX_WIDTH = 130;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
/** Likelihood 1-5 to x: each whole value at the middle of its column, in between in proportion. */
const xOf = (likelihood: number) => LEFT + (clamp(likelihood, 0.5, 5.5) - 0.5) * CELL;
/** Impact 1-5 to y, 5 at the top. */
const yOf = (impact: number) => TOP + (5.5 - clamp(impact, 0.5, 5.5)) * CELL;

type Box = { x: number; y: number; w: number; h: number };

const BAND_FONT = 8;
/** Where a cell names its band: bottom left, small. */
function bandTag(impact: number, likelihood: number) {
  return {
    x: LEFT + (likelihood - 1) * CELL + 3,
    y: TOP + (6 - impact) * CELL - 4,
    text: riskBand(impact, likelihood).label.toLowerCase(),
  };
}

const overlap = (a: Box, b: Box) =>
  Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));

const intersects = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** How far a point lies from a box (0 inside it). */
function distanceTo(box: Box, px: number, py: number): number {
  const dx = px < box.x ? box.x - px : px > box.x + box.w ? px - box.x - box.w : 0;
  const dy = py < box.y ? box.y - py : py > box.y + box.h ? py - box.y - box.h : 0;
  return Math.sqrt(dx * dx + dy * dy);
}

/** How far a point lies from a box (0 inside it), and the box's point nearest to it. */
function nearest(box: Box, px: number, py: number) {
  const x = clamp(px, box.x, box.x + box.w);
  const y = clamp(py, box.y, box.y + box.h);
  return { x, y, distance: Math.hypot(px - x, py - y) };
}

type Segment = { x1: number; y1: number; x2: number; y2: number };

/** Whether a segment passes through a box (Liang-Barsky clipping). */
function segmentHitsBox(segment: Segment, box: Box): boolean {
  const dx = segment.x2 - segment.x1;
  const dy = segment.y2 - segment.y1;
  let low = 0;
  let high = 1;
  const edges: [number, number][] = [
    [-dx, segment.x1 - box.x],
    [dx, box.x + box.w - segment.x1],
    [-dy, segment.y1 - box.y],
    [dy, box.y + box.h - segment.y1],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const t = q / p;
      if (p < 0) low = Math.max(low, t);
      else high = Math.min(high, t);
      if (low > high) return false;
    }
  }
  return high - low > 1e-6;
}

/** Whether two segments cross (touching ends do not count). */
function segmentsCross(a: Segment, b: Segment): boolean {
  const side = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) => (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  const d1 = side(b.x1, b.y1, b.x2, b.y2, a.x1, a.y1);
  const d2 = side(b.x1, b.y1, b.x2, b.y2, a.x2, a.y2);
  const d3 = side(a.x1, a.y1, a.x2, a.y2, b.x1, b.y1);
  const d4 = side(a.x1, a.y1, a.x2, a.y2, b.x2, b.y2);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

type Placed = {
  area: MatrixArea & { impact: number; likelihood: number };
  rank: number;
  px: number;
  py: number;
  lines: string[];
  box: Box;
  leader: Segment | null;
};

/**
 * Places each marker's label where it hides no other label and no marker, inside the matrix.
 * Each label looks at spots beside, above and below its marker and then further out, nearest
 * first; of the free spots not much further out than the nearest free one, it takes the one
 * whose leader line crosses fewest other leaders, labels and markers and that hides least of
 * the cells' band words. A label away from its marker gets a leader line back to it. Labels go
 * in rank order (the highest score gets the best spot); when that leaves leader lines, the
 * most crowded markers first is tried too, and the tidier layout kept. Everything is arithmetic
 * on the props, so the server and the browser agree, and the same props give the same layout.
 */
/** Layouts already worked out, by their areas: an edition's matrix is drawn the same on every view. */
const layouts = new Map<string, Placed[]>();
const LAYOUTS_KEPT = 200;

/**
 * The labels' layout for these areas. Working it out is the most costly part of an edition's page
 * (tens of milliseconds of trial placements), and the same areas always give the same layout, so
 * it is worked out once and kept, the oldest dropped past LAYOUTS_KEPT.
 */
function placedLabels(areas: (MatrixArea & { impact: number; likelihood: number })[]): Placed[] {
  const key = JSON.stringify(areas);
  const known = layouts.get(key);
  if (known) return known;
  const layout = placeLabels(areas);
  layouts.set(key, layout);
  if (layouts.size > LAYOUTS_KEPT) layouts.delete(layouts.keys().next().value!);
  return layout;
}

function placeLabels(areas: (MatrixArea & { impact: number; likelihood: number })[]): Placed[] {
  const markers: Box[] = areas.map((area) => ({
    x: xOf(area.likelihood) - MARKER_RADIUS - 1,
    y: yOf(area.impact) - MARKER_RADIUS - 1,
    w: 2 * MARKER_RADIUS + 2,
    h: 2 * MARKER_RADIUS + 2,
  }));
  const bounds: Box = { x: LEFT + 1, y: 1, w: WIDTH - LEFT - 2, h: TOP + PLOT - 2 };
  const inBounds = (box: Box) =>
    box.x >= bounds.x && box.y >= bounds.y && box.x + box.w <= bounds.x + bounds.w && box.y + box.h <= bounds.y + bounds.h;
  const bandTags: Box[] = SCALE.flatMap((impact) =>
    SCALE.map((likelihood) => {
      const tag = bandTag(impact, likelihood);
      return { x: tag.x, y: tag.y - BAND_FONT * 0.9, w: estimateTextWidth(tag.text, BAND_FONT), h: BAND_FONT * 1.2 };
    }),
  );
  const gap = MARKER_RADIUS + LABEL_GAP;

  const labels = areas.map((area, rank) => {
    const px = xOf(area.likelihood);
    const py = yOf(area.impact);
    const lines = wrapText(area.label, LABEL_MAX_WIDTH, FONT);
    // Markers on top of each other hide their numbers, so their labels carry them ("7. Botnets"),
    // matching the table's numbering.
    const covered = areas.some(
      (other, index) => index !== rank && Math.hypot(xOf(other.likelihood) - px, yOf(other.impact) - py) < 2 * MARKER_RADIUS,
    );
    if (covered) lines[0] = `${numberOf(area, rank)}. ${lines[0]}`;
    const w = Math.max(...lines.map((line) => estimateTextWidth(line, FONT))) + 2 * LABEL_PAD;
    const h = lines.length * LINE + 2 * LABEL_PAD;
    // Right, left, above, below: the spots that need no leader line.
    const beside: Box[] = [
      { x: px + gap, y: py - h / 2, w, h },
      { x: px - gap - w, y: py - h / 2, w, h },
      { x: px - w / 2, y: py - gap - h, w, h },
      { x: px - w / 2, y: py + gap, w, h },
    ];
    return { area, px, py, lines, w, h, beside };
  });

  /** One greedy pass, placing the labels in `order`; returns them in rank order, and its cost. */
  const attempt = (order: number[]) => {
    const taken: Box[] = [];
    const leaders: Segment[] = [];
    const placed: Placed[] = [];
    let total = 0;
    for (const rank of order) {
      const { label, value } = placeOne(rank, taken, leaders);
      placed[rank] = label;
      total += value;
      taken.push(label.box);
      if (label.leader) leaders.push(label.leader);
    }
    return { placed, total };
  };

  const placeOne = (rank: number, taken: Box[], leaders: Segment[]): { label: Placed; value: number } => {
    const { area, px, py, lines, w, h, beside } = labels[rank]!;
    const spots: Box[] = [...beside];
    // Further spots on a grid around the marker, rows half a line apart: centred on it, and
    // stepping out 8 units at a time to its right and to its left.
    for (let row = -28; row <= 28; row += 1) {
      const y = py - h / 2 + row * (LINE / 2);
      spots.push({ x: px - w / 2, y, w, h });
      for (let column = 0; column <= 24; column += 1) {
        spots.push({ x: px + gap + column * 8, y, w, h }, { x: px - gap - w - column * 8, y, w, h });
      }
    }
    const leaderTo = (box: Box): Segment | null => {
      const end = nearest(box, px, py);
      if (end.distance <= gap + 3) return null;
      const ux = (end.x - px) / end.distance;
      const uy = (end.y - py) / end.distance;
      return { x1: px + ux * MARKER_RADIUS, y1: py + uy * MARKER_RADIUS, x2: end.x, y2: end.y };
    };
    const ranked = spots
      .filter(inBounds)
      .map((box, index) => ({ box, index, distance: distanceTo(box, px, py) }))
      .filter((spot) => spot.distance >= gap - 0.5)
      .sort((a, b) => a.distance - b.distance || a.index - b.index);
    const obstacles = [...markers, ...taken];
    const others = [...taken, ...markers.filter((_, index) => index !== rank)];
    const clash = (box: Box) => obstacles.reduce((sum, other) => sum + overlap(box, other), 0);
    const cost = (spot: (typeof ranked)[number]) => {
      const leader = leaderTo(spot.box);
      // Other leaders under this label, this leader across other leaders, labels or markers.
      let tangles = leaders.filter((other) => segmentHitsBox(other, spot.box)).length;
      if (leader) {
        tangles += leaders.filter((other) => segmentsCross(leader, other)).length;
        tangles += others.filter((other) => segmentHitsBox(leader, other)).length;
      }
      return spot.distance + 40 * tangles + 0.03 * bandTags.reduce((sum, tag) => sum + overlap(spot.box, tag), 0);
    };
    let chosen: (typeof ranked)[number] | undefined;
    let reach = Infinity;
    let best = Infinity;
    for (const spot of ranked) {
      if (spot.distance > reach) break;
      if (obstacles.some((other) => intersects(spot.box, other))) continue;
      // The nearest free spot sets how much further out a tidier one may be.
      if (reach === Infinity) reach = spot.distance + 3 * LINE;
      const value = cost(spot);
      if (value < best) {
        chosen = spot;
        best = value;
      }
    }
    if (!chosen) {
      // Nowhere free: the spot that hides least (labels keep a halo, so text stays legible).
      chosen = ranked
        .map((spot) => ({ spot, clash: clash(spot.box) }))
        .sort((a, b) => a.clash - b.clash || a.spot.distance - b.spot.distance || a.spot.index - b.spot.index)[0]?.spot;
    }
    const box = chosen?.box ?? spots[0]!;
    // A label that found no free spot makes its layout the worse one by far.
    return { label: { area, rank, px, py, lines, box, leader: leaderTo(box) }, value: Number.isFinite(best) ? best : 1e6 };
  };

  const ranks = areas.map((_, rank) => rank);
  const neighbours = (rank: number) =>
    markers.filter((other, index) => index !== rank && Math.hypot(other.x - markers[rank]!.x, other.y - markers[rank]!.y) < (3 * CELL) / 2)
      .length;
  const crowdedFirst = [...ranks].sort((a, b) => neighbours(b) - neighbours(a) || a - b);
  const first = attempt(ranks);
  if (first.placed.every((label) => !label.leader)) return first.placed;
  const second = attempt(crowdedFirst);
  return (second.total < first.total ? second : first).placed;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function figuresInWords(area: MatrixArea & { impact: number; likelihood: number }) {
  const words = area.likelihoodWords ? ` (${area.likelihoodWords})` : "";
  return `impact ${formatFigure(area.impact)}, likelihood ${formatFigure(area.likelihood)}${words}, score ${formatFigure(area.score)}`;
}

function describe(placed: (MatrixArea & { impact: number; likelihood: number })[], missing: MatrixArea[]): string {
  const sentences: string[] = [];
  if (placed.length === 0) {
    sentences.push("No crime area has accepted input yet, so the matrix is empty.");
  } else {
    const top = placed[0]!;
    sentences.push(
      `${placed.length} ${
        placed.length === 1 ? "crime area" : "crime areas"
      } placed by likelihood (1 remote to 5 almost certain) and impact (1 minimal to 5 severe).`,
      `${top.label} is highest: ${figuresInWords(top)}.`,
    );
    for (const band of [...RISK_BANDS].reverse()) {
      const inBand = placed.filter((area) => riskBand(area.impact, area.likelihood).key === band.key).map((area) => area.label);
      if (inBand.length) sentences.push(`${band.label} band: ${listInWords(inBand)}.`);
    }
  }
  if (missing.length) sentences.push(`No accepted input: ${listInWords(missing.map((area) => area.label))}.`);
  return sentences.join(" ");
}

/** A swatch of a band's fill, drawn as SVG so that it needs no style attribute. */
function Swatch({ fill }: { fill: string }) {
  return (
    <svg className="chart-legend__swatch" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="0.5" y="0.5" width="15" height="15" rx="2" fill={fill} className="chart-legend__swatch-edge" />
    </svg>
  );
}

/**
 * Crime areas on a 5 x 5 likelihood x impact matrix (MoRiLE style): each area with figures is a
 * numbered, labelled marker at its exact means, linking to the area; areas without accepted input
 * are listed under the chart; the same figures follow as a table.
 */
export function RiskMatrix({ areas, title, id }: { areas: MatrixArea[]; title: string; id: string }) {
  const prefix = chartIdPrefix(id);
  const ids = { title: `${prefix}-title`, desc: `${prefix}-desc`, missing: `${prefix}-missing` };
  const order = byScore<MatrixArea>((area) => area.score);
  const placed = areas
    .filter((area): area is MatrixArea & { impact: number; likelihood: number } => area.impact !== null && area.likelihood !== null)
    .sort(order);
  const missing = areas.filter((area) => area.impact === null || area.likelihood === null).sort(order);
  const labels = placedLabels(placed);
  const description = describe(placed, missing);
  const plotBottom = TOP + PLOT;

  return (
    <figure className="chart risk-matrix">
      <figcaption className="chart__caption">{title}</figcaption>
      {/*
        The drawing is one role="img" with its title and description. The markers are links, and
        links cannot live inside role="img" (its children are presentational: axe-core's
        nested-interactive), so they sit beside the drawing in an outer SVG, drawn over it.
      */}
      <svg
        className="chart__svg risk-matrix__svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        role="group"
        fontSize={FONT}
      >
        <svg x="0" y="0" width={WIDTH} height={HEIGHT} role="img" aria-labelledby={`${ids.title} ${ids.desc}`}>
          <title id={ids.title}>{title}</title>
          <desc id={ids.desc}>{description}</desc>

          <g className="risk-matrix__cells">
            {SCALE.flatMap((impact) =>
              SCALE.map((likelihood) => {
                const band = riskBand(impact, likelihood);
                const x = LEFT + (likelihood - 1) * CELL;
                const y = TOP + (5 - impact) * CELL;
                const tag = bandTag(impact, likelihood);
                return (
                  <g key={`${impact}-${likelihood}`} className={`risk-matrix__cell risk-matrix__cell--${band.key}`}>
                    <rect
                      x={x}
                      y={y}
                      width={CELL}
                      height={CELL}
                      fill={band.fill}
                      stroke="#ffffff"
                      strokeWidth="1"
                      data-impact={impact}
                      data-likelihood={likelihood}
                      data-band={band.key}
                    />
                    <text className="risk-matrix__band-tag" x={tag.x} y={tag.y} fontSize={BAND_FONT}>
                      {tag.text}
                    </text>
                  </g>
                );
              }),
            )}
          </g>

          <g className="chart__axis">
            <line className="chart__axis-line" x1={LEFT} y1={plotBottom} x2={LEFT + PLOT} y2={plotBottom} />
            <line className="chart__axis-line" x1={LEFT} y1={TOP} x2={LEFT} y2={plotBottom} />
            {SCALE.map((value) => (
              <text
                key={`x${value}`}
                className="chart__tick chart__tick--x"
                x={xOf(value)}
                y={plotBottom + 14}
                textAnchor="middle"
                data-value={value}
              >
                <tspan className="chart__tick-value" x={xOf(value)}>
                  {value}
                </tspan>
                {wrapText(LIKELIHOOD_SCALE[value]!.word, CELL - 4, FONT - 1, 3).map((line, index) => (
                  <tspan key={index} x={xOf(value)} dy={index === 0 ? 13 : 11} fontSize={FONT - 1}>
                    {line}
                  </tspan>
                ))}
              </text>
            ))}
            {SCALE.map((value) => (
              <text
                key={`y${value}`}
                className="chart__tick chart__tick--y"
                x={LEFT - 6}
                y={yOf(value) - 2}
                textAnchor="end"
                data-value={value}
              >
                <tspan className="chart__tick-value" x={LEFT - 6}>
                  {value}
                </tspan>
                <tspan x={LEFT - 6} dy="12" fontSize={FONT - 1}>
                  {IMPACT_SCALE[value]!.word}
                </tspan>
              </text>
            ))}
            <text className="chart__axis-title" x={LEFT + PLOT / 2} y={HEIGHT - 4} textAnchor="middle">
              Likelihood
            </text>
            <text
              className="chart__axis-title"
              x="14"
              y={TOP + PLOT / 2}
              textAnchor="middle"
              transform={`rotate(-90 14 ${TOP + PLOT / 2})`}
            >
              Impact
            </text>
          </g>

          {/* Leader lines under all markers and labels, so that none crosses a label's text. */}
          <g className="risk-matrix__leaders">
            {labels.map(({ area, leader }) =>
              leader ? (
                <line
                  key={area.crimeArea}
                  className="risk-matrix__leader"
                  x1={round2(leader.x1)}
                  y1={round2(leader.y1)}
                  x2={round2(leader.x2)}
                  y2={round2(leader.y2)}
                  data-crime-area={area.crimeArea}
                />
              ) : null,
            )}
          </g>
        </svg>

        {/*
          In rank order, so that the keyboard meets the highest-scoring area first (labels never
          cover a marker, so the drawing order matters only for areas with the same figures).
          Each link is named by its <title> (area and figures), which is also its tooltip.
        */}
        <g className="risk-matrix__areas">
          {labels.map(({ area, rank, px, py, lines, box }) => (
            <a key={area.crimeArea} href={area.href} className="risk-matrix__area" data-crime-area={area.crimeArea}>
              <title>{`${area.label}: ${figuresInWords(area)}`}</title>
              <circle className="risk-matrix__marker" cx={round2(px)} cy={round2(py)} r={MARKER_RADIUS} data-rank={rank + 1} />
              <text className="risk-matrix__marker-number" x={round2(px)} y={round2(py + 3.5)} textAnchor="middle" fontSize="10">
                {numberOf(area, rank)}
              </text>
              <text
                className="risk-matrix__label"
                x={round2(box.x + LABEL_PAD)}
                y={round2(box.y + LABEL_PAD + FONT * 0.9)}
                paintOrder="stroke"
                stroke="#ffffff"
                strokeWidth="3"
                strokeLinejoin="round"
              >
                {lines.map((line, index) => (
                  <tspan key={index} x={round2(box.x + LABEL_PAD)} dy={index === 0 ? 0 : LINE}>
                    {line}
                  </tspan>
                ))}
              </text>
            </a>
          ))}
        </g>
      </svg>

      <ul className="chart-legend" aria-label="Risk bands (impact × likelihood)">
        {[...RISK_BANDS].reverse().map((band) => (
          <li key={band.key} className="chart-legend__item">
            <Swatch fill={band.fill} />
            <span>
              {band.label}{" "}
              <span className="muted">
                ({band.from}–{band.to})
              </span>
            </span>
          </li>
        ))}
      </ul>

      {missing.length ? (
        <div className="chart__missing">
          <p id={ids.missing} className="chart__note">
            Not on the matrix, no accepted input:
          </p>
          <ul className="chart__missing-list" aria-labelledby={ids.missing}>
            {missing.map((area) => (
              <li key={area.crimeArea}>
                <a href={area.href}>{area.label}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <details className="chart__table">
        <summary>Figures as a table</summary>
        <div className="table-wrap" {...scrollRegion(`${title}: the figures as a table`)}>
          <table className="stacked-table">
            <caption>{title}: impact, likelihood and score of each crime area, highest score first</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  No.
                </th>
                <th scope="col">Crime area</th>
                <th scope="col" className="num">
                  Impact (1–5)
                </th>
                <th scope="col" className="num">
                  Likelihood (1–5)
                </th>
                <th scope="col" className="num">
                  Score
                </th>
                <th scope="col">Band</th>
              </tr>
            </thead>
            <tbody>
              {placed.map((area, rank) => (
                <tr key={area.crimeArea} data-crime-area={area.crimeArea}>
                  <td className="num" data-label="No.">
                    {numberOf(area, rank)}
                  </td>
                  <th scope="row">
                    <a href={area.href}>{area.label}</a>
                  </th>
                  <td className="num" data-label="Impact (1–5)">
                    {formatFigure(area.impact)}
                  </td>
                  <td className="num" data-label="Likelihood (1–5)">
                    {formatFigure(area.likelihood)}
                    {area.likelihoodWords ? ` (${area.likelihoodWords})` : ""}
                  </td>
                  <td className="num" data-label="Score">
                    {formatFigure(area.score)}
                  </td>
                  <td data-label="Band">{riskBand(area.impact, area.likelihood).label}</td>
                </tr>
              ))}
              {missing.map((area) => (
                <tr key={area.crimeArea} data-crime-area={area.crimeArea}>
                  <td className="num" data-label="No.">
                    –
                  </td>
                  <th scope="row">
                    <a href={area.href}>{area.label}</a>
                  </th>
                  <td colSpan={2}>No accepted input</td>
                  <td className="num" data-label="Score">
                    {formatFigure(area.score)}
                  </td>
                  <td data-label="Band">–</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
