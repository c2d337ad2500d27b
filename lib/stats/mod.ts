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
