/**
 * MLflow runs: create, get, update, delete/restore, search, tags, metrics, params, batch
 * logging split to the server's limits, metric history, dataset/model inputs and model
 * outputs.
 *
 * @module
 */
import type { MlflowTransport } from "./transport.ts";
import { encodeLogBatch, type LogBatchLimits, splitLogBatch } from "./batching.ts";
import {
  getRunResponse,
  metricHistoryResponse,
  searchRunsResponse,
  updateRunResponse,
} from "./schemas.ts";
import type {
  DatasetInput,
  Metric,
  MetricInput,
  ModelOutput,
  Run,
  RunInfo,
  RunStatus,
  SearchPageOptions,
  ViewType,
} from "./types.ts";
import {
  assertValidKey,
  assertValidLogBatch,
  type LogBatchInput,
  MlflowValidationError,
  type TruncateOptions,
  validateDatasetInputs,
} from "./validation.ts";

const API = "/api/2.0/mlflow";

/** Options of {@link RunsApi.create}. */
export interface CreateRunOptions {
  /** Experiment id. */
  experimentId: string;
  /** Run name. Default: a name the server makes up. */
  runName?: string;
  /** Start time (ms). Default: now. */
  startTime?: number;
  /** Run tags. */
  tags?: Record<string, string>;
  /** User id (deprecated by MLflow in favour of the `mlflow.user` tag). */
  userId?: string;
}

/** Options of {@link RunsApi.update}. */
export interface UpdateRunOptions {
  /** New status. */
  status?: RunStatus;
  /** End time (ms). */
  endTime?: number;
  /** New name. */
  runName?: string;
}

/** Options of {@link RunsApi.search}. */
export interface SearchRunsOptions extends SearchPageOptions {
  /** Experiments to search in. */
  experimentIds: string[];
  /** Filter, e.g. `metrics.accuracy > 0.9 AND params.model = 'gpt-x'`. */
  filter?: string;
  /** Order, e.g. `["metrics.accuracy DESC"]`. */
  orderBy?: string[];
  /** Lifecycle stages to include. Default `ACTIVE_ONLY`. */
  viewType?: ViewType;
}

/** Options of {@link RunsApi.logBatch}. */
export interface LogBatchOptions extends TruncateOptions {
  /**
   * Requests in flight at once. Default 1. Safe for metrics because every point carries its
   * own timestamp and step (history is ordered by them, not by arrival). On the default
   * single-worker SQLite server more requests in flight did not go faster (the server writes
   * one batch at a time); a server with several workers and Postgres/MySQL may gain from 2–4.
   */
  concurrency?: number;
  /** Per-request limits (defaults: the server's). */
  limits?: LogBatchLimits;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** What {@link RunsApi.logBatch} did. */
export interface LogBatchResult {
  /** Requests sent. */
  requests: number;
  /** Metric points, params and tags sent. */
  metrics: number;
  /** Params sent. */
  params: number;
  /** Tags sent. */
  tags: number;
}

function tagList(tags: Record<string, string> | undefined): { key: string; value: string }[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

function datasetInputToWire(d: DatasetInput): unknown {
  const ds = d.dataset;
  return {
    tags: tagList(d.tags),
    dataset: {
      name: ds.name,
      digest: ds.digest,
      source_type: ds.sourceType,
      source: ds.source,
      ...(ds.schema !== undefined ? { schema: ds.schema } : {}),
      ...(ds.profile !== undefined ? { profile: ds.profile } : {}),
    },
  };
}

/**
 * The runs endpoints, as `client.runs`.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * const run = await client.runs.create({ experimentId: "0", runName: "smoke" });
 * await client.runs.logBatch(run.info.runId, {
 *   metrics: [{ key: "accuracy", value: 0.91, step: 0 }],
 *   params: { model: "gpt-x" },
 *   tags: { suite: "smoke" },
 * });
 * await client.runs.update(run.info.runId, { status: "FINISHED", endTime: Date.now() });
 * ```
 */
export class RunsApi {
  readonly #t: MlflowTransport;

  /** Creates the API over a transport. */
  constructor(transport: MlflowTransport) {
    this.#t = transport;
  }

  /** Creates a run (status RUNNING). */
  async create(options: CreateRunOptions): Promise<Run> {
    const tags = tagList(options.tags);
    assertValidLogBatch({ tags });
    const res = await this.#t.post(`${API}/runs/create`, {
      experiment_id: options.experimentId,
      ...(options.runName !== undefined ? { run_name: options.runName } : {}),
      start_time: options.startTime ?? Date.now(),
      tags,
      ...(options.userId !== undefined ? { user_id: options.userId } : {}),
    }, { schema: getRunResponse });
    return res.run;
  }

