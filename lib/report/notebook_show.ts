/**
 * Explicit display in notebooks.
 *
 * @module
 */
import { jupyterKernel } from "./_kernel.ts";

/**
 * Displays each value in the current notebook cell (anything with
 * `[Symbol.for("Jupyter.display")]()`, strings, objects) and waits a short moment so the
 * outputs are flushed before the cell ends — headless runs otherwise lose outputs now and
 * then. Returns false and does nothing outside the Deno kernel. End cells with it instead of
 * relying on the last expression.
 *
 * @example
 * ```ts
 * import { show } from "@evalkit/evalkit/notebook";
 * const shown = await show("not in a notebook");
 * if (shown) throw new Error("unexpected");
 * ```
 */
export async function show(...values: unknown[]): Promise<boolean> {
  const kernel = jupyterKernel();
  if (!kernel) return false;
  for (const v of values) await kernel.display(v);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return true;
}
