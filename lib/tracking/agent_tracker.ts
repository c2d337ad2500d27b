/**
 * `AgentTracker`: starts runs for one agent with the guide's naming conventions, writes
 * everything to the local outbox first, and (when a tracking URI is set) delivers it to
 * MLflow in the background. Also the registry helpers (register, stages, aliases, rollback).
 *
 * @module
 */
import { readEnv } from "../_internal/env.ts";
import type { RegistryClient, TrackingClient } from "./_client.ts";
import { Delivery } from "./_delivery.ts";
import {
  AppendLog,
  type CreateOp,
  defaultStoreDir,
  newLocalId,
  publicTrackingUri,
  RunPaths,
} from "./_outbox.ts";
import { mlflowContextTags } from "./_run_context.ts";
import { assertKey } from "./_validate.ts";
import { DEFAULT_PERSONAL_DATA_RULES, type PersonalDataRules } from "./personal_data.ts";
import { RunHandle } from "./run_handle.ts";
import { type SyncReport, syncStore } from "./sync_store.ts";

/** Options of {@link AgentTracker}. */
export interface AgentTrackerOptions {
  /**
   * Tracking server. Default `$MLFLOW_TRACKING_URI`; when neither is set, runs stay in the
   * local store (the embedded default) until `deno task sync --to <uri>`.
   */
  trackingUri?: string;
  /** Ignore `MLFLOW_TRACKING_URI`: keep runs in the local store only. Default false. */
  localOnly?: boolean;
  /** An MLflow client to use (default: one built from `trackingUri` and the MLflow env vars). */
  client?: TrackingClient & Partial<RegistryClient>;
  /** Experiment name. Default `/Shared/ai-agents/<agent>`. */
  experimentName?: string;
  /** Local store folder. Default `$EVALKIT_HOME/store`, else `.evalkit/store`. */
  storeDir?: string;
  /** Standard tag `environment`. Default `$EVALKIT_ENVIRONMENT`, else `development`. */
  environment?: string;
  /** Standard tag `version` (the agent's version). Default `unknown`. */
  version?: string;
  /** Standard tag `data_source`. Default `unknown`. */
  dataSource?: string;
  /** Personal-data rules for `logRequest` decision logs. */
  personalData?: PersonalDataRules;
  /** How long `end()`/`flush()` wait for delivery before leaving the rest in the outbox. Default 30000 ms. */
  deliveryTimeoutMs?: number;
  /**
   * How long `startRun` waits for the server to create the run (to return its id). A server
   * that refuses connections fails at once; this bounds a slow one. Default 30000 ms.
   */
  createTimeoutMs?: number;
  /**
   * On the first `startRun`, first replay what earlier processes of this tracker's server
   * left unsent in the store (runs written for the same URI whose process is gone). Default
   * false (use `tracker.sync()` or `deno task sync`).
   */
  replayOnStart?: boolean;
  /**
   * Ignored: the library installs no signal handler and never exits the process (a notebook
   * kernel must live on). CLIs opt in with scripts/_cli.ts `endRunsOnInterrupt`.
   *
   * @deprecated Has no effect; remove it.
   */
  handleSigint?: boolean;
}

/** Options of {@link AgentTracker.startRun}. */
export interface StartRunOptions {
  /** Run name. Default `<agent>_<purpose>_<YYYYMMDD_HHMMSS>`. */
  runName?: string;
  /** Purpose, e.g. `evaluate`, `serve`, `train`. Default `run`; also tag `evaluation` = purpose is evaluate. */
  purpose?: string;
  /** Extra tags (override the standard ones). */
  tags?: Record<string, string>;
  /** Start time (ms). Default now. */
  startTime?: number;
}

/** The default experiment name for an agent: `/Shared/ai-agents/<agent>`. */
export function defaultExperimentName(agentName: string): string {
  return `/Shared/ai-agents/${agentName}`;
}

