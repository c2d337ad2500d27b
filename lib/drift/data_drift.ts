/**
 * Per-feature data drift between a reference and a current table.
 *
 * @module
 */
import { chiSquareTwoSample } from "../stats/chi_square.ts";
import { jensenShannon } from "../stats/jensen_shannon.ts";
import { type KsMethod, ksTwoSample } from "../stats/kolmogorov_smirnov.ts";
import { benjaminiHochberg, bonferroni } from "../stats/multiple_testing.ts";
import {
  binCounts,
  PSI_EPSILON,
  psiBand,
  psiFromCounts,
  referenceQuantileEdges,
} from "../stats/psi.ts";
import { kolmogorovSf } from "../stats/special_functions.ts";
import { wasserstein } from "../stats/wasserstein.ts";
import { DriftReport } from "./drift_report.ts";
import type {
  DriftReportData,
  DriftTest,
  FeatureDistribution,
  FeatureDrift,
  WassersteinStatistic,
} from "./types.ts";
import {
  type CategoricalSummary,
  type ColumnKind,
  type ColumnSummary,
  type DriftData,
  type HistogramSummary,
  inferColumnKind,
  isSummary,
  type NumericSummary,
  summarizeColumn,
  toColumns,
} from "./summaries.ts";

/**
 * Default decision thresholds: p-value tests drift below, distances at or above.
 *
 * @example
 * ```ts
 * import { DEFAULT_THRESHOLDS, detectDataDrift } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const f = detectDataDrift({ x: [1, 2, 3, 4] }, { x: [1, 2, 3, 5] }).features[0]!;
 * assert.equal(f.threshold, DEFAULT_THRESHOLDS.ks);
 * ```
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftTest, number>> = Object.freeze({
  ks: 0.05,
  chi_square: 0.05,
  wasserstein: 0.1,
  jensen_shannon: 0.1,
  psi: 0.25,
});

/** Per-column overrides for {@linkcode detectDataDrift}. */
export interface ColumnDriftOptions {
  /** Force the column's kind (default: inferred from the values). */
  kind?: ColumnKind;
  /** The test that decides drift for this column. */
  test?: DriftTest;
  /** The threshold for that test. */
  threshold?: number;
}

/** Options for {@linkcode detectDataDrift}. */
export interface DataDriftOptions {
  /** Feature columns to test (default: every column of the reference except `target`). */
  columns?: readonly string[];
  /** Per-column overrides of kind, test and threshold. */
  perColumn?: Record<string, ColumnDriftOptions>;
  /** Target column (present in both tables): tested as target drift, not counted in the share. */
  target?: string;
  /** Model predictions (outcomes) for both tables: tested as prediction drift. */
  predictions?: { reference: ArrayLike<unknown>; current: ArrayLike<unknown>; name?: string };
  /** Multiple-testing correction across p-value tests: "bh" (default), "bonferroni" or "none". */
  correction?: "bh" | "bonferroni" | "none";
  /**
   * Dataset drift when the share of drifted features is at least this. Default 0: any
   * drifted feature (after the multiple-testing correction) flags the dataset. Evidently's
   * preset uses 0.5.
   */
  driftShare?: number;
  /** Reference sizes up to this use p-value tests (KS, chi-square); above, distances (Wasserstein, JS). Default 1000. */
  sizeThreshold?: number;
  /** Override default thresholds per test. */
  thresholds?: Partial<Record<DriftTest, number>>;
  /** KS p-value method (default "auto": exact up to 10,000 per sample). */
  ksMethod?: "auto" | "exact" | "asymp";
  /** Reference-quantile bins for numeric PSI (default 10, deciles). */
  psiBins?: number;
  /** Floor for empty PSI bins (default 1e-4). */
  psiEpsilon?: number;
  /** Log base of the Jensen–Shannon distance (default e, as SciPy/Evidently). */
  jsBase?: number;
  /** Numeric columns with at most this many distinct values are tested as categorical (default 5). */
  maxDiscreteValues?: number;
  /** Equal-width bins of the numeric distribution charts (default 20). */
  chartBins?: number;
  /** Names shown for the two tables. */
  referenceName?: string;
  /** Names shown for the two tables. */
  currentName?: string;
}

const P_VALUE_TESTS: ReadonlySet<DriftTest> = new Set(["ks", "chi_square"]);

