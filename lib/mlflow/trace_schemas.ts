/**
 * Types and zod schemas of MLflow 3 traces (TraceInfoV3, spans as returned by `traces/get`,
 * search pages, trace analytics): the snake_case wire shapes validated and turned into
 * camelCase objects.
 *
 * @module
 */
import { z } from "zod";

/** The state of a trace. */
export type TraceState = "OK" | "ERROR" | "IN_PROGRESS" | "STATE_UNSPECIFIED";

/** A trace's info (TraceInfoV3): everything but the spans. */
export interface TraceInfo {
  /** `tr-` + the 32 hex digits of the OTel trace id. */
  traceId: string;
  /** The caller's own id for the request, when given. */
  clientRequestId?: string;
  /** The experiment the trace belongs to. */
  experimentId: string;
  /** Start, milliseconds since the Unix epoch. */
  requestTime: number;
  /** Duration in milliseconds, when finished. */
  executionDurationMs?: number;
  /** State. */
  state: TraceState;
  /** The request, truncated by the server (OSS: 1000 characters). */
  requestPreview?: string;
  /** The response, truncated by the server. */
  responsePreview?: string;
  /** Immutable metadata (`mlflow.sourceRun`, `mlflow.trace.session`, token usage, …). */
  metadata: Record<string, string>;
  /** Mutable tags (`mlflow.traceName`, `mlflow.artifactLocation`, …). */
  tags: Record<string, string>;
}

/** A span as the server returns it (`traces/get`), ids in hex, attributes decoded. */
export interface TraceSpan {
  /** OTel trace id, 32 hex digits. */
  traceId: string;
  /** Span id, 16 hex digits. */
  spanId: string;
  /** Parent span id; absent on the root. */
  parentSpanId?: string;
  /** Name. */
  name: string;
  /** Start, milliseconds since the epoch (fractional: microsecond precision). */
  startTimeMs: number;
  /** End, milliseconds since the epoch. */
  endTimeMs?: number;
  /** Attributes, values decoded from OTLP AnyValue. */
  attributes: Record<string, unknown>;
  /** Events. */
  events: { name: string; timeMs: number; attributes: Record<string, unknown> }[];
  /** Status code: `STATUS_CODE_OK`, `STATUS_CODE_ERROR` or `STATUS_CODE_UNSET`. */
  status: { code: string; message?: string };
}

/** A trace with its spans. */
export interface Trace {
  /** Info. */
  info: TraceInfo;
  /** Spans, in the server's order. */
  spans: TraceSpan[];
}

/** One data point of `traces/metrics`. */
export interface TraceMetricPoint {
  /** Metric name, e.g. `latency`. */
  metricName: string;
  /** Dimension values (e.g. `{ time_bucket: "…" }`, `{ span_name: "llm" }`). */
  dimensions: Record<string, string>;
  /** Aggregated values by aggregation label (`AVG`, `P95.0`, `COUNT`, …). */
  values: Record<string, number>;
}

const DURATION = /^(-?\d+(?:\.\d+)?)s$/;

function durationMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** Parses a protobuf Timestamp in JSON (RFC 3339) or a number of ms. */
function timestampMs(value: string | number): number {
  return typeof value === "number" ? value : Date.parse(value);
}

const wireTraceInfo = z.object({
  trace_id: z.string(),
  client_request_id: z.string().optional(),
  trace_location: z.object({
    type: z.string().optional(),
    mlflow_experiment: z.object({ experiment_id: z.string() }).optional(),
  }).optional(),
  request_time: z.union([z.string(), z.number()]),
  execution_duration: z.string().optional(),
  state: z.enum(["OK", "ERROR", "IN_PROGRESS", "STATE_UNSPECIFIED"]).optional(),
  request_preview: z.string().optional(),
  response_preview: z.string().optional(),
  trace_metadata: z.record(z.string(), z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
}).loose();

function toTraceInfo(w: z.infer<typeof wireTraceInfo>): TraceInfo {
  const info: TraceInfo = {
    traceId: w.trace_id,
    experimentId: w.trace_location?.mlflow_experiment?.experiment_id ?? "",
    requestTime: timestampMs(w.request_time),
    state: w.state ?? "STATE_UNSPECIFIED",
    metadata: w.trace_metadata ?? {},
    tags: w.tags ?? {},
  };
  if (w.client_request_id !== undefined) info.clientRequestId = w.client_request_id;
  const ms = durationMs(w.execution_duration);
  if (ms !== undefined) info.executionDurationMs = ms;
  if (w.request_preview !== undefined) info.requestPreview = w.request_preview;
  if (w.response_preview !== undefined) info.responsePreview = w.response_preview;
  return info;
}

/** Schema of StartTraceV3 / GetTraceInfoV3 answers: `{ trace: { trace_info } }`. */
export const traceInfoResponse: z.ZodType<TraceInfo, unknown> = z.object({
  trace: z.object({ trace_info: wireTraceInfo }),
}).transform((r) => toTraceInfo(r.trace.trace_info));

/** Schema of a SearchTracesV3 page. */
export const searchTracesResponse: z.ZodType<
  { traces: TraceInfo[]; nextPageToken?: string },
  unknown
> = z.object({
  traces: z.array(wireTraceInfo).optional(),
  next_page_token: z.string().optional(),
}).transform((r) => ({
  traces: (r.traces ?? []).map(toTraceInfo),
  ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}),
}));

