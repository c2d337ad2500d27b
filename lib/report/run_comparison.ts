/**
 * Run comparisons: a metric across runs as a table and charts.
 *
 * @module
 */
import { barChartSpec, type VegaLiteSpec } from "./vega_lite.ts";
import { concatCharts } from "./concat_charts.ts";
import { displayBundle } from "./display_bundle.ts";
import { escapeHtml, formatValue } from "./format.ts";
import { htmlTable, markdownTable } from "./tables.ts";

/**
 * A run in any of the shapes evalkit hands out: an MLflow `Run` (`info`, `data.metrics` as
 * a list), a local-store run (`localRunId`, `latestMetrics`), an `EvalResult` (`runId`,
 * `metrics`) or plain `{ id, name, metrics }`.
 */
export type RunLike =
  | {
    info: { runId: string; runName?: string; startTime?: number };
    data: { metrics: readonly { key: string; value: number }[]; params?: Record<string, string> };
  }
  | {
    localRunId: string;
    runName?: string;
    startTime?: number;
    latestMetrics: Record<string, number>;
    params?: Record<string, string>;
  }
  | {
    id?: string;
    runId?: string;
    name?: string;
    runName?: string;
    startTime?: number;
    metrics: Record<string, number>;
    params?: Record<string, string>;
  };

/** One run, normalised. */
export interface ComparedRun {
  /** Run id (MLflow or local). */
  id: string;
  /** Display name (the run name, else the id). */
  name: string;
  /** Start time (ms), when known. */
  startTime?: number;
  /** Latest value per metric. */
  metrics: Record<string, number>;
  /** Params. */
  params: Record<string, string>;
}

/** Options of {@link compareRuns}. */
export interface CompareRunsOptions {
  /** Metrics to compare, in order. Default every metric all runs have (sorted by name). */
  metrics?: readonly string[];
  /** Names to show instead of the run names, by position. */
  labels?: readonly string[];
  /** Charted metrics at most. Default 6. */
  maxCharts?: number;
  /** Title. Default `Run comparison`. */
  title?: string;
}

function normalise(run: RunLike, i: number): ComparedRun {
  if ("info" in run) {
    const metrics: Record<string, number> = {};
    for (const m of run.data.metrics) metrics[m.key] = m.value;
    return {
      id: run.info.runId,
      name: run.info.runName || run.info.runId,
      ...(run.info.startTime !== undefined ? { startTime: run.info.startTime } : {}),
      metrics,
      params: { ...run.data.params },
    };
  }
  if ("localRunId" in run) {
    return {
      id: run.localRunId,
      name: run.runName || run.localRunId,
      ...(run.startTime !== undefined ? { startTime: run.startTime } : {}),
      metrics: { ...run.latestMetrics },
      params: { ...run.params },
    };
  }
  const id = run.runId ?? run.id ?? `run ${i + 1}`;
  return {
    id,
    name: run.runName ?? run.name ?? id,
    ...(run.startTime !== undefined ? { startTime: run.startTime } : {}),
    metrics: { ...run.metrics },
    params: { ...run.params },
  };
}

/**
 * What {@link compareRuns} returns: plain data plus renderers; displays itself in Jupyter.
 *
 * @example
 * ```ts
 * import { compareRuns } from "@evalkit/evalkit/report";
 * const cmp = compareRuns([
 *   { id: "a", name: "v1", metrics: { f1_score: 0.7 }, params: { lr: "0.1" } },
 *   { id: "b", name: "v2", metrics: { f1_score: 0.75 }, params: { lr: "0.2" } },
 * ]);
 * if (cmp.changedParams.join() !== "lr" || !cmp.toMarkdown().includes("f1_score")) {
 *   throw new Error("comparison");
 * }
 * ```
 */
export class RunComparison {
  /** The runs, in the order given. */
  readonly runs: ComparedRun[];
  /** The metrics compared. */
  readonly metrics: string[];
  /** Params whose values differ between runs. */
  readonly changedParams: string[];
  #options: CompareRunsOptions;

  /** Builds the comparison; prefer {@link compareRuns}. */
  constructor(runs: readonly RunLike[], options: CompareRunsOptions = {}) {
    this.#options = options;
    this.runs = runs.map((r, i) => {
      const n = normalise(r, i);
      const label = options.labels?.[i];
      return label !== undefined ? { ...n, name: label } : n;
    });
    this.metrics = options.metrics
      ? [...options.metrics]
      : [...new Set(this.runs.flatMap((r) => Object.keys(r.metrics)))]
        .filter((k) => this.runs.every((r) => r.metrics[k] !== undefined))
        .sort();
    const keys = new Set(this.runs.flatMap((r) => Object.keys(r.params)));
    this.changedParams = [...keys].filter((k) =>
      new Set(this.runs.map((r) => r.params[k] ?? "")).size > 1
    ).sort();
  }

