/**
 * Notebook helpers (the `@evalkit/evalkit/notebook` export): live progress updated in place,
 * explicit display, rich views of evaluations, runtime metrics, datasets, danfojs frames and
 * run comparisons, run tags and run lookup. Only this entry point touches `Deno.jupyter`,
 * always guarded: outside `deno jupyter` every helper is inert. Library modules never import
 * it.
 *
 * @example
 * ```ts
 * import { compareRuns, notebookProgress, show } from "@evalkit/evalkit/notebook";
 * const progress = notebookProgress();
 * progress({ done: 1, total: 1, errors: 0, rowsPerSecond: 1, elapsedMs: 1 });
 * await show(compareRuns([{ id: "a", metrics: { f1_score: 0.9 } }])); // inert outside a notebook
 * ```
 *
 * @module
 */
export { notebookProgress } from "./notebook_progress.ts";
export type {
  NotebookProgress,
  NotebookProgressOptions,
  ProgressLike,
} from "./notebook_progress.ts";
export { show } from "./notebook_show.ts";
export { notebookTags } from "./notebook_tags.ts";
export { evalView } from "../report/eval_view.ts";
export type { EvalResultLike, EvalViewOptions } from "../report/eval_view.ts";
export { metricsView } from "../report/metrics_view.ts";
export type { MetricsSummaryLike } from "../report/metrics_view.ts";
export { frameView } from "../report/frame_view.ts";
export type { FrameLike } from "../report/frame_view.ts";
export { findRuns } from "./find_runs.ts";
export type { FindRunsOptions, FoundRun } from "./find_runs.ts";
export { compareRuns, RunComparison } from "../report/run_comparison.ts";
export type { ComparedRun, CompareRunsOptions, RunLike } from "../report/run_comparison.ts";
export { DatasetView, datasetView } from "../report/dataset_view.ts";
export type { DatasetViewOptions, DatasetViewSource } from "../report/dataset_view.ts";
export { Displayable, displayable } from "../report/displayable.ts";
export type { ColumnStats } from "../report/describe_columns.ts";
export type { VegaLiteSpec } from "../report/vega_lite.ts";
