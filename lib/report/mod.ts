/**
 * Rendering of plain result data: HTML and Markdown tables, Vega-Lite chart specs, SVG for
 * artifacts, standalone HTML reports and Jupyter display bundles. Generic: evaluation and
 * drift results both use it; nothing here knows their types.
 *
 * @example
 * ```ts
 * import { displayBundle, markdownTable } from "@evalkit/evalkit/report";
 * const md = markdownTable(["metric", "value"], [["accuracy_score", 0.93]]);
 * const bundle = displayBundle({ text: md, markdown: md });
 * if (!("text/markdown" in bundle)) throw new Error("unexpected");
 * ```
 *
 * @module
 */
export { escapeHtml, formatValue } from "./format.ts";
export { htmlTable, markdownTable } from "./tables.ts";
export type { TableOptions } from "./tables.ts";
export { confusionMatrixSvg } from "./svg_confusion_matrix.ts";
export type { ConfusionMatrixSvgOptions } from "./svg_confusion_matrix.ts";
export { barChartSpec, heatmapSpec, histogramSpec } from "./vega_lite.ts";
export type { ChartOptions, VegaLiteSpec } from "./vega_lite.ts";
export { displayBundle } from "./display_bundle.ts";
export type { DisplayParts } from "./display_bundle.ts";
export { htmlReport } from "./html_report.ts";
export type { HtmlReportInput, ReportSection } from "./html_report.ts";
export { binValues } from "./histogram.ts";
export type { Binned, BinOptions } from "./histogram.ts";
export { lineChartSpec } from "./line_chart.ts";
export type { LinePoint } from "./line_chart.ts";
export { concatCharts } from "./concat_charts.ts";
export { Displayable, displayable } from "./displayable.ts";
export { barChartSvg } from "./svg_bar_chart.ts";
export type { BarChartSvgOptions } from "./svg_bar_chart.ts";
export { lineChartSvg } from "./svg_line_chart.ts";
export type { LineChartSvgOptions } from "./svg_line_chart.ts";
export { histogramSvg } from "./svg_histogram.ts";
export type { HistogramSvgOptions } from "./svg_histogram.ts";
export { describeColumns } from "./describe_columns.ts";
export type { ColumnStats } from "./describe_columns.ts";
export { DatasetView, datasetView } from "./dataset_view.ts";
export type { DatasetViewOptions, DatasetViewSource } from "./dataset_view.ts";
export { compareRuns, RunComparison } from "./run_comparison.ts";
export type { ComparedRun, CompareRunsOptions, RunLike } from "./run_comparison.ts";
export { driftFromReportJson, runReport } from "./run_report.ts";
export type { RunReportDriftFeature, RunReportInput, RunReportOptions } from "./run_report.ts";