/** Standard deviation with ddof 0, optionally weighted (histogram midpoints by their counts). */
function populationStd(values: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let total = 0, mean = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? weights[i]! : 1;
    total += w;
    mean += w * values[i]!;
  }
  mean /= total;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    ss += (weights ? weights[i]! : 1) * (d * d);
  }
  return Math.sqrt(ss / total);
}

const WASSERSTEIN_STD_FLOOR = 0.001;

/** The stored Wasserstein statistic: W1 and W1 normed by the reference std (floored). */
function wassersteinStatistic(
  distance: number,
  referenceStd: number,
  n1: number,
  n2: number,
  approximate: boolean,
): WassersteinStatistic {
  return {
    distance,
    normed: distance / Math.max(referenceStd, WASSERSTEIN_STD_FLOOR),
    referenceStd,
    stdFloor: WASSERSTEIN_STD_FLOOR,
    n1,
    n2,
    ...(approximate ? { approximate: true } : {}),
  };
}

function distinctCount(s: Float64Array, limit: number, seen: Set<number>): void {
  for (let i = 0; i < s.length && seen.size <= limit; i++) {
    if (i === 0 || s[i] !== s[i - 1]) seen.add(s[i]!);
  }
}

function numericToCategorical(s: NumericSummary): CategoricalSummary {
  const counts: Record<string, number> = {};
  const a = s.sorted;
  let i = 0;
  while (i < a.length) {
    let j = i;
    while (j < a.length && a[j] === a[i]) j++;
    counts[String(a[i])] = j - i;
    i = j;
  }
  return { kind: "categorical", count: s.count, missing: s.missing, counts };
}

function histogramAsCategorical(h: HistogramSummary): CategoricalSummary {
  const counts: Record<string, number> = {};
  h.counts.forEach((c, i) => counts[`[${h.edges[i]}, ${h.edges[i + 1]})`] = c);
  return { kind: "categorical", count: h.count, missing: h.missing, counts };
}

function side(s: ColumnSummary) {
  const total = s.count + s.missing;
  return { count: s.count, missing: s.missing, missingShare: total ? s.missing / total : 0 };
}

interface Resolved {
  thresholds: Record<DriftTest, number>;
  sizeThreshold: number;
  ksMethod: KsMethod;
  psiBins: number;
  psiEpsilon: number;
  jsBase: number;
  maxDiscreteValues: number;
  chartBins: number;
}

function categoricalStats(ref: CategoricalSummary, cur: CategoricalSummary, o: Resolved) {
  const chi = chiSquareTwoSample(ref.counts, cur.counts);
  const cats = chi.categories;
  const rc = cats.map((k) => ref.counts[k] ?? 0);
  const cc = cats.map((k) => cur.counts[k] ?? 0);
  const js = jensenShannon(rc, cc, { base: o.jsBase });
  const psiValue = psiFromCounts(rc, cc, { epsilon: o.psiEpsilon });
  return {
    chiSquare: {
      statistic: chi.statistic,
      pValue: chi.pValue,
      dof: chi.dof,
      categories: cats,
      unseenCategories: chi.unseenCategories,
      n1: ref.count,
      n2: cur.count,
    },
    jensenShannon: { distance: js, base: o.jsBase, categories: cats, n1: ref.count, n2: cur.count },
    psi: {
      value: psiValue,
      band: psiBand(psiValue),
      binning: "categories" as const,
      categories: cats,
      referenceCounts: rc,
      currentCounts: cc,
      epsilon: o.psiEpsilon,
    },
  };
}

function categoricalDistribution(
  stats: ReturnType<typeof categoricalStats>,
  top = 20,
): FeatureDistribution {
  const { categories, referenceCounts: r, currentCounts: c } = stats.psi;
  const idx = categories.map((_, i) => i).sort((a, b) => r[b]! + c[b]! - (r[a]! + c[a]!));
  const keep = idx.slice(0, top);
  const rest = idx.slice(top);
  const out = {
    type: "categories" as const,
    categories: keep.map((i) => categories[i]!),
    reference: keep.map((i) => r[i]!),
    current: keep.map((i) => c[i]!),
  };
  if (rest.length) {
    out.categories.push("(other)");
    out.reference.push(rest.reduce((s, i) => s + r[i]!, 0));
    out.current.push(rest.reduce((s, i) => s + c[i]!, 0));
  }
  return out;
}

