/**
 * One way to open "a run from wherever it is": the local store, an open-source MLflow
 * server or Databricks, behind one small reader. A server is always reached through
 * {@link MlflowClient.fromUri} (so `resolveTrackingTarget` applies: tokens and basic auth
 * from the environment, `databricks` URIs, CA bundles).
 *
 * One id wherever the run is: on a server, a run is found by its server id, a unique prefix
 * of it, its name, or the local id (or prefix) it had in the local store before `sync`
 * (synced runs carry the `evalkit.local_run_id` tag, and the local store remembers the
 * server id). In the local store, the server id a run was synced to finds it too.
 *
 * @module
 */
import { readEnv } from "../_internal/env.ts";
import { MlflowApiError, redact } from "../_internal/errors.ts";
import { type EnvReader, MlflowClient } from "../mlflow/client.ts";
import type { DatasetInput, Run } from "../mlflow/types.ts";
import { LOCAL_RUN_TAG } from "./_delivery.ts";
import {
  AppendLog,
  defaultStoreDir,
  type InputsOp,
  type Op,
  OutboxBusyError,
  readJsonLinesReport,
  RunPaths,
} from "./_outbox.ts";
import { listLocalRuns, type LocalRun, readLocalRun, serverRunIdFor } from "./local_store.ts";

/** A run as any {@link RunSource} returns it. */
export interface SourceRun {
  /** The run's id where it was read (the server run id, or the local run id). */
  id: string;
  /** The local run id it had (or has) in the local store, when known. */
  localRunId?: string;
  /** Run name. */
  name: string;
  /** Experiment id (server runs). */
  experimentId?: string;
  /** Experiment name. */
  experimentName: string;
  /** Status (`INTERRUPTED` for a local run whose process died before ending it). */
  status: string;
  /** Start time (ms). */
  startTime: number;
  /** End time (ms). */
  endTime?: number;
  /** Latest value per metric. */
  metrics: Record<string, number>;
  /** Params. */
  params: Record<string, string>;
  /** Tags. */
  tags: Record<string, string>;
  /** Dataset inputs. */
  inputs: DatasetInput[];
  /** The run's page in the MLflow UI (server runs). */
  url?: string;
}

/** One point of a metric's history. */
export interface SourceMetricPoint {
  /** Step. */
  step: number;
  /** Timestamp (ms). */
  timestamp: number;
  /** Value. */
  value: number;
}

/** Options of {@link RunSource.searchRuns}. */
export interface SearchSourceRunsOptions {
  /** Experiment name. */
  experimentName: string;
  /** Tags every run must have (exact values). */
  tags?: Record<string, string>;
  /** At most this many runs, newest first. Default 100. */
  maxResults?: number;
}

/** Reads runs from one place: the local store or a tracking server. */
export interface RunSource extends Disposable {
  /** `local` (the local store) or `server` (MLflow or Databricks). */
  readonly kind: "local" | "server";
  /** Where it reads, for messages: the store folder, or the tracking URI (redacted). */
  readonly location: string;
  /** The local store folder (also consulted by a server source, to map local ids). */
  readonly storeDir: string;
  /** The client of a server source. */
  readonly client?: MlflowClient;
  /** The run by id, unique id prefix, name or (server) local id; `undefined` when none. */
  findRun(idOrName: string): Promise<SourceRun | undefined>;
  /** Like {@link RunSource.findRun}, but throws a {@link RunNotFoundError} with a hint. */
  getRun(idOrName: string): Promise<SourceRun>;
  /** Runs of an experiment carrying the given tags, newest first. */
  searchRuns(options: SearchSourceRunsOptions): Promise<SourceRun[]>;
  /** A metric's full history. */
  metricHistory(run: SourceRun, key: string): Promise<SourceMetricPoint[]>;
  /** Every artifact file of the run (relative paths, sizes when known). */
  listArtifacts(run: SourceRun): Promise<{ path: string; size?: number }[]>;
  /** An artifact as text, `undefined` when the run has no such file. */
  readArtifactText(run: SourceRun, path: string): Promise<string | undefined>;
  /**
   * Adds dataset inputs to a run that exists already: `runs/log-inputs` on a server; in the
   * local store, an operation appended to the run's outbox (sent by the next `sync`). A local
   * run still written by its live process is refused with a `TypeError`.
   */
  logInputs(run: SourceRun, datasets: DatasetInput[]): Promise<void>;
  /** Releases the client (idempotent). */
  close(): void;
}

