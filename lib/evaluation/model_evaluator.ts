/**
 * `ModelEvaluator`: runs an agent over a dataset, computes classification, latency, error
 * and cost metrics (with mean/std/CI over repeated trials), checks gates against thresholds
 * and a baseline run, and records everything in MLflow through the tracker.
 *
 * @module
 */
import type { Agent } from "./agent.ts";
import type { Dataset } from "../datasets/types.ts";
import { AgentTracker } from "../tracking/agent_tracker.ts";
import type { RunHandle } from "../tracking/run_handle.ts";
import type { RateLimit, RunnerOptions, RunProgress } from "./runner.ts";
import { DEFAULT_PRICE_TABLE, type PriceTable } from "./cost.ts";
import type { MetricThreshold } from "./gates.ts";
import { EvalResult } from "./eval_result.ts";
import { type Baseline, loadBaseline, type LoadBaselineOptions } from "./baseline.ts";
import { detectPerformanceDrift, type PerformanceDriftResult } from "../drift/performance_drift.ts";
import { DRIFT_METRICS } from "./summary.ts";
import { compare, prepare, runTrials, summarise } from "./_pipeline.ts";
import { evaluationRunTags, recordEvaluation, recordStart, RESULTS_TABLE_PATH } from "./record.ts";

/** One side of a performance-drift comparison: a dataset to evaluate, a finished result, or a run. */
export type DriftSide = Dataset | EvalResult | { runId: string };

/** Options of {@link ModelEvaluator.detectDrift}. */
export interface DetectDriftOptions {
  /** The baseline: a dataset (evaluated now), an earlier result, or an evaluation run id. */
  baselineDataset: DriftSide;
  /** The current data, likewise. */
  currentDataset: DriftSide;
  /** Relative degradation that counts as drift. Default 0.05 (5%). */
  threshold?: number;
  /** Metrics compared. Default: the classification metrics both sides have. */
  metrics?: readonly string[];
  /** Options for the evaluations this call runs (tracker, concurrency, …). */
  evaluate?: EvaluateOptions;
  /** Where to read runs given by id (default: MLFLOW_TRACKING_URI, else the local store). */
  runs?: LoadBaselineOptions;
}

/** What {@link ModelEvaluator.detectDrift} returns: the guide's `{ hasDrift, metricDeltas, threshold }` and more. */
export interface PerformanceDriftReport extends PerformanceDriftResult {
  /** The baseline side's metrics. */
  baselineMetrics: Record<string, number>;
  /** The current side's metrics. */
  currentMetrics: Record<string, number>;
  /** Results of the evaluations this call ran (per side), when it ran them. */
  evaluations: { baseline?: EvalResult; current?: EvalResult };
}

/** Progress of an evaluation: the runner's, plus which trial it is in. */
export interface EvaluationProgress extends RunProgress {
  /** Current trial, 1-based. */
  trial: number;
  /** Trials in total. */
  trials: number;
}

