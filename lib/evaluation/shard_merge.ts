/**
 * Merging the shard runs of a sharded evaluation into their parent run, exactly: the shard
 * states' summaries merged (`EvalSummary.merge`, classification metrics and AUCs from the
 * merged per-row table, latency quantiles from the merged DDSketch), the merged table, the
 * artifacts of a single run, then the parent ends FINISHED. Names are made by
 * `EvalSummary.toMetrics()`, as for a single run.
 *
 * @module
 */
import type { MlflowClient } from "../mlflow/client.ts";
import type { DatasetInput, MetricInput, Run } from "../mlflow/types.ts";
import {
  EvalResult,
  type EvalRow,
  evalRowsFromTable,
  type EvalTable,
  inputColumnsOf,
} from "./eval_result.ts";
import { type GateResult, type MetricThreshold, validateMetrics } from "./gates.ts";
import { RESULTS_TABLE_PATH } from "./record.ts";
import { EvalSummary } from "./summary.ts";
import {
  filterValue,
  getRunOrUndefined,
  MERGED_SKETCH_PATH,
  SHARD_SELECTION,
  SHARD_STATE_PATH,
  SHARD_TAGS,
  ShardError,
  type ShardState,
} from "./sharding.ts";

/** One shard as the merge reads it: its run, state and table. */
export interface MergeShard {
  /** Shard index. */
  index: number;
  /** The child run. */
  run: Run;
  /** Its `shard/shard_state.json`. */
  state: ShardState;
  /** Its `eval_results_table.json` (absent for an empty shard). */
  table?: EvalTable;
}

/** What a merge did (the `evaluate:merge --json` document). */
export interface MergeReport {
  /** The parent run. */
  parentRunId: string;
  /** Its experiment. */
  experimentId: string;
  /** Shards merged. */
  shardCount: number;
  /** Each shard's run and rows. */
  shards: { index: number; runId: string; rows: number }[];
  /** Rows merged. */
  rows: number;
  /** The merged metrics (named as a single run's). */
  metrics: Record<string, number>;
  /** The gate, when thresholds were given. */
  gate?: GateResult;
  /** Whether the gate passed (true without one). */
  passed: boolean;
}

/** Options of {@link mergeShards}. */
export interface MergeOptions {
  /** Expected shard count (default: the parent's `evalkit.shard_count`, else the shards' n). */
  shards?: number;
  /** Gates on the merged metrics. */
  thresholds?: Record<string, MetricThreshold>;
}

function tag(run: Run, key: string): string | undefined {
  return run.data.tags[key];
}

/**
 * Chooses one FINISHED run per shard index; a {@link ShardError} names missing, duplicate and
 * unfinished shards.
 *
 * @example
 * ```ts ignore
 * import { pickShards } from "@evalkit/evalkit/evaluation";
 * const byIndex = pickShards(childRuns, 4); // throws naming missing/duplicate shards
 * ```
 */
