/**
 * `deno task evaluate:merge --parent <run-id>`: combines the shard runs of a sharded evaluation
 * (`deno task evaluate --shard i/n`) into their parent run, exactly: classification metrics
 * from the summed confusion matrices (AUCs from the merged per-row table), counts, errors,
 * tokens and cost summed, latency quantiles from the merged DDSketch, the merged per-row table;
 * then ends the parent FINISHED. Exit codes: 0 ok, 1 unexpected error, 2 bad usage, missing or
 * duplicate shards (named), 3 a quality gate failed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv } from "../lib/_internal/env.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import type { DatasetInput, MetricInput, Run } from "../lib/mlflow/types.ts";
import { DDSketch } from "../lib/stats/mod.ts";
import {
  classificationMetrics,
  EvalResult,
  type EvalRow,
  formatGateResult,
  type GateResult,
  HEADLINE_METRICS,
  metricKeyPart,
  type MetricThreshold,
  parseGateFlags,
  RESULTS_TABLE_PATH,
  type UsageSummary,
  validateMetrics,
} from "../lib/evaluation/mod.ts";
import { formatValue } from "../lib/report/format.ts";
import { markdownTable } from "../lib/report/tables.ts";
import {
  filterValue,
  getRunOrUndefined,
  MERGED_SKETCH_PATH,
  NEEDS_SERVER,
  resolveParent,
  SHARD_SELECTION,
  SHARD_STATE_PATH,
  SHARD_TAGS,
  type ShardState,
} from "./_shard.ts";
import { UsageError } from "./_cli.ts";
import { defaultExperimentName } from "../lib/tracking/agent_tracker.ts";

const USAGE = `Usage: deno task evaluate:merge --parent <run-id> | --shard-group <name> [options]

Finds the child runs of a sharded evaluation's parent run (tag mlflow.parentRunId), checks that
every shard i of n is there exactly once (FINISHED), combines them into the parent exactly and
ends it FINISHED: classification metrics recomputed from the summed confusion matrix (same
names as an unsharded run; roc_auc and precision_recall_auc from the merged table's risk
scores), counts, errors, tokens and cost summed, latency quantiles from the merged DDSketch
(within 1% of the exact order statistics), and the merged eval_results_table.json.
Needs MLFLOW_TRACKING_URI (the local store keeps no shared parent run).

Options
  --parent <run-id>           the parent run (from 'deno task evaluate:parent')
  --shard-group <name>        or the parent of that shard group (evaluate:parent --shard-group)
  --experiment <name>         where to look for the group's parent        [/Shared/ai-agents/<agent>]
  --agent <name>              agent name for the default experiment        [loan_approval]
  --shards <n>                expected number of shards (default: the parent's evalkit.shard_count,
                              else the shards' own n)
  --fail-under metric=value   gate on the merged metrics: metric >= value (repeatable)
  --max metric=value          gate: metric <= value
  --json                      print one JSON document on stdout
  -h, --help                  this help

Example
  PARENT=$(deno task evaluate:parent --shards 4)
  for i in 0 1 2 3; do deno task evaluate --shard $i/4 --parent-run $PARENT & done; wait
  deno task evaluate:merge --parent $PARENT --fail-under accuracy_score=0.9

Exit codes: 0 ok, 1 unexpected error, 2 bad usage, parent not found, or shards missing or
duplicated (named), 3 a quality gate failed.`;

interface Shard {
  index: number;
  run: Run;
  state: ShardState;
  table?: { columns: string[]; data: unknown[][] };
}

/** What the merge produced (the `--json` document). */
interface MergeReport {
  parentRunId: string;
  experimentId: string;
  shardCount: number;
  shards: { index: number; runId: string; rows: number }[];
  rows: number;
  metrics: Record<string, number>;
  gate?: GateResult;
  passed: boolean;
}

function tag(run: Run, key: string): string | undefined {
  return run.data.tags[key];
}

