/**
 * The plain data of drift detection: the tests, the statistics of one feature, and the
 * report's data. Its own file so that detection (`data_drift.ts`), the report
 * (`drift_report.ts`) and its rendering (`_render.ts`) all import types from here and
 * never from each other in a circle.
 *
 * @module
 */
import type { ColumnKind } from "./summaries.ts";

/** A drift test that can decide whether a feature drifted. */
export type DriftTest = "ks" | "wasserstein" | "chi_square" | "jensen_shannon" | "psi";

/** Kolmogorov–Smirnov result as stored in a report. */
export interface KsStatistic {
  /** D. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** The method used ("exact" or "asymp"; "binned" for histogram summaries). */
  method: string;
  /** Reference size. */
  n1: number;
  /** Current size. */
  n2: number;
  /** True when computed from histograms (D is a lower bound). */
  approximate?: boolean;
}

/** Wasserstein result as stored in a report. */
export interface WassersteinStatistic {
  /** W1 in the column's units. */
  distance: number;
  /** W1 / max(reference std, 0.001) (std with ddof 0). */
  normed: number;
  /** Reference standard deviation (population). */
  referenceStd: number;
  /** The floor applied to the std. */
  stdFloor: number;
  /** Reference size. */
  n1: number;
  /** Current size. */
  n2: number;
  /** True when computed from histogram midpoints. */
  approximate?: boolean;
}

/** Chi-square result as stored in a report. */
export interface ChiSquareStatistic {
  /** Pearson statistic on the 2×k table (no continuity correction). */
  statistic: number;
  /** p-value. */
  pValue: number;
  /** Degrees of freedom (k − 1). */
  dof: number;
  /** Categories (or bins) in the table. */
  categories: string[];
  /** Categories only in the current table. */
  unseenCategories: string[];
  /** Reference size. */
  n1: number;
  /** Current size. */
  n2: number;
}

/** Jensen–Shannon result as stored in a report. */
export interface JensenShannonStatistic {
  /** The distance (square root of the divergence). */
  distance: number;
  /** Log base. */
  base: number;
  /** Categories (or bins) compared. */
  categories: string[];
  /** Reference size. */
  n1: number;
  /** Current size. */
  n2: number;
}

/** PSI result as stored in a report. */
export interface PsiStatistic {
  /** The index. */
  value: number;
  /** Its band. */
  band: "stable" | "moderate" | "significant";
  /** "reference-quantiles", "categories" or "histogram". */
  binning: "reference-quantiles" | "categories" | "histogram";
  /** Inner bin edges (numeric). */
  edges?: number[];
  /** Categories (categorical). */
  categories?: string[];
  /** Reference count per bin. */
  referenceCounts: number[];
  /** Current count per bin. */
  currentCounts: number[];
  /** Floor for empty bins. */
  epsilon: number;
}

/** Distribution of a feature in both tables, for charts. */
export type FeatureDistribution =
  | { type: "histogram"; edges: number[]; reference: number[]; current: number[] }
  | { type: "categories"; categories: string[]; reference: number[]; current: number[] };

/** Drift of one feature, with every statistic and how it was computed. */
export interface FeatureDrift {
  /** Column name. */
  name: string;
  /** "feature", "prediction" or "target". */
  role: "feature" | "prediction" | "target";
  /** The column's kind. */
  kind: ColumnKind;
  /** How it was tested (numeric columns with few distinct values are tested as categorical). */
  testedAs: ColumnKind;
  /** "tested", or "skipped" with a reason (no non-missing values on a side). */
  status: "tested" | "skipped";
  /** Why it was skipped. */
  skipReason?: string;
  /** Reference counts. */
  reference: { count: number; missing: number; missingShare: number };
  /** Current counts. */
  current: { count: number; missing: number; missingShare: number };
  /** The deciding test. */
  test: DriftTest;
  /** Its threshold. */
  threshold: number;
  /** The deciding score (p-value for KS/chi-square, distance or PSI otherwise). */
  score: number;
  /** Adjusted p-value (p-value tests, after the multiple-testing correction). */
  adjustedPValue?: number;
  /** Whether the feature drifted. */
  drifted: boolean;
  /** Every statistic computed. */
  statistics: {
    ks?: KsStatistic;
    wasserstein?: WassersteinStatistic;
    chiSquare?: ChiSquareStatistic;
    jensenShannon?: JensenShannonStatistic;
    psi?: PsiStatistic;
  };
  /** Categories seen only in the current table. */
  unseenCategories?: string[];
  /** Distribution for charts. */
  distribution?: FeatureDistribution;
}

/** The settings a report was computed with. */
export interface DriftSettings {
  /** Multiple-testing correction. */
  correction: "bh" | "bonferroni" | "none";
  /** Share of drifted features that flags the dataset (0 = any). */
  driftShare: number;
  /** Reference size up to which p-value tests decide. */
  sizeThreshold: number;
  /** Thresholds per test. */
  thresholds: Record<DriftTest, number>;
  /** KS p-value method requested. */
  ksMethod: string;
  /** Numeric PSI bins (reference quantiles). */
  psiBins: number;
  /** PSI empty-bin floor. */
  psiEpsilon: number;
  /** Jensen–Shannon log base. */
  jsBase: number;
  /** Numeric columns with at most this many distinct values are tested as categorical. */
  maxDiscreteValues: number;
}

/** Dataset-level outcome. */
export interface DriftSummary {
  /** Features requested. */
  featureCount: number;
  /** Features tested (not skipped). */
  testedCount: number;
  /** Features that drifted. */
  driftedCount: number;
  /** driftedCount / testedCount (0 when nothing was tested). */
  share: number;
  /** Names of drifted features. */
  driftedFeatures: string[];
  /** Names of skipped features. */
  skippedFeatures: string[];
  /** Share rule met. */
  datasetDrift: boolean;
  /** Target distribution drifted. */
  targetDrift: boolean;
  /** Prediction (outcome) distribution drifted. */
  predictionDrift: boolean;
  /** Any of the three. */
  driftDetected: boolean;
}

/** The plain data of a {@linkcode DriftReport} (what `toJSON()` returns). */
export interface DriftReportData {
  /** Format tag. */
  format: "evalkit.drift_report/v1";
  /** When it was computed (ISO 8601). */
  createdAt: string;
  /** Reference table. */
  reference: { name: string; rows: number };
  /** Current table. */
  current: { name: string; rows: number };
  /** Settings used. */
  settings: DriftSettings;
  /** Per-feature results. */
  features: FeatureDrift[];
  /** Target drift. */
  target?: FeatureDrift;
  /** Prediction drift. */
  prediction?: FeatureDrift;
  /** Dataset-level outcome. */
  summary: DriftSummary;
}
