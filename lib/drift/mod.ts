/**
 * Drift detection: per-feature data drift with exact two-sample statistics (KS,
 * chi-square, Jensen–Shannon, Wasserstein, PSI) and multiple-testing correction,
 * mergeable column summaries, performance drift, a `DriftReport` (text, HTML, JSON,
 * Vega-Lite, notebook display, MLflow metrics) and a webhook alert.
 *
 * @example
 * ```ts
 * import { detectDataDrift } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const report = detectDataDrift(
 *   { purpose: ["car", "home", "car", "home"] },
 *   { purpose: ["car", "home", "car", "home"] },
 * );
 * assert.equal(report.summary.driftDetected, false);
 * ```
 *
 * @module
 */
export { DEFAULT_THRESHOLDS, detectDataDrift } from "./data_drift.ts";
export type { ColumnDriftOptions, DataDriftOptions } from "./data_drift.ts";
export type {
  ChiSquareStatistic,
  DriftReportData,
  DriftSettings,
  DriftSummary,
  DriftTest,
  FeatureDistribution,
  FeatureDrift,
  JensenShannonStatistic,
  KsStatistic,
  PsiStatistic,
  WassersteinStatistic,
} from "./types.ts";
export { DriftReport } from "./drift_report.ts";
export {
  inferColumnKind,
  isMissing,
  isSummary,
  mergeSummaries,
  summarizeColumn,
  summarizeColumns,
  toColumns,
} from "./summaries.ts";
export type {
  CategoricalSummary,
  ColumnKind,
  ColumnSummary,
  DriftColumns,
  DriftData,
  HistogramSummary,
  NumericSummary,
} from "./summaries.ts";
export { detectPerformanceDrift } from "./performance_drift.ts";
export type {
  MetricDelta,
  PerformanceDriftOptions,
  PerformanceDriftResult,
} from "./performance_drift.ts";
export { runDriftCheck, summarizeDrift } from "./run_drift_check.ts";
export type { DriftDataset, DriftSchema, RunDriftCheckOptions } from "./run_drift_check.ts";
export { logDriftReport } from "./log_drift_report.ts";
export type { DriftRunLike, LogDriftReportOptions } from "./log_drift_report.ts";
export { driftAlertPayload, sendDriftAlert } from "./alert.ts";
export type { DriftAlertOptions, DriftAlertResult } from "./alert.ts";