/**
 * The default run name: `<agent>_<purpose>_<YYYYMMDD_HHMMSS>` (UTC).
 *
 * @example
 * ```ts
 * import { defaultRunName } from "@evalkit/evalkit/tracking";
 * const name = defaultRunName("loan_approval", "evaluate", Date.UTC(2026, 10, 29, 23, 46, 12));
 * if (name !== "loan_approval_evaluate_20261129_234612") throw new Error(name);
 * ```
 */
export function defaultRunName(agentName: string, purpose: string, timeMs: number): string {
  const d = new Date(timeMs).toISOString(); // 2026-11-29T23:46:12.345Z
  return `${agentName}_${purpose}_${d.slice(0, 10).replaceAll("-", "")}_${
    d.slice(11, 19).replaceAll(":", "")
  }`;
}

/**
 * Tracks an agent's runs in MLflow — or, with no tracking URI, in the local store.
 *
 * @example
 * ```ts ignore
 * import { AgentTracker } from "@evalkit/evalkit/tracking";
 * const tracker = new AgentTracker("loan_approval", { version: "1.2.0" });
 * {
 *   await using run = await tracker.startRun({ purpose: "evaluate" });
 *   run.logParams({ temperature: 0.2 });
 *   run.logMetrics({ accuracy: 0.91 });
 * } // ends FINISHED and waits for delivery
 * ```
 */
export class AgentTracker {
  /** Agent name. */
  readonly agentName: string;
  /** Experiment name. */
  readonly experimentName: string;
  /** Tracking URI, or undefined in local-only mode. */
  readonly trackingUri?: string;
  /** Local store folder. */
  readonly storeDir: string;
  #options: AgentTrackerOptions;
  #client?: TrackingClient & Partial<RegistryClient>;
  #open = new Set<RunHandle>();
  #ownClient?: { close(): void };
  #replayed = false;

  /** A tracker for one agent (no I/O until a run starts). */
  constructor(agentName: string, options: AgentTrackerOptions = {}) {
    if (!agentName) throw new TypeError("Expected an agent name but found an empty string");
    this.agentName = agentName;
    this.#options = options;
    this.experimentName = options.experimentName ?? defaultExperimentName(agentName);
    this.trackingUri = options.localOnly
      ? undefined
      : options.trackingUri ?? readEnv("MLFLOW_TRACKING_URI");
    this.storeDir = options.storeDir ?? defaultStoreDir();
    this.#client = options.localOnly ? undefined : options.client;
  }

  /** Releases the HTTP client this tracker created (open runs are not ended). */
  close(): void {
    this.#ownClient?.close();
    this.#ownClient = undefined;
  }

  /** Same as {@link AgentTracker.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Whether runs go to a server (else local-only). */
  get connected(): boolean {
    return this.trackingUri !== undefined || this.#client !== undefined;
  }

  async #getClient(): Promise<TrackingClient & Partial<RegistryClient>> {
    if (this.#client) return this.#client;
    const uri = this.trackingUri;
    if (!uri) throw new Error("No tracking server: set MLFLOW_TRACKING_URI or pass trackingUri");
    const { MlflowClient, resolveTrackingTarget } = await import("../mlflow/mod.ts");
    const target = resolveTrackingTarget(uri);
    // Short retries: the outbox and the flusher's own backoff handle a server that is down.
    const client = MlflowClient.fromTarget(target, {
      retry: { maxRetries: 2, totalBudgetMs: 10_000, ...target.transport.retry },
    });
    this.#ownClient = client;
    this.#client = client;
    return this.#client;
  }

  /**
   * The standard tags: MLflow's `mlflow.user`, `mlflow.source.name` (the script's absolute
   * path, or the notebook) and `mlflow.source.type` (`LOCAL`, `NOTEBOOK`, `JOB`), so the MLflow
   * UI shows "Created by" and "Source"; and evalkit's environment, version, data_source,
   * evaluation, agent and purpose.
   */
  standardTags(purpose: string): Record<string, string> {
    return {
      ...mlflowContextTags(),
      environment: this.#options.environment ?? readEnv("EVALKIT_ENVIRONMENT") ?? "development",
      version: this.#options.version ?? "unknown",
      data_source: this.#options.dataSource ?? "unknown",
      evaluation: String(purpose === "evaluate" || purpose === "evaluation"),
      agent: this.agentName,
      purpose,
    };
  }

