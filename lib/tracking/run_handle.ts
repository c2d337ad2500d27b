/**
 * A tracked run: every call is appended to the local outbox before it returns, then
 * delivered to the server (when one is configured) by a background flusher.
 *
 * @module
 */
import type { DatasetInput, RunStatus } from "../mlflow/types.ts";
import { type Delivery, summarizeDelivery } from "./_delivery.ts";
import type { DeliverySummary } from "./delivery_outcome.ts";
import {
  AppendLog,
  encodeValue,
  type MetricsOp,
  type Op,
  type RunPaths,
  safeRelative,
} from "./_outbox.ts";
import { assertKey, MAX_PARAM_VALUE, MAX_TAG_VALUE, sanitizeKeySegment } from "./_validate.ts";
import { type PersonalDataRules, protectRecord } from "./personal_data.ts";
import { datasetDigest } from "../datasets/digest.ts";
import { toMlflowDatasetInput } from "../datasets/mlflow_input.ts";
import { inferSchema } from "../datasets/schema.ts";
import type { DatasetSchema } from "../datasets/types.ts";

/** Options of {@link RunHandle.logMetrics}. */
export interface LogMetricsOptions {
  /** Step (integer ≥ 0). Default 0. */
  step?: number;
  /** Timestamp (ms). Default: now. */
  timestamp?: number;
  /** Dataset the metrics were computed on. */
  datasetName?: string;
  /** Its digest. */
  datasetDigest?: string;
}

/** A request handled by an agent, for {@link RunHandle.logRequest}. */
export interface LoggedRequest {
  /** Request id. */
  requestId: string;
  /** The request (personal-data fields are hashed or dropped before logging). */
  requestData: Record<string, unknown>;
  /** The agent's decision, e.g. `{ outcome: "approve", riskScore: 0.2 }`. */
  decisionData: Record<string, unknown>;
  /** Wall time of the request in ms. */
  durationMs: number;
  /** When it happened (ms). Default: now. */
  timestamp?: number;
}

/** Dataset metadata accepted by {@link RunHandle.logDataset} (a `Dataset` from lib/datasets fits). */
export interface DatasetLike {
  /** Name. */
  name: string;
  /** Rows. */
  rows: readonly Record<string, unknown>[];
  /** Short digest (≤ 36 characters) MLflow shows. */
  mlflowDigest?: string;
  /** Version. */
  version?: string;
  /** Schema with `columns` and `target`. */
  schema?: { columns: { name: string; type: string; required?: boolean }[]; target?: string };
}

/** Options of {@link RunHandle.logDataset}. */
export interface LogDatasetOptions {
  /** Name (default: the dataset's name, or `dataset`). */
  name?: string;
  /** Target column(s). */
  targets?: string | string[];
  /** `mlflow.data.context`, e.g. `evaluation`, `training`. Default `evaluation`. */
  context?: string;
  /** Where the data came from: a URL or a path (recorded as an absolute `file://` URI). */
  source?: string;
}

/** A table for {@link RunHandle.logTable} (pandas `orient="split"` shape). */
export interface Table {
  /** Column names. */
  columns: string[];
  /** Rows, positionally matching `columns`. */
  data: unknown[][];
}

/** The agent definition {@link RunHandle.logModel} records. */
export interface AgentDefinition {
  /** Agent name. */
  readonly name: string;
  /** Agent version. */
  readonly version: string;
  /** Configuration. */
  readonly config: Record<string, unknown>;
  /** Prompt template, if any. */
  readonly prompt?: string;
  /** Code version (e.g. a git commit). */
  readonly codeVersion?: string;
}

/** Options of {@link RunHandle.logModel}. */
export interface LogModelOptions {
  /** Logged model name. Default `<agent>_v<version>` with `.` replaced by `_`. */
  name?: string;
  /** Step the run produced it at. Default 0. */
  step?: number;
  /** Extra params and tags on the logged model. */
  params?: Record<string, string>;
  /** Tags. */
  tags?: Record<string, string>;
  /** Register it under this registered model name (needs a server). `true` = `<agent>_v<version>`. */
  registeredModelName?: string | true;
}

