/**
 * Jupyter display bundles: what `[Symbol.for("Jupyter.display")]()` returns.
 *
 * @module
 */
import type { VegaLiteSpec } from "./vega_lite.ts";

/** The parts of a display bundle. */
export interface DisplayParts {
  /** Plain text (always shown by terminals and as a fallback). */
  text: string;
  /** HTML. */
  html?: string;
  /** A Vega-Lite v5 chart. */
  vegaLite?: VegaLiteSpec;
  /** Markdown. */
  markdown?: string;
}

/**
 * Builds a MIME bundle (`text/plain`, `text/html`, `application/vnd.vegalite.v5+json`,
 * `text/markdown`) for the Deno Jupyter kernel, which calls `[Symbol.for("Jupyter.display")]()`
 * on a cell's value. Library code never touches `Deno.jupyter`.
 *
 * @example
 * ```ts
 * import { displayBundle } from "@evalkit/evalkit/report";
 * const b = displayBundle({ text: "ok", html: "<b>ok</b>" });
 * if (b["text/html"] !== "<b>ok</b>") throw new Error("unexpected");
 * ```
 */
export function displayBundle(parts: DisplayParts): Record<string, unknown> {
  const b: Record<string, unknown> = { "text/plain": parts.text };
  if (parts.html !== undefined) b["text/html"] = parts.html;
  if (parts.markdown !== undefined) b["text/markdown"] = parts.markdown;
  if (parts.vegaLite !== undefined) b["application/vnd.vegalite.v5+json"] = parts.vegaLite;
  return b;
}
