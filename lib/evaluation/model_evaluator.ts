/**
 * `ModelEvaluator`: runs an agent over a dataset, computes classification, latency, error
 * and cost metrics (with mean/std/CI over repeated trials), checks gates against thresholds
 * and a baseline run, and records everything in MLflow through the tracker.
 *
 * @module
 */
import type { Agent, AgentDecision, TokenUsage } from "./agent.ts";
import type { Dataset, Row } from "../datasets/types.ts";
import { hashPersonalValue } from "../datasets/personal_data.ts";
import type { DatasetSchema } from "../datasets/types.ts";
import { toMlflowDatasetInput } from "../datasets/mlflow_input.ts";
import { AgentTracker } from "../tracking/agent_tracker.ts";
import type { RunHandle } from "../tracking/run_handle.ts";
import { meanStdCi } from "../stats/mod.ts";
import { type RateLimit, runAgent, type RunProgress } from "./runner.ts";
import { classificationMetrics, metricKeyPart } from "./metrics.ts";
import { costOf, DEFAULT_PRICE_TABLE, type PriceTable, summarizeUsage } from "./cost.ts";
import { sortedQuantile } from "../stats/mod.ts";
import { type MetricThreshold, validateMetrics } from "./gates.ts";
import { type ComparableRow, diffRows } from "./compare.ts";
import { EvalResult, type EvalRow, type MetricSummary } from "./eval_result.ts";
import { type Baseline, loadBaseline, type LoadBaselineOptions } from "./baseline.ts";
import { detectPerformanceDrift, type PerformanceDriftResult } from "../drift/performance_drift.ts";

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

/** Metrics performance drift tracks by default (when present on both sides). */
const DRIFT_METRICS = [
  "accuracy_score",
  "precision_score",
  "recall_score",
  "f1_score",
  "roc_auc",
  "precision_recall_auc",
  "error_rate",
];

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
  /** Called once the MLflow run exists (e.g. to print its id). */
  onRunStarted?: (run: RunHandle) => void;
  /**
   * Called with the result (and the run, when recording) after the evaluation's own records
   * and before the run ends: log more into the same run here (e.g. a drift report). When it
   * throws, the run ends FAILED and the error propagates.
   */
  beforeEnd?: (result: EvalResult, run: RunHandle | undefined) => Promise<void> | void;
}

function sanitizeValue(v: unknown): unknown {
  if (v === undefined) return null;
  return v;
}

function tokensOf(u: Record<string, TokenUsage> | undefined): number {
  let n = 0;
  if (u) {
    for (const x of Object.values(u)) {
      n += x.inputTokens + x.outputTokens + (x.cachedInputTokens ?? 0);
    }
  }
  return n;
}

