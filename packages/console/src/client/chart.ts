/**
 * A small line chart drawn as inline SVG (no library): a step or straight line through the points, the
 * first and last values labelled, and a text summary for screen readers (`role="img"` + `aria-label`).
 * @module
 */
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 140;
const PAD = 18;

/** One point: x is epoch ms (or an index), y the value. */
export interface Point {
  x: number;
  y: number;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/** A chart of `points` titled `label` with values formatted by `format`. */
export function lineChart(
  label: string,
  points: Point[],
  options: { format?: (value: number) => string; step?: boolean } = {},
): Element {
  const format = options.format ?? ((value: number) => value.toLocaleString("en-US"));
  if (points.length === 0) return h("p", { class: "muted" }, `${label}: no data yet.`);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => PAD + ((x - xMin) / (xMax - xMin || 1)) * (WIDTH - 2 * PAD);
  const sy = (y: number) => HEIGHT - PAD - ((y - yMin) / (yMax - yMin || 1)) * (HEIGHT - 2 * PAD);
  let path = "";
  points.forEach((p, index) => {
    if (index === 0) path += `M${sx(p.x)},${sy(p.y)}`;
    else if (options.step === true) path += ` H${sx(p.x)} V${sy(p.y)}`;
    else path += ` L${sx(p.x)},${sy(p.y)}`;
  });
  if (points.length === 1) path += ` H${WIDTH - PAD}`;
  const first = points[0] as Point;
  const last = points[points.length - 1] as Point;
  const summary = `${label}: ${points.length} points, from ${format(first.y)} to ${format(last.y)}; lowest ${format(yMin)}, highest ${format(yMax)}.`;
  const chart = svg("svg", {
    class: "chart",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": summary,
  });
  chart.setAttribute("preserveAspectRatio", "none");
  const title = svg("title", {});
  title.textContent = summary;
  chart.append(title, svg("path", { class: "line", d: path }));
  const high = svg("text", { class: "axis", x: 4, y: 12 });
  high.textContent = format(yMax);
  const low = svg("text", { class: "axis", x: 4, y: HEIGHT - 4 });
  low.textContent = format(yMin);
  chart.append(high, low);
  return h("figure", { class: "chart-figure" }, chart, h("figcaption", { class: "muted" }, label));
}