export function pickShards(children: readonly Run[], n: number): Map<number, Run> {
  const finished = new Map<number, Run[]>();
  const other = new Map<number, Run[]>();
  for (const run of children) {
    const i = Number(tag(run, SHARD_TAGS.index));
    const into = run.info.status === "FINISHED" ? finished : other;
    into.set(i, [...(into.get(i) ?? []), run]);
  }
  const problems: string[] = [];
  const missing: string[] = [];
  for (let i = 0; i < n; i++) {
    if ((finished.get(i)?.length ?? 0) > 0) continue;
    const not = other.get(i);
    missing.push(
      `${i}/${n}` +
        (not ? ` (${not.map((r) => `run ${r.info.runId} is ${r.info.status}`).join(", ")})` : ""),
    );
  }
  if (missing.length > 0) {
    problems.push(`missing shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
  }
  const dup = [...finished].filter(([, l]) => l.length > 1).sort((a, b) => a[0] - b[0]);
  if (dup.length > 0) {
    problems.push(
      `duplicate shard${dup.length > 1 ? "s" : ""} ` +
        dup.map(([i, l]) => `${i}/${n} (runs ${l.map((r) => r.info.runId).join(", ")})`).join(", "),
    );
  }
  if (problems.length > 0) {
    throw new ShardError(
      "missing_or_duplicate",
      `Cannot merge: ${problems.join("; ")}. Run the missing shards ('deno task evaluate ` +
        `--shard i/${n} --parent-run <parent>') or delete the extra runs, then merge again.`,
    );
  }
  return new Map([...finished].map(([i, l]) => [i, l[0]!]));
}

/**
 * Checks that the shards are slices of one evaluation (dataset, agent, target, selection) and
 * cover the dataset exactly once; a {@link ShardError} says where they do not.
 *
 * @example
 * ```ts ignore
 * import { checkShards, readShards } from "@evalkit/evalkit/evaluation";
 * const { n, shards } = await readShards(client, parentRunId);
 * checkShards(shards, n);
 * ```
 */
export function checkShards(shards: readonly MergeShard[], n: number): void {
  const first = shards[0]!.state;
  const key = (s: ShardState) => ({
    dataset: `${s.dataset.name}@${s.dataset.version} ${s.dataset.digest}`,
    agent: `${s.agent.name} ${s.agent.version}`,
    "target field": s.targetField,
    selection: s.selection,
  });
  for (const { state, run } of shards) {
    const where = `shard ${state.shard.index}/${n} (run ${run.info.runId})`;
    if (state.format !== "evalkit.shard" || state.version !== 1) {
      throw new ShardError(
        "bad_state",
        `${where}: unknown shard state format ${state.format} v${state.version}`,
      );
    }
    if (state.shard.count !== n || String(state.shard.index) !== tag(run, SHARD_TAGS.index)) {
      throw new ShardError(
        "bad_state",
        `${where}: its state says shard ${state.shard.index}/${state.shard.count}`,
      );
    }
    const a = key(state), b = key(first);
    for (const what of Object.keys(a) as (keyof typeof a)[]) {
      if (a[what] !== b[what]) {
        throw new ShardError(
          "bad_state",
          `${where} evaluated ${what} ${a[what]} but shard ${first.shard.index}/${n} evaluated ` +
            `${b[what]}: shards must share it`,
        );
      }
    }
  }
  const total = first.dataset.rows;
  const seen = new Uint8Array(total);
  let count = 0;
  for (const { state, run } of shards) {
    for (const i of state.rowIndices) {
      if (!(i >= 0 && i < total) || seen[i]) {
        throw new ShardError(
          "bad_state",
          `Shard ${state.shard.index}/${n} (run ${run.info.runId}) has dataset row ${i} ` +
            (seen[i] ? "that another shard also has" : `outside 0..${total - 1}`),
        );
      }
      seen[i] = 1;
      count++;
    }
  }
  if (count !== total) {
    throw new ShardError(
      "bad_state",
      `The shards cover ${count} of the dataset's ${total} rows (${first.dataset.name}@` +
        `${first.dataset.version}): a shard was cancelled or evaluated other rows`,
    );
  }
}

/**
 * A shard's rows, read back from its table, with their dataset positions.
 *
 * @example
 * ```ts ignore
 * import { shardRows } from "@evalkit/evalkit/evaluation";
 * const rows = shards.flatMap(shardRows);
 * ```
 */
export function shardRows(shard: MergeShard): EvalRow[] {
  const { table: t, state: s } = shard;
  if (!t || s.rowIndices.length === 0) return [];
  if (t.data.length !== s.rowIndices.length) {
    throw new ShardError(
      "bad_state",
      `Shard ${s.shard.index}/${s.shard.count} (run ${shard.run.info.runId}): its table has ` +
        `${t.data.length} rows but its state lists ${s.rowIndices.length}`,
    );
  }
  // without an id column the shard's ids are its own positions: use the dataset's
  return evalRowsFromTable(t, { indices: s.rowIndices, idsArePositions: s.idField === null })
    .map((r) => ({ ...r, trial: 1 }));
}

/**
 * Reads the shards of a parent run: finds its child runs, checks that every shard i of n is
 * there exactly once (FINISHED) and reads their states and tables. Throws a
 * {@link ShardError}.
 *
 * @example
 * ```ts ignore
 * import { readShards } from "@evalkit/evalkit/evaluation";
 * const { parent, n, shards } = await readShards(client, parentRunId);
 * ```
 */
export async function readShards(
  client: MlflowClient,
  parentId: string,
  expected?: number,
): Promise<{ parent: Run; n: number; shards: MergeShard[] }> {
  const parent = await getRunOrUndefined(client, parentId);
  if (!parent || parent.info.lifecycleStage === "deleted") {
    throw new ShardError(
      "parent_not_found",
      `Parent run '${parentId}' was not found on the server`,
    );
  }
  const children: Run[] = [];
  for await (
    const run of client.runs.search({
      experimentIds: [parent.info.experimentId],
      filter: `tags.\`${SHARD_TAGS.parent}\` = ${filterValue(parentId)}`,
    })
  ) if (tag(run, SHARD_TAGS.index) !== undefined) children.push(run);
  if (children.length === 0) {
    throw new ShardError(
      "no_shards",
      `Parent run ${parentId} has no shard runs (child runs tagged ${SHARD_TAGS.shard}): run ` +
        `'deno task evaluate --shard i/n --parent-run ${parentId}' for each shard first`,
    );
  }
  const counts = [...new Set(children.map((r) => Number(tag(r, SHARD_TAGS.count))))];
  const fixed = tag(parent, SHARD_TAGS.count);
  const n = expected ?? (fixed !== undefined ? Number(fixed) : undefined) ??
    (counts.length === 1 ? counts[0]! : undefined);
  if (n === undefined) {
    throw new ShardError(
      "shard_mismatch",
      `The shard runs of ${parentId} disagree on n (${
        counts.sort().join(", ")
      }): pass --shards <n>`,
    );
  }
  const wrong = children.filter((r) => Number(tag(r, SHARD_TAGS.count)) !== n);
  if (wrong.length > 0) {
    throw new ShardError(
      "shard_mismatch",
      `Expected ${n} shards but ` +
        wrong.map((r) => `run ${r.info.runId} is shard ${tag(r, SHARD_TAGS.shard)}`).join(", "),
    );
  }
  const picked = pickShards(children, n);
  const shards: MergeShard[] = [];
  for (let i = 0; i < n; i++) shards.push(await readShard(client, picked.get(i)!, i, n));
  return { parent, n, shards };
}

async function readShard(
  client: MlflowClient,
  run: Run,
  i: number,
  n: number,
): Promise<MergeShard> {
  let state: ShardState;
  try {
    state = JSON.parse(await client.artifacts.readText(run.info.artifactUri, SHARD_STATE_PATH));
  } catch (e) {
    throw new ShardError(
      "bad_state",
      `Shard ${i}/${n} (run ${run.info.runId}) has no readable ${SHARD_STATE_PATH}: ${
        (e as Error).message
      }`,
      { cause: e },
    );
  }
  const table = state.rowIndices.length > 0
    ? JSON.parse(await client.artifacts.readText(run.info.artifactUri, RESULTS_TABLE_PATH))
    : undefined;
  return { index: i, run, state, ...(table ? { table } : {}) };
}

/**
 * The merged result of checked shards: summary merged exactly, rows in dataset order.
 *
 * @example
 * ```ts ignore
 * import { mergedResult } from "@evalkit/evalkit/evaluation";
 * const { result, summary } = mergedResult(shards, parent);
 * console.log(result.metrics.accuracy_score, summary.sketch.count);
 * ```
 */
export function mergedResult(
  shards: readonly MergeShard[],
  parent: Run,
  thresholds: Record<string, MetricThreshold> = {},
): { result: EvalResult; summary: EvalSummary } {
  const rows = shards.flatMap(shardRows).sort((a, b) => a.index - b.index);
  const summary = EvalSummary.merge(
    shards.map((s) =>
      EvalSummary.fromState(s.state, {
        startMs: s.run.info.startTime,
        endMs: s.run.info.endTime ?? s.run.info.startTime,
      })
    ),
    { rows, shardCount: shards.length },
  );
  const metrics = summary.toMetrics();
  const cls = summary.classification();
  const inputColumns = [
    ...new Set(shards.flatMap((s) => (s.table ? inputColumnsOf(s.table) : []))),
  ];
  const gate = Object.keys(thresholds).length > 0
    ? validateMetrics(metrics, thresholds)
    : undefined;
  const first = shards[0]!.state;
  const result = new EvalResult({
    agent: { ...first.agent, config: {} },
    dataset: {
      name: first.dataset.name,
      version: first.dataset.version,
      digest: first.dataset.digest,
      mlflowDigest: first.dataset.mlflowDigest,
      rowCount: first.dataset.rows,
    },
    targetField: first.targetField,
    status: "FINISHED",
    metrics,
    trials: [metrics],
    classification: {
      labels: summary.labels,
      ...(cls.positiveLabel !== undefined ? { positiveLabel: cls.positiveLabel } : {}),
      confusionMatrix: summary.confusionMatrix,
      perClass: cls.perClass,
    },
    errors: { total: summary.counts.errors, byType: summary.errors },
    usage: { ...summary.usage, usdPerRequest: summary.usdPerRequest },
    rows,
    inputColumns,
    runId: parent.info.runId,
    experimentId: parent.info.experimentId,
    ...(gate ? { gate } : {}),
  });
  return { result, summary };
}

/**
 * Combines the shard runs of `parentId` into it exactly and ends it FINISHED: metrics, params,
 * tags, the dataset input, the merged table, the merged latency sketch and the report
 * artifacts. Throws a {@link ShardError} (missing, duplicate or mismatched shards: the parent
 * stays RUNNING).
 *
 * @example
 * ```ts ignore
 * import { mergeShards } from "@evalkit/evalkit/evaluation";
 * const report = await mergeShards(MlflowClient.fromEnv(), parentRunId, { thresholds });
 * console.log(report.metrics.accuracy_score, report.passed);
 * ```
 */
export async function mergeShards(
  client: MlflowClient,
  parentId: string,
  options: MergeOptions = {},
): Promise<MergeReport> {
  const { parent, n, shards } = await readShards(client, parentId, options.shards);
  checkShards(shards, n);
  const { result, summary } = mergedResult(shards, parent, options.thresholds);
  await recordMerge(client, parent, shards, result, summary);
  return {
    parentRunId: parentId,
    experimentId: parent.info.experimentId,
    shardCount: n,
    shards: shards.map((s) => ({
      index: s.index,
      runId: s.run.info.runId,
      rows: s.state.counts.rows,
    })),
    rows: result.rows.length,
    metrics: result.metrics,
    ...(result.gate ? { gate: result.gate } : {}),
    passed: result.passed,
  };
}

/** The parent's params: the shards' (less per-shard ones), the whole dataset, the sharding. */
function mergeParams(parent: Run, shards: readonly MergeShard[]): Record<string, string> {
  const first = shards[0]!.state;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(shards[0]!.run.data.params)) {
    if (k !== "shard_index" && k !== "dataset_rows") params[k] = v;
  }
  Object.assign(params, {
    dataset_name: first.dataset.name,
    dataset_version: first.dataset.version,
    dataset_digest: first.dataset.digest,
    dataset_rows: String(first.dataset.rows),
    target_field: first.targetField,
    shard_count: String(shards.length),
    shard_selection: SHARD_SELECTION,
  });
  for (const [k, v] of Object.entries(parent.data.params)) {
    if (params[k] === v) delete params[k]; // already logged (a merge run again)
  }
  return params;
}

