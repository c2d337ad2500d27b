/**
 * Jupyter display bundles: what `[Symbol.for("Jupyter.display")]()` returns.
 *
 * @module
 */
import type { VegaLiteSpec } from "./vega_lite.ts";
import { specSvg } from "./_spec_svg.ts";

/** The parts of a display bundle. */
export interface DisplayParts {
  /** Plain text (always shown by terminals and as a fallback). */
  text: string;
  /** HTML. */
  html?: string;
  /** A Vega-Lite v5 chart. */
  vegaLite?: VegaLiteSpec;
  /** The chart as SVG. Default: drawn from `vegaLite` by lib/report's SVG charts. */
  svg?: string;
  /** Markdown. */
  markdown?: string;
}

/**
 * Builds a MIME bundle for the Deno Jupyter kernel, which calls
 * `[Symbol.for("Jupyter.display")]()` on a cell's value. Library code never touches
 * `Deno.jupyter`.
 *
 * A chart is shown whichever representation a viewer picks: the bundle carries the chart as
 * `application/vnd.vegalite.v5+json` and as `image/svg+xml` (drawn by lib/report; static HTML
 * and GitHub show it), and when there is HTML too — which JupyterLab 4 ranks first (text/html
 * 50, markdown 60, Vega-Lite 57, SVG 80, PNG 90, plain text 120; the lowest wins) — the SVG is
 * inlined after the HTML, so the table and its chart show together.
 *
 * @example
 * ```ts
 * import { barChartSpec, displayBundle } from "@evalkit/evalkit/report";
 * const b = displayBundle({ text: "ok", html: "<b>ok</b>" });
 * if (b["text/html"] !== "<b>ok</b>") throw new Error("unexpected");
 * const c = displayBundle({ text: "f1", html: "<table></table>", vegaLite: barChartSpec([{ label: "f1", value: 0.9 }]) });
 * if (!String(c["image/svg+xml"]).startsWith("<svg") || !String(c["text/html"]).includes("<svg")) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function displayBundle(parts: DisplayParts): Record<string, unknown> {
  const b: Record<string, unknown> = { "text/plain": parts.text };
  const svg = parts.svg ?? (parts.vegaLite !== undefined ? specSvg(parts.vegaLite) : undefined);
  if (parts.html !== undefined) {
    b["text/html"] = svg !== undefined
      ? `${parts.html}\n<div class="evalkit-chart">${svg}</div>`
      : parts.html;
  }
  if (parts.markdown !== undefined) b["text/markdown"] = parts.markdown;
  if (parts.vegaLite !== undefined) b["application/vnd.vegalite.v5+json"] = parts.vegaLite;
  if (svg !== undefined) b["image/svg+xml"] = svg;
  return b;
}
