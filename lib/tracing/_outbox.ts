/**
 * The trace outbox: finished traces written to the local store (one JSON line each, one write
 * syscall, before the traced call returns), and a background flusher that sends them to the
 * MLflow server in batches — OTLP spans, then each trace's info — and acknowledges them.
 *
 * Layout under the store folder (next to `runs/`):
 *
 * ```text
 * traces/<segment>.jsonl                 one finished trace per line, in finishing order
 * traces/acks/<target>/<segment>.jsonl   {"a": N}: lines [0, N) delivered; {"a": N, "error"}: line N-1 rejected
 * ```
 *
 * A segment belongs to one writer (its name holds the start time and pid). Both server writes
 * are idempotent (spans are rows keyed by trace and span id; a second StartTraceV3 merges), so a
 * batch sent again after a crash or a lost acknowledgement leaves each trace once on the server.
 *
 * @module
 */
import { classifyFailure } from "../tracking/_delivery.ts";
import { MlflowApiError } from "../_internal/errors.ts";
import { sha256Hex } from "../_internal/digest.ts";
import type { MlflowClient } from "../mlflow/client.ts";
import type { OtlpSpan } from "../mlflow/otlp.ts";
import { AppendLog, readJsonLines } from "../tracking/_outbox.ts";
import type { TraceLine } from "./_active_trace.ts";

/** A stable short key for a tracking URI (the acknowledgement folder's name). */
export function traceTargetKey(uri: string): string {
  return sha256Hex(uri.replace(/\/+$/, "")).slice(0, 16);
}

/** Segments opened by tracers of this process that are still open (not to be replayed). */
const OPEN_SEGMENTS = new Set<string>();

/** Options of {@link TraceOutbox}. */
export interface TraceOutboxOptions {
  /** The store folder. */
  storeDir: string;
  /** Where to deliver; none keeps traces local until synced. */
  client?: MlflowClient;
  /** Experiment for traces recorded without one. */
  experimentId?: string;
  /** Traces per OTLP request. Default 50. */
  maxBatchTraces?: number;
  /** How long a finished trace may wait for more to batch with. Default 50 ms. */
  flushIntervalMs?: number;
  /** Concurrent StartTraceV3 requests per batch. Default 8. */
  concurrency?: number;
  /** Longest wait between attempts while the server is unreachable. Default 10000 ms. */
  maxBackoffMs?: number;
  /** When to send StartTraceV3 after the spans (see `TracerOptions.traceInfo`). Default `"when-needed"`. */
  traceInfo?: "always" | "when-needed";
  /** Send the unacknowledged traces of earlier writers (dead ones) first. Default true. */
  replay?: boolean;
  /** Told about delivery failures (each one; the flusher keeps retrying transient ones). */
  onError?: (error: unknown) => void;
}

/** Delivery counters. */
export interface TraceOutboxStats {
  /** Traces written to the local store by this writer. */
  written: number;
  /** Traces delivered (and acknowledged) by this outbox, replayed ones included. */
  delivered: number;
  /** Traces the server rejected for good (acknowledged with the error). */
  rejected: number;
  /** Traces waiting to be delivered. */
  pending: number;
  /**
   * Traces left in the store because they were recorded without a server and no experiment
   * was named for them now (pass `experimentId`).
   */
  noExperiment?: number;
  /** The last delivery error, if the last attempt failed. */
  lastError?: string;
}

interface Entry {
  segment: string;
  seq: number;
  line: string | TraceLine;
}

/**
 * Whether to keep a trace for a later attempt: anything but the server judging it invalid
 * (the tracking outbox's rule: credentials or permission refused, a URI that is not MLflow's
 * API, no answer — all keep it; see `classifyFailure`).
 */
function isTransient(err: unknown): boolean {
  if (!(err instanceof MlflowApiError)) return true; // network, timeouts, bugs in between
  return classifyFailure(err) !== "rejected";
}

/** Metadata the server derives from the spans alone (no StartTraceV3 needed for it). */
const FROM_SPANS = new Set([
  "mlflow.trace_schema.version",
  "mlflow.trace.tokenUsage",
  "mlflow.trace.cost",
  "mlflow.trace.session",
  "mlflow.trace.user",
  "mlflow.sourceRun",
]);