async function recordMerge(
  client: MlflowClient,
  parent: Run,
  shards: readonly MergeShard[],
  result: EvalResult,
  summary: EvalSummary,
): Promise<void> {
  const parentId = parent.info.runId, now = Date.now(), d = result.dataset;
  const metrics: MetricInput[] = Object.entries(result.metrics)
    .filter(([, v]) => Number.isFinite(v))
    .map(([key, value]) => ({
      key,
      value,
      timestamp: now,
      step: 0,
      datasetName: d.name,
      datasetDigest: d.mlflowDigest,
    }));
  await client.runs.logBatch(parentId, {
    metrics,
    params: mergeParams(parent, shards),
    tags: {
      "evalkit.status": "FINISHED",
      "evalkit.dataset": `${d.name}@${d.version}`,
      "evalkit.agent_version": result.agent.version,
      "evalkit.merged_shards": String(shards.length),
      ...(result.gate ? { "evalkit.gate": result.gate.passed ? "passed" : "failed" } : {}),
    },
  });
  const input = shards.flatMap((s) => s.run.inputs.datasetInputs)[0];
  if (input && parent.inputs.datasetInputs.length === 0) {
    const { profile: _profile, ...dataset } = input.dataset; // the shard's profile is of its slice
    const di: DatasetInput = { dataset, tags: { "mlflow.data.context": "evaluation" } };
    await client.runs.logInputs(parentId, { datasets: [di] });
  }
  const uri = parent.info.artifactUri;
  await client.artifacts.logTable(parentId, RESULTS_TABLE_PATH, result.table(), { append: false });
  await client.artifacts.upload(uri, MERGED_SKETCH_PATH, JSON.stringify(summary.sketch.toJSON()));
  if (result.classification.labels.length > 0) {
    await client.artifacts.upload(uri, "confusion_matrix.svg", result.confusionMatrixSvg());
  }
  await client.artifacts.upload(uri, "evaluation_summary.md", result.toMarkdown());
  await client.artifacts.upload(uri, "evaluation_report.html", result.toHtml());
  const merged = shards.map((s) => ({
    shard: `${s.index}/${shards.length}`,
    runId: s.run.info.runId,
    rows: s.state.counts.rows,
  }));
  await client.artifacts.upload(
    uri,
    "shard/merge.json",
    JSON.stringify({ shards: merged, selection: SHARD_SELECTION, mergedAt: now }),
  );
  await client.runs.update(parentId, { status: "FINISHED", endTime: Date.now() });
}