/** Chooses one FINISHED run per shard index; names missing, duplicate and unfinished shards. */
function pickShards(children: Run[], n: number): Map<number, Run> {
  const finished = new Map<number, Run[]>();
  const other = new Map<number, Run[]>();
  for (const run of children) {
    const i = Number(tag(run, SHARD_TAGS.index));
    const into = run.info.status === "FINISHED" ? finished : other;
    const list = into.get(i) ?? [];
    list.push(run);
    into.set(i, list);
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
    throw new UsageError(
      `Cannot merge: ${
        problems.join("; ")
      }. Run the missing shards ('deno task evaluate --shard i/${n} ` +
        `--parent-run <parent>') or delete the extra runs, then merge again.`,
    );
  }
  return new Map([...finished].map(([i, l]) => [i, l[0]!]));
}

function rowsOf(shard: Shard): EvalRow[] {
  const t = shard.table;
  const s = shard.state;
  if (!t || s.rowIndices.length === 0) return [];
  if (t.data.length !== s.rowIndices.length) {
    throw new Error(
      `Shard ${s.shard.index}/${s.shard.count} (run ${shard.run.info.runId}): its table has ` +
        `${t.data.length} rows but its state lists ${s.rowIndices.length}`,
    );
  }
  const c = (name: string) => t.columns.indexOf(name);
  const id = c("id"), exp = c("expected");
  const inputs = t.columns.slice(id + 1, exp).filter((k) => k !== "trial");
  const col = {
    predicted: c("predicted"),
    correct: c("correct"),
    risk: c("risk_score"),
    latency: c("latency_ms"),
    tokens: c("tokens"),
    cost: c("cost_usd"),
    attempts: c("attempts"),
    errorType: c("error_type"),
    error: c("error"),
    reasons: c("reasons"),
  };
  const get = <T>(row: unknown[], i: number, dflt: T): T => (i >= 0 ? (row[i] ?? dflt) as T : dflt);
  return t.data.map((row, k) => {
    const index = s.rowIndices[k]!;
    const input: Record<string, unknown> = {};
    for (const name of inputs) input[name] = row[t.columns.indexOf(name)];
    return {
      trial: 1,
      index,
      // without an id column the shard's ids are its own positions: use the dataset's
      id: s.idField === null ? String(index) : String(row[id]),
      input,
      expected: get<string | null>(row, exp, null),
      predicted: get<string | null>(row, col.predicted, null),
      correct: get<boolean | null>(row, col.correct, null),
      riskScore: get<number | null>(row, col.risk, null),
      latencyMs: get<number>(row, col.latency, 0),
      tokens: get<number>(row, col.tokens, 0),
      costUsd: get<number>(row, col.cost, 0),
      attempts: get<number>(row, col.attempts, 1),
      errorType: get<string | null>(row, col.errorType, null),
      error: get<string | null>(row, col.error, null),
      reasons: get<string | null>(row, col.reasons, null),
    };
  });
}

