/**
 * Equal-width binning of raw values, for histograms (Vega-Lite or SVG).
 *
 * @module
 */

/** Options of {@link binValues}. */
export interface BinOptions {
  /** Number of bins. Default 20. */
  bins?: number;
  /** Lower edge. Default the smallest finite value. */
  min?: number;
  /** Upper edge. Default the largest finite value. */
  max?: number;
}

/** Bin edges (`counts.length + 1` of them) and counts. */
export interface Binned {
  /** Edges, ascending. */
  edges: number[];
  /** Count per bin; the last bin includes its upper edge. */
  counts: number[];
}

/**
 * Counts finite values into equal-width bins between `min` and `max` (values outside are
 * clamped into the first or last bin; NaN and ±Infinity are skipped).
 *
 * @example
 * ```ts
 * import { binValues } from "@evalkit/evalkit/report";
 * const { edges, counts } = binValues([1, 2, 2, 3, 4], { bins: 3 });
 * if (edges.length !== 4 || counts.reduce((a, b) => a + b) !== 5) throw new Error("unexpected");
 * ```
 */
export function binValues(values: Iterable<number>, options: BinOptions = {}): Binned {
  const bins = options.bins ?? 20;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`Expected bins to be an integer >= 1 but found ${bins}`);
  }
  const finite: number[] = [];
  for (const v of values) if (Number.isFinite(v)) finite.push(v);
  let lo = options.min ?? Infinity, hi = options.max ?? -Infinity;
  if (options.min === undefined) { for (const v of finite) if (v < lo) lo = v; }
  if (options.max === undefined) { for (const v of finite) if (v > hi) hi = v; }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi < lo) {
    throw new RangeError(`Expected max >= min but found min ${lo} and max ${hi}`);
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
    counts[i]!++;
  }
  return { edges, counts };
}
