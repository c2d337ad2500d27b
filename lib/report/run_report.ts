/**
 * A self-contained HTML report of one tracked run: params, metrics, metric histories,
 * evaluation and drift charts, all as inline SVG built from the data (no scripts, no
 * external resources).
 *
 * @module
 */
import { binValues } from "./histogram.ts";
import { htmlReport, type ReportSection } from "./html_report.ts";
import { confusionMatrixSvg } from "./svg_confusion_matrix.ts";
import { barChartSvg } from "./svg_bar_chart.ts";
import { histogramSvg } from "./svg_histogram.ts";
import { lineChartSvg } from "./svg_line_chart.ts";
import { htmlTable } from "./tables.ts";

/** The data of a run to report on (from the local store or an MLflow server). */
export interface RunReportInput {
  /** Run id. */
  runId: string;
  /** Run name. */
  runName: string;
  /** Experiment name (or id). */
  experiment: string;
  /** Status. */
  status: string;
  /** Start time (ms). */
  startTime: number;
  /** End time (ms). */
  endTime?: number;
  /** Where the run was read from, e.g. `local store` or the server URI. */
  source: string;
  /** Params. */
  params: Record<string, string>;
  /** Tags. */
  tags: Record<string, string>;
  /** Metric histories by key (one point for metrics logged once). */
  metrics: Record<string, readonly { step: number; timestamp: number; value: number }[]>;
  /** Dataset inputs. */
  datasets?: readonly { name: string; digest: string; context?: string }[];
  /** Artifacts with sizes. */
  artifacts?: readonly { path: string; size?: number }[];
  /** The evaluation table (`eval_results_table.json`), when the run has one. */
  evalTable?: { columns: string[]; data: unknown[][] };
  /** Per-feature drift (`drift/drift_report.json` features), when the run has one. */
  drift?: readonly { name: string; test?: string; score?: number; drifted?: boolean }[];
}

/** Options of {@link runReport}. */
export interface RunReportOptions {
  /** Metric-history charts at most. Default 12. */
  maxHistoryCharts?: number;
  /** Wrong rows listed at most. Default 50. */
  maxRows?: number;
}

/** Metrics charted on the [0, 1] bar chart: scores, rates and shares. */
const SCORE_LIKE = /(score|auc|accuracy|precision|recall|f1|rate|share)/i;

function time(ms: number | undefined): string {
  return ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z";
}

function groupKey(key: string): string {
  const i = key.lastIndexOf("/");
  return i > 0 ? key.slice(0, i) : key;
}

function evalSections(
  table: { columns: string[]; data: unknown[][] },
  maxRows: number,
): ReportSection[] {
  const col = (name: string) => table.columns.indexOf(name);
  const exp = col("expected"),
    pred = col("predicted"),
    lat = col("latency_ms"),
    ok = col("correct");
  const sections: ReportSection[] = [];
  if (exp >= 0 && pred >= 0) {
    const labels = [
      ...new Set(
        table.data.flatMap((r) => [r[exp], r[pred]]).filter((v) => v !== null && v !== undefined)
          .map(String),
      ),
    ].sort();
    const index = new Map(labels.map((l, i) => [l, i]));
    const matrix = labels.map(() => labels.map(() => 0));
    for (const r of table.data) {
      const i = index.get(String(r[exp])), j = index.get(String(r[pred]));
      if (i !== undefined && j !== undefined && r[pred] !== null) matrix[i]![j]!++;
    }
    if (labels.length > 0) {
      sections.push({
        title: "Confusion matrix",
        html: `<div class="chart">${confusionMatrixSvg(labels, matrix)}</div>`,
      });
    }
  }
  if (lat >= 0) {
    const values = table.data.map((r) => r[lat]).filter((v): v is number => typeof v === "number");
    if (values.length > 0) {
      const { edges, counts } = binValues(values, { bins: 20 });
      sections.push({
        title: "Latency",
        html: `<div class="chart">${
          histogramSvg(edges, counts, { title: "Latency per row", xTitle: "ms" })
        }</div>`,
      });
    }
  }
  if (ok >= 0) {
    const wrong = table.data.filter((r) => r[ok] !== true);
    sections.push({
      title: `Wrong or failed rows (${wrong.length} of ${table.data.length})`,
      html: wrong.length > 0
        ? htmlTable(table.columns, wrong, { maxRows })
        : "<p>Every row was right.</p>",
    });
  }
  return sections;
}

/**
 * Renders the report page: overview, params, latest metrics (table and a bar chart of the
 * scores, rates and shares in [0, 1]), metric histories (one line chart per metric family), evaluation charts
 * (confusion matrix, latency histogram, wrong rows) and drift per feature when the run has
 * them, dataset inputs, artifacts and tags. Every chart is inline SVG.
 *
 * @example
 * ```ts
 * import { runReport } from "@evalkit/evalkit/report";
 * const html = runReport({
 *   runId: "r1", runName: "demo", experiment: "exp", status: "FINISHED", startTime: 0, source: "local store",
 *   params: { model: "rules" }, tags: {},
 *   metrics: { accuracy: [{ step: 0, timestamp: 0, value: 0.8 }, { step: 1, timestamp: 1, value: 0.9 }] },
 * });
 * if (!html.includes("<polyline") || html.includes("<script")) throw new Error("unexpected");
 * ```
 */
