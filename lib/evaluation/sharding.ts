/**
 * Sharded evaluation: which rows a shard takes, the parent run the shards join, evaluating a
 * shard as a child run and recording its mergeable state (`shard/shard_state.json`). The merge
 * is `shard_merge.ts`. Used by `deno task evaluate --shard i/n`, `evaluate:parent`, a notebook
 * and the Databricks job alike.
 *
 * A row belongs to shard `parseInt(sha256(id).slice(0, 8), 16) % n`, `id` being the row's id
 * (the schema's id column, else `request_id`, else its position in the dataset): a function of
 * the row alone, so every row is in exactly one shard, whatever the order of the file.
 *
 * @example
 * ```ts ignore
 * import { evaluateShard, mergeShards, createParentRun, planShard, ModelEvaluator } from "@evalkit/evalkit/evaluation";
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const client = MlflowClient.fromEnv();
 * const parent = await createParentRun(client, { experimentName: "/Shared/ai-agents/loan_approval", shards: 2 });
 * for (const index of [0, 1]) {
 *   const plan = await planShard(client, { index, count: 2 }, { parentRunId: parent.runId, experimentName: parent.experimentName });
 *   await evaluateShard(new ModelEvaluator("loan_approval", agent), dataset, plan);
 * }
 * const report = await mergeShards(client, parent.runId);
 * ```
 *
 * @module
 */
import { sha256Hex } from "../_internal/digest.ts";
import { MlflowApiError } from "../_internal/errors.ts";
import type { MlflowClient } from "../mlflow/client.ts";
import type { Run } from "../mlflow/types.ts";
import type { Dataset } from "../datasets/types.ts";
import { AgentTracker, defaultRunName } from "../tracking/agent_tracker.ts";
import type { RunHandle } from "../tracking/run_handle.ts";
import type { EvalResult } from "./eval_result.ts";
import type { EvaluateOptions, ModelEvaluator } from "./model_evaluator.ts";
import { idFieldOf } from "./_pipeline.ts";
import { EvalSummary, type SummaryState } from "./summary.ts";

/**
 * Artifact path of a shard's state (in each child run).
 *
 * @example
 * ```ts
 * import { SHARD_STATE_PATH } from "@evalkit/evalkit/evaluation";
 * if (SHARD_STATE_PATH !== "shard/shard_state.json") throw new Error("unexpected");
 * ```
 */
export const SHARD_STATE_PATH = "shard/shard_state.json";
/**
 * Artifact path of the merged latency sketch (in the parent run).
 *
 * @example
 * ```ts
 * import { MERGED_SKETCH_PATH } from "@evalkit/evalkit/evaluation";
 * if (!MERGED_SKETCH_PATH.endsWith(".json")) throw new Error("unexpected");
 * ```
 */
export const MERGED_SKETCH_PATH = "latency_sketch.json";
/**
 * How rows are assigned to shards, as recorded in the runs.
 *
 * @example
 * ```ts
 * import { SHARD_SELECTION } from "@evalkit/evalkit/evaluation";
 * if (!SHARD_SELECTION.includes("mod n")) throw new Error("unexpected");
 * ```
 */
export const SHARD_SELECTION = "sha256(id)[0:8] mod n";

/**
 * Run tags of sharded evaluations.
 *
 * @example
 * ```ts
 * import { SHARD_TAGS } from "@evalkit/evalkit/evaluation";
 * if (SHARD_TAGS.parent !== "mlflow.parentRunId") throw new Error("unexpected");
 * ```
 */
export const SHARD_TAGS = {
  /** MLflow's parent link: set on every child (shard) run. */
  parent: "mlflow.parentRunId",
  /** `parent` on the parent run, `shard` on the children. */
  role: "evalkit.shard_role",
  /** The shard group name (optional), on parent and children. */
  group: "evalkit.shard_group",
  /** `i/n` on a child. */
  shard: "evalkit.shard",
  /** `i` on a child. */
  index: "evalkit.shard_index",
  /** `n` on a child, and on the parent when `evaluate:parent --shards n` fixed it. */
  count: "evalkit.shard_count",
} as const;

