/**
 * Chi-square tests: goodness of fit (as `scipy.stats.chisquare`) and independence on a
 * contingency table (as `scipy.stats.chi2_contingency(correction=False)`), plus the
 * two-sample homogeneity test on category counts that drift detection uses.
 *
 * @module
 */
import { chiSquareSf } from "./special_functions.ts";

/** The result of a chi-square test. */
export interface ChiSquareResult {
  /** `"chisquare"` (goodness of fit) or `"chi2_contingency"` (independence / homogeneity). */
  test: "chisquare" | "chi2_contingency";
  /** The Pearson chi-square statistic, Σ (observed − expected)² / expected. */
  statistic: number;
  /** The upper-tail p-value of the chi-square distribution with `dof` degrees of freedom. */
  pValue: number;
  /** Degrees of freedom. */
  dof: number;
  /** Expected frequencies used. */
  expected: number[] | number[][];
}

/** Options for {@linkcode chiSquare}. */
export interface ChiSquareOptions {
  /** Expected frequencies; default: uniform with the observed total. Must sum to the observed total (relative 1e-8). */
  expected?: ArrayLike<number>;
}

/**
 * Pearson's chi-square goodness-of-fit test, as `scipy.stats.chisquare(observed, f_exp=expected)`.
 *
 * @example
 * ```ts
 * import { chiSquare } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const r = chiSquare([16, 18, 16, 14, 12, 12]);
 * assert.equal(r.statistic, 2);
 * assert.equal(r.dof, 5);
 * ```
 */
export function chiSquare(
  observed: ArrayLike<number>,
  options: ChiSquareOptions = {},
): ChiSquareResult {
  const k = observed.length;
  if (k === 0) throw new RangeError("Expected at least one category but found none");
  let total = 0;
  for (let i = 0; i < k; i++) total += observed[i]!;
  let expected: number[];
  if (options.expected) {
    if (options.expected.length !== k) {
      throw new RangeError(
        `Expected expected to have ${k} entries but found ${options.expected.length}`,
      );
    }
    expected = Array.from(options.expected);
    const sumE = expected.reduce((a, b) => a + b, 0);
    if (Math.abs(sumE - total) > 1e-8 * Math.max(Math.abs(sumE), Math.abs(total))) {
      throw new RangeError(
        `Expected observed and expected to have the same sum but found ${total} and ${sumE}`,
      );
    }
  } else {
    expected = new Array(k).fill(total / k);
  }
  let stat = 0;
  for (let i = 0; i < k; i++) {
    const d = observed[i]! - expected[i]!;
    stat += (d * d) / expected[i]!;
  }
  const dof = k - 1;
  return {
    test: "chisquare",
    statistic: stat,
    pValue: dof > 0 ? chiSquareSf(stat, dof) : NaN,
    dof,
    expected,
  };
}

/**
 * Pearson's chi-square test of independence on an r×c contingency table, as
 * `scipy.stats.chi2_contingency(table, correction=False)`. A table with zero degrees of
 * freedom (one row or one column) gives statistic 0 and p-value 1, as SciPy does.
 *
 * @example
 * ```ts
 * import { chiSquareContingency } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const r = chiSquareContingency([[10, 20, 30], [15, 25, 20]]);
 * assert.equal(r.dof, 2);
 * assert.ok(r.pValue > 0.05);
 * ```
 */
export function chiSquareContingency(table: ArrayLike<ArrayLike<number>>): ChiSquareResult {
  const r = table.length;
  const c = r > 0 ? table[0]!.length : 0;
  if (r === 0 || c === 0) throw new RangeError("Expected a non-empty contingency table");
  const rowSums = new Array<number>(r).fill(0);
  const colSums = new Array<number>(c).fill(0);
  let total = 0;
  for (let i = 0; i < r; i++) {
    const row = table[i]!;
    if (row.length !== c) {
      throw new RangeError(
        `Expected every row to have ${c} columns but row ${i} has ${row.length}`,
      );
    }
    for (let j = 0; j < c; j++) {
      const v = row[j]!;
      if (!(v >= 0)) throw new RangeError(`Expected counts >= 0 but found ${v} at [${i}, ${j}]`);
      rowSums[i]! += v;
      colSums[j]! += v;
      total += v;
    }
  }
  const expected: number[][] = [];
  for (let i = 0; i < r; i++) {
    const e: number[] = [];
    for (let j = 0; j < c; j++) {
      const v = (rowSums[i]! * colSums[j]!) / total;
      if (v === 0) {
        throw new RangeError(
          `Expected every expected frequency to be > 0 but found 0 at [${i}, ${j}] (drop empty rows and columns)`,
        );
      }
      e.push(v);
    }
    expected.push(e);
  }
  const dof = (r - 1) * (c - 1);
  if (dof === 0) return { test: "chi2_contingency", statistic: 0, pValue: 1, dof, expected };
  let stat = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const d = table[i]![j]! - expected[i]![j]!;
      stat += (d * d) / expected[i]![j]!;
    }
  }
  return {
    test: "chi2_contingency",
    statistic: stat,
    pValue: chiSquareSf(stat, dof),
    dof,
    expected,
  };
}

/** The result of {@linkcode chiSquareTwoSample}: a contingency result plus the categories tested. */
export interface ChiSquareTwoSampleResult extends ChiSquareResult {
  /** Categories kept in the 2×k table (those seen in at least one sample), in order. */
  categories: string[];
  /** Categories seen in the current sample but never in the reference. */
  unseenCategories: string[];
}

/**
 * Two-sample chi-square homogeneity test on category counts: builds the 2×k table of
 * reference and current counts over the union of categories (categories absent from both
 * are dropped; categories only in the current sample — unseen — are kept and count towards
 * the statistic) and runs {@linkcode chiSquareContingency}.
 *
 * @example
 * ```ts
 * import { chiSquareTwoSample } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const r = chiSquareTwoSample({ car: 50, home: 50 }, { car: 40, home: 40, boat: 20 });
 * assert.deepEqual(r.unseenCategories, ["boat"]);
 * assert.ok(r.pValue < 0.001);
 * ```
 */
export function chiSquareTwoSample(
  referenceCounts: Readonly<Record<string, number>>,
  currentCounts: Readonly<Record<string, number>>,
): ChiSquareTwoSampleResult {
  const categories: string[] = [];
  const unseen: string[] = [];
  const seen = new Set<string>();
  for (const k of [...Object.keys(referenceCounts), ...Object.keys(currentCounts)]) {
    if (seen.has(k)) continue;
    seen.add(k);
    const rc = referenceCounts[k] ?? 0, cc = currentCounts[k] ?? 0;
    if (rc + cc > 0) categories.push(k);
    if (rc === 0 && cc > 0) unseen.push(k);
  }
  const table = [
    categories.map((k) => referenceCounts[k] ?? 0),
    categories.map((k) => currentCounts[k] ?? 0),
  ];
  return { ...chiSquareContingency(table), categories, unseenCategories: unseen };
}