  /**
   * Starts a run: appends its creation to the outbox and, with a server, creates it there
   * (waiting up to `createTimeoutMs`, so `run.runId` is the server id when it answers).
   */
  async startRun(options: StartRunOptions = {}): Promise<RunHandle> {
    if (this.#options.replayOnStart && !this.#replayed && this.trackingUri) {
      this.#replayed = true;
      await syncStore({
        storeDir: this.storeDir,
        client: await this.#getClient(),
        uri: this.trackingUri,
        writtenFor: this.trackingUri,
        timeoutMs: this.#options.deliveryTimeoutMs ?? 30_000,
      });
    }
    const purpose = options.purpose ?? "run";
    const t = options.startTime ?? Date.now();
    const runName = options.runName ?? defaultRunName(this.agentName, purpose, t);
    const tags = { ...this.standardTags(purpose), ...options.tags };
    for (const k of Object.keys(tags)) assertKey(k, "tag");
    const id = newLocalId();
    const paths = new RunPaths(this.storeDir, id);
    await Deno.mkdir(paths.artifacts, { recursive: true });
    await Deno.writeTextFile(
      paths.owner,
      JSON.stringify({ pid: Deno.pid, hostname: Deno.hostname(), startedAt: t }),
    );
    const log = AppendLog.open(paths.ops);
    const create: CreateOp = {
      op: "create",
      id,
      t,
      experiment: this.experimentName,
      runName,
      tags,
      agent: this.agentName,
      uri: this.trackingUri === undefined ? undefined : publicTrackingUri(this.trackingUri),
    };
    log.append(JSON.stringify(create));
    let delivery: Delivery | undefined;
    if (this.connected) {
      const client = await this.#getClient();
      delivery = await Delivery.open({
        client,
        uri: this.trackingUri ?? "client",
        paths,
        ops: [create],
      });
      delivery.start();
      await delivery.flush(this.#options.createTimeoutMs ?? 30_000, { untilFailure: true });
    }
    const run = new RunHandle({
      localRunId: id,
      runName,
      experimentName: this.experimentName,
      agentName: this.agentName,
      paths,
      log,
      delivery,
      deliveryTimeoutMs: this.#options.deliveryTimeoutMs ?? 30_000,
      personalData: this.#options.personalData ?? DEFAULT_PERSONAL_DATA_RULES,
      onEnd: (r) => this.#closed(r),
      registerModel: this.connected
        ? (modelId, name, runId) => this.registerModel(modelId, { name, runId })
        : undefined,
    });
    this.#opened(run);
    return run;
  }

  /**
   * Runs `fn` inside a run: FINISHED when it returns, FAILED when it throws (the error is
   * rethrown). This is the "FAILED on throw" form; `await using` always ends FINISHED.
   *
   * @example
   * ```ts ignore
   * import { AgentTracker } from "@evalkit/evalkit/tracking";
   * const tracker = new AgentTracker("loan_approval");
   * await tracker.withRun({ purpose: "evaluate" }, (run) => {
   *   run.logMetrics({ accuracy: 0.9 });
   * });
   * ```
   */
  async withRun<T>(options: StartRunOptions, fn: (run: RunHandle) => Promise<T> | T): Promise<T> {
    const run = await this.startRun(options);
    let result: T;
    try {
      result = await fn(run);
    } catch (err) {
      await run.end("FAILED");
      throw err;
    }
    await run.end("FINISHED");
    return result;
  }

  /**
   * The runs this tracker started that have not ended yet. The library installs no signal
   * handler and never exits the process: a CLI that wants Ctrl-C to end them KILLED opts in
   * (scripts/_cli.ts `endRunsOnInterrupt`), a notebook keeps its kernel.
   */
  get openRuns(): readonly RunHandle[] {
    return [...this.#open];
  }

  #opened(run: RunHandle): void {
    this.#open.add(run);
  }

  #closed(run: RunHandle): void {
    this.#open.delete(run);
  }

