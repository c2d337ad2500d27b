/**
 * Jensen–Shannon distance between two discrete distributions, as
 * `scipy.spatial.distance.jensenshannon`.
 *
 * @module
 */

/** Options for {@linkcode jensenShannon}. */
export interface JensenShannonOptions {
  /**
   * Logarithm base. Default `Math.E` (natural log, range [0, √ln 2 ≈ 0.833], SciPy's and
   * Evidently's default); use 2 for the range [0, 1].
   */
  base?: number;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * The Jensen–Shannon distance (the square root of the divergence) between two
 * distributions given as non-negative weights (normalised to sum 1 first), as
 * `scipy.spatial.distance.jensenshannon(p, q, base)`. Zero-probability entries need no
 * smoothing: the mixture is never zero where either side is positive.
 *
 * @example
 * ```ts
 * import { jensenShannon } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(jensenShannon([1, 0], [0, 1], { base: 2 }), 1);
 * assert.equal(jensenShannon([2, 2], [1, 1]), 0);
 * ```
 */
export function jensenShannon(
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  options: JensenShannonOptions = {},
): number {
  if (p.length !== q.length) {
    throw new RangeError(
      `Expected p and q to have the same length but found ${p.length} and ${q.length}`,
    );
  }
  const base = options.base;
  if (base !== undefined && !(base > 0 && base !== 1)) {
    throw new RangeError(`Expected base to be > 0 and != 1 but found ${base}`);
  }
  let sp = 0, sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let left = 0, right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp, qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  let js = (left + right) / 2;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js);
}