/** Whether a stored trace needs StartTraceV3 after its spans. */
export function needsTraceInfo(t: TraceLine, mode: "always" | "when-needed"): boolean {
  if (t.rem === 1) return false; // the caller's process writes the info of a continued trace
  if (mode === "always" || t.crid !== undefined) return true;
  for (const k in t.meta) if (!FROM_SPANS.has(k)) return true;
  return false;
}

/**
 * The OTLP spans of a stored trace. The root carries the trace's tags as
 * `mlflow.traceTag.<key>` and its session and user as `session.id` / `user.id`, which the
 * server turns into the trace's tags, session and user (MLflow's own OTLP convention).
 */
export function otlpSpans(t: TraceLine): OtlpSpan[] {
  return t.spans.map((s, i) => {
    const attributes: Record<string, unknown> = { "mlflow.spanType": s.ty, ...s.a };
    if ("in" in s) attributes["mlflow.spanInputs"] = s.in;
    if ("out" in s) attributes["mlflow.spanOutputs"] = s.out;
    if (i === 0 && t.rem !== 1) {
      for (const k in t.tags) attributes[`mlflow.traceTag.${k}`] = t.tags[k];
      const session = t.meta["mlflow.trace.session"];
      const user = t.meta["mlflow.trace.user"];
      if (session !== undefined) attributes["session.id"] = session;
      if (user !== undefined) attributes["user.id"] = user;
    }
    const span: OtlpSpan = {
      traceId: t.tid,
      spanId: s.id,
      name: s.n,
      startUs: s.s,
      endUs: s.e,
      attributes,
      status: { code: s.c, ...(s.m === undefined ? {} : { message: s.m }) },
    };
    if (s.p !== undefined) span.parentSpanId = s.p;
    if (s.ev) span.events = s.ev;
    return span;
  });
}

/** The local trace outbox and its flusher. */
export class TraceOutbox {
  readonly storeDir: string;
  readonly #client: MlflowClient | undefined;
  readonly #experimentId: string | undefined;
  readonly #maxBatch: number;
  readonly #interval: number;
  readonly #concurrency: number;
  readonly #maxBackoff: number;
  readonly #onError: ((e: unknown) => void) | undefined;
  readonly #traceInfo: "always" | "when-needed";
  readonly #segment: string;
  readonly #ackDir: string | undefined;
  #log: AppendLog | undefined;
  #acks = new Map<string, AppendLog>();
  #queue: Entry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sleepResolve: (() => void) | undefined;
  #draining: Promise<void> | undefined;
  #backoff = 0;
  #closed = false;
  #replaying: Promise<void> | undefined;
  #waiters: (() => void)[] = [];
  readonly stats: TraceOutboxStats = { written: 0, delivered: 0, rejected: 0, pending: 0 };

  constructor(options: TraceOutboxOptions) {
    this.storeDir = options.storeDir;
    this.#client = options.client;
    this.#experimentId = options.experimentId;
    this.#maxBatch = options.maxBatchTraces ?? 50;
    this.#interval = options.flushIntervalMs ?? 50;
    this.#concurrency = options.concurrency ?? 8;
    this.#maxBackoff = options.maxBackoffMs ?? 10_000;
    this.#onError = options.onError;
    this.#traceInfo = options.traceInfo ?? "when-needed";
    Deno.mkdirSync(`${this.storeDir}/traces`, { recursive: true });
    const rand = crypto.getRandomValues(new Uint8Array(3));
    this.#segment = `${String(Date.now()).padStart(15, "0")}-${Deno.pid}-${
      Array.from(rand, (b) => b.toString(16).padStart(2, "0")).join("")
    }`;
    OPEN_SEGMENTS.add(this.#segment);
    if (this.#client) {
      this.#ackDir = `${this.storeDir}/traces/acks/${
        traceTargetKey(this.#client.transport.baseUrl)
      }`;
      Deno.mkdirSync(this.#ackDir, { recursive: true });
      if (options.replay ?? true) {
        this.#replaying = this.#loadBacklog().catch((err) => this.#onError?.(err));
        this.#schedule(0);
      }
    }
  }

  /** This writer's segment name. */
  get segment(): string {
    return this.#segment;
  }

  /** Writes a finished trace (one line, one write syscall) and queues it for delivery. */
  append(line: string): void {
    if (this.#closed) throw new Error("Expected an open tracer, but it was closed");
    if (this.#log === undefined) {
      this.#log = AppendLog.open(`${this.storeDir}/traces/${this.#segment}.jsonl`);
    }
    const seq = this.#log.lines;
    this.#log.append(line);
    this.stats.written++;
    if (this.#client) {
      this.#queue.push({ segment: this.#segment, seq, line });
      this.stats.pending = this.#queue.length;
      this.#schedule(this.#interval);
    }
  }

