/**
 * The TypeScript shapes of MLflow tracking entities. Objects are camelCase; the wire is
 * snake_case (the schemas in `schemas.ts` translate). IDs are strings, timestamps are
 * milliseconds since the epoch.
 *
 * @module
 */

/** A run's status. */
export type RunStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

/** Which entities a search returns by lifecycle stage. Default `ACTIVE_ONLY`. */
export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

/** An experiment. */
export interface Experiment {
  /** Experiment id (a string, e.g. `"0"` for the Default experiment). */
  experimentId: string;
  /** Unique name. */
  name: string;
  /** Where its runs' artifacts go, e.g. `mlflow-artifacts:/1`. */
  artifactLocation: string;
  /** `active` or `deleted`. */
  lifecycleStage: string;
  /** Creation time (ms). */
  creationTime?: number;
  /** Last update time (ms). */
  lastUpdateTime?: number;
  /** Experiment tags. */
  tags: Record<string, string>;
}

/** A metric point as MLflow stores it. */
export interface Metric {
  /** Metric name. */
  key: string;
  /** Value; NaN and ±Infinity are allowed. */
  value: number;
  /** Time of the measurement (ms). */
  timestamp: number;
  /** Step (integer). */
  step: number;
  /** Dataset the metric was computed on. */
  datasetName?: string;
  /** Digest of that dataset. */
  datasetDigest?: string;
  /** Logged model the metric belongs to. */
  modelId?: string;
  /** Run id (present in some answers). */
  runId?: string;
}

/**
 * A metric point to log. `timestamp` defaults to the time of the call and `step` to 0.
 */
export interface MetricInput {
  /** Metric name (see the key rules in `validation.ts`). */
  key: string;
  /** Value; NaN and ±Infinity are encoded as MLflow expects. */
  value: number;
  /** Time of the measurement (ms). Default: now. */
  timestamp?: number;
  /** Step (integer). Default 0. */
  step?: number;
  /** Dataset the metric was computed on. */
  datasetName?: string;
  /** Digest of that dataset. */
  datasetDigest?: string;
  /** Logged model the metric belongs to. */
  modelId?: string;
}

/** A key/value parameter. */
export interface Param {
  /** Parameter name. */
  key: string;
  /** Value (≤ 6000 characters). */
  value: string;
}

/** A key/value run tag. */
export interface RunTag {
  /** Tag name. */
  key: string;
  /** Value (≤ 8000 characters). */
  value: string;
}

/** A dataset as MLflow records it for a run input. */
export interface DatasetEntity {
  /** Dataset name (≤ 500 characters). */
  name: string;
  /** Digest (≤ 36 characters; MLflow uses 8 hex characters). */
  digest: string;
  /** Source type, e.g. `local`, `http`, `code`. */
  sourceType: string;
  /** The source as a JSON string, e.g. `{"uri": "datasets/x.jsonl"}`. */
  source: string;
  /** Schema as a JSON string, e.g. `{"mlflow_colspec": [...]}`. */
  schema?: string;
  /** Profile as a JSON string, e.g. `{"num_rows": 200}`. */
  profile?: string;
}

/** A dataset used by a run, with input tags such as `mlflow.data.context`. */
export interface DatasetInput {
  /** The dataset. */
  dataset: DatasetEntity;
  /** Input tags, e.g. `{ "mlflow.data.context": "evaluation" }`. */
  tags?: Record<string, string>;
}

/** A logged model used by a run. */
export interface ModelInput {
  /** Logged model id (`m-…`). */
  modelId: string;
}

/** A logged model produced by a run at a step. */
export interface ModelOutput {
  /** Logged model id (`m-…`). */
  modelId: string;
  /** Step at which the run produced it. */
  step: number;
}

/** A run's metadata. */
export interface RunInfo {
  /** Run id (32 hex characters). */
  runId: string;
  /** Run name. */
  runName: string;
  /** Experiment id. */
  experimentId: string;
  /** User who created the run. */
  userId?: string;
  /** Status. */
  status: RunStatus;
  /** Start time (ms). */
  startTime: number;
  /** End time (ms), absent while running. */
  endTime?: number;
  /** Root of the run's artifacts, e.g. `mlflow-artifacts:/1/<run>/artifacts`. */
  artifactUri: string;
  /** `active` or `deleted`. */
  lifecycleStage: string;
}

/** A run's data: the latest value of each metric, its params and its tags. */
export interface RunData {
  /** Latest value per metric key (use `metricHistory` for the series). */
  metrics: Metric[];
  /** Params by key. */
  params: Record<string, string>;
  /** Tags by key. */
  tags: Record<string, string>;
}

/** A run. */
export interface Run {
  /** Metadata. */
  info: RunInfo;
  /** Metrics (latest), params, tags. */
  data: RunData;
  /** Datasets and logged models the run used. */
  inputs: { datasetInputs: DatasetInput[]; modelInputs: ModelInput[] };
  /** Logged models the run produced. */
  outputs: { modelOutputs: ModelOutput[] };
}

/** Options shared by the search iterators. */
export interface SearchPageOptions {
  /** Results per request. Default 1000. */
  pageSize?: number;
  /** Abort signal. */
  signal?: AbortSignal;
}
