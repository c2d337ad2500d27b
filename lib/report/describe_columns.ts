/**
 * Column statistics of plain rows, as pandas' `DataFrame.describe(include="all")`.
 *
 * @module
 */
import { sortedQuantile } from "../stats/psi.ts";
import { meanStdCi } from "../stats/summary.ts";

/** Statistics of one column. Numeric fields are set for numeric columns, `top`/`freq` for others. */
export interface ColumnStats {
  /** Column name. */
  name: string;
  /** `numeric` when every present value is a finite number, else `categorical`. */
  kind: "numeric" | "categorical";
  /** Present (non-null, non-missing) values. */
  count: number;
  /** Missing values (null, undefined, NaN, empty string). */
  missing: number;
  /** Distinct present values. */
  unique: number;
  /** Mean (numeric). */
  mean?: number;
  /** Sample standard deviation, ddof 1 (numeric; NaN for one value). */
  std?: number;
  /** Minimum (numeric). */
  min?: number;
  /** 25th percentile, linear interpolation (numeric). */
  p25?: number;
  /** Median (numeric). */
  p50?: number;
  /** 75th percentile (numeric). */
  p75?: number;
  /** Maximum (numeric). */
  max?: number;
  /** Most frequent value (categorical; ties: first seen). */
  top?: string;
  /** Its count (categorical). */
  freq?: number;
}

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === "" || (typeof v === "number" && Number.isNaN(v));
}

/**
 * Count, missing, unique, mean, std (ddof 1), min, quartiles (linear interpolation, as
 * pandas) and max of numeric columns; count, missing, unique, top and freq of the others.
 * Columns default to the keys of the first row.
 *
 * @example
 * ```ts
 * import { describeColumns } from "@evalkit/evalkit/report";
 * const [age, city] = describeColumns([{ age: 30, city: "Oslo" }, { age: 40, city: "Oslo" }, { age: null, city: "Rome" }]);
 * if (age!.mean !== 35 || age!.missing !== 1 || city!.top !== "Oslo") throw new Error("unexpected");
 * ```
 */
export function describeColumns(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[] = Object.keys(rows[0] ?? {}),
): ColumnStats[] {
  return columns.map((name) => {
    const present: unknown[] = [];
    let missing = 0;
    for (const r of rows) {
      const v = r[name];
      if (isMissing(v)) missing++;
      else present.push(v);
    }
    const numeric = present.length > 0 &&
      present.every((v) => typeof v === "number" && Number.isFinite(v));
    const counts = new Map<string, number>();
    for (const v of present) {
      const k = typeof v === "string" ? v : JSON.stringify(v);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const base = { name, count: present.length, missing, unique: counts.size };
    if (numeric) {
      const xs = (present as number[]).toSorted((a, b) => a - b);
      const { mean, std } = meanStdCi(xs);
      return {
        ...base,
        kind: "numeric",
        mean,
        std,
        min: xs[0]!,
        p25: sortedQuantile(xs, 0.25),
        p50: sortedQuantile(xs, 0.5),
        p75: sortedQuantile(xs, 0.75),
        max: xs.at(-1)!,
      };
    }
    let top: string | undefined, freq = 0;
    for (const [k, c] of counts) {
      if (c > freq) {
        top = k;
        freq = c;
      }
    }
    return {
      ...base,
      kind: "categorical",
      ...(top !== undefined ? { top, freq } : {}),
    };
  });
}