/** Latency and throughput figures. */
function performanceMetrics(
  latencies: Float64Array,
  done: number,
  wallMs: number,
): Record<string, number> {
  const m: Record<string, number> = {
    wall_time_s: wallMs / 1000,
    throughput_rows_per_s: wallMs > 0 ? (done / wallMs) * 1000 : 0,
  };
  if (latencies.length > 0) {
    const s = latencies.sort();
    let sum = 0;
    for (const x of s) sum += x;
    m.latency_avg_ms = sum / s.length;
    m.latency_p50_ms = sortedQuantile(s, 0.5);
    m.latency_p95_ms = sortedQuantile(s, 0.95);
    m.latency_p99_ms = sortedQuantile(s, 0.99);
    m.latency_max_ms = s[s.length - 1]!;
  }
  return m;
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
    const schema = dataset.schema;
    const target = options.targetField ?? schema.target ?? "expected_outcome";
    const rows = dataset.rows;
    if (rows.length === 0) {
      throw new RangeError(`Dataset '${dataset.name}' has no rows to evaluate`);
    }
    const missing = rows.findIndex((r) => r[target] === undefined || r[target] === null);
    if (missing >= 0) {
      throw new TypeError(
        `Expected every row of '${dataset.name}' to have the target field '${target}' but row ${missing} has none` +
          ` (fields: ${Object.keys(rows[missing]!).join(", ")})`,
      );
    }
    const idField = options.idField ?? schema.id ??
      (rows[0]!["request_id"] !== undefined ? "request_id" : undefined);
    const repeat = Math.max(1, Math.floor(options.repeat ?? 1));
    const prices = options.prices ?? DEFAULT_PRICE_TABLE;
    const labelSet = options.labels ? new Set(options.labels) : undefined;

    let tracker = options.tracker;
    const ownTracker = options.logToMlflow !== false && !tracker;
    if (ownTracker) {
      tracker = new AgentTracker(this.agentName, {
        ...(options.experimentName ? { experimentName: options.experimentName } : {}),
        version: this.agent.version,
        handleSigint: false,
      });
    }
    // Create the run on the server while the rows are prepared.
    const runStarting = options.logToMlflow !== false && tracker
      ? tracker.startRun({
        purpose: "evaluate",
        ...(options.runName ? { runName: options.runName } : {}),
        tags: {
          "evalkit.agent": this.agent.name,
          "evalkit.agent_version": this.agent.version,
          "evalkit.dataset": `${dataset.name}@${dataset.version}`,
          ...options.tags,
        },
      })
      : undefined;
    // The agent never sees the label.
    const requests: Row[] = rows.map((r) => {
      const { [target]: _t, ...rest } = r;
      return rest;
    });
    const expected = rows.map((r) => String(r[target]));
    const ids = rows.map((
      r,
      i,
    ) => (idField && r[idField] !== undefined ? String(r[idField]) : String(i)));
    const protect = personalDataProtector(schema);
    const protectedInputs = requests.map(protect);
    const inputColumns: string[] = [];
    {
      const seen = new Set<string>();
      for (const r of protectedInputs.slice(0, 100)) {
        for (const k of Object.keys(r)) {
          if (!seen.has(k) && k !== idField) {
            seen.add(k);
            inputColumns.push(k);
          }
        }
      }
    }

    let run: RunHandle | undefined;
    try {
      if (runStarting) {
        run = await runStarting;
        run.logParams(this.#params(dataset, target, repeat, options));
        run.logInput(toMlflowDatasetInput(dataset, { context: "evaluation" }));
        options.onRunStarted?.(run);
      }

      // ---- trials -------------------------------------------------------------------------
      const trialMetrics: Record<string, number>[] = [];
      const evalRows: EvalRow[] = [];
      const byType: Record<string, number> = {};
      const allUsage: (Record<string, TokenUsage> | undefined)[] = [];
      let cancelled = false;
      let lastClass: ReturnType<typeof classificationMetrics> | undefined;
      let summedMatrix: number[][] | undefined;
      for (let trial = 1; trial <= repeat && !cancelled; trial++) {
        const out = await runAgent(this.agent, requests, {
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.retries !== undefined ? { retries: options.retries } : {}),
          ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
          ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(labelSet
            ? {
              validate: (d: AgentDecision) =>
                labelSet.has(d.outcome)
                  ? undefined
                  : `Expected outcome to be one of ${
                    [...labelSet].join(", ")
                  } but found '${d.outcome}'`,
            }
            : {}),
          ...(options.onProgress
            ? {
              onProgress: (p: RunProgress) => options.onProgress!({ ...p, trial, trials: repeat }),
            }
            : {}),
        });
        cancelled = out.cancelled;
        if (out.records.length === 0 && cancelled) break;
        const yTrue: string[] = [], yPred: string[] = [], scores: (number | undefined)[] = [];
        const latencies = new Float64Array(out.records.length);
        let nLat = 0, errors = 0;
        const trialErrors: Record<string, number> = {};
        const usages: (Record<string, TokenUsage> | undefined)[] = [];
        for (const rec of out.records) {
          const i = rec.index;
          const d = rec.decision;
          const cost = d?.usage ? costOf(d.usage, prices).usd : 0;
          evalRows.push({
            trial,
            index: i,
            id: ids[i]!,
            input: protectedInputs[i]!,
            expected: expected[i]!,
            predicted: d ? d.outcome : null,
            correct: d ? d.outcome === expected[i] : null,
            riskScore: d?.riskScore ?? null,
            latencyMs: rec.latencyMs,
            tokens: tokensOf(d?.usage),
            costUsd: cost,
            attempts: rec.attempts,
            errorType: rec.errorType ?? null,
            error: rec.errorMessage ?? null,
            reasons: d?.reasons ? d.reasons.join("; ") : null,
          });
          usages.push(d?.usage);
          if (d) {
            yTrue.push(expected[i]!);
            yPred.push(d.outcome);
            scores.push(d.riskScore);
            latencies[nLat++] = rec.latencyMs;
          } else {
            errors++;
            const t = rec.errorType ?? "agent_exception";
            trialErrors[t] = (trialErrors[t] ?? 0) + 1;
            byType[t] = (byType[t] ?? 0) + 1;
          }
        }
        allUsage.push(...usages);
        const cls = classificationMetrics({
          yTrue,
          yPred,
          scores,
          ...(options.labels ? { labels: options.labels } : {}),
          ...(options.positiveLabel !== undefined ? { positiveLabel: options.positiveLabel } : {}),
          ...(options.scoreLabel !== undefined ? { scoreLabel: options.scoreLabel } : {}),
        });
        lastClass = cls;
        summedMatrix = summedMatrix && summedMatrix.length === cls.confusionMatrix.length
          ? summedMatrix.map((r, a) => r.map((v, b) => v + cls.confusionMatrix[a]![b]!))
          : cls.confusionMatrix.map((r) => [...r]);
        const usage = summarizeUsage(usages, prices);
        const m: Record<string, number> = {
          ...cls.metrics,
          row_count: out.records.length,
          error_count: errors,
          error_rate: out.records.length > 0 ? errors / out.records.length : 0,
          retry_count: out.retries,
          rate_limited_count: out.rateLimited,
          ...performanceMetrics(latencies.subarray(0, nLat), out.records.length, out.wallMs),
          tokens_total: usage.totalTokens,
          cost_usd_total: usage.totalUsd,
          cost_usd_per_request: usage.usdPerRequest,
        };
        for (const t of ["timeout", "agent_exception", "invalid_output", "rate_limited"]) {
          m[`errors/${t}`] = trialErrors[t] ?? 0;
        }
        for (const [model, u] of Object.entries(usage.perModel)) {
          const k = metricKeyPart(model);
          m[`tokens/${k}/input`] = u.inputTokens;
          m[`tokens/${k}/output`] = u.outputTokens;
          if (u.cachedInputTokens) m[`tokens/${k}/cached_input`] = u.cachedInputTokens;
          if (u.usd !== undefined) m[`cost_usd/${k}`] = u.usd;
        }
        trialMetrics.push(m);
      }

      // ---- aggregate -----------------------------------------------------------------------
      let metrics: Record<string, number>;
      let summary: Record<string, MetricSummary> | undefined;
      if (trialMetrics.length <= 1) {
        metrics = { ...(trialMetrics[0] ?? {}) };
      } else {
        metrics = {};
        summary = {};
        const keys = new Set(trialMetrics.flatMap((t) => Object.keys(t)));
        for (const k of keys) {
          const values = trialMetrics.map((t) => t[k]).filter((v): v is number =>
            v !== undefined && Number.isFinite(v)
          );
          if (values.length === 0) continue;
          const s = meanStdCi(values, { level: 0.95 });
          summary[k] = {
            mean: s.mean,
            std: s.std,
            ciLow: s.ciLow,
            ciHigh: s.ciHigh,
            n: values.length,
          };
          metrics[k] = s.mean;
          metrics[`${k}_std`] = s.std;
          if (Number.isFinite(s.ciLow)) {
            metrics[`${k}_ci95_low`] = s.ciLow;
            metrics[`${k}_ci95_high`] = s.ciHigh;
          }
        }
        metrics.trial_count = trialMetrics.length;
      }

      const errorsTotal = Object.values(byType).reduce((a, b) => a + b, 0);
      const result = new EvalResult({
        agent: { name: this.agent.name, version: this.agent.version, config: this.agent.config },
        dataset: {
          name: dataset.name,
          version: dataset.version,
          digest: dataset.digest,
          mlflowDigest: dataset.mlflowDigest,
          rowCount: rows.length,
        },
        targetField: target,
        status: cancelled ? "KILLED" : "FINISHED",
        metrics,
        trials: trialMetrics,
        ...(summary ? { summary } : {}),
        classification: {
          labels: lastClass?.labels ?? [],
          ...(lastClass?.positiveLabel !== undefined
            ? { positiveLabel: lastClass.positiveLabel }
            : {}),
          confusionMatrix: summedMatrix ?? [],
          perClass: lastClass?.perClass ?? {},
        },
        errors: { total: errorsTotal, byType },
        usage: summarizeUsage(allUsage, prices),
        rows: evalRows,
        inputColumns,
        ...(run ? { runId: run.runId } : {}),
      });

      // ---- baseline and gates ----------------------------------------------------------------
      const baseline = options.baseline ??
        (options.baselineRunId
          ? await loadBaseline(options.baselineRunId, {
            ...(tracker?.trackingUri ? { trackingUri: tracker.trackingUri } : {}),
            ...(tracker ? { storeDir: tracker.storeDir } : {}),
            tablePath: RESULTS_TABLE_PATH,
          })
          : undefined);
      if (baseline) {
        const current = majorityRows(evalRows);
        result.baseline = {
          runId: baseline.runId,
          metrics: baseline.metrics,
          ...(baseline.rows ? { rowDiff: diffRows(current, baseline.rows) } : {}),
        };
        const c = result.baseline.rowDiff?.counts;
        if (c) {
          metrics["rows_improved"] = c.improved;
          metrics["rows_regressed"] = c.regressed;
          metrics["rows_unchanged"] = c.unchanged;
        }
      }
      if (options.thresholds && Object.keys(options.thresholds).length > 0) {
        result.gate = validateMetrics(metrics, options.thresholds, baseline?.metrics);
      }

      // ---- record ---------------------------------------------------------------------------
      if (run) {
        const finite: Record<string, number> = {};
        for (const [k, v] of Object.entries(metrics)) if (Number.isFinite(v)) finite[k] = v;
        // linked to the dataset as mlflow.models.evaluate links its metrics
        run.logMetrics(finite, { datasetName: dataset.name, datasetDigest: dataset.mlflowDigest });
        if (trialMetrics.length > 1) {
          trialMetrics.forEach((t, i) => {
            const per: Record<string, number> = {};
            for (
              const k of [
                "accuracy_score",
                "f1_score",
                "precision_score",
                "recall_score",
                "error_rate",
                "latency_p95_ms",
              ]
            ) {
              if (t[k] !== undefined && Number.isFinite(t[k])) per[`trial/${k}`] = t[k]!;
            }
            run!.logMetrics(per, { step: i + 1 });
          });
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
        await options.beforeEnd?.(result, run);
        await run.end(result.status);
        result.runId = run.runId; // the server's id once the run was delivered
      } else {
        await options.beforeEnd?.(result, undefined);
      }
      return result;
    } catch (e) {
      if (run && run.status === "RUNNING") await run.end("FAILED").catch(() => {});
      throw e;
    } finally {
      if (ownTracker) tracker?.close();
    }
  }

  #params(
    dataset: Dataset,
    target: string,
    repeat: number,
    o: EvaluateOptions,
  ): Record<string, string | number | boolean> {
    const p: Record<string, string | number | boolean> = {
      agent_name: this.agent.name,
      agent_version: this.agent.version,
      dataset_name: dataset.name,
      dataset_version: dataset.version,
      dataset_digest: dataset.digest,
      dataset_rows: dataset.rows.length,
      target_field: target,
      concurrency: o.concurrency ?? 8,
      timeout_ms: o.timeoutMs ?? 30000,
      retries: o.retries ?? 2,
      repeat,
    };
    if (o.rateLimit?.requestsPerSecond) p.rate_limit_rps = o.rateLimit.requestsPerSecond;
    if (o.rateLimit?.tokensPerMinute) p.rate_limit_tpm = o.rateLimit.tokensPerMinute;
    for (const [k, v] of Object.entries(this.agent.config)) {
      const key = `agent_config.${k}`.replace(/[^A-Za-z0-9_.\-/ ]/g, "_");
      p[key] = typeof v === "string" || typeof v === "number" || typeof v === "boolean"
        ? v
        : JSON.stringify(sanitizeValue(v)).slice(0, 6000);
    }
    return p;
  }
}

