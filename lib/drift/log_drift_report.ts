/**
 * Logging a drift report into an MLflow run through a tracker RunHandle.
 *
 * @module
 */
import type { DriftReport } from "./drift_report.ts";

/** The part of `RunHandle` (lib/tracking) that drift logging uses. */
export interface DriftRunLike {
  /** Logs metrics. */
  logMetrics(metrics: Record<string, number>, options?: { step?: number }): unknown;
  /** Logs an artifact file. */
  logArtifact(path: string, content: Uint8Array | string): Promise<unknown> | unknown;
}

/** Options for {@linkcode logDriftReport}. */
export interface LogDriftReportOptions {
  /** Artifact folder (default "drift"). */
  artifactDir?: string;
  /** Metric step. */
  step?: number;
}

/**
 * Logs a drift report into a run: every metric of `report.toMetrics()`
 * (`drift/<feature>/<statistic>`, `drift/share`, …) and two artifacts,
 * `drift/drift_report.json` and `drift/drift_report.html`. Returns the artifact paths.
 *
 * @example
 * ```ts ignore
 * import { AgentTracker } from "@evalkit/evalkit/tracking";
 * import { logDriftReport, runDriftCheck } from "@evalkit/evalkit/drift";
 *
 * await using run = await new AgentTracker("loan_approval").startRun({ purpose: "evaluate" });
 * await logDriftReport(run, runDriftCheck({ reference, current }));
 * ```
 */
export async function logDriftReport(
  run: DriftRunLike,
  report: DriftReport,
  options: LogDriftReportOptions = {},
): Promise<{ json: string; html: string }> {
  const dir = options.artifactDir ?? "drift";
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
