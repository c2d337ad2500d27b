/**
 * Delivery of one run's outbox operations to one MLflow server, in order, coalescing
 * consecutive metrics/params/tags into log-batch requests, recording each acknowledged
 * prefix in the run's acknowledgement log. The same engine serves the live flusher (ops
 * pushed as they are logged) and replay (`sync`, restart: ops read back from `ops.jsonl`).
 *
 * @module
 */
import type { MetricInput } from "../mlflow/types.ts";
import type { TrackingClient } from "./_client.ts";
import {
  type AckMapping,
  AppendLog,
  decodeValue,
  type Op,
  readAcks,
  readJsonLines,
  type RunPaths,
  targetKey,
} from "./_outbox.ts";

/**
 * Most entities coalesced into one `client.runs.logBatch` call = one request within the
 * server's limits (1000 metrics, 100 params, 100 tags, 1000 entities, < 1 MB) = one
 * acknowledgement. (Larger calls split into concurrent requests measured slower against a
 * SQLite-backed server: it serialises writes.) A single operation bigger than this is sent
 * alone and split by `logBatch`.
 */
export const MAX_METRICS = 1000;
const MAX_PARAMS = 100;
const MAX_TAGS = 100;
const MAX_ENTITIES = 1000;
const MAX_BYTES = 800_000;

/** Tag that ties a server run to its local outbox run (makes create idempotent on replay). */
export const LOCAL_RUN_TAG = "evalkit.local_run_id";

/** Whether an error means "try again later" rather than "this request is wrong". */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error) || err.name !== "MlflowApiError") return false; // validation, missing file
  const status = (err as { status?: unknown }).status;
  if (typeof status !== "number") return true;
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** Options for {@link Delivery.open}. */
export interface DeliveryOptions {
  client: TrackingClient;
  uri: string;
  paths: RunPaths;
  /** Operations already known (replay); default: read from ops.jsonl. */
  ops?: Op[];
  /** First backoff after a transient failure. Default 200 ms. */
  baseBackoffMs?: number;
  /** Longest backoff. Default 5000 ms. */
  maxBackoffMs?: number;
}

/** Sends one run's operations to one server and records acknowledgements. */
export class Delivery {
  /** Operations not yet trimmed; `#ops[i]` has sequence number `#base + i`. */
  #ops: Op[];
  #base = 0;
  mapping?: AckMapping;
  /** Local model id → server logged model. */
  readonly models: Map<string, { id: string; artifactUri: string }>;
  /** Permanent rejections (seq and message). */
  readonly errors: { seq: number; error: string }[];
  /** Last transient failure, cleared on success. */
  lastError?: unknown;
  #client: TrackingClient;
  #uri: string;
  #paths: RunPaths;
  #ackLog: AppendLog;
  #acked: number;
  #pump?: Promise<void>;
  #closed = false;
  #isolateUntil = 0;
  #failures = 0;
  #baseBackoff: number;
  #maxBackoff: number;
  #sleepTimer?: ReturnType<typeof setTimeout>;
  #sleepResolve?: () => void;
  #waiters: { upto: number; untilFailure: boolean; resolve: (ok: boolean) => void }[] = [];

  private constructor(
    options: DeliveryOptions,
    ops: Op[],
    ackLog: AppendLog,
    state: Awaited<ReturnType<typeof readAcks>>,
  ) {
    this.#client = options.client;
    this.#uri = options.uri;
    this.#paths = options.paths;
    this.#ops = ops;
    this.#ackLog = ackLog;
    this.#acked = state.acked;
    this.mapping = state.mapping;
    this.models = state.models;
    this.errors = state.errors;
    this.#baseBackoff = options.baseBackoffMs ?? 200;
    this.#maxBackoff = options.maxBackoffMs ?? 5000;
  }

  /** Opens delivery of a run to a server, reading what was already acknowledged. */
  static async open(options: DeliveryOptions): Promise<Delivery> {
    const key = await targetKey(options.uri);
    await Deno.mkdir(options.paths.acksDir, { recursive: true });
    const ackPath = options.paths.ack(key);
    const state = await readAcks(ackPath);
    const ops = options.ops ?? await readJsonLines<Op>(options.paths.ops);
    return new Delivery(options, ops, AppendLog.open(ackPath), state);
  }

