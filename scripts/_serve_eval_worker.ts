/**
 * One dataset evaluation for `deno task serve`, in a Web Worker: the evaluation's CPU work
 * (decisions, metrics, artifacts) runs off the thread that answers HTTP, so /health and
 * decisions stay fast while jobs run. Receives one {@link EvalJobMessage}, answers one
 * {@link EvalJobAnswer}, then the parent terminates it.
 *
 * @module
 */
import { LoanApprovalAgent } from "../lib/agents/mod.ts";
import { DatasetManager } from "../lib/datasets/mod.ts";
import { type EvalResult, evaluationRunTags, ModelEvaluator } from "../lib/evaluation/mod.ts";
import type { EvaluateDatasetRequest } from "../lib/server/mod.ts";
import { AgentTracker } from "../lib/tracking/mod.ts";

/** What the parent sends. */
export interface EvalJobMessage {
  /** The validated request. */
  request: EvaluateDatasetRequest;
  /** The datasets folder. */
  datasetsDir: string;
  /** MLflow experiment, when not the default. */
  experiment?: string;
  /** How long to wait for the run to reach the MLflow server before the job fails. */
  deliveryTimeoutMs: number;
}

/** What the worker answers. */
export type EvalJobAnswer =
  | { ok: true; runId: string; metrics: Record<string, number> }
  | { ok: false; error: string };

async function evaluate(msg: EvalJobMessage): Promise<EvalJobAnswer> {
  const agent = new LoanApprovalAgent();
  const tracker = new AgentTracker(agent.name, {
    deliveryTimeoutMs: msg.deliveryTimeoutMs,
    ...(msg.experiment ? { experimentName: msg.experiment } : {}),
  });
  try {
    const { request: req } = msg;
    const dataset = await new DatasetManager({ basePath: msg.datasetsDir }).load(
      req.dataset_name,
      req.dataset_version ? { version: req.dataset_version } : {},
    );
    // The worker opens and ends the run itself, so it knows whether the run reached the server
    // before the worker goes away: undelivered is not success.
    const run = await tracker.startRun({
      purpose: "evaluate",
      ...(req.run_name ? { runName: req.run_name } : {}),
      tags: evaluationRunTags(agent, dataset),
    });
    let status: "FINISHED" | "KILLED" | "FAILED" = "FAILED";
    let result: EvalResult | undefined;
    let failure: unknown;
    try {
      result = await new ModelEvaluator(agent.name, agent).evaluateDataset(dataset, {
        targetField: req.target_field,
        concurrency: req.concurrency,
        run,
      });
      status = result.status;
    } catch (err) {
      failure = err;
    }
    const end = await run.end(status);
    if (failure !== undefined || !result) throw failure;
    if (!end.delivered) {
      return {
        ok: false,
        error: `The evaluation was recorded in the local store as run ${run.localRunId} but ` +
          `${end.pending} operation(s) did not reach the MLflow server within ` +
          `${msg.deliveryTimeoutMs} ms; 'deno task sync' sends them`,
      };
    }
    return { ok: true, runId: run.runId, metrics: result.metrics };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    tracker.close();
  }
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<EvalJobMessage>) => void) | null;
  postMessage(answer: EvalJobAnswer): void;
};
scope.onmessage = (e) => {
  evaluate(e.data).then((answer) => scope.postMessage(answer));
};
