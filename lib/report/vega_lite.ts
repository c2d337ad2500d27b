/**
 * Vega-Lite v5 chart specs built from plain data (JupyterLab renders them natively).
 *
 * @module
 */

/** A Vega-Lite specification (plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Options common to the chart builders. */
export interface ChartOptions {
  /** Chart title. */
  title?: string;
  /** Width in px. Default 360. */
  width?: number;
  /** Height in px. Default 240. */
  height?: number;
}

/**
 * A horizontal bar chart of `{ label, value }` items (e.g. per-class F1, drift per feature).
 *
 * @example
 * ```ts
 * import { barChartSpec } from "@evalkit/evalkit/report";
 * const spec = barChartSpec([{ label: "approve", value: 0.9 }], { title: "F1 per class", valueTitle: "F1" });
 * if ((spec.mark as { type: string }).type !== "bar") throw new Error("unexpected");
 * ```
 */
export function barChartSpec(
  items: readonly { label: string; value: number; group?: string }[],
  options: ChartOptions & { valueTitle?: string; labelTitle?: string } = {},
): VegaLiteSpec {
  const hasGroup = items.some((i) => i.group !== undefined);
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 360,
    height: options.height ?? Math.max(60, 24 * items.length),
    data: { values: items.map((i) => ({ ...i })) },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "label", type: "nominal", title: options.labelTitle ?? null, sort: null },
      x: { field: "value", type: "quantitative", title: options.valueTitle ?? "value" },
      ...(hasGroup
        ? { color: { field: "group", type: "nominal" }, yOffset: { field: "group" } }
        : {}),
    },
  };
}

/**
 * A heatmap of a square matrix, e.g. a confusion matrix (`matrix[row][column]`).
 *
 * @example
 * ```ts
 * import { heatmapSpec } from "@evalkit/evalkit/report";
 * const spec = heatmapSpec(["a", "b"], [[3, 1], [0, 4]], { rowTitle: "true", columnTitle: "predicted" });
 * if ((spec.data as { values: unknown[] }).values.length !== 4) throw new Error("unexpected");
 * ```
 */
export function heatmapSpec(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
  options: ChartOptions & { rowTitle?: string; columnTitle?: string; valueTitle?: string } = {},
): VegaLiteSpec {
  const values: { row: string; column: string; value: number }[] = [];
  labels.forEach((r, i) =>
    labels.forEach((c, j) => values.push({ row: r, column: c, value: matrix[i]?.[j] ?? 0 }))
  );
  const size = Math.max(120, 48 * labels.length);
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? size,
    height: options.height ?? size,
    data: { values },
    encoding: {
      x: {
        field: "column",
        type: "nominal",
        title: options.columnTitle ?? "column",
        sort: [...labels],
      },
      y: { field: "row", type: "nominal", title: options.rowTitle ?? "row", sort: [...labels] },
    },
    layer: [
      {
        mark: { type: "rect", tooltip: true },
        encoding: {
          color: { field: "value", type: "quantitative", title: options.valueTitle ?? "count" },
        },
      },
      { mark: { type: "text" }, encoding: { text: { field: "value", type: "quantitative" } } },
    ],
  };
}

/**
 * A histogram from pre-binned counts (`edges.length === counts.length + 1`), optionally with
 * several overlaid series (e.g. reference vs current in a drift report).
 *
 * @example
 * ```ts
 * import { histogramSpec } from "@evalkit/evalkit/report";
 * const spec = histogramSpec([0, 1, 2], { reference: [3, 5], current: [4, 4] }, { title: "credit_score" });
 * if ((spec.data as { values: unknown[] }).values.length !== 4) throw new Error("unexpected");
 * ```
 */
export function histogramSpec(
  edges: readonly number[],
  series: Record<string, readonly number[]>,
  options: ChartOptions & { valueTitle?: string; countTitle?: string } = {},
): VegaLiteSpec {
  const values: { start: number; end: number; count: number; series: string }[] = [];
  for (const [name, counts] of Object.entries(series)) {
    if (counts.length !== edges.length - 1) {
      throw new RangeError(
        `Expected ${edges.length - 1} counts for series '${name}' but found ${counts.length}`,
      );
    }
    counts.forEach((c, i) =>
      values.push({ start: edges[i]!, end: edges[i + 1]!, count: c, series: name })
    );
  }
  return {
    $schema: SCHEMA,
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 360,
    height: options.height ?? 200,
    data: { values },
    mark: { type: "bar", opacity: 0.6, tooltip: true },
    encoding: {
      x: {
        field: "start",
        type: "quantitative",
        bin: { binned: true },
        title: options.valueTitle ?? "value",
      },
      x2: { field: "end" },
      y: {
        field: "count",
        type: "quantitative",
        stack: null,
        ...(options.countTitle ? { title: options.countTitle } : {}),
      },
      color: { field: "series", type: "nominal" },
    },
  };
}
