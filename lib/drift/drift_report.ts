/**
 * The drift report: plain data plus rendering (text, HTML, Vega-Lite, notebook display)
 * and MLflow metrics.
 *
 * @module
 */
import { displayBundle } from "../report/display_bundle.ts";
import type { DriftReportData, DriftSettings, DriftSummary, FeatureDrift } from "./types.ts";
import {
  headline,
  renderHtmlPage,
  renderHtmlTable,
  renderText,
  renderVegaLite,
} from "./_render.ts";

/**
 * Replaces characters MLflow does not accept in metric keys (and "/") by "_".
 *
 * @example
 * ```ts
 * import { metricSafeName } from "./drift_report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(metricSafeName("income/USD*"), "income_USD_");
 * ```
 */
export function metricSafeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_\-. :]/g, "_");
}

/**
 * A drift report: plain data (`features`, `summary`, …) plus renderers. Displays itself in
 * Jupyter (Deno kernel) through `Symbol.for("Jupyter.display")` without touching
 * `Deno.jupyter`.
 *
 * @example
 * ```ts
 * import { detectDataDrift } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const report = detectDataDrift({ x: [1, 2, 3, 4, 5, 6] }, { x: [1, 2, 3, 4, 5, 7] });
 * assert.equal(typeof report.toMetrics()["drift/share"], "number");
 * assert.match(report.toHtml(), /<table/);
 * ```
 */
export class DriftReport implements DriftReportData {
  /** Format tag. */
  readonly format: "evalkit.drift_report/v1";
  /** When it was computed. */
  readonly createdAt: string;
  /** Reference table. */
  readonly reference: { name: string; rows: number };
  /** Current table. */
  readonly current: { name: string; rows: number };
  /** Settings used. */
  readonly settings: DriftSettings;
  /** Per-feature results. */
  readonly features: FeatureDrift[];
  /** Target drift. */
  readonly target?: FeatureDrift;
  /** Prediction drift. */
  readonly prediction?: FeatureDrift;
  /** Dataset-level outcome. */
  readonly summary: DriftSummary;

  /** Wraps report data (e.g. parsed from a `drift_report.json` artifact). */
  constructor(data: DriftReportData) {
    this.format = data.format;
    this.createdAt = data.createdAt;
    this.reference = data.reference;
    this.current = data.current;
    this.settings = data.settings;
    this.features = data.features;
    if (data.target) this.target = data.target;
    if (data.prediction) this.prediction = data.prediction;
    this.summary = data.summary;
  }

  /** True when the dataset, the target or the predictions drifted. */
  get driftDetected(): boolean {
    return this.summary.driftDetected;
  }

  /** The plain data (JSON-safe: NaN becomes null through JSON.stringify). */
  toJSON(): DriftReportData {
    const out: DriftReportData = {
      format: this.format,
      createdAt: this.createdAt,
      reference: this.reference,
      current: this.current,
      settings: this.settings,
      features: this.features,
      summary: this.summary,
    };
    if (this.target) out.target = this.target;
    if (this.prediction) out.prediction = this.prediction;
    return out;
  }

  /**
   * MLflow metrics: `drift/<feature>/<statistic>` for every computed statistic
   * (ks_statistic, ks_pvalue, wasserstein, wasserstein_norm, chi2_statistic, chi2_pvalue,
   * js_distance, psi, p_value_adjusted, score, drifted, missing_share) and `drift/share`,
   * `drift/drifted_count`, `drift/tested_count`, `drift/dataset_drift`,
   * `drift/target_drift`, `drift/prediction_drift`, `drift/detected`. Non-finite values are
   * left out.
   */
  toMetrics(): Record<string, number> {
    const m: Record<string, number> = {};
    const put = (k: string, v: number | undefined) => {
      if (v !== undefined && Number.isFinite(v)) m[k] = v;
    };
    for (const f of [...this.features, this.target, this.prediction]) {
      if (!f) continue;
      const p = `drift/${metricSafeName(f.name)}`;
      put(`${p}/missing_share`, f.current.missingShare);
      if (f.status !== "tested") continue;
      const s = f.statistics;
      put(`${p}/drifted`, f.drifted ? 1 : 0);
      put(`${p}/score`, f.score);
      put(`${p}/p_value_adjusted`, f.adjustedPValue);
      put(`${p}/ks_statistic`, s.ks?.statistic);
      put(`${p}/ks_pvalue`, s.ks?.pValue);
      put(`${p}/wasserstein`, s.wasserstein?.distance);
      put(`${p}/wasserstein_norm`, s.wasserstein?.normed);
      put(`${p}/chi2_statistic`, s.chiSquare?.statistic);
      put(`${p}/chi2_pvalue`, s.chiSquare?.pValue);
      put(`${p}/js_distance`, s.jensenShannon?.distance);
      put(`${p}/psi`, s.psi?.value);
    }
    const s = this.summary;
    put("drift/share", s.share);
    put("drift/drifted_count", s.driftedCount);
    put("drift/tested_count", s.testedCount);
    put("drift/dataset_drift", s.datasetDrift ? 1 : 0);
    put("drift/target_drift", s.targetDrift ? 1 : 0);
    put("drift/prediction_drift", s.predictionDrift ? 1 : 0);
    put("drift/detected", s.driftDetected ? 1 : 0);
    return m;
  }

  /** A readable multi-line summary (one line per feature). */
  toText(): string {
    return renderText(this);
  }

  /** A standalone HTML page: headline, per-feature table with inline SVG distributions, settings. */
  toHtml(): string {
    return renderHtmlPage(this);
  }

  /** A Vega-Lite v5 spec with one distribution chart per feature (reference vs current shares). */
  toVegaLite(): Record<string, unknown> {
    return renderVegaLite(this);
  }

  /** One line: the verdict and the drift share. */
  headline(): string {
    return headline(this);
  }

  /** Notebook display bundle: text/plain, text/html with the charts inline, Vega-Lite and SVG. */
  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    return displayBundle({
      text: this.toText(),
      html: renderHtmlTable(this),
      vegaLite: this.toVegaLite(),
    });
  }

  /** Rebuilds a report from its JSON (as written by `logDriftReport`). */
  static fromJSON(json: string | DriftReportData): DriftReport {
    return new DriftReport(typeof json === "string" ? JSON.parse(json) : json);
  }
}
