/**
 * `EvalResult`: the plain-data result of an evaluation, with renderers (Markdown summary,
 * HTML report, MLflow table) and a Jupyter display bundle.
 *
 * @module
 */
import { barChartSpec, heatmapSpec, type VegaLiteSpec } from "../report/vega_lite.ts";
import { confusionMatrixSvg } from "../report/svg_confusion_matrix.ts";
import { displayBundle } from "../report/display_bundle.ts";
import { formatValue } from "../report/format.ts";
import { htmlReport } from "../report/html_report.ts";
import { htmlTable, markdownTable } from "../report/tables.ts";
import type { ClassMetrics } from "./metrics.ts";
import type { GateResult } from "./gates.ts";
import type { RowDiff } from "./compare.ts";
import type { UsageSummary } from "./cost.ts";
import { formatGateResult } from "./gates.ts";

/** One evaluated row (per trial). */
export interface EvalRow {
  /** Trial number, 1-based. */
  trial: number;
  /** Row index in the dataset. */
  index: number;
  /** Row id (the schema's id column, or the index). */
  id: string;
  /** The request's fields with personal data protected per the dataset schema. */
  input: Record<string, unknown>;
  /** Expected label. */
  expected: string | null;
  /** Predicted label; `null` when the call failed. */
  predicted: string | null;
  /** Whether the prediction matched; `null` when the call failed. */
  correct: boolean | null;
  /** The agent's risk score. */
  riskScore: number | null;
  /** Latency of the (last) call in ms. */
  latencyMs: number;
  /** Tokens used (all models). */
  tokens: number;
  /** USD of the call. */
  costUsd: number;
  /** Attempts made. */
  attempts: number;
  /** Error type when the call failed. */
  errorType: string | null;
  /** Error message when the call failed. */
  error: string | null;
  /** Reasons the agent gave, joined by `; `. */
  reasons: string | null;
}

/** Mean, standard deviation and 95% confidence interval of a metric across trials. */
export interface MetricSummary {
  /** Mean. */
  mean: number;
  /** Sample standard deviation. */
  std: number;
  /** Lower bound of the 95% CI (t-distribution). */
  ciLow: number;
  /** Upper bound of the 95% CI. */
  ciHigh: number;
  /** Trials. */
  n: number;
}

/** The fields of an {@link EvalResult}. */
export interface EvalResultData {
  /** The agent evaluated. */
  agent: { name: string; version: string; config: Record<string, unknown> };
  /** The dataset. */
  dataset: {
    name: string;
    version: string;
    digest: string;
    mlflowDigest: string;
    rowCount: number;
  };
  /** The target field. */
  targetField: string;
  /** FINISHED, or KILLED when cancelled (partial results). */
  status: "FINISHED" | "KILLED";
  /** Flat metrics (means across trials when repeated), as logged. */
  metrics: Record<string, number>;
  /** Metrics of each trial. */
  trials: Record<string, number>[];
  /** Mean/std/CI per metric when `repeat > 1`. */
  summary?: Record<string, MetricSummary>;
  /** Labels, confusion matrix (summed over trials) and per-class figures (of the last trial). */
  classification: {
    labels: string[];
    positiveLabel?: string;
    confusionMatrix: number[][];
    perClass: Record<string, ClassMetrics>;
  };
  /** Errors by type (all trials). */
  errors: { total: number; byType: Record<string, number> };
  /** Tokens and cost (all trials). */
  usage: UsageSummary;
  /** Per-row results. */
  rows: EvalRow[];
  /** Names of the input columns shown in the table. */
  inputColumns: string[];
  /** MLflow run id, when logged. */
  runId?: string;
  /** MLflow experiment id, when logged. */
  experimentId?: string;
  /** The gate's verdict, when thresholds were given. */
  gate?: GateResult;
  /** The baseline comparison, when a baseline run was given. */
  baseline?: { runId: string; metrics: Record<string, number>; rowDiff?: RowDiff };
}

/**
 * The headline metrics, in display order: the terminal summary, the Markdown summary and the
 * notebook table show these (when present).
 *
 * @example
 * ```ts
 * import { HEADLINE_METRICS } from "@evalkit/evalkit/evaluation";
 * if (HEADLINE_METRICS[1] !== "accuracy_score") throw new Error("unexpected");
 * ```
 */
export const HEADLINE_METRICS: readonly string[] = Object.freeze([
  "example_count",
  "accuracy_score",
  "precision_score",
  "recall_score",
  "f1_score",
  "roc_auc",
  "precision_recall_auc",
  "error_count",
  "error_rate",
  "latency_avg_ms",
  "latency_p50_ms",
  "latency_p95_ms",
  "latency_p99_ms",
  "latency_max_ms",
  "throughput_rows_per_s",
  "wall_time_s",
  "tokens_total",
  "cost_usd_total",
  "cost_usd_per_request",
]);

