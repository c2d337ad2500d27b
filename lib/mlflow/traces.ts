/**
 * MLflow 3 traces over REST: OTLP span export (`POST /v1/traces`), StartTraceV3, get (info, or
 * info with spans), search with the filter grammar and paging, tags, delete, link to a run,
 * and the server's trace analytics (`traces/metrics`).
 *
 * @module
 */
import type { MlflowTransport } from "./transport.ts";
import { encodeOtlpTraces, gzipBytes, type OtlpSpan } from "./otlp.ts";
import {
  deleteTracesResponse,
  searchTracesResponse,
  type Trace,
  type TraceInfo,
  traceInfoResponse,
  type TraceMetricPoint,
  traceMetricsResponse,
  traceResponse,
  type TraceState,
} from "./trace_schemas.ts";

const V3 = "/api/3.0/mlflow/traces";
const V2 = "/api/2.0/mlflow/traces";

/** Trace ids per `link-to-run` request (the server's limit). */
export const LINK_TO_RUN_BATCH = 100;
/** The largest `max_results` SearchTracesV3 accepts. */
export const SEARCH_TRACES_MAX_RESULTS = 500;

/** What {@link TracesApi.start} writes: a finished trace's info (StartTraceV3). */
export interface StartTraceInput {
  /** `tr-` + 32 hex digits (the OTel trace id). */
  traceId: string;
  /** Experiment. */
  experimentId: string;
  /** Start, milliseconds since the epoch. */
  requestTime: number;
  /** Duration, milliseconds. */
  executionDurationMs: number;
  /** Final state. */
  state: Exclude<TraceState, "STATE_UNSPECIFIED">;
  /** The caller's own request id. */
  clientRequestId?: string;
  /** Request preview (the server truncates at 1000 characters). */
  requestPreview?: string;
  /** Response preview. */
  responsePreview?: string;
  /** Immutable metadata. */
  metadata?: Record<string, string>;
  /** Tags. */
  tags?: Record<string, string>;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** Options of {@link TracesApi.search}. */
export interface SearchTracesOptions {
  /** Experiments to search. */
  experimentIds: string[];
  /** A filter, e.g. `trace.status = 'ERROR' AND tags.env = 'prod'` or `metadata.\`mlflow.sourceRun\` = '…'`. */
  filter?: string;
  /** Order, e.g. `["timestamp_ms DESC"]`. */
  orderBy?: string[];
  /** Traces per request, 1–500 (always sent). Default 100. */
  pageSize?: number;
  /** Continue from a page token. */
  pageToken?: string;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** Options of {@link TracesApi.exportSpans}. */
export interface ExportSpansOptions {
  /** Gzip the body. Default true. */
  gzip?: boolean;
  /** Link the batch's completed traces to this run (`x-mlflow-run-id`). */
  runId?: string;
  /** Resource attributes. */
  resource?: Record<string, unknown>;
  /** Abort signal. */
  signal?: AbortSignal;
}

/** An aggregation of {@link TracesApi.queryMetrics}. */
export type TraceMetricAggregation =
  | { type: "COUNT" | "SUM" | "AVG" | "MIN" | "MAX" }
  | { type: "PERCENTILE"; percentile: number };

/** Options of {@link TracesApi.queryMetrics}. */
export interface QueryTraceMetricsOptions {
  /** Experiments. */
  experimentIds: string[];
  /** What to aggregate over. */
  viewType: "TRACES" | "SPANS" | "ASSESSMENTS";
  /** e.g. `latency`, `trace_count`, `total_tokens` (traces); `span_count`, `total_cost` (spans). */
  metricName: string;
  /** Aggregations (the server allows only some per metric: `trace_count` → COUNT, `latency` → AVG/MIN/MAX/PERCENTILE). */
  aggregations: TraceMetricAggregation[];
  /** Group by, e.g. `["trace_name"]`, `["span_type"]`. */
  dimensions?: string[];
  /** Filters in the search grammar. */
  filters?: string[];
  /** Bucket width for time series. */
  timeIntervalSeconds?: number;
  /** From (ms). */
  startTimeMs?: number;
  /** To (ms). */
  endTimeMs?: number;
  /** Points per page. */
  maxResults?: number;
  /** Abort signal. */
  signal?: AbortSignal;
}

function traceIdPath(traceId: string): string {
  if (typeof traceId !== "string" || traceId === "") {
    throw new TypeError(`Expected a trace id but found '${String(traceId)}'`);
  }
  return `${V3}/${encodeURIComponent(traceId)}`;
}

function stringRecord(
  what: string,
  rec: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec ?? {})) {
    if (typeof v !== "string") {
      throw new TypeError(`Expected ${what} '${k}' to have a string value but found ${typeof v}`);
    }
    out[k] = v;
  }
  return out;
}

