/**
 * A horizontal bar chart as a standalone SVG (for static HTML reports).
 *
 * @module
 */
import { escapeHtml } from "./format.ts";
import { fitText, label, num, PALETTE, svgOpen, textWidth, ticks } from "./_svg.ts";

/** Options of {@link barChartSvg}. */
export interface BarChartSvgOptions {
  /** Title above the chart. */
  title?: string;
  /** Width in px. Default 560. */
  width?: number;
  /** Upper end of the value axis. Default the largest value (at least 0). */
  max?: number;
  /** Bar colour. Default blue. */
  color?: string;
}

/**
 * One bar per `{ label, value }` (negative values extend left of zero), with the value
 * printed at the end of each bar and a value axis.
 *
 * @example
 * ```ts
 * import { barChartSvg } from "@evalkit/evalkit/report";
 * const svg = barChartSvg([{ label: "accuracy", value: 0.9 }], { title: "Scores", max: 1 });
 * if (!svg.startsWith("<svg") || !svg.includes("<rect class=\"bar\"")) throw new Error("unexpected");
 * ```
 */
export function barChartSvg(
  items: readonly { label: string; value: number }[],
  options: BarChartSvgOptions = {},
): string {
  const width = options.width ?? 560;
  const finite = items.filter((i) => Number.isFinite(i.value));
  const valueW = Math.max(30, ...items.map((i) => textWidth(label(i.value), 11) + 8));
  // Labels get what they need up to 240 px, but the plot keeps at least 80 px; longer labels
  // are cut with an ellipsis (the full label stays in the bar's tooltip).
  const labelW = Math.max(
    40,
    Math.min(
      240,
      width - valueW - 90,
      Math.max(60, ...items.map((i) => textWidth(i.label, 11) + 4)),
    ),
  );
  const top = options.title ? 28 : 8, bar = 18, gap = 6;
  const plotH = Math.max(1, items.length) * (bar + gap);
  const height = top + plotH + 30;
  const lo = Math.min(0, ...finite.map((i) => i.value));
  const hi = Math.max(options.max ?? 0, ...finite.map((i) => i.value), lo + 1e-12);
  const left = labelW + 10, right = width - valueW;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (right - left);
  const out = svgOpen(width, height, options.title);
  // As many ticks as fit side by side without their labels touching.
  const tickW = Math.max(...ticks(lo, hi).map((t) => textWidth(label(t), 11))) + 8;
  for (const t of ticks(lo, hi, Math.max(1, Math.min(5, Math.floor((right - left) / tickW))))) {
    out.push(
      `<line x1="${num(x(t))}" x2="${num(x(t))}" y1="${top}" y2="${top + plotH}" stroke="#eee"/>`,
      `<text x="${num(x(t))}" y="${top + plotH + 14}" text-anchor="middle" fill="#555">${
        label(t)
      }</text>`,
    );
  }
  items.forEach((item, i) => {
    const y = top + i * (bar + gap);
    const v = Number.isFinite(item.value) ? item.value : 0;
    const x0 = x(Math.min(0, v)), x1 = x(Math.max(0, v));
    out.push(
      `<text x="${labelW}" y="${y + bar / 2 + 4}" text-anchor="end">${
        escapeHtml(fitText(item.label, 11, labelW - 2))
      }</text>`,
      `<rect class="bar" x="${num(x0)}" y="${y}" width="${
        num(Math.max(1, x1 - x0))
      }" height="${bar}" fill="${options.color ?? PALETTE[0]}"><title>${escapeHtml(item.label)}: ${
        label(item.value)
      }</title></rect>`,
      `<text x="${num(x1 + 4)}" y="${y + bar / 2 + 4}" fill="#333">${label(item.value)}</text>`,
    );
  });
  out.push(
    `<line x1="${num(x(0))}" x2="${num(x(0))}" y1="${top}" y2="${top + plotH}" stroke="#888"/>`,
    "</svg>",
  );
  return out.join("\n");
}
