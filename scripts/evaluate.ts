/**
 * `deno task evaluate`: evaluate an agent on a dataset and record it in MLflow (or, with no
 * MLFLOW_TRACKING_URI, in the embedded local store). Exit codes: 0 ok, 1 unexpected error,
 * 2 bad usage or input, 3 quality gate failed, 4 drift detected, 130 interrupted (Ctrl-C).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DatasetError, formatIssue } from "../lib/_internal/errors.ts";
import { readEnv } from "../lib/_internal/env.ts";
import { DatasetManager } from "../lib/datasets/mod.ts";
import type { Dataset } from "../lib/datasets/mod.ts";
import { AgentTracker } from "../lib/tracking/agent_tracker.ts";
import { HttpAgent, LoanApprovalAgent } from "../lib/agents/mod.ts";
import type { Agent } from "../lib/agents/mod.ts";
import {
  type EvalResult,
  formatGateResult,
  formatProgress,
  HEADLINE_METRICS,
  type MetricThreshold,
  ModelEvaluator,
  parseGateFlags,
  type PriceTable,
} from "../lib/evaluation/mod.ts";
import {
  type DriftReport,
  logDriftReport,
  runDriftCheck,
  sendDriftAlert,
} from "../lib/drift/mod.ts";
import { formatValue } from "../lib/report/format.ts";
import { markdownTable } from "../lib/report/tables.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import type { Run } from "../lib/mlflow/types.ts";
import { DDSketch } from "../lib/stats/mod.ts";
import { defaultExperimentName } from "../lib/tracking/agent_tracker.ts";
import type { RunHandle } from "../lib/tracking/run_handle.ts";
import { runPageUrl } from "../lib/tracking/run_source.ts";
import {
  idFieldOf,
  NEEDS_SERVER,
  parseShard,
  resolveParent,
  SHARD_SELECTION,
  SHARD_STATE_PATH,
  SHARD_TAGS,
  shardRowIndices,
  type ShardSpec,
  type ShardState,
} from "./_shard.ts";
import { parseTags, UsageError } from "./_cli.ts";
import { main as parentMain } from "./evaluate_parent.ts";
import { main as mergeMain } from "./evaluate_merge.ts";

const USAGE = `Usage: deno task evaluate [options]
       deno task evaluate parent|merge [options]   (= evaluate:parent, evaluate:merge)

Evaluates an agent on a versioned dataset and records params, the dataset, metrics and
artifacts in MLflow (MLFLOW_TRACKING_URI), or in the local store .evalkit/store when unset.
With no options: the built-in loan_approval agent on datasets/loan_approval_test_set.

Agent and data
  --agent <name>             agent name (built-in: loan_approval)            [loan_approval]
  --agent-url <url>          evaluate an HTTP agent: POST each row as JSON (bearer token from
                             EVALKIT_AGENT_TOKEN; outcome read from outcome/decision/prediction)
  --agent-service            evaluate the Loan Agent API at EVALKIT_AGENT_URL
                             [http://127.0.0.1:8080/api/v1/loan/decision]
  --dataset <name[@version]> dataset in --datasets-dir                       [loan_approval_test_set]
  --datasets-dir <dir>       where datasets live                             [datasets]
  --target-field <field>     label column                                    [schema target]
Runner
  --concurrency <n>          calls in flight                                 [8]
  --timeout-ms <ms>          per-call timeout                                [30000]
  --retries <n>              retries of retryable failures                   [2]
  --rps <n>                  rate limit, requests per second
  --tpm <n>                  rate limit, tokens per minute
  --repeat <n>               trials; metrics get mean, std and 95% CI        [1]
  --prices <file.json>       model price table {model: {inputPerMillion, outputPerMillion}}
Recording
  --experiment <name>        MLflow experiment                               [/Shared/ai-agents/<agent>]
  --run-name <name>          run name                                        [<agent>_evaluate_<time>]
  --tags k=v[,k=v]           extra run tags (repeatable)
  --no-log                   do not record anything
Gates (exit 3 when one fails)
  --fail-under metric=value  metric must be >= value (repeatable, comma lists)
  --max metric=value         metric must be <= value
  --baseline-run <run id>    compare with a previous evaluation run (metrics and rows)
  --max-regression metric=v  allowed regression vs the baseline: absolute, or v% relative
  --min-improvement metric=v required improvement vs the baseline (MLflow MetricThreshold)
Drift
  --drift-detection          also check data drift of --dataset against --baseline-dataset and
                             log the drift report in the same run (exit 4 if drifted)
  --baseline-dataset <name[@version]>  reference data for drift              [baseline_v1]
  --alert-webhook <url>      when drift is found, POST a Slack-compatible JSON alert there
                             (3 retries) [EVALKIT_DRIFT_WEBHOOK_URL]
Sharding (needs MLFLOW_TRACKING_URI; see docs/evaluation.md "Sharded evaluation")
  --shard i/n                evaluate shard i of n (rows whose sha256(id) mod n = i) as a child
                             run of the parent run; combine with 'deno task evaluate:merge'
  --parent-run <id>          the parent run (from 'deno task evaluate:parent')
  --shard-group <name>       or find the parent by its group name (evaluate:parent --shard-group)
Output
  --json                     print one JSON document on stdout
  --summary-file <path>      write the Markdown summary there (e.g. $GITHUB_STEP_SUMMARY)
  -h, --help                 this help

Example
  deno task evaluate --dataset loan_approval_test_set@1.0.0 --concurrency 16 \\
    --fail-under accuracy_score=0.9 --max latency_p99_ms=500 \\
    --baseline-run 3f2a9c… --max-regression f1_score=0.02

Exit codes: 0 ok, 1 unexpected error, 2 bad usage or input, 3 quality gate failed
(checked first), 4 drift detected, 130 interrupted (partial results recorded, run KILLED).`;

/** A sharded run: which shard, its parent, and the rows it takes. */
interface ShardPlan {
  spec: ShardSpec;
  parent: Run;
  group?: string;
  experimentName: string;
}