/** What {@link RunHandle.logModel} returns. */
export interface LoggedModelRef {
  /** Local model id in the outbox. */
  localModelId: string;
  /** Server logged model id (`m-…`) once delivered; undefined in local-only mode. */
  modelId?: string;
  /** Logged model name. */
  name: string;
  /** Registered model version when `registeredModelName` was given. */
  registeredVersion?: { name: string; version: string };
}

/**
 * What {@link RunHandle.end} reports: the status and what became of delivery (pending and
 * rejected operations, the server's ids, why delivery stopped). `describeDelivery` turns it
 * into terminal lines and an exit code.
 */
export interface EndResult extends DeliverySummary {
  /** Final status. */
  status: RunStatus;
}

/** @internal Everything a run handle is built from (made by AgentTracker). */
export interface RunInit {
  localRunId: string;
  runName: string;
  experimentName: string;
  agentName: string;
  paths: RunPaths;
  log: AppendLog;
  delivery?: Delivery;
  deliveryTimeoutMs: number;
  personalData: PersonalDataRules;
  onEnd: (run: RunHandle) => void;
  registerModel?: (
    modelId: string,
    name: string,
    runId: string,
  ) => Promise<{ name: string; version: string }>;
}

const encoder = new TextEncoder();

/**
 * A run started by `AgentTracker.startRun`. There is one way to end it: {@link RunHandle.end}
 * (idempotent: a second call returns the first result), and `[Symbol.asyncDispose]` is its
 * alias, so `await using` ends the run FINISHED when the block is left, whether the block
 * returned or threw: JavaScript does not tell a disposer that its block threw. For FAILED on
 * throw use `tracker.withRun(options, fn)`, or call `run.end("FAILED")` in your own `catch`.
 *
 * @example
 * ```ts ignore
 * import { AgentTracker } from "@evalkit/evalkit/tracking";
 * const tracker = new AgentTracker("loan_approval");
 * await using run = await tracker.startRun({ purpose: "evaluate" });
 * run.logParams({ model: "gpt-x", temperature: 0.2 });
 * for (let step = 0; step < 100; step++) run.logMetrics({ loss: 1 / (step + 1) }, { step });
 * ```
 */
export class RunHandle implements AsyncDisposable {
  /** Local run id (the outbox folder name). */
  readonly localRunId: string;
  /** Run name. */
  readonly runName: string;
  /** Experiment name. */
  readonly experimentName: string;
  #init: RunInit;
  #log: AppendLog;
  #delivery?: Delivery;
  #params = new Map<string, string>();
  #goodKeys = new Set<string>();
  #requestStep = 0;
  #decisionLog?: AppendLog;
  #decisionDirty = false;
  #tables = new Map<string, Table>();
  #loggedArtifacts: { path: string; type: string }[] = [];
  #ended?: Promise<EndResult>;
  #status?: RunStatus;
  #modelCount = 0;
  #datasets = new Map<string, string>();

  /** @internal Use `AgentTracker.startRun`. */
  constructor(init: RunInit) {
    this.#init = init;
    this.localRunId = init.localRunId;
    this.runName = init.runName;
    this.experimentName = init.experimentName;
    this.#log = init.log;
    this.#delivery = init.delivery;
  }

  /** The server run id when the run exists on the server, else the local run id. */
  get runId(): string {
    return this.#delivery?.mapping?.runId ?? this.localRunId;
  }

  /** The server run id, once the run was created there. */
  get serverRunId(): string | undefined {
    return this.#delivery?.mapping?.runId;
  }

  /** The status once ended, else `RUNNING`. */
  get status(): RunStatus {
    return this.#status ?? "RUNNING";
  }

  /** Operations not yet acknowledged by the server (0 in local-only mode). */
  get pending(): number {
    return this.#delivery?.pending ?? 0;
  }

  /** Operations the server rejected for good (bad values), with its messages. */
  get deliveryErrors(): readonly { seq: number; error: string }[] {
    return this.#delivery?.errors ?? [];
  }

  /** The last transient delivery failure (server down), cleared on success. */
  get lastDeliveryError(): unknown {
    return this.#delivery?.lastError;
  }