  /** Number of operations known (acknowledged or not). */
  get #total(): number {
    return this.#base + this.#ops.length;
  }

  #op(seq: number): Op {
    return this.#ops[seq - this.#base]!;
  }

  /** Operations acknowledged so far (a prefix of the run's operations). */
  get acked(): number {
    return this.#acked;
  }

  /** Operations not yet acknowledged. */
  get pending(): number {
    return this.#total - this.#acked;
  }

  /** Records an externally completed create (the tracker created the run itself). */
  recordCreated(mapping: AckMapping): void {
    this.mapping = mapping;
    this.#ackLog.append(JSON.stringify(mapping));
    this.#ack(1);
  }

  /** Appends an operation and starts sending if idle. */
  push(op: Op): void {
    this.#ops.push(op);
    if (this.#pump === undefined && !this.#closed) this.#pump = this.#run();
  }

  /** Starts sending whatever is pending (replay). */
  start(): void {
    if (this.#pump === undefined && !this.#closed && this.pending > 0) this.#pump = this.#run();
  }

  /**
   * Resolves true once every operation pushed before the call is acknowledged, false when
   * `timeoutMs` passes first or delivery is closed (or, with `untilFailure`, at the first
   * transient failure).
   */
  flush(timeoutMs = Infinity, options: { untilFailure?: boolean } = {}): Promise<boolean> {
    const upto = this.#total;
    if (this.#acked >= upto) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    this.start();
    return new Promise<boolean>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = {
        upto,
        untilFailure: options.untilFailure ?? false,
        resolve: (ok: boolean) => {
          if (timer !== undefined) clearTimeout(timer);
          resolve(ok);
        },
      };
      this.#waiters.push(waiter);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  /** Stops sending (pending operations stay in the outbox for a later sync). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#sleepTimer !== undefined) clearTimeout(this.#sleepTimer);
    this.#sleepResolve?.();
    await this.#pump;
    for (const w of this.#waiters.splice(0)) w.resolve(this.#acked >= w.upto);
    this.#ackLog.close();
  }

  #ack(
    upto: number,
    extra?: { error?: string; model?: { local: string; id: string; artifactUri: string } },
  ) {
    this.#acked = upto;
    this.#ackLog.append(JSON.stringify({ a: upto, ...extra }));
    if (this.#waiters.length > 0) {
      const still = [];
      for (const w of this.#waiters) {
        if (this.#acked >= w.upto) w.resolve(true);
        else still.push(w);
      }
      this.#waiters = still;
    }
  }

  async #run(): Promise<void> {
    try {
      while (!this.#closed && this.#acked < this.#total) {
        const start = this.#acked;
        try {
          await this.#sendFrom(start);
          this.#failures = 0;
          this.lastError = undefined;
        } catch (err) {
          if (this.#closed) break;
          if (isTransient(err)) {
            this.lastError = err;
            this.#failures++;
            if (this.#waiters.some((w) => w.untilFailure)) {
              for (const w of this.#waiters.filter((w) => w.untilFailure)) w.resolve(false);
              this.#waiters = this.#waiters.filter((w) => !w.untilFailure);
            }
            const delay = Math.min(this.#maxBackoff, this.#baseBackoff * 2 ** (this.#failures - 1));
            await this.#sleep(delay);
          } else if (this.#batchSpan(start) <= 1) {
            // One operation the server rejects for good: record it and move on.
            const error = err instanceof Error ? err.message : String(err);
            this.errors.push({ seq: start, error });
            this.#ack(start + 1, { error });
          } else {
            // Re-send the batch one operation at a time to find the rejected one.
            this.#isolateUntil = start + this.#batchSpan(start);
          }
        }
      }
    } finally {
      this.#pump = undefined;
      if (this.#closed) {
        for (const w of this.#waiters.splice(0)) w.resolve(this.#acked >= w.upto);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepResolve = resolve;
      this.#sleepTimer = setTimeout(() => {
        this.#sleepTimer = undefined;
        resolve();
      }, ms);
    });
  }

  /** How many operations the batch starting at `start` would cover. */
  #batchSpan(start: number): number {
    return this.#collect(start).end - start;
  }

  #collect(start: number) {
    const metrics: MetricInput[] = [];
    const params: Record<string, string> = {};
    const tags: Record<string, string> = {};
    let nParams = 0, nTags = 0, bytes = 0;
    let i = start;
    const single = start < this.#isolateUntil;
    const total = this.#total;
    for (; i < total; i++) {
      if (single && i > start) break;
      const op = this.#op(i);
      if (op.op === "m") {
        const keys = Object.keys(op.m);
        if (
          i > start &&
          (metrics.length + keys.length > MAX_METRICS ||
            metrics.length + keys.length + nParams + nTags > MAX_ENTITIES || bytes > MAX_BYTES)
        ) break;
        const modelId = op.mid === undefined ? undefined : this.models.get(op.mid)?.id ?? op.mid;
        for (const key of keys) {
          const m: MetricInput = {
            key,
            value: decodeValue(op.m[key]!),
            timestamp: op.t,
            step: op.s,
          };
          if (op.dn !== undefined) m.datasetName = op.dn;
          if (op.dd !== undefined) m.datasetDigest = op.dd;
          if (modelId !== undefined) m.modelId = modelId;
          metrics.push(m);
          bytes += key.length + 60;
        }
      } else if (op.op === "p") {
        const fresh = Object.keys(op.p).filter((k) => !(k in params));
        if (
          i > start &&
          (nParams + fresh.length > MAX_PARAMS ||
            metrics.length + nParams + fresh.length + nTags > MAX_ENTITIES)
        ) break;
        for (const k of fresh) {
          params[k] = op.p[k]!;
          bytes += k.length + op.p[k]!.length + 30;
        }
        nParams += fresh.length;
      } else if (op.op === "tag") {
        const keys = Object.keys(op.tags);
        const fresh = keys.filter((k) => !(k in tags));
        if (
          i > start &&
          (nTags + fresh.length > MAX_TAGS ||
            metrics.length + nParams + nTags + fresh.length > MAX_ENTITIES)
        ) break;
        for (const k of keys) {
          tags[k] = op.tags[k]!; // later value wins, as on the server
          bytes += k.length + op.tags[k]!.length + 30;
        }
        nTags += fresh.length;
      } else {
        break;
      }
    }
    return { metrics, params, tags, nParams, nTags, end: i === start ? start + 1 : i };
  }

  async #sendFrom(start: number): Promise<void> {
    const op = this.#op(start);
    if (op.op === "create") {
      this.mapping = await this.#create(op);
      this.#ackLog.append(JSON.stringify(this.mapping));
      this.#ack(start + 1);
      return;
    }
    const mapping = this.mapping;
    if (!mapping) throw new Error("Run was not created on the server before its operations");
    const runId = mapping.runId;
    switch (op.op) {
      case "m":
      case "p":
      case "tag": {
        const b = this.#collect(start);
        await this.#client.runs.logBatch(runId, {
          metrics: b.metrics.length ? b.metrics : undefined,
          params: b.nParams ? b.params : undefined,
          tags: b.nTags ? b.tags : undefined,
        });
        this.#ack(b.end);
        return;
      }
      case "input":
        await this.#client.runs.logInputs(runId, { datasets: op.datasets });
        break;
      case "art": {
        const bytes = await Deno.readFile(this.#paths.artifact(op.path));
        await this.#client.artifacts.upload(mapping.artifactUri, op.path, bytes);
        break;
      }
      case "model": {
        const model = await this.#client.loggedModels.create({
          experimentId: mapping.experimentId,
          name: op.name,
          modelType: op.modelType,
          sourceRunId: runId,
          params: op.params,
          tags: op.tags,
        });
        const { modelId, artifactUri } = model;
        await this.#client.runs.logOutputs(runId, [{ modelId, step: op.step }]);
        for (const f of op.files) {
          const bytes = await Deno.readFile(`${this.#paths.models}/${op.local}/${f}`);
          await this.#client.artifacts.upload(artifactUri, f, bytes);
        }
        await this.#client.loggedModels.finalize(modelId, "LOGGED_MODEL_READY");
        this.models.set(op.local, { id: modelId, artifactUri });
        this.#ack(start + 1, { model: { local: op.local, id: modelId, artifactUri } });
        return;
      }
      case "end":
        await this.#client.runs.update(runId, { status: op.status, endTime: op.t });
        break;
    }
    this.#ack(start + 1);
  }

  async #create(op: Extract<Op, { op: "create" }>): Promise<AckMapping> {
    const { experimentId } = await this.#client.experiments.getOrCreate(op.experiment);
    // A create whose answer was lost (crash, timeout) must not make a second run.
    for await (
      const run of this.#client.runs.search({
        experimentIds: [experimentId],
        filter: `tags.\`${LOCAL_RUN_TAG}\` = '${op.id}'`,
        pageSize: 1,
        viewType: "ALL",
      })
    ) {
      return {
        uri: this.#uri,
        runId: run.info.runId,
        experimentId,
        artifactUri: run.info.artifactUri,
      };
    }
    const run = await this.#client.runs.create({
      experimentId,
      runName: op.runName,
      startTime: op.t,
      tags: { ...op.tags, [LOCAL_RUN_TAG]: op.id },
    });
    return {
      uri: this.#uri,
      runId: run.info.runId,
      experimentId,
      artifactUri: run.info.artifactUri,
    };
  }
}
