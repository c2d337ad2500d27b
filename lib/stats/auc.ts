/**
 * Ranking metrics for a binary task with scores: ROC AUC, PR AUC and average precision,
 * with scikit-learn's semantics.
 *
 * @module
 */

/** Cumulative true and false positives at each distinct score, from the highest down. */
function thresholdCounts(
  yTrue: readonly boolean[],
  scores: readonly number[],
): { tps: number[]; fps: number[] } {
  if (yTrue.length !== scores.length) {
    throw new RangeError(
      `Expected yTrue and scores to have the same length but found ${yTrue.length} and ${scores.length}`,
    );
  }
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (typeof s !== "number" || !Number.isFinite(s)) {
      throw new RangeError(`Expected scores[${i}] to be a finite number but found ${s}`);
    }
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0, fp = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    if (yTrue[j]) tp++;
    else fp++;
    if (i === n - 1 || scores[order[i + 1]!] !== scores[j]) {
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { tps, fps };
}

/**
 * Area under the ROC curve, equal to scikit-learn's `roc_auc_score` for binary labels:
 * the probability that a random positive scores higher than a random negative, ties
 * counting one half. Computed exactly from integer counts (one division at the end).
 *
 * @param yTrue `true` for the positive class.
 * @param scores Higher means more likely positive (e.g. a risk score); finite numbers.
 * @returns ROC AUC in [0, 1].
 * @throws {RangeError} when only one class is present (the AUC is undefined), when the
 * lengths differ, or when a score is not finite.
 *
 * @example
 * ```ts
 * import { rocAuc } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(rocAuc([false, false, true, true], [0.1, 0.4, 0.35, 0.8]), 0.75);
 * assert.equal(rocAuc([false, true], [0.5, 0.5]), 0.5); // a tie counts one half
 * assert.throws(() => rocAuc([true, true], [0.1, 0.2]), RangeError);
 * ```
 */
export function rocAuc(yTrue: readonly boolean[], scores: readonly number[]): number {
  const { tps, fps } = thresholdCounts(yTrue, scores);
  const P = tps.length ? tps[tps.length - 1]! : 0;
  const N = fps.length ? fps[fps.length - 1]! : 0;
  if (P === 0 || N === 0) {
    throw new RangeError(
      `Expected both classes in yTrue for ROC AUC but found ${P} positive and ${N} negative`,
    );
  }
  // twice the trapezoid area in count units: Σ Δfp · (tp + tp_prev); exact in integers < 2^53
  let area2 = 0, prevTp = 0, prevFp = 0;
  for (let i = 0; i < tps.length; i++) {
    area2 += (fps[i]! - prevFp) * (tps[i]! + prevTp);
    prevTp = tps[i]!;
    prevFp = fps[i]!;
  }
  return area2 / (2 * P * N);
}

/** Precision and recall at each distinct threshold, highest threshold first. */
function prPoints(
  yTrue: readonly boolean[],
  scores: readonly number[],
  what: string,
): { precision: number[]; recall: number[] } {
  const { tps, fps } = thresholdCounts(yTrue, scores);
  const P = tps.length ? tps[tps.length - 1]! : 0;
  if (P === 0) {
    throw new RangeError(`Expected at least one positive in yTrue for ${what} but found none`);
  }
  return {
    precision: tps.map((tp, i) => tp / (tp + fps[i]!)),
    recall: tps.map((tp) => tp / P),
  };
}

/**
 * Area under the precision-recall curve by the trapezoidal rule, equal to scikit-learn's
 * `auc(recall, precision)` over `precision_recall_curve(yTrue, scores)` — the
 * `precision_recall_auc` that `mlflow.evaluate` logs. The curve starts at
 * (recall 0, precision 1). See {@linkcode averagePrecision} for the step-wise summary.
 *
 * @param yTrue `true` for the positive class.
 * @param scores Higher means more likely positive; finite numbers.
 * @returns PR AUC in [0, 1].
 * @throws {RangeError} when yTrue has no positive (recall is undefined), the lengths
 * differ, or a score is not finite.
 *
 * @example
 * ```ts
 * import { prAuc } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * assert.equal(prAuc([false, false, true, true], [0.1, 0.2, 0.8, 0.9]), 1);
 * assert.ok(Math.abs(prAuc([true, false], [0.9, 0.1]) - 1) < 1e-15);
 * ```
 */
export function prAuc(yTrue: readonly boolean[], scores: readonly number[]): number {
  const { precision, recall } = prPoints(yTrue, scores, "PR AUC");
  let area = 0, prevR = 0, prevP = 1;
  for (let i = 0; i < precision.length; i++) {
    area += (recall[i]! - prevR) * (precision[i]! + prevP) / 2;
    prevR = recall[i]!;
    prevP = precision[i]!;
  }
  return area;
}

/**
 * Average precision, equal to scikit-learn's `average_precision_score`:
 * `Σₙ (Rₙ − Rₙ₋₁)·Pₙ` over the distinct score thresholds (no interpolation).
 *
 * @param yTrue `true` for the positive class.
 * @param scores Higher means more likely positive; finite numbers.
 * @returns Average precision in [0, 1].
 * @throws {RangeError} when yTrue has no positive, the lengths differ, or a score is not
 * finite.
 *
 * @example
 * ```ts
 * import { averagePrecision } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * // ranks: 0.8 (pos), 0.4 (pos + neg tied), 0.35 (neg), 0.1 (neg)
 * const ap = averagePrecision([false, true, false, true, false], [0.1, 0.4, 0.35, 0.8, 0.4]);
 * assert.equal(ap, 0.5 * 1 + 0.5 * (2 / 3));
 * ```
 */
export function averagePrecision(yTrue: readonly boolean[], scores: readonly number[]): number {
  const { precision, recall } = prPoints(yTrue, scores, "average precision");
  let ap = 0, prevR = 0;
  for (let i = 0; i < precision.length; i++) {
    ap += (recall[i]! - prevR) * precision[i]!;
    prevR = recall[i]!;
  }
  return Math.max(0, ap);
}