/** Options of {@link ModelEvaluator.evaluateDataset}. */
export interface EvaluateOptions {
  /** The label column. Default the schema's target, else `expected_outcome`. */
  targetField?: string;
  /** The id column. Default the schema's id, else `request_id` when present, else the row index. */
  idField?: string;
  /** Calls in flight. Default 8. */
  concurrency?: number;
  /** Per-call timeout, ms. Default 30000. */
  timeoutMs?: number;
  /** Retries of retryable failures. Default 2. */
  retries?: number;
  /** First backoff delay, ms. Default 200. */
  backoffMs?: number;
  /** Rate limits. */
  rateLimit?: RateLimit;
  /** Trials over the whole dataset; metrics get mean/std/95% CI. Default 1. */
  repeat?: number;
  /** Record the evaluation in MLflow (or the local store). Default true. */
  logToMlflow?: boolean;
  /** The tracker to log with. Default `new AgentTracker(agentName, { experimentName })`. */
  tracker?: AgentTracker;
  /** Experiment name when the evaluator makes its tracker. Default `/Shared/ai-agents/<agent>`. */
  experimentName?: string;
  /** Run name. Default `<agent>_evaluate_<timestamp>`. */
  runName?: string;
  /** Extra run tags. */
  tags?: Record<string, string>;
  /** A baseline run id to compare with (its metrics and `eval_results_table.json`). */
  baselineRunId?: string;
  /** A baseline given directly (skips reading `baselineRunId`). */
  baseline?: Baseline;
  /** Gates, metric → threshold. */
  thresholds?: Record<string, MetricThreshold>;
  /** Model prices. Default {@link DEFAULT_PRICE_TABLE}. */
  prices?: PriceTable;
  /** Known labels (added to those seen). Outcomes outside it count as `invalid_output`. */
  labels?: string[];
  /** Positive label of a binary task. Default the last label sorted (as MLflow). */
  positiveLabel?: string;
  /** The label the agent's risk score points to. Default the positive label. */
  scoreLabel?: string;
  /** Cancels: calls stop, partial results are logged, the run ends KILLED. */
  signal?: AbortSignal;
  /** Progress, at most every 100 ms. */
  onProgress?: (progress: EvaluationProgress) => void;
  /**
   * Record into this open run instead of starting one: the evaluator logs params, the dataset,
   * metrics and artifacts into it and leaves it open; the caller logs more (a drift report, a
   * shard's state) and ends it with the result's status.
   */
  run?: RunHandle;
}

/**
 * Evaluates an agent on datasets.
 *
 * @example
 * ```ts ignore
 * import { ModelEvaluator } from "@evalkit/evalkit/evaluation";
 * import { LoanApprovalAgent } from "@evalkit/evalkit/agents";
 * import { DatasetManager } from "@evalkit/evalkit/datasets";
 * const dataset = await new DatasetManager().load("loan_approval_test_set");
 * const result = await new ModelEvaluator("loan_approval", new LoanApprovalAgent())
 *   .evaluateDataset(dataset, { concurrency: 16, thresholds: { accuracy_score: { threshold: 0.9, greaterIsBetter: true } } });
 * console.log(result.metrics.f1_score, result.runId, result.passed);
 * ```
 */
export class ModelEvaluator {
  /** Agent name (experiment `/Shared/ai-agents/<name>`, run names). */
  readonly agentName: string;
  /** The agent. */
  readonly agent: Agent;

  /** Creates an evaluator for one agent. */
  constructor(agentName: string, agent: Agent) {
    this.agentName = agentName;
    this.agent = agent;
  }

  /**
   * Performance drift, as in the guide: evaluates the baseline and the current data (or reuses
   * finished results or runs) and reports each tracked metric's change; `hasDrift` when one
   * degrades by more than `threshold` (default 5%) relative to the baseline.
   *
   * @example
   * ```ts ignore
   * import { ModelEvaluator } from "@evalkit/evalkit/evaluation";
   * import { LoanApprovalAgent } from "@evalkit/evalkit/agents";
   * import { DatasetManager } from "@evalkit/evalkit/datasets";
   * const dm = new DatasetManager();
   * const drift = await new ModelEvaluator("loan_approval", new LoanApprovalAgent()).detectDrift({
   *   baselineDataset: await dm.load("baseline_v1"),
   *   currentDataset: await dm.load("current_month"),
   *   threshold: 0.05,
   * });
   * console.log(drift.hasDrift, drift.metricDeltas.accuracy_score);
   * ```
   */
  async detectDrift(options: DetectDriftOptions): Promise<PerformanceDriftReport> {
    const evaluations: { baseline?: EvalResult; current?: EvalResult } = {};
    const metricsOf = async (side: DriftSide, which: "baseline" | "current") => {
      if (side instanceof EvalResult) return side.metrics;
      if ("runId" in side && !("rows" in side)) {
        return (await loadBaseline(side.runId, options.runs)).metrics;
      }
      const result = await this.evaluateDataset(side as Dataset, options.evaluate);
      evaluations[which] = result;
      return result.metrics;
    };
    const baselineMetrics = await metricsOf(options.baselineDataset, "baseline");
    const currentMetrics = await metricsOf(options.currentDataset, "current");
    const metrics = options.metrics ??
      DRIFT_METRICS.filter((k) =>
        baselineMetrics[k] !== undefined && currentMetrics[k] !== undefined
      );
    const result = detectPerformanceDrift({
      baselineMetrics,
      currentMetrics,
      metrics,
      ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
    });
    return { ...result, baselineMetrics, currentMetrics, evaluations };
  }

