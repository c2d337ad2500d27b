/**
 * Pure numerics for evaluation and monitoring: quantile sketches, classification
 * metrics matching scikit-learn, ROC/PR AUC and confidence intervals.
 *
 * @example
 * ```ts
 * import { DDSketch } from "@evalkit/evalkit/stats";
 * import assert from "node:assert/strict";
 *
 * const s = new DDSketch();
 * s.add(10);
 * assert.equal(s.count, 1);
 * ```
 *
 * @module
 */
export { DDSketch } from "./ddsketch.ts";
export type { DDSketchJson, DDSketchOptions, DDSketchStoreJson } from "./ddsketch.ts";
export {
  chiSquareSf,
  kolmogorovSf,
  logGamma,
  regularizedGammaP,
  regularizedGammaQ,
  smirnovSf,
} from "./special_functions.ts";
export { ksTwoSample, sortedFinite, sortFloat64 } from "./kolmogorov_smirnov.ts";
export type { KsMethod, KsTwoSampleOptions, KsTwoSampleResult } from "./kolmogorov_smirnov.ts";
export { chiSquare, chiSquareContingency, chiSquareTwoSample } from "./chi_square.ts";
export type { ChiSquareOptions, ChiSquareResult, ChiSquareTwoSampleResult } from "./chi_square.ts";
export { jensenShannon } from "./jensen_shannon.ts";
export type { JensenShannonOptions } from "./jensen_shannon.ts";
export { wasserstein } from "./wasserstein.ts";
export type { WassersteinOptions } from "./wasserstein.ts";
export {
  binCounts,
  psi,
  PSI_EPSILON,
  psiBand,
  psiFromCounts,
  referenceQuantileEdges,
  sortedQuantile,
} from "./psi.ts";
export type { BinCountsOptions, PsiBand, PsiOptions, PsiResult } from "./psi.ts";
export { benjaminiHochberg, bonferroni } from "./multiple_testing.ts";
export type { BenjaminiHochbergOptions } from "./multiple_testing.ts";
export { classificationReport } from "./classification.ts";
export type {
  AveragedMetrics,
  BinaryMetrics,
  ClassificationReport,
  ClassificationReportOptions,
  ClassMetrics,
  ZeroDivision,
} from "./classification.ts";
export { averagePrecision, prAuc, rocAuc } from "./auc.ts";
export { meanStdCi } from "./summary.ts";
export type { MeanStdCi, MeanStdCiOptions } from "./summary.ts";
export { studentTCdf, studentTQuantile } from "./student_t.ts";
