/**
 * A histogram as a standalone SVG (for static HTML reports).
 *
 * @module
 */
import { escapeHtml } from "./format.ts";
import { label, num, PALETTE, svgOpen, ticks } from "./_svg.ts";

/** Options of {@link histogramSvg}. */
export interface HistogramSvgOptions {
  /** Title above the chart. */
  title?: string;
  /** Width in px. Default 560. */
  width?: number;
  /** Height in px. Default 220. */
  height?: number;
  /** X axis title. */
  xTitle?: string;
}

/**
 * Bars over pre-binned counts (`edges.length === counts.length + 1`, e.g. from `binValues`).
 *
 * @example
 * ```ts
 * import { binValues, histogramSvg } from "@evalkit/evalkit/report";
 * const { edges, counts } = binValues([3, 5, 5, 8, 13], { bins: 4 });
 * const svg = histogramSvg(edges, counts, { title: "latency", xTitle: "ms" });
 * if ((svg.match(/class="bar"/g) ?? []).length !== 4) throw new Error("unexpected");
 * ```
 */
export function histogramSvg(
  edges: readonly number[],
  counts: readonly number[],
  options: HistogramSvgOptions = {},
): string {
  if (edges.length !== counts.length + 1) {
    throw new RangeError(`Expected ${counts.length + 1} edges but found ${edges.length}`);
  }
  const width = options.width ?? 560, height = options.height ?? 220;
  const top = options.title ? 28 : 10, left = 48, right = width - 16, bottom = height - 34;
  const lo = edges[0] ?? 0, hi = edges.at(-1) ?? 1;
  const maxCount = Math.max(...counts, 0) || 1; // shares (< 1) keep their own scale
  const sx = (v: number) => left + ((v - lo) / (hi - lo || 1)) * (right - left);
  const sy = (v: number) => bottom - (v / maxCount) * (bottom - top);
  const out = svgOpen(width, height, options.title);
  for (const t of ticks(0, maxCount, 4)) {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${num(sy(t))}" y2="${num(sy(t))}" stroke="#eee"/>`,
      `<text x="${left - 4}" y="${num(sy(t) + 4)}" text-anchor="end" fill="#555">${
        label(t)
      }</text>`,
    );
  }
  counts.forEach((c, i) => {
    const a = sx(edges[i]!), b = sx(edges[i + 1]!);
    out.push(
      `<rect class="bar" x="${num(a + 0.5)}" y="${num(sy(c))}" width="${
        num(Math.max(1, b - a - 1))
      }" height="${num(bottom - sy(c))}" fill="${PALETTE[0]}"><title>[${label(edges[i]!)}, ${
        label(edges[i + 1]!)
      }): ${c}</title></rect>`,
    );
  });
  for (const t of ticks(lo, hi, 6)) {
    out.push(
      `<text x="${num(sx(t))}" y="${bottom + 14}" text-anchor="middle" fill="#555">${
        label(t)
      }</text>`,
    );
  }
  out.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`);
  if (options.xTitle) {
    out.push(
      `<text x="${(left + right) / 2}" y="${height - 4}" text-anchor="middle">${
        escapeHtml(options.xTitle)
      }</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}