/** The merged metrics, named as a single run names them. */
function mergeMetrics(shards: Shard[], rows: EvalRow[]): {
  metrics: Record<string, number>;
  labels: string[];
  positiveLabel?: string;
  confusionMatrix: number[][];
  perClass: ReturnType<typeof classificationMetrics>["perClass"];
  usage: UsageSummary;
  errors: Record<string, number>;
  sketch: DDSketch;
} {
  // ---- confusion matrix, summed by label
  const labels = [...new Set(shards.flatMap((s) => s.state.labels))].sort();
  const at = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  for (const { state } of shards) {
    state.confusionMatrix.forEach((r, a) =>
      r.forEach((v, b) => {
        matrix[at.get(state.labels[a]!)!]![at.get(state.labels[b]!)!]! += v;
      })
    );
  }
  const yTrue: string[] = [], yPred: string[] = [];
  matrix.forEach((r, a) =>
    r.forEach((v, b) => {
      for (let k = 0; k < v; k++) {
        yTrue.push(labels[a]!);
        yPred.push(labels[b]!);
      }
    })
  );
  const fromMatrix = classificationMetrics({ yTrue, yPred, labels });
  // ---- AUCs need the scores: from the merged table, in dataset order (as a single run)
  const scored = rows.filter((r) => r.predicted !== null);
  const fromTable = classificationMetrics({
    yTrue: scored.map((r) => String(r.expected)),
    yPred: scored.map((r) => r.predicted!),
    scores: scored.map((r) => r.riskScore ?? undefined),
    labels,
  });
  if (JSON.stringify(fromTable.confusionMatrix) !== JSON.stringify(fromMatrix.confusionMatrix)) {
    throw new Error(
      `The shards' confusion matrices (${JSON.stringify(fromMatrix.confusionMatrix)}) disagree ` +
        `with their tables (${JSON.stringify(fromTable.confusionMatrix)}) for labels ${labels}`,
    );
  }
  const metrics: Record<string, number> = { ...fromMatrix.metrics };
  for (const k of ["roc_auc", "precision_recall_auc"]) {
    if (fromTable.metrics[k] !== undefined) metrics[k] = fromTable.metrics[k]!;
  }
  // ---- counts and errors
  const sum = (f: (s: ShardState) => number) => shards.reduce((a, s) => a + f(s.state), 0);
  const rowCount = sum((s) => s.counts.rows);
  const errorCount = sum((s) => s.counts.errors);
  metrics.row_count = rowCount;
  metrics.error_count = errorCount;
  metrics.error_rate = rowCount > 0 ? errorCount / rowCount : 0;
  metrics.retry_count = sum((s) => s.counts.retries);
  metrics.rate_limited_count = sum((s) => s.counts.rateLimited);
  // ---- performance: wall time spans the shards, latency from the merged sketch
  const starts = shards.map((s) => s.run.info.startTime);
  const ends = shards.map((s) => s.run.info.endTime ?? s.run.info.startTime);
  const wallMs = Math.max(...ends) - Math.min(...starts);
  metrics.wall_time_s = wallMs / 1000;
  metrics.throughput_rows_per_s = wallMs > 0 ? (rowCount / wallMs) * 1000 : 0;
  const sketch = DDSketch.fromJSON(shards[0]!.state.latency);
  for (const s of shards.slice(1)) sketch.merge(DDSketch.fromJSON(s.state.latency));
  if (sketch.count > 0) {
    metrics.latency_avg_ms = sketch.sum / sketch.count;
    metrics.latency_p50_ms = sketch.quantile(0.5);
    metrics.latency_p95_ms = sketch.quantile(0.95);
    metrics.latency_p99_ms = sketch.quantile(0.99);
    metrics.latency_max_ms = sketch.max;
  }
  // ---- tokens and cost
  const perModel: UsageSummary["perModel"] = {};
  const unpriced = new Set<string>();
  let totalTokens = 0, totalUsd = 0;
  for (const { state } of shards) {
    totalTokens += state.usage.totalTokens;
    totalUsd += state.usage.totalUsd;
    for (const m of state.usage.unpricedModels) unpriced.add(m);
    for (const [model, u] of Object.entries(state.usage.perModel)) {
      const p = perModel[model] ??= {
        calls: 0,
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
      };
      p.calls += u.calls;
      p.inputTokens += u.inputTokens;
      p.outputTokens += u.outputTokens;
      p.cachedInputTokens += u.cachedInputTokens;
      if (u.usd !== undefined) p.usd = (p.usd ?? 0) + u.usd;
    }
  }
  metrics.tokens_total = totalTokens;
  metrics.cost_usd_total = totalUsd;
  metrics.cost_usd_per_request = rowCount > 0 ? totalUsd / rowCount : 0;
  const errors: Record<string, number> = {};
  for (const { state } of shards) {
    for (const [t, v] of Object.entries(state.errors)) errors[t] = (errors[t] ?? 0) + v;
  }
  for (const t of ["timeout", "agent_exception", "invalid_output", "rate_limited"]) {
    metrics[`errors/${t}`] = errors[t] ?? 0;
  }
  for (const [model, u] of Object.entries(perModel)) {
    const k = metricKeyPart(model);
    metrics[`tokens/${k}/input`] = u.inputTokens;
    metrics[`tokens/${k}/output`] = u.outputTokens;
    if (u.cachedInputTokens) metrics[`tokens/${k}/cached_input`] = u.cachedInputTokens;
    if (u.usd !== undefined && !unpriced.has(model)) metrics[`cost_usd/${k}`] = u.usd;
    else delete u.usd;
  }
  metrics.shard_count = shards.length;
  return {
    metrics,
    labels,
    ...(fromMatrix.positiveLabel !== undefined ? { positiveLabel: fromMatrix.positiveLabel } : {}),
    confusionMatrix: matrix,
    perClass: fromMatrix.perClass,
    usage: {
      perModel,
      totalTokens,
      totalUsd,
      usdPerRequest: metrics.cost_usd_per_request,
      unpricedModels: [...unpriced],
    },
    errors,
    sketch,
  };
}

