/**
 * `deno task evaluate:merge --parent <run-id>`: combines the shard runs of a sharded evaluation
 * (`deno task evaluate --shard i/n`) into their parent run exactly (`mergeShards` in
 * lib/evaluation) and ends it FINISHED. Exit codes: 0 ok, 1 unexpected error, 2 bad usage,
 * missing or duplicate shards (named), 3 a quality gate failed.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv } from "../lib/_internal/env.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import {
  formatGateResult,
  HEADLINE_METRICS,
  type MergeReport,
  mergeShards,
  NEEDS_SERVER,
  parseGateFlags,
  resolveParent,
} from "../lib/evaluation/mod.ts";
import { formatValue } from "../lib/report/format.ts";
import { markdownTable } from "../lib/report/tables.ts";
import { defaultExperimentName } from "../lib/tracking/agent_tracker.ts";
import { intFlag, runCli, UsageError } from "./_cli.ts";

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

function print(report: MergeReport): void {
  console.log(
    `Merged ${report.shardCount} shards (${report.rows} rows) into parent run ${report.parentRunId}: FINISHED`,
  );
  const keys = HEADLINE_METRICS.filter((k) => report.metrics[k] !== undefined);
  console.log(
    markdownTable(["metric", "value"], keys.map((k) => [k, formatValue(report.metrics[k]!)])),
  );
  console.log(markdownTable(
    ["shard", "run", "rows"],
    report.shards.map((s) => [`${s.index}/${report.shardCount}`, s.runId, s.rows]),
  ));
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
    throw new UsageError((e as Error).message);
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  if (!flags.parent && flags["shard-group"] === undefined) {
    throw new UsageError("Expected --parent <run-id> (or --shard-group <name>)");
  }
  const shards = intFlag(flags.shards, "shards", 1, 10_000);
  let thresholds;
  try {
    thresholds = parseGateFlags({ failUnder: flags["fail-under"] ?? [], max: flags.max ?? [] });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!readEnv("MLFLOW_TRACKING_URI")) throw new UsageError(NEEDS_SERVER);
  const client = MlflowClient.fromEnv();
  let report: MergeReport;
  try {
    const parentId = flags.parent ?? (await resolveParent(client, {
      group: flags["shard-group"]!,
      experimentName: flags.experiment ?? defaultExperimentName(flags.agent ?? "loan_approval"),
    })).info.runId;
    report = await mergeShards(client, parentId, { ...(shards ? { shards } : {}), thresholds });
  } finally {
    client.close();
  }
  if (flags.json) console.log(JSON.stringify(report, null, 2));
  else print(report);
  if (report.gate) {
    (flags.json ? console.error : console.log)(formatGateResult(report.gate));
    if (!report.gate.passed) return 3;
  }
  return 0;
}

if (import.meta.main) await runCli("evaluate:merge", main);
