/**
 * Several Vega-Lite charts in one spec (a display bundle carries one chart).
 *
 * @module
 */
import type { VegaLiteSpec } from "./vega_lite.ts";

/**
 * Lays charts out in a grid (`concat` with `columns`), each keeping its own data. Returns
 * the single chart unchanged when given one.
 *
 * @example
 * ```ts
 * import { barChartSpec, concatCharts } from "@evalkit/evalkit/report";
 * const a = barChartSpec([{ label: "x", value: 1 }]);
 * const spec = concatCharts([a, a], { columns: 2 });
 * if ((spec.concat as unknown[]).length !== 2) throw new Error("unexpected");
 * ```
 */
export function concatCharts(
  charts: readonly VegaLiteSpec[],
  options: { columns?: number; title?: string } = {},
): VegaLiteSpec {
  if (charts.length === 0) throw new RangeError("Expected at least one chart but found none");
  if (charts.length === 1 && !options.title) return charts[0]!;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    ...(options.title ? { title: options.title } : {}),
    columns: options.columns ?? 2,
    concat: charts.map((c) => {
      const { $schema: _s, ...rest } = c;
      return rest;
    }),
    resolve: { scale: { color: "independent" } },
  };
}
