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
export { runAgent } from "./runner.ts";
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
export { diffRows, majorityRows } from "./compare.ts";
export type { ComparableRow, RowChange, RowDiff, RowDiffEntry } from "./compare.ts";
export { loadBaseline } from "./baseline.ts";
export type { Baseline, LoadBaselineOptions } from "./baseline.ts";
export { EvalResult } from "./eval_result.ts";
export { runEvaluationJob } from "./evaluation_job.ts";
export type { EvaluationJob, EvaluationJobResult } from "./evaluation_job.ts";
export type { EvalResultData, EvalRow } from "./eval_result.ts";
export {
  aggregateTrials,
  DRIFT_METRICS,
  EVAL_METRICS,
  EvalSummary,
  HEADLINE_METRICS,
  rowDiffMetrics,
  trialStepMetrics,
} from "./summary.ts";
export type {
  EvalSummaryData,
  MetricInfo,
  MetricSummary,
  ScoredRows,
  SummaryClassOptions,
  SummaryCounts,
  SummaryInput,
  SummaryRow,
  SummaryState,
  SummaryUsage,
} from "./summary.ts";
export {
  evaluationParams,
  evaluationRunTags,
  recordEvaluation,
  recordStart,
  RESULTS_TABLE_PATH,
} from "./record.ts";
export type { EvaluationParamsInput } from "./record.ts";
export { ModelEvaluator } from "./model_evaluator.ts";
export type {
  DetectDriftOptions,
  DriftSide,
  EvaluateOptions,
  EvaluationProgress,
  PerformanceDriftReport,
} from "./model_evaluator.ts";
export { formatProgress } from "./progress.ts";
export {
  createParentRun,
  evaluateShard,
  filterValue,
  findGroupParents,
  getRunOrUndefined,
  MERGED_SKETCH_PATH,
  NEEDS_SERVER,
  parseShard,
  planShard,
  recordEmptyShard,
  recordShard,
  resolveParent,
  SHARD_SELECTION,
  SHARD_STATE_PATH,
  SHARD_TAGS,
  ShardError,
  shardOfId,
  shardRowIndices,
  shardRunName,
  shardRunTags,
  shardSlice,
  shardState,
} from "./sharding.ts";
export type {
  AgentRef,
  ParentRef,
  ParentRun,
  ParentRunOptions,
  ShardErrorCode,
  ShardOutcome,
  ShardPlan,
  ShardSlice,
  ShardSpec,
  ShardState,
} from "./sharding.ts";
export {
  checkShards,
  mergedResult,
  mergeShards,
  pickShards,
  readShards,
  shardRows,
} from "./shard_merge.ts";
export type { MergeOptions, MergeReport, MergeShard } from "./shard_merge.ts";
export { evalRowsFromTable, inputColumnsOf } from "./eval_result.ts";
export type { EvalRowsFromTableOptions, EvalTable } from "./eval_result.ts";
