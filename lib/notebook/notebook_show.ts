/**
 * Explicit display in notebooks.
 *
 * @module
 */
import { jupyterKernel } from "./_kernel.ts";

/**
 * Displays each value in the current notebook cell — anything with
 * `[Symbol.for("Jupyter.display")]()`, objects (inspected), and strings as Markdown — then
 * waits a short moment so the outputs are flushed before the cell ends (headless runs
 * otherwise lose outputs now and then). Does nothing outside the Deno kernel. End cells
 * with it instead of relying on the last expression.
 *
 * @example
 * ```ts
 * import { show } from "@evalkit/evalkit/notebook";
 * await show("**not** in a notebook: nothing happens");
 * ```
 */
export async function show(...values: unknown[]): Promise<void> {
  const kernel = jupyterKernel();
  if (!kernel) return;
  for (const v of values) {
    if (typeof v === "string") {
      await kernel.display({ "text/plain": v, "text/markdown": v }, { raw: true });
    } else await kernel.display(v);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