/**
 * The result of `ModelEvaluator.evaluateDataset`: plain data plus renderers. In a Deno
 * Jupyter notebook the last expression of a cell displays as an HTML summary with a chart.
 *
 * @example
 * ```ts ignore
 * const result = await new ModelEvaluator("loan_approval", new LoanApprovalAgent())
 *   .evaluateDataset(dataset, { logToMlflow: false });
 * console.log(result.metrics.accuracy_score, result.toMarkdown());
 * result; // in a notebook: the HTML summary and a confusion-matrix chart
 * ```
 */
export class EvalResult implements EvalResultData {
  /** The agent evaluated. */
  agent: EvalResultData["agent"];
  /** The dataset. */
  dataset: EvalResultData["dataset"];
  /** The target field. */
  targetField: string;
  /** FINISHED, or KILLED when cancelled. */
  status: "FINISHED" | "KILLED";
  /** Flat metrics. */
  metrics: Record<string, number>;
  /** Metrics per trial. */
  trials: Record<string, number>[];
  /** Mean/std/CI per metric (repeat > 1). */
  summary?: Record<string, MetricSummary>;
  /** Classification details. */
  classification: EvalResultData["classification"];
  /** Errors by type. */
  errors: EvalResultData["errors"];
  /** Tokens and cost. */
  usage: UsageSummary;
  /** Per-row results. */
  rows: EvalRow[];
  /** Input columns shown in the table. */
  inputColumns: string[];
  /** MLflow run id. */
  runId?: string;
  /** MLflow experiment id. */
  experimentId?: string;
  /** Gate verdict. */
  gate?: GateResult;
  /** Baseline comparison. */
  baseline?: EvalResultData["baseline"];

  /** Wraps the data. */
  constructor(data: EvalResultData) {
    this.agent = data.agent;
    this.dataset = data.dataset;
    this.targetField = data.targetField;
    this.status = data.status;
    this.metrics = data.metrics;
    this.trials = data.trials;
    if (data.summary) this.summary = data.summary;
    this.classification = data.classification;
    this.errors = data.errors;
    this.usage = data.usage;
    this.rows = data.rows;
    this.inputColumns = data.inputColumns;
    if (data.runId) this.runId = data.runId;
    if (data.experimentId) this.experimentId = data.experimentId;
    if (data.gate) this.gate = data.gate;
    if (data.baseline) this.baseline = data.baseline;
  }

  /** Whether the gate passed (true when there was none). */
  get passed(): boolean {
    return this.gate?.passed ?? true;
  }

  /**
   * The per-row table in MLflow's table format (`{columns, data}`, as pandas
   * `to_json(orient="split")`), ready for `logTable`. Columns: `id`, `trial` (repeat > 1), the
   * inputs (personal data protected), `expected`, `predicted`, `correct`, `risk_score`,
   * `latency_ms`, then `tokens` and `cost_usd` (when any usage), `attempts` (when any retry),
   * `error_type` and `error` (when any failure), and `reasons`.
   */
  table(): { columns: string[]; data: unknown[][] } {
    return this.#tableOf(this.rows);
  }

  #cache?: { rows: EvalRow[]; length: number; table: { columns: string[]; data: unknown[][] } };