  async #loadBacklog(): Promise<void> {
    const dir = `${this.storeDir}/traces`;
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !e.name.endsWith(".jsonl")) continue;
      const name = e.name.slice(0, -6);
      if (name === this.#segment || OPEN_SEGMENTS.has(name)) continue;
      const pid = Number(name.split("-")[1]);
      if (pid !== Deno.pid && pidAlive(pid)) continue; // its writer is still delivering it
      names.push(name);
    }
    names.sort();
    const backlog: Entry[] = [];
    for (const name of names) {
      const acked = await readAcked(`${this.#ackDir}/${name}.jsonl`);
      const lines = await readJsonLines<TraceLine>(`${dir}/${name}.jsonl`);
      for (let seq = acked; seq < lines.length; seq++) {
        if (lines[seq]!.eid === undefined && this.#experimentId === undefined) {
          // Recorded without a server and no experiment given now: the rest of this segment
          // waits (acknowledgements are a prefix), counted, never rejected.
          this.stats.noExperiment = (this.stats.noExperiment ?? 0) + lines.length - seq;
          break;
        }
        backlog.push({ segment: name, seq, line: lines[seq]! });
      }
    }
    // Earlier writers' traces go first, in their order.
    this.#queue = [...backlog, ...this.#queue];
    this.stats.pending = this.#queue.length;
  }

  #schedule(ms: number): void {
    if (this.#timer !== undefined || this.#draining !== undefined || this.#closed && ms > 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#draining = this.#drain().finally(() => {
        this.#draining = undefined;
        if (this.#queue.length > 0 && !this.#closed) this.#schedule(this.#interval);
      });
    }, ms);
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  async #drain(): Promise<void> {
    if (this.#replaying) {
      await this.#replaying;
      this.#replaying = undefined;
    }
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#maxBatch);
      try {
        await this.#send(batch);
        this.#ack(batch, undefined);
        this.#backoff = 0;
        delete this.stats.lastError;
      } catch (err) {
        this.stats.lastError = err instanceof Error ? err.message : String(err);
        this.#onError?.(err);
        if (isTransient(err)) {
          if (this.#closed) return;
          this.#backoff = Math.min(this.#maxBackoff, this.#backoff === 0 ? 250 : this.#backoff * 2);
          await this.#sleep(this.#backoff);
          if (this.#closed) return;
          continue;
        }
        // Rejected: find the culprits one trace at a time, keep the order.
        for (const entry of batch) {
          try {
            await this.#send([entry]);
            this.#ack([entry], undefined);
          } catch (e) {
            if (isTransient(e)) return; // try again later from here
            this.#ack([entry], e instanceof Error ? e.message : String(e));
          }
        }
      }
    }
    for (const w of this.#waiters.splice(0)) w();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const id = setTimeout(() => {
        this.#sleepResolve = undefined;
        resolve();
      }, ms);
      Deno.unrefTimer(id as unknown as number);
      this.#sleepResolve = () => {
        clearTimeout(id);
        this.#sleepResolve = undefined;
        resolve();
      };
    });
  }

  async #send(batch: Entry[]): Promise<void> {
    const client = this.#client!;
    const traces = batch.map((e) => {
      if (typeof e.line === "string") e.line = JSON.parse(e.line) as TraceLine;
      return e.line;
    });
    // One OTLP request per (experiment, run): the run header links the traces to the run.
    const groups = new Map<string, { eid: string; runId: string | undefined; spans: OtlpSpan[] }>();
    for (const t of traces) {
      const eid = t.eid ?? this.#experimentId;
      if (eid === undefined) {
        throw new MlflowApiError({
          status: 400,
          errorCode: "INVALID_PARAMETER_VALUE",
          endpoint: "/v1/traces",
          method: "POST",
          message: `trace tr-${t.tid} has no experiment id and the tracer names none`,
        });
      }
      const runId = t.rem === 1 ? undefined : t.meta["mlflow.sourceRun"];
      const key = `${eid}\u0000${runId ?? ""}`;
      let g = groups.get(key);
      if (!g) groups.set(key, g = { eid, runId, spans: [] });
      g.spans.push(...otlpSpans(t));
    }
    for (const g of groups.values()) {
      await client.traces.exportSpans(g.eid, g.spans, g.runId ? { runId: g.runId } : {});
    }
    // Then each trace's info, from this same worker (only where the spans cannot say it all).
    const infos = traces.filter((t) => needsTraceInfo(t, this.#traceInfo));
    let next = 0;
    const worker = async () => {
      while (next < infos.length) {
        const t = infos[next++]!;
        await client.traces.start({
          traceId: `tr-${t.tid}`,
          experimentId: (t.eid ?? this.#experimentId)!,
          requestTime: t.t,
          executionDurationMs: t.d,
          state: t.st,
          ...(t.crid === undefined ? {} : { clientRequestId: t.crid }),
          ...(t.pre === undefined ? {} : { requestPreview: t.pre }),
          ...(t.res === undefined ? {} : { responsePreview: t.res }),
          metadata: t.meta,
          tags: t.tags,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, infos.length) }, worker));
  }

  #ack(batch: Entry[], error: string | undefined): void {
    const last = new Map<string, number>();
    for (const e of batch) last.set(e.segment, Math.max(last.get(e.segment) ?? -1, e.seq));
    for (const [segment, seq] of last) {
      let log = this.#acks.get(segment);
      if (!log) this.#acks.set(segment, log = AppendLog.open(`${this.#ackDir}/${segment}.jsonl`));
      log.append(JSON.stringify(error === undefined ? { a: seq + 1 } : { a: seq + 1, error }));
    }
    this.#queue.splice(0, batch.length);
    if (error === undefined) this.stats.delivered += batch.length;
    else this.stats.rejected += batch.length;
    this.stats.pending = this.#queue.length;
  }

  /**
   * Waits until every trace written so far is delivered (or rejected), or `timeoutMs` passes
   * (then the rest stays in the store for the next writer or `syncTraces`). Returns the counters.
   */
  async flush(options: { timeoutMs?: number } = {}): Promise<TraceOutboxStats> {
    if (!this.#client) return { ...this.stats };
    if (this.#queue.length === 0 && !this.#replaying && !this.#draining) return { ...this.stats };
    const done = new Promise<void>((resolve) => this.#waiters.push(resolve));
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#sleepResolve?.(); // cut a backoff short
    if (!this.#draining) this.#schedule(0);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs ?? 30_000);
    });
    await Promise.race([done, timeout]);
    clearTimeout(timer);
    return { ...this.stats };
  }

  /** Flushes (within `timeoutMs`), stops the flusher and closes the files. */
  async close(options: { timeoutMs?: number } = {}): Promise<TraceOutboxStats> {
    if (this.#closed) return { ...this.stats };
    const stats = await this.flush(options);
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sleepResolve?.();
    await this.#draining;
    this.#log?.close();
    for (const log of this.#acks.values()) log.close();
    OPEN_SEGMENTS.delete(this.#segment);
    return { ...stats, pending: this.#queue.length };
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch {
    return false;
  }
}

async function readAcked(path: string): Promise<number> {
  let acked = 0;
  for (const l of await readJsonLines<{ a?: number }>(path)) {
    if (typeof l.a === "number") acked = Math.max(acked, l.a);
  }
  return acked;
}
