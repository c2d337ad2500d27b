/**
 * Formatting of cell values for tables.
 *
 * @module
 */

/**
 * Formats a cell for humans: integers as is, other numbers to 4 significant digits (no
 * exponent for ordinary magnitudes), `null`/`undefined` as an empty string, objects as JSON.
 *
 * @example
 * ```ts
 * import { formatValue } from "@evalkit/evalkit/report";
 * if (formatValue(0.912345678) !== "0.9123") throw new Error("unexpected");
 * if (formatValue(1200) !== "1200") throw new Error("unexpected");
 * ```
 */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    if (abs >= 1e-4 && abs < 1e15) {
      const s = abs >= 1000 ? value.toFixed(1) : value.toPrecision(4);
      return String(Number(s));
    }
    return value.toExponential(3);
  }
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value);
}

/**
 * Escapes `& < > " '` for HTML text and attribute values.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "@evalkit/evalkit/report";
 * if (escapeHtml("<b>&") !== "&lt;b&gt;&amp;") throw new Error("unexpected");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  );
}
