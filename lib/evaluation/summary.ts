/**
 * `EvalSummary`: the mergeable summary of an evaluation, and the one place where evaluation
 * metric names are made. A summary holds the confusion matrix, counts, errors by type, tokens
 * and cost per model, the latencies (exact, and as a DDSketch) and the wall time. The evaluator
 * builds one per trial, a shard records its {@link SummaryState}, a merge is
 * `EvalSummary.merge(parts).toMetrics()`; the evaluator, the shard merge, gates, baseline
 * comparison, the report and the notebook views read the names from here.
 *
 * A single run keeps its exact latencies (NumPy-exact quantiles); a merge has only the shards'
 * sketches (quantiles within 1%).
 *
 * @module
 */
import { DDSketch, type DDSketchJson, meanStdCi, sortedQuantile } from "../stats/mod.ts";
import type { TokenUsage } from "./agent.ts";
import { classificationMetrics, type ClassificationSummary, metricKeyPart } from "./metrics.ts";
import { type ModelUsageSummary, type PriceTable, summarizeUsage } from "./cost.ts";
import type { RowDiff } from "./compare.ts";

/** What a named metric is used for besides being logged. */
export interface MetricInfo {
  /** The metric's name, as logged. */
  name: string;
  /** Shown in the terminal, Markdown and notebook summaries (in table order). */
  headline: boolean;
  /** Logged per trial as `trial/<name>` (step = trial) when repeating. */
  trial: boolean;
  /** Tracked by performance drift by default. */
  drift: boolean;
}

const m = (name: string, headline: boolean, trial = false, drift = false): MetricInfo => ({
  name,
  headline,
  trial,
  drift,
});

/**
 * The fixed-name evaluation metrics and what each is used for, in display order. Families
 * named per label, model or error type (`f1_score/<label>`, `tokens/<model>/input`,
 * `cost_usd/<model>`, `errors/<type>`) and the trial aggregates (`<name>_std`,
 * `<name>_ci95_low|high`) are made by {@link EvalSummary.toMetrics} and
 * {@link aggregateTrials}.
 *
 * @example
 * ```ts
 * import { EVAL_METRICS } from "@evalkit/evalkit/evaluation";
 * if (!EVAL_METRICS.some((m) => m.name === "f1_score" && m.drift)) throw new Error("unexpected");
 * ```
 */
export const EVAL_METRICS: readonly MetricInfo[] = Object.freeze([
  m("example_count", true),
  m("accuracy_score", true, true, true),
  m("precision_score", true, true, true),
  m("recall_score", true, true, true),
  m("f1_score", true, true, true),
  m("roc_auc", true, false, true),
  m("precision_recall_auc", true, false, true),
  m("error_count", true),
  m("error_rate", true, true, true),
  m("latency_avg_ms", true),
  m("latency_p50_ms", true),
  m("latency_p95_ms", true, true),
  m("latency_p99_ms", true),
  m("latency_max_ms", true),
  m("throughput_rows_per_s", true),
  m("wall_time_s", true),
  m("tokens_total", true),
  m("cost_usd_total", true),
  m("cost_usd_per_request", true),
  m("row_count", false),
  m("retry_count", false),
  m("rate_limited_count", false),
  m("trial_count", false),
  m("shard_count", false),
  m("rows_improved", false),
  m("rows_regressed", false),
  m("rows_unchanged", false),
]);

/**
 * The headline metrics, in display order: the terminal summary, the Markdown summary and the
 * notebook table show these (when present).
 *
 * @example
 * ```ts
 * import { HEADLINE_METRICS } from "@evalkit/evalkit/evaluation";
 * if (HEADLINE_METRICS[1] !== "accuracy_score") throw new Error("unexpected");
 * ```
 */
export const HEADLINE_METRICS: readonly string[] = Object.freeze(
  EVAL_METRICS.filter((x) => x.headline).map((x) => x.name),
);

/**
 * Metrics performance drift tracks by default (when present on both sides).
 *
 * @example
 * ```ts
 * import { DRIFT_METRICS } from "@evalkit/evalkit/evaluation";
 * if (!DRIFT_METRICS.includes("accuracy_score")) throw new Error("unexpected");
 * ```
 */
export const DRIFT_METRICS: readonly string[] = Object.freeze(
  EVAL_METRICS.filter((x) => x.drift).map((x) => x.name),
);

