/**
 * Recording an evaluation in an MLflow run (or the local store): its params and dataset input
 * when it starts, then its metrics, per-trial metrics, tags and artifacts (the per-row table,
 * the confusion matrix, the Markdown summary and the HTML report).
 *
 * @module
 */
import type { Agent } from "./agent.ts";
import type { Dataset } from "../datasets/types.ts";
import { toMlflowDatasetInput } from "../datasets/mlflow_input.ts";
import type { RunHandle } from "../tracking/run_handle.ts";
import type { RateLimit } from "./runner.ts";
import type { EvalResult } from "./eval_result.ts";
import { trialStepMetrics } from "./summary.ts";

/**
 * The per-row table artifact, named as MLflow's evaluation table.
 *
 * @example
 * ```ts
 * import { RESULTS_TABLE_PATH } from "@evalkit/evalkit/evaluation";
 * if (RESULTS_TABLE_PATH !== "eval_results_table.json") throw new Error("unexpected");
 * ```
 */
export const RESULTS_TABLE_PATH = "eval_results_table.json";

/** What the params of an evaluation run are made of. */
export interface EvaluationParamsInput {
  /** The agent. */
  agent: Agent;
  /** The dataset evaluated. */
  dataset: Dataset;
  /** Label column. */
  targetField: string;
  /** Trials. */
  repeat: number;
  /** Calls in flight (default 8). */
  concurrency?: number;
  /** Per-call timeout (default 30000). */
  timeoutMs?: number;
  /** Retries (default 2). */
  retries?: number;
  /** Rate limits. */
  rateLimit?: RateLimit;
}

/**
 * The run params of an evaluation: agent, dataset, target, runner settings and the agent's
 * config as `agent_config.<key>`.
 *
 * @example
 * ```ts ignore
 * import { evaluationParams } from "@evalkit/evalkit/evaluation";
 * const p = evaluationParams({ agent, dataset, targetField: "expected_outcome", repeat: 1 });
 * ```
 */
export function evaluationParams(
  input: EvaluationParamsInput,
): Record<string, string | number | boolean> {
  const { agent, dataset } = input;
  const p: Record<string, string | number | boolean> = {
    agent_name: agent.name,
    agent_version: agent.version,
    dataset_name: dataset.name,
    dataset_version: dataset.version,
    dataset_digest: dataset.digest,
    dataset_rows: dataset.rows.length,
    target_field: input.targetField,
    concurrency: input.concurrency ?? 8,
    timeout_ms: input.timeoutMs ?? 30000,
    retries: input.retries ?? 2,
    repeat: input.repeat,
  };
  if (input.rateLimit?.requestsPerSecond) p.rate_limit_rps = input.rateLimit.requestsPerSecond;
  if (input.rateLimit?.tokensPerMinute) p.rate_limit_tpm = input.rateLimit.tokensPerMinute;
  for (const [k, v] of Object.entries(agent.config)) {
    const key = `agent_config.${k}`.replace(/[^A-Za-z0-9_.\-/ ]/g, "_");
    p[key] = typeof v === "string" || typeof v === "number" || typeof v === "boolean"
      ? v
      : JSON.stringify(v === undefined ? null : v).slice(0, 6000);
  }
  return p;
}

/**
 * The tags an evaluation run starts with: agent, its version and the dataset.
 *
 * @example
 * ```ts
 * import { evaluationRunTags } from "@evalkit/evalkit/evaluation";
 * const t = evaluationRunTags({ name: "a", version: "1" }, { name: "d", version: "2" });
 * if (t["evalkit.dataset"] !== "d@2") throw new Error("unexpected");
 * ```
 */
export function evaluationRunTags(
  agent: { name: string; version: string },
  dataset: { name: string; version: string },
): Record<string, string> {
  return {
    "evalkit.agent": agent.name,
    "evalkit.agent_version": agent.version,
    "evalkit.dataset": `${dataset.name}@${dataset.version}`,
  };
}

/**
 * Logs what an evaluation records when it starts: params and the dataset input.
 *
 * @example
 * ```ts ignore
 * import { recordStart } from "@evalkit/evalkit/evaluation";
 * recordStart(run, { agent, dataset, targetField: "expected_outcome", repeat: 1 });
 * ```
 */
export function recordStart(run: RunHandle, input: EvaluationParamsInput): void {
  run.logParams(evaluationParams(input));
  run.logInput(toMlflowDatasetInput(input.dataset, { context: "evaluation" }));
}

/**
 * Logs a finished (or cancelled) evaluation into its run: the metrics (linked to the dataset
 * as `mlflow.models.evaluate` links them), `trial/<metric>` per trial when repeated, the
 * status/gate/baseline tags and the artifacts. Leaves the run open.
 *
 * @example
 * ```ts ignore
 * import { recordEvaluation } from "@evalkit/evalkit/evaluation";
 * await recordEvaluation(run, result, { datasetName: "d", datasetDigest: "abc" });
 * await run.end(result.status);
 * ```
 */
export async function recordEvaluation(
  run: RunHandle,
  result: EvalResult,
  dataset: { datasetName: string; datasetDigest: string },
): Promise<void> {
  const finite: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.metrics)) if (Number.isFinite(v)) finite[k] = v;
  run.logMetrics(finite, dataset);
  if (result.trials.length > 1) {
    result.trials.forEach((t, i) => run.logMetrics(trialStepMetrics(t), { step: i + 1 }));
  }
  const tags: Record<string, string> = { "evalkit.status": result.status };
  if (result.gate) tags["evalkit.gate"] = result.gate.passed ? "passed" : "failed";
  if (result.baseline) tags["evalkit.baseline_run_id"] = result.baseline.runId;
  run.setTags(tags);
  await run.logTable(RESULTS_TABLE_PATH, result.table());
  if (result.classification.labels.length > 0) {
    await run.logArtifact("confusion_matrix.svg", result.confusionMatrixSvg());
  }
  await run.logArtifact("evaluation_summary.md", result.toMarkdown());
  await run.logArtifact("evaluation_report.html", result.toHtml());
}
