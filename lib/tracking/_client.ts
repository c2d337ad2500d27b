/**
 * The part of `MlflowClient` the tracking layer uses, stated structurally so the outbox and
 * replay logic depend on behaviour, not on a class.
 *
 * @module
 */
import type {
  DatasetInput,
  Metric,
  MetricInput,
  Run,
  RunInfo,
  RunStatus,
} from "../mlflow/types.ts";

/** What the tracker needs from an MLflow client. */
export interface TrackingClient {
  /** The run's page in the MLflow UI (`MlflowClient.runUrl`), when the client knows it. */
  runUrl?(experimentId: string, runId: string): string;
  /** Experiments. */
  experiments: {
    getOrCreate(
      name: string,
      options?: { tags?: Record<string, string> },
    ): Promise<{ experimentId: string }>;
  };
  /** Runs. */
  runs: {
    create(
      req: {
        experimentId: string;
        runName?: string;
        startTime?: number;
        tags?: Record<string, string>;
        userId?: string;
      },
    ): Promise<Run>;
    get(runId: string): Promise<Run>;
    update(
      runId: string,
      req: { status?: RunStatus; endTime?: number; runName?: string },
    ): Promise<RunInfo>;
    search(
      req: {
        experimentIds: string[];
        filter?: string;
        pageSize?: number;
        viewType?: "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";
      },
    ): AsyncIterable<Run>;
    logBatch(
      runId: string,
      batch: {
        metrics?: MetricInput[];
        params?: Record<string, string>;
        tags?: Record<string, string>;
      },
    ): Promise<unknown>;
    logInputs(
      runId: string,
      req: { datasets?: DatasetInput[]; models?: { modelId: string }[] },
    ): Promise<unknown>;
    logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<unknown>;
    metricHistory(runId: string, key: string): Promise<Metric[]>;
  };
  /** Artifacts. */
  artifacts: {
    upload(artifactUri: string, path: string, content: Uint8Array | string): Promise<unknown>;
  };
  /** MLflow 3 logged models. */
  loggedModels: {
    create(
      req: {
        experimentId: string;
        name: string;
        modelType?: string;
        sourceRunId?: string;
        params?: Record<string, string>;
        tags?: Record<string, string>;
      },
    ): Promise<{ modelId: string; artifactUri: string }>;
    finalize(
      modelId: string,
      status: "LOGGED_MODEL_READY" | "LOGGED_MODEL_UPLOAD_FAILED",
    ): Promise<unknown>;
  };
}

/** The registry part of `MlflowClient` used by the tracker's model-stage helpers. */
export interface RegistryClient {
  /** Registered models. */
  models: {
    create(
      name: string,
      options?: { tags?: Record<string, string>; description?: string },
    ): Promise<unknown>;
    setAlias(name: string, alias: string, version: string): Promise<unknown>;
    getByAlias(name: string, alias: string): Promise<{ version: string }>;
  };
  /** Model versions. */
  modelVersions: {
    create(
      req: {
        name: string;
        source: string;
        runId?: string;
        modelId?: string;
        tags?: Record<string, string>;
        description?: string;
      },
    ): Promise<{ version: string; name: string }>;
    get(name: string, version: string): Promise<{ version: string; currentStage?: string }>;
    setTag(name: string, version: string, key: string, value: string): Promise<unknown>;
    transitionStage(
      name: string,
      version: string,
      stage: string,
      options?: { archiveExistingVersions?: boolean },
    ): Promise<{ version: string; currentStage?: string }>;
  };
}