function compareColumn(
  name: string,
  role: FeatureDrift["role"],
  ref: ColumnSummary,
  cur: ColumnSummary,
  col: ColumnDriftOptions,
  o: Resolved,
): FeatureDrift {
  const kind: ColumnKind = ref.kind === "categorical" ? "categorical" : "numeric";
  const base = { name, role, kind, reference: side(ref), current: side(cur) };
  const empty = ref.count === 0 ? "reference" : cur.count === 0 ? "current" : undefined;
  if (empty) {
    const test = col.test ?? (kind === "numeric" ? "ks" : "chi_square");
    return {
      ...base,
      testedAs: kind,
      status: "skipped",
      skipReason: `no non-missing values in the ${empty} table`,
      test,
      threshold: col.threshold ?? o.thresholds[test],
      score: NaN,
      drifted: false,
      statistics: {},
    };
  }
  let testedAs: ColumnKind = kind;
  let r = ref, c = cur;
  if (
    ref.kind === "numeric" && cur.kind === "numeric" && col.test !== "ks" &&
    col.test !== "wasserstein"
  ) {
    const seen = new Set<number>();
    distinctCount(ref.sorted, o.maxDiscreteValues, seen);
    distinctCount(cur.sorted, o.maxDiscreteValues, seen);
    if (seen.size <= o.maxDiscreteValues) {
      testedAs = "categorical";
      r = numericToCategorical(ref);
      c = numericToCategorical(cur);
    }
  }
  const small = ref.count <= o.sizeThreshold;
  const statistics: FeatureDrift["statistics"] = {};
  let distribution: FeatureDistribution;
  let unseen: string[] | undefined;
  if (r.kind === "categorical" && c.kind === "categorical") {
    const s = categoricalStats(r, c, o);
    Object.assign(statistics, s);
    unseen = s.chiSquare.unseenCategories;
    distribution = categoricalDistribution(s);
  } else if (r.kind === "numeric" && c.kind === "numeric") {
    const ks = ksTwoSample(r.sorted, c.sorted, { method: o.ksMethod, sorted: true });
    statistics.ks = {
      statistic: ks.statistic,
      pValue: ks.pValue,
      method: ks.method,
      n1: ks.n1,
      n2: ks.n2,
    };
    statistics.wasserstein = wassersteinStatistic(
      wasserstein(r.sorted, c.sorted, { sorted: true }),
      populationStd(r.sorted),
      r.count,
      c.count,
      false,
    );
    const edges = referenceQuantileEdges(r.sorted, o.psiBins);
    const rc = binCounts(r.sorted, edges, { sorted: true });
    const cc = binCounts(c.sorted, edges, { sorted: true });
    const pv = psiFromCounts(rc, cc, { epsilon: o.psiEpsilon });
    statistics.psi = {
      value: pv,
      band: psiBand(pv),
      binning: "reference-quantiles",
      edges,
      referenceCounts: rc,
      currentCounts: cc,
      epsilon: o.psiEpsilon,
    };
    const lo = Math.min(r.sorted[0]!, c.sorted[0]!);
    const hi = Math.max(r.sorted[r.count - 1]!, c.sorted[c.count - 1]!);
    const nb = hi > lo ? o.chartBins : 1;
    const inner = Array.from({ length: nb - 1 }, (_, i) => lo + ((hi - lo) * (i + 1)) / nb);
    distribution = {
      type: "histogram",
      edges: [lo, ...inner, hi],
      reference: binCounts(r.sorted, inner, { sorted: true }),
      current: binCounts(c.sorted, inner, { sorted: true }),
    };
  } else if (r.kind === "histogram" && c.kind === "histogram") {
    const s = categoricalStats(histogramAsCategorical(r), histogramAsCategorical(c), o);
    statistics.chiSquare = s.chiSquare;
    statistics.jensenShannon = s.jensenShannon;
    statistics.psi = { ...s.psi, binning: "histogram", categories: undefined, edges: r.edges };
    // KS on the binned CDFs (a lower bound of D), asymptotic p-value
    let fr = 0, fc = 0, d = 0;
    for (let i = 0; i < r.counts.length; i++) {
      fr += r.counts[i]! / r.count;
      fc += c.counts[i]! / c.count;
      d = Math.max(d, Math.abs(fr - fc));
    }
    const mids = r.counts.map((_, i) => (r.edges[i]! + r.edges[i + 1]!) / 2);
    const en = Math.round((r.count * c.count) / (r.count + c.count));
    statistics.ks = {
      statistic: d,
      pValue: Math.min(Math.max(kolmogorovSf(en, d), 0), 1),
      method: "binned",
      n1: r.count,
      n2: c.count,
      approximate: true,
    };
    statistics.wasserstein = wassersteinStatistic(
      wasserstein(mids, mids, { uWeights: r.counts, vWeights: c.counts }),
      populationStd(mids, r.counts),
      r.count,
      c.count,
      true,
    );
    distribution = { type: "histogram", edges: r.edges, reference: r.counts, current: c.counts };
  } else {
    throw new TypeError(
      `Expected column ${name} to have the same kind on both sides but found ${ref.kind} and ${cur.kind}`,
    );
  }
  const defaultTest: DriftTest = testedAs === "categorical"
    ? (small ? "chi_square" : "jensen_shannon")
    : (small ? "ks" : "wasserstein");
  const test = col.test ?? defaultTest;
  const threshold = col.threshold ?? o.thresholds[test];
  const score = scoreOf(test, statistics, name);
  return {
    ...base,
    testedAs,
    status: "tested",
    test,
    threshold,
    score,
    drifted: P_VALUE_TESTS.has(test) ? score < threshold : score >= threshold,
    statistics,
    ...(unseen && unseen.length ? { unseenCategories: unseen } : {}),
    distribution,
  };
}

