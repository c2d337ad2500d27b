/**
 * `Tracer`: records traces (spans with types, inputs, outputs, token usage and cost), keeps the
 * current span across `await`, writes each finished trace to the local store and delivers it
 * to MLflow in the background.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MlflowClient } from "../mlflow/client.ts";
import type { PriceTable } from "../_internal/cost.ts";
import { defaultStoreDir } from "../tracking/_outbox.ts";
import { newTraceId } from "./_ids.ts";
import { ActiveTrace, type TraceConfig } from "./_active_trace.ts";
import { TraceOutbox, type TraceOutboxStats } from "./_outbox.ts";
import { keysPattern } from "./_serialize.ts";
import { createProtector } from "../_internal/personal_data.ts";
import { DEFAULT_PERSONAL_DATA_RULES, type PersonalDataRules } from "../tracking/personal_data.ts";
import { Span, type SpanTypeName } from "./span.ts";
import { parseTraceparent } from "./traceparent.ts";

/** The context that carries the current span across `await`. */
export const spanContext: AsyncLocalStorage<Span> = new AsyncLocalStorage<Span>();

/** Options of {@link Tracer}. */
export interface TracerOptions {
  /** The MLflow server to deliver to. None: traces stay in the local store until synced. */
  client?: MlflowClient;
  /** Experiment the traces belong to (needed with `client`). */
  experimentId?: string;
  /** The local store folder. Default `$EVALKIT_HOME/store` or `.evalkit/store`. */
  storeDir?: string;
  /** Fraction of traces kept, 0–1 (by trace id). Traces with an error are always kept. Default 1. */
  sampleRate?: number;
  /** Link every trace to this run (`mlflow.sourceRun`; shown in the run's Traces tab). */
  runId?: string;
  /** Link every trace to this logged model (`mlflow.modelId`; "Agent versions"). */
  modelId?: string;
  /** Prices for the cost of LLM spans (the project's cost model). */
  prices?: PriceTable;
  /**
   * The project's personal-data rule applied to span inputs, outputs and attributes at every
   * depth: fields to replace by their pseudonym `pd_<16 hex>` and fields to drop. Default
   * {@link DEFAULT_PERSONAL_DATA_RULES} (the decision log's); `false` turns it off.
   */
  personalData?: PersonalDataRules | false;
  /** Largest JSON text of one value (inputs, outputs, attributes) kept. Default 65536. */
  maxValueChars?: number;
  /** Spans kept per trace; more are counted in `evalkit.droppedSpans`. Default 1000. */
  maxSpansPerTrace?: number;
  /** Delivery: traces per OTLP request (default 50), batching wait (default 50 ms). */
  flush?: {
    maxBatchTraces?: number;
    intervalMs?: number;
    concurrency?: number;
    maxBackoffMs?: number;
  };
  /**
   * When to send the trace's info (StartTraceV3) after its spans: `"when-needed"` (default)
   * only for traces carrying what OTLP cannot (a client request id, a logged-model link, other
   * metadata) — the server builds the rest from the spans: state, timing, previews, name and
   * tags, session, user, token usage, cost, run link; `"always"` for every trace.
   */
  traceInfo?: "always" | "when-needed";
  /** Send traces left unsent by earlier (dead) writers first. Default true. */
  replay?: boolean;
  /** Told about each delivery failure (the flusher keeps retrying transient ones). */
  onError?: (error: unknown) => void;
}

/** Options of a span. */
export interface SpanOptions {
  /** Span type. Default `UNKNOWN` (`trace()` and root spans: `CHAIN`). */
  spanType?: SpanTypeName;
  /** Inputs. */
  inputs?: unknown;
  /** Attributes. */
  attributes?: Record<string, unknown>;
  /** Parent span; default the current one. `null` starts a new trace. */
  parent?: Span | null;
  /** Continue a caller's trace from a W3C `traceparent` header (root spans only). */
  traceparent?: string;
}

/** Trace-level fields a root span (or {@link updateCurrentTrace}) sets. */
export interface TraceUpdate {
  /** Tags (mutable on the server). */
  tags?: Record<string, string>;
  /** Metadata (immutable once written). */
  metadata?: Record<string, string>;
  /** Session id (`mlflow.trace.session`). */
  session?: string;
  /** User id (`mlflow.trace.user`). */
  user?: string;
  /** The caller's request id (`client_request_id`). */
  clientRequestId?: string;
  /** Link to a run (`mlflow.sourceRun`). */
  runId?: string;
  /** Link to a logged model (`mlflow.modelId`). */
  modelId?: string;
}