/** Checks that the shards are slices of one evaluation and cover the dataset exactly once. */
function checkShards(shards: Shard[], n: number): void {
  const first = shards[0]!.state;
  for (const { state, run } of shards) {
    const where = `shard ${state.shard.index}/${n} (run ${run.info.runId})`;
    if (state.format !== "evalkit.shard" || state.version !== 1) {
      throw new UsageError(
        `${where}: unknown shard state format ${state.format} v${state.version}`,
      );
    }
    if (state.shard.count !== n || String(state.shard.index) !== tag(run, SHARD_TAGS.index)) {
      throw new UsageError(
        `${where}: its state says shard ${state.shard.index}/${state.shard.count}`,
      );
    }
    for (
      const [what, a, b] of [
        [
          "dataset",
          `${state.dataset.name}@${state.dataset.version} ${state.dataset.digest}`,
          `${first.dataset.name}@${first.dataset.version} ${first.dataset.digest}`,
        ],
        [
          "agent",
          `${state.agent.name} ${state.agent.version}`,
          `${first.agent.name} ${first.agent.version}`,
        ],
        ["target field", state.targetField, first.targetField],
        ["selection", state.selection, first.selection],
      ] as const
    ) {
      if (a !== b) {
        throw new UsageError(
          `${where} evaluated ${what} ${a} but shard ${first.shard.index}/${n} evaluated ${b}: shards must share it`,
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
        throw new UsageError(
          `Shard ${state.shard.index}/${n} (run ${run.info.runId}) has dataset row ${i} ` +
            (seen[i] ? "that another shard also has" : `outside 0..${total - 1}`),
        );
      }
      seen[i] = 1;
      count++;
    }
  }
  if (count !== total) {
    throw new UsageError(
      `The shards cover ${count} of the dataset's ${total} rows (${first.dataset.name}@${first.dataset.version}): ` +
        `a shard was cancelled or evaluated other rows`,
    );
  }
}

async function merge(
  client: MlflowClient,
  parentId: string,
  options: { shards?: number; thresholds: Record<string, MetricThreshold> },
): Promise<MergeReport> {
  const parent = await getRunOrUndefined(client, parentId);
  if (!parent || parent.info.lifecycleStage === "deleted") {
    throw new UsageError(`Parent run '${parentId}' was not found on the server`);
  }
  const children: Run[] = [];
  for await (
    const run of client.runs.search({
      experimentIds: [parent.info.experimentId],
      filter: `tags.\`${SHARD_TAGS.parent}\` = ${filterValue(parentId)}`,
    })
  ) {
    if (tag(run, SHARD_TAGS.index) !== undefined) children.push(run);
  }
  const counts = new Set(children.map((r) => Number(tag(r, SHARD_TAGS.count))));
  const fixed = tag(parent, SHARD_TAGS.count);
  const n = options.shards ?? (fixed !== undefined ? Number(fixed) : undefined) ??
    (counts.size === 1 ? [...counts][0]! : undefined);
  if (children.length === 0) {
    throw new UsageError(
      `Parent run ${parentId} has no shard runs (child runs tagged ${SHARD_TAGS.shard}): run ` +
        `'deno task evaluate --shard i/n --parent-run ${parentId}' for each shard first`,
    );
  }
  if (n === undefined) {
    throw new UsageError(
      `The shard runs of ${parentId} disagree on n (${
        [...counts].sort().join(", ")
      }): pass --shards <n>`,
    );
  }
  const wrong = children.filter((r) => Number(tag(r, SHARD_TAGS.count)) !== n);
  if (wrong.length > 0) {
    throw new UsageError(
      `Expected ${n} shards but ${
        wrong.map((r) => `run ${r.info.runId} is shard ${tag(r, SHARD_TAGS.shard)}`).join(", ")
      }`,
    );
  }
  const picked = pickShards(children, n);
  const shards: Shard[] = [];
  for (let i = 0; i < n; i++) {
    const run = picked.get(i)!;
    let state: ShardState;
    try {
      state = JSON.parse(await client.artifacts.readText(run.info.artifactUri, SHARD_STATE_PATH));
    } catch (e) {
      throw new UsageError(
        `Shard ${i}/${n} (run ${run.info.runId}) has no readable ${SHARD_STATE_PATH}: ${
          (e as Error).message
        }`,
      );
    }
    const table = state.rowIndices.length > 0
      ? JSON.parse(await client.artifacts.readText(run.info.artifactUri, RESULTS_TABLE_PATH))
      : undefined;
    shards.push({ index: i, run, state, ...(table ? { table } : {}) });
  }
  checkShards(shards, n);
  const rows = shards.flatMap(rowsOf).sort((a, b) => a.index - b.index);
  const merged = mergeMetrics(shards, rows);
  const { metrics } = merged;
  const first = shards[0]!.state;
  const inputColumns: string[] = [];
  for (const s of shards) {
    const t = s.table;
    if (!t) continue;
    for (const c of t.columns.slice(t.columns.indexOf("id") + 1, t.columns.indexOf("expected"))) {
      if (c !== "trial" && !inputColumns.includes(c)) inputColumns.push(c);
    }
  }
  const gate = Object.keys(options.thresholds).length > 0
    ? validateMetrics(metrics, options.thresholds)
    : undefined;
  const result = new EvalResult({
    agent: { name: first.agent.name, version: first.agent.version, config: {} },
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
      labels: merged.labels,
      ...(merged.positiveLabel !== undefined ? { positiveLabel: merged.positiveLabel } : {}),
      confusionMatrix: merged.confusionMatrix,
      perClass: merged.perClass,
    },
    errors: { total: metrics.error_count ?? 0, byType: merged.errors },
    usage: merged.usage,
    rows,
    inputColumns,
    runId: parentId,
    experimentId: parent.info.experimentId,
    ...(gate ? { gate } : {}),
  });

  // ---- record into the parent
  const now = Date.now();
  const childParams = shards[0]!.run.data.params;
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(childParams)) {
    if (k !== "shard_index" && k !== "dataset_rows") params[k] = v;
  }
  Object.assign(params, {
    dataset_name: first.dataset.name,
    dataset_version: first.dataset.version,
    dataset_digest: first.dataset.digest,
    dataset_rows: String(first.dataset.rows),
    target_field: first.targetField,
    shard_count: String(n),
    shard_selection: SHARD_SELECTION,
  });
  for (const [k, v] of Object.entries(parent.data.params)) {
    if (params[k] === v) delete params[k]; // already logged (a merge run again)
  }
  const metricInputs: MetricInput[] = Object.entries(metrics)
    .filter(([, v]) => Number.isFinite(v))
    .map(([key, value]) => ({
      key,
      value,
      timestamp: now,
      step: 0,
      datasetName: first.dataset.name,
      datasetDigest: first.dataset.mlflowDigest,
    }));
  await client.runs.logBatch(parentId, {
    metrics: metricInputs,
    params,
    tags: {
      "evalkit.status": "FINISHED",
      "evalkit.dataset": `${first.dataset.name}@${first.dataset.version}`,
      "evalkit.agent_version": first.agent.version,
      "evalkit.merged_shards": String(n),
      ...(gate ? { "evalkit.gate": gate.passed ? "passed" : "failed" } : {}),
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
  await client.artifacts.upload(uri, MERGED_SKETCH_PATH, JSON.stringify(merged.sketch.toJSON()));
  if (merged.labels.length > 0) {
    await client.artifacts.upload(uri, "confusion_matrix.svg", result.confusionMatrixSvg());
  }
  await client.artifacts.upload(uri, "evaluation_summary.md", result.toMarkdown());
  await client.artifacts.upload(uri, "evaluation_report.html", result.toHtml());
  await client.artifacts.upload(
    uri,
    "shard/merge.json",
    JSON.stringify({
      shards: shards.map((s) => ({
        shard: `${s.index}/${n}`,
        runId: s.run.info.runId,
        rows: s.state.counts.rows,
      })),
      selection: SHARD_SELECTION,
      mergedAt: now,
    }),
  );
  await client.runs.update(parentId, { status: "FINISHED", endTime: Date.now() });
  return {
    parentRunId: parentId,
    experimentId: parent.info.experimentId,
    shardCount: n,
    shards: shards.map((s) => ({
      index: s.index,
      runId: s.run.info.runId,
      rows: s.state.counts.rows,
    })),
    rows: rows.length,
    metrics,
    ...(gate ? { gate } : {}),
    passed: gate?.passed ?? true,
  };
}

/** Runs `evaluate:merge` with its arguments; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args,
      options: {
        parent: { type: "string" },
        "shard-group": { type: "string" },
        experiment: { type: "string" },
        agent: { type: "string" },
        shards: { type: "string" },
        "fail-under": { type: "string", multiple: true },
        max: { type: "string", multiple: true },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    console.error(
      `evaluate:merge: ${(e as Error).message}\nRun 'deno task evaluate:merge --help' for usage.`,
    );
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  let thresholds: Record<string, MetricThreshold>;
  let shards: number | undefined;
  try {
    if (!flags.parent && flags["shard-group"] === undefined) {
      throw new UsageError("Expected --parent <run-id> (or --shard-group <name>)");
    }
    if (flags.shards !== undefined) {
      shards = Number(flags.shards);
      if (!Number.isInteger(shards) || shards < 1 || shards > 10_000) {
        throw new UsageError(
          `Expected --shards to be an integer in 1..10000 but found '${flags.shards}'`,
        );
      }
    }
    try {
      thresholds = parseGateFlags({ failUnder: flags["fail-under"] ?? [], max: flags.max ?? [] });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (!readEnv("MLFLOW_TRACKING_URI")) throw new UsageError(NEEDS_SERVER);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(
        `evaluate:merge: ${e.message}\nRun 'deno task evaluate:merge --help' for usage.`,
      );
      return 2;
    }
    throw e;
  }
  const client = MlflowClient.fromEnv();
  let report: MergeReport;
  try {
    const parentId = flags.parent ?? (await resolveParent(client, {
      group: flags["shard-group"]!,
      experimentName: flags.experiment ?? defaultExperimentName(flags.agent ?? "loan_approval"),
    })).info.runId;
    report = await merge(client, parentId, {
      ...(shards !== undefined ? { shards } : {}),
      thresholds,
    });
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`evaluate:merge: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    client.close();
  }
  if (flags.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(
      `Merged ${report.shardCount} shards (${report.rows} rows) into parent run ${report.parentRunId}: FINISHED`,
    );
    const keys = HEADLINE_METRICS.filter((k) => report.metrics[k] !== undefined);
    console.log(
      markdownTable(["metric", "value"], keys.map((k) => [k, formatValue(report.metrics[k]!)])),
    );
    console.log(
      markdownTable(
        ["shard", "run", "rows"],
        report.shards.map((s) => [`${s.index}/${report.shardCount}`, s.runId, s.rows]),
      ),
    );
  }
  if (report.gate) {
    const text = formatGateResult(report.gate);
    if (flags.json) console.error(text);
    else console.log(text);
    if (!report.gate.passed) return 3;
  }
  return 0;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    console.error(`evaluate:merge: unexpected error: ${(e as Error)?.stack ?? e}`);
    code = 1;
  }
  Deno.exit(code);
}