/**
 * No run matched: the message says where it looked and what to try next.
 *
 * @example
 * ```ts
 * import { openRunSource, RunNotFoundError } from "@evalkit/evalkit/tracking";
 * using source = openRunSource({ trackingUri: "", storeDir: await Deno.makeTempDir() });
 * const err = await source.getRun("nope").catch((e) => e);
 * if (!(err instanceof RunNotFoundError)) throw new Error("unexpected");
 * ```
 */
export class RunNotFoundError extends Error {
  /** The id, prefix or name asked for. */
  readonly idOrName: string;
  /** Where it was looked for (redacted). */
  readonly location: string;
  /** Builds the error; `where` reads "in …" or "on …"; `hint` is appended to the message. */
  constructor(idOrName: string, location: string, hint: string, where = `in ${location}`) {
    super(`No run '${idOrName}' ${where}. ${hint}`);
    this.name = "RunNotFoundError";
    this.idOrName = idOrName;
    this.location = location;
  }
}

/** Options of {@link openRunSource}. */
export interface OpenRunSourceOptions {
  /**
   * Tracking URI (`http(s)://…`, `databricks`, `databricks://<profile>`). Default
   * `$MLFLOW_TRACKING_URI`; empty or unset: the local store.
   */
  trackingUri?: string;
  /** Local store folder. Default `$EVALKIT_HOME/store`, else `.evalkit/store`. */
  storeDir?: string;
  /** Environment reader for the URI and credentials. Default: the process environment. */
  read?: EnvReader;
}

const HEX_PREFIX = /^[0-9a-f]{4,32}$/i;
/** How many server runs a prefix lookup scans at most (newest first). */
const PREFIX_SCAN_LIMIT = 5_000;

const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const likePrefix = (s: string) => quote(`${s.replace(/[%_]/g, "")}%`);

function fromLocal(run: LocalRun): SourceRun {
  return {
    id: run.localRunId,
    localRunId: run.localRunId,
    name: run.runName,
    experimentName: run.experimentName,
    status: run.status,
    startTime: run.startTime,
    ...(run.endTime !== undefined ? { endTime: run.endTime } : {}),
    metrics: { ...run.latestMetrics },
    params: { ...run.params },
    tags: { ...run.tags },
    inputs: run.inputs,
  };
}

class LocalRunSource implements RunSource {
  readonly kind = "local" as const;
  readonly location: string;
  constructor(readonly storeDir: string) {
    this.location = `the local store ${storeDir}`;
  }

  async findRun(idOrName: string): Promise<SourceRun | undefined> {
    const store = { storeDir: this.storeDir };
    const run = await readLocalRun(idOrName, store);
    if (run) return fromLocal(run);
    // A server id (or prefix) this store's run was synced to.
    if (!HEX_PREFIX.test(idOrName)) return undefined;
    const hits = (await listLocalRuns(store)).filter((r) =>
      r.synced.some((s) => s.runId.startsWith(idOrName))
    );
    if (hits.length !== 1) return undefined;
    const synced = await readLocalRun(hits[0]!.localRunId, store);
    return synced ? fromLocal(synced) : undefined;
  }

  async getRun(idOrName: string): Promise<SourceRun> {
    const run = await this.findRun(idOrName);
    if (run) return run;
    throw new RunNotFoundError(
      idOrName,
      this.location,
      "It is not a local run id, a unique id prefix, a run name, or the server id of a synced " +
        "run (list them with 'deno task runs'). A run recorded on a server is read from there: " +
        "set MLFLOW_TRACKING_URI (or pass --tracking-uri).",
    );
  }

  async searchRuns(options: SearchSourceRunsOptions): Promise<SourceRun[]> {
    const max = options.maxResults ?? 100;
    const tags = Object.entries(options.tags ?? {});
    const store = { storeDir: this.storeDir };
    const summaries = (await listLocalRuns(store))
      .filter((s) => s.experimentName === options.experimentName)
      .sort((a, b) => b.startTime - a.startTime);
    const out: SourceRun[] = [];
    for (const s of summaries) {
      const run = await readLocalRun(s.localRunId, store);
      if (!run || !tags.every(([k, v]) => run.tags[k] === v)) continue;
      out.push(fromLocal(run));
      if (out.length >= max) break;
    }
    return out;
  }