/** Error types that always get an `errors/<type>` metric (0 when none). */
const ERROR_TYPES = ["timeout", "agent_exception", "invalid_output", "rate_limited"] as const;

/** Counts of an evaluation (one trial, a shard, or a merge). */
export interface SummaryCounts {
  /** Rows called. */
  rows: number;
  /** Rows with a prediction. */
  scored: number;
  /** Rows whose call failed. */
  errors: number;
  /** Retries made. */
  retries: number;
  /** 429 answers seen. */
  rateLimited: number;
}

/** Tokens and cost of a summary. */
export interface SummaryUsage {
  /** Per model. */
  perModel: Record<string, ModelUsageSummary>;
  /** All tokens. */
  totalTokens: number;
  /** USD over priced models. */
  totalUsd: number;
  /** Models without a price. */
  unpricedModels: string[];
}

/** The JSON form of a summary: what a shard records so that a merge is exact. */
export interface SummaryState {
  /** Labels seen (sorted); the confusion matrix follows this order. */
  labels: string[];
  /** `confusionMatrix[expected][predicted]` counts over scored rows. */
  confusionMatrix: number[][];
  /** Counts. */
  counts: SummaryCounts;
  /** Failed rows by error type. */
  errors: Record<string, number>;
  /** Tokens and cost per model, and totals. */
  usage: SummaryUsage;
  /** DDSketch of the successful calls' `latency_ms` (as in the table, µs resolution). */
  latency: DDSketchJson;
  /** Wall time, seconds. */
  wallTimeS: number;
}

/** The scored rows, in dataset order: what the classification metrics and the AUCs need. */
export interface ScoredRows {
  /** Expected labels. */
  expected: string[];
  /** Predicted labels. */
  predicted: string[];
  /** Risk scores (AUCs need one per row). */
  scores: (number | undefined)[];
}

/** Options of the classification part. */
export interface SummaryClassOptions {
  /** Known labels (added to those seen). */
  labels?: readonly string[];
  /** Positive label of a binary task. */
  positiveLabel?: string;
  /** The label the risk score points to. */
  scoreLabel?: string;
}

/** A row as {@link EvalSummary.fromRows} reads it (an `EvalRow` fits). */
export interface SummaryRow {
  /** Expected label. */
  expected: string | null;
  /** Predicted label, `null` when the call failed. */
  predicted: string | null;
  /** Risk score. */
  riskScore: number | null;
  /** Latency, ms. */
  latencyMs: number;
  /** Error type of a failed call. */
  errorType: string | null;
}

/** Input of {@link EvalSummary.fromRows}: one trial's rows and the runner's figures. */
export interface SummaryInput extends SummaryClassOptions {
  /** The called rows, in dataset order. */
  rows: readonly SummaryRow[];
  /** Each row's token usage (same order), `undefined` when none. */
  usages: readonly (Record<string, TokenUsage> | undefined)[];
  /** Prices of the models. */
  prices: PriceTable;
  /** Retries made. */
  retries: number;
  /** 429 answers seen. */
  rateLimited: number;
  /** Wall time, ms. */
  wallMs: number;
}

/** The parts of a summary. */
export interface EvalSummaryData {
  /** Labels (sorted). */
  labels: string[];
  /** Confusion matrix over `labels`. */
  confusionMatrix: number[][];
  /** Scored rows (dataset order), when known: exact classification and the AUCs. */
  scored?: ScoredRows;
  /** Options of the classification metrics. */
  classOptions?: SummaryClassOptions;
  /** Counts. */
  counts: SummaryCounts;
  /** Failed rows by type. */
  errors: Record<string, number>;
  /** Tokens and cost. */
  usage: SummaryUsage;
  /** Latency sketch (µs resolution). */
  sketch: DDSketch;
  /** Exact latencies, when known (a single run). */
  latencies?: Float64Array;
  /** Wall time, ms. */
  wallMs: number;
  /** Start and end (epoch ms), when known: a merge's wall time spans its parts. */
  span?: { startMs: number; endMs: number };
  /** Number of shards merged, when a shard merge. */
  shardCount?: number;
}

