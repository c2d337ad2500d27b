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

/**
 * An upper bound of the rendered width in px of `text` in a sans-serif font of `fontSize` px
 * (`bold` adds 10%). Per-character advances are taken at or above those of the common
 * sans-serif faces (DejaVu Sans, Liberation Sans/Arial, Helvetica), so text laid out with this
 * width fits whichever of them the viewer picks.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (" ".includes(ch)) em += 0.34;
    else if ("il.,:;'|!()[]{}".includes(ch)) em += 0.4;
    else if ("fjrt-/".includes(ch)) em += 0.48;
    else if ("mwMW@%".includes(ch)) em += 1.0;
    else if (/[A-Z]/.test(ch)) em += 0.78;
    else if (/[0-9]/.test(ch)) em += 0.64;
    else if (/[a-z]/.test(ch)) em += 0.64;
    else em += 1.0; // anything else (symbols, other scripts): a full em
  }
  // + 2 px: glyphs such as j, w and _ overhang their advance by about a pixel.
  return Math.ceil(em * fontSize * (bold ? 1.1 : 1)) + 2;
}

/** `text` cut with an ellipsis so that {@link textWidth} stays within `maxWidth`. */
export function fitText(text: string, fontSize: number, maxWidth: number, bold = false): string {
  if (textWidth(text, fontSize, bold) <= maxWidth) return text;
  const chars = [...text];
  while (chars.length > 0 && textWidth(chars.join("") + "…", fontSize, bold) > maxWidth) {
    chars.pop();
  }
  return chars.join("") + "…";
}

export function svgOpen(width: number, height: number, title: string | undefined): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="evalkit-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...(title
      ? [
        `<title>${escapeHtml(title)}</title>`,
        `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${
          escapeHtml(fitText(title, 13, width - 8, true))
        }</text>`,
      ]
      : []),
  ];
}