/** The shard state (see scripts/_shard.ts) of a finished shard evaluation. */
function shardState(
  plan: ShardPlan,
  full: Dataset,
  indices: readonly number[],
  result: EvalResult | undefined,
  targetField: string,
  agent: { name: string; version: string },
): ShardState {
  const sketch = new DDSketch();
  const m = result?.metrics ?? {};
  for (const r of result?.rows ?? []) {
    // the table's latency_ms (µs resolution), so the sketch describes the logged table
    if (r.predicted !== null) sketch.add(Math.round(r.latencyMs * 1000) / 1000);
  }
  return {
    format: "evalkit.shard",
    version: 1,
    shard: plan.spec,
    selection: SHARD_SELECTION,
    parentRunId: plan.parent.info.runId,
    ...(plan.group !== undefined ? { group: plan.group } : {}),
    agent,
    dataset: {
      name: full.name,
      version: full.version,
      digest: full.digest,
      mlflowDigest: full.mlflowDigest,
      rows: full.rows.length,
    },
    targetField,
    idField: idFieldOf(full) ?? null,
    rowIndices: (result?.rows ?? []).map((r) => indices[r.index]!),
    labels: result?.classification.labels ?? [],
    confusionMatrix: result?.classification.confusionMatrix ?? [],
    counts: {
      rows: m.row_count ?? 0,
      scored: m.example_count ?? 0,
      errors: m.error_count ?? 0,
      retries: m.retry_count ?? 0,
      rateLimited: m.rate_limited_count ?? 0,
    },
    errors: { ...(result?.errors.byType ?? {}) },
    usage: {
      perModel: Object.fromEntries(
        Object.entries(result?.usage.perModel ?? {}).map(([k, u]) => [k, {
          calls: u.calls,
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          cachedInputTokens: u.cachedInputTokens,
          ...(u.usd !== undefined ? { usd: u.usd } : {}),
        }]),
      ),
      totalTokens: result?.usage.totalTokens ?? 0,
      totalUsd: result?.usage.totalUsd ?? 0,
      unpricedModels: result?.usage.unpricedModels ?? [],
    },
    latency: sketch.toJSON(),
    wallTimeS: m.wall_time_s ?? 0,
  };
}