/**
 * The mergeable summary of an evaluation; {@link EvalSummary.toMetrics} is the only place
 * evaluation metrics are named.
 *
 * @example
 * ```ts
 * import { EvalSummary } from "@evalkit/evalkit/evaluation";
 * const row = (expected: string, predicted: string | null) =>
 *   ({ expected, predicted, riskScore: null, latencyMs: 10, errorType: predicted ? null : "timeout" });
 * const one = EvalSummary.fromRows({
 *   rows: [row("a", "a"), row("b", null)], usages: [undefined, undefined], prices: {},
 *   retries: 0, rateLimited: 0, wallMs: 20,
 * });
 * const merged = EvalSummary.merge([one, EvalSummary.fromState(one.toState())]);
 * if (merged.toMetrics().row_count !== 4 || merged.toMetrics()["errors/timeout"] !== 2) {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export class EvalSummary implements EvalSummaryData {
  /** Labels (sorted). */
  readonly labels: string[];
  /** Confusion matrix over `labels`. */
  readonly confusionMatrix: number[][];
  /** Scored rows, when known. */
  readonly scored?: ScoredRows;
  /** Options of the classification metrics. */
  readonly classOptions?: SummaryClassOptions;
  /** Counts. */
  readonly counts: SummaryCounts;
  /** Failed rows by type. */
  readonly errors: Record<string, number>;
  /** Tokens and cost. */
  readonly usage: SummaryUsage;
  /** Latency sketch. */
  readonly sketch: DDSketch;
  /** Exact latencies, when known. */
  readonly latencies?: Float64Array;
  /** Wall time, ms. */
  readonly wallMs: number;
  /** Start and end, when known. */
  readonly span?: { startMs: number; endMs: number };
  /** Shards merged. */
  readonly shardCount?: number;
  #classification?: ClassificationSummary;

  /** Wraps the parts. */
  constructor(data: EvalSummaryData) {
    this.labels = data.labels;
    this.confusionMatrix = data.confusionMatrix;
    if (data.scored) this.scored = data.scored;
    if (data.classOptions) this.classOptions = data.classOptions;
    this.counts = data.counts;
    this.errors = data.errors;
    this.usage = data.usage;
    this.sketch = data.sketch;
    if (data.latencies) this.latencies = data.latencies;
    this.wallMs = data.wallMs;
    if (data.span) this.span = data.span;
    if (data.shardCount !== undefined) this.shardCount = data.shardCount;
  }

  /** The summary of one trial: its called rows (dataset order), usage and runner figures. */
  static fromRows(input: SummaryInput): EvalSummary {
    const scored: ScoredRows = { expected: [], predicted: [], scores: [] };
    const errors: Record<string, number> = {};
    const latencies = new Float64Array(input.rows.length);
    const sketch = new DDSketch();
    let n = 0;
    for (const r of input.rows) {
      if (r.predicted !== null) {
        scored.expected.push(String(r.expected));
        scored.predicted.push(r.predicted);
        scored.scores.push(r.riskScore ?? undefined);
        latencies[n++] = r.latencyMs;
        // the table's latency_ms (µs resolution), so the sketch describes the logged table
        sketch.add(Math.round(r.latencyMs * 1000) / 1000);
      } else {
        const t = r.errorType ?? "agent_exception";
        errors[t] = (errors[t] ?? 0) + 1;
      }
    }
    const classOptions = classOptionsOf(input);
    const cls = classify(scored, classOptions);
    const usage = summarizeUsage(input.usages, input.prices);
    const summary = new EvalSummary({
      labels: cls.labels,
      confusionMatrix: cls.confusionMatrix,
      scored,
      ...(classOptions ? { classOptions } : {}),
      counts: {
        rows: input.rows.length,
        scored: n,
        errors: input.rows.length - n,
        retries: input.retries,
        rateLimited: input.rateLimited,
      },
      errors,
      usage: {
        perModel: usage.perModel,
        totalTokens: usage.totalTokens,
        totalUsd: usage.totalUsd,
        unpricedModels: usage.unpricedModels,
      },
      sketch,
      latencies: latencies.subarray(0, n),
      wallMs: input.wallMs,
    });
    summary.#classification = cls;
    return summary;
  }

  /** A summary from its recorded state (a shard's), with its span when known. */
  static fromState(state: SummaryState, span?: { startMs: number; endMs: number }): EvalSummary {
    return new EvalSummary({
      labels: [...state.labels],
      confusionMatrix: state.confusionMatrix.map((r) => [...r]),
      counts: { ...state.counts },
      errors: { ...state.errors },
      usage: structuredClone(state.usage),
      sketch: DDSketch.fromJSON(state.latency),
      wallMs: state.wallTimeS * 1000,
      ...(span ? { span } : {}),
    });
  }

  /**
   * Merges summaries exactly: confusion matrices by label, counts, errors and usage summed,
   * sketches merged, the wall time spanning the parts (summed when a part has no span).
   * With `rows` (the merged table's scored rows in dataset order) the classification metrics
   * and AUCs are computed from them, after checking that they agree with the summed matrix.
   * Throws a `RangeError` when they disagree or when there is nothing to merge.
   */
  static merge(
    parts: readonly EvalSummary[],
    options: { rows?: readonly SummaryRow[]; shardCount?: number } = {},
  ): EvalSummary {
    if (parts.length === 0) throw new RangeError("Expected at least one summary to merge");
    const labels = [...new Set(parts.flatMap((p) => p.labels))].sort();
    const at = new Map(labels.map((l, i) => [l, i]));
    const matrix = labels.map(() => labels.map(() => 0));
    for (const p of parts) {
      p.confusionMatrix.forEach((r, a) =>
        r.forEach((v, b) => {
          matrix[at.get(p.labels[a]!)!]![at.get(p.labels[b]!)!]! += v;
        })
      );
    }
    const sum = (f: (c: SummaryCounts) => number) => parts.reduce((a, p) => a + f(p.counts), 0);
    const errors: Record<string, number> = {};
    for (const p of parts) {
      for (const [t, v] of Object.entries(p.errors)) errors[t] = (errors[t] ?? 0) + v;
    }
    const sketch = DDSketch.fromJSON(parts[0]!.sketch.toJSON());
    for (const p of parts.slice(1)) sketch.merge(p.sketch);
    const spans = parts.map((p) => p.span);
    const span = spans.every((s) => s !== undefined)
      ? {
        startMs: Math.min(...spans.map((s) => s!.startMs)),
        endMs: Math.max(...spans.map((s) => s!.endMs)),
      }
      : undefined;
    const exact = parts.every((p) => p.latencies) && !options.rows
      ? concat(parts.map((p) => p.latencies!))
      : undefined;
    const classOptions = parts[0]!.classOptions;
    let scored: ScoredRows | undefined;
    if (options.rows) {
      scored = scoredOf(options.rows);
      const fromRows = classify(scored, { ...classOptions, labels });
      if (JSON.stringify(fromRows.confusionMatrix) !== JSON.stringify(matrix)) {
        throw new RangeError(
          `The summed confusion matrix (${JSON.stringify(matrix)}) disagrees with the rows' ` +
            `(${JSON.stringify(fromRows.confusionMatrix)}) for labels ${labels}`,
        );
      }
    }
    return new EvalSummary({
      labels,
      confusionMatrix: matrix,
      ...(scored ? { scored } : {}),
      ...(classOptions ? { classOptions } : {}),
      counts: {
        rows: sum((c) => c.rows),
        scored: sum((c) => c.scored),
        errors: sum((c) => c.errors),
        retries: sum((c) => c.retries),
        rateLimited: sum((c) => c.rateLimited),
      },
      errors,
      usage: mergeUsage(parts.map((p) => p.usage)),
      sketch,
      ...(exact ? { latencies: exact } : {}),
      wallMs: span ? span.endMs - span.startMs : parts.reduce((a, p) => a + p.wallMs, 0),
      ...(span ? { span } : {}),
      ...(options.shardCount !== undefined ? { shardCount: options.shardCount } : {}),
    });
  }

  /** Labels, confusion matrix, per-class figures and the classification metrics. */
  classification(): ClassificationSummary {
    if (!this.#classification) {
      this.#classification = classify(this.scored ?? expand(this.labels, this.confusionMatrix), {
        ...this.classOptions,
        labels: [...(this.classOptions?.labels ?? []), ...this.labels],
      });
    }
    return this.#classification;
  }

  /** USD per called row. */
  get usdPerRequest(): number {
    return this.counts.rows > 0 ? this.usage.totalUsd / this.counts.rows : 0;
  }

  /** The metrics, named as a single run names them (the only place they are named). */
  toMetrics(): Record<string, number> {
    const c = this.counts;
    const out: Record<string, number> = {
      ...this.classification().metrics,
      row_count: c.rows,
      error_count: c.errors,
      error_rate: c.rows > 0 ? c.errors / c.rows : 0,
      retry_count: c.retries,
      rate_limited_count: c.rateLimited,
      wall_time_s: this.wallMs / 1000,
      throughput_rows_per_s: this.wallMs > 0 ? (c.rows / this.wallMs) * 1000 : 0,
      ...this.#latencyMetrics(),
      tokens_total: this.usage.totalTokens,
      cost_usd_total: this.usage.totalUsd,
      cost_usd_per_request: this.usdPerRequest,
    };
    for (const t of ERROR_TYPES) out[`errors/${t}`] = this.errors[t] ?? 0;
    for (const [model, u] of Object.entries(this.usage.perModel)) {
      const k = metricKeyPart(model);
      out[`tokens/${k}/input`] = u.inputTokens;
      out[`tokens/${k}/output`] = u.outputTokens;
      if (u.cachedInputTokens) out[`tokens/${k}/cached_input`] = u.cachedInputTokens;
      if (u.usd !== undefined && !this.usage.unpricedModels.includes(model)) {
        out[`cost_usd/${k}`] = u.usd;
      }
    }
    if (this.shardCount !== undefined) out.shard_count = this.shardCount;
    return out;
  }

  #latencyMetrics(): Record<string, number> {
    const exact = this.latencies;
    if (exact) {
      if (exact.length === 0) return {};
      const s = Float64Array.from(exact).sort();
      let sum = 0;
      for (const x of s) sum += x;
      return {
        latency_avg_ms: sum / s.length,
        latency_p50_ms: sortedQuantile(s, 0.5),
        latency_p95_ms: sortedQuantile(s, 0.95),
        latency_p99_ms: sortedQuantile(s, 0.99),
        latency_max_ms: s[s.length - 1]!,
      };
    }
    const k = this.sketch;
    if (k.count === 0) return {};
    return {
      latency_avg_ms: k.sum / k.count,
      latency_p50_ms: k.quantile(0.5),
      latency_p95_ms: k.quantile(0.95),
      latency_p99_ms: k.quantile(0.99),
      latency_max_ms: k.max,
    };
  }

  /** The JSON state a shard records (`shard_state.json`'s summary fields). */
  toState(): SummaryState {
    return {
      labels: [...this.labels],
      confusionMatrix: this.confusionMatrix.map((r) => [...r]),
      counts: { ...this.counts },
      errors: { ...this.errors },
      usage: structuredClone(this.usage),
      latency: this.sketch.toJSON(),
      wallTimeS: this.wallMs / 1000,
    };
  }
}

