/**
 * Logging a drift report into an MLflow run through a tracker RunHandle.
 *
 * @module
 */
import { type MlflowInputDataset, toMlflowDatasetInput } from "../datasets/mlflow_input.ts";
import type { DatasetInput } from "../mlflow/types.ts";
import type { DriftReport } from "./drift_report.ts";

/** The part of `RunHandle` (lib/tracking) that drift logging uses. */
export interface DriftRunLike {
  /** Logs metrics. */
  logMetrics(metrics: Record<string, number>, options?: { step?: number }): unknown;
  /** Logs an artifact file. */
  logArtifact(path: string, content: Uint8Array | string): Promise<unknown> | unknown;
  /** Records a dataset input (needed for {@link LogDriftReportOptions.reference}). */
  logInput?(input: DatasetInput): unknown;
}

/** Options for {@linkcode logDriftReport}. */
export interface LogDriftReportOptions {
  /** Artifact folder (default "drift"). */
  artifactDir?: string;
  /** Metric step. */
  step?: number;
  /**
   * The reference (baseline) dataset the drift was measured against (a lib/datasets `Dataset`
   * fits): recorded as a dataset input of the run with `mlflow.data.context` = `reference`, so
   * MLflow shows it beside the run's own dataset instead of only inside `drift_report.json`.
   */
  reference?: MlflowInputDataset;
}

/**
 * Logs a drift report into a run: every metric of `report.toMetrics()`
 * (`drift/<feature>/<statistic>`, `drift/share`, …), two artifacts,
 * `drift/drift_report.json` and `drift/drift_report.html`, and, given `reference`, the
 * reference dataset as a dataset input with context `reference`. Returns the artifact paths.
 *
 * @example
 * ```ts ignore
 * import { AgentTracker } from "@evalkit/evalkit/tracking";
 * import { logDriftReport, runDriftCheck } from "@evalkit/evalkit/drift";
 *
 * await using run = await new AgentTracker("loan_approval").startRun({ purpose: "evaluate" });
 * await logDriftReport(run, runDriftCheck({ reference, current }), { reference });
 * ```
 */
export async function logDriftReport(
  run: DriftRunLike,
  report: DriftReport,
  options: LogDriftReportOptions = {},
): Promise<{ json: string; html: string }> {
  const dir = options.artifactDir ?? "drift";
  if (options.reference) {
    if (!run.logInput) {
      throw new TypeError("Expected a run with logInput() to record the reference dataset");
    }
    await run.logInput(toMlflowDatasetInput(options.reference, { context: "reference" }));
  }
  await run.logMetrics(
    report.toMetrics(),
    options.step !== undefined ? { step: options.step } : {},
  );
  const json = `${dir}/drift_report.json`;
  const html = `${dir}/drift_report.html`;
  await run.logArtifact(json, JSON.stringify(report.toJSON(), null, 2));
  await run.logArtifact(html, report.toHtml());
  return { json, html };
}