/**
 * `protectPersonalData` (lib/datasets) with the hashes memoised per value: names repeat, and
 * hashing each of 100,000 rows was the evaluator's largest cost.
 */
function personalDataProtector(schema: DatasetSchema): (row: Row) => Row {
  const hash = schema.columns.filter((c) => c.personalData === "hash").map((c) => c.name);
  const drop = schema.columns.filter((c) => c.personalData === "drop").map((c) => c.name);
  if (hash.length === 0 && drop.length === 0) return (row) => row;
  const cache = new Map<string, string>();
  return (row) => {
    const out: Row = { ...row };
    for (const c of drop) delete out[c];
    for (const c of hash) {
      const v = out[c];
      if (v === null || v === undefined) continue;
      const key = String(v);
      let h = cache.get(key);
      if (h === undefined) {
        h = hashPersonalValue(v);
        cache.set(key, h);
      }
      out[c] = h;
    }
    return out;
  };
}

/** One row per id: correct when most trials were correct (ties count as wrong). */
function majorityRows(rows: readonly EvalRow[]): ComparableRow[] {
  const acc = new Map<string, { ok: number; n: number; predicted: string | null }>();
  for (const r of rows) {
    const a = acc.get(r.id) ?? { ok: 0, n: 0, predicted: r.predicted };
    a.n++;
    if (r.correct) a.ok++;
    acc.set(r.id, a);
  }
  return [...acc].map(([id, a]) => ({ id, correct: a.ok * 2 > a.n, predicted: a.predicted }));
}
