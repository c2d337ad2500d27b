/**
 * Evaluation: {@link ModelEvaluator} runs an agent over a dataset and returns an
 * {@link EvalResult} — classification metrics named as `mlflow.models.evaluate` names them,
 * latency, errors by type, tokens and cost, mean/std/CI over repeated trials, a per-row
 * table — records it in MLflow, and checks quality gates against thresholds and a baseline.
 *
 * @example
 * ```ts
 * import { classificationMetrics, validateMetrics } from "@evalkit/evalkit/evaluation";
 * const { metrics } = classificationMetrics({ yTrue: ["approve", "reject"], yPred: ["approve", "approve"] });
 * const gate = validateMetrics(metrics, { accuracy_score: { threshold: 0.9, greaterIsBetter: true } });
 * if (gate.passed) throw new Error("unexpected");
 * ```
 *
 * @module
 */
export { AgentError } from "./agent.ts";
export type {
  Agent,
  AgentDecision,
  AgentErrorInit,
  AgentErrorKind,
  DecideOptions,
  TokenUsage,
} from "./agent.ts";
export { checkDecision, runAgent } from "./runner.ts";
export type {
  CallRecord,
  RateLimit,
  RowErrorType,
  RunnerOptions,
  RunnerResult,
  RunProgress,
} from "./runner.ts";
export { classificationMetrics, metricKeyPart } from "./metrics.ts";
export type { ClassificationMetricsInput, ClassificationSummary, ClassMetrics } from "./metrics.ts";
export { costOf, DEFAULT_PRICE_TABLE, priceOf, summarizeUsage } from "./cost.ts";
export type { ModelPrice, ModelUsageSummary, PriceTable, UsageSummary } from "./cost.ts";
export { formatGateResult, greaterIsBetter, parseGateFlags, validateMetrics } from "./gates.ts";
export type { GateCheck, GateFlags, GateResult, MetricThreshold } from "./gates.ts";
export { diffRows } from "./compare.ts";
export type { ComparableRow, RowChange, RowDiff, RowDiffEntry } from "./compare.ts";
export { loadBaseline, rowsFromTable } from "./baseline.ts";
export type { Baseline, LoadBaselineOptions } from "./baseline.ts";
export { EvalResult, HEADLINE_METRICS } from "./eval_result.ts";
export type { EvalResultData, EvalRow, MetricSummary } from "./eval_result.ts";
export { ModelEvaluator, RESULTS_TABLE_PATH } from "./model_evaluator.ts";
export type {
  DetectDriftOptions,
  DriftSide,
  EvaluateOptions,
  EvaluationProgress,
  PerformanceDriftReport,
} from "./model_evaluator.ts";
export { formatProgress } from "./progress.ts";
