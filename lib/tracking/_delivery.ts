/**
 * Delivery of one run's outbox operations to one MLflow server, in order, coalescing
 * consecutive metrics/params/tags into log-batch requests, recording each acknowledged
 * prefix in the run's acknowledgement log. The same engine serves the live flusher (ops
 * pushed as they are logged) and replay (`sync`, restart: ops read back from `ops.jsonl`).
 *
 * @module
 */
import type { MetricInput } from "../mlflow/types.ts";
import { redact } from "../_internal/errors.ts";
import { backoff, delay } from "../_internal/retry.ts";
import type { DeliverySummary } from "./delivery_outcome.ts";
import type { TrackingClient } from "./_client.ts";
import {
  type AckMapping,
  AppendLog,
  decodeValue,
  legacyTargetKey,
  type Op,
  publicTrackingUri,
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

/**
 * What a failed delivery attempt means for the operations it carried:
 *
 * - `transient`: the server is unreachable or overloaded (no answer, 408, 425, 429, 5xx):
 *   keep them, back off, try again;
 * - `blocked`: nothing can be delivered until someone fixes the setup — credentials or
 *   permissions refused (401, 403, 407, a failed OAuth token request), the URI does not lead
 *   to an MLflow API (404 without an MLflow error, 3xx, an answer that is not MLflow's JSON),
 *   or the local store cannot record acknowledgements. Keep them, report it, try again later;
 * - `rejected`: the server judged this one operation invalid (400, 404
 *   `RESOURCE_DOES_NOT_EXIST`, 409, 413, 422), or its bytes are gone from the store: recorded
 *   as a permanent error and skipped. Nothing else ever is.
 */
export type FailureKind = "transient" | "blocked" | "rejected";

/** Sorts a delivery failure into {@link FailureKind}. */
export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof Error && err.name === "MlflowApiError") {
    const { status, errorCode } = err as unknown as { status?: unknown; errorCode?: unknown };
    if (typeof status !== "number" || status === 0) return "transient";
    if (status === 408 || status === 425 || status === 429 || status >= 500) return "transient";
    if (status === 404) return errorCode === "RESOURCE_DOES_NOT_EXIST" ? "rejected" : "blocked";
    if (status === 400 || status === 409 || status === 413 || status === 422) return "rejected";
    return "blocked"; // 401, 403, 407, 3xx, 405, 200 INVALID_RESPONSE, other 4xx
  }
  // Client-side validation of the operation, or its artifact bytes missing from the store.
  if (err instanceof TypeError || err instanceof RangeError) return "rejected";
  if (err instanceof Deno.errors.NotFound) return "rejected";
  // A refused OAuth token request, a full or read-only store, anything unexpected: keep it.
  return "blocked";
}