/** Resolves `--shard` against the server: the parent run and the experiment shards go to. */
async function planShard(
  spec: ShardSpec,
  flags: { parentRun?: string; group?: string; experiment?: string; agent: string },
): Promise<ShardPlan> {
  const client = MlflowClient.fromEnv();
  try {
    const parent = await resolveParent(client, {
      ...(flags.parentRun ? { parentRunId: flags.parentRun } : {}),
      ...(flags.group !== undefined ? { group: flags.group } : {}),
      experimentName: flags.experiment ?? defaultExperimentName(flags.agent),
    });
    const id = parent.info.runId;
    if (parent.info.status !== "RUNNING") {
      throw new UsageError(
        `Parent run ${id} is ${parent.info.status}: shards can only join a RUNNING parent ` +
          `(it ends when 'deno task evaluate:merge' has combined the shards)`,
      );
    }
    const fixed = parent.data.tags[SHARD_TAGS.count];
    if (fixed !== undefined && fixed !== String(spec.count)) {
      throw new UsageError(
        `Parent run ${id} is for ${fixed} shards but --shard says ${spec.index}/${spec.count}`,
      );
    }
    const experimentName = (await client.experiments.get(parent.info.experimentId)).name;
    if (flags.experiment !== undefined && flags.experiment !== experimentName) {
      throw new UsageError(
        `Parent run ${id} is in experiment ${experimentName}, not ${flags.experiment}: shards log ` +
          `to their parent's experiment`,
      );
    }
    const group = flags.group ?? parent.data.tags[SHARD_TAGS.group];
    return { spec, parent, experimentName, ...(group !== undefined ? { group } : {}) };
  } finally {
    client.close();
  }
}

function intFlag(v: string | undefined, name: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`Expected --${name} to be an integer >= ${min} but found '${v}'`);
  }
  return n;
}

function numFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`Expected --${name} to be a number > 0 but found '${v}'`);
  }
  return n;
}

function splitRef(ref: string): { name: string; version?: string } {
  const at = ref.lastIndexOf("@");
  return at > 0 ? { name: ref.slice(0, at), version: ref.slice(at + 1) } : { name: ref };
}