  /** Metric × run table; with two or more runs, the change from the first run is the last column. */
  table(): { columns: string[]; data: unknown[][] } {
    const names = this.runs.map((r) => r.name);
    const withChange = this.runs.length >= 2;
    const columns = ["metric", ...names, ...(withChange ? ["change (last − first)"] : [])];
    const data = this.metrics.map((k) => {
      const values = this.runs.map((r) => r.metrics[k] ?? null);
      const first = values[0], last = values.at(-1);
      return [
        k,
        ...values,
        ...(withChange
          ? [typeof first === "number" && typeof last === "number" ? last - first : null]
          : []),
      ];
    });
    return { columns, data };
  }

  /** One bar chart per metric (runs on the vertical axis), up to `maxCharts`. */
  toVegaLite(): VegaLiteSpec | undefined {
    const charts = this.metrics.slice(0, this.#options.maxCharts ?? 6).map((k) =>
      barChartSpec(
        this.runs.map((r) => ({ label: r.name, value: r.metrics[k] ?? 0 })),
        { title: k, valueTitle: k, width: 260 },
      )
    );
    return charts.length > 0 ? concatCharts(charts, { columns: 2 }) : undefined;
  }

  /** Markdown: the metric table and the params that differ. */
  toMarkdown(): string {
    const t = this.table();
    const out = [
      `**${this.#options.title ?? "Run comparison"}**`,
      "",
      markdownTable(t.columns, t.data),
    ];
    if (this.changedParams.length > 0) {
      out.push(
        "",
        markdownTable(
          ["param", ...this.runs.map((r) => r.name)],
          this.changedParams.map((p) => [p, ...this.runs.map((r) => r.params[p] ?? "")]),
          { caption: "Params that differ" },
        ),
      );
    }
    return out.join("\n");
  }

  /** HTML: the metric table and the params that differ. */
  toHtml(): string {
    const t = this.table();
    const parts = [
      `<h3>${escapeHtml(this.#options.title ?? "Run comparison")}</h3>`,
      htmlTable(t.columns, t.data),
    ];
    if (this.changedParams.length > 0) {
      parts.push(
        htmlTable(
          ["param", ...this.runs.map((r) => r.name)],
          this.changedParams.map((p) => [p, ...this.runs.map((r) => r.params[p] ?? "")]),
          { caption: "Params that differ" },
        ),
      );
    }
    return parts.join("\n");
  }

  /** Plain text: one line per metric. */
  toString(): string {
    const lines = [
      `${this.#options.title ?? "Run comparison"}: ${this.runs.map((r) => r.name).join(" vs ")}`,
    ];
    for (const k of this.metrics) {
      lines.push(`  ${k}: ${this.runs.map((r) => formatValue(r.metrics[k])).join(" → ")}`);
    }
    return lines.join("\n");
  }

  /** The Jupyter MIME bundle: text, the HTML table and the charts. */
  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    const vegaLite = this.toVegaLite();
    return displayBundle({
      text: this.toString(),
      html: this.toHtml(),
      markdown: this.toMarkdown(),
      ...(vegaLite ? { vegaLite } : {}),
    });
  }
}

/**
 * Compares runs metric by metric: a table (metric × run, with the change from the first run)
 * and a bar chart per metric across runs; in a notebook it displays as HTML and Vega-Lite.
 *
 * @example
 * ```ts
 * import { compareRuns } from "@evalkit/evalkit/report";
 * const cmp = compareRuns([
 *   { id: "a", name: "v1", metrics: { accuracy_score: 0.8 } },
 *   { id: "b", name: "v2", metrics: { accuracy_score: 0.9 } },
 * ]);
 * const change = cmp.table().data[0]!.at(-1) as number;
 * if (Math.abs(change - 0.1) > 1e-9) throw new Error("unexpected");
 * ```
 */
export function compareRuns(
  runs: readonly RunLike[],
  options: CompareRunsOptions = {},
): RunComparison {
  if (runs.length === 0) {
    throw new RangeError("Expected at least one run to compare but found none");
  }
  return new RunComparison(runs, options);
}
