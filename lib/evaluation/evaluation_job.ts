/**
 * One evaluation job, as `deno task evaluate` runs it and a notebook or the Databricks job can:
 * start the run (when recording), evaluate the dataset — or its shard — into it, record the
 * shard's mergeable state, check data drift against a reference and log the report, end the run.
 *
 * @module
 */
import type { Agent } from "./agent.ts";
import type { Dataset } from "../datasets/types.ts";
import type { AgentTracker } from "../tracking/agent_tracker.ts";
import type { EndResult, RunHandle } from "../tracking/run_handle.ts";
import type { DriftReport } from "../drift/drift_report.ts";
import { runDriftCheck } from "../drift/run_drift_check.ts";
import { logDriftReport } from "../drift/log_drift_report.ts";
import type { EvalResult } from "./eval_result.ts";
import { type EvaluateOptions, ModelEvaluator } from "./model_evaluator.ts";
import { evaluationRunTags } from "./record.ts";
import {
  recordEmptyShard,
  recordShard,
  type ShardPlan,
  shardRunName,
  shardRunTags,
  shardSlice,
} from "./sharding.ts";

/** What {@link runEvaluationJob} works on. */
export interface EvaluationJob {
  /** The agent's name (run names, the default experiment). */
  agentName: string;
  /** The agent. */
  agent: Agent;
  /** The whole dataset (a shard evaluates its slice). */
  dataset: Dataset;
  /** The evaluator's options (gates, runner, prices, run name and tags). */
  options: EvaluateOptions;
  /** Records the run; without it nothing is recorded. */
  tracker?: AgentTracker;
  /** Evaluate one shard of `dataset` as a child of the plan's parent run. */
  plan?: ShardPlan;
  /** Reference data: also check data drift of the dataset against it and log the report. */
  reference?: Dataset;
  /** Told when the run has started, with where it is (`" (shard 1/4, 25 of 100 rows, …)"`). */
  onRunStarted?: (run: RunHandle, where: string) => void;
}

/** What {@link runEvaluationJob} did. */
export type EvaluationJobResult =
  | {
    /** The dataset was evaluated. */
    kind: "evaluated";
    /** The evaluation (its `runId` set when recorded). */
    result: EvalResult;
    /** The drift report, with a reference. */
    drift?: DriftReport;
    /** How the run ended (delivery), when recorded. */
    ended?: EndResult;
  }
  | {
    /** The shard has no rows: an empty shard run was recorded so the merge finds every shard. */
    kind: "empty_shard";
    /** The empty shard's run. */
    runId: string;
  };

/**
 * Runs one evaluation job: starts the run (when `tracker` is given), evaluates the dataset or
 * its shard into it, records the shard state and the drift report, ends the run with the
 * evaluation's status (FAILED when something throws).
 *
 * @example
 * ```ts
 * import { runEvaluationJob } from "@evalkit/evalkit/evaluation";
 * import { LoanApprovalAgent } from "@evalkit/evalkit/agents";
 * import { DatasetManager } from "@evalkit/evalkit/datasets";
 * const dataset = await new DatasetManager({ basePath: "datasets" }).load("loan_approval_test_set");
 * const done = await runEvaluationJob({
 *   agentName: "loan_approval",
 *   agent: new LoanApprovalAgent(),
 *   dataset,
 *   options: { logToMlflow: false },
 * });
 * if (done.kind !== "evaluated" || done.result.rows.length !== dataset.rows.length) throw new Error();
 * ```
 */
export async function runEvaluationJob(job: EvaluationJob): Promise<EvaluationJobResult> {
  const { plan, tracker, agent, dataset: full } = job;
  const options = { ...job.options };
  if (plan) {
    options.tags = { ...options.tags, ...shardRunTags(plan) };
    options.runName = options.runName ?? shardRunName(plan, job.agentName);
  }
  const slice = plan ? { ...shardSlice(full, plan.spec), full } : undefined;
  const dataset = slice?.dataset ?? full;
  if (plan && tracker && dataset.rows.length === 0) {
    const runId = await recordEmptyShard(tracker, plan, full, {
      runName: options.runName!,
      tags: options.tags ?? {},
      targetField: options.targetField ?? full.schema.target ?? "expected_outcome",
      agent: { name: agent.name, version: agent.version },
    });
    return { kind: "empty_shard", runId };
  }
  let run: RunHandle | undefined;
  try {
    if (tracker) {
      run = await tracker.startRun({
        purpose: "evaluate",
        ...(options.runName ? { runName: options.runName } : {}),
        tags: { ...evaluationRunTags(agent, full), ...options.tags },
      });
      job.onRunStarted?.(
        run,
        plan
          ? ` (shard ${plan.spec.index}/${plan.spec.count}, ${dataset.rows.length} of ${full.rows.length} rows, parent ${plan.parent.info.runId})`
          : "",
      );
    }
    const result = await new ModelEvaluator(job.agentName, agent).evaluateDataset(dataset, {
      ...options,
      ...(run ? { run } : {}),
    });
    if (run && plan) {
      await recordShard(run, plan, slice!, result, { targetField: result.targetField, agent });
    }
    const drift = job.reference
      ? runDriftCheck({ reference: job.reference, current: dataset })
      : undefined;
    if (run && drift) await logDriftReport(run, drift, { reference: job.reference! });
    const ended = await run?.end(result.status);
    if (run) result.runId = run.runId;
    return { kind: "evaluated", result, ...(drift ? { drift } : {}), ...(ended ? { ended } : {}) };
  } catch (e) {
    if (run?.status === "RUNNING") await run.end("FAILED").catch(() => {});
    throw e;
  }
}
