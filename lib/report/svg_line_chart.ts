/**
 * A line chart as a standalone SVG (for static HTML reports).
 *
 * @module
 */
import { escapeHtml } from "./format.ts";
import { label, num, PALETTE, svgOpen, ticks } from "./_svg.ts";

/** Options of {@link lineChartSvg}. */
export interface LineChartSvgOptions {
  /** Title above the chart. */
  title?: string;
  /** Width in px. Default 560. */
  width?: number;
  /** Height in px. Default 240. */
  height?: number;
  /** X axis title. */
  xTitle?: string;
}

/**
 * One polyline (with point markers) per series of `{ x, y }` points, axes with round ticks
 * and a legend when there are several series.
 *
 * @example
 * ```ts
 * import { lineChartSvg } from "@evalkit/evalkit/report";
 * const svg = lineChartSvg({ loss: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }] }, { title: "loss", xTitle: "step" });
 * if (!svg.includes("<polyline")) throw new Error("unexpected");
 * ```
 */
export function lineChartSvg(
  series: Record<string, readonly { x: number; y: number }[]>,
  options: LineChartSvgOptions = {},
): string {
  const width = options.width ?? 560, height = options.height ?? 240;
  const names = Object.keys(series);
  const pts = names.flatMap((n) => series[n]!.filter((p) => isFinite(p.x) && isFinite(p.y)));
  const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (pts.length === 0) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  // Extend the value axis to round ticks so the top and bottom lines are labelled.
  const yt = ticks(y0, y1, 4);
  if (yt.length >= 2) {
    const step = yt[1]! - yt[0]!;
    if (yt[0]! > y0) y0 = yt[0]! - step;
    else y0 = Math.min(y0, yt[0]!);
    if (yt.at(-1)! < y1) y1 = yt.at(-1)! + step;
  }
  const top = options.title ? 28 : 10, left = 56, right = width - (names.length > 1 ? 130 : 16);
  const bottom = height - 34;
  const sx = (v: number) => left + ((v - x0) / (x1 - x0)) * (right - left);
  const sy = (v: number) => bottom - ((v - y0) / (y1 - y0)) * (bottom - top);
  const out = svgOpen(width, height, options.title);
  for (const t of ticks(y0, y1, 4)) {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${num(sy(t))}" y2="${num(sy(t))}" stroke="#eee"/>`,
      `<text x="${left - 4}" y="${num(sy(t) + 4)}" text-anchor="end" fill="#555">${
        label(t)
      }</text>`,
    );
  }
  for (const t of ticks(x0, x1, 6)) {
    out.push(
      `<text x="${num(sx(t))}" y="${bottom + 14}" text-anchor="middle" fill="#555">${
        label(t)
      }</text>`,
    );
  }
  out.push(
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#888"/>`,
  );
  if (options.xTitle) {
    out.push(
      `<text x="${(left + right) / 2}" y="${height - 4}" text-anchor="middle">${
        escapeHtml(options.xTitle)
      }</text>`,
    );
  }
  names.forEach((name, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const ps = series[name]!.filter((p) => isFinite(p.x) && isFinite(p.y));
    out.push(
      `<polyline class="line" fill="none" stroke="${color}" stroke-width="2" points="${
        ps.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(" ")
      }"/>`,
      ...ps.map((p) =>
        `<circle cx="${num(sx(p.x))}" cy="${num(sy(p.y))}" r="2.5" fill="${color}"><title>${
          escapeHtml(name)
        } @ ${label(p.x)}: ${label(p.y)}</title></circle>`
      ),
    );
    if (names.length > 1) {
      const ly = top + 6 + i * 16;
      out.push(
        `<rect x="${right + 10}" y="${ly - 8}" width="10" height="10" fill="${color}"/>`,
        `<text x="${right + 24}" y="${ly + 1}">${escapeHtml(name)}</text>`,
      );
    }
  });
  out.push("</svg>");
  return out.join("\n");
}