  async metricHistory(run: SourceRun, key: string): Promise<SourceMetricPoint[]> {
    const local = await readLocalRun(run.id, { storeDir: this.storeDir });
    return local?.metrics[key]?.map((p) => ({ ...p })) ?? [];
  }

  async listArtifacts(run: SourceRun): Promise<{ path: string; size?: number }[]> {
    return (await readLocalRun(run.id, { storeDir: this.storeDir }))?.artifacts ?? [];
  }

  async readArtifactText(run: SourceRun, path: string): Promise<string | undefined> {
    const paths = new RunPaths(this.storeDir, run.id);
    try {
      return await Deno.readTextFile(paths.artifact(path));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return undefined;
      throw err;
    }
  }

  async logInputs(run: SourceRun, datasets: DatasetInput[]): Promise<void> {
    for (const d of datasets) {
      if (d.dataset.digest.length > 36) {
        throw new RangeError(
          `Expected dataset digest to be at most 36 characters but found ${d.dataset.digest.length}`,
        );
      }
    }
    const paths = new RunPaths(this.storeDir, run.id);
    const { records } = await readJsonLinesReport<Op>(paths.ops);
    if (records[0]?.op !== "create") {
      throw new RunNotFoundError(run.id, this.location, "Its outbox has no create operation.");
    }
    let log: AppendLog;
    try {
      log = AppendLog.open(paths.ops, records.length); // the run's writer lock
    } catch (err) {
      if (!(err instanceof OutboxBusyError)) throw err;
      throw new TypeError(
        `Run '${run.name}' (${run.id}) is still being recorded by its live process: log the ` +
          "dataset there (run.logDataset), or once the run has ended.",
      );
    }
    try {
      const op: InputsOp = { op: "input", datasets };
      log.append(JSON.stringify(op));
    } finally {
      log.close();
    }
  }

  close(): void {}
  [Symbol.dispose](): void {}
}

const notFound = (e: unknown) =>
  e instanceof MlflowApiError &&
  (e.status === 404 || e.errorCode === "RESOURCE_DOES_NOT_EXIST" ||
    e.errorCode === "INVALID_PARAMETER_VALUE");

class ServerRunSource implements RunSource {
  readonly kind = "server" as const;
  readonly location: string;
  readonly client: MlflowClient;
  #experimentNames = new Map<string, string>();
  constructor(readonly uri: string, readonly storeDir: string, read: EnvReader) {
    this.location = redact(uri);
    this.client = MlflowClient.fromUri(uri, { read });
  }

