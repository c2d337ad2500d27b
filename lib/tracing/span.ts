/**
 * `Span`: one timed step of a trace (an agent call, a rule check, an LLM call) with its type,
 * inputs, outputs, attributes, events and status, in MLflow's attribute names.
 *
 * @module
 */
import type { OtlpEvent, OtlpStatusCode } from "../mlflow/otlp.ts";
import { priceOf, type PriceTable, usageCostUsd } from "../_internal/cost.ts";
import { newSpanId, nowUs } from "./_ids.ts";
import { scrubString, toSpanJson } from "./_serialize.ts";
import type { ActiveTrace, SpanRecord } from "./_active_trace.ts";

/**
 * MLflow's span types (`mlflow.spanType`); any other string is allowed too.
 *
 * @example
 * ```ts
 * import { SpanType } from "@evalkit/evalkit/tracing";
 * if (SpanType.LLM !== "LLM") throw new Error();
 * ```
 */
export const SpanType: Readonly<{ [K in SpanTypeKnown]: K }> = Object.freeze(
  {
    AGENT: "AGENT",
    CHAIN: "CHAIN",
    LLM: "LLM",
    CHAT_MODEL: "CHAT_MODEL",
    TOOL: "TOOL",
    RETRIEVER: "RETRIEVER",
    PARSER: "PARSER",
    EMBEDDING: "EMBEDDING",
    RERANKER: "RERANKER",
    MEMORY: "MEMORY",
    GUARDRAIL: "GUARDRAIL",
    EVALUATOR: "EVALUATOR",
    TASK: "TASK",
    UNKNOWN: "UNKNOWN",
  } as const,
);

/** The span types MLflow knows. */
export type SpanTypeKnown =
  | "AGENT"
  | "CHAIN"
  | "LLM"
  | "CHAT_MODEL"
  | "TOOL"
  | "RETRIEVER"
  | "PARSER"
  | "EMBEDDING"
  | "RERANKER"
  | "MEMORY"
  | "GUARDRAIL"
  | "EVALUATOR"
  | "TASK"
  | "UNKNOWN";

/** A span type: one of {@link SpanType} or a custom string. */
export type SpanTypeName = SpanTypeKnown | (string & Record<never, never>);

/** Token usage of one LLM call, as the project's cost model counts it. */
export interface SpanTokenUsage {
  /** Prompt tokens billed at the input price (cached ones excluded). */
  inputTokens: number;
  /** Completion tokens. */
  outputTokens: number;
  /** Prompt tokens read from the provider's cache. */
  cachedInputTokens?: number;
  /** Prompt tokens written to the provider's cache. */
  cacheCreationInputTokens?: number;
}

/** Which model an LLM call used (for `mlflow.llm.model` / `mlflow.llm.provider` and the price). */
export interface LlmCallInfo {
  /** Model name, looked up in the tracer's price table. */
  model?: string;
  /** Provider, e.g. `openai`. */
  provider?: string;
  /** Prices to use instead of the tracer's. */
  prices?: PriceTable;
}

const UNSET = Symbol("unset");
const MAX_EVENTS = 128;
const MAX_STACK_CHARS = 4000;

/**
 * A span of a trace. Created by a {@link Tracer} (`withSpan`, `startSpan`, `trace`); a span
 * outside any trace (from the free `withSpan` with no current span) records nothing.
 *
 * Values set on a span are serialized when the span ends: secrets removed, personal data
 * protected by the tracer's rule, text beyond the size cap cut with the cut marked.
 *
 * @example
 * ```ts
 * import { Tracer, SpanType } from "@evalkit/evalkit/tracing";
 * await using tracer = new Tracer({ storeDir: await Deno.makeTempDir() });
 * await tracer.withSpan("decide", async (span) => {
 *   span.setInputs({ income: 52000 });
 *   await tracer.withSpan("llm", (llm) => {
 *     llm.setTokenUsage({ inputTokens: 120, outputTokens: 30 }, { model: "gpt-4o-mini", provider: "openai" });
 *   }, { spanType: SpanType.LLM });
 *   span.setOutputs({ approved: true });
 * }, { spanType: SpanType.AGENT });
 * ```
 */