/** Applies a {@link TraceUpdate} to a trace being recorded. */
export function applyTraceUpdate(trace: ActiveTrace, update: TraceUpdate): void {
  for (const [k, v] of Object.entries(update.tags ?? {})) trace.tags[k] = String(v);
  for (const [k, v] of Object.entries(update.metadata ?? {})) trace.metadata[k] = String(v);
  if (update.session !== undefined) trace.metadata["mlflow.trace.session"] = update.session;
  if (update.user !== undefined) trace.metadata["mlflow.trace.user"] = update.user;
  if (update.runId !== undefined) trace.metadata["mlflow.sourceRun"] = update.runId;
  if (update.modelId !== undefined) trace.metadata["mlflow.modelId"] = update.modelId;
  if (update.clientRequestId !== undefined) trace.clientRequestId = update.clientRequestId;
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}

/**
 * Records traces and delivers them. Spans nest by the current span (kept across `await` with
 * AsyncLocalStorage); ending a root span finishes its trace, which is written to the local
 * store before the call returns and sent to MLflow by a background flusher (OTLP spans, then
 * StartTraceV3) that never blocks the caller. Close it (`await using`) to deliver what is left.
 *
 * @example
 * ```ts
 * import { Tracer, SpanType } from "@evalkit/evalkit/tracing";
 * await using tracer = new Tracer({ storeDir: await Deno.makeTempDir(), sampleRate: 1 });
 * const decide = tracer.trace("decide", async (application: { income: number }) => {
 *   await tracer.withSpan("rules", () => application.income > 40000, { spanType: SpanType.TOOL });
 *   return { approved: application.income > 40000 };
 * }, { spanType: SpanType.AGENT });
 * const out = await decide({ income: 52000 });
 * if (!out.approved) throw new Error("unexpected");
 * ```
 */
export class Tracer implements AsyncDisposable {
  readonly #config: TraceConfig;
  readonly #sampleRate: number;
  readonly #defaults: TraceUpdate;
  readonly #hasDefaults: boolean;
  readonly #experimentId: string | undefined;
  readonly #outbox: TraceOutbox;

