/**
 * Performance drift: relative degradation of tracked metrics between a baseline and a
 * current evaluation.
 *
 * @module
 */

/** Options for {@linkcode detectPerformanceDrift}. */
export interface PerformanceDriftOptions {
  /** Baseline metric values (e.g. from the baseline evaluation run). */
  baselineMetrics: Record<string, number>;
  /** Current metric values. */
  currentMetrics: Record<string, number>;
  /** Relative degradation that counts as drift (default 0.05 = 5%). */
  threshold?: number;
  /**
   * Direction per metric. Default: lower is better for names containing latency, error,
   * loss, cost, duration, time, tokens or rate of failures (`fail`); higher is better otherwise.
   */
  greaterIsBetter?: Record<string, boolean>;
  /** Only compare these metrics (default: every metric present in both). */
  metrics?: readonly string[];
}

/** The comparison of one metric. */
export interface MetricDelta {
  /** Baseline value. */
  baseline: number;
  /** Current value. */
  current: number;
  /** current − baseline. */
  absoluteDelta: number;
  /** (current − baseline) / |baseline| (NaN when baseline is 0 and current differs, 0 when both are 0). */
  relativeDelta: number;
  /** Relative change in the bad direction (positive = worse). */
  degradation: number;
  /** Direction used. */
  greaterIsBetter: boolean;
  /** degradation > threshold. */
  drifted: boolean;
}

/** The result of {@linkcode detectPerformanceDrift}. */
export interface PerformanceDriftResult {
  /** Any metric degraded by more than the threshold. */
  hasDrift: boolean;
  /** Per-metric comparison. */
  metricDeltas: Record<string, MetricDelta>;
  /** The relative threshold used. */
  threshold: number;
  /** Metrics that degraded beyond the threshold. */
  driftedMetrics: string[];
}

const LOWER_IS_BETTER = /latency|error|loss|cost|duration|time|tokens|fail/i;

/**
 * Compares current metrics with a baseline: a metric drifts when it degrades by more than
 * `threshold` relative to the baseline (default 5%), in the direction given by
 * `greaterIsBetter` (inferred from the name when absent).
 *
 * @example
 * ```ts
 * import { detectPerformanceDrift } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const r = detectPerformanceDrift({
 *   baselineMetrics: { accuracy: 0.9, latency_p95_ms: 800 },
 *   currentMetrics: { accuracy: 0.8, latency_p95_ms: 820 },
 * });
 * assert.equal(r.hasDrift, true);
 * assert.deepEqual(r.driftedMetrics, ["accuracy"]);
 * ```
 */
export function detectPerformanceDrift(options: PerformanceDriftOptions): PerformanceDriftResult {
  const threshold = options.threshold ?? 0.05;
  if (!(threshold >= 0)) {
    throw new RangeError(`Expected threshold to be >= 0 but found ${threshold}`);
  }
  const names = options.metrics ??
    Object.keys(options.baselineMetrics).filter((k) => k in options.currentMetrics);
  const metricDeltas: Record<string, MetricDelta> = {};
  const driftedMetrics: string[] = [];
  for (const name of names) {
    const baseline = options.baselineMetrics[name];
    const current = options.currentMetrics[name];
    if (baseline === undefined || current === undefined) {
      throw new RangeError(`Expected metric ${name} in both baseline and current metrics`);
    }
    const gib = options.greaterIsBetter?.[name] ?? !LOWER_IS_BETTER.test(name);
    const absoluteDelta = current - baseline;
    const relativeDelta = baseline === 0
      ? (current === 0 ? 0 : NaN)
      : absoluteDelta / Math.abs(baseline);
    let degradation = gib ? -relativeDelta : relativeDelta;
    if (Number.isNaN(degradation)) degradation = (gib ? current < 0 : current > 0) ? Infinity : 0;
    const drifted = degradation > threshold;
    if (drifted) driftedMetrics.push(name);
    metricDeltas[name] = {
      baseline,
      current,
      absoluteDelta,
      relativeDelta,
      degradation,
      greaterIsBetter: gib,
      drifted,
    };
  }
  return { hasDrift: driftedMetrics.length > 0, metricDeltas, threshold, driftedMetrics };
}
