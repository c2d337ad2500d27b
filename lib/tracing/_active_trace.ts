/**
 * A trace being recorded: its spans, trace-level tags and metadata, and the step that turns
 * it, once its root span ends, into one JSON line for the local store.
 *
 * @module
 */
import type { PriceTable } from "../_internal/cost.ts";
import type { OtlpEvent, OtlpStatusCode } from "../mlflow/otlp.ts";

/** The frozen form of a finished span, as the trace line stores it. */
export interface SpanRecord {
  id: string;
  p?: string;
  n: string;
  ty: string;
  s: number;
  e: number;
  c: OtlpStatusCode;
  m?: string;
  /** Attributes as JSON text. */
  a: string;
  /** Inputs as JSON text. */
  in?: string;
  /** Outputs as JSON text. */
  out?: string;
  ev?: OtlpEvent[];
}

/**
 * What a trace needs of its spans. Structural, so that this file never imports span.ts back
 * (span.ts imports this one; tests/layers_test.ts refuses circles, type-only ones included).
 */
export interface TraceSpan {
  /** Span name. */
  readonly name: string;
  /** Start, microseconds since the epoch. */
  readonly startUs: number;
  /** End, microseconds since the epoch, once ended. */
  endUs: number | undefined;
  /** Ends a span left open when the root ends. */
  _abandon(endUs: number): void;
  /** The frozen record of the span. */
  _freeze(): SpanRecord;
}

/** The settings spans read while recording. */
export interface TraceConfig {
  prices: PriceTable | undefined;
  maxValueChars: number;
  maxSpansPerTrace: number;
  protect: (<T>(value: T) => T) | undefined;
  protectKeys: RegExp | undefined;
}

/** MLflow's request/response previews are cut at 1000 characters by the OSS server. */
const PREVIEW_CHARS = 1000;

/** The stored form of one finished trace (one line of the trace outbox). */
export interface TraceLine {
  v: 1;
  /** OTel trace id, 32 hex. */
  tid: string;
  /** Experiment id on the target server, when known. */
  eid?: string;
  /** Start (ms). */
  t: number;
  /** Duration (ms). */
  d: number;
  /** OK or ERROR. */
  st: "OK" | "ERROR";
  crid?: string;
  tags: Record<string, string>;
  meta: Record<string, string>;
  pre?: string;
  res?: string;
  /** 1: continues a remote caller's trace (spans only; the caller writes the trace info). */
  rem?: 1;
  /** Spans, attributes/inputs/outputs already parsed back from JSON. */
  spans: (Omit<SpanRecord, "a" | "in" | "out"> & {
    a: Record<string, unknown>;
    in?: unknown;
    out?: unknown;
  })[];
}

function spanText(r: SpanRecord): string {
  let t = `{"id":"${r.id}"`;
  if (r.p !== undefined) t += `,"p":"${r.p}"`;
  t += `,"n":${JSON.stringify(r.n)},"ty":${
    JSON.stringify(r.ty)
  },"s":${r.s},"e":${r.e},"c":"${r.c}"`;
  if (r.m !== undefined) t += `,"m":${JSON.stringify(r.m)}`;
  t += `,"a":${r.a}`;
  if (r.in !== undefined) t += `,"in":${r.in}`;
  if (r.out !== undefined) t += `,"out":${r.out}`;
  if (r.ev !== undefined) t += `,"ev":${JSON.stringify(r.ev)}`;
  return t + "}";
}

/** A trace being recorded. */
export class ActiveTrace {
  readonly spans: TraceSpan[] = [];
  root: TraceSpan | undefined;
  error = false;
  finished = false;
  dropped = 0;
  readonly tags: Record<string, string> = {};
  readonly metadata: Record<string, string> = {};
  clientRequestId: string | undefined;
  /** Continues a caller's trace (`traceparent`): the caller writes the trace's info. */
  remote = false;
  #usage: Record<string, number> | undefined;
  #cost: Record<string, number> | undefined;

  constructor(
    readonly otelTraceId: string,
    readonly config: TraceConfig,
    readonly sampled: boolean,
    readonly experimentId: string | undefined,
    readonly write: (line: string, trace: ActiveTrace) => void,
  ) {}

  /** Whether one more span may be recorded (the per-trace cap). */
  admit(): boolean {
    if (this.finished) return false;
    if (this.spans.length < this.config.maxSpansPerTrace) return true;
    this.dropped++;
    return false;
  }

  /** Adds an LLM call's usage and cost to the trace totals. */
  addUsage(usage: Record<string, number>, cost: Record<string, number> | undefined): void {
    const u = (this.#usage ??= {});
    for (const k in usage) u[k] = (u[k] ?? 0) + usage[k]!;
    if (cost) {
      const c = (this.#cost ??= {});
      for (const k in cost) c[k] = (c[k] ?? 0) + cost[k]!;
    }
  }

  spanEnded(span: TraceSpan): void {
    if (span === this.root && !this.finished) this.#finish();
  }

  #finish(): void {
    this.finished = true;
    const root = this.root!;
    if (!this.sampled && !this.error) return; // sampled out, and no error to keep
    const end = root.endUs!;
    for (const s of this.spans) s._abandon(end);
    const spans = this.spans;
    const rootRec = spans[0]!._freeze();
    // Built by concatenation: the values are JSON already, nothing is stringified twice.
    let meta = `{"mlflow.trace_schema.version":"3"`;
    for (const k in this.metadata) {
      meta += `,${JSON.stringify(k)}:${JSON.stringify(this.metadata[k])}`;
    }
    if (this.#usage) {
      meta += `,"mlflow.trace.tokenUsage":${JSON.stringify(JSON.stringify(this.#usage))}`;
    }
    if (this.#cost) meta += `,"mlflow.trace.cost":${JSON.stringify(JSON.stringify(this.#cost))}`;
    if (this.dropped > 0) meta += `,"evalkit.droppedSpans":"${this.dropped}"`;
    let tags = `{"mlflow.traceName":${JSON.stringify(root.name)}`;
    for (const k in this.tags) {
      if (k !== "mlflow.traceName") tags += `,${JSON.stringify(k)}:${JSON.stringify(this.tags[k])}`;
    }
    let line = `{"v":1,"tid":"${this.otelTraceId}"`;
    if (this.experimentId !== undefined) line += `,"eid":${JSON.stringify(this.experimentId)}`;
    line += `,"t":${root.startUs / 1000},"d":${(end - root.startUs) / 1000},"st":"${
      rootRec.c === "ERROR" ? "ERROR" : "OK"
    }"`;
    if (this.clientRequestId !== undefined) {
      line += `,"crid":${JSON.stringify(this.clientRequestId)}`;
    }
    line += `,"tags":${tags}},"meta":${meta}}`;
    if (rootRec.in !== undefined) {
      line += `,"pre":${JSON.stringify(rootRec.in.slice(0, PREVIEW_CHARS))}`;
    }
    if (rootRec.out !== undefined) {
      line += `,"res":${JSON.stringify(rootRec.out.slice(0, PREVIEW_CHARS))}`;
    }
    if (this.remote) line += `,"rem":1`;
    line += `,"spans":[${spanText(rootRec)}`;
    for (let i = 1; i < spans.length; i++) line += "," + spanText(spans[i]!._freeze());
    line += "]}";
    this.write(line, this);
  }
}