  /** Creates a tracer; opens its segment of the local store lazily, on the first trace. */
  constructor(options: TracerOptions = {}) {
    const rate = options.sampleRate ?? 1;
    if (!(rate >= 0 && rate <= 1)) {
      throw new RangeError(`Expected sampleRate to be in [0, 1] but found ${options.sampleRate}`);
    }
    if (options.client && !options.experimentId) {
      throw new TypeError("Expected experimentId with client: traces belong to an experiment");
    }
    this.#sampleRate = rate;
    this.#experimentId = options.experimentId;
    const rules = options.personalData === false
      ? undefined
      : options.personalData ?? DEFAULT_PERSONAL_DATA_RULES;
    this.#config = {
      prices: options.prices,
      maxValueChars: options.maxValueChars ?? 65_536,
      maxSpansPerTrace: options.maxSpansPerTrace ?? 1000,
      protect: rules ? createProtector(rules) : undefined,
      protectKeys: rules ? keysPattern([...(rules.hash ?? []), ...(rules.drop ?? [])]) : undefined,
    };
    this.#defaults = {
      ...(options.runId ? { runId: options.runId } : {}),
      ...(options.modelId ? { modelId: options.modelId } : {}),
    };
    this.#hasDefaults = Object.keys(this.#defaults).length > 0;
    this.#outbox = new TraceOutbox({
      storeDir: options.storeDir ?? defaultStoreDir(),
      ...(options.client ? { client: options.client } : {}),
      ...(options.experimentId ? { experimentId: options.experimentId } : {}),
      ...(options.flush?.maxBatchTraces ? { maxBatchTraces: options.flush.maxBatchTraces } : {}),
      ...(options.flush?.intervalMs !== undefined
        ? { flushIntervalMs: options.flush.intervalMs }
        : {}),
      ...(options.flush?.concurrency ? { concurrency: options.flush.concurrency } : {}),
      ...(options.flush?.maxBackoffMs ? { maxBackoffMs: options.flush.maxBackoffMs } : {}),
      ...(options.replay === undefined ? {} : { replay: options.replay }),
      ...(options.traceInfo ? { traceInfo: options.traceInfo } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /**
   * Starts a span: a child of `options.parent` or the current span, else the root of a new
   * trace. It becomes the current span until it ends; end it with `end()` or `await using`.
   */
  startSpan(name: string, options: SpanOptions = {}): Span {
    const span = this.#create(name, options);
    if (span.isRecording) {
      const previous = spanContext.getStore();
      spanContext.enterWith(span);
      span._restore = () => spanContext.enterWith(previous as Span);
    }
    return span;
  }

  /**
   * Runs `fn` in a new span (current inside it) and ends it: outputs from the return value
   * unless set, a thrown error recorded with status ERROR and rethrown.
   */
  withSpan<T>(name: string, fn: (span: Span) => T, options: SpanOptions = {}): T {
    const span = this.#create(name, options);
    return spanContext.run(span, runInSpan<T>, span, fn);
  }

  /**
   * Wraps a function so each call is a span (a trace of its own when no span is current):
   * inputs from the arguments (the argument itself when there is one, else `{ args }`), outputs
   * from the result, errors recorded.
   */
  trace<A extends unknown[], R>(
    name: string,
    fn: (...args: A) => R,
    options: Omit<SpanOptions, "inputs"> = {},
  ): (...args: A) => R {
    const opts = { spanType: "CHAIN", ...options };
    return (...args: A): R =>
      this.withSpan(name, () => fn(...args), {
        ...opts,
        inputs: args.length === 1 ? args[0] : { args },
      });
  }

  /** The delivery counters. */
  get stats(): TraceOutboxStats {
    return { ...this.#outbox.stats };
  }

  /** Waits until every finished trace is delivered (or `timeoutMs` passes). */
  flush(options: { timeoutMs?: number } = {}): Promise<TraceOutboxStats> {
    return this.#outbox.flush(options);
  }

  /** Delivers what is left (within `timeoutMs`, default 30 s) and stops the flusher. */
  close(options: { timeoutMs?: number } = {}): Promise<TraceOutboxStats> {
    return this.#outbox.close(options);
  }

  /** Same as {@link Tracer.close}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #create(name: string, options: SpanOptions): Span {
    const parent = options.parent === null ? undefined : options.parent ?? spanContext.getStore();
    let span: Span;
    if (parent && parent._trace && !parent._trace.finished) {
      const trace = parent._trace;
      if (!trace.admit()) return new Span(undefined, name, "UNKNOWN", undefined);
      span = new Span(trace, name, options.spanType ?? "UNKNOWN", parent.spanId);
      trace.spans.push(span);
    } else {
      const remote = options.traceparent ? parseTraceparent(options.traceparent) : undefined;
      const otelTraceId = remote?.traceId ?? newTraceId();
      const sampled = remote ? remote.sampled : this.#sample(otelTraceId);
      const trace = new ActiveTrace(
        otelTraceId,
        this.#config,
        sampled,
        this.#experimentId,
        (line) => this.#outbox.append(line),
      );
      span = new Span(trace, name, options.spanType ?? "CHAIN", remote?.parentSpanId);
      trace.root = span;
      if (remote) trace.remote = true;
      trace.spans.push(span);
      if (this.#hasDefaults) applyTraceUpdate(trace, this.#defaults);
    }
    if (options.inputs !== undefined) span.setInputs(options.inputs);
    if (options.attributes) span.setAttributes(options.attributes);
    return span;
  }

  #sample(otelTraceId: string): boolean {
    if (this.#sampleRate >= 1) return true;
    if (this.#sampleRate <= 0) return false;
    return parseInt(otelTraceId.slice(0, 8), 16) / 0x1_0000_0000 < this.#sampleRate;
  }
}

/** Runs `fn(span)` and ends the span with its result or error (sync or async). */
export function runInSpan<T>(span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = fn(span);
  } catch (err) {
    span.recordException(err);
    span.end();
    throw err;
  }
  if (isPromiseLike(result)) {
    return (result as PromiseLike<unknown>).then(
      (value) => {
        if (!span._hasOutputs && value !== undefined) span.setOutputs(value);
        span.end();
        return value;
      },
      (err) => {
        span.recordException(err);
        span.end();
        throw err;
      },
    ) as T;
  }
  if (!span._hasOutputs && result !== undefined) span.setOutputs(result);
  span.end();
  return result;
}
