/**
 * Population Stability Index with reference-quantile bins (numeric) or one bin per
 * category (categorical), and the customary stability bands.
 *
 * @module
 */
import { sortedFinite } from "./kolmogorov_smirnov.ts";

/**
 * Default floor for empty-bin proportions (as Evidently).
 *
 * @example
 * ```ts
 * import { PSI_EPSILON, psiFromCounts } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(psiFromCounts([10, 0], [5, 5]), psiFromCounts([10, 0], [5, 5], { epsilon: PSI_EPSILON }));
 * ```
 */
export const PSI_EPSILON = 1e-4;

/** The PSI band: `stable` (< 0.1), `moderate` (0.1–0.25), `significant` (> 0.25). */
export type PsiBand = "stable" | "moderate" | "significant";

/** Options for {@linkcode psi}. */
export interface PsiOptions {
  /** Number of reference-quantile bins (10 = deciles). Integer >= 2. Default 10. */
  bins?: number;
  /** Proportions below this are raised to it so that logs stay finite. Default 1e-4. */
  epsilon?: number;
  /** The reference sample is already sorted ascending. Default false. */
  sorted?: boolean;
}

/** The result of {@linkcode psi}: the index and exactly how it was binned. */
export interface PsiResult {
  /** Always `"psi"`. */
  test: "psi";
  /** Σ (cur − ref) · ln(cur / ref) over bins, on proportions floored at `epsilon`. */
  value: number;
  /** The band of `value`. */
  band: PsiBand;
  /** `"reference-quantiles"` for numeric samples. */
  binning: "reference-quantiles" | "categories";
  /** Inner bin edges (the reference quantiles, duplicates removed); bins are [e_i, e_{i+1}) with −∞ and +∞ outside. */
  edges: number[];
  /** Reference count per bin. */
  referenceCounts: number[];
  /** Current count per bin. */
  currentCounts: number[];
  /** The floor used for empty bins. */
  epsilon: number;
}

/**
 * Classifies a PSI value into the usual bands (< 0.1 stable, 0.1–0.25 moderate, > 0.25 significant).
 *
 * @example
 * ```ts
 * import { psiBand } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(psiBand(0.3), "significant");
 * ```
 */
export function psiBand(value: number): PsiBand {
  return value < 0.1 ? "stable" : value <= 0.25 ? "moderate" : "significant";
}

/**
 * Quantiles of an ascending-sorted sample with NumPy's default (`method="linear"`)
 * interpolation, bit-for-bit.
 *
 * @example
 * ```ts
 * import { sortedQuantile } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sortedQuantile([1, 2, 3, 4], 0.5), 2.5);
 * ```
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const vi = (n - 1) * q;
  const lo = Math.min(Math.max(Math.floor(vi), 0), n - 1);
  const hi = Math.min(lo + 1, n - 1);
  const t = vi - Math.floor(vi);
  const a = sorted[lo]!, b = sorted[hi]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Inner edges of `bins` reference-quantile bins (duplicates removed), from a sorted sample.
 *
 * @example
 * ```ts
 * import { referenceQuantileEdges } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(referenceQuantileEdges([0, 1, 2, 3, 4], 2), [2]);
 * ```
 */
export function referenceQuantileEdges(sortedReference: ArrayLike<number>, bins = 10): number[] {
  if (!(Number.isInteger(bins) && bins >= 2)) {
    throw new RangeError(`Expected bins to be an integer >= 2 but found ${bins}`);
  }
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = sortedQuantile(sortedReference, k / bins);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Options for {@linkcode binCounts}. */
export interface BinCountsOptions {
  /**
   * The values are already sorted ascending: counting then takes one binary search per
   * edge instead of one per value. Default false.
   */
  sorted?: boolean;
}

/** Index of the first element of ascending `a` that is not below `x` (`a.length` if none). */
function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts values per bin [e_i, e_{i+1}) for inner edges `edges` (−∞/+∞ outside).
 *
 * @example
 * ```ts
 * import { binCounts } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(binCounts([0, 1, 2, 3], [1, 3]), [1, 2, 1]);
 * assert.deepEqual(binCounts([0, 1, 2, 3], [1, 3], { sorted: true }), [1, 2, 1]);
 * ```
 */
export function binCounts(
  values: ArrayLike<number>,
  edges: readonly number[],
  options: BinCountsOptions = {},
): number[] {
  if (options.sorted) {
    const out: number[] = [];
    let prev = 0;
    for (const e of edges) {
      const below = lowerBound(values, e);
      out.push(below - prev);
      prev = below;
    }
    out.push(values.length - prev);
    return out;
  }
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let lo = 0, hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (edges[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}

/**
 * PSI from two aligned count vectors (one entry per bin or category):
 * Σ (c − r) · ln(c / r) with c, r the proportions floored at `epsilon`.
 *
 * @example
 * ```ts
 * import { psiFromCounts } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(psiFromCounts([50, 50], [50, 50]), 0);
 * ```
 */
export function psiFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  options: { epsilon?: number } = {},
): number {
  const eps = options.epsilon ?? PSI_EPSILON;
  if (referenceCounts.length !== currentCounts.length) {
    throw new RangeError(
      `Expected count vectors of the same length but found ${referenceCounts.length} and ${currentCounts.length}`,
    );
  }
  let tr = 0, tc = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    tr += referenceCounts[i]!;
    tc += currentCounts[i]!;
  }
  let sum = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const r = Math.max(referenceCounts[i]! / tr, eps);
    const c = Math.max(currentCounts[i]! / tc, eps);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * Population Stability Index of a numeric sample against a reference: bins are the
 * reference's quantiles (deciles by default, NumPy linear interpolation, duplicate edges
 * merged so integer-valued columns get fewer bins), left-closed [e_i, e_{i+1}), open-ended
 * outside; empty-bin proportions are floored at `epsilon` (1e-4) without renormalising.
 *
 * @example
 * ```ts
 * import { psi } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const ref = Array.from({ length: 100 }, (_, i) => i);
 * const r = psi(ref, ref.map((x) => x + 30));
 * assert.equal(r.edges.length, 9);
 * assert.equal(r.band, "significant");
 * ```
 */
export function psi(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: PsiOptions = {},
): PsiResult {
  const eps = options.epsilon ?? PSI_EPSILON;
  if (reference.length === 0 || current.length === 0) {
    throw new RangeError(
      `Expected both samples to be non-empty but found sizes ${reference.length} and ${current.length}`,
    );
  }
  const ref = options.sorted ? reference : sortedFinite(reference, "reference");
  const edges = referenceQuantileEdges(ref, options.bins ?? 10);
  const referenceCounts = binCounts(ref, edges, { sorted: true });
  const currentCounts = binCounts(current, edges);
  const value = psiFromCounts(referenceCounts, currentCounts, { epsilon: eps });
  return {
    test: "psi",
    value,
    band: psiBand(value),
    binning: "reference-quantiles",
    edges,
    referenceCounts,
    currentCounts,
    epsilon: eps,
  };
}
