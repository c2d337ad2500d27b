/**
 * Tags that mark the runs a notebook creates.
 *
 * @module
 */
import { readEnv } from "../_internal/env.ts";

/**
 * `{ "evalkit.notebook": name }`, plus `"evalkit.notebook_run": $EVALKIT_NOTEBOOK_RUN` when
 * that variable is set (CI sets a unique id per execution and finds the records by it).
 *
 * @example
 * ```ts
 * import { notebookTags } from "@evalkit/evalkit/notebook";
 * if (notebookTags("01_quickstart")["evalkit.notebook"] !== "01_quickstart") throw new Error("unexpected");
 * ```
 */
export function notebookTags(name: string): Record<string, string> {
  const run = readEnv("EVALKIT_NOTEBOOK_RUN");
  return { "evalkit.notebook": name, ...(run ? { "evalkit.notebook_run": run } : {}) };
}