export class Span implements Disposable, AsyncDisposable {
  /** Span name. */
  readonly name: string;
  /** Span type (`mlflow.spanType`). */
  readonly spanType: string;
  /** 16 hex digits. */
  readonly spanId: string;
  /** The parent's span id; undefined on a root span. */
  readonly parentSpanId: string | undefined;
  /** Start, microseconds since the epoch. */
  readonly startUs: number;
  /** End, microseconds since the epoch, once ended. */
  endUs: number | undefined;
  /** @internal The trace this span belongs to (undefined: not recording). */
  readonly _trace: ActiveTrace | undefined;
  /** @internal What the current span was before this one was activated. */
  _restore: (() => void) | undefined;
  #attrs: Record<string, unknown> | undefined;
  #inputs: unknown = UNSET;
  #outputs: unknown = UNSET;
  #events: OtlpEvent[] | undefined;
  #status: OtlpStatusCode = "UNSET";
  #message: string | undefined;
  #record: SpanRecord | undefined;

  /** @internal Use a {@link Tracer} to create spans. */
  constructor(
    trace: ActiveTrace | undefined,
    name: string,
    spanType: string,
    parentSpanId: string | undefined,
    spanId: string = trace ? newSpanId() : "0000000000000000",
  ) {
    this._trace = trace;
    this.name = name;
    this.spanType = spanType;
    this.parentSpanId = parentSpanId;
    this.spanId = spanId;
    this.startUs = trace ? nowUs() : 0;
  }

  /** Whether this span records anything (false outside a trace). */
  get isRecording(): boolean {
    return this._trace !== undefined;
  }

  /** The MLflow trace id (`tr-` + 32 hex), or "" when not recording. */
  get traceId(): string {
    return this._trace ? `tr-${this._trace.otelTraceId}` : "";
  }

  /** Whether the span has an ERROR status. */
  get failed(): boolean {
    return this.#status === "ERROR";
  }

  /** @internal Whether outputs were set. */
  get _hasOutputs(): boolean {
    return this.#outputs !== UNSET;
  }

  /** Sets the inputs (`mlflow.spanInputs`). */
  setInputs(inputs: unknown): this {
    if (this._trace && this.endUs === undefined) this.#inputs = inputs;
    return this;
  }

  /** Sets the outputs (`mlflow.spanOutputs`). */
  setOutputs(outputs: unknown): this {
    if (this._trace && this.endUs === undefined) this.#outputs = outputs;
    return this;
  }