/**
 * The message when sharding is asked of the embedded local store.
 *
 * @example
 * ```ts
 * import { NEEDS_SERVER } from "@evalkit/evalkit/evaluation";
 * if (!NEEDS_SERVER.includes("MLFLOW_TRACKING_URI")) throw new Error("unexpected");
 * ```
 */
export const NEEDS_SERVER: string =
  "sharded evaluation needs an MLflow tracking server: set MLFLOW_TRACKING_URI (the parent run is " +
  "shared by independent processes, and a run of the local store .evalkit/store belongs to the one " +
  "process that writes it). Evaluate without --shard locally, or start a server with 'deno task mlflow'.";

/** What went wrong with a sharded evaluation (a CLI maps it to exit 2). */
export type ShardErrorCode =
  | "needs_server"
  | "parent_not_found"
  | "parent_ambiguous"
  | "parent_not_running"
  | "shard_mismatch"
  | "no_shards"
  | "missing_or_duplicate"
  | "bad_state";

/**
 * A sharded evaluation that cannot go on as asked: a parent that is missing, closed or of
 * another shard count, missing or duplicate shards, shard states that do not fit together.
 *
 * @example
 * ```ts
 * import { ShardError } from "@evalkit/evalkit/evaluation";
 * const e = new ShardError("no_shards", "Parent run p has no shard runs");
 * if (e.code !== "no_shards" || e.name !== "ShardError") throw new Error("unexpected");
 * ```
 */
