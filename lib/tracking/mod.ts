/**
 * Tracking for AI agents: `AgentTracker` runs whose every call lands in a local append-only
 * outbox before it returns (the embedded default store when no `MLFLOW_TRACKING_URI` is
 * set) and is delivered to MLflow in coalesced batches by a background flusher;
 * `syncStore` replays the outbox to any server; `MetricsCollector` replaces Prometheus
 * counters and histograms with per-window MLflow metrics and mergeable DDSketch quantiles.
 *
 * @example
 * ```ts ignore
 * import { AgentTracker, MetricsCollector } from "@evalkit/evalkit/tracking";
 * const tracker = new AgentTracker("loan_approval", { version: "1.2.0" });
 * await using run = await tracker.startRun({ purpose: "serve" });
 * const metrics = new MetricsCollector("loan_approval", { run, flushIntervalMs: 60_000 });
 * metrics.recordRequest("ok");
 * metrics.recordDuration(84);
 * await metrics.close();
 * ```
 *
 * @module
 */
export { AgentTracker, defaultExperimentName, defaultRunName } from "./agent_tracker.ts";
export type { AgentTrackerOptions, StartRunOptions } from "./agent_tracker.ts";
export { RunHandle } from "./run_handle.ts";
export type {
  AgentDefinition,
  DatasetLike,
  EndResult,
  LogDatasetOptions,
  LoggedModelRef,
  LoggedRequest,
  LogMetricsOptions,
  LogModelOptions,
  RunInit,
  Table,
} from "./run_handle.ts";
export { MetricsCollector, MetricsSummary } from "./metrics_collector.ts";
export type {
  LatencySummary,
  MetricsCollectorJson,
  MetricsCollectorOptions,
  ModelPrice,
  TokenUsage,
} from "./metrics_collector.ts";
export { listLocalRuns, readLocalRun, serverRunIdFor } from "./local_store.ts";
export type { LocalMetricPoint, LocalRun, LocalRunSummary } from "./local_store.ts";
export { openRunSource, RunNotFoundError, runPageUrl } from "./run_source.ts";
export type {
  OpenRunSourceOptions,
  RunPageUrlOptions,
  RunSource,
  SearchSourceRunsOptions,
  SourceMetricPoint,
  SourceRun,
} from "./run_source.ts";
export { syncStore } from "./sync_store.ts";
export { describeDelivery, EXIT_UNDELIVERED } from "./delivery_outcome.ts";
export type { DeliveryOutcome, DeliverySummary, EndedRun } from "./delivery_outcome.ts";
export type { SyncReport, SyncRunResult, SyncStoreOptions } from "./sync_store.ts";
export { DEFAULT_PERSONAL_DATA_RULES, protectRecord } from "./personal_data.ts";
export type { PersonalDataRules } from "./personal_data.ts";
export { defaultStoreDir, publicTrackingUri } from "./_outbox.ts";
export type { RegistryClient, TrackingClient } from "./_client.ts";
export type {
  DatasetEntity,
  DatasetInput,
  Metric,
  MetricInput,
  ModelInput,
  ModelOutput,
  Run,
  RunData,
  RunInfo,
  RunStatus,
} from "../mlflow/types.ts";
export type { DDSketchJson, DDSketchStoreJson } from "../stats/ddsketch.ts";
