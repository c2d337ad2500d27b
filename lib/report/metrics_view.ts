/**
 * A notebook view of a runtime metrics summary with charts.
 *
 * @module
 */
import { concatCharts } from "./concat_charts.ts";
import { displayBundle } from "./display_bundle.ts";
import { Displayable } from "./displayable.ts";
import { barChartSpec, histogramSpec, type VegaLiteSpec } from "./vega_lite.ts";

/** The parts of a `MetricsSummary` (from `MetricsCollector.getSummary()`) that {@link metricsView} reads. */
export interface MetricsSummaryLike {
  /** Latency in ms. */
  latencyMs: { avg: number; p50: number; p95: number; p99: number; max: number };
  /** Decisions by outcome. */
  decisions: Record<string, number>;
  /** Errors by type. */
  errors: { byType: Record<string, { count: number }> };
  /** Risk scores: count and 10 bins over [0, 1]. */
  riskScore: { count: number; bins: readonly number[] };
  /** The summary's own text and HTML. */
  toMimeBundle(): Record<string, string>;
}

/**
 * A `MetricsCollector` summary with charts: latency quantiles, decisions by outcome, errors
 * by type and the risk-score histogram, next to the summary's own HTML table.
 *
 * @example
 * ```ts
 * import { MetricsCollector } from "@evalkit/evalkit/tracking";
 * import { metricsView } from "@evalkit/evalkit/notebook";
 * const c = new MetricsCollector("loan_approval", { flushIntervalMs: 0 });
 * c.recordRequest("ok");
 * c.recordDuration(12);
 * c.recordDecision("approve");
 * const bundle = metricsView(c.getSummary()).bundle();
 * if (!("application/vnd.vegalite.v5+json" in bundle)) throw new Error("unexpected");
 * await c.close();
 * ```
 */
export function metricsView(summary: MetricsSummaryLike): Displayable {
  const own = summary.toMimeBundle();
  const l = summary.latencyMs;
  const charts: VegaLiteSpec[] = [
    barChartSpec(
      [
        { label: "avg", value: l.avg },
        { label: "p50", value: l.p50 },
        { label: "p95", value: l.p95 },
        { label: "p99", value: l.p99 },
        { label: "max", value: l.max },
      ].map((i) => ({ ...i, value: Number.isFinite(i.value) ? i.value : 0 })),
      { title: "Latency (ms)", valueTitle: "ms", width: 260 },
    ),
  ];
  const decisions = Object.entries(summary.decisions);
  if (decisions.length > 0) {
    charts.push(
      barChartSpec(decisions.map(([label, value]) => ({ label, value })), {
        title: "Decisions",
        valueTitle: "count",
        width: 260,
      }),
    );
  }
  const errors = Object.entries(summary.errors.byType);
  if (errors.length > 0) {
    charts.push(
      barChartSpec(errors.map(([label, v]) => ({ label, value: v.count })), {
        title: "Errors by type",
        valueTitle: "count",
        width: 260,
      }),
    );
  }
  if (summary.riskScore.count > 0) {
    const edges = Array.from(
      { length: summary.riskScore.bins.length + 1 },
      (_, i) => i / summary.riskScore.bins.length,
    );
    charts.push(
      histogramSpec(edges, { requests: summary.riskScore.bins }, {
        title: "Risk score",
        valueTitle: "risk score",
        width: 260,
        height: 140,
      }),
    );
  }
  return new Displayable(
    displayBundle({
      text: own["text/plain"] ?? "",
      html: own["text/html"] ?? "",
      vegaLite: concatCharts(charts, { columns: 2 }),
    }),
  );
}