/** Mean, standard deviation and 95% CI of one metric over trials. */
export interface MetricSummary {
  /** Mean. */
  mean: number;
  /** Sample standard deviation. */
  std: number;
  /** Lower bound of the 95% CI (t-distribution). */
  ciLow: number;
  /** Upper bound of the 95% CI. */
  ciHigh: number;
  /** Trials. */
  n: number;
}

/**
 * The metrics of repeated trials: one trial's metrics as they are; several trials' means,
 * with `<name>_std`, `<name>_ci95_low|high` and `trial_count`.
 *
 * @example
 * ```ts
 * import { aggregateTrials } from "@evalkit/evalkit/evaluation";
 * const { metrics } = aggregateTrials([{ f1_score: 0.5 }, { f1_score: 0.7 }]);
 * if (Math.abs(metrics.f1_score! - 0.6) > 1e-12 || metrics.trial_count !== 2) throw new Error("unexpected");
 * ```
 */
export function aggregateTrials(trials: readonly Record<string, number>[]): {
  metrics: Record<string, number>;
  summary?: Record<string, MetricSummary>;
} {
  if (trials.length <= 1) return { metrics: { ...(trials[0] ?? {}) } };
  const metrics: Record<string, number> = {};
  const summary: Record<string, MetricSummary> = {};
  for (const k of new Set(trials.flatMap((t) => Object.keys(t)))) {
    const values = trials.map((t) => t[k]).filter((v): v is number =>
      v !== undefined && Number.isFinite(v)
    );
    if (values.length === 0) continue;
    const s = { ...meanStdCi(values, { level: 0.95 }) };
    // Identical trials have no spread: exactly 0, not the 1e-16 of a rounded sum.
    if (values.every((v) => v === values[0])) {
      s.mean = values[0]!;
      s.std = 0;
      s.ciLow = s.ciHigh = values[0]!;
    }
    // Every metric here is non-negative (scores, counts, latencies, costs): when all trials
    // are, the interval is cut at 0 instead of reaching below it.
    if (values.every((v) => v >= 0) && s.ciLow < 0) s.ciLow = 0;
    summary[k] = { mean: s.mean, std: s.std, ciLow: s.ciLow, ciHigh: s.ciHigh, n: values.length };
    metrics[k] = s.mean;
    metrics[`${k}_std`] = s.std;
    if (Number.isFinite(s.ciLow)) {
      metrics[`${k}_ci95_low`] = s.ciLow;
      metrics[`${k}_ci95_high`] = s.ciHigh;
    }
  }
  metrics.trial_count = trials.length;
  return { metrics, summary };
}

