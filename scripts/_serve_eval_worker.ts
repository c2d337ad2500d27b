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
import { ModelEvaluator } from "../lib/evaluation/mod.ts";
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
}

/** What the worker answers. */
export type EvalJobAnswer =
  | { ok: true; runId: string; metrics: Record<string, number> }
  | { ok: false; error: string };

async function evaluate(msg: EvalJobMessage): Promise<EvalJobAnswer> {
  const agent = new LoanApprovalAgent();
  const tracker = new AgentTracker(agent.name, {
    handleSigint: false,
    ...(msg.experiment ? { experimentName: msg.experiment } : {}),
  });
  try {
    const { request: req } = msg;
    const dataset = await new DatasetManager({ basePath: msg.datasetsDir }).load(
      req.dataset_name,
      req.dataset_version ? { version: req.dataset_version } : {},
    );
    const result = await new ModelEvaluator(agent.name, agent).evaluateDataset(dataset, {
      targetField: req.target_field,
      concurrency: req.concurrency,
      tracker,
      ...(req.run_name ? { runName: req.run_name } : {}),
    });
    if (!result.runId) return { ok: false, error: "the evaluation was not recorded" };
    return { ok: true, runId: result.runId, metrics: result.metrics };
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
