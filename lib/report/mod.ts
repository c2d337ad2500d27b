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