  /**
   * Runs the agent on every row (`repeat` times), computes the metrics, checks the gates and
   * (unless `logToMlflow: false`) records params, the dataset input (context `evaluation`),
   * metrics and artifacts (`eval_results_table.json`, `confusion_matrix.svg`,
   * `evaluation_report.html`, `evaluation_summary.md`). Throws `TypeError` when the target
   * field is missing from the rows.
   */
  async evaluateDataset(dataset: Dataset, options: EvaluateOptions = {}): Promise<EvalResult> {
    const p = prepare(dataset, options);
    const repeat = Math.max(1, Math.floor(options.repeat ?? 1));
    const record = options.logToMlflow !== false;
    const own = record && !options.tracker && !options.run
      ? new AgentTracker(this.agentName, {
        ...(options.experimentName ? { experimentName: options.experimentName } : {}),
        version: this.agent.version,
        handleSigint: false,
      })
      : undefined;
    const tracker = options.tracker ?? own;
    let run = options.run;
    try {
      if (record && !run && tracker) {
        run = await tracker.startRun({
          purpose: "evaluate",
          ...(options.runName ? { runName: options.runName } : {}),
          tags: { ...evaluationRunTags(this.agent, dataset), ...options.tags },
        });
      }
      if (run) {
        recordStart(run, { ...options, agent: this.agent, dataset, targetField: p.target, repeat });
      }
      const prices = options.prices ?? DEFAULT_PRICE_TABLE;
      const trials = await runTrials(this.agent, p, {
        ...options,
        repeat,
        prices,
        runner: runnerOptions(options),
      });
      const result = summarise(this.agent, p, trials);
      compare(result, await this.#baseline(options, tracker), options.thresholds);
      if (run) {
        result.runId = run.runId;
        await recordEvaluation(run, result, {
          datasetName: dataset.name,
          datasetDigest: dataset.mlflowDigest,
        });
        if (!options.run) await run.end(result.status);
        result.runId = run.runId; // the server's id once the run was delivered
      }
      return result;
    } catch (e) {
      if (run && !options.run && run.status === "RUNNING") await run.end("FAILED").catch(() => {});
      throw e;
    } finally {
      own?.close();
    }
  }

  async #baseline(o: EvaluateOptions, tracker?: AgentTracker): Promise<Baseline | undefined> {
    if (o.baseline || !o.baselineRunId) return o.baseline;
    return await loadBaseline(o.baselineRunId, {
      ...(tracker?.trackingUri ? { trackingUri: tracker.trackingUri } : {}),
      ...(tracker ? { storeDir: tracker.storeDir } : {}),
      tablePath: RESULTS_TABLE_PATH,
    });
  }
}

/** The runner's share of the options. */
function runnerOptions(o: EvaluateOptions): RunnerOptions {
  const r: RunnerOptions = {};
  if (o.concurrency !== undefined) r.concurrency = o.concurrency;
  if (o.timeoutMs !== undefined) r.timeoutMs = o.timeoutMs;
  if (o.retries !== undefined) r.retries = o.retries;
  if (o.backoffMs !== undefined) r.backoffMs = o.backoffMs;
  if (o.rateLimit) r.rateLimit = o.rateLimit;
  if (o.signal) r.signal = o.signal;
  return r;
}
