// Private helpers of the SVG chart builders: number ticks and an SVG envelope.
import { escapeHtml, formatValue } from "./format.ts";

export const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2"];

/** About `count` round ticks covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Number(t.toPrecision(12)));
  }
  return out;
}

export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export function label(v: number): string {
  return escapeHtml(formatValue(v));
}

export function svgOpen(width: number, height: number, title: string | undefined): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="evalkit-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...(title
      ? [
        `<title>${escapeHtml(title)}</title>`,
        `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${
          escapeHtml(title)
        }</text>`,
      ]
      : []),
  ];
}
