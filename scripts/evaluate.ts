/**
 * `deno task evaluate`: evaluate an agent on a dataset and record it in MLflow (or, with no
 * MLFLOW_TRACKING_URI, in the embedded local store). Flags → library calls → printing and
 * exit codes: 0 ok, 1 unexpected error, 2 bad usage or input, 3 quality gate failed, 4 drift
 * detected, 130 interrupted (Ctrl-C).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv } from "../lib/_internal/env.ts";
import { DatasetManager } from "../lib/datasets/mod.ts";
import type { Dataset } from "../lib/datasets/mod.ts";
import { AgentTracker, defaultExperimentName } from "../lib/tracking/agent_tracker.ts";
import type { RunHandle } from "../lib/tracking/run_handle.ts";
import { connectAgentService, LoanApprovalAgent } from "../lib/agents/mod.ts";
import type { Agent } from "../lib/agents/mod.ts";
import {
  type EvalResult,
  type EvaluateOptions,
  type EvaluationJob,
  type EvaluationJobResult,
  formatGateResult,
  formatProgress,
  NEEDS_SERVER,
  parseGateFlags,
  parseShard,
  planShard,
  runEvaluationJob,
  type ShardPlan,
} from "../lib/evaluation/mod.ts";
import { type DriftReport, sendDriftAlert } from "../lib/drift/mod.ts";
import { MlflowClient } from "../lib/mlflow/client.ts";
import { describeDelivery, publicTrackingUri } from "../lib/tracking/mod.ts";
import type { EndResult } from "../lib/tracking/run_handle.ts";
import { endRunsOnInterrupt, intFlag, numFlag, parseTags, runCli, UsageError } from "./_cli.ts";
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
(checked first), 4 drift detected, 5 recorded but not delivered to the tracking server
(pending operations kept for 'deno task sync'), 130 interrupted (partial results recorded, run KILLED).`;

const OPTIONS = {
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
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];

/** Flag combinations that make no sense; throws UsageError. */
function checkFlags(flags: Flags): void {
  if (flags.shard !== undefined) {
    const refused = ([
      ["no-log", flags["no-log"]],
      ["repeat", flags.repeat !== undefined && flags.repeat !== "1"],
      ["baseline-run", flags["baseline-run"]],
      ["fail-under", flags["fail-under"]?.length],
      ["max", flags.max?.length],
    ] as const).filter(([, on]) => on).map(([name]) => `--${name}`);
    if (refused.length > 0) {
      throw new UsageError(
        `--shard cannot be combined with ${refused.join(", ")}: a shard records one slice ` +
          `for the merge; gates apply to the merged run ('deno task evaluate:merge --fail-under …'), ` +
          `baselines to an unsharded run`,
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
  const webhook = flags["alert-webhook"];
  if (webhook !== undefined && !flags["drift-detection"]) {
    throw new UsageError("--alert-webhook goes with --drift-detection");
  }
  if (webhook !== undefined && !/^https?:\/\/[^/]/i.test(webhook)) {
    throw new UsageError("Expected --alert-webhook to be an absolute http(s) URL");
  }
}

/** The evaluator's options from the flags (gates, runner, prices, naming). */
async function evaluateOptions(flags: Flags): Promise<EvaluateOptions> {
  const thresholds = parseGateFlags({
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
  const o: EvaluateOptions = { thresholds, logToMlflow: !flags["no-log"] };
  const concurrency = intFlag(flags.concurrency, "concurrency", 1);
  const timeoutMs = intFlag(flags["timeout-ms"], "timeout-ms", 1);
  const retries = intFlag(flags.retries, "retries", 0);
  const repeat = intFlag(flags.repeat, "repeat", 1);
  const rps = numFlag(flags.rps, "rps"), tpm = numFlag(flags.tpm, "tpm");
  if (concurrency) o.concurrency = concurrency;
  if (timeoutMs) o.timeoutMs = timeoutMs;
  if (retries !== undefined) o.retries = retries;
  if (repeat) o.repeat = repeat;
  if (rps || tpm) {
    o.rateLimit = {
      ...(rps ? { requestsPerSecond: rps } : {}),
      ...(tpm ? { tokensPerMinute: tpm } : {}),
    };
  }
  if (flags["target-field"]) o.targetField = flags["target-field"];
  if (flags["run-name"]) o.runName = flags["run-name"];
  if (flags["baseline-run"]) o.baselineRunId = flags["baseline-run"];
  o.tags = parseTags(flags.tags ?? []);
  if (flags.prices) {
    try {
      o.prices = JSON.parse(await Deno.readTextFile(flags.prices));
    } catch (e) {
      throw new UsageError(`Cannot read the price table ${flags.prices}: ${(e as Error).message}`);
    }
  }
  return o;
}

/** The agent: an HTTP agent (--agent-url, --agent-service) or a built-in one. */
async function makeAgent(
  flags: Flags,
  name: string,
  timeoutMs: number | undefined,
): Promise<Agent> {
  const url = flags["agent-url"] ??
    (flags["agent-service"]
      ? readEnv("EVALKIT_AGENT_URL") ?? "http://127.0.0.1:8080/api/v1/loan/decision"
      : undefined);
  if (url) {
    const token = readEnv("EVALKIT_AGENT_TOKEN");
    // the run records the served agent's version (its /health), not "unknown"
    return await connectAgentService({
      url,
      name,
      ...(token ? { auth: { type: "bearer" as const, token } } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
  }
  if (name === "loan_approval") return new LoanApprovalAgent();
  throw new UsageError(
    `Unknown agent '${name}': built-in agents are loan_approval; use --agent-url for others`,
  );
}

async function loadDataset(manager: DatasetManager, ref: string): Promise<Dataset> {
  const at = ref.lastIndexOf("@");
  return at > 0
    ? await manager.load(ref.slice(0, at), { version: ref.slice(at + 1) })
    : await manager.load(ref);
}

/** Resolves --shard against the server (parent run, experiment). */
async function planFromFlags(flags: Flags, agentName: string): Promise<ShardPlan | undefined> {
  if (flags.shard === undefined) return undefined;
  const spec = parseShard(flags.shard);
  const client = MlflowClient.fromEnv();
  try {
    return await planShard(client, spec, {
      ...(flags["parent-run"] ? { parentRunId: flags["parent-run"] } : {}),
      ...(flags["shard-group"] !== undefined ? { group: flags["shard-group"] } : {}),
      ...(flags.experiment !== undefined ? { experimentName: flags.experiment } : {}),
      defaultExperiment: defaultExperimentName(agentName),
    });
  } finally {
    client.close();
  }
}

/** The progress line on a terminal. */
function progressLine(): {
  onProgress?: EvaluateOptions["onProgress"];
  clear: (nl?: boolean) => void;
} {
  if (!Deno.stderr.isTerminal()) return { clear: () => {} };
  const enc = new TextEncoder();
  const cols = () => {
    try {
      return Deno.consoleSize().columns;
    } catch {
      return 80;
    }
  };
  return {
    onProgress: (p) =>
      Deno.stderr.writeSync(enc.encode(`\r${formatProgress(p, cols() - 1)}\x1b[K`)),
    clear: (nl) => Deno.stderr.writeSync(enc.encode(nl ? "\n" : "\r\x1b[K")),
  };
}

function announce(tracker: AgentTracker, run: RunHandle, where: string): void {
  console.error(
    tracker.connected
      ? `Recording to ${
        tracker.trackingUri ? publicTrackingUri(tracker.trackingUri) : "MLflow"
      }: experiment ${tracker.experimentName}, run ${run.runId}${where}`
      : `Recording to the local store ${tracker.storeDir}: run ${run.runId} (push later with 'deno task sync --to <uri>')`,
  );
}

/** Exit code of a finished evaluation: 130 interrupted, 3 gate failed, 4 drift, else 0. */
async function exitCode(
  result: EvalResult,
  drift: DriftReport | undefined,
  flags: Flags,
): Promise<number> {
  if (result.status === "KILLED") return 130;
  if (result.gate && !result.gate.passed) {
    if (flags.json) console.error(formatGateResult(result.gate));
    return 3;
  }
  if (!drift?.driftDetected) return 0;
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

/** The job of one `evaluate` invocation, resolved from the flags. */
async function prepareJob(flags: Flags): Promise<EvaluationJob & { tracker?: AgentTracker }> {
  checkFlags(flags);
  const options = await evaluateOptions(flags);
  const agentName = flags.agent ?? "loan_approval";
  const agent = await makeAgent(flags, agentName, options.timeoutMs);
  const manager = new DatasetManager({ basePath: flags["datasets-dir"] ?? "datasets" });
  const dataset = await loadDataset(manager, flags.dataset ?? "loan_approval_test_set");
  const plan = await planFromFlags(flags, agentName);
  const reference = flags["drift-detection"]
    ? await loadDataset(manager, flags["baseline-dataset"] ?? "baseline_v1").catch((e) => {
      throw Object.assign(e, { message: `--baseline-dataset: ${e.message}` });
    })
    : undefined;
  const experimentName = plan?.experimentName ?? flags.experiment;
  const tracker = options.logToMlflow
    ? new AgentTracker(agentName, {
      ...(experimentName ? { experimentName } : {}),
      version: agent.version,
      handleSigint: false,
    })
    : undefined;
  return {
    agentName,
    agent,
    dataset,
    options,
    ...(plan ? { plan } : {}),
    ...(reference ? { reference } : {}),
    ...(tracker ? { tracker } : {}),
    ...(flags.json ? {} : {
      onRunStarted: (run: RunHandle, where: string) => announce(tracker!, run, where),
    }),
  };
}

/** Runs the job with Ctrl-C handling and the progress line. */
async function runJob(job: EvaluationJob, flags: Flags): Promise<EvaluationJobResult> {
  // Ctrl-C once: cancel (partial results recorded, run KILLED); twice: end the runs, exit 130
  using interrupt = endRunsOnInterrupt(() => (job.tracker ? [job.tracker] : []), {
    graceful: true,
    onFirst: () =>
      console.error(
        "\nInterrupted: stopping calls, recording partial results (Ctrl-C again to quit now)…",
      ),
  });
  const progress = progressLine();
  try {
    const done = await runEvaluationJob({
      ...job,
      options: {
        ...job.options,
        signal: interrupt.signal,
        ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
      },
    });
    if (done.kind === "empty_shard") {
      const { plan, dataset } = job as EvaluationJob & { plan: ShardPlan };
      const { runId } = done;
      if (flags.json) console.log(JSON.stringify({ runId, shard: plan.spec, rows: 0 }, null, 2));
      console.error(
        `Shard ${plan.spec.index}/${plan.spec.count} has no rows of ${dataset.name}@${dataset.version}: ` +
          `recorded an empty shard run ${runId} (parent ${plan.parent.info.runId})`,
      );
    }
    return done;
  } catch (e) {
    progress.clear(true);
    throw e;
  } finally {
    progress.clear();
  }
}

/** Prints the result (terminal, --json, --summary-file) and returns the exit code. */
async function report(
  result: EvalResult,
  drift: DriftReport | undefined,
  flags: Flags,
  ended: EndResult | undefined,
): Promise<number> {
  if (flags["summary-file"]) {
    await Deno.writeTextFile(flags["summary-file"], result.toMarkdown() + "\n", { append: true });
  }
  if (flags.json) {
    const doc = {
      ...result.toJSON(),
      passed: result.passed,
      ...(drift ? { drift: drift.toJSON() } : {}),
    };
    console.log(JSON.stringify(doc, null, 2));
  } else {
    console.log(result.toText());
    if (result.gate) console.log(formatGateResult(result.gate));
    if (drift) console.log(drift.toText());
  }
  // Undelivered is not success: what is pending and how to send it (exit 5, after gates and
  // drift), or the run's page in the MLflow UI.
  const delivery = ended ? describeDelivery(ended) : undefined;
  for (const line of delivery?.lines ?? []) console.error(line);
  const code = await exitCode(result, drift, flags);
  return code === 0 && delivery ? delivery.exitCode : code;
}

/** Runs `evaluate` with its arguments; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  if (args[0] === "parent") return await parentMain(args.slice(1));
  if (args[0] === "merge") return await mergeMain(args.slice(1));
  let flags: Flags;
  try {
    flags = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const job = await prepareJob(flags);
  try {
    const done = await runJob(job, flags);
    if (done.kind === "empty_shard") return 0;
    return await report(done.result, done.drift, flags, done.ended);
  } finally {
    job.tracker?.close();
  }
}

if (import.meta.main) await runCli("evaluate", main);