/**
 * The per-trial metrics logged at step = trial when repeating (`trial/<name>`).
 *
 * @example
 * ```ts
 * import { trialStepMetrics } from "@evalkit/evalkit/evaluation";
 * if (trialStepMetrics({ f1_score: 0.5, row_count: 3 })["trial/f1_score"] !== 0.5) throw new Error("unexpected");
 * ```
 */
export function trialStepMetrics(trial: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { name } of EVAL_METRICS.filter((x) => x.trial)) {
    const v = trial[name];
    if (v !== undefined && Number.isFinite(v)) out[`trial/${name}`] = v;
  }
  return out;
}

/**
 * The metrics of a per-row baseline comparison.
 *
 * @example
 * ```ts
 * import { rowDiffMetrics } from "@evalkit/evalkit/evaluation";
 * const counts = { improved: 1, regressed: 2, unchanged: 3, added: 0, removed: 0 };
 * if (rowDiffMetrics(counts).rows_regressed !== 2) throw new Error("unexpected");
 * ```
 */
export function rowDiffMetrics(counts: RowDiff["counts"]): Record<string, number> {
  return {
    rows_improved: counts.improved,
    rows_regressed: counts.regressed,
    rows_unchanged: counts.unchanged,
  };
}

function classOptionsOf(o: SummaryClassOptions): SummaryClassOptions | undefined {
  const out: SummaryClassOptions = {};
  if (o.labels) out.labels = [...o.labels];
  if (o.positiveLabel !== undefined) out.positiveLabel = o.positiveLabel;
  if (o.scoreLabel !== undefined) out.scoreLabel = o.scoreLabel;
  return Object.keys(out).length > 0 ? out : undefined;
}

