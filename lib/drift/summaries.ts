/**
 * Mergeable column summaries: what drift is computed from. A numeric column is summarised
 * by its sorted non-missing values (exact KS, Wasserstein and PSI; two shards merge in
 * linear time), a categorical column by its category counts, and a column that only
 * exists as a histogram (e.g. from a SQL `GROUP BY width_bucket(...)`) by bin edges and
 * counts.
 *
 * NaN policy: `null`, `undefined`, `NaN`, `±Infinity` and (in numeric columns) any value
 * that is not a number are *missing*: they are counted in `missing`, excluded from every
 * statistic, and reported as the column's missing share.
 *
 * @module
 */

import { sortFloat64 } from "../stats/kolmogorov_smirnov.ts";

/** Numeric column summary: sorted non-missing values. */
export interface NumericSummary {
  /** Discriminator. */
  kind: "numeric";
  /** Number of non-missing values. */
  count: number;
  /** Number of missing values (null, undefined, NaN, ±Infinity, non-numbers). */
  missing: number;
  /** The non-missing values, ascending. */
  sorted: Float64Array;
}

/** Categorical column summary: counts per category. */
export interface CategoricalSummary {
  /** Discriminator. */
  kind: "categorical";
  /** Number of non-missing values. */
  count: number;
  /** Number of missing values (null, undefined, NaN). */
  missing: number;
  /** Count per category (categories are the values' `String()` forms). */
  counts: Record<string, number>;
}

/** Histogram summary of a numeric column on fixed edges (both sides must share edges). */
export interface HistogramSummary {
  /** Discriminator. */
  kind: "histogram";
  /** Number of non-missing values (the sum of `counts`). */
  count: number;
  /** Number of missing values. */
  missing: number;
  /** Bin edges, ascending, length `counts.length + 1`; bins are [e_i, e_{i+1}). */
  edges: number[];
  /** Count per bin. */
  counts: number[];
}

/** Any column summary. */
export type ColumnSummary = NumericSummary | CategoricalSummary | HistogramSummary;

/** The kind of a column: numeric or categorical. */
export type ColumnKind = "numeric" | "categorical";

/**
 * True for values the NaN policy treats as missing in any column: `null`, `undefined`, `NaN`.
 *
 * @example
 * ```ts
 * import { isMissing } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([null, undefined, NaN, 0, ""].map(isMissing), [true, true, true, false, false]);
 * ```
 */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/**
 * Infers a column's kind: numeric when every non-missing value is a number or bigint,
 * categorical otherwise (strings, booleans, mixed). An all-missing column is numeric.
 *
 * @example
 * ```ts
 * import { inferColumnKind } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * assert.equal(inferColumnKind([1, 2, null]), "numeric");
 * assert.equal(inferColumnKind(["a", 1]), "categorical");
 * ```
 */
export function inferColumnKind(values: ArrayLike<unknown>): ColumnKind {
  if (values instanceof Float64Array || values instanceof Float32Array) return "numeric";
  if (ArrayBuffer.isView(values)) return "numeric";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) continue;
    if (typeof v !== "number" && typeof v !== "bigint") return "categorical";
  }
  return "numeric";
}

/**
 * Summarises one column (an array or typed array) for drift: sorted values for numeric
 * columns, category counts for categorical ones. `kind` defaults to
 * {@linkcode inferColumnKind}.
 *
 * @example
 * ```ts
 * import { summarizeColumn } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const s = summarizeColumn([3, null, 1, NaN, 2]);
 * assert.equal(s.kind, "numeric");
 * assert.equal(s.missing, 2);
 * ```
 */
export function summarizeColumn(
  values: ArrayLike<unknown>,
  kind: ColumnKind = inferColumnKind(values),
): NumericSummary | CategoricalSummary {
  const n = values.length;
  if (kind === "numeric") {
    const out = new Float64Array(n);
    let k = 0;
    if (values instanceof Float64Array || values instanceof Float32Array) {
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v - v === 0) out[k++] = v; // finite
      }
    } else {
      for (let i = 0; i < n; i++) {
        const raw = values[i];
        const v = typeof raw === "bigint" ? Number(raw) : raw;
        if (typeof v === "number" && v - v === 0) out[k++] = v;
      }
    }
    const sorted = sortFloat64(k === n ? out : out.slice(0, k));
    return { kind: "numeric", count: k, missing: n - k, sorted };
  }
  // a prototype-less object counts faster than a Map; converted to a plain object at the end
  const counts: Record<string, number> = Object.create(null);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (isMissing(v)) {
      missing++;
      continue;
    }
    const key = typeof v === "string" ? v : String(v);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return {
    kind: "categorical",
    count: n - missing,
    missing,
    counts: Object.fromEntries(Object.entries(counts)),
  };
}