export class ShardError extends Error {
  /** Always `ShardError`. */
  override name = "ShardError";
  /** What went wrong. */
  readonly code: ShardErrorCode;
  /** Creates the error. */
  constructor(code: ShardErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Shard `index` of `count`. */
export interface ShardSpec {
  /** 0-based shard index, < count. */
  index: number;
  /** Number of shards, >= 1. */
  count: number;
}

/**
 * Parses `i/n` (0 <= i < n, n <= 10000). Throws a `RangeError` with the reason.
 *
 * @example
 * ```ts
 * import { parseShard } from "@evalkit/evalkit/evaluation";
 * if (parseShard("2/5").count !== 5) throw new Error("unexpected");
 * ```
 */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new RangeError(`Expected --shard as i/n (e.g. 0/4) but found '${text}'`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || count > 10_000) {
    throw new RangeError(
      `Expected the shard count n of --shard i/n in 1..10000 but found ${count}`,
    );
  }
  if (index >= count) {
    throw new RangeError(
      `Expected the shard index i of --shard i/n in 0..${count - 1} but found ${index} ('${text}')`,
    );
  }
  return { index, count };
}

/**
 * The shard (0..count-1) of a row id.
 *
 * @example
 * ```ts
 * import { shardOfId } from "@evalkit/evalkit/evaluation";
 * if (shardOfId("req-1", 4) !== shardOfId("req-1", 4)) throw new Error("unexpected");
 * ```
 */
export function shardOfId(id: string, count: number): number {
  return parseInt(sha256Hex(id).slice(0, 8), 16) % count;
}

/**
 * Positions (ascending) of the dataset rows in shard `spec`.
 *
 * @example
 * ```ts ignore
 * import { shardRowIndices } from "@evalkit/evalkit/evaluation";
 * const mine = shardRowIndices(dataset, { index: 0, count: 4 });
 * ```
 */
export function shardRowIndices(dataset: Dataset, spec: ShardSpec): number[] {
  const idField = idFieldOf(dataset);
  const out: number[] = [];
  dataset.rows.forEach((row, i) => {
    const id = idField && row[idField] !== undefined && row[idField] !== null
      ? String(row[idField])
      : String(i);
    if (shardOfId(id, spec.count) === spec.index) out.push(i);
  });
  return out;
}

/** What a shard logs (`shard/shard_state.json`) so that the merge is exact. */
export interface ShardState extends SummaryState {
  /** Always `evalkit.shard`. */
  format: "evalkit.shard";
  /** Format version, 1. */
  version: 1;
  /** Which shard. */
  shard: ShardSpec;
  /** How rows were assigned ({@link SHARD_SELECTION}). */
  selection: string;
  /** The parent run. */
  parentRunId: string;
  /** The shard group, when named. */
  group?: string;
  /** Agent evaluated. */
  agent: { name: string; version: string };
  /** The whole dataset the shard is a slice of. */
  dataset: { name: string; version: string; digest: string; mlflowDigest: string; rows: number };
  /** Label column. */
  targetField: string;
  /** Id column, or null when ids are row positions. */
  idField: string | null;
  /** Dataset position of each row of the shard's `eval_results_table.json`, in table order. */
  rowIndices: number[];
}

/**
 * Quotes a value for an MLflow search filter.
 *
 * @example
 * ```ts
 * import { filterValue } from "@evalkit/evalkit/evaluation";
 * if (filterValue("it's") !== "'it\\'s'") throw new Error(filterValue("it's"));
 * ```
 */
export function filterValue(v: string): string {
  return `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/**
 * Reads a run, or undefined when the server says it does not exist.
 *
 * @example
 * ```ts ignore
 * import { getRunOrUndefined } from "@evalkit/evalkit/evaluation";
 * const run = await getRunOrUndefined(MlflowClient.fromEnv(), "0123456789abcdef0123456789abcdef");
 * ```
 */
export async function getRunOrUndefined(
  client: MlflowClient,
  runId: string,
): Promise<Run | undefined> {
  try {
    return await client.runs.get(runId);
  } catch (e) {
    if (
      e instanceof MlflowApiError &&
      (e.status === 404 || e.errorCode === "RESOURCE_DOES_NOT_EXIST" ||
        e.errorCode === "INVALID_PARAMETER_VALUE")
    ) return undefined;
    throw e;
  }
}

/**
 * Parent runs (active) of a shard group in an experiment, oldest first.
 *
 * @example
 * ```ts ignore
 * import { findGroupParents } from "@evalkit/evalkit/evaluation";
 * const parents = await findGroupParents(client, experimentId, "nightly-42");
 * ```
 */
export async function findGroupParents(
  client: MlflowClient,
  experimentId: string,
  group: string,
): Promise<Run[]> {
  const out: Run[] = [];
  const filter = `tags.\`${SHARD_TAGS.group}\` = ${filterValue(group)} AND ` +
    `tags.\`${SHARD_TAGS.role}\` = 'parent'`;
  for await (
    const run of client.runs.search({
      experimentIds: [experimentId],
      filter,
      orderBy: ["attributes.start_time ASC"],
    })
  ) out.push(run);
  return out;
}

/** Which parent run: by id, or the one parent of a shard group in an experiment. */
export interface ParentRef {
  /** The parent run's id. */
  parentRunId?: string;
  /** Or its shard group. */
  group?: string;
  /** Where the group's parent is. */
  experimentName: string;
}

/**
 * Resolves the parent run of a shard: by id, else the one parent run of the shard group in
 * the experiment. Throws a {@link ShardError} when there is none or several.
 *
 * @example
 * ```ts ignore
 * import { resolveParent } from "@evalkit/evalkit/evaluation";
 * const parent = await resolveParent(client, { group: "nightly-42", experimentName: "/Shared/ai-agents/loan_approval" });
 * ```
 */
export async function resolveParent(client: MlflowClient, ref: ParentRef): Promise<Run> {
  if (ref.parentRunId) {
    const run = await getRunOrUndefined(client, ref.parentRunId);
    if (!run || run.info.lifecycleStage === "deleted") {
      throw new ShardError(
        "parent_not_found",
        `Parent run '${ref.parentRunId}' was not found on the server`,
      );
    }
    if (ref.group !== undefined && run.data.tags[SHARD_TAGS.group] !== ref.group) {
      throw new ShardError(
        "parent_not_found",
        `Parent run '${ref.parentRunId}' is not of shard group '${ref.group}' (its group: ` +
          `${run.data.tags[SHARD_TAGS.group] ?? "none"})`,
      );
    }
    return run;
  }
  const group = ref.group;
  if (group === undefined) throw new RangeError("Expected a parent run id or a shard group");
  const exp = await client.experiments.getByName(ref.experimentName);
  const parents = exp ? await findGroupParents(client, exp.experimentId, group) : [];
  if (parents.length === 0) {
    throw new ShardError(
      "parent_not_found",
      `No parent run of shard group '${group}' in experiment ${ref.experimentName}: create it ` +
        `first with 'deno task evaluate:parent --shard-group ${group}' (or pass --parent-run <id>)`,
    );
  }
  if (parents.length > 1) {
    throw new ShardError(
      "parent_ambiguous",
      `Shard group '${group}' has ${parents.length} parent runs in ${ref.experimentName} (` +
        `${parents.map((r) => r.info.runId).join(", ")}): pass --parent-run <id>`,
    );
  }
  return parents[0]!;
}

/** Options of {@link createParentRun}. */
export interface ParentRunOptions {
  /** The experiment (created when missing). */
  experimentName: string;
  /** Agent name (tag `evalkit.agent`, default run name). Default `loan_approval`. */
  agent?: string;
  /** Name the group: an existing parent of the group is reused. */
  group?: string;
  /** Fix the number of shards: shards of another n are refused. */
  shards?: number;
  /** Run name. Default `<agent>_evaluate_sharded_<time>`. */
  runName?: string;
  /** Extra tags. */
  tags?: Record<string, string>;
}

/** The parent run made or found by {@link createParentRun}. */
export interface ParentRun {
  /** Its id. */
  runId: string;
  /** Whether it was created now (false: the group's existing parent). */
  created: boolean;
  /** Its experiment. */
  experimentId: string;
  /** Its experiment's name. */
  experimentName: string;
}

/**
 * Creates the parent run of a sharded evaluation (RUNNING until the merge ends it), or, with
 * a `group` that already has one, returns it. Throws a {@link ShardError} when the group has
 * several parents or one for another shard count.
 *
 * @example
 * ```ts ignore
 * import { createParentRun } from "@evalkit/evalkit/evaluation";
 * const parent = await createParentRun(client, { experimentName: "/Shared/ai-agents/loan_approval", shards: 4 });
 * console.log(parent.runId);
 * ```
 */
export async function createParentRun(
  client: MlflowClient,
  o: ParentRunOptions,
): Promise<ParentRun> {
  const exp = await client.experiments.getOrCreate(o.experimentName);
  const base = { experimentId: exp.experimentId, experimentName: o.experimentName };
  if (o.group !== undefined) {
    const existing = await findGroupParents(client, exp.experimentId, o.group);
    if (existing.length > 1) {
      throw new ShardError(
        "parent_ambiguous",
        `shard group '${o.group}' already has ${existing.length} parent runs (` +
          `${existing.map((r) => r.info.runId).join(", ")}); use one with --parent-run <id>`,
      );
    }
    const found = existing[0];
    if (found) {
      const had = found.data.tags[SHARD_TAGS.count];
      if (o.shards !== undefined && had !== undefined && had !== String(o.shards)) {
        throw new ShardError(
          "shard_mismatch",
          `shard group '${o.group}' has parent run ${found.info.runId} for ${had} shards, not ${o.shards}`,
        );
      }
      return { runId: found.info.runId, created: false, ...base };
    }
  }
  const agent = o.agent ?? "loan_approval";
  const now = Date.now();
  const run = await client.runs.create({
    experimentId: exp.experimentId,
    runName: o.runName ?? defaultRunName(agent, "evaluate_sharded", now),
    startTime: now,
    tags: {
      ...o.tags,
      [SHARD_TAGS.role]: "parent",
      "evalkit.agent": agent,
      "evalkit.purpose": "evaluate",
      ...(o.group !== undefined ? { [SHARD_TAGS.group]: o.group } : {}),
      ...(o.shards !== undefined ? { [SHARD_TAGS.count]: String(o.shards) } : {}),
    },
  });
  return { runId: run.info.runId, created: true, ...base };
}

/** An agent's name and version, as a shard records them. */
export interface AgentRef {
  /** Name. */
  name: string;
  /** Version. */
  version: string;
}

/** A shard resolved against the server: which shard, its parent and experiment. */
export interface ShardPlan {
  /** Which shard. */
  spec: ShardSpec;
  /** The parent run (RUNNING). */
  parent: Run;
  /** The shard group, when named. */
  group?: string;
  /** The parent's experiment, where the shard run goes. */
  experimentName: string;
}

/**
 * Resolves a shard against the server: finds its parent run and checks that it is RUNNING, of
 * the same shard count, and in `experimentName` when one is given. Throws a
 * {@link ShardError}.
 *
 * @example
 * ```ts ignore
 * import { parseShard, planShard } from "@evalkit/evalkit/evaluation";
 * const plan = await planShard(client, parseShard("2/4"), { parentRunId, defaultExperiment: "/Shared/ai-agents/loan_approval" });
 * ```
 */
export async function planShard(
  client: MlflowClient,
  spec: ShardSpec,
  ref: Omit<ParentRef, "experimentName"> & { experimentName?: string; defaultExperiment: string },
): Promise<ShardPlan> {
  const parent = await resolveParent(client, {
    ...ref,
    experimentName: ref.experimentName ?? ref.defaultExperiment,
  });
  const id = parent.info.runId;
  if (parent.info.status !== "RUNNING") {
    throw new ShardError(
      "parent_not_running",
      `Parent run ${id} is ${parent.info.status}: shards can only join a RUNNING parent ` +
        `(it ends when 'deno task evaluate:merge' has combined the shards)`,
    );
  }
  const fixed = parent.data.tags[SHARD_TAGS.count];
  if (fixed !== undefined && fixed !== String(spec.count)) {
    throw new ShardError(
      "shard_mismatch",
      `Parent run ${id} is for ${fixed} shards but --shard says ${spec.index}/${spec.count}`,
    );
  }
  const experimentName = (await client.experiments.get(parent.info.experimentId)).name;
  if (ref.experimentName !== undefined && ref.experimentName !== experimentName) {
    throw new ShardError(
      "shard_mismatch",
      `Parent run ${id} is in experiment ${experimentName}, not ${ref.experimentName}: shards ` +
        `log to their parent's experiment`,
    );
  }
  const group = ref.group ?? parent.data.tags[SHARD_TAGS.group];
  return { spec, parent, experimentName, ...(group !== undefined ? { group } : {}) };
}

/**
 * The tags of a shard's child run.
 *
 * @example
 * ```ts ignore
 * import { shardRunTags } from "@evalkit/evalkit/evaluation";
 * const tags = shardRunTags(plan); // mlflow.parentRunId, evalkit.shard, …
 * ```
 */
export function shardRunTags(plan: ShardPlan): Record<string, string> {
  return {
    [SHARD_TAGS.parent]: plan.parent.info.runId,
    [SHARD_TAGS.role]: "shard",
    [SHARD_TAGS.shard]: `${plan.spec.index}/${plan.spec.count}`,
    [SHARD_TAGS.index]: String(plan.spec.index),
    [SHARD_TAGS.count]: String(plan.spec.count),
    ...(plan.group !== undefined ? { [SHARD_TAGS.group]: plan.group } : {}),
  };
}

/**
 * The default name of a shard's child run: `<parent name>_shard_<i>_of_<n>`.
 *
 * @example
 * ```ts ignore
 * import { shardRunName } from "@evalkit/evalkit/evaluation";
 * const name = shardRunName(plan, "loan_approval"); // <parent>_shard_2_of_4
 * ```
 */
export function shardRunName(plan: ShardPlan, agentName: string): string {
  return `${plan.parent.info.runName || agentName}_shard_${plan.spec.index}_of_${plan.spec.count}`;
}

/** A shard's rows: its slice of the dataset and their dataset positions. */
export interface ShardSlice {
  /** The slice (the dataset with the shard's rows only). */
  dataset: Dataset;
  /** Dataset position of each row of the slice. */
  indices: number[];
}

/**
 * The slice of `full` that shard `spec` evaluates.
 *
 * @example
 * ```ts ignore
 * import { shardSlice } from "@evalkit/evalkit/evaluation";
 * const { dataset: slice, indices } = shardSlice(dataset, { index: 0, count: 4 });
 * ```
 */
export function shardSlice(full: Dataset, spec: ShardSpec): ShardSlice {
  const indices = shardRowIndices(full, spec);
  return { dataset: { ...full, rows: indices.map((i) => full.rows[i]!) }, indices };
}

/**
 * The state of a finished shard evaluation (`result` undefined for an empty shard), built from
 * the result's rows as the evaluator summarises them.
 *
 * @example
 * ```ts ignore
 * import { shardState } from "@evalkit/evalkit/evaluation";
 * const state = shardState(plan, dataset, indices, result, { targetField: "expected_outcome", agent });
 * ```
 */
export function shardState(
  plan: ShardPlan,
  full: Dataset,
  indices: readonly number[],
  result: EvalResult | undefined,
  info: { targetField: string; agent: AgentRef },
): ShardState {
  const m = result?.metrics ?? {};
  const summary = EvalSummary.fromRows({
    rows: result?.rows ?? [],
    usages: [],
    prices: {},
    retries: m.retry_count ?? 0,
    rateLimited: m.rate_limited_count ?? 0,
    wallMs: (m.wall_time_s ?? 0) * 1000,
  }).toState();
  return {
    format: "evalkit.shard",
    version: 1,
    shard: plan.spec,
    selection: SHARD_SELECTION,
    parentRunId: plan.parent.info.runId,
    ...(plan.group !== undefined ? { group: plan.group } : {}),
    agent: info.agent,
    dataset: {
      name: full.name,
      version: full.version,
      digest: full.digest,
      mlflowDigest: full.mlflowDigest,
      rows: full.rows.length,
    },
    targetField: info.targetField,
    idField: idFieldOf(full) ?? null,
    rowIndices: (result?.rows ?? []).map((r) => indices[r.index]!),
    ...summary,
    labels: result?.classification.labels ?? [],
    confusionMatrix: result?.classification.confusionMatrix ?? [],
    usage: {
      perModel: structuredClone(result?.usage.perModel ?? {}),
      totalTokens: result?.usage.totalTokens ?? 0,
      totalUsd: result?.usage.totalUsd ?? 0,
      unpricedModels: [...(result?.usage.unpricedModels ?? [])],
    },
  };
}

/**
 * Logs a shard's params and state into its (open) child run.
 *
 * @example
 * ```ts ignore
 * import { recordShard } from "@evalkit/evalkit/evaluation";
 * await recordShard(run, plan, { ...slice, full: dataset }, result, { targetField: result.targetField, agent });
 * await run.end(result.status);
 * ```
 */
export async function recordShard(
  run: RunHandle,
  plan: ShardPlan,
  slice: ShardSlice & { full: Dataset },
  result: EvalResult | undefined,
  info: { targetField: string; agent: AgentRef },
): Promise<void> {
  run.logParams({ shard_index: plan.spec.index, shard_count: plan.spec.count });
  const state = shardState(plan, slice.full, slice.indices, result, info);
  await run.logArtifact(SHARD_STATE_PATH, JSON.stringify(state));
}

/**
 * Records an empty shard (a slice with no rows) as a FINISHED child run with its empty state,
 * so the merge finds every shard. Returns the run id.
 *
 * @example
 * ```ts ignore
 * import { recordEmptyShard } from "@evalkit/evalkit/evaluation";
 * const runId = await recordEmptyShard(tracker, plan, dataset, { runName, tags, targetField, agent });
 * ```
 */
export async function recordEmptyShard(
  tracker: AgentTracker,
  plan: ShardPlan,
  full: Dataset,
  o: { runName: string; tags: Record<string, string>; targetField: string; agent: AgentRef },
): Promise<string> {
  const run = await tracker.startRun({
    purpose: "evaluate",
    runName: o.runName,
    tags: {
      ...o.tags,
      "evalkit.dataset": `${full.name}@${full.version}`,
      "evalkit.status": "FINISHED",
    },
  });
  try {
    run.logParams({
      dataset_name: full.name,
      dataset_version: full.version,
      dataset_digest: full.digest,
      dataset_rows: 0,
    });
    run.logMetrics({ row_count: 0, example_count: 0, error_count: 0 });
    await recordShard(
      run,
      plan,
      { full, dataset: { ...full, rows: [] }, indices: [] },
      undefined,
      o,
    );
    await run.end("FINISHED");
  } catch (e) {
    await run.end("FAILED").catch(() => {});
    throw e;
  }
  return run.runId;
}

/** What {@link evaluateShard} did. */
export interface ShardOutcome {
  /** The child run. */
  runId: string;
  /** Rows of the shard. */
  rows: number;
  /** The result (absent for an empty shard). */
  result?: EvalResult;
}

/**
 * Evaluates shard `plan` of `full` as a child run of the plan's parent (in its experiment),
 * records the shard's state and ends the child run with the result's status. An empty slice
 * is recorded as an empty shard. `options.tracker` must log to a server (a
 * {@link ShardError} `needs_server` otherwise); by default one is made from the environment.
 *
 * @example
 * ```ts ignore
 * import { evaluateShard, ModelEvaluator } from "@evalkit/evalkit/evaluation";
 * const { runId, rows } = await evaluateShard(new ModelEvaluator("loan_approval", agent), dataset, plan);
 * ```
 */
export async function evaluateShard(
  evaluator: ModelEvaluator,
  full: Dataset,
  plan: ShardPlan,
  options: Omit<EvaluateOptions, "run" | "logToMlflow" | "repeat"> = {},
): Promise<ShardOutcome> {
  const tracker = options.tracker ?? new AgentTracker(evaluator.agentName, {
    experimentName: plan.experimentName,
    version: evaluator.agent.version,
    handleSigint: false,
  });
  try {
    if (!tracker.trackingUri) throw new ShardError("needs_server", NEEDS_SERVER);
    if (tracker.experimentName !== plan.experimentName) {
      throw new ShardError(
        "shard_mismatch",
        `The tracker logs to experiment ${tracker.experimentName} but shards log to their ` +
          `parent's experiment ${plan.experimentName}`,
      );
    }
    const slice = { ...shardSlice(full, plan.spec), full };
    const tags = { ...options.tags, ...shardRunTags(plan) };
    const runName = options.runName ?? shardRunName(plan, evaluator.agentName);
    const targetField = options.targetField ?? full.schema.target ?? "expected_outcome";
    const agent = { name: evaluator.agent.name, version: evaluator.agent.version };
    if (slice.indices.length === 0) {
      const runId = await recordEmptyShard(tracker, plan, full, {
        runName,
        tags,
        targetField,
        agent,
      });
      return { runId, rows: 0 };
    }
    const run = await tracker.startRun({ purpose: "evaluate", runName, tags });
    try {
      const result = await evaluator.evaluateDataset(slice.dataset, { ...options, run });
      await recordShard(run, plan, slice, result, { targetField: result.targetField, agent });
      await run.end(result.status);
      result.runId = run.runId;
      return { runId: run.runId, rows: slice.indices.length, result };
    } catch (e) {
      if (run.status === "RUNNING") await run.end("FAILED").catch(() => {});
      throw e;
    }
  } finally {
    if (!options.tracker) tracker.close();
  }
}
