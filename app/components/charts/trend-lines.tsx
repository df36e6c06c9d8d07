import { byScore, chartIdPrefix, formatFigure, listInWords, wrapText } from "~/components/charts/risk-matrix";
import { scrollRegion } from "../table-wrap";

// The final score of each crime area across the assessment's editions, drawn on the server as
// SVG. Series differ in colour, marker shape and dash pattern at once, so that none depends on
// telling colours apart. No style attributes (the CSP's style-src 'self' refuses them): colours
// are presentation attributes, the rest comes from classes in app.css.

export type TrendSeries = {
  crimeArea: string;
  label: string;
  href?: string;
  /** One figure per edition, in the editions' order; null where the edition has none. */
  points: (number | null)[];
};

export type TrendEdition = { id: number; title: string };

/**
 * Colours for lines and markers, each at least 3:1 against white (WCAG 1.4.11), after
 * Okabe & Ito and Paul Tol's colour-blind safe sets.
 */
export const SERIES_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#882255", "#1c2733", "#996600", "#aa4499", "#332288"] as const;
/** Solid, dashed, dotted, dash-dot, long dash. */
export const SERIES_DASHES = ["", "7 4", "2 3", "9 3 2 3", "14 4"] as const;
/** Five shapes, filled and then hollow: ten series tell apart by shape alone. */
const SHAPES = ["circle", "square", "triangle", "diamond", "triangle-down"] as const;
type Shape = (typeof SHAPES)[number];

export type SeriesStyle = { colour: string; dash: string; shape: Shape; hollow: boolean };

/** The look of the nth series; eight colours, ten markers and five dashes make 40 combinations. */
export function seriesStyle(index: number): SeriesStyle {
  return {
    colour: SERIES_COLOURS[index % SERIES_COLOURS.length]!,
    dash: SERIES_DASHES[index % SERIES_DASHES.length]!,
    shape: SHAPES[index % SHAPES.length]!,
    hollow: Math.floor(index / SHAPES.length) % 2 === 1,
  };
}

const r2 = (value: number) => Math.round(value * 100) / 100;

/** A marker's outline as a path around (0, 0), about `s` from centre to edge. */
function markerPath(shape: Shape, s: number): string {
  switch (shape) {
    case "circle":
      return `M${-s} 0a${s} ${s} 0 1 0 ${2 * s} 0a${s} ${s} 0 1 0 ${-2 * s} 0Z`;
    case "square":
      return `M${r2(-0.85 * s)} ${r2(-0.85 * s)}h${r2(1.7 * s)}v${r2(1.7 * s)}h${r2(-1.7 * s)}Z`;
    case "triangle":
      return `M0 ${r2(-1.15 * s)}L${s} ${r2(0.75 * s)}L${-s} ${r2(0.75 * s)}Z`;
    case "diamond":
      return `M0 ${r2(-1.2 * s)}L${r2(1.2 * s)} 0L0 ${r2(1.2 * s)}L${r2(-1.2 * s)} 0Z`;
    case "triangle-down":
      return `M0 ${r2(1.15 * s)}L${s} ${r2(-0.75 * s)}L${-s} ${r2(-0.75 * s)}Z`;
  }
}

function Marker({ style, x, y, size = 4.5 }: { style: SeriesStyle; x: number; y: number; size?: number }) {
  return (
    <path
      className="trend-lines__marker"
      d={markerPath(style.shape, size)}
      transform={`translate(${r2(x)} ${r2(y)})`}
      fill={style.hollow ? "#ffffff" : style.colour}
      stroke={style.colour}
      strokeWidth={style.hollow ? 2 : 1}
      data-shape={`${style.shape}${style.hollow ? "-hollow" : ""}`}
    />
  );
}

/** A step of 1, 2 or 5 times a power of ten that cuts 0..max into at most six parts. */
function niceStep(max: number): number {
  const rough = max / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? 10 * power;
}

/** The runs of consecutive figures: a null breaks the line. */
function runs(points: (number | null)[]): { index: number; value: number }[][] {
  const out: { index: number; value: number }[][] = [];
  let current: { index: number; value: number }[] = [];
  points.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) {
      if (current.length) out.push(current);
      current = [];
    } else current.push({ index, value });
  });
  if (current.length) out.push(current);
  return out;
}

