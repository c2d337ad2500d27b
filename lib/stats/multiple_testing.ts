/**
 * Multiple-testing corrections for p-values of many per-feature tests.
 *
 * @module
 */

/**
 * Bonferroni-adjusted p-values: `min(p · m, 1)` for m tests (controls the family-wise error rate).
 *
 * @example
 * ```ts
 * import { bonferroni } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(bonferroni([0.01, 0.2]), [0.02, 0.4]);
 * ```
 */
export function bonferroni(pValues: ArrayLike<number>): number[] {
  const m = pValues.length;
  return Array.from(pValues, (p) => Math.min(p * m, 1));
}

/** Options for {@linkcode benjaminiHochberg}. */
export interface BenjaminiHochbergOptions {
  /** `"bh"` (default; independent or positively dependent tests) or `"by"` (Benjamini–Yekutieli, any dependence). */
  method?: "bh" | "by";
}

/**
 * Benjamini–Hochberg adjusted p-values (controls the false discovery rate), as
 * `scipy.stats.false_discovery_control(p, method="bh")`; `method: "by"` for
 * Benjamini–Yekutieli. Returned in the input order.
 *
 * @example
 * ```ts
 * import { benjaminiHochberg } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const adj = benjaminiHochberg([0.01, 0.04, 0.03]);
 * assert.ok(Math.abs(adj[0]! - 0.03) < 1e-15);
 * ```
 */
export function benjaminiHochberg(
  pValues: ArrayLike<number>,
  options: BenjaminiHochbergOptions = {},
): number[] {
  const m = pValues.length;
  for (let i = 0; i < m; i++) {
    const p = pValues[i]!;
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`Expected p-values in [0, 1] but found ${p} at index ${i}`);
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => pValues[a]! - pValues[b]!);
  const adj = new Array<number>(m);
  let c = 1;
  if (options.method === "by") {
    c = 0;
    for (let i = 1; i <= m; i++) c += 1 / i;
  }
  for (let r = 0; r < m; r++) adj[r] = pValues[order[r]!]! * (m / (r + 1)) * c;
  for (let r = m - 2; r >= 0; r--) adj[r] = Math.min(adj[r]!, adj[r + 1]!);
  const out = new Array<number>(m);
  for (let r = 0; r < m; r++) out[order[r]!] = Math.min(adj[r]!, 1);
  return out;
}