  #assertOpen(): void {
    if (this.#ended) {
      throw new Error(`Run '${this.runName}' has ended; start a new run to log more`);
    }
  }

  #append(op: Op): void {
    this.#log.append(JSON.stringify(op));
    this.#delivery?.push(op);
  }

  /**
   * Logs metrics at one step. Synchronous and cheap (one small write to the outbox); the
   * flusher sends coalesced batches in the background.
   *
   * @example
   * ```ts ignore
   * run.logMetrics({ accuracy: 0.91, f1: 0.88 }, { step: 3 });
   * ```
   */
  logMetrics(metrics: Record<string, number>, options: LogMetricsOptions = {}): void {
    this.#assertOpen();
    const step = options.step ?? 0;
    if (!Number.isInteger(step)) {
      throw new TypeError(`Expected step to be an integer but found ${step}`);
    }
    const m: Record<string, number | string> = {};
    for (const key in metrics) {
      if (!this.#goodKeys.has(key)) {
        assertKey(key, "metric");
        this.#goodKeys.add(key);
      }
      const v = metrics[key]!;
      if (typeof v !== "number") {
        throw new TypeError(`Expected metric '${key}' to be a number but found ${typeof v}`);
      }
      m[key] = encodeValue(v);
    }
    const op: MetricsOp = { op: "m", t: options.timestamp ?? Date.now(), s: step, m };
    if (options.datasetName !== undefined) {
      const digest = options.datasetDigest ?? this.#datasets.get(options.datasetName);
      if (digest === undefined) {
        throw new TypeError(
          `Metrics tied to dataset '${options.datasetName}' need its digest: log the dataset first or pass datasetDigest`,
        );
      }
      op.dn = options.datasetName;
      op.dd = digest;
    } else if (options.datasetDigest !== undefined) {
      throw new TypeError("datasetDigest was given without datasetName");
    }
    this.#append(op);
  }

  /**
   * Logs params. Params are immutable: the same value again is a no-op; a different value
   * throws (the server would reject it).
   */
  logParams(params: Record<string, string | number | boolean>): void {
    this.#assertOpen();
    const fresh: Record<string, string> = {};
    let n = 0;
    for (const [key, raw] of Object.entries(params)) {
      assertKey(key, "param");
      const value = String(raw);
      if (value.length > MAX_PARAM_VALUE) {
        throw new RangeError(
          `Expected param '${key}' to be at most ${MAX_PARAM_VALUE} characters but found ${value.length}`,
        );
      }
      const old = this.#params.get(key);
      if (old === value) continue;
      if (old !== undefined) {
        throw new TypeError(
          `Param '${key}' was already logged with value '${old}'; params cannot change (got '${value}')`,
        );
      }
      fresh[key] = value;
      n++;
    }
    if (n === 0) return;
    for (const [k, v] of Object.entries(fresh)) this.#params.set(k, v);
    this.#append({ op: "p", p: fresh });
  }

  /** Sets run tags (later values replace earlier ones). */
  setTags(tags: Record<string, string>): void {
    this.#assertOpen();
    const out: Record<string, string> = {};
    for (const [key, raw] of Object.entries(tags)) {
      assertKey(key, "tag");
      const value = String(raw);
      if (value.length > MAX_TAG_VALUE) {
        throw new RangeError(
          `Expected tag '${key}' to be at most ${MAX_TAG_VALUE} characters but found ${value.length}`,
        );
      }
      out[key] = value;
    }
    if (Object.keys(out).length) this.#append({ op: "tag", tags: out });
  }

  /** Records a dataset input (MLflow `log-inputs`). */
  logInput(input: DatasetInput): void {
    this.#assertOpen();
    if (input.dataset.digest.length > 36) {
      throw new RangeError(
        `Expected dataset digest to be at most 36 characters but found ${input.dataset.digest.length}`,
      );
    }
    this.#datasets.set(input.dataset.name, input.dataset.digest);
    this.#append({ op: "input", datasets: [input] });
  }

  /**
   * Logs a dataset (records or a lib/datasets `Dataset`) as a run input through
   * `toMlflowDatasetInput` (lib/datasets), the one place the MLflow dataset entity is made:
   * the dataset's short digest, `mlflow_colspec` schema, profile, an absolute source URI
   * (`options.source`, else the dataset's stored location; MLflow's `code` source for
   * records that live only in memory) and `mlflow.data.context`. Records get an inferred
   * schema, with the run's personal-data fields marked so no value of theirs is profiled.
   * Returns the input it recorded.
   */
  logDataset(
    data: DatasetLike | readonly Record<string, unknown>[],
    options: LogDatasetOptions = {},
  ): Promise<DatasetInput> {
    const like = isDatasetLike(data) ? data : undefined;
    const rows = like ? like.rows : data as readonly Record<string, unknown>[];
    const full = like && isFullDataset(like) ? like : undefined;
    const rules = this.#init.personalData;
    const schema: DatasetSchema = full?.schema ??
      markPersonalData(
        like?.schema
          ? { ...like.schema, columns: like.schema.columns.map((c) => ({ ...c })) } as DatasetSchema
          : inferSchema(rows),
        rules,
      );
    const digest = full ? undefined : datasetDigest(rows);
    const input = toMlflowDatasetInput({
      name: options.name ?? like?.name ?? "dataset",
      version: like?.version ?? "",
      rows,
      schema,
      digest: full?.digest ?? digest!.sha256,
      mlflowDigest: like?.mlflowDigest ?? digest!.mlflow,
      ...(full?.location !== undefined ? { location: full.location } : {}),
    }, {
      context: options.context ?? "evaluation",
      ...(options.source !== undefined ? { sourceUri: options.source } : {}),
      ...(options.targets !== undefined ? { targets: options.targets } : {}),
    });
    this.logInput(input);
    return Promise.resolve(input);
  }

  /**
   * Logs evaluation results: every finite number in `results` (nested objects flattened
   * with `/`) becomes a metric tied to the dataset, and the whole object is saved as
   * `evaluation/<datasetName>.json`.
   */
  async logEvaluationResults(
    results: Record<string, unknown>,
    options: { datasetName?: string; datasetDigest?: string; step?: number; prefix?: string } = {},
  ): Promise<Record<string, number>> {
    const metrics: Record<string, number> = {};
    const walk = (value: unknown, path: string[]) => {
      if (typeof value === "number") {
        if (path.length) metrics[path.map(sanitizeKeySegment).join("/")] = value;
      } else if (value && typeof value === "object" && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          walk(v, [...path, k]);
        }
      }
    };
    walk(results, options.prefix ? [options.prefix] : []);
    const known = options.datasetName !== undefined &&
      (options.datasetDigest !== undefined || this.#datasets.has(options.datasetName));
    this.logMetrics(metrics, {
      step: options.step ?? 0,
      datasetName: known ? options.datasetName : undefined,
      datasetDigest: known ? options.datasetDigest : undefined,
    });
    const name = sanitizeKeySegment(options.datasetName ?? "results");
    await this.logArtifact(`evaluation/${name}.json`, JSON.stringify(results, null, 2));
    return metrics;
  }

  /**
   * Logs one handled request: its metrics (`request/duration_ms` and every numeric field of
   * the decision as `request/<field>`) at the next request step, and a line in the
   * `decisions/decision_log.jsonl` artifact with personal data hashed or dropped.
   */
  async logRequest(request: LoggedRequest): Promise<number> {
    this.#assertOpen();
    const step = this.#requestStep++;
    const timestamp = request.timestamp ?? Date.now();
    const metrics: Record<string, number> = { "request/duration_ms": request.durationMs };
    for (const [k, v] of Object.entries(request.decisionData)) {
      if (typeof v === "number") metrics[`request/${sanitizeKeySegment(k)}`] = v;
    }
    this.logMetrics(metrics, { step, timestamp });
    const line = {
      request_id: request.requestId,
      timestamp,
      step,
      duration_ms: request.durationMs,
      request: await protectRecord(request.requestData, this.#init.personalData),
      decision: await protectRecord(request.decisionData, this.#init.personalData),
    };
    if (!this.#decisionLog) {
      const path = this.#init.paths.artifact("decisions/decision_log.jsonl");
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      // Whole lines only, as the outbox (a full disk never leaves a torn line mid-file).
      this.#decisionLog = AppendLog.open(path, 0, { lock: false });
    }
    this.#decisionLog.append(JSON.stringify(line));
    this.#decisionDirty = true;
    return step;
  }

  #flushDecisionLog(): void {
    if (this.#decisionDirty) {
      this.#decisionDirty = false;
      this.#append({ op: "art", path: "decisions/decision_log.jsonl" });
    }
  }

  /** Logs an artifact at `path` (relative) with the given content; the bytes are copied into the store. */
  async logArtifact(path: string, content: Uint8Array | string): Promise<void> {
    this.#assertOpen();
    const rel = safeRelative(path);
    const file = this.#init.paths.artifact(rel);
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(file, typeof content === "string" ? encoder.encode(content) : content);
    this.#append({ op: "art", path: rel });
  }

  /** Logs several artifacts: `{ "path/in/run": content }`. */
  async logArtifacts(files: Record<string, Uint8Array | string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) await this.logArtifact(path, content);
  }

  /** Copies a local file into the run's artifacts (default name: the file's base name). */
  async logArtifactFile(localPath: string, artifactPath?: string): Promise<void> {
    const base = localPath.split(/[\\/]/).pop()!;
    await this.logArtifact(artifactPath ?? base, await Deno.readFile(localPath));
  }

  /** Copies a local folder (recursively) into the run's artifacts under `artifactPath`. */
  async logArtifactDir(localDir: string, artifactPath = ""): Promise<void> {
    for await (const e of Deno.readDir(localDir)) {
      const target = artifactPath ? `${artifactPath}/${e.name}` : e.name;
      if (e.isDirectory) await this.logArtifactDir(`${localDir}/${e.name}`, target);
      else if (e.isFile) {
        await this.logArtifact(target, await Deno.readFile(`${localDir}/${e.name}`));
      }
    }
  }

  /**
   * Logs a table as MLflow does (`orient="split"` JSON, listed in the run tag
   * `mlflow.loggedArtifacts` so the UI shows it as a table). Logging the same path again
   * appends rows.
   */
  async logTable(path: string, table: Table): Promise<void> {
    if (!path.endsWith(".json")) {
      throw new TypeError(`Expected a table path ending in .json but found '${path}'`);
    }
    const prev = this.#tables.get(path);
    if (prev && prev.columns.join("\u0000") !== table.columns.join("\u0000")) {
      throw new TypeError(
        `Table '${path}' has columns [${prev.columns}] but rows with [${table.columns}] were given`,
      );
    }
    const merged: Table = prev ? { columns: prev.columns, data: [...prev.data, ...table.data] } : {
      columns: [...table.columns],
      data: [...table.data],
    };
    this.#tables.set(path, merged);
    await this.logArtifact(path, JSON.stringify(merged));
    if (!this.#loggedArtifacts.some((a) => a.path === path)) {
      this.#loggedArtifacts.push({ path, type: "table" });
      this.setTags({ "mlflow.loggedArtifacts": JSON.stringify(this.#loggedArtifacts) });
    }
  }

  /**
   * Logs the agent's definition (config, prompt, code version) as an MLflow 3 logged model
   * with an `MLmodel` file, linked to this run as an output; registers it when asked.
   */
  async logModel(agent: AgentDefinition, options: LogModelOptions = {}): Promise<LoggedModelRef> {
    this.#assertOpen();
    const defaultName = `${agent.name}_v${agent.version}`;
    const name = options.name ?? defaultName.replace(/[/:.%"']/g, "_");
    const local = `${this.localRunId.slice(0, 8)}-model-${this.#modelCount++}`;
    const dir = `${this.#init.paths.models}/${local}`;
    await Deno.mkdir(dir, { recursive: true });
    const created = new Date().toISOString();
    const files: Record<string, string> = {
      "agent_config.json": JSON.stringify(agent.config, null, 2),
    };
    if (agent.prompt !== undefined) files["prompt.txt"] = agent.prompt;
    const mlmodel = [
      `artifact_path: model`,
      `flavors:`,
      `  evalkit_agent:`,
      `    agent_name: ${JSON.stringify(agent.name)}`,
      `    agent_version: ${JSON.stringify(agent.version)}`,
      `    config: agent_config.json`,
      ...(agent.prompt !== undefined ? [`    prompt: prompt.txt`] : []),
      `    code_version: ${JSON.stringify(agent.codeVersion ?? "unknown")}`,
      `model_uuid: ${local}`,
      `run_id: ${this.localRunId}`,
      `utc_time_created: '${created}'`,
      `metadata:`,
      `  evalkit: true`,
      ``,
    ].join("\n");
    files["MLmodel"] = mlmodel;
    for (const [f, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${f}`, text);
    const params: Record<string, string> = { agent_version: agent.version, ...options.params };
    for (const [k, v] of Object.entries(agent.config)) {
      if (v === null || ["string", "number", "boolean"].includes(typeof v)) {
        params[sanitizeKeySegment(k)] = String(v).slice(0, MAX_PARAM_VALUE);
      }
    }
    this.#append({
      op: "model",
      local,
      name,
      modelType: "agent",
      params,
      tags: {
        "mlflow.model.isExternal": "true",
        "evalkit.agent": agent.name,
        "evalkit.code_version": agent.codeVersion ?? "unknown",
        ...options.tags,
      },
      files: Object.keys(files),
      step: options.step ?? 0,
    });
    const ref: LoggedModelRef = { localModelId: local, name };
    if (this.#delivery) {
      await this.#delivery.flush(this.#init.deliveryTimeoutMs);
      ref.modelId = this.#delivery.models.get(local)?.id;
    }
    if (options.registeredModelName !== undefined) {
      if (!ref.modelId || !this.#init.registerModel) {
        throw new Error(
          "Registering a model needs a reachable tracking server (MLFLOW_TRACKING_URI)",
        );
      }
      const regName = options.registeredModelName === true
        ? defaultName
        : options.registeredModelName;
      ref.registeredVersion = await this.#init.registerModel(ref.modelId, regName, this.runId);
    }
    return ref;
  }

  /**
   * Waits until everything logged so far is on the server. Resolves true when delivered,
   * false when `timeoutMs` passed first (the rest stays in the outbox). Local-only: true.
   */
  async flush(timeoutMs: number = this.#init.deliveryTimeoutMs): Promise<boolean> {
    this.#flushDecisionLog();
    if (!this.#delivery) return true;
    return await this.#delivery.flush(timeoutMs);
  }

  /**
   * Ends the run with a status (default FINISHED), waits for delivery (up to the tracker's
   * `deliveryTimeoutMs`) and releases the outbox. Idempotent: calling it again (with any
   * status) returns the first call's result and changes nothing.
   */
  end(status: RunStatus = "FINISHED"): Promise<EndResult> {
    this.#ended ??= this.#end(status);
    return this.#ended;
  }

  async #end(status: RunStatus): Promise<EndResult> {
    this.#status = status;
    this.#flushDecisionLog();
    this.#decisionLog?.close();
    const op: Op = { op: "end", t: Date.now(), status };
    this.#log.append(JSON.stringify(op));
    this.#delivery?.push(op);
    this.#log.close();
    this.#init.onEnd(this);
    await Deno.remove(this.#init.paths.owner).catch(() => {});
    let delivered = true;
    if (this.#delivery) {
      delivered = await this.#delivery.flush(this.#init.deliveryTimeoutMs);
      await this.#delivery.close();
    }
    return {
      status,
      ...summarizeDelivery(this.#delivery, {
        localRunId: this.localRunId,
        runName: this.runName,
        storeDir: this.#init.paths.storeDir,
      }),
      delivered,
    };
  }

  /**
   * The alias of `end()` for `await using`: ends the run FINISHED unless it already ended.
   * JavaScript does not tell a disposer whether its block threw, so a throwing block still
   * ends FINISHED: use `AgentTracker.withRun` (FAILED on throw) or call `end("FAILED")` in a
   * `catch`.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.end("FINISHED");
  }
}

function isDatasetLike(d: unknown): d is DatasetLike {
  return !Array.isArray(d) && typeof d === "object" && d !== null && "rows" in d;
}

/** A lib/datasets `Dataset` (digest and typed schema known), not just records with a name. */
function isFullDataset(d: DatasetLike): d is DatasetLike & {
  digest: string;
  mlflowDigest: string;
  version: string;
  schema: DatasetSchema;
  location?: string;
} {
  const x = d as DatasetLike & { digest?: unknown };
  return typeof x.digest === "string" && typeof d.mlflowDigest === "string" &&
    typeof d.version === "string" && d.schema !== undefined;
}

/** Marks the columns the run's personal-data rules name, so their values are never profiled. */
function markPersonalData(schema: DatasetSchema, rules: PersonalDataRules): DatasetSchema {
  const hash = new Set(rules.hash ?? []);
  const drop = new Set(rules.drop ?? []);
  return {
    ...schema,
    columns: schema.columns.map((c) =>
      drop.has(c.name)
        ? { ...c, personalData: "drop" as const }
        : hash.has(c.name)
        ? { ...c, personalData: "hash" as const }
        : c
    ),
  };
}
