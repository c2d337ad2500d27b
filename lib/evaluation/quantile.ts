/**
 * Exact quantiles of a sample (numpy's default linear interpolation).
 *
 * @module
 */

/**
 * The `q` quantile (0..1) of `values`, as `numpy.percentile(values, 100 * q)` (linear).
 * Returns NaN for an empty sample.
 *
 * @example
 * ```ts
 * import { quantile } from "@evalkit/evalkit/evaluation";
 * if (quantile([1, 2, 3, 4], 0.5) !== 2.5) throw new Error("unexpected");
 * ```
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return quantileSorted(sorted, q);
}

/**
 * {@link quantile} on an already sorted array.
 *
 * @example
 * ```ts
 * import { quantileSorted } from "@evalkit/evalkit/evaluation";
 * if (quantileSorted([1, 2, 3, 4, 5], 0.75) !== 4) throw new Error("unexpected");
 * ```
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`Expected q in [0, 1] but found ${q}`);
  const pos = q * (n - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  const a = sorted[lo]!, b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}