type WireAny = {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number | string;
  double_value?: number | string;
  bytes_value?: string;
  array_value?: { values?: WireAny[] };
  kvlist_value?: { values?: { key: string; value?: WireAny }[] };
};

const wireAny: z.ZodType<WireAny> = z.lazy(() =>
  z.object({
    string_value: z.string().optional(),
    bool_value: z.boolean().optional(),
    int_value: z.union([z.number(), z.string()]).optional(),
    double_value: z.union([z.number(), z.string()]).optional(),
    bytes_value: z.string().optional(),
    array_value: z.object({ values: z.array(wireAny).optional() }).optional(),
    kvlist_value: z.object({
      values: z.array(z.object({ key: z.string(), value: wireAny.optional() })).optional(),
    }).optional(),
  })
);

function decodeAny(v: WireAny | undefined): unknown {
  if (v === undefined) return null;
  if (v.string_value !== undefined) return v.string_value;
  if (v.bool_value !== undefined) return v.bool_value;
  if (v.int_value !== undefined) return Number(v.int_value);
  if (v.double_value !== undefined) return Number(v.double_value);
  if (v.bytes_value !== undefined) return v.bytes_value;
  if (v.array_value !== undefined) return (v.array_value.values ?? []).map(decodeAny);
  if (v.kvlist_value !== undefined) {
    return Object.fromEntries(
      (v.kvlist_value.values ?? []).map((kv) => [kv.key, decodeAny(kv.value)]),
    );
  }
  return null;
}

const wireKeyValues = z.array(z.object({ key: z.string(), value: wireAny.optional() })).optional();

function attributes(list: z.infer<typeof wireKeyValues>): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, decodeAny(kv.value)]));
}

function b64Hex(b64: string): string {
  const bin = atob(b64);
  let hex = "";
  for (let i = 0; i < bin.length; i++) hex += bin.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}

/** Nanoseconds (a JSON number or string, possibly beyond 2^53) to fractional milliseconds. */
function nanosMs(v: number | string): number {
  const n = BigInt(typeof v === "number" ? Math.round(v) : v);
  return Number(n / 1000n) / 1000;
}

const wireSpan = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.string().optional(),
  name: z.string().optional(),
  start_time_unix_nano: z.union([z.number(), z.string()]),
  end_time_unix_nano: z.union([z.number(), z.string()]).optional(),
  attributes: wireKeyValues,
  events: z.array(z.object({
    name: z.string().optional(),
    time_unix_nano: z.union([z.number(), z.string()]).optional(),
    attributes: wireKeyValues,
  })).optional(),
  status: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
}).loose();

function toSpan(w: z.infer<typeof wireSpan>): TraceSpan {
  const span: TraceSpan = {
    traceId: b64Hex(w.trace_id),
    spanId: b64Hex(w.span_id),
    name: w.name ?? "",
    startTimeMs: nanosMs(w.start_time_unix_nano),
    attributes: attributes(w.attributes),
    events: (w.events ?? []).map((e) => ({
      name: e.name ?? "",
      timeMs: e.time_unix_nano === undefined ? 0 : nanosMs(e.time_unix_nano),
      attributes: attributes(e.attributes),
    })),
    status: {
      code: w.status?.code ?? "STATUS_CODE_UNSET",
      ...(w.status?.message ? { message: w.status.message } : {}),
    },
  };
  if (w.parent_span_id) span.parentSpanId = b64Hex(w.parent_span_id);
  if (w.end_time_unix_nano !== undefined) span.endTimeMs = nanosMs(w.end_time_unix_nano);
  return span;
}

/** Schema of GetTrace (`traces/get`): info and spans. */
export const traceResponse: z.ZodType<Trace, unknown> = z.object({
  trace: z.object({ trace_info: wireTraceInfo, spans: z.array(wireSpan).optional() }),
}).transform((r) => ({
  info: toTraceInfo(r.trace.trace_info),
  spans: (r.trace.spans ?? []).map(toSpan),
}));

/** Schema of DeleteTraces. */
export const deleteTracesResponse: z.ZodType<number, unknown> = z.object({
  traces_deleted: z.number().int().optional(),
}).transform((r) => r.traces_deleted ?? 0);

/** Schema of QueryTraceMetrics. */
export const traceMetricsResponse: z.ZodType<
  { points: TraceMetricPoint[]; nextPageToken?: string },
  unknown
> = z.object({
  data_points: z.array(z.object({
    metric_name: z.string(),
    dimensions: z.record(z.string(), z.string()).optional(),
    values: z.record(z.string(), z.number()).optional(),
  })).optional(),
  next_page_token: z.string().optional(),
}).transform((r) => ({
  points: (r.data_points ?? []).map((p) => ({
    metricName: p.metric_name,
    dimensions: p.dimensions ?? {},
    values: p.values ?? {},
  })),
  ...(r.next_page_token ? { nextPageToken: r.next_page_token } : {}),
}));