export function runReport(input: RunReportInput, options: RunReportOptions = {}): string {
  const keys = Object.keys(input.metrics).sort();
  const latest = (k: string) => {
    const pts = input.metrics[k] ?? [];
    return pts.reduce<{ step: number; value: number; timestamp: number } | undefined>(
      (
        a,
        p,
      ) => (!a || p.step > a.step || (p.step === a.step && p.timestamp >= a.timestamp) ? p : a),
      undefined,
    )?.value;
  };
  const sections: ReportSection[] = [];
  sections.push({
    title: "Overview",
    html: htmlTable(["field", "value"], [
      ["run id", input.runId],
      ["run name", input.runName],
      ["experiment", input.experiment],
      ["status", input.status],
      ["started", time(input.startTime)],
      ["ended", time(input.endTime)],
      [
        "duration (s)",
        input.endTime !== undefined ? (input.endTime - input.startTime) / 1000 : null,
      ],
      ["source", input.source],
    ]),
  });
  const params = Object.entries(input.params).sort(([a], [b]) => (a < b ? -1 : 1));
  sections.push({
    title: "Params",
    html: params.length > 0 ? htmlTable(["param", "value"], params) : "<p>No params.</p>",
  });
  const unit = keys.filter((k) => {
    const v = latest(k);
    return v !== undefined && v >= 0 && v <= 1 && SCORE_LIKE.test(k);
  }).slice(0, 30);
  sections.push({
    title: "Metrics",
    html: (unit.length > 0
      ? `<div class="chart">${
        barChartSvg(unit.map((k) => ({ label: k, value: latest(k)! })), {
          title: "Metrics in [0, 1] (latest)",
          max: 1,
          width: 720,
        })
      }</div>`
      : "") +
      (keys.length > 0
        ? htmlTable(
          ["metric", "latest", "points"],
          keys.map((k) => [k, latest(k) ?? null, input.metrics[k]!.length]),
        )
        : "<p>No metrics.</p>"),
  });
  const withHistory = keys.filter((k) => new Set(input.metrics[k]!.map((p) => p.step)).size > 1);
  if (withHistory.length > 0) {
    const groups = new Map<string, string[]>();
    for (const k of withHistory) groups.set(groupKey(k), [...(groups.get(groupKey(k)) ?? []), k]);
    const charts = [...groups].slice(0, options.maxHistoryCharts ?? 12).map(([group, members]) =>
      `<div class="chart">${
        lineChartSvg(
          Object.fromEntries(
            members.map((k) => [
              k,
              input.metrics[k]!.map((p) => ({ x: p.step, y: p.value })).sort((a, b) => a.x - b.x),
            ]),
          ),
          { title: group, xTitle: "step" },
        )
      }</div>`
    );
    sections.push({ title: "Metric history", html: charts.join("\n") });
  }
  if (input.evalTable) sections.push(...evalSections(input.evalTable, options.maxRows ?? 50));
  if (input.drift && input.drift.length > 0) {
    const scored = input.drift.filter((f) => typeof f.score === "number");
    sections.push({
      title: "Drift per feature",
      html: (scored.length > 0
        ? `<div class="chart">${
          barChartSvg(
            scored.map((f) => ({ label: `${f.name} (${f.test ?? "?"})`, value: f.score! })),
            {
              title: "Drift score per feature (p-value or distance, by test)",
              width: 720,
            },
          )
        }</div>`
        : "") +
        htmlTable(
          ["feature", "test", "score", "drifted"],
          input.drift.map((f) => [f.name, f.test ?? "", f.score ?? null, f.drifted ? "yes" : "no"]),
        ),
    });
  }
  if (input.datasets && input.datasets.length > 0) {
    sections.push({
      title: "Dataset inputs",
      html: htmlTable(
        ["name", "digest", "context"],
        input.datasets.map((d) => [d.name, d.digest, d.context ?? ""]),
      ),
    });
  }
  if (input.artifacts && input.artifacts.length > 0) {
    sections.push({
      title: "Artifacts",
      html: htmlTable(
        ["path", "bytes"],
        input.artifacts.map((a) => [a.path, a.size ?? null]),
      ),
    });
  }
  const tags = Object.entries(input.tags).sort(([a], [b]) => (a < b ? -1 : 1));
  if (tags.length > 0) sections.push({ title: "Tags", html: htmlTable(["tag", "value"], tags) });
  return htmlReport({
    title: `Run ${input.runName}`,
    subtitle: `${input.experiment} · ${input.status} · ${input.runId} · ${input.source}`,
    sections,
  });
}
