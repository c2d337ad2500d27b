/**
 * evalkit: evaluate and monitor AI agents from TypeScript, with every result recorded in
 * MLflow (an open-source MLflow 3.x server, Databricks, or the embedded local store).
 *
 * The root module is the main path of a notebook user or a script author, chosen by name:
 * load a dataset, run an agent over it, record the run, check drift, read runs back. Everything
 * else stays on the module subpaths, each with its own `mod.ts`: `@evalkit/evalkit/mlflow`
 * (the full REST client), `/datasets`, `/tracking`, `/evaluation`, `/drift`, `/stats`,
 * `/report`, `/agents`, `/tracing`, and the helpers `/notebook`, `/server`, `/databricks`,
 * `/testing`. Heavy optional backends (danfojs: `@evalkit/evalkit/danfo`) are never loaded
 * from here.
 *
 * @example Evaluate the built-in agent on the shipped test set
 * ```ts ignore
 * import { DatasetManager, LoanApprovalAgent, ModelEvaluator } from "@evalkit/evalkit";
 *
 * const dataset = await new DatasetManager({ basePath: "datasets" }).load("loan_approval_test_set");
 * const agent = new LoanApprovalAgent();
 * const result = await new ModelEvaluator(agent.name, agent).evaluateDataset(dataset, {
 *   targetField: "expected_outcome",
 *   concurrency: 8,
 * });
 * console.log(result.metrics.accuracy_score, result.runId);
 * ```
 *
 * @module
 */

// Datasets: versioned, validated, split; the rows an evaluation runs over.
export {
  createDataset,
  DatasetManager,
  loanApprovalSchema,
  splitRows,
} from "./lib/datasets/mod.ts";
export type {
  CreateDatasetOptions,
  Dataset,
  DatasetMetadata,
  DatasetSchema,
  Issue,
  Row,
  SplitOptions,
  SplitResult,
} from "./lib/datasets/mod.ts";

// Agents: the reference loan-approval agent, any HTTP endpoint, or your own `Agent`.
export { HttpAgent, LoanApprovalAgent } from "./lib/agents/mod.ts";
export type { Agent, AgentDecision, DecideOptions, HttpAgentOptions } from "./lib/agents/mod.ts";

// Evaluation: run an agent over a dataset, score it, gate it, compare with a baseline.
export {
  EvalResult,
  loadBaseline,
  ModelEvaluator,
  parseGateFlags,
  RESULTS_TABLE_PATH,
} from "./lib/evaluation/mod.ts";
export type {
  EvalRow,
  EvaluateOptions,
  GateResult,
  MetricThreshold,
  PriceTable,
} from "./lib/evaluation/mod.ts";

// Tracking: runs, metrics, artifacts and runtime metrics; the local store and sync.
export {
  AgentTracker,
  MetricsCollector,
  openRunSource,
  RunHandle,
  runPageUrl,
  syncStore,
} from "./lib/tracking/mod.ts";
export type {
  AgentTrackerOptions,
  RunSource,
  SourceRun,
  StartRunOptions,
  SyncReport,
} from "./lib/tracking/mod.ts";

// Drift: data drift per feature and performance drift, with a report for MLflow.
export {
  detectDataDrift,
  detectPerformanceDrift,
  DriftReport,
  logDriftReport,
  runDriftCheck,
} from "./lib/drift/mod.ts";
export type { DataDriftOptions, FeatureDrift, RunDriftCheckOptions } from "./lib/drift/mod.ts";

// Tracing: spans of an agent's steps, recorded as MLflow traces.
export { SpanType, Tracer } from "./lib/tracing/mod.ts";
export type { TracerOptions } from "./lib/tracing/mod.ts";

// Reports and views: a run as a self-contained HTML page; runs side by side.
export { compareRuns, runReport } from "./lib/report/mod.ts";

// MLflow: the REST client for everything else (experiments, registry, artifacts).
export { MlflowClient, resolveTrackingTarget } from "./lib/mlflow/mod.ts";
export type { MlflowClientOptions, TrackingTarget } from "./lib/mlflow/mod.ts";

// Errors a caller catches, by meaning.
export { AgentError } from "./lib/agents/mod.ts";
export { DatasetError, formatIssue } from "./lib/datasets/mod.ts";
export { MlflowApiError } from "./lib/mlflow/mod.ts";
export { RunNotFoundError } from "./lib/tracking/mod.ts";