function locations(experimentIds: string[]) {
  if (!Array.isArray(experimentIds) || experimentIds.length === 0) {
    throw new TypeError("Expected experimentIds to list at least one experiment id");
  }
  return experimentIds.map((experiment_id) => ({
    type: "MLFLOW_EXPERIMENT",
    mlflow_experiment: { experiment_id },
  }));
}

/**
 * MLflow 3 traces. Spans go through OTLP ({@link TracesApi.exportSpans}), then the trace's
 * info through StartTraceV3 ({@link TracesApi.start}), from the same worker, as MLflow's
 * Python client does. Both writes are idempotent on the SQL store (a replayed batch
 * overwrites the same span rows; a second StartTraceV3 merges), which is what lets an outbox
 * replay them after a crash.
 *
 * @example
 * ```ts ignore
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = new MlflowClient({ trackingUri: "http://127.0.0.1:5000" });
 * for await (const info of client.traces.search({ experimentIds: ["1"], filter: "trace.status = 'ERROR'" })) {
 *   const trace = await client.traces.get(info.traceId);
 *   console.log(trace.spans.map((s) => s.name));
 * }
 * ```
 */
export class TracesApi {
  readonly #transport: MlflowTransport;

  /** Creates the API over a transport. */
  constructor(transport: MlflowTransport) {
    this.#transport = transport;
  }

  /**
   * Sends finished spans (any number of traces) to `POST /v1/traces` as gzipped OTLP protobuf
   * with `x-mlflow-experiment-id`. All-or-nothing on the server. The SQL store creates a
   * trace's info row if missing and aggregates token usage and cost into its metadata.
   */
  async exportSpans(
    experimentId: string,
    spans: readonly OtlpSpan[],
    options: ExportSpansOptions = {},
  ): Promise<void> {
    if (typeof experimentId !== "string" || experimentId === "") {
      throw new TypeError(`Expected an experiment id but found '${String(experimentId)}'`);
    }
    if (spans.length === 0) return;
    const proto = encodeOtlpTraces(spans, options.resource ? { resource: options.resource } : {});
    const gzip = options.gzip ?? true;
    const body = gzip ? await gzipBytes(proto) : proto;
    const headers: Record<string, string> = {
      "Content-Type": "application/x-protobuf",
      "x-mlflow-experiment-id": experimentId,
    };
    if (gzip) headers["Content-Encoding"] = "gzip";
    if (options.runId) headers["x-mlflow-run-id"] = options.runId;
    const res = await this.#transport.raw("POST", "/v1/traces", {
      body: () => body as Uint8Array<ArrayBuffer>,
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await res.body?.cancel();
  }