  /** Sets one attribute (any JSON value). */
  setAttribute(key: string, value: unknown): this {
    if (!this._trace || this.endUs !== undefined) return this;
    (this.#attrs ??= {})[key] = value;
    return this;
  }

  /** Sets several attributes. */
  setAttributes(attributes: Record<string, unknown>): this {
    if (!this._trace || this.endUs !== undefined) return this;
    const a = (this.#attrs ??= {});
    for (const k in attributes) a[k] = attributes[k];
    return this;
  }

  /** Adds an event (at most 128 per span). */
  addEvent(name: string, attributes?: Record<string, unknown>): this {
    if (!this._trace || this.endUs !== undefined) return this;
    const events = (this.#events ??= []);
    if (events.length < MAX_EVENTS) {
      events.push({ name, timeUs: nowUs(), ...(attributes ? { attributes } : {}) });
    }
    return this;
  }

  /** Records an exception as an `exception` event and sets the status to ERROR. */
  recordException(error: unknown): this {
    if (!this._trace || this.endUs !== undefined) return this;
    const e = error instanceof Error ? error : new Error(String(error));
    this.addEvent("exception", {
      "exception.type": e.name,
      "exception.message": scrubString(e.message),
      ...(e.stack
        ? { "exception.stacktrace": scrubString(e.stack.slice(0, MAX_STACK_CHARS)) }
        : {}),
    });
    return this.setStatus("ERROR", `${e.name}: ${scrubString(e.message)}`);
  }

  /** Sets the status (`OK`, `ERROR`; spans end `OK` unless set). */
  setStatus(code: "OK" | "ERROR" | "UNSET", message?: string): this {
    if (!this._trace || this.endUs !== undefined) return this;
    this.#status = code;
    this.#message = message;
    if (code === "ERROR") this._trace.error = true;
    return this;
  }

  /**
   * Records an LLM call's token usage and cost in MLflow's attribute names:
   * `mlflow.chat.tokenUsage` (`input_tokens` counts every prompt token, cached ones included),
   * `mlflow.llm.cost` (USD, from the project's cost model and the tracer's price table; only
   * when the model's price is known), `mlflow.llm.model`, `mlflow.llm.provider`.
   */
  setTokenUsage(usage: SpanTokenUsage, call: LlmCallInfo = {}): this {
    if (!this._trace || this.endUs !== undefined) return this;
    for (const k of ["inputTokens", "outputTokens"] as const) {
      if (!Number.isFinite(usage[k]) || usage[k] < 0) {
        throw new RangeError(`Expected usage.${k} to be a number >= 0 but found ${usage[k]}`);
      }
    }
    const cached = usage.cachedInputTokens ?? 0;
    const input = usage.inputTokens + cached;
    const tokenUsage: Record<string, number> = {
      input_tokens: input,
      output_tokens: usage.outputTokens,
      total_tokens: input + usage.outputTokens,
    };
    if (usage.cachedInputTokens !== undefined) tokenUsage.cache_read_input_tokens = cached;
    if (usage.cacheCreationInputTokens !== undefined) {
      tokenUsage.cache_creation_input_tokens = usage.cacheCreationInputTokens;
    }
    this.setAttribute("mlflow.chat.tokenUsage", tokenUsage);
    if (call.model) this.setAttribute("mlflow.llm.model", call.model);
    if (call.provider) this.setAttribute("mlflow.llm.provider", call.provider);
    const prices = call.prices ?? this._trace.config.prices;
    const price = call.model && prices ? priceOf(call.model, prices) : undefined;
    let cost: Record<string, number> | undefined;
    if (price) {
      const inputCost = usageCostUsd(
        { inputTokens: usage.inputTokens, outputTokens: 0, cachedInputTokens: cached },
        price,
      );
      const outputCost = usageCostUsd({ inputTokens: 0, outputTokens: usage.outputTokens }, price);
      cost = { input_cost: inputCost, output_cost: outputCost, total_cost: inputCost + outputCost };
      this.setAttribute("mlflow.llm.cost", cost);
    }
    this._trace.addUsage(tokenUsage, cost);
    return this;
  }

  /**
   * Ends the span (once; later calls do nothing). A span without a status ends OK. Ending
   * the root span finishes the trace: it is written to the local store before this returns.
   */
  end(options: { outputs?: unknown; status?: "OK" | "ERROR" } = {}): void {
    const trace = this._trace;
    if (!trace || this.endUs !== undefined) return;
    if (options.outputs !== undefined) this.#outputs = options.outputs;
    if (options.status) this.setStatus(options.status);
    this.endUs = Math.max(nowUs(), this.startUs);
    if (this.#status === "UNSET") this.#status = "OK";
    const restore = this._restore;
    this._restore = undefined;
    restore?.();
    if (trace.sampled) this._freeze();
    trace.spanEnded(this);
  }

  /** Ends the span (for `using`). */
  [Symbol.dispose](): void {
    this.end();
  }

  /** Ends the span (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.end();
    return Promise.resolve();
  }

  /** @internal Ends a span left open when its root ended: status UNSET, marked unfinished. */
  _abandon(endUs: number): void {
    if (this.endUs !== undefined) return;
    (this.#attrs ??= {})["evalkit.unfinished"] = true;
    this.endUs = endUs;
  }

  /** @internal The JSON-ready record; serializes the values once. */
  _freeze(): SpanRecord {
    if (this.#record) return this.#record;
    const cfg = this._trace!.config;
    const opts = {
      maxChars: cfg.maxValueChars,
      ...(cfg.protect ? { protect: cfg.protect } : {}),
      ...(cfg.protectKeys ? { protectKeys: cfg.protectKeys } : {}),
    };
    const rec: SpanRecord = {
      id: this.spanId,
      n: this.name,
      ty: this.spanType,
      s: this.startUs,
      e: this.endUs ?? this.startUs,
      c: this.#status,
      a: this.#attrs ? toSpanJson(this.#attrs, opts) : "{}",
    };
    if (this.parentSpanId !== undefined) rec.p = this.parentSpanId;
    if (this.#message !== undefined) rec.m = this.#message;
    if (this.#inputs !== UNSET) rec.in = toSpanJson(this.#inputs, opts);
    if (this.#outputs !== UNSET) rec.out = toSpanJson(this.#outputs, opts);
    if (this.#events) {
      rec.ev = this.#events.map((e) =>
        e.attributes ? { ...e, attributes: JSON.parse(toSpanJson(e.attributes, opts)) } : e
      );
    }
    this.#record = rec;
    return rec;
  }
}