/** The message of a delivery failure, with credentials redacted (it is written to disk). */
export function failureMessage(err: unknown): string {
  return redact(err instanceof Error ? err.message : String(err));
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
  /** Last failure (transient or blocked), cleared on success. */
  lastError?: unknown;
  /** The kind of {@link Delivery.lastError}, cleared on success. */
  lastFailure?: Exclude<FailureKind, "rejected">;
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
  #sleeping?: AbortController;
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
  /**
   * Opens delivery of a run to a server, reading what was already acknowledged. Throws
   * `OutboxBusyError` when another live process is delivering the run to that server.
   */
  static async open(options: DeliveryOptions): Promise<Delivery> {
    const key = await targetKey(options.uri);
    await Deno.mkdir(options.paths.acksDir, { recursive: true });
    const ackPath = options.paths.ack(key);
    const legacy = await legacyTargetKey(options.uri);
    if (legacy !== undefined && !(await exists(ackPath))) {
      // Acknowledgements written under a key that included the URI's credentials.
      await Deno.rename(options.paths.ack(legacy), ackPath).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
    }
    const log = AppendLog.open(ackPath);
    try {
      const state = await readAcks(ackPath);
      const ops = options.ops ?? await readJsonLines<Op>(options.paths.ops);
      return new Delivery(options, ops, log, state);
    } catch (err) {
      log.close();
      throw err;
    }
  }

  /** The target's tracking URI without credentials. */
  get uri(): string {
    return publicTrackingUri(this.#uri);
  }

  /** The run's page in the MLflow UI, once the run exists there (when the client knows it). */
  get runUrl(): string | undefined {
    const m = this.mapping;
    if (!m || !this.#client.runUrl) return undefined;
    try {
      return this.#client.runUrl(m.experimentId, m.runId);
    } catch {
      return undefined;
    }
  }

  /** The server's experiment id, once the run exists there. */
  get experimentId(): string | undefined {
    return this.mapping?.experimentId;
  }

  /** The message of the last failure (redacted), cleared on success. */
  get lastErrorMessage(): string | undefined {
    return this.lastError === undefined ? undefined : failureMessage(this.lastError);
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
    mapping = { ...mapping, uri: publicTrackingUri(mapping.uri) };
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
    if (this.lastFailure === "blocked") this.#wake(); // try again now rather than after the backoff
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
    this.#wake();
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
          this.lastFailure = undefined;
          continue;
        } catch (caught) {
          if (this.#closed) break;
          let err = caught;
          let kind = classifyFailure(err);
          // A run the server will not create stays pending: everything after it depends on it.
          if (kind === "rejected" && this.#op(start).op === "create") kind = "blocked";
          if (kind === "rejected" && this.#batchSpan(start) > 1) {
            // Re-send the batch one operation at a time to find the rejected one.
            this.#isolateUntil = start + this.#batchSpan(start);
            continue;
          }
          if (kind === "rejected") {
            // One operation the server rejects for good: record it and move on.
            const error = failureMessage(err);
            try {
              this.#ack(start + 1, { error });
              this.errors.push({ seq: start, error });
              continue;
            } catch (ackErr) {
              err = ackErr; // the store cannot record it: retry later
              kind = "blocked";
            }
          }
          this.lastError = err;
          this.lastFailure = kind;
          this.#failures++;
          const give = this.#waiters.filter((w) => kind === "blocked" || w.untilFailure);
          if (give.length > 0) {
            for (const w of give) w.resolve(false);
            this.#waiters = this.#waiters.filter((w) => !give.includes(w));
          }
          // The pump's own policy on the shared rule: doubling from baseBackoffMs (no jitter:
          // one request in flight per run), the longest wait at once when blocked.
          await this.#sleep(
            kind === "blocked" ? this.#maxBackoff : backoff(this.#failures, {
              baseMs: this.#baseBackoff,
              maxMs: this.#maxBackoff,
              jitter: "none",
            }),
          );
        }
      }
    } finally {
      this.#pump = undefined;
      if (this.#closed) {
        for (const w of this.#waiters.splice(0)) w.resolve(this.#acked >= w.upto);
      }
    }
  }

  async #sleep(ms: number): Promise<void> {
    const sleeping = new AbortController();
    this.#sleeping = sleeping;
    try {
      await delay(ms, { signal: sleeping.signal });
    } catch {
      // woken early: flush() or close()
    } finally {
      if (this.#sleeping === sleeping) this.#sleeping = undefined;
    }
  }

  /** Ends a backoff sleep early. */
  #wake(): void {
    this.#sleeping?.abort();
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
          let bytes = await Deno.readFile(`${this.#paths.models}/${op.local}/${f}`);
          if (f === "MLmodel") {
            // The stored MLmodel names the local run and model; the server's copy names the
            // server's, as MLflow's own log_model writes it (model_id, model_uuid, run_id).
            bytes = new TextEncoder().encode(
              serverMlmodel(new TextDecoder().decode(bytes), { runId, modelId, artifactUri }),
            );
          }
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
        uri: publicTrackingUri(this.#uri),
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
      // the run's user_id (the UI's "Created by"), as MLflow's Python client sends it
      ...(op.tags["mlflow.user"] ? { userId: op.tags["mlflow.user"] } : {}),
    });
    return {
      uri: publicTrackingUri(this.#uri),
      runId: run.info.runId,
      experimentId,
      artifactUri: run.info.artifactUri,
    };
  }
}

/**
 * The delivery facts of a run for `RunHandle.end()`'s result (local-only runs: nothing
 * pending, no tracking URI).
 */
export function summarizeDelivery(
  delivery: Delivery | undefined,
  run: { localRunId: string; runName: string; storeDir?: string },
): DeliverySummary {
  const out: DeliverySummary = {
    localRunId: run.localRunId,
    runName: run.runName,
    delivered: delivery === undefined || delivery.pending === 0,
    pending: delivery?.pending ?? 0,
    rejected: delivery ? [...delivery.errors] : [],
  };
  if (run.storeDir !== undefined) out.storeDir = run.storeDir;
  if (delivery === undefined) return out;
  out.trackingUri = delivery.uri;
  if (delivery.mapping) {
    out.serverRunId = delivery.mapping.runId;
    out.experimentId = delivery.mapping.experimentId;
    const url = delivery.runUrl;
    if (url !== undefined) out.runUrl = url;
  }
  if (delivery.pending > 0) {
    const msg = delivery.lastErrorMessage;
    if (msg !== undefined) out.lastError = msg;
    if (delivery.lastFailure) out.failure = delivery.lastFailure;
  }
  return out;
}

/**
 * An `MLmodel` file as the server must hold it: `run_id` the server's run, `model_id` and
 * `model_uuid` the server's logged model id and `artifact_path` its artifact location, as
 * MLflow 3's `log_model` writes them (so `mlflow.models.get_model_info` resolves the run and
 * the logged model). Other lines are kept.
 */
export function serverMlmodel(
  text: string,
  ids: { runId: string; modelId: string; artifactUri: string },
): string {
  const set: Record<string, string> = {
    artifact_path: JSON.stringify(ids.artifactUri),
    model_id: ids.modelId,
    model_uuid: ids.modelId,
    run_id: ids.runId,
  };
  const lines = text.replace(/\n+$/, "").split("\n");
  const seen = new Set<string>();
  const out = lines.map((line) => {
    const m = /^([A-Za-z_][\w-]*):(\s|$)/.exec(line);
    const key = m?.[1];
    if (key !== undefined && key in set) {
      seen.add(key);
      return `${key}: ${set[key]}`;
    }
    return line;
  });
  for (const [k, v] of Object.entries(set)) if (!seen.has(k)) out.push(`${k}: ${v}`);
  return out.join("\n") + "\n";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
