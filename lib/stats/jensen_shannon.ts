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

/**
 * `rel_entr(a, m) + rel_entr(b, m)` with `m = (a + b) / 2`, without cancellation. Writing
 * `a = m(1 + t)`, `b = m(1 − t)` with `t = (a − b)/(a + b)` (the difference is exact), it is
 * `m·g(t)`, `g(t) = (1+t)·log1p(t) + (1−t)·log1p(−t) = Σₖ t²ᵏ / (k(2k−1))`. For small |t| the
 * series is used (every term positive: no digit is lost); otherwise the `x·log1p((x−y)/y)` form.
 * The naive `a·log(a/m)` loses all digits when p ≈ q: its first-order terms cancel.
 */
function pairEntropy(a: number, b: number): number {
  if (a === 0 && b === 0) return 0;
  const sum = a + b;
  const t = (a - b) / sum;
  const m = sum / 2;
  if (Math.abs(t) < 0.125) {
    // g(t)/t² = Σ t^(2k−2) / (k(2k−1)); 12 terms: the next is < 0.125^24 ≈ 2e-22 of the first.
    const t2 = t * t;
    let g = 0;
    for (let k = 12; k >= 1; k--) g = g * t2 + 1 / (k * (2 * k - 1));
    return m * t2 * g;
  }
  const left = a > 0 ? a * Math.log1p(t) : 0; // rel_entr(a, m) = a·log1p((a − m)/m)
  const right = b > 0 ? b * Math.log1p(-t) : 0;
  return left + right;
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
  let both = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp, qi = q[i]! / sq;
    if (pi < 0 || qi < 0 || Number.isNaN(pi) || Number.isNaN(qi)) both += Infinity;
    else both += pairEntropy(pi, qi);
  }
  let js = both / 2;
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js);
}
