/**
 * A Vega-Lite line chart of points, optionally in several series.
 *
 * @module
 */
import type { ChartOptions, VegaLiteSpec } from "./vega_lite.ts";

/** One point of {@link lineChartSpec}. */
export interface LinePoint {
  /** X value (a step, a time in ms, a run index). */
  x: number;
  /** Y value. */
  y: number;
  /** Series name (one line per series). */
  series?: string;
}

/**
 * A line chart with point marks (e.g. a metric's history by step, or a metric across runs).
 *
 * @example
 * ```ts
 * import { lineChartSpec } from "@evalkit/evalkit/report";
 * const spec = lineChartSpec([{ x: 0, y: 0.8 }, { x: 1, y: 0.9 }], { title: "accuracy", xTitle: "step" });
 * if ((spec.mark as { type: string }).type !== "line") throw new Error("unexpected");
 * ```
 */
export function lineChartSpec(
  points: readonly LinePoint[],
  options: ChartOptions & { xTitle?: string; yTitle?: string; xTemporal?: boolean } = {},
): VegaLiteSpec {
  const hasSeries = points.some((p) => p.series !== undefined);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 360,
    height: options.height ?? 200,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: "line", point: true, tooltip: true },
    encoding: {
      x: {
        field: "x",
        type: options.xTemporal ? "temporal" : "quantitative",
        title: options.xTitle ?? "x",
      },
      y: { field: "y", type: "quantitative", title: options.yTitle ?? "value" },
      ...(hasSeries ? { color: { field: "series", type: "nominal", title: null } } : {}),
    },
  };
}