  /**
   * Replays every run in the local store that is not finished on this tracker's server
   * (runs of crashed processes, runs logged while the server was down).
   */
  async sync(options: { timeoutMs?: number } = {}): Promise<SyncReport> {
    const client = await this.#getClient();
    return await syncStore({
      storeDir: this.storeDir,
      client,
      uri: this.trackingUri ?? "client",
      timeoutMs: options.timeoutMs,
    });
  }

  async #registry(): Promise<RegistryClient> {
    const c = await this.#getClient();
    if (!c.models || !c.modelVersions) {
      throw new Error("This MLflow client has no model registry API");
    }
    return c as unknown as RegistryClient;
  }

  /**
   * Registers a logged model (`m-…` id) as a new version of a registered model (created if
   * missing). Default name `<agent>_v<version>`.
   */
  async registerModel(
    modelId: string,
    options: {
      name?: string;
      runId?: string;
      tags?: Record<string, string>;
      description?: string;
    } = {},
  ): Promise<{ name: string; version: string }> {
    const reg = await this.#registry();
    const name = options.name ?? `${this.agentName}_v${this.#options.version ?? "1"}`;
    try {
      await reg.models.create(name);
    } catch (err) {
      if ((err as { errorCode?: string }).errorCode !== "RESOURCE_ALREADY_EXISTS") throw err;
    }
    const mv = await reg.modelVersions.create({
      name,
      source: `models:/${modelId}`,
      modelId,
      runId: options.runId,
      tags: options.tags,
      description: options.description,
    });
    return { name, version: String(mv.version) };
  }

  /** Moves a model version to a stage (`Staging`, `Production`, `Archived`, `None`). */
  async transitionModelStage(
    name: string,
    version: string | number,
    stage: "None" | "Staging" | "Production" | "Archived",
    options: { archiveExistingVersions?: boolean } = {},
  ): Promise<{ version: string; currentStage?: string }> {
    const reg = await this.#registry();
    return await reg.modelVersions.transitionStage(name, String(version), stage, {
      archiveExistingVersions: options.archiveExistingVersions ?? false,
    });
  }

  /** Points an alias (e.g. `production`, `champion`) at a version. */
  async setAlias(name: string, alias: string, version: string | number): Promise<void> {
    const reg = await this.#registry();
    await reg.models.setAlias(name, alias, String(version));
  }

  /**
   * Rolls an alias (default `production`) back to version `to` (default: the version
   * before the current one), tags the version it replaced, and moves stages alike when
   * `stages: true`. Returns the versions involved.
   */
  async rollback(
    name: string,
    options: { to?: string | number; alias?: string; stages?: boolean } = {},
  ): Promise<{ name: string; alias: string; from?: string; to: string }> {
    const reg = await this.#registry();
    const alias = options.alias ?? "production";
    let from: string | undefined;
    try {
      from = (await reg.models.getByAlias(name, alias)).version;
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
    let to = options.to === undefined ? undefined : String(options.to);
    if (to === undefined) {
      if (from === undefined || Number(from) <= 1) {
        throw new RangeError(
          `Cannot roll back '${name}@${alias}': no earlier version; pass { to }`,
        );
      }
      to = String(Number(from) - 1);
    }
    await reg.modelVersions.get(name, to); // fails clearly when the version does not exist
    await reg.models.setAlias(name, alias, to);
    if (from !== undefined && from !== to) {
      await reg.modelVersions.setTag(name, from, "evalkit.rolled_back_from", alias);
    }
    if (options.stages) {
      await reg.modelVersions.transitionStage(name, to, "Production", {
        archiveExistingVersions: true,
      });
    }
    return { name, alias, from, to };
  }
}