function printSummary(result: EvalResult): void {
  const m = result.metrics;
  const keys = HEADLINE_METRICS.filter((k) => m[k] !== undefined);
  const rows = keys.map((k) => {
    const s = result.summary?.[k];
    return s
      ? [
        k,
        `${formatValue(s.mean)} ± ${formatValue(s.std)} (95% CI ${formatValue(s.ciLow)}–${
          formatValue(s.ciHigh)
        })`,
      ]
      : [k, m[k]];
  });
  console.log(
    `${result.agent.name} ${result.agent.version} on ${result.dataset.name}@${result.dataset.version} ` +
      `(${result.dataset.rowCount} rows, digest ${result.dataset.mlflowDigest}): ${result.status}`,
  );
  console.log(markdownTable(["metric", "value"], rows));
  if (result.errors.total > 0) {
    console.log(
      `errors: ${Object.entries(result.errors.byType).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    );
  }
  const diff = result.baseline?.rowDiff?.counts;
  if (result.baseline) {
    console.log(
      `baseline ${result.baseline.runId}` +
        (diff
          ? `: ${diff.improved} rows improved, ${diff.regressed} regressed, ${diff.unchanged} unchanged`
          : ""),
    );
  }
}

async function loadDataset(manager: DatasetManager, ref: string): Promise<Dataset> {
  const { name, version } = splitRef(ref);
  return await manager.load(name, version ? { version } : {});
}

async function recordEmptyShard(
  tracker: AgentTracker,
  plan: ShardPlan,
  full: Dataset,
  tags: Record<string, string>,
  runName: string,
  options: { json: boolean; targetField: string; agent: { name: string; version: string } },
): Promise<number> {
  const run = await tracker.startRun({
    purpose: "evaluate",
    runName,
    tags: {
      ...tags,
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
      shard_index: plan.spec.index,
      shard_count: plan.spec.count,
    });
    run.logMetrics({ row_count: 0, example_count: 0, error_count: 0 });
    const state = shardState(plan, full, [], undefined, options.targetField, options.agent);
    await run.logArtifact(SHARD_STATE_PATH, JSON.stringify(state));
    await run.end("FINISHED");
  } catch (e) {
    await run.end("FAILED").catch(() => {});
    throw e;
  }
  const message = `Shard ${plan.spec.index}/${plan.spec.count} has no rows of ${full.name}@` +
    `${full.version}: recorded an empty shard run ${run.runId} (parent ${plan.parent.info.runId})`;
  if (options.json) {
    console.log(JSON.stringify({ runId: run.runId, shard: plan.spec, rows: 0 }, null, 2));
  }
  console.error(message);
  return 0;
}

async function main(args: string[]): Promise<number> {
  if (args[0] === "parent") return await parentMain(args.slice(1));
  if (args[0] === "merge") return await mergeMain(args.slice(1));
  let flags;
  try {
    flags = parseArgs({
      args,
      options: {
        agent: { type: "string" },
        "agent-url": { type: "string" },
        "agent-service": { type: "boolean" },
        dataset: { type: "string" },
        "datasets-dir": { type: "string" },
        "target-field": { type: "string" },
        "drift-detection": { type: "boolean" },
        "baseline-dataset": { type: "string" },
        "alert-webhook": { type: "string" },
        concurrency: { type: "string" },
        "timeout-ms": { type: "string" },
        retries: { type: "string" },
        rps: { type: "string" },
        tpm: { type: "string" },
        repeat: { type: "string" },
        prices: { type: "string" },
        experiment: { type: "string" },
        "run-name": { type: "string" },
        tags: { type: "string", multiple: true },
        "no-log": { type: "boolean" },
        json: { type: "boolean" },
        "summary-file": { type: "string" },
        "fail-under": { type: "string", multiple: true },
        max: { type: "string", multiple: true },
        "baseline-run": { type: "string" },
        "max-regression": { type: "string", multiple: true },
        "min-improvement": { type: "string", multiple: true },
        shard: { type: "string" },
        "parent-run": { type: "string" },
        "shard-group": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    }).values;
  } catch (e) {
    console.error(`evaluate: ${(e as Error).message}\nRun 'deno task evaluate --help' for usage.`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }

  let thresholds: Record<string, MetricThreshold>;
  let concurrency: number | undefined, timeoutMs: number | undefined, retries: number | undefined;
  let repeat: number | undefined, rps: number | undefined, tpm: number | undefined;
  let tags: Record<string, string>;
  let prices: PriceTable | undefined;
  let agent: Agent;
  let shardSpec: ShardSpec | undefined;
  const agentName = flags.agent ?? "loan_approval";
  try {
    if (flags.shard !== undefined) {
      shardSpec = parseShard(flags.shard);
      const refused = ([
        ["no-log", flags["no-log"]],
        ["repeat", flags.repeat !== undefined && flags.repeat !== "1"],
        ["drift-detection", flags["drift-detection"]],
        ["baseline-run", flags["baseline-run"]],
        ["fail-under", flags["fail-under"]?.length],
        ["max", flags.max?.length],
      ] as const).filter(([, on]) => on).map(([name]) => `--${name}`);
      if (refused.length > 0) {
        throw new UsageError(
          `--shard cannot be combined with ${refused.join(", ")}: a shard records one slice ` +
            `for the merge; gates apply to the merged run ('deno task evaluate:merge --fail-under …'), ` +
            `drift and baselines to an unsharded run`,
        );
      }
      if (!flags["parent-run"] && flags["shard-group"] === undefined) {
        throw new UsageError(
          "--shard needs its parent run: --parent-run <id> (from 'deno task evaluate:parent') or --shard-group <name>",
        );
      }
      if (!readEnv("MLFLOW_TRACKING_URI")) throw new UsageError(NEEDS_SERVER);
    } else if (flags["parent-run"] || flags["shard-group"] !== undefined) {
      throw new UsageError("--parent-run and --shard-group go with --shard i/n");
    }
    if (flags["alert-webhook"] !== undefined) {
      if (!flags["drift-detection"]) {
        throw new UsageError("--alert-webhook goes with --drift-detection");
      }
      if (!/^https?:\/\/[^/]/i.test(flags["alert-webhook"])) {
        throw new UsageError("Expected --alert-webhook to be an absolute http(s) URL");
      }
    }
    thresholds = parseGateFlags({
      failUnder: flags["fail-under"] ?? [],
      max: flags.max ?? [],
      maxRegression: flags["max-regression"] ?? [],
      minImprovement: flags["min-improvement"] ?? [],
    });
    const relative = Object.values(thresholds).some((t) =>
      t.maxRegression !== undefined || t.maxRelativeRegression !== undefined ||
      t.minAbsoluteChange !== undefined || t.minRelativeChange !== undefined
    );
    if (relative && !flags["baseline-run"]) {
      throw new UsageError("--max-regression and --min-improvement need --baseline-run <run id>");
    }
    concurrency = intFlag(flags.concurrency, "concurrency", 1);
    timeoutMs = intFlag(flags["timeout-ms"], "timeout-ms", 1);
    retries = intFlag(flags.retries, "retries", 0);
    repeat = intFlag(flags.repeat, "repeat", 1);
    rps = numFlag(flags.rps, "rps");
    tpm = numFlag(flags.tpm, "tpm");
    tags = parseTags(flags.tags ?? []);
    if (flags.prices) {
      try {
        prices = JSON.parse(await Deno.readTextFile(flags.prices));
      } catch (e) {
        throw new UsageError(
          `Cannot read the price table ${flags.prices}: ${(e as Error).message}`,
        );
      }
    }
    const agentUrl = flags["agent-url"] ??
      (flags["agent-service"]
        ? readEnv("EVALKIT_AGENT_URL") ?? "http://127.0.0.1:8080/api/v1/loan/decision"
        : undefined);
    if (agentUrl) {
      const token = readEnv("EVALKIT_AGENT_TOKEN");
      agent = new HttpAgent({
        url: agentUrl,
        name: agentName,
        ...(token ? { auth: { type: "bearer" as const, token } } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
      });
    } else if (agentName === "loan_approval") {
      agent = new LoanApprovalAgent();
    } else {
      throw new UsageError(
        `Unknown agent '${agentName}': built-in agents are loan_approval; use --agent-url for others`,
      );
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof TypeError) {
      console.error(`evaluate: ${e.message}\nRun 'deno task evaluate --help' for usage.`);
      return 2;
    }
    throw e;
  }

  const manager = new DatasetManager({ basePath: flags["datasets-dir"] ?? "datasets" });
  let dataset: Dataset;
  try {
    dataset = await loadDataset(manager, flags.dataset ?? "loan_approval_test_set");
  } catch (e) {
    if (e instanceof DatasetError) {
      console.error(`evaluate: ${e.message.split("\n")[0]}`);
      for (const issue of e.issues.slice(0, 10)) console.error(`  ${formatIssue(issue)}`);
      return 2;
    }
    throw e;
  }

  let plan: ShardPlan | undefined;
  let fullDataset: Dataset | undefined;
  let shardIndices: number[] = [];
  if (shardSpec) {
    try {
      plan = await planShard(shardSpec, {
        ...(flags["parent-run"] ? { parentRun: flags["parent-run"] } : {}),
        ...(flags["shard-group"] !== undefined ? { group: flags["shard-group"] } : {}),
        ...(flags.experiment !== undefined ? { experiment: flags.experiment } : {}),
        agent: agentName,
      });
    } catch (e) {
      if (e instanceof UsageError) {
        console.error(`evaluate: ${e.message}`);
        return 2;
      }
      throw e;
    }
    fullDataset = dataset;
    shardIndices = shardRowIndices(dataset, shardSpec);
    const rows = shardIndices.map((i) => dataset.rows[i]!);
    dataset = { ...dataset, rows };
  }
  const shardTags: Record<string, string> = plan
    ? {
      [SHARD_TAGS.parent]: plan.parent.info.runId,
      [SHARD_TAGS.role]: "shard",
      [SHARD_TAGS.shard]: `${plan.spec.index}/${plan.spec.count}`,
      [SHARD_TAGS.index]: String(plan.spec.index),
      [SHARD_TAGS.count]: String(plan.spec.count),
      ...(plan.group !== undefined ? { [SHARD_TAGS.group]: plan.group } : {}),
    }
    : {};
  const shardRunName = plan
    ? flags["run-name"] ??
      `${plan.parent.info.runName || agentName}_shard_${plan.spec.index}_of_${plan.spec.count}`
    : undefined;

  let reference: Dataset | undefined;
  if (flags["drift-detection"]) {
    try {
      reference = await loadDataset(manager, flags["baseline-dataset"] ?? "baseline_v1");
    } catch (e) {
      if (e instanceof DatasetError) {
        console.error(`evaluate: --baseline-dataset: ${e.message.split("\n")[0]}`);
        return 2;
      }
      throw e;
    }
  }
  let drift: DriftReport | undefined;

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      console.error(
        "\nInterrupted: stopping calls, recording partial results (Ctrl-C again to quit now)…",
      );
      controller.abort();
    } else Deno.exit(130);
  };
  try {
    Deno.addSignalListener("SIGINT", onSigint);
  } catch {
    // signals unsupported (Windows without a console): Ctrl-C just ends the process
  }

  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  const logToMlflow = !flags["no-log"];
  const tracker = logToMlflow
    ? new AgentTracker(agentName, {
      ...(plan
        ? { experimentName: plan.experimentName }
        : flags.experiment
        ? { experimentName: flags.experiment }
        : {}),
      version: agent.version,
      handleSigint: false,
    })
    : undefined;
  if (plan && dataset.rows.length === 0) {
    // an empty slice still records its (empty) shard, so the merge finds every shard
    try {
      return await recordEmptyShard(tracker!, plan, fullDataset!, shardTags, shardRunName!, {
        json: flags.json ?? false,
        targetField: flags["target-field"] ?? fullDataset!.schema.target ?? "expected_outcome",
        agent: { name: agent.name, version: agent.version },
      });
    } finally {
      tracker?.close();
    }
  }
  const recordShard = plan
    ? async (r: EvalResult, run: RunHandle | undefined) => {
      if (!run) return;
      const state = shardState(plan!, fullDataset!, shardIndices, r, r.targetField, {
        name: r.agent.name,
        version: r.agent.version,
      });
      run.logParams({ shard_index: plan!.spec.index, shard_count: plan!.spec.count });
      await run.logArtifact(SHARD_STATE_PATH, JSON.stringify(state));
    }
    : undefined;
  let result: EvalResult;
  try {
    result = await new ModelEvaluator(agentName, agent).evaluateDataset(dataset, {
      ...(flags["target-field"] ? { targetField: flags["target-field"] } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...(repeat ? { repeat } : {}),
      ...(rps || tpm
        ? {
          rateLimit: {
            ...(rps ? { requestsPerSecond: rps } : {}),
            ...(tpm ? { tokensPerMinute: tpm } : {}),
          },
        }
        : {}),
      ...(prices ? { prices } : {}),
      ...(shardRunName
        ? { runName: shardRunName }
        : flags["run-name"]
        ? { runName: flags["run-name"] }
        : {}),
      ...(Object.keys(tags).length || plan ? { tags: { ...tags, ...shardTags } } : {}),
      ...(flags["baseline-run"] ? { baselineRunId: flags["baseline-run"] } : {}),
      thresholds,
      logToMlflow,
      ...(tracker ? { tracker } : {}),
      signal: controller.signal,
      ...(tty
        ? {
          onProgress: (p) => {
            const cols = (() => {
              try {
                return Deno.consoleSize().columns;
              } catch {
                return 80;
              }
            })();
            Deno.stderr.writeSync(enc.encode(`\r${formatProgress(p, cols - 1)}\x1b[K`));
          },
        }
        : {}),
      ...(recordShard ? { beforeEnd: recordShard } : {}),
      ...(reference
        ? {
          beforeEnd: async (_result, run) => {
            drift = runDriftCheck({ reference: reference!, current: dataset });
            if (run) await logDriftReport(run, drift);
          },
        }
        : {}),
      onRunStarted: (run) => {
        if (!flags.json) {
          console.error(
            tracker?.connected
              ? `Recording to ${
                tracker.trackingUri ?? "MLflow"
              }: experiment ${tracker.experimentName}, run ${run.runId}` +
                (plan
                  ? ` (shard ${plan.spec.index}/${plan.spec.count}, ${dataset.rows.length} of ${
                    fullDataset!.rows.length
                  } rows, parent ${plan.parent.info.runId})`
                  : "")
              : `Recording to the local store ${tracker?.storeDir}: run ${run.runId} (push later with 'deno task sync --to <uri>')`,
          );
        }
      },
    });
  } catch (e) {
    if (tty) Deno.stderr.writeSync(enc.encode("\n"));
    if (e instanceof TypeError || e instanceof RangeError || e instanceof DatasetError) {
      console.error(`evaluate: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    if (tty) Deno.stderr.writeSync(enc.encode("\r\x1b[K"));
    tracker?.close();
    try {
      Deno.removeSignalListener("SIGINT", onSigint);
    } catch {
      // not registered
    }
  }

  if (flags["summary-file"]) {
    await Deno.writeTextFile(flags["summary-file"], result.toMarkdown() + "\n", { append: true });
  }
  if (flags.json) {
    console.log(JSON.stringify(
      { ...result.toJSON(), passed: result.passed, ...(drift ? { drift: drift.toJSON() } : {}) },
      null,
      2,
    ));
  } else {
    printSummary(result);
    if (result.gate) console.log(formatGateResult(result.gate));
    if (drift) console.log(drift.toText());
  }
  if (tracker?.connected && tracker.trackingUri && result.runId) {
    // The run's page in the MLflow UI. Only a link: a server that is unreachable now was
    // already reported by the tracker (pending operations), so a failed lookup prints nothing.
    const url = await runPageUrl(result.runId, { trackingUri: tracker.trackingUri })
      .catch(() => undefined);
    if (url) console.error(`MLflow run: ${url}`);
  }
  if (result.status === "KILLED") return 130;
  if (result.gate && !result.gate.passed) {
    if (flags.json) console.error(formatGateResult(result.gate));
    return 3;
  }
  if (drift?.driftDetected) {
    if (flags.json) console.error("Data drift detected (exit 4).");
    const webhook = flags["alert-webhook"] ?? readEnv("EVALKIT_DRIFT_WEBHOOK_URL");
    if (webhook) {
      try {
        const sent = await sendDriftAlert(drift, { url: webhook, retries: 3 });
        console.error(
          sent.delivered
            ? `Drift alert delivered (${sent.attempts} attempt(s)).`
            : `warning: the drift alert was not delivered after ${sent.attempts} attempt(s): ${sent.error}`,
        );
      } catch (e) {
        console.error(`warning: the drift alert was not sent: ${(e as Error).message}`);
      }
    }
    return 4;
  }
  return 0;
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    console.error(`evaluate: unexpected error: ${(e as Error)?.stack ?? e}`);
    code = 1;
  }
  Deno.exit(code);
}
