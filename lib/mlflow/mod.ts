/**
 * A typed MLflow REST client: experiments, runs, metrics, params, tags, batch logging split
 * to the server's limits, metric history, dataset inputs, artifacts, the model registry and
 * MLflow 3 logged models — with auth, retries, timeouts and responses validated with zod.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const exp = await client.experiments.getOrCreate("loan-agent-evals");
 * const run = await client.runs.create({ experimentId: exp.experimentId });
 * await client.runs.logBatch(run.info.runId, {
 *   metrics: Array.from({ length: 100 }, (_, step) => ({ key: "loss", value: 1 / (step + 1), step })),
 *   params: { model: "gpt-x" },
 * });
 * const history = await client.runs.metricHistory(run.info.runId, "loss");
 * ```
 *
 * @module
 */
export { MlflowClient, resolveTrackingTarget } from "./client.ts";
export type { EnvReader, MlflowClientOptions, TrackingTarget } from "./client.ts";
export { MlflowTransport, parseRetryAfter } from "./transport.ts";
export type {
  MlflowAuth,
  QueryValue,
  RawRequestInit,
  RequestInit,
  ResponseSchema,
  RetryOptions,
  TransportOptions,
} from "./transport.ts";
export { MlflowApiError } from "../_internal/errors.ts";
export type { Issue, MlflowApiErrorInit } from "../_internal/errors.ts";
export { ExperimentsApi } from "./experiments.ts";
export type { CreateExperimentOptions, SearchExperimentsOptions } from "./experiments.ts";
export { RunsApi } from "./runs.ts";
export type {
  CreateRunOptions,
  LogBatchOptions,
  LogBatchResult,
  SearchRunsOptions,
  UpdateRunOptions,
} from "./runs.ts";
export {
  assertValidKey,
  assertValidLogBatch,
  MLFLOW_LIMITS,
  MlflowValidationError,
  validateDatasetInputs,
  validateExperimentTag,
  validateKey,
  validateLogBatch,
} from "./validation.ts";
export type { KeyKind, LogBatchInput, NormalizedLogBatch, TruncateOptions } from "./validation.ts";
export { encodeLogBatch, splitLogBatch } from "./batching.ts";
export type { LogBatchChunk, LogBatchLimits } from "./batching.ts";
export { decodeMetricValue } from "./schemas.ts";
export type {
  DatasetEntity,
  DatasetInput,
  Experiment,
  Metric,
  MetricInput,
  ModelInput,
  ModelOutput,
  Param,
  Run,
  RunData,
  RunInfo,
  RunStatus,
  RunTag,
  SearchPageOptions,
  ViewType,
} from "./types.ts";
export { ArtifactsApi, LocalArtifactRepository, registerArtifactRepository } from "./artifacts.ts";
export type {
  ArtifactContent,
  ArtifactFileInfo,
  ArtifactRepository,
  ArtifactRepositoryFactory,
  ArtifactRequestOptions,
  ArtifactsApiOptions,
  ArtifactTable,
  ArtifactUploadBody,
  DirectoryTransferOptions,
  LogTableOptions,
  UploadFileOptions,
} from "./artifacts.ts";
export { ModelVersionsApi, RegisteredModelsApi } from "./registry.ts";
export type { CreateModelVersionOptions, RegistrySearchOptions } from "./registry.ts";
export type {
  LoggedModel,
  LoggedModelStatus,
  ModelStage,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
} from "./registry_schemas.ts";
export { LoggedModelsApi } from "./logged_models.ts";
export type {
  CreateLoggedModelOptions,
  LoggedModelOrderBy,
  SearchLoggedModelsOptions,
} from "./logged_models.ts";
export { LINK_TO_RUN_BATCH, SEARCH_TRACES_MAX_RESULTS, TracesApi } from "./traces.ts";
export type {
  ExportSpansOptions,
  QueryTraceMetricsOptions,
  SearchTracesOptions,
  StartTraceInput,
  TraceMetricAggregation,
} from "./traces.ts";
export type { Trace, TraceInfo, TraceMetricPoint, TraceSpan, TraceState } from "./trace_schemas.ts";
export { encodeOtlpTraces, encodeOtlpTracesJson, gzipBytes } from "./otlp.ts";
export type { EncodeOtlpOptions, OtlpEvent, OtlpSpan, OtlpStatusCode } from "./otlp.ts";