function classify(scored: ScoredRows, o: SummaryClassOptions = {}): ClassificationSummary {
  return classificationMetrics({
    yTrue: scored.expected,
    yPred: scored.predicted,
    scores: scored.scores,
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.positiveLabel !== undefined ? { positiveLabel: o.positiveLabel } : {}),
    ...(o.scoreLabel !== undefined ? { scoreLabel: o.scoreLabel } : {}),
  });
}

/** Expected/predicted pairs of a confusion matrix (no scores: no AUCs). */
function expand(labels: readonly string[], matrix: readonly number[][]): ScoredRows {
  const out: ScoredRows = { expected: [], predicted: [], scores: [] };
  matrix.forEach((r, a) =>
    r.forEach((v, b) => {
      for (let k = 0; k < v; k++) {
        out.expected.push(labels[a]!);
        out.predicted.push(labels[b]!);
      }
    })
  );
  out.scores = [];
  return out;
}

function scoredOf(rows: readonly SummaryRow[]): ScoredRows {
  const out: ScoredRows = { expected: [], predicted: [], scores: [] };
  for (const r of rows) {
    if (r.predicted === null) continue;
    out.expected.push(String(r.expected));
    out.predicted.push(r.predicted);
    out.scores.push(r.riskScore ?? undefined);
  }
  return out;
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mergeUsage(parts: readonly SummaryUsage[]): SummaryUsage {
  const perModel: Record<string, ModelUsageSummary> = {};
  const unpriced = new Set<string>();
  let totalTokens = 0, totalUsd = 0;
  for (const u of parts) {
    totalTokens += u.totalTokens;
    totalUsd += u.totalUsd;
    for (const model of u.unpricedModels) unpriced.add(model);
    for (const [model, x] of Object.entries(u.perModel)) {
      const p = perModel[model] ??= {
        calls: 0,
        inputTokens: 0,
        outputTokens: 0,
        cachedInputTokens: 0,
      };
      p.calls += x.calls;
      p.inputTokens += x.inputTokens;
      p.outputTokens += x.outputTokens;
      p.cachedInputTokens += x.cachedInputTokens;
      if (x.usd !== undefined) p.usd = (p.usd ?? 0) + x.usd;
    }
  }
  for (const model of unpriced) delete perModel[model]?.usd;
  return { perModel, totalTokens, totalUsd, unpricedModels: [...unpriced] };
}
