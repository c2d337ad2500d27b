/**
 * Sharded evaluation, shared by `deno task evaluate --shard i/n`, `deno task evaluate:parent`
 * and `deno task evaluate:merge`: which rows a shard takes, the tags that tie a shard to its
 * parent run, the shard state artifact an exact merge needs, and finding the parent run.
 *
 * A row belongs to shard `parseInt(sha256(id).slice(0, 8), 16) % n`, `id` being the row's id
 * (the schema's id column, else `request_id`, else its position in the dataset): a function of
 * the row alone, so every row is in exactly one shard, whatever the order of the file.
 *
 * @module
 */
import { UsageError } from "./_cli.ts";
import { sha256Hex } from "../lib/_internal/digest.ts";
import { MlflowApiError } from "../lib/_internal/errors.ts";
import type { MlflowClient } from "../lib/mlflow/client.ts";
import type { Run } from "../lib/mlflow/types.ts";
import type { DDSketchJson } from "../lib/stats/mod.ts";
import type { Dataset } from "../lib/datasets/mod.ts";

/** Artifact path of a shard's state (in each child run). */
export const SHARD_STATE_PATH = "shard/shard_state.json";
/** Artifact path of the merged latency sketch (in the parent run). */
export const MERGED_SKETCH_PATH = "latency_sketch.json";
/** How rows are assigned to shards, as recorded in the runs. */
export const SHARD_SELECTION = "sha256(id)[0:8] mod n";

/** Run tags of sharded evaluations. */
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

/** The message when sharding is asked of the embedded local store. */
export const NEEDS_SERVER =
  "sharded evaluation needs an MLflow tracking server: set MLFLOW_TRACKING_URI (the parent run is " +
  "shared by independent processes, and a run of the local store .evalkit/store belongs to the one " +
  "process that writes it). Evaluate without --shard locally, or start a server with 'deno task mlflow'.";

/** Shard `index` of `count`. */
export interface ShardSpec {
  /** 0-based shard index, < count. */
  index: number;
  /** Number of shards, >= 1. */
  count: number;
}

/** Parses `i/n` (0 <= i < n). Throws {@link UsageError} with the reason. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) {
    throw new UsageError(`Expected --shard as i/n (e.g. 0/4) but found '${text}'`);
  }
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || count > 10_000) {
    throw new UsageError(
      `Expected the shard count n of --shard i/n in 1..10000 but found ${count}`,
    );
  }
  if (index >= count) {
    throw new UsageError(
      `Expected the shard index i of --shard i/n in 0..${count - 1} but found ${index} ('${text}')`,
    );
  }
  return { index, count };
}

/** The shard (0..count-1) of a row id. */
export function shardOfId(id: string, count: number): number {
  return parseInt(sha256Hex(id).slice(0, 8), 16) % count;
}

/** The id column the evaluator uses: the schema's id, else `request_id` when present. */
export function idFieldOf(dataset: Dataset): string | undefined {
  return dataset.schema.id ??
    (dataset.rows[0]?.["request_id"] !== undefined ? "request_id" : undefined);
}

/** Positions (ascending) of the dataset rows in shard `spec`. */
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

/** Tokens and cost of one model, summed over calls. */
export interface ShardModelUsage {
  /** Calls that reported usage for the model. */
  calls: number;
  /** Input tokens. */
  inputTokens: number;
  /** Output tokens. */
  outputTokens: number;
  /** Cached input tokens. */
  cachedInputTokens: number;
  /** USD, absent when the model has no price. */
  usd?: number;
}

/** What a shard logs (`shard/shard_state.json`) so that the merge is exact. */
export interface ShardState {
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
  /** Labels seen (sorted); the confusion matrix follows this order. */
  labels: string[];
  /** `confusionMatrix[expected][predicted]` counts over scored rows. */
  confusionMatrix: number[][];
  /** Counts. */
  counts: { rows: number; scored: number; errors: number; retries: number; rateLimited: number };
  /** Failed rows by error type. */
  errors: Record<string, number>;
  /** Tokens and cost per model, and totals. */
  usage: {
    perModel: Record<string, ShardModelUsage>;
    totalTokens: number;
    totalUsd: number;
    unpricedModels: string[];
  };
  /** DDSketch of the successful calls' `latency_ms` (as in the table, µs resolution). */
  latency: DDSketchJson;
  /** The shard's wall time, seconds. */
  wallTimeS: number;
}

/** Quotes a value for an MLflow search filter. */
export function filterValue(v: string): string {
  return `'${v.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** Reads a run, or undefined when the server says it does not exist. */
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

/** Parent runs (active) of a shard group in an experiment, oldest first. */
export async function findGroupParents(
  client: MlflowClient,
  experimentId: string,
  group: string,
): Promise<Run[]> {
  const out: Run[] = [];
  for await (
    const run of client.runs.search({
      experimentIds: [experimentId],
      filter: `tags.\`${SHARD_TAGS.group}\` = ${
        filterValue(group)
      } AND tags.\`${SHARD_TAGS.role}\` = 'parent'`,
      orderBy: ["attributes.start_time ASC"],
    })
  ) out.push(run);
  return out;
}

/**
 * Resolves the parent run of a shard: `--parent-run <id>` directly, else the one parent run of
 * `--shard-group <name>` in the experiment. Throws {@link UsageError} when there is none or
 * several.
 */
export async function resolveParent(
  client: MlflowClient,
  options: { parentRunId?: string; group?: string; experimentName: string },
): Promise<Run> {
  if (options.parentRunId) {
    const run = await getRunOrUndefined(client, options.parentRunId);
    if (!run || run.info.lifecycleStage === "deleted") {
      throw new UsageError(`Parent run '${options.parentRunId}' was not found on the server`);
    }
    if (options.group !== undefined && run.data.tags[SHARD_TAGS.group] !== options.group) {
      throw new UsageError(
        `Parent run '${options.parentRunId}' is not of shard group '${options.group}' (its group: ` +
          `${run.data.tags[SHARD_TAGS.group] ?? "none"})`,
      );
    }
    return run;
  }
  const group = options.group!;
  const exp = await client.experiments.getByName(options.experimentName);
  const parents = exp ? await findGroupParents(client, exp.experimentId, group) : [];
  if (parents.length === 0) {
    throw new UsageError(
      `No parent run of shard group '${group}' in experiment ${options.experimentName}: create it ` +
        `first with 'deno task evaluate:parent --shard-group ${group}' (or pass --parent-run <id>)`,
    );
  }
  if (parents.length > 1) {
    throw new UsageError(
      `Shard group '${group}' has ${parents.length} parent runs in ${options.experimentName} (` +
        `${parents.map((r) => r.info.runId).join(", ")}): pass --parent-run <id>`,
    );
  }
  return parents[0]!;
}