const WIDTH = 360;
const FONT = 11;
const LEFT = 34;
const RIGHT = 10;
const TOP = 10;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = 170;
const HEIGHT = TOP + PLOT_HEIGHT + 48;

const areas = (count: number) => `${count} crime ${count === 1 ? "area" : "areas"}`;

/**
 * The chart in words: what it covers, who leads in the latest edition, the largest rise and fall
 * (first figure to last), and where figures are missing. The table has every figure.
 */
function describe(editions: TrendEdition[], series: TrendSeries[], top: number): string {
  if (editions.length === 0 || series.length === 0) return "No figures yet.";
  const first = editions[0]!;
  const last = editions[editions.length - 1]!;
  const lastIndex = editions.length - 1;
  const sentences = [
    editions.length === 1
      ? `Final scores of ${areas(series.length)} in ${first.title}, on a scale of 0 to ${top}.`
      : `Final scores of ${areas(series.length)} across ${editions.length} editions, from ${first.title} to ${
          last.title
        }, on a scale of 0 to ${top}.`,
  ];
  const latest = series
    .filter((one) => typeof one.points[lastIndex] === "number")
    .sort(byScore((one) => one.points[lastIndex] as number))
    .map((one) => ({ label: one.label, value: formatFigure(one.points[lastIndex] as number) }));
  if (latest[0]) {
    const runnersUp = latest.slice(1, 3).map((one) => `${one.label} at ${one.value}`);
    sentences.push(
      `In ${last.title}, ${latest[0].label} is highest at ${latest[0].value}${runnersUp.length ? `, then ${listInWords(runnersUp)}` : ""}.`,
    );
  }
  const changes = series.flatMap((one) => {
    const known = one.points.slice(0, editions.length).flatMap((value, index) => (typeof value === "number" ? [{ value, index }] : []));
    if (known.length < 2) return [];
    const start = known[0]!;
    const end = known[known.length - 1]!;
    return [{ label: one.label, change: end.value - start.value, start, end }];
  });
  const phrase = (one: (typeof changes)[number]) =>
    `${one.label}, from ${formatFigure(one.start.value)} in ${editions[one.start.index]!.title} to ${formatFigure(one.end.value)} in ${
      editions[one.end.index]!.title
    }`;
  const rise = [...changes].sort(byScore((one) => one.change))[0];
  const fall = [...changes].sort(byScore((one) => -one.change))[0];
  if (rise && rise.change >= 0.05) sentences.push(`Largest rise: ${phrase(rise)}.`);
  if (fall && fall.change <= -0.05) sentences.push(`Largest fall: ${phrase(fall)}.`);
  const gaps = series.filter((one) => editions.some((_, index) => typeof one.points[index] !== "number")).map((one) => one.label);
  if (gaps.length) sentences.push(`No figure in some editions: ${listInWords(gaps)}.`);
  return sentences.join(" ");
}

/**
 * A line per crime area of its final score across editions: editions left to right in the order
 * given, 0 to `max` (25 unless told) upward. A null figure breaks the line; a single edition
 * shows markers only. A legend and a table of the same figures follow the chart.
 */
