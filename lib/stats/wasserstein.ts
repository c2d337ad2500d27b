/**
 * First Wasserstein (earth mover's) distance between two one-dimensional samples, as
 * `scipy.stats.wasserstein_distance`.
 *
 * @module
 */
import { sortedFinite } from "./kolmogorov_smirnov.ts";

/** Options for {@linkcode wasserstein}. */
export interface WassersteinOptions {
  /** Weights of the first sample's values (default: all 1). */
  uWeights?: ArrayLike<number>;
  /** Weights of the second sample's values (default: all 1). */
  vWeights?: ArrayLike<number>;
  /** Both samples are already sorted ascending (unweighted only). Default false. */
  sorted?: boolean;
}

function sortWeighted(values: ArrayLike<number>, weights: ArrayLike<number>, name: string) {
  if (weights.length !== values.length) {
    throw new RangeError(
      `Expected ${name} weights to have ${values.length} entries but found ${weights.length}`,
    );
  }
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[a]! - values[b]!);
  const v = new Float64Array(values.length);
  const cw = new Float64Array(values.length);
  let acc = 0;
  for (let i = 0; i < idx.length; i++) {
    const x = values[idx[i]!]!;
    if (Number.isNaN(x)) throw new RangeError(`Expected ${name} to hold no NaN but found NaN`);
    v[i] = x;
    acc += weights[idx[i]!]!;
    cw[i] = acc;
  }
  return { v, cw };
}

/**
 * The 1-Wasserstein distance `∫ |F_u(x) − F_v(x)| dx` between two samples (optionally
 * weighted), as `scipy.stats.wasserstein_distance(u, v, u_weights, v_weights)`; in the
 * samples' own units. O(n log n), or O(n) with `sorted: true`.
 *
 * @example
 * ```ts
 * import { wasserstein } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(wasserstein([0, 1, 3], [5, 6, 8]), 5);
 * ```
 */
export function wasserstein(
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  options: WassersteinOptions = {},
): number {
  if (u.length === 0 || v.length === 0) {
    throw new RangeError(
      `Expected both samples to be non-empty but found sizes ${u.length} and ${v.length}`,
    );
  }
  const weighted = options.uWeights !== undefined || options.vWeights !== undefined;
  let a: ArrayLike<number>, b: ArrayLike<number>;
  let ca: ArrayLike<number> | undefined, cb: ArrayLike<number> | undefined;
  if (weighted) {
    const wa = sortWeighted(u, options.uWeights ?? new Float64Array(u.length).fill(1), "u");
    const wb = sortWeighted(v, options.vWeights ?? new Float64Array(v.length).fill(1), "v");
    a = wa.v, ca = wa.cw, b = wb.v, cb = wb.cw;
  } else {
    a = options.sorted ? u : sortedFinite(u, "u");
    b = options.sorted ? v : sortedFinite(v, "v");
  }
  const n1 = a.length, n2 = b.length;
  const ta = ca ? ca[n1 - 1]! : n1, tb = cb ? cb[n2 - 1]! : n2;
  let i = 0, j = 0;
  let sum = 0, comp = 0;
  let prev = Math.min(a[0]!, b[0]!);
  // walk the distinct values of the union; between prev and the next value the CDFs are flat
  while (i < n1 || j < n2) {
    const va = i < n1 ? a[i]! : Infinity;
    const vb = j < n2 ? b[j]! : Infinity;
    const x = va <= vb ? va : vb;
    const fa = ca ? (i > 0 ? ca[i - 1]! / ta : 0) : i / n1;
    const fb = cb ? (j > 0 ? cb[j - 1]! / tb : 0) : j / n2;
    const term = Math.abs(fa - fb) * (x - prev);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? (sum - t) + term : (term - t) + sum;
    sum = t;
    prev = x;
    while (i < n1 && a[i]! <= x) i++;
    while (j < n2 && b[j]! <= x) j++;
  }
  return sum + comp;
}