  #tableOf(rows: EvalRow[]): { columns: string[]; data: unknown[][] } {
    if (rows === this.rows && this.#cache?.rows === rows && this.#cache.length === rows.length) {
      return this.#cache.table;
    }
    // Optional columns that would be empty for every row are left out (tokens and cost
    // without usage, errors without failures, attempts without retries).
    const all = this.rows;
    const hasTokens = this.usage.totalTokens > 0 || all.some((r) => r.tokens > 0);
    const hasErrors = this.errors.total > 0 || all.some((r) => r.errorType !== null);
    const hasRetries = all.some((r) => r.attempts > 1);
    const cols: [string, (r: EvalRow) => unknown][] = [["id", (r) => r.id]];
    if (this.trials.length > 1) cols.push(["trial", (r) => r.trial]);
    for (const c of this.inputColumns) cols.push([c, (r) => r.input[c] ?? null]);
    cols.push(
      ["expected", (r) => r.expected],
      ["predicted", (r) => r.predicted],
      ["correct", (r) => r.correct],
      ["risk_score", (r) => r.riskScore],
      ["latency_ms", (r) => Math.round(r.latencyMs * 1000) / 1000],
    );
    if (hasTokens) cols.push(["tokens", (r) => r.tokens], ["cost_usd", (r) => r.costUsd]);
    if (hasRetries) cols.push(["attempts", (r) => r.attempts]);
    if (hasErrors) cols.push(["error_type", (r) => r.errorType], ["error", (r) => r.error]);
    cols.push(["reasons", (r) => r.reasons]);
    const columns = cols.map((c) => c[0]);
    const getters = cols.map((c) => c[1]);
    const width = getters.length;
    const data: unknown[][] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const out = new Array(width);
      for (let k = 0; k < width; k++) out[k] = getters[k]!(r);
      data[i] = out;
    }
    const table = { columns, data };
    if (rows === this.rows) this.#cache = { rows, length: rows.length, table };
    return table;
  }

  #metricRows(): unknown[][] {
    const keys = HEADLINE_METRICS.filter((k) => this.metrics[k] !== undefined);
    if (this.summary) {
      return keys.map((k) => {
        const s = this.summary![k];
        return s ? [k, s.mean, s.std, s.ciLow, s.ciHigh] : [k, this.metrics[k], null, null, null];
      });
    }
    return keys.map((k) => [k, this.metrics[k]]);
  }

  #metricColumns(): string[] {
    return this.summary ? ["metric", "mean", "std", "ci95_low", "ci95_high"] : ["metric", "value"];
  }

  #perClassRows(): unknown[][] {
    return this.classification.labels.map((l) => {
      const c = this.classification.perClass[l];
      return [l, c?.precision ?? null, c?.recall ?? null, c?.f1 ?? null, c?.support ?? 0];
    });
  }

  #title(): string {
    return `${this.agent.name} ${this.agent.version} on ${this.dataset.name}@${this.dataset.version}`;
  }

  /**
   * A Markdown summary fit for a CI job summary: verdict, headline metrics, per class, errors,
   * baseline comparison and regressed rows.
   */
  toMarkdown(): string {
    const out: string[] = [];
    const verdict = this.gate ? (this.gate.passed ? "✅ passed" : "❌ FAILED") : "";
    out.push(`## Evaluation: ${this.#title()} ${verdict}`.trimEnd(), "");
    const meta = [
      `status **${this.status}**`,
      `${this.dataset.rowCount} rows`,
      `digest \`${this.dataset.mlflowDigest}\``,
      ...(this.trials.length > 1 ? [`${this.trials.length} trials`] : []),
      ...(this.runId ? [`run \`${this.runId}\``] : []),
    ];
    out.push(meta.join(" · "), "");
    if (this.gate && this.gate.checks.length > 0) {
      out.push("### Quality gate", "", "```", formatGateResult(this.gate), "```", "");
    }
    out.push("### Metrics", "", markdownTable(this.#metricColumns(), this.#metricRows()), "");
    if (this.classification.labels.length > 0) {
      out.push(
        "### Per class",
        "",
        markdownTable(["label", "precision", "recall", "f1", "support"], this.#perClassRows()),
        "",
      );
    }
    if (this.errors.total > 0) {
      out.push(
        "### Errors",
        "",
        markdownTable(["type", "count"], Object.entries(this.errors.byType)),
        "",
      );
    }
    if (this.baseline) {
      const b = this.baseline;
      const keys = HEADLINE_METRICS.filter((k) =>
        this.metrics[k] !== undefined && b.metrics[k] !== undefined
      );
      out.push(
        `### Baseline \`${b.runId}\``,
        "",
        markdownTable(
          ["metric", "baseline", "candidate", "change"],
          keys.map((k) => [k, b.metrics[k], this.metrics[k], this.metrics[k]! - b.metrics[k]!]),
        ),
        "",
      );
      if (b.rowDiff) {
        const c = b.rowDiff.counts;
        out.push(
          `Rows: ${c.improved} improved, ${c.regressed} regressed, ${c.unchanged} unchanged` +
            (c.added || c.removed ? `, ${c.added} added, ${c.removed} removed` : ""),
          "",
        );
        const reg = b.rowDiff.changed.filter((r) => r.change === "regressed");
        if (reg.length > 0) {
          out.push(
            markdownTable(
              ["id", "baseline", "candidate"],
              reg.map((r) => [r.id, r.baselinePredicted ?? "", r.predicted ?? "(error)"]),
              { maxRows: 20, caption: "Regressed rows" },
            ),
            "",
          );
        }
      }
    }
    const tokens = this.usage.totalTokens;
    if (tokens > 0) {
      out.push(
        "### Tokens and cost",
        "",
        markdownTable(
          ["model", "calls", "input", "cached input", "output", "usd"],
          Object.entries(this.usage.perModel).map(([m, u]) => [
            m,
            u.calls,
            u.inputTokens,
            u.cachedInputTokens,
            u.outputTokens,
            u.usd ?? null,
          ]),
        ),
        "",
      );
    }
    return out.join("\n");
  }

  /** A Vega-Lite heatmap of the confusion matrix. */
  confusionMatrixSpec(): VegaLiteSpec {
    return heatmapSpec(this.classification.labels, this.classification.confusionMatrix, {
      title: "Confusion matrix",
      rowTitle: "expected",
      columnTitle: "predicted",
    });
  }

  /** A Vega-Lite bar chart of F1 per class. */
  perClassSpec(): VegaLiteSpec {
    return barChartSpec(
      this.#perClassRows().map((r) => ({ label: String(r[0]), value: Number(r[3] ?? 0) })),
      { title: "F1 per class", valueTitle: "F1" },
    );
  }

  /** The confusion matrix as a standalone SVG (the MLflow artifact). */
  confusionMatrixSvg(): string {
    return confusionMatrixSvg(this.classification.labels, this.classification.confusionMatrix, {
      title: `Confusion matrix — ${this.#title()}`,
    });
  }

  #summaryHtml(): string {
    const parts = [
      htmlTable(this.#metricColumns(), this.#metricRows()),
    ];
    if (this.gate && this.gate.checks.length > 0) {
      const cls = this.gate.passed ? "pass" : "fail";
      parts.unshift(
        `<p class="${cls}">${this.gate.passed ? "Quality gate passed" : "Quality gate FAILED"}</p>`,
        htmlTable(
          ["check", "result"],
          this.gate.checks.map((c) => [c.message, c.passed ? "ok" : "FAIL"]),
        ),
      );
    }
    return parts.join("\n");
  }

  /** A standalone HTML report (the MLflow artifact). */
  toHtml(): string {
    const sections = [
      { title: "Summary", html: this.#summaryHtml() },
      {
        title: "Per class",
        html: htmlTable(["label", "precision", "recall", "f1", "support"], this.#perClassRows()),
      },
      { title: "Confusion matrix", html: this.confusionMatrixSvg() },
    ];
    if (this.errors.total > 0) {
      sections.push({
        title: "Errors",
        html: htmlTable(["type", "count"], Object.entries(this.errors.byType)),
      });
    }
    if (this.baseline?.rowDiff) {
      const c = this.baseline.rowDiff.counts;
      sections.push({
        title: `Baseline ${this.baseline.runId}`,
        html: `<p>${c.improved} improved, ${c.regressed} regressed, ${c.unchanged} unchanged</p>` +
          htmlTable(
            ["id", "change", "baseline", "candidate"],
            this.baseline.rowDiff.changed.map((
              r,
            ) => [r.id, r.change, r.baselinePredicted ?? "", r.predicted ?? ""]),
            { maxRows: 200 },
          ),
      });
    }
    const t = this.#tableOf(this.rows.slice(0, 500));
    sections.push({
      title: this.rows.length > 500 ? `Rows (first 500 of ${this.rows.length})` : "Rows",
      html: htmlTable(t.columns, t.data),
    });
    return htmlReport({
      title: `Evaluation: ${this.#title()}`,
      subtitle:
        `${this.status} · ${this.dataset.rowCount} rows · digest ${this.dataset.mlflowDigest}` +
        (this.runId ? ` · MLflow run ${this.runId}` : ""),
      sections,
    });
  }

  /** A few lines of plain text. */
  toString(): string {
    const m = this.metrics;
    const pick = [
      "accuracy_score",
      "f1_score",
      "error_rate",
      "latency_p95_ms",
      "throughput_rows_per_s",
    ]
      .filter((k) => m[k] !== undefined)
      .map((k) => `${k}=${formatValue(m[k])}`);
    return `EvalResult(${this.#title()}, ${this.status}, ${pick.join(", ")}${
      this.runId ? `, run ${this.runId}` : ""
    })`;
  }

  /** Plain data (no rows by default: they can be large). */
  toJSON(): Omit<EvalResultData, "rows"> & { rowCount: number } {
    const { rows: _rows, ...rest } = { ...this } as EvalResultData;
    return { ...rest, rowCount: this.rows.length };
  }

  /** The Jupyter MIME bundle: text, an HTML summary and the confusion matrix as Vega-Lite. */
  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    const html = `<h3>${this.#title()}</h3>${this.#summaryHtml()}` +
      htmlTable(["label", "precision", "recall", "f1", "support"], this.#perClassRows());
    return displayBundle({ text: this.toString(), html, vegaLite: this.confusionMatrixSpec() });
  }
}