  /** StartTraceV3: writes a finished trace's info (after its spans). Returns what the server stored. */
  async start(input: StartTraceInput): Promise<TraceInfo> {
    if (!/^tr-[0-9a-f]{32}$/.test(input.traceId)) {
      throw new TypeError(
        `Expected traceId to be 'tr-' + 32 hex digits but found '${input.traceId}'`,
      );
    }
    if (!Number.isFinite(input.requestTime) || !Number.isFinite(input.executionDurationMs)) {
      throw new TypeError("Expected requestTime and executionDurationMs to be finite numbers");
    }
    return await this.#transport.post<TraceInfo>(V3, {
      trace: {
        trace_info: {
          trace_id: input.traceId,
          client_request_id: input.clientRequestId,
          trace_location: {
            type: "MLFLOW_EXPERIMENT",
            mlflow_experiment: { experiment_id: input.experimentId },
          },
          request_preview: input.requestPreview,
          response_preview: input.responsePreview,
          request_time: new Date(Math.floor(input.requestTime)).toISOString(),
          execution_duration: `${(Math.max(0, input.executionDurationMs) / 1000).toFixed(3)}s`,
          state: input.state,
          trace_metadata: stringRecord("metadata", input.metadata),
          tags: stringRecord("tag", input.tags),
        },
      },
    }, { schema: traceInfoResponse, signal: input.signal });
  }

  /** The trace's info (`GET /api/3.0/mlflow/traces/{id}`). */
  async getInfo(traceId: string, options: { signal?: AbortSignal } = {}): Promise<TraceInfo> {
    return await this.#transport.get<TraceInfo>(traceIdPath(traceId), {
      schema: traceInfoResponse,
      signal: options.signal,
    });
  }

  /** The trace with its spans (`GET /api/3.0/mlflow/traces/get`). */
  async get(
    traceId: string,
    options: { allowPartial?: boolean; signal?: AbortSignal } = {},
  ): Promise<Trace> {
    traceIdPath(traceId);
    return await this.#transport.get<Trace>(`${V3}/get`, {
      query: { trace_id: traceId, allow_partial: options.allowPartial ? true : undefined },
      schema: traceResponse,
      signal: options.signal,
    });
  }

  /** One page of SearchTracesV3 (`max_results` always sent). */
  async searchPage(
    options: SearchTracesOptions,
  ): Promise<{ traces: TraceInfo[]; nextPageToken?: string }> {
    const maxResults = options.pageSize ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > SEARCH_TRACES_MAX_RESULTS) {
      throw new RangeError(
        `Expected pageSize to be an integer in 1..${SEARCH_TRACES_MAX_RESULTS} but found ${maxResults}`,
      );
    }
    return await this.#transport.post(`${V3}/search`, {
      locations: locations(options.experimentIds),
      filter: options.filter,
      max_results: maxResults,
      order_by: options.orderBy,
      page_token: options.pageToken,
    }, { schema: searchTracesResponse, signal: options.signal });
  }

  /** Iterates over every matching trace's info, page by page. */
  async *search(options: SearchTracesOptions): AsyncGenerator<TraceInfo> {
    let pageToken = options.pageToken;
    do {
      const page = await this.searchPage({ ...options, ...(pageToken ? { pageToken } : {}) });
      yield* page.traces;
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
  }

  /** Sets (adds or overwrites) tags, one request per tag as the API takes them. */
  async setTags(
    traceId: string,
    tags: Record<string, string>,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    for (const [key, value] of Object.entries(stringRecord("tag", tags))) {
      await this.#transport.patch(`${traceIdPath(traceId)}/tags`, { key, value }, {
        signal: options.signal,
      });
    }
  }

  /** Deletes a tag (the key goes in the JSON body of the DELETE). */
  async deleteTag(
    traceId: string,
    key: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    if (typeof key !== "string" || key === "") throw new TypeError("Expected a tag key");
    await this.#transport.delete(`${traceIdPath(traceId)}/tags`, { key }, {
      signal: options.signal,
    });
  }

  /**
   * Deletes traces of an experiment: by id, or the oldest `maxTraces` before
   * `maxTimestampMillis`. Returns how many the server deleted.
   */
  async delete(
    experimentId: string,
    which: { traceIds: string[] } | { maxTimestampMillis: number; maxTraces?: number },
    options: { signal?: AbortSignal } = {},
  ): Promise<number> {
    const body = "traceIds" in which
      ? { experiment_id: experimentId, request_ids: which.traceIds }
      : {
        experiment_id: experimentId,
        max_timestamp_millis: which.maxTimestampMillis,
        max_traces: which.maxTraces,
      };
    if ("traceIds" in which && which.traceIds.length === 0) return 0;
    return await this.#transport.post<number>(`${V3}/delete-traces`, body, {
      schema: deleteTracesResponse,
      signal: options.signal,
    });
  }

  /**
   * Links traces to a run (shown in the run's Traces tab), 100 per request. The server does
   * not check that the run exists.
   */
  async linkToRun(
    traceIds: string[],
    runId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    if (typeof runId !== "string" || runId === "") throw new TypeError("Expected a run id");
    for (let i = 0; i < traceIds.length; i += LINK_TO_RUN_BATCH) {
      await this.#transport.post(`${V2}/link-to-run`, {
        trace_ids: traceIds.slice(i, i + LINK_TO_RUN_BATCH),
        run_id: runId,
      }, { signal: options.signal });
    }
  }

  /** The server's trace analytics (`traces/metrics`), every page. */
  async queryMetrics(options: QueryTraceMetricsOptions): Promise<TraceMetricPoint[]> {
    if (!Array.isArray(options.experimentIds) || options.experimentIds.length === 0) {
      throw new TypeError("Expected experimentIds to list at least one experiment id");
    }
    const points: TraceMetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#transport.post<
        { points: TraceMetricPoint[]; nextPageToken?: string }
      >(`${V3}/metrics`, {
        experiment_ids: options.experimentIds,
        view_type: options.viewType,
        metric_name: options.metricName,
        aggregations: options.aggregations.map((a) =>
          a.type === "PERCENTILE"
            ? { aggregation_type: "PERCENTILE", percentile_value: a.percentile }
            : { aggregation_type: a.type }
        ),
        dimensions: options.dimensions,
        filters: options.filters,
        time_interval_seconds: options.timeIntervalSeconds,
        start_time_ms: options.startTimeMs,
        end_time_ms: options.endTimeMs,
        max_results: options.maxResults,
        page_token: pageToken,
      }, { schema: traceMetricsResponse, signal: options.signal });
      points.push(...page.points);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    return points;
  }
}
