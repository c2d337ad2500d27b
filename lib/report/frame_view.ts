/**
 * HTML display of danfojs DataFrames and Series in Deno notebooks (the kernel renders only
 * Polars-like frames itself).
 *
 * @module
 */
import { displayBundle } from "./display_bundle.ts";
import { Displayable } from "./displayable.ts";
import { htmlTable, markdownTable } from "./tables.ts";

/** The parts of a danfojs `DataFrame` or `Series` read. */
export interface FrameLike {
  /** Cell values: rows of a frame, or the values of a series. */
  values: unknown;
  /** Column names (frames). */
  columns?: unknown;
  /** Row labels. */
  index?: unknown;
}

/**
 * A danfojs `DataFrame` or `Series` (e.g. `df.describe()`, a group-by count) as an HTML
 * table with its index, for `show()` in a notebook.
 *
 * @example
 * ```ts
 * import { frameView } from "@evalkit/evalkit/notebook";
 * const view = frameView({ columns: ["a", "b"], values: [[1, 2], [3, 4]], index: [0, 1] });
 * if (!String(view).includes("| 3 | 4 |")) throw new Error("unexpected");
 * ```
 */
export function frameView(
  frame: FrameLike,
  options: { maxRows?: number; caption?: string } = {},
): Displayable {
  const raw = Array.isArray(frame.values) ? frame.values as unknown[] : [];
  const isFrame = Array.isArray(frame.columns);
  const columns = isFrame ? (frame.columns as unknown[]).map(String) : ["value"];
  const rows = raw.map((r) => (isFrame && Array.isArray(r) ? r : [r]));
  const index = Array.isArray(frame.index) ? frame.index as unknown[] : rows.map((_, i) => i);
  const all = ["", ...columns];
  const data = rows.map((r, i) => [index[i] ?? i, ...r]);
  const tableOptions = {
    maxRows: options.maxRows ?? 50,
    ...(options.caption ? { caption: options.caption } : {}),
  };
  const md = markdownTable(all, data, tableOptions);
  return new Displayable(
    displayBundle({ text: md, html: htmlTable(all, data, tableOptions), markdown: md }),
  );
}
