/**
 * A confusion-matrix heatmap as a standalone SVG document (for artifacts and HTML reports).
 *
 * @module
 */
import { escapeHtml } from "./format.ts";
import { textWidth } from "./_svg.ts";

/** Options of {@link confusionMatrixSvg}. */
export interface ConfusionMatrixSvgOptions {
  /** Title above the chart. Default `Confusion matrix`. */
  title?: string;
  /** Colour by row-normalised share (as mlflow.evaluate) instead of counts. Default true. */
  normalize?: boolean;
  /** Cell size in px. Default 64. */
  cellSize?: number;
}

/**
 * Renders `matrix[trueIndex][predictedIndex]` as an SVG heatmap: rows are true labels, columns
 * predicted labels, each cell shows the count and its share of the row.
 *
 * @example
 * ```ts
 * import { confusionMatrixSvg } from "@evalkit/evalkit/report";
 * const svg = confusionMatrixSvg(["approve", "reject"], [[40, 2], [3, 55]]);
 * if (!svg.startsWith("<svg") || !svg.includes(">55<")) throw new Error("unexpected");
 * ```
 */
export function confusionMatrixSvg(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
  options: ConfusionMatrixSvgOptions = {},
): string {
  const n = labels.length;
  if (matrix.length !== n || matrix.some((r) => r.length !== n)) {
    throw new RangeError(`Expected a ${n}x${n} matrix for ${n} labels`);
  }
  const cell = options.cellSize ?? 64;
  const normalize = options.normalize ?? true;
  const title = options.title ?? "Confusion matrix";
  // Every text's extent is bounded with textWidth (conservative), so nothing is cut: the
  // row labels set the left margin, the 45° column labels the bottom and right margins, and
  // the title (centred over the whole image) the minimum width.
  const rowLabelW = Math.max(...labels.map((l) => textWidth(l, 12)), textWidth("True", 12));
  const left = 30 + rowLabelW + 6, top = 60;
  const diag = Math.SQRT1_2;
  const colLabelExtent = Math.max(...labels.map((l) => textWidth(l, 12) * diag + 12 * diag));
  const gridRight = left + n * cell;
  const lastColRight = left + (n - 1) * cell + cell / 2 + colLabelExtent;
  const titleW = textWidth(title, 14, true);
  const axisW = textWidth("Predicted label", 12);
  let width = Math.max(gridRight, lastColRight, left + (n * cell) / 2 + axisW / 2) + 12;
  width = Math.ceil(Math.max(width, titleW + 24));
  const height = Math.ceil(top + n * cell + 8 + colLabelExtent + 12);
  const max = Math.max(1, ...matrix.flat());
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${
      escapeHtml(title)
    }</text>`,
    `<text x="${left + (n * cell) / 2}" y="44" text-anchor="middle">Predicted label</text>`,
    `<text transform="translate(14 ${
      top + (n * cell) / 2
    }) rotate(-90)" text-anchor="middle">True label</text>`,
  ];
  for (let i = 0; i < n; i++) {
    const rowSum = matrix[i]!.reduce((a, b) => a + b, 0);
    for (let j = 0; j < n; j++) {
      const v = matrix[i]![j]!;
      const share = rowSum > 0 ? v / rowSum : 0;
      const t = normalize ? share : v / max;
      const r = Math.round(255 - t * (255 - 31)),
        g = Math.round(255 - t * (255 - 119)),
        b = Math.round(255 - t * (255 - 180));
      const x = left + j * cell, y = top + i * cell;
      const ink = t > 0.5 ? "#fff" : "#000";
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${r},${g},${b})" stroke="#ccc"><title>true ${
          escapeHtml(labels[i]!)
        }, predicted ${escapeHtml(labels[j]!)}: ${v}</title></rect>`,
        `<text x="${x + cell / 2}" y="${
          y + cell / 2 - 2
        }" text-anchor="middle" fill="${ink}" font-weight="bold">${v}</text>`,
        `<text x="${x + cell / 2}" y="${
          y + cell / 2 + 14
        }" text-anchor="middle" fill="${ink}" font-size="10">${(share * 100).toFixed(1)}%</text>`,
      );
    }
    parts.push(
      `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${
        escapeHtml(labels[i]!)
      }</text>`,
      `<text transform="translate(${left + i * cell + cell / 2} ${
        top + n * cell + 8
      }) rotate(45)" text-anchor="start">${escapeHtml(labels[i]!)}</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}