  /** Gets a run with its latest metrics, params, tags, inputs and outputs. */
  async get(runId: string): Promise<Run> {
    const res = await this.#t.get(`${API}/runs/get`, {
      query: { run_id: runId },
      schema: getRunResponse,
    });
    return res.run;
  }

  /** Updates status, end time or name; returns the new info. */
  async update(runId: string, options: UpdateRunOptions): Promise<RunInfo> {
    const res = await this.#t.post(`${API}/runs/update`, {
      run_id: runId,
      run_uuid: runId,
      ...(options.status !== undefined ? { status: options.status } : {}),
      ...(options.endTime !== undefined ? { end_time: options.endTime } : {}),
      ...(options.runName !== undefined ? { run_name: options.runName } : {}),
    }, { schema: updateRunResponse });
    return res.run_info;
  }

  /** Soft-deletes a run. */
  async delete(runId: string): Promise<void> {
    await this.#t.post(`${API}/runs/delete`, { run_id: runId });
  }

  /** Restores a deleted run. */
  async restore(runId: string): Promise<void> {
    await this.#t.post(`${API}/runs/restore`, { run_id: runId });
  }

  /** Searches runs, page by page, as an async iterator. */
  async *search(options: SearchRunsOptions): AsyncGenerator<Run> {
    let pageToken: string | undefined;
    do {
      const res = await this.#t.post(`${API}/runs/search`, {
        experiment_ids: options.experimentIds,
        ...(options.filter !== undefined ? { filter: options.filter } : {}),
        run_view_type: options.viewType ?? "ACTIVE_ONLY",
        max_results: options.pageSize ?? 1000,
        ...(options.orderBy !== undefined ? { order_by: options.orderBy } : {}),
        ...(pageToken ? { page_token: pageToken } : {}),
      }, { schema: searchRunsResponse, signal: options.signal });
      yield* res.runs;
      pageToken = res.next_page_token;
    } while (pageToken);
  }

  /** Sets a run tag (value ≤ 8000 characters; refused unless `truncate`). */
  async setTag(
    runId: string,
    key: string,
    value: string,
    options: TruncateOptions = {},
  ): Promise<void> {
    const { tags } = assertValidLogBatch({ tags: [{ key, value }] }, options);
    await this.#t.post(`${API}/runs/set-tag`, {
      run_id: runId,
      run_uuid: runId,
      key,
      value: tags[0]!.value,
    });
  }

  /** Deletes a run tag. */
  async deleteTag(runId: string, key: string): Promise<void> {
    await this.#t.post(`${API}/runs/delete-tag`, { run_id: runId, key });
  }

  /** Logs one metric point (timestamp defaults to now, step to 0). */
  async logMetric(runId: string, metric: MetricInput): Promise<void> {
    const m = assertValidLogBatch({ metrics: [metric] }).metrics[0]!;
    await this.#t.post(`${API}/runs/log-metric`, {
      run_id: runId,
      run_uuid: runId,
      key: m.key,
      value: m.value,
      timestamp: m.timestamp,
      step: m.step,
      ...(m.datasetName !== undefined ? { dataset_name: m.datasetName } : {}),
      ...(m.datasetDigest !== undefined ? { dataset_digest: m.datasetDigest } : {}),
      ...(m.modelId !== undefined ? { model_id: m.modelId } : {}),
    });
  }

  /**
   * Logs a param. Params are immutable: the same value again is a no-op, another value
   * fails with MLflow's `INVALID_PARAMETER_VALUE`.
   */
  async logParam(
    runId: string,
    key: string,
    value: string | number | boolean,
    options: TruncateOptions = {},
  ): Promise<void> {
    const { params } = assertValidLogBatch({ params: [{ key, value: value as string }] }, options);
    await this.#t.post(`${API}/runs/log-parameter`, {
      run_id: runId,
      run_uuid: runId,
      key,
      value: params[0]!.value,
    });
  }

  /**
   * Logs metrics, params and tags. Everything is checked first (nothing is sent when a key
   * or value breaks MLflow's rules), then split into requests within the server's limits
   * (1000 metrics, 100 params, 100 tags, 1000 entities, under 1 MB each) and sent, one
   * request at a time unless `concurrency` says otherwise. A retried request is byte-identical, so MLflow de-duplicates it.
   * If a request fails for good, no further ones are started and its error is thrown.
   */
  async logBatch(
    runId: string,
    batch: LogBatchInput,
    options: LogBatchOptions = {},
  ): Promise<LogBatchResult> {
    const normalized = assertValidLogBatch(batch, options);
    const chunks = splitLogBatch(normalized, options.limits);
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async () => {
      while (failure === undefined && next < chunks.length) {
        const chunk = chunks[next++]!;
        try {
          await this.#t.json("POST", `${API}/runs/log-batch`, {
            bodyText: encodeLogBatch(runId, chunk),
            signal: options.signal,
          });
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    if (failure !== undefined) throw failure.error;
    return {
      requests: chunks.length,
      metrics: normalized.metrics.length,
      params: normalized.params.length,
      tags: normalized.tags.length,
    };
  }

  /**
   * The full history of a metric, following pages (always sending `max_results`), in the
   * server's order: by timestamp, then step, then value.
   */
  async metricHistory(
    runId: string,
    key: string,
    options: { pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<Metric[]> {
    assertValidKey(key, "metric");
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.#t.get(`${API}/metrics/get-history`, {
        query: {
          run_id: runId,
          run_uuid: runId,
          metric_key: key,
          max_results: options.pageSize ?? 25_000,
          page_token: pageToken || undefined,
        },
        schema: metricHistoryResponse,
        signal: options.signal,
      });
      for (const m of res.metrics) out.push(m);
      if (res.next_page_token && res.next_page_token === pageToken) {
        throw new Error(`metric history of '${key}' did not advance past page token ${pageToken}`);
      }
      pageToken = res.next_page_token;
    } while (pageToken);
    return out;
  }

  /**
   * Records the datasets (with input tags such as `mlflow.data.context`) and logged models
   * a run used.
   */
  async logInputs(
    runId: string,
    inputs: { datasets?: DatasetInput[]; models?: { modelId: string }[] },
  ): Promise<void> {
    const datasets = inputs.datasets ?? [];
    const issues = validateDatasetInputs(datasets);
    if (issues.length > 0) throw new MlflowValidationError("Invalid dataset inputs", issues);
    await this.#t.post(`${API}/runs/log-inputs`, {
      run_id: runId,
      datasets: datasets.map(datasetInputToWire),
      ...(inputs.models ? { models: inputs.models.map((m) => ({ model_id: m.modelId })) } : {}),
    });
  }

  /** Records logged models the run produced, each at a step. */
  async logOutputs(runId: string, models: ModelOutput[]): Promise<void> {
    await this.#t.post(`${API}/runs/outputs`, {
      run_id: runId,
      models: models.map((m) => ({ model_id: m.modelId, step: m.step })),
    });
  }
}