  async #toSource(run: Run): Promise<SourceRun> {
    const expId = run.info.experimentId;
    let experimentName = this.#experimentNames.get(expId);
    if (experimentName === undefined) {
      experimentName = (await this.client.experiments.get(expId)).name;
      this.#experimentNames.set(expId, experimentName);
    }
    const metrics: Record<string, number> = {};
    for (const m of run.data.metrics) metrics[m.key] = m.value;
    const local = run.data.tags[LOCAL_RUN_TAG];
    return {
      id: run.info.runId,
      ...(local ? { localRunId: local } : {}),
      name: run.info.runName,
      experimentId: expId,
      experimentName,
      status: run.info.status,
      startTime: run.info.startTime,
      ...(run.info.endTime ? { endTime: run.info.endTime } : {}),
      metrics,
      params: { ...run.data.params },
      tags: { ...run.data.tags },
      inputs: run.inputs.datasetInputs,
      url: this.client.runUrl(expId, run.info.runId),
    };
  }

  #runs = new Map<string, Run>();

  async #get(runId: string): Promise<Run | undefined> {
    try {
      const run = await this.client.runs.get(runId);
      this.#runs.set(run.info.runId, run);
      return run;
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  async #experimentIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const e of this.client.experiments.search()) ids.push(e.experimentId);
    return ids;
  }

  /** Runs matching a server-side filter in every experiment, newest first, at most `max`. */
  async #search(filter: string | undefined, max: number): Promise<Run[]> {
    const ids = await this.#experimentIds();
    const out: Run[] = [];
    // MLflow caps experiment_ids per search; 100 at a time is accepted everywhere.
    for (let i = 0; i < ids.length && out.length < max; i += 100) {
      for await (
        const run of this.client.runs.search({
          experimentIds: ids.slice(i, i + 100),
          ...(filter ? { filter } : {}),
          orderBy: ["attributes.start_time DESC"],
          pageSize: Math.min(1000, max),
        })
      ) {
        out.push(run);
        if (out.length >= max) break;
      }
    }
    return out;
  }

  async findRun(idOrName: string): Promise<SourceRun | undefined> {
    const run = await this.#find(idOrName.trim());
    return run ? await this.#toSource(run) : undefined;
  }

  async #find(idOrName: string): Promise<Run | undefined> {
    if (idOrName === "") return undefined;
    const hex = HEX_PREFIX.test(idOrName);
    // 1. The server id itself.
    if (hex && idOrName.length === 32) {
      const run = await this.#get(idOrName);
      if (run) return run;
    }
    // 2. A local run (id, prefix or name) this store synced to this server.
    const local = await readLocalRun(idOrName, { storeDir: this.storeDir }).catch(() => undefined);
    if (local) {
      const serverId = await serverRunIdFor(local.localRunId, this.uri, {
        storeDir: this.storeDir,
      }).catch(() => undefined);
      const run = serverId ? await this.#get(serverId) : undefined;
      if (run) return run;
    }
    if (hex) {
      // 3. The local id (or a prefix) a synced or live-recorded run carries as a tag.
      const byTag = await this.#search(`tags.\`${LOCAL_RUN_TAG}\` LIKE ${likePrefix(idOrName)}`, 2);
      if (byTag.length === 1) return byTag[0];
      if (byTag.length > 1) throw this.#ambiguous(idOrName, byTag);
      // 4. A prefix of a server id (MLflow cannot filter on it: scan the newest runs).
      if (idOrName.length < 32) {
        const hits = (await this.#search(undefined, PREFIX_SCAN_LIMIT)).filter((r) =>
          r.info.runId.startsWith(idOrName.toLowerCase())
        );
        if (hits.length === 1) return hits[0];
        if (hits.length > 1) throw this.#ambiguous(idOrName, hits);
      }
    }
    // 5. A run name (the newest run with it).
    return (await this.#search(`attributes.run_name = ${quote(idOrName)}`, 1))[0];
  }

  #ambiguous(idOrName: string, runs: Run[]): RunNotFoundError {
    return new RunNotFoundError(
      idOrName,
      this.location,
      `The prefix matches several runs (${
        runs.slice(0, 3).map((r) => r.info.runId).join(", ")
      }…): give more characters.`,
      `on ${this.location}`,
    );
  }

  async getRun(idOrName: string): Promise<SourceRun> {
    const run = await this.findRun(idOrName);
    if (run) return run;
    throw new RunNotFoundError(
      idOrName,
      this.location,
      "It is not a run id, a unique id prefix, a run name, or the local id of a run synced " +
        "there. A run recorded without a server is in the local store: push it with " +
        `'deno task sync --to <uri>', or read it locally (unset MLFLOW_TRACKING_URI, or --local).`,
      `on ${this.location}`,
    );
  }

  async searchRuns(options: SearchSourceRunsOptions): Promise<SourceRun[]> {
    const exp = await this.client.experiments.getByName(options.experimentName);
    if (!exp) return [];
    const filter = Object.entries(options.tags ?? {})
      .map(([k, v]) => `tags.\`${k}\` = ${quote(v)}`)
      .join(" and ");
    const out: SourceRun[] = [];
    const max = options.maxResults ?? 100;
    for await (
      const run of this.client.runs.search({
        experimentIds: [exp.experimentId],
        ...(filter ? { filter } : {}),
        orderBy: ["attributes.start_time DESC"],
        pageSize: Math.min(1000, max),
      })
    ) {
      this.#experimentNames.set(exp.experimentId, exp.name);
      out.push(await this.#toSource(run));
      if (out.length >= max) break;
    }
    return out;
  }

  async metricHistory(run: SourceRun, key: string): Promise<SourceMetricPoint[]> {
    return (await this.client.runs.metricHistory(run.id, key)).map((p) => ({
      step: p.step ?? 0,
      timestamp: p.timestamp ?? 0,
      value: p.value,
    }));
  }

  async #artifactUri(run: SourceRun): Promise<string> {
    const cached = this.#runs.get(run.id) ?? await this.client.runs.get(run.id);
    this.#runs.set(run.id, cached);
    return cached.info.artifactUri;
  }

  async listArtifacts(run: SourceRun): Promise<{ path: string; size?: number }[]> {
    const out: { path: string; size?: number }[] = [];
    for await (const f of this.client.artifacts.walk(await this.#artifactUri(run))) {
      out.push({ path: f.path, ...(f.fileSize !== undefined ? { size: f.fileSize } : {}) });
    }
    return out;
  }

  async readArtifactText(run: SourceRun, path: string): Promise<string | undefined> {
    try {
      return await this.client.artifacts.readText(await this.#artifactUri(run), path);
    } catch (err) {
      if (err instanceof MlflowApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async logInputs(run: SourceRun, datasets: DatasetInput[]): Promise<void> {
    await this.client.runs.logInputs(run.id, { datasets });
  }

  close(): void {
    this.client.close();
  }
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Opens the place runs are read from: the tracking server of `trackingUri` (default
 * `$MLFLOW_TRACKING_URI`) through `resolveTrackingTarget`, or the local store when no URI is
 * set. Close it (or `using`) to release the client.
 *
 * @example
 * ```ts
 * import { openRunSource } from "@evalkit/evalkit/tracking";
 * using source = openRunSource({ trackingUri: "", storeDir: await Deno.makeTempDir() });
 * const runs = await source.searchRuns({ experimentName: "/Shared/ai-agents/loan_approval" });
 * if (source.kind !== "local" || runs.length !== 0) throw new Error("unexpected");
 * ```
 */
export function openRunSource(options: OpenRunSourceOptions = {}): RunSource {
  const read = options.read ?? readEnv;
  const uri = (options.trackingUri ?? read("MLFLOW_TRACKING_URI") ?? "").trim();
  const storeDir = options.storeDir ?? defaultStoreDir();
  return uri ? new ServerRunSource(uri, storeDir, read) : new LocalRunSource(storeDir);
}

/** Options of {@link runPageUrl}. */
export interface RunPageUrlOptions {
  /** Tracking URI. Default `$MLFLOW_TRACKING_URI`; unset or empty: no server, no page. */
  trackingUri?: string;
  /** A client to ask instead of opening one for `trackingUri`. */
  client?: MlflowClient;
  /** Environment reader for the URI and credentials. Default: the process environment. */
  read?: EnvReader;
  /** Time for the lookup (one retry at most). Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * The run's page in the MLflow UI (`…/#/experiments/<id>/runs/<run>`, or the Databricks
 * workspace's `…/ml/experiments/<id>/runs/<run>`), for a CLI to print after recording or
 * syncing a run. `undefined` when there is no server or the server does not have the run
 * (e.g. a local id whose run was not delivered). A server that cannot be reached throws.
 *
 * @example
 * ```ts
 * import { runPageUrl } from "@evalkit/evalkit/tracking";
 * if (await runPageUrl("3f2a9c1e", { trackingUri: "" }) !== undefined) throw new Error("unexpected");
 * ```
 */
export async function runPageUrl(
  runId: string,
  options: RunPageUrlOptions = {},
): Promise<string | undefined> {
  const read = options.read ?? readEnv;
  const uri = (options.trackingUri ?? read("MLFLOW_TRACKING_URI") ?? "").trim();
  if (!options.client && !uri) return undefined;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const own = options.client ? undefined : MlflowClient.fromUri(uri, {
    read,
    overrides: { timeoutMs, retry: { maxRetries: 1, totalBudgetMs: timeoutMs } },
  });
  const client = options.client ?? own!;
  try {
    const run = await client.runs.get(runId);
    return client.runUrl(run.info.experimentId, run.info.runId);
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  } finally {
    own?.close();
  }
}
