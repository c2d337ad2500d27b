/**
 * HTML and Markdown tables from plain columns and rows.
 *
 * @module
 */
import { escapeHtml, formatValue } from "./format.ts";

/** Options of {@link htmlTable} and {@link markdownTable}. */
export interface TableOptions {
  /** Show at most this many rows, then a "… N more rows" line. Default all. */
  maxRows?: number;
  /** A caption (HTML) or a bold first line (Markdown). */
  caption?: string;
  /** Formats a cell. Default {@link formatValue}. */
  format?: (value: unknown, column: string) => string;
}

/**
 * An HTML `<table>` with escaped cells; numeric cells are right-aligned.
 *
 * @example
 * ```ts
 * import { htmlTable } from "@evalkit/evalkit/report";
 * const html = htmlTable(["metric", "value"], [["accuracy_score", 0.91]]);
 * if (!html.includes("<td>accuracy_score</td>")) throw new Error("unexpected");
 * ```
 */
export function htmlTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: TableOptions = {},
): string {
  const fmt = options.format ?? ((v: unknown) => formatValue(v));
  const shown = options.maxRows !== undefined ? rows.slice(0, options.maxRows) : rows;
  const out: string[] = ['<table class="evalkit-table">'];
  if (options.caption) out.push(`<caption>${escapeHtml(options.caption)}</caption>`);
  out.push(
    "<thead><tr>",
    ...columns.map((c) => `<th>${escapeHtml(c)}</th>`),
    "</tr></thead><tbody>",
  );
  for (const row of shown) {
    out.push("<tr>");
    columns.forEach((c, i) => {
      const v = row[i];
      const cell = escapeHtml(fmt(v, c));
      out.push(
        typeof v === "number" ? `<td style="text-align:right">${cell}</td>` : `<td>${cell}</td>`,
      );
    });
    out.push("</tr>");
  }
  out.push("</tbody></table>");
  if (shown.length < rows.length) out.push(`<p>… ${rows.length - shown.length} more rows</p>`);
  return out.join("");
}

function mdCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * A GitHub-flavoured Markdown table (pipes and newlines in cells escaped); numeric columns
 * are right-aligned.
 *
 * @example
 * ```ts
 * import { markdownTable } from "@evalkit/evalkit/report";
 * const md = markdownTable(["metric", "value"], [["f1_score", 0.5]]);
 * if (!md.startsWith("| metric | value |")) throw new Error("unexpected");
 * ```
 */
export function markdownTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: TableOptions = {},
): string {
  const fmt = options.format ?? ((v: unknown) => formatValue(v));
  const shown = options.maxRows !== undefined ? rows.slice(0, options.maxRows) : rows;
  const numeric = columns.map((_, i) =>
    shown.length > 0 &&
    shown.every((r) => typeof r[i] === "number" || r[i] === null || r[i] === undefined)
  );
  const lines: string[] = [];
  if (options.caption) lines.push(`**${mdCell(options.caption)}**`, "");
  lines.push(`| ${columns.map(mdCell).join(" | ")} |`);
  lines.push(`|${numeric.map((n) => (n ? " ---: " : " --- ")).join("|")}|`);
  for (const row of shown) {
    lines.push(`| ${columns.map((c, i) => mdCell(fmt(row[i], c))).join(" | ")} |`);
  }
  if (shown.length < rows.length) lines.push("", `… ${rows.length - shown.length} more rows`);
  return lines.join("\n");
}