function scoreOf(test: DriftTest, s: FeatureDrift["statistics"], name: string): number {
  const v = test === "ks"
    ? s.ks?.pValue
    : test === "chi_square"
    ? s.chiSquare?.pValue
    : test === "wasserstein"
    ? s.wasserstein?.normed
    : test === "jensen_shannon"
    ? s.jensenShannon?.distance
    : s.psi?.value;
  if (v === undefined) {
    throw new RangeError(
      `Expected test "${test}" to apply to column ${name} but it does not (wrong column kind)`,
    );
  }
  return v;
}

function resolve(options: DataDriftOptions): Resolved {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  return {
    thresholds,
    sizeThreshold: options.sizeThreshold ?? 1000,
    ksMethod: options.ksMethod ?? "auto",
    psiBins: options.psiBins ?? 10,
    psiEpsilon: options.psiEpsilon ?? PSI_EPSILON,
    jsBase: options.jsBase ?? Math.E,
    maxDiscreteValues: options.maxDiscreteValues ?? 5,
    chartBins: options.chartBins ?? 20,
  };
}

function summaryOf(
  v: ArrayLike<unknown> | ColumnSummary | undefined,
  kind?: ColumnKind,
): ColumnSummary {
  if (v === undefined) return summarizeColumn([], kind ?? "numeric");
  return isSummary(v) ? v : summarizeColumn(v, kind);
}

function pairKind(
  rv: ArrayLike<unknown> | ColumnSummary | undefined,
  cv: ArrayLike<unknown> | ColumnSummary | undefined,
  col: ColumnDriftOptions,
): ColumnKind {
  if (col.kind) return col.kind;
  const kinds = [rv, cv].map((v) =>
    v === undefined
      ? "numeric"
      : isSummary(v)
      ? (v.kind === "categorical" ? "categorical" : "numeric")
      : inferColumnKind(v)
  );
  return kinds.includes("categorical") ? "categorical" : "numeric";
}

function rowCount(cols: Record<string, ArrayLike<unknown> | ColumnSummary>): number {
  for (const v of Object.values(cols)) return isSummary(v) ? v.count + v.missing : v.length;
  return 0;
}

/**
 * Detects data drift feature by feature between a reference table and a current one
 * (rows, or columns as arrays / typed arrays / {@linkcode ColumnSummary} values).
 *
 * For each feature the deciding test is chosen by kind and reference size (overridable per
 * column): numeric — two-sample KS p-value (≤ `sizeThreshold` reference values) or the
 * Wasserstein distance normed by the reference std (above); categorical (and numeric
 * columns with ≤ 5 distinct values) — chi-square p-value on the 2×k table, unseen
 * categories included (small), or the Jensen–Shannon distance (large). KS, Wasserstein and
 * PSI (reference deciles) are always computed for numeric columns; chi-square, JS and PSI
 * (one bin per category) for categorical ones. p-values are corrected across features
 * (Benjamini–Hochberg by default). Missing values follow the NaN policy of
 * {@linkcode summarizeColumn}; a feature with no values on a side is skipped, not drifted.
 *
 * @example
 * ```ts
 * import { detectDataDrift } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const ref = { income: Array.from({ length: 200 }, (_, i) => 30000 + i * 100) };
 * const cur = { income: Array.from({ length: 200 }, (_, i) => 45000 + i * 100) };
 * const report = detectDataDrift(ref, cur);
 * assert.equal(report.features[0]!.test, "ks");
 * assert.equal(report.summary.driftDetected, true);
 * ```
 */
