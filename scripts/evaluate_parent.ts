/**
 * `deno task evaluate:parent`: creates (or, with `--shard-group`, finds) the parent run of a
 * sharded evaluation and prints its id. Shards (`deno task evaluate --shard i/n`) become its
 * child runs; `deno task evaluate:merge --parent <id>` combines them into it and ends it.
 * Exit codes: 0 ok, 1 unexpected error, 2 bad usage (or no tracking server).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv } from "../lib/_internal/env.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import { defaultExperimentName, defaultRunName } from "../lib/tracking/agent_tracker.ts";
import { findGroupParents, NEEDS_SERVER, SHARD_TAGS } from "./_shard.ts";
import { parseTags, UsageError } from "./_cli.ts";

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
    console.error(
      `evaluate:parent: ${(e as Error).message}\nRun 'deno task evaluate:parent --help' for usage.`,
    );
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const agent = flags.agent ?? "loan_approval";
  const experimentName = flags.experiment ?? defaultExperimentName(agent);
  const group = flags["shard-group"];
  let tags: Record<string, string>;
  let shards: number | undefined;
  try {
    tags = parseTags(flags.tags ?? []);
    if (flags.shards !== undefined) {
      shards = Number(flags.shards);
      if (!Number.isInteger(shards) || shards < 1 || shards > 10_000) {
        throw new UsageError(
          `Expected --shards to be an integer in 1..10000 but found '${flags.shards}'`,
        );
      }
    }
    if (group !== undefined && group.trim() === "") {
      throw new UsageError("Expected --shard-group to be a non-empty name");
    }
    if (!readEnv("MLFLOW_TRACKING_URI")) throw new UsageError(NEEDS_SERVER);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(
        `evaluate:parent: ${e.message}\nRun 'deno task evaluate:parent --help' for usage.`,
      );
      return 2;
    }
    throw e;
  }

  const client = MlflowClient.fromEnv();
  try {
    const exp = await client.experiments.getOrCreate(experimentName);
    let runId: string | undefined;
    let created = false;
    if (group !== undefined) {
      const existing = await findGroupParents(client, exp.experimentId, group);
      if (existing.length > 1) {
        console.error(
          `evaluate:parent: shard group '${group}' already has ${existing.length} parent runs (` +
            `${existing.map((r) => r.info.runId).join(", ")}); use one with --parent-run <id>`,
        );
        return 2;
      }
      const found = existing[0];
      if (found) {
        const had = found.data.tags[SHARD_TAGS.count];
        if (shards !== undefined && had !== undefined && had !== String(shards)) {
          console.error(
            `evaluate:parent: shard group '${group}' has parent run ${found.info.runId} for ${had} shards, not ${shards}`,
          );
          return 2;
        }
        runId = found.info.runId;
      }
    }
    if (!runId) {
      const now = Date.now();
      const run = await client.runs.create({
        experimentId: exp.experimentId,
        runName: flags["run-name"] ?? defaultRunName(agent, "evaluate_sharded", now),
        startTime: now,
        tags: {
          ...tags,
          [SHARD_TAGS.role]: "parent",
          "evalkit.agent": agent,
          "evalkit.purpose": "evaluate",
          ...(group !== undefined ? { [SHARD_TAGS.group]: group } : {}),
          ...(shards !== undefined ? { [SHARD_TAGS.count]: String(shards) } : {}),
        },
      });
      runId = run.info.runId;
      created = true;
    }
    if (flags.json) {
      console.log(JSON.stringify(
        {
          runId,
          created,
          experimentId: exp.experimentId,
          experimentName,
          ...(group !== undefined ? { shardGroup: group } : {}),
          ...(shards !== undefined ? { shards } : {}),
        },
        null,
        2,
      ));
    } else {
      console.error(
        `${created ? "Created" : "Found"} parent run ${runId} in ${experimentName}` +
          (group !== undefined ? ` (shard group ${group})` : ""),
      );
      console.log(runId);
    }
    return 0;
  } finally {
    client.close();
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    console.error(`evaluate:parent: unexpected error: ${(e as Error)?.stack ?? e}`);
    code = 1;
  }
  Deno.exit(code);
}
