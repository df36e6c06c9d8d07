import fs from "node:fs";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { estimateTextWidth, RISK_BANDS, RiskMatrix, type MatrixArea } from "~/components/charts/risk-matrix";
import { SERIES_COLOURS, TrendLines, type TrendSeries } from "~/components/charts/trend-lines";
import { contentSecurityPolicy } from "~/lib/security.server";

// The charts are rendered as the server renders them and read back as a tree: the tests check
// what the markup means (where a marker is, what the table says), not how it is spelt.

/* ---------- A small reader of React's static markup ---------- */

type El = { tag: string; attrs: Record<string, string>; children: Node[]; parent: El | null };
type Node = El | string;

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const decode = (text: string) =>
  text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, "&");

function parse(html: string): El {
  const root: El = { tag: "#root", attrs: {}, children: [], parent: null };
  let current = root;
  const token = /<!--[\s\S]*?-->|<\/([a-zA-Z][\w:-]*)\s*>|<([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(\/?)>|([^<]+)/g;
  for (const match of html.matchAll(token)) {
    const [, closing, opening, attrText, selfClosing, text] = match;
    if (closing) {
      expect(current.tag, `</${closing}> closes <${current.tag}>`).toBe(closing);
      current = current.parent!;
    } else if (opening) {
      const attrs: Record<string, string> = {};
      for (const [, name, value] of (attrText ?? "").matchAll(/\s+([^\s=>/]+)(?:="([^"]*)")?/g)) attrs[name!] = decode(value ?? "");
      const element: El = { tag: opening, attrs, children: [], parent: current };
      current.children.push(element);
      if (!selfClosing && !VOID.has(opening)) current = element;
    } else if (text) {
      current.children.push(decode(text));
    }
  }
  expect(current, "every element is closed").toBe(root);
  return root;
}

const isEl = (node: Node): node is El => typeof node !== "string";
function all(root: El, test: (el: El) => boolean): El[] {
  const found: El[] = [];
  const walk = (el: El) => {
    for (const child of el.children.filter(isEl)) {
      if (test(child)) found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}
const byTag = (root: El, tag: string) => all(root, (el) => el.tag === tag);
const hasClass = (el: El, name: string) => (el.attrs.class ?? "").split(/\s+/).includes(name);
const byClass = (root: El, name: string) => all(root, (el) => hasClass(el, name));
const one = <T,>(found: T[], what: string): T => {
  expect(found, what).toHaveLength(1);
  return found[0]!;
};
/** The text of an element, its children's text separated by spaces (tspans are separate words). */
const textOf = (node: Node): string => (typeof node === "string" ? node : node.children.map(textOf).join(" ")).replace(/\s+/g, " ").trim();
const ancestors = (el: El) => {
  const list: El[] = [];
  for (let at = el.parent; at; at = at.parent) list.push(at);
  return list;
};
const num = (el: El, name: string) => {
  const value = Number(el.attrs[name]);
  expect(Number.isFinite(value), `${el.tag}[${name}] is a number (${el.attrs[name]})`).toBe(true);
  return value;
};
const translateOf = (el: El) => {
  const match = /^translate\(([-\d.]+)[ ,]+([-\d.]+)\)$/.exec(el.attrs.transform ?? "");
  expect(match, `${el.tag} is placed by translate()`).not.toBeNull();
  return { x: Number(match![1]), y: Number(match![2]) };
};
const render = (element: JSX.Element) => {
  const html = renderToStaticMarkup(element);
  return { html, root: parse(html) };
};

/** WCAG 2.x relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const channels = hex
    .replace("#", "")
    .match(/../g)!
    .map((pair) => parseInt(pair, 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * channels[0]! + 0.7152 * channels[1]! + 0.0722 * channels[2]!;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};
const token = (name: string) => {
  const match = new RegExp(`${name}:\\s*(#[0-9a-fA-F]{6})`).exec(fs.readFileSync("app/styles/app.css", "utf8"));
  expect(match, `app.css defines ${name}`).not.toBeNull();
  return match![1]!;
};

/** What every chart shares: a figure with a caption, an SVG role="img" named by its title and desc. */
function expectAccessibleFigure(root: El, title: string) {
  const figure = one(byTag(root, "figure"), "one figure");
  expect(textOf(one(byTag(figure, "figcaption"), "a figcaption"))).toBe(title);
  const image = one(
    all(figure, (el) => el.tag === "svg" && el.attrs.role === "img"),
    'one svg role="img"',
  );
  const labelledBy = (image.attrs["aria-labelledby"] ?? "").split(/\s+/).filter(Boolean);
  const targets = labelledBy.map((id) =>
    one(
      all(root, (el) => el.attrs.id === id),
      `#${id}`,
    ),
  );
  expect(targets.map((el) => el.tag)).toEqual(["title", "desc"]);
  for (const target of targets) expect(target.parent, `<${target.tag}> sits in the image`).toBe(image);
  expect(textOf(targets[0]!)).toBe(title);
  // Links inside role="img" would be presentational (axe-core: nested-interactive).
  expect(byTag(image, "a")).toEqual([]);
  const outer = all(figure, (el) => el.tag === "svg" && !ancestors(el).some((a) => a.tag === "svg")).find((el) =>
    hasClass(el, "chart__svg"),
  )!;
  expect(outer.attrs.viewBox).toMatch(/^0 0 \d+(\.\d+)? \d+(\.\d+)?$/);
  expect(outer.attrs.width).toBe("100%");
  expect(outer.attrs.height).toBeUndefined();
  return { figure, image, outer, desc: textOf(targets[1]!) };
}

/** The details behind the chart, open to anyone: not hidden, a real table with headers. */
function figuresTable(figure: El) {
  const details = one(byTag(figure, "details"), "a details");
  expect(textOf(one(byTag(details, "summary"), "a summary"))).toBe("Figures as a table");
  const table = one(byTag(details, "table"), "a table in the details");
  for (const el of [table, ...ancestors(table)]) {
    expect(el.attrs.hidden, `${el.tag} is not hidden`).toBeUndefined();
    expect(hasClass(el, "visually-hidden"), `${el.tag} is not visually hidden`).toBe(false);
    expect(el.attrs["aria-hidden"]).toBeUndefined();
  }
  expect(textOf(one(byTag(table, "caption"), "a caption"))).not.toBe("");
  const head = one(byTag(table, "thead"), "a thead");
  const columns = byTag(head, "th");
  expect(columns.length).toBeGreaterThan(1);
  for (const th of columns) expect(th.attrs.scope).toBe("col");
  const rows = byTag(one(byTag(table, "tbody"), "a tbody"), "tr").map((tr) => {
    const header = one(
      byTag(tr, "th").filter((th) => th.attrs.scope === "row"),
      'a th scope="row"',
    );
    return { tr, header, cells: tr.children.filter(isEl).map(textOf), columns: columns.map(textOf) };
  });
  return { table, rows };
}

/* ---------- Risk matrix ---------- */

const area = (crimeArea: string, label: string, impact: number | null, likelihood: number | null, score: number, words: string | null) =>
  ({ crimeArea, label, impact, likelihood, score, likelihoodWords: words, href: `/assessment/areas/${crimeArea}` } satisfies MatrixArea);

const AREAS: MatrixArea[] = [
  area("online_fraud", "Online fraud", 3.6, 4.3, 12.1, "very likely"),
  area("banking_trojans", "Banking trojans", 4.2, 3.9, 14.3, "very likely"),
  area("botnets", "Botnets", 2.2, 1.4, 2.6, "very unlikely"),
  area("malware_testing", "Malware testing (counter-antivirus)", null, null, 0, null),
  area("underground_forums", "Underground forums and marketplaces", 3.05, 3.45, 8.9, "likely"),
  area("offenders_and_networks", "High-profile offenders and networks", 1, 5, 4.1, "almost certain"),
  area("malware_coding", "Malware coding", null, null, 0, null),
];
const PLACED = AREAS.filter((a) => a.impact !== null && a.likelihood !== null) as (MatrixArea & { impact: number; likelihood: number })[];

/** The matrix's geometry as the drawing states it: the cells' centres for 1 and 5 on each axis. */
function matrixScale(root: El) {
  const cells = all(root, (el) => el.tag === "rect" && el.attrs["data-likelihood"] !== undefined);
  expect(cells).toHaveLength(25);
  const cell = (likelihood: number, impact: number) =>
    one(
      cells.filter((el) => el.attrs["data-likelihood"] === String(likelihood) && el.attrs["data-impact"] === String(impact)),
      `cell ${likelihood}/${impact}`,
    );
  const centre = (el: El) => ({ x: num(el, "x") + num(el, "width") / 2, y: num(el, "y") + num(el, "height") / 2 });
  const low = centre(cell(1, 1));
  const high = centre(cell(5, 5));
  return {
    cells,
    cell,
    x: (likelihood: number) => low.x + ((likelihood - 1) * (high.x - low.x)) / 4,
    y: (impact: number) => low.y + ((impact - 1) * (high.y - low.y)) / 4,
  };
}

/** The label boxes as drawn, with the same width estimate the component places them by. */
function labelBoxes(root: El) {
  const fontSize = num(one(byClass(root, "risk-matrix__svg"), "the matrix svg"), "font-size");
  return byClass(root, "risk-matrix__label").map((label) => {
    const lines = byTag(label, "tspan");
    const dy = lines.slice(1).map((line) => num(line, "dy"));
    const x = num(label, "x");
    const baseline = num(label, "y");
    const width = Math.max(...lines.map((line) => estimateTextWidth(textOf(line), fontSize)));
    const top = baseline - 0.9 * fontSize;
    const bottom = baseline + dy.reduce((sum, step) => sum + step, 0) + 0.25 * fontSize;
    return { label, text: textOf(label), x, y: top, w: width, h: bottom - top };
  });
}
type Box = { x: number; y: number; w: number; h: number };
const boxesOverlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe("RiskMatrix", () => {
  const { html, root } = render(<RiskMatrix areas={AREAS} title="Crime areas by likelihood and impact" id="matrix-2025" />);

  it("lays out other areas anew and the same areas as before, whichever was drawn in between (layouts are kept)", () => {
    const moved = AREAS.map((one) => (one.crimeArea === "botnets" ? { ...one, impact: 4.1, likelihood: 3.8 } : one));
    const relabelled = AREAS.map((one) => (one.crimeArea === "online_fraud" ? { ...one, label: "Online fraud and scams" } : one));
    const other = render(<RiskMatrix areas={moved} title="Crime areas by likelihood and impact" id="matrix-2025" />).html;
    const renamed = render(<RiskMatrix areas={relabelled} title="Crime areas by likelihood and impact" id="matrix-2025" />).html;
    expect(other).not.toBe(html);
    expect(renamed).not.toBe(html);
    expect(renamed).toContain("Online fraud and scams");
    expect(render(<RiskMatrix areas={AREAS} title="Crime areas by likelihood and impact" id="matrix-2025" />).html).toBe(html);
  });

  it("is a figure with a caption, and an image named by its title and description", () => {
    const { outer } = expectAccessibleFigure(root, "Crime areas by likelihood and impact");
    expect(outer.attrs.role).toBe("group");
  });

  it("places each area with figures at its likelihood (x) and impact (y), not snapped to a cell", () => {
    const scale = matrixScale(root);
    const links = byClass(root, "risk-matrix__area");
    expect(links.map((a) => a.attrs.href).sort()).toEqual(PLACED.map((a) => a.href).sort());
    for (const expected of PLACED) {
      const link = one(
        links.filter((a) => a.attrs.href === expected.href),
        expected.label,
      );
      expect(link.tag).toBe("a");
      const marker = one(byClass(link, "risk-matrix__marker"), `${expected.label}'s marker`);
      expect(num(marker, "cx")).toBeCloseTo(scale.x(expected.likelihood), 1);
      expect(num(marker, "cy")).toBeCloseTo(scale.y(expected.impact), 1);
      // ...and so inside the cell of its rounded figures.
      const cell = scale.cell(Math.round(expected.likelihood), Math.round(expected.impact));
      expect(num(marker, "cx")).toBeGreaterThanOrEqual(num(cell, "x"));
      expect(num(marker, "cx")).toBeLessThanOrEqual(num(cell, "x") + num(cell, "width"));
      expect(num(marker, "cy")).toBeGreaterThanOrEqual(num(cell, "y"));
      expect(num(marker, "cy")).toBeLessThanOrEqual(num(cell, "y") + num(cell, "height"));
      // The link names the area and its figures, for tooltips and screen readers.
      expect(textOf(one(byTag(link, "title"), "a title"))).toContain(expected.label);
      expect(textOf(link)).toContain(expected.label.split(" ")[0]);
    }
    // Impact 5 is at the top: a higher impact means a smaller y.
    const banking = byClass(root, "risk-matrix__marker").find((m) => m.parent?.attrs.href?.endsWith("banking_trojans"))!;
    const botnets = byClass(root, "risk-matrix__marker").find((m) => m.parent?.attrs.href?.endsWith("botnets"))!;
    expect(num(banking, "cy")).toBeLessThan(num(botnets, "cy"));
    expect(num(banking, "cx")).toBeGreaterThan(num(botnets, "cx"));
  });

  it("numbers the markers by score, highest first, in the tab order too", () => {
    const ranks = byClass(root, "risk-matrix__area").map((a) => ({
      href: a.attrs.href,
      rank: textOf(byClass(a, "risk-matrix__marker-number")[0]!),
    }));
    const expected = [...PLACED].sort((a, b) => b.score - a.score).map((a, index) => ({ href: a.href, rank: String(index + 1) }));
    expect(ranks).toEqual(expected);
  });

  it("shades the 25 cells in bands, named in each cell and in a legend, with ink readable on every band", () => {
    const { cells } = matrixScale(root);
    for (const cell of cells) {
      const product = Number(cell.attrs["data-impact"]) * Number(cell.attrs["data-likelihood"]);
      const band = RISK_BANDS.find((b) => product >= b.from && product <= b.to)!;
      expect(cell.attrs["data-band"]).toBe(band.key);
      expect(cell.attrs.fill).toBe(band.fill);
      const tag = one(byClass(cell.parent!, "risk-matrix__band-tag"), "the band's name in the cell");
      expect(textOf(tag)).toBe(band.label.toLowerCase());
    }
    expect(cells[0]!.attrs["data-band"]).not.toBe(cells[24]!.attrs["data-band"]);
    const legend = one(byClass(root, "chart-legend"), "a legend");
    expect(textOf(legend)).toMatch(/Very high.*High.*Medium.*Low/);
    for (const band of ["low", "medium", "high", "very high"]) expect(textOf(legend).toLowerCase()).toContain(band);
    const ink = token("--color-ink");
    for (const band of RISK_BANDS) expect(contrast(ink, band.fill), `ink on ${band.key}`).toBeGreaterThanOrEqual(4.5);
    // Lighter to darker, so that the bands differ in greyscale too.
    const lightness = RISK_BANDS.map((band) => luminance(band.fill));
    expect([...lightness].sort((a, b) => b - a)).toEqual(lightness);
    expect(Math.min(...lightness.slice(1).map((l, i) => lightness[i]! - l))).toBeGreaterThan(0.05);
  });

  it("has axis titles and tick labels 1 to 5 with their words", () => {
    const ticks = (axis: string) => byClass(root, `chart__tick--${axis}`).map(textOf);
    expect(ticks("x")).toEqual(["1 Remote", "2 Unlikely", "3 Roughly even chance", "4 Likely", "5 Almost certain"]);
    expect(ticks("y")).toEqual(["1 Minimal", "2 Minor", "3 Moderate", "4 Major", "5 Severe"]);
    const titles = byClass(root, "chart__axis-title").map(textOf);
    expect(titles).toEqual(["Likelihood", "Impact"]);
    // Each tick sits at the middle of its column / row.
    const scale = matrixScale(root);
    for (const tick of byClass(root, "chart__tick--x")) expect(num(tick, "x")).toBeCloseTo(scale.x(Number(tick.attrs["data-value"])), 1);
  });

  it("describes the highest-scoring area in words", () => {
    const { desc } = expectAccessibleFigure(root, "Crime areas by likelihood and impact");
    expect(desc).toContain("Banking trojans is highest: impact 4.2, likelihood 3.9 (very likely), score 14.3");
    expect(desc).toContain("Very high band: Banking trojans and Online fraud.");
    // Labels with an "and" of their own are listed with semicolons.
    expect(desc).toContain("Medium band: Underground forums and marketplaces; High-profile offenders and networks.");
    expect(desc).toContain("No accepted input: Malware coding and Malware testing (counter-antivirus).");
  });

  it("lists the areas without figures under the chart, as no accepted input, and draws no marker for them", () => {
    const missing = one(byClass(root, "chart__missing"), "the list of areas without figures");
    expect(textOf(missing)).toMatch(/no accepted input/i);
    expect(byTag(missing, "a").map((a) => [textOf(a), a.attrs.href])).toEqual([
      ["Malware coding", "/assessment/areas/malware_coding"],
      ["Malware testing (counter-antivirus)", "/assessment/areas/malware_testing"],
    ]);
    const svg = one(byClass(root, "risk-matrix__svg"), "the matrix");
    expect(all(svg, (el) => el.attrs.href === "/assessment/areas/malware_coding")).toEqual([]);
  });

  it("has every area in the table, with its figures and a link", () => {
    const { figure } = expectAccessibleFigure(root, "Crime areas by likelihood and impact");
    const { rows } = figuresTable(figure);
    expect(rows).toHaveLength(AREAS.length);
    for (const expected of AREAS) {
      const row = one(
        rows.filter((r) => byTag(r.header, "a")[0]?.attrs.href === expected.href),
        `${expected.label}'s row`,
      );
      expect(textOf(row.header)).toBe(expected.label);
      const cells = Object.fromEntries(row.columns.map((column, index) => [column, row.cells[index]]));
      if (expected.impact === null || expected.likelihood === null) {
        expect(row.cells.join(" ")).toContain("No accepted input");
      } else {
        expect(cells["Impact (1–5)"]).toBe(expected.impact.toFixed(1));
        expect(cells["Likelihood (1–5)"]).toBe(`${expected.likelihood.toFixed(1)} (${expected.likelihoodWords})`);
        expect(cells["Score"]).toBe(expected.score.toFixed(1));
      }
    }
    // Highest score first, as numbered on the markers.
    expect(rows[0]!.cells.slice(0, 2)).toEqual(["1", "Banking trojans"]);
  });

  it("keeps crowded labels apart, off the markers, inside the matrix, and tied to their markers", () => {
    // Six areas within a few tenths of each other, and two with the very same figures.
    const crowd: MatrixArea[] = [
      area("a", "Intrusion and ransomware", 4.4, 4.1, 15.3, "very likely"),
      area("b", "Banking trojans", 4.2, 3.9, 14.3, "very likely"),
      area("c", "Online fraud", 4.3, 4.2, 14.0, "very likely"),
      area("d", "Crime-as-a-service", 4.1, 4.0, 13.1, "very likely"),
      area("e", "Malware distribution", 4.2, 4.3, 12.9, "very likely"),
      area("f", "Botnets", 4.2, 3.9, 11.0, "very likely"),
      area("g", "Underground forums and marketplaces", 3.05, 3.45, 8.9, "likely"),
      area("h", "High-profile offenders and networks", 3.9, 2.1, 7.0, "unlikely"),
      area("i", "Malware coding", 2.6, 2.4, 5.3, "unlikely"),
      area("j", "Malware testing (counter-antivirus)", 2.5, 2.5, 5.0, "roughly even chance"),
    ];
    const { root: crowded } = render(<RiskMatrix areas={crowd} title="Crowded" id="crowded" />);
    const boxes = labelBoxes(crowded);
    expect(boxes).toHaveLength(crowd.length);
    const markers = byClass(crowded, "risk-matrix__marker").map((m) => ({
      x: num(m, "cx") - num(m, "r"),
      y: num(m, "cy") - num(m, "r"),
      w: 2 * num(m, "r"),
      h: 2 * num(m, "r"),
    }));
    const { cells } = matrixScale(crowded);
    const plot = {
      left: Math.min(...cells.map((c) => num(c, "x"))),
      top: Math.min(...cells.map((c) => num(c, "y"))),
      bottom: Math.max(...cells.map((c) => num(c, "y") + num(c, "height"))),
    };
    const width = Number(one(byClass(crowded, "risk-matrix__svg"), "svg").attrs.viewBox!.split(" ")[2]);
    boxes.forEach((box, i) => {
      boxes.slice(i + 1).forEach((other) => expect(boxesOverlap(box, other), `${box.text} / ${other.text}`).toBe(false));
      markers.forEach((marker) => expect(boxesOverlap(box, marker), `${box.text} over a marker`).toBe(false));
      expect(box.x).toBeGreaterThanOrEqual(plot.left);
      expect(box.x + box.w).toBeLessThanOrEqual(width);
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.h).toBeLessThanOrEqual(plot.bottom);
      // Beside its marker, or joined to it by a leader line from the marker's edge to the label.
      const link = box.label.parent!;
      const marker = one(byClass(link, "risk-matrix__marker"), "the label's marker");
      const [cx, cy, r] = [num(marker, "cx"), num(marker, "cy"), num(marker, "r")];
      const gapTo = (x: number, y: number) =>
        Math.hypot(Math.max(box.x - x, 0, x - box.x - box.w), Math.max(box.y - 1.5 - y, 0, y - box.y - box.h - 1.5));
      const leader = byClass(crowded, "risk-matrix__leader").find(
        (line) => line.attrs["data-crime-area"] === link.attrs["data-crime-area"],
      );
      if (leader) {
        expect(Math.hypot(num(leader, "x1") - cx, num(leader, "y1") - cy)).toBeCloseTo(r, 0);
        expect(gapTo(num(leader, "x2"), num(leader, "y2"))).toBeLessThan(3);
      } else {
        expect(gapTo(cx, cy)).toBeLessThan(r + 8);
      }
    });
    // The two areas with the same figures share a position: not snapped apart.
    const at = (href: string) => byClass(crowded, "risk-matrix__area").find((a) => a.attrs.href === href)!;
    const [b, f] = [at("/assessment/areas/b"), at("/assessment/areas/f")].map((a) => byClass(a, "risk-matrix__marker")[0]!);
    expect([b!.attrs.cx, b!.attrs.cy]).toEqual([f!.attrs.cx, f!.attrs.cy]);
  });

  it("renders the same markup every time and whatever the order of the areas", () => {
    const again = renderToStaticMarkup(<RiskMatrix areas={AREAS} title="Crime areas by likelihood and impact" id="matrix-2025" />);
    const reversed = renderToStaticMarkup(
      <RiskMatrix areas={[...AREAS].reverse()} title="Crime areas by likelihood and impact" id="matrix-2025" />,
    );
    expect(again).toBe(html);
    expect(reversed).toBe(html);
  });

  it("says so when no area has figures", () => {
    const { root: empty } = render(<RiskMatrix areas={AREAS.filter((a) => a.impact === null)} title="Empty" id="empty" />);
    const { desc } = expectAccessibleFigure(empty, "Empty");
    expect(desc).toMatch(/No crime area has accepted input/);
    expect(byClass(empty, "risk-matrix__marker")).toEqual([]);
    expect(figuresTable(one(byTag(empty, "figure"), "figure")).rows).toHaveLength(2);
  });
});

/* ---------- Trend lines ---------- */

const EDITIONS = [
  { id: 11, title: "Spring 2023" },
  { id: 12, title: "Autumn 2023" },
  { id: 13, title: "Spring 2024" },
  { id: 14, title: "Autumn 2024 interim assessment (revised)" },
  { id: 15, title: "Spring 2025" },
];
const SERIES: TrendSeries[] = [
  { crimeArea: "banking_trojans", label: "Banking trojans", href: "/a/banking_trojans", points: [10.2, 11.4, 12.8, 13.9, 14.3] },
  { crimeArea: "botnets", label: "Botnets", href: "/a/botnets", points: [8, 7.5, null, 6.1, 5.9] },
  { crimeArea: "online_fraud", label: "Online fraud", href: "/a/online_fraud", points: [3, null, 5, 6, null] },
  { crimeArea: "malware_coding", label: "Malware coding", points: [null, null, null, null, 2] },
];

/** The chart's scale as it draws it: the tick under each edition, the 0 and top gridlines. */
function trendScale(root: El) {
  const ticks = byClass(root, "chart__tick--x");
  const grid = byClass(root, "chart__grid");
  const values = grid.map((line) => Number(line.attrs["data-value"]));
  const zero = grid[values.indexOf(0)]!;
  const top = grid[values.indexOf(Math.max(...values))]!;
  const max = Math.max(...values);
  return {
    ticks,
    max,
    values,
    x: (index: number) => num(ticks[index]!, "x"),
    y: (value: number) => num(zero, "y1") + (value / max) * (num(top, "y1") - num(zero, "y1")),
  };
}
const seriesGroups = (root: El) => byClass(root, "trend-lines__series");
const polylinePoints = (line: El) => line.attrs.points!.split(" ").map((pair) => pair.split(",").map(Number) as [number, number]);

describe("TrendLines", () => {
  const { html, root } = render(<TrendLines editions={EDITIONS} series={SERIES} title="Final score by edition" id="trend" />);

  it("is a figure with a caption, and an image named by its title and description", () => {
    const { desc } = expectAccessibleFigure(root, "Final score by edition");
    expect(desc).toContain("In Spring 2025, Banking trojans is highest at 14.3");
    expect(desc).toContain("from Spring 2023 to Spring 2025");
    expect(desc).toContain("No figure in some editions: Botnets, Online fraud and Malware coding.");
  });

  it("runs from 0 to 25 unless told, with a gridline per step", () => {
    const scale = trendScale(root);
    expect(scale.values).toEqual([0, 5, 10, 15, 20, 25]);
    expect(byClass(root, "chart__tick--y").map(textOf)).toEqual(["0", "5", "10", "15", "20", "25"]);
    const { root: ten } = render(<TrendLines editions={EDITIONS} series={SERIES.slice(1)} title="t" id="ten" max={10} />);
    expect(trendScale(ten).max).toBe(10);
  });

  it("puts each figure at its edition (x) and score (y), editions in order", () => {
    const scale = trendScale(root);
    expect(scale.ticks.map((tick) => num(tick, "x"))).toEqual([...scale.ticks.map((tick) => num(tick, "x"))].sort((a, b) => a - b));
    seriesGroups(root).forEach((group, index) => {
      const points = SERIES[index]!.points.flatMap((value, edition) => (value === null ? [] : [{ value, edition }]));
      const markers = byClass(group, "trend-lines__marker").map(translateOf);
      expect(markers).toHaveLength(points.length);
      points.forEach((point, i) => {
        expect(markers[i]!.x).toBeCloseTo(scale.x(point.edition), 1);
        expect(markers[i]!.y).toBeCloseTo(scale.y(point.value), 1);
      });
      // The lines run through the same points.
      const drawn = byTag(group, "polyline").flatMap(polylinePoints);
      for (const [x, y] of drawn) expect(markers.some((m) => Math.abs(m.x - x) < 0.05 && Math.abs(m.y - y) < 0.05)).toBe(true);
    });
  });

  it("breaks a line where a figure is missing", () => {
    const [banking, botnets, fraud, coding] = seriesGroups(root).map((group) => byTag(group, "polyline").map(polylinePoints));
    expect(banking!.map((line) => line.length)).toEqual([5]);
    expect(botnets!.map((line) => line.length)).toEqual([2, 2]); // 8, 7.5 | gap | 6.1, 5.9
    expect(fraud!.map((line) => line.length)).toEqual([2]); // 3 alone | gap | 5, 6 | gap
    expect(coding).toEqual([]); // a single figure: its marker only
    const scale = trendScale(root);
    const [before, after] = botnets!;
    expect(before!.at(-1)![0]).toBeCloseTo(scale.x(1), 1);
    expect(after![0]![0]).toBeCloseTo(scale.x(3), 1);
  });

  it("shows markers only, no lines, for a single edition", () => {
    const { root: single } = render(
      <TrendLines
        editions={EDITIONS.slice(0, 1)}
        series={SERIES.map((s) => ({ ...s, points: s.points.slice(0, 1) }))}
        title="One"
        id="one"
      />,
    );
    expect(byTag(single, "polyline")).toEqual([]);
    const markers = seriesGroups(single).flatMap((group) => byClass(group, "trend-lines__marker"));
    expect(markers).toHaveLength(3);
    const scale = trendScale(single);
    for (const marker of markers) expect(translateOf(marker).x).toBeCloseTo(scale.x(0), 1);
  });

  it("tells series apart by marker shape and dash pattern, not by colour alone", () => {
    const many: TrendSeries[] = Array.from({ length: 10 }, (_, i) => ({ crimeArea: `area${i}`, label: `Area ${i}`, points: [i, i + 1] }));
    const { root: ten } = render(<TrendLines editions={EDITIONS.slice(0, 2)} series={many} title="Ten" id="ten" />);
    const looks = seriesGroups(ten).map((group) => {
      const marker = byClass(group, "trend-lines__marker")[0]!;
      const line = byTag(group, "polyline")[0]!;
      return {
        // The shape without its colour: the outline and whether it is filled or hollow.
        shape: `${marker.attrs.d} ${marker.attrs.fill === "#ffffff" ? "hollow" : "filled"}`,
        dash: line.attrs["stroke-dasharray"] ?? "solid",
        colour: line.attrs.stroke!,
      };
    });
    expect(new Set(looks.map((look) => look.shape)).size).toBe(10);
    expect(new Set(looks.slice(0, 5).map((look) => look.dash)).size).toBe(5);
    expect(new Set(looks.map((look) => `${look.shape} ${look.dash} ${look.colour}`)).size).toBe(10);
    // Lines and markers stand out against the white page (WCAG 1.4.11: 3:1).
    for (const colour of SERIES_COLOURS) expect(contrast(colour, "#ffffff"), colour).toBeGreaterThanOrEqual(3);
    // The legend shows each series' own line and marker.
    const legend = one(byClass(ten, "chart-legend"), "a legend");
    const keys = byTag(legend, "li");
    expect(keys.map(textOf)).toEqual(many.map((s) => s.label));
    keys.forEach((key, i) => {
      const marker = one(byClass(key, "trend-lines__marker"), "the key's marker");
      expect(`${marker.attrs.d} ${marker.attrs.fill === "#ffffff" ? "hollow" : "filled"}`).toBe(looks[i]!.shape);
      expect(one(byTag(key, "line"), "the key's line").attrs["stroke-dasharray"] ?? "solid").toBe(looks[i]!.dash);
    });
  });

  it("shortens a long edition title under its tick, keeping the full title as a tooltip", () => {
    const { root: six } = render(
      <TrendLines editions={[...EDITIONS, { id: 16, title: "Autumn 2025" }]} series={SERIES} title="Six" id="six" />,
    );
    const tick = byClass(six, "chart__tick--x")[3]!;
    expect(textOf(one(byTag(tick, "title"), "a tooltip"))).toBe("Autumn 2024 interim assessment (revised)");
    const shown = byTag(tick, "tspan").map(textOf).join(" ");
    expect(shown.endsWith("…")).toBe(true);
    expect(shown.length).toBeLessThan(EDITIONS[3]!.title.length);
    // A title that fits has no tooltip.
    expect(byTag(byClass(six, "chart__tick--x")[0]!, "title")).toEqual([]);
  });

  it("has every series in the table, with a figure or 'no figure' per edition, and its link", () => {
    const { figure } = expectAccessibleFigure(root, "Final score by edition");
    const { rows } = figuresTable(figure);
    expect(rows[0]!.columns).toEqual(["Crime area", ...EDITIONS.map((e) => e.title)]);
    expect(rows).toHaveLength(SERIES.length);
    rows.forEach((row, i) => {
      const series = SERIES[i]!;
      expect(textOf(row.header)).toBe(series.label);
      const link = byTag(row.header, "a")[0];
      expect(link?.attrs.href).toBe(series.href);
      expect(row.cells.slice(1)).toEqual(series.points.map((value) => (value === null ? "– no figure" : value.toFixed(1))));
    });
  });

  it("renders the same markup every time", () => {
    expect(renderToStaticMarkup(<TrendLines editions={EDITIONS} series={SERIES} title="Final score by edition" id="trend" />)).toBe(html);
  });
});

/* ---------- Both ---------- */

describe("charts on one page", () => {
  const { html, root } = render(
    <main>
      <RiskMatrix areas={AREAS} title="Matrix" id="matrix-a" />
      <RiskMatrix areas={AREAS} title="Matrix" id="matrix-b" />
      <TrendLines editions={EDITIONS} series={SERIES} title="Trend" id="trend-a" />
      <TrendLines editions={EDITIONS} series={SERIES} title="Trend" id="trend-b" />
    </main>,
  );

  it("derive their ids from the chart's id, so that two charts never clash", () => {
    const ids = all(root, (el) => el.attrs.id !== undefined).map((el) => el.attrs.id!);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    expect(new Set(ids).size).toBe(ids.length);
    for (const figure of byTag(root, "figure")) {
      const own = new Set(all(figure, (el) => el.attrs.id !== undefined).map((el) => el.attrs.id));
      for (const el of all(figure, (e) => e.attrs["aria-labelledby"] !== undefined)) {
        for (const id of el.attrs["aria-labelledby"]!.split(/\s+/)) expect(own.has(id), `${id} is in its own figure`).toBe(true);
      }
    }
  });

  it("use no style attribute nor style element, which the portal's CSP would refuse", () => {
    const styleSrc = contentSecurityPolicy("nonce")
      .split(";")
      .map((part) => part.trim())
      .find((part) => part.startsWith("style-src"));
    expect(styleSrc).toBe("style-src 'self'"); // no 'unsafe-inline': style="" is refused
    expect(html).not.toMatch(/\sstyle=/);
    expect(byTag(root, "style")).toEqual([]);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