function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * Merges two summaries of the same column from different shards: sorted values merge in
 * linear time, counts add, histograms on identical edges add bin by bin. The result is
 * exactly the summary of the concatenated shards.
 *
 * @example
 * ```ts
 * import { mergeSummaries, summarizeColumn } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const m = mergeSummaries(summarizeColumn(["a", "b"]), summarizeColumn(["a", null]));
 * assert.deepEqual(m.kind === "categorical" && m.counts, { a: 2, b: 1 });
 * ```
 */
export function mergeSummaries<T extends ColumnSummary>(a: T, b: T): T;
export function mergeSummaries(a: ColumnSummary, b: ColumnSummary): ColumnSummary {
  if (a.kind !== b.kind) {
    throw new TypeError(`Expected summaries of the same kind but found ${a.kind} and ${b.kind}`);
  }
  if (a.kind === "numeric" && b.kind === "numeric") {
    return {
      kind: "numeric",
      count: a.count + b.count,
      missing: a.missing + b.missing,
      sorted: mergeSorted(a.sorted, b.sorted),
    };
  }
  if (a.kind === "categorical" && b.kind === "categorical") {
    const counts: Record<string, number> = { ...a.counts };
    for (const [k, v] of Object.entries(b.counts)) counts[k] = (counts[k] ?? 0) + v;
    return {
      kind: "categorical",
      count: a.count + b.count,
      missing: a.missing + b.missing,
      counts,
    };
  }
  const ha = a as HistogramSummary, hb = b as HistogramSummary;
  if (ha.edges.length !== hb.edges.length || ha.edges.some((e, i) => e !== hb.edges[i])) {
    throw new RangeError("Expected histogram summaries on identical edges");
  }
  return {
    kind: "histogram",
    count: ha.count + hb.count,
    missing: ha.missing + hb.missing,
    edges: [...ha.edges],
    counts: ha.counts.map((c, i) => c + hb.counts[i]!),
  };
}

/** Columns of a table: arrays, typed arrays or ready-made summaries, by column name. */
export type DriftColumns = Record<string, ArrayLike<unknown> | ColumnSummary>;

/** What drift detection accepts for each side: rows (objects) or columns. */
export type DriftData = readonly Record<string, unknown>[] | DriftColumns;

/**
 * True when `v` is a {@linkcode ColumnSummary}.
 *
 * @example
 * ```ts
 * import { isSummary, summarizeColumn } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isSummary(summarizeColumn([1, 2])), true);
 * assert.equal(isSummary([1, 2]), false);
 * ```
 */
export function isSummary(v: unknown): v is ColumnSummary {
  if (typeof v !== "object" || v === null || ArrayBuffer.isView(v) || Array.isArray(v)) {
    return false;
  }
  const k = (v as { kind?: unknown }).kind;
  return k === "numeric" || k === "categorical" || k === "histogram";
}

/**
 * Normalises rows to columns once, at the boundary (columns pass through unchanged).
 *
 * @example
 * ```ts
 * import { toColumns } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(toColumns([{ a: 1 }, { a: 2, b: "x" }]), { a: [1, 2], b: [undefined, "x"] });
 * ```
 */
export function toColumns(data: DriftData, names?: readonly string[]): DriftColumns {
  if (!Array.isArray(data)) return data as DriftColumns;
  const rows = data as readonly Record<string, unknown>[];
  let cols = names;
  if (!cols) {
    const seen = new Set<string>();
    for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
    cols = [...seen];
  }
  const out: Record<string, unknown[]> = {};
  for (const c of cols) {
    const arr = new Array<unknown>(rows.length);
    for (let i = 0; i < rows.length; i++) arr[i] = rows[i]![c];
    out[c] = arr;
  }
  return out;
}

/**
 * Summarises every column of a table (rows or columns) so it can be stored, merged across
 * shards and passed to `detectDataDrift` later instead of the raw data.
 *
 * @example
 * ```ts
 * import { summarizeColumns } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const s = summarizeColumns([{ age: 30, purpose: "car" }, { age: 41, purpose: "home" }]);
 * assert.equal(s.age!.kind, "numeric");
 * assert.equal(s.purpose!.kind, "categorical");
 * ```
 */
export function summarizeColumns(
  data: DriftData,
  options: { columns?: readonly string[]; kinds?: Record<string, ColumnKind> } = {},
): Record<string, ColumnSummary> {
  const cols = toColumns(data, options.columns);
  const out: Record<string, ColumnSummary> = {};
  for (const name of options.columns ?? Object.keys(cols)) {
    const c = cols[name];
    if (c === undefined) continue;
    out[name] = isSummary(c) ? c : summarizeColumn(c, options.kinds?.[name]);
  }
  return out;
}
