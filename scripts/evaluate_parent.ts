/**
 * `deno task evaluate:parent`: creates (or, with `--shard-group`, finds) the parent run of a
 * sharded evaluation (`createParentRun` in lib/evaluation) and prints its id. Shards
 * (`deno task evaluate --shard i/n`) become its child runs; `deno task evaluate:merge --parent
 * <id>` combines them into it and ends it. Exit codes: 0 ok, 1 unexpected error, 2 bad usage
 * (or no tracking server).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv } from "../lib/_internal/env.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import { defaultExperimentName } from "../lib/tracking/agent_tracker.ts";
import { createParentRun, NEEDS_SERVER } from "../lib/evaluation/mod.ts";
import { intFlag, parseTags, runCli, UsageError } from "./_cli.ts";

const USAGE = `Usage: deno task evaluate:parent [options]

Creates the parent run of a sharded evaluation in MLflow (MLFLOW_TRACKING_URI) and prints its
id on stdout. Shards run as its child runs, in any order and as separate processes:
  deno task evaluate --shard i/n --parent-run <id>     (or --shard-group <name>)
then 'deno task evaluate:merge --parent <id>' combines them into this run and ends it FINISHED.

Options
  --agent <name>          agent name (experiment /Shared/ai-agents/<agent>)   [loan_approval]
  --experiment <name>     MLflow experiment                                  [/Shared/ai-agents/<agent>]
  --shard-group <name>    name the group (tag evalkit.shard_group): shards find the parent by it;
                          when the group already has a parent run, that run is reused
  --shards <n>            the number of shards; shards with another n are refused
  --run-name <name>       run name                                           [<agent>_evaluate_sharded_<time>]
  --tags k=v[,k=v]        extra run tags (repeatable)
  --json                  print one JSON document on stdout
  -h, --help              this help

Example
  PARENT=$(deno task evaluate:parent --shards 4)
  for i in 0 1 2 3; do deno task evaluate --shard $i/4 --parent-run $PARENT & done; wait
  deno task evaluate:merge --parent $PARENT

Exit codes: 0 ok, 1 unexpected error, 2 bad usage or no tracking server.`;

/** Runs `evaluate:parent` with its arguments; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args,
      options: {
        agent: { type: "string" },
        experiment: { type: "string" },
        "shard-group": { type: "string" },
        shards: { type: "string" },
        "run-name": { type: "string" },
        tags: { type: "string", multiple: true },
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
  const agent = flags.agent ?? "loan_approval";
  const group = flags["shard-group"];
  const tags = parseTags(flags.tags ?? []);
  const shards = intFlag(flags.shards, "shards", 1, 10_000);
  if (group !== undefined && group.trim() === "") {
    throw new UsageError("Expected --shard-group to be a non-empty name");
  }
  if (!readEnv("MLFLOW_TRACKING_URI")) throw new UsageError(NEEDS_SERVER);
  const client = MlflowClient.fromEnv();
  try {
    const parent = await createParentRun(client, {
      experimentName: flags.experiment ?? defaultExperimentName(agent),
      agent,
      tags,
      ...(group !== undefined ? { group } : {}),
      ...(shards !== undefined ? { shards } : {}),
      ...(flags["run-name"] ? { runName: flags["run-name"] } : {}),
    });
    if (flags.json) {
      const extra = {
        ...(group !== undefined ? { shardGroup: group } : {}),
        ...(shards ? { shards } : {}),
      };
      console.log(JSON.stringify({ ...parent, ...extra }, null, 2));
    } else {
      console.error(
        `${
          parent.created ? "Created" : "Found"
        } parent run ${parent.runId} in ${parent.experimentName}` +
          (group !== undefined ? ` (shard group ${group})` : ""),
      );
      console.log(parent.runId);
    }
    return 0;
  } finally {
    client.close();
  }
}

if (import.meta.main) await runCli("evaluate:parent", main);