export function TrendLines({
  editions,
  series,
  title,
  id,
  max = 25,
}: {
  editions: TrendEdition[];
  series: TrendSeries[];
  title: string;
  id: string;
  max?: number;
}) {
  const prefix = chartIdPrefix(id);
  const ids = { title: `${prefix}-title`, desc: `${prefix}-desc` };
  const highest = Math.max(0, ...series.flatMap((one) => one.points.filter((value): value is number => typeof value === "number")));
  const ceiling = Math.max(max > 0 ? max : 25, highest);
  const step = niceStep(ceiling);
  const top = Math.ceil(ceiling / step - 1e-9) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => r2(index * step));
  const slot = editions.length ? PLOT_WIDTH / editions.length : PLOT_WIDTH;
  const xOf = (index: number) => LEFT + (index + 0.5) * slot;
  const yOf = (value: number) => TOP + PLOT_HEIGHT * (1 - Math.max(0, value) / top);
  const plotBottom = TOP + PLOT_HEIGHT;

  return (
    <figure className="chart trend-lines">
      <figcaption className="chart__caption">{title}</figcaption>
      <svg
        className="chart__svg trend-lines__svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
        role="img"
        aria-labelledby={`${ids.title} ${ids.desc}`}
        fontSize={FONT}
      >
        <title id={ids.title}>{title}</title>
        <desc id={ids.desc}>{describe(editions, series, top)}</desc>

        <g className="chart__axis">
          {ticks.map((value) => (
            <g key={value}>
              <line className="chart__grid" x1={LEFT} x2={LEFT + PLOT_WIDTH} y1={r2(yOf(value))} y2={r2(yOf(value))} data-value={value} />
              <text className="chart__tick chart__tick--y" x={LEFT - 5} y={r2(yOf(value) + 3.5)} textAnchor="end" data-value={value}>
                {value}
              </text>
            </g>
          ))}
          <line className="chart__axis-line" x1={LEFT} y1={plotBottom} x2={LEFT + PLOT_WIDTH} y2={plotBottom} />
          {editions.map((edition, index) => {
            const lines = wrapText(edition.title, Math.max(slot - 4, 12), FONT - 1);
            const shortened = lines.join(" ") !== edition.title.trim().replace(/\s+/g, " ");
            return (
              <text
                key={edition.id}
                className="chart__tick chart__tick--x"
                x={r2(xOf(index))}
                y={plotBottom + 14}
                textAnchor="middle"
                fontSize={FONT - 1}
                data-index={index}
              >
                {shortened ? <title>{edition.title}</title> : null}
                {lines.map((line, lineIndex) => (
                  <tspan key={lineIndex} x={r2(xOf(index))} dy={lineIndex === 0 ? 0 : 12}>
                    {line}
                  </tspan>
                ))}
              </text>
            );
          })}
        </g>

        {/*
          No links in the drawing: role="img" makes its children presentational, so links there
          would be out of reach of assistive technology. The table holds them.
        */}
        {series.map((one, index) => {
          const style = seriesStyle(index);
          const segments = runs(one.points.slice(0, editions.length));
          return (
            <g key={one.crimeArea} className="trend-lines__series" data-crime-area={one.crimeArea}>
              {segments
                .filter((segment) => segment.length > 1)
                .map((segment) => (
                  <polyline
                    key={segment[0]!.index}
                    className="trend-lines__line"
                    points={segment.map((point) => `${r2(xOf(point.index))},${r2(yOf(point.value))}`).join(" ")}
                    fill="none"
                    stroke={style.colour}
                    strokeWidth="2"
                    strokeDasharray={style.dash || undefined}
                    strokeLinejoin="round"
                  />
                ))}
              {segments.flat().map((point) => (
                <g key={point.index} className="trend-lines__point">
                  <title>{`${one.label}, ${editions[point.index]!.title}: ${formatFigure(point.value)}`}</title>
                  <Marker style={style} x={xOf(point.index)} y={yOf(point.value)} />
                </g>
              ))}
            </g>
          );
        })}
      </svg>

      <ul className="chart-legend" aria-label="Crime areas">
        {series.map((one, index) => {
          const style = seriesStyle(index);
          return (
            <li key={one.crimeArea} className="chart-legend__item" data-crime-area={one.crimeArea}>
              <svg className="chart-legend__key" width="34" height="14" viewBox="0 0 34 14" aria-hidden="true" focusable="false">
                <line x1="1" y1="7" x2="33" y2="7" stroke={style.colour} strokeWidth="2" strokeDasharray={style.dash || undefined} />
                <Marker style={style} x={17} y={7} />
              </svg>
              <span>{one.label}</span>
            </li>
          );
        })}
      </ul>

      <details className="chart__table">
        <summary>Figures as a table</summary>
        <div className="table-wrap" {...scrollRegion(`${title}: the figures as a table`)}>
          <table className="stacked-table">
            <caption>{title}: final score of each crime area by edition</caption>
            <thead>
              <tr>
                <th scope="col">Crime area</th>
                {editions.map((edition) => (
                  <th key={edition.id} scope="col" className="num">
                    {edition.title}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {series.map((one) => (
                <tr key={one.crimeArea} data-crime-area={one.crimeArea}>
                  <th scope="row">{one.href ? <a href={one.href}>{one.label}</a> : one.label}</th>
                  {editions.map((edition, index) => {
                    const value = one.points[index];
                    return (
                      <td key={edition.id} className="num" data-label={edition.title}>
                        {typeof value === "number" ? (
                          formatFigure(value)
                        ) : (
                          <>
                            <span aria-hidden="true">–</span>
                            <span className="visually-hidden">no figure</span>
                          </>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
