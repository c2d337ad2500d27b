/**
 * Mean, sample standard deviation and Student-t confidence interval of repeated trials.
 *
 * @module
 */

import { studentTQuantile } from "./student_t.ts";

/** Options for {@linkcode meanStdCi}. */
export interface MeanStdCiOptions {
  /**
   * Two-sided confidence level in (0, 1).
   *
   * @default {0.95}
   */
  level?: number;
}

/** Result of {@linkcode meanStdCi}. */
export interface MeanStdCi {
  /** Arithmetic mean (`NaN` when `n` is 0). */
  mean: number;
  /** Sample standard deviation with `n − 1` in the denominator (`NaN` when `n < 2`). */
  std: number;
  /** Lower end of the confidence interval for the mean (`NaN` when `n < 2`). */
  ciLow: number;
  /** Upper end of the confidence interval for the mean (`NaN` when `n < 2`). */
  ciHigh: number;
  /** Number of values. */
  n: number;
}

/**
 * Mean, sample standard deviation (ddof = 1) and the two-sided Student-t confidence
 * interval `mean ± t((1 + level) / 2, n − 1) · std / √n`, equal to NumPy's
 * `mean`/`std(ddof=1)` and SciPy's `t.interval(level, n − 1, loc=mean, scale=std/√n)`.
 *
 * With one value the spread is unknown: `std`, `ciLow` and `ciHigh` are `NaN` (as NumPy
 * and SciPy). With no values everything but `n` is `NaN`. When all values are equal the
 * interval collapses to the mean.
 *
 * @param values Finite numbers (e.g. one metric over repeated trials).
 * @param options Confidence level (default 0.95).
 * @returns `{ mean, std, ciLow, ciHigh, n }`.
 * @throws {RangeError} when a value is not finite or `level` is not in (0, 1).
 *
 * @example
 * ```ts
 * import { meanStdCi } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const r = meanStdCi([0.82, 0.85, 0.8, 0.83], { level: 0.95 });
 * assert.ok(Math.abs(r.mean - 0.825) < 1e-15);
 * assert.ok(r.ciLow < r.mean && r.mean < r.ciHigh);
 * assert.ok(Number.isNaN(meanStdCi([0.9]).std)); // one trial: no spread
 * ```
 */
export function meanStdCi(values: readonly number[], options: MeanStdCiOptions = {}): MeanStdCi {
  const level = options.level ?? 0.95;
  if (typeof level !== "number" || !(level > 0 && level < 1)) {
    throw new RangeError(`Expected level to be in (0, 1) but found ${level}`);
  }
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(`Expected values[${i}] to be a finite number but found ${v}`);
    }
    sum += v;
  }
  if (n === 0) return { mean: NaN, std: NaN, ciLow: NaN, ciHigh: NaN, n: 0 };
  const mean = sum / n;
  if (n === 1) return { mean, std: NaN, ciLow: NaN, ciHigh: NaN, n: 1 };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  const std = Math.sqrt(ss / (n - 1));
  const half = studentTQuantile((1 + level) / 2, n - 1) * std / Math.sqrt(n);
  return { mean, std, ciLow: mean - half, ciHigh: mean + half, n };
}