export function detectDataDrift(
  reference: DriftData,
  current: DriftData,
  options: DataDriftOptions = {},
): DriftReport {
  const o = resolve(options);
  const refCols = toColumns(reference);
  const curCols = toColumns(current, Array.isArray(current) ? Object.keys(refCols) : undefined);
  const names = options.columns ?? Object.keys(refCols).filter((n) => n !== options.target);
  const features: FeatureDrift[] = [];
  for (const name of names) {
    const col = options.perColumn?.[name] ?? {};
    const rv = refCols[name], cv = curCols[name];
    const kind = pairKind(rv, cv, col);
    features.push(compareColumn(name, "feature", summaryOf(rv, kind), summaryOf(cv, kind), col, o));
  }
  let target: FeatureDrift | undefined;
  if (options.target !== undefined && refCols[options.target] && curCols[options.target]) {
    const col = options.perColumn?.[options.target] ?? {};
    const rv = refCols[options.target], cv = curCols[options.target];
    const kind = pairKind(rv, cv, col);
    const r = summaryOf(rv, kind), c = summaryOf(cv, kind);
    target = compareColumn(options.target, "target", r, c, col, o);
  }
  let prediction: FeatureDrift | undefined;
  if (options.predictions) {
    const name = options.predictions.name ?? "prediction";
    const col = options.perColumn?.[name] ?? {};
    const { reference: rv, current: cv } = options.predictions;
    const kind = pairKind(rv, cv, col);
    const r = summaryOf(rv, kind), c = summaryOf(cv, kind);
    prediction = compareColumn(name, "prediction", r, c, col, o);
  }
  // multiple-testing correction over every p-value decision
  const correction = options.correction ?? "bh";
  const all = [...features, ...(target ? [target] : []), ...(prediction ? [prediction] : [])];
  const pv = all.filter((f) => f.status === "tested" && P_VALUE_TESTS.has(f.test));
  const raw = pv.map((f) => f.score);
  const adj = correction === "bh"
    ? benjaminiHochberg(raw)
    : correction === "bonferroni"
    ? bonferroni(raw)
    : raw;
  pv.forEach((f, i) => {
    f.adjustedPValue = adj[i]!;
    f.drifted = adj[i]! < f.threshold;
  });
  const tested = features.filter((f) => f.status === "tested");
  const drifted = tested.filter((f) => f.drifted);
  const share = tested.length ? drifted.length / tested.length : 0;
  const driftShare = options.driftShare ?? 0;
  const datasetDrift = drifted.length > 0 && share >= driftShare;
  const data: DriftReportData = {
    format: "evalkit.drift_report/v1",
    createdAt: new Date().toISOString(),
    reference: { name: options.referenceName ?? "reference", rows: rowCount(refCols) },
    current: { name: options.currentName ?? "current", rows: rowCount(curCols) },
    settings: {
      correction,
      driftShare,
      sizeThreshold: o.sizeThreshold,
      thresholds: o.thresholds,
      ksMethod: o.ksMethod,
      psiBins: o.psiBins,
      psiEpsilon: o.psiEpsilon,
      jsBase: o.jsBase,
      maxDiscreteValues: o.maxDiscreteValues,
    },
    features,
    ...(target ? { target } : {}),
    ...(prediction ? { prediction } : {}),
    summary: {
      featureCount: features.length,
      testedCount: tested.length,
      driftedCount: drifted.length,
      share,
      driftedFeatures: drifted.map((f) => f.name),
      skippedFeatures: features.filter((f) => f.status === "skipped").map((f) => f.name),
      datasetDrift,
      targetDrift: target?.drifted ?? false,
      predictionDrift: prediction?.drifted ?? false,
      driftDetected: datasetDrift || (target?.drifted ?? false) || (prediction?.drifted ?? false),
    },
  };
  return new DriftReport(data);
}
