/**
 * Wraps a MIME bundle so the Deno Jupyter kernel displays it.
 *
 * @module
 */
import { specSvg } from "./_spec_svg.ts";

/**
 * An object the Deno Jupyter kernel displays through `Symbol.for("Jupyter.display")`.
 *
 * @example
 * ```ts
 * import { Displayable } from "@evalkit/evalkit/report";
 * const d = new Displayable({ "text/plain": "3 rows", "text/html": "<p>3 rows</p>" });
 * if (d.bundle()["text/html"] !== "<p>3 rows</p>" || String(d) !== "3 rows") throw new Error("bundle");
 * ```
 */
export class Displayable {
  #bundle: Record<string, unknown>;

  /** Wraps `bundle`; prefer {@link displayable}. */
  constructor(bundle: Record<string, unknown>) {
    // A Vega-Lite chart gets its SVG twin, so static viewers (nbconvert, GitHub) show it too.
    const spec = bundle["application/vnd.vegalite.v5+json"];
    const svg = spec !== undefined && !("image/svg+xml" in bundle) ? specSvg(spec) : undefined;
    this.#bundle = svg !== undefined ? { ...bundle, "image/svg+xml": svg } : bundle;
  }

  /** The MIME bundle (same as the Jupyter display method, typed). */
  bundle(): Record<string, unknown> {
    return this.#bundle;
  }

  /** The bundle's `text/plain`. */
  toString(): string {
    return String(this.#bundle["text/plain"] ?? "");
  }

  /** The MIME bundle. */
  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    return this.#bundle;
  }
}

/**
 * An object whose `[Symbol.for("Jupyter.display")]()` returns `bundle` (its `toString()` is
 * the bundle's `text/plain`). Use it to show an HTML table or a chart spec in a notebook.
 *
 * @example
 * ```ts
 * import { displayable } from "@evalkit/evalkit/report";
 * const d = displayable({ "text/plain": "hi", "text/html": "<b>hi</b>" });
 * if (String(d) !== "hi") throw new Error("unexpected");
 * ```
 */
export function displayable(bundle: Record<string, unknown>): Displayable {
  return new Displayable(bundle);
}
