/**
 * Rendering of an evaluation result: the Markdown summary, the HTML report, the confusion
 * matrix as SVG and Vega-Lite, the plain-text line and the Jupyter display bundle. `EvalResult`
 * delegates here, as `DriftReport` delegates to `drift/_render.ts`.
 *
 * @module
 */
import { barChartSpec, heatmapSpec, type VegaLiteSpec } from "../report/vega_lite.ts";
import { confusionMatrixSvg as svgOf } from "../report/svg_confusion_matrix.ts";
import { displayBundle } from "../report/display_bundle.ts";
import { formatValue } from "../report/format.ts";
import { htmlReport } from "../report/html_report.ts";
import { htmlTable, markdownTable } from "../report/tables.ts";
import { formatGateResult } from "./gates.ts";
import { HEADLINE_METRICS } from "./summary.ts";
import type { EvalResultData } from "./types.ts";

/** Wrong or failed rows listed in the HTML report at most (all rows are in the table artifact). */
export const REPORT_WRONG_ROWS = 20;

type R = EvalResultData;

function title(r: R): string {
  return `${r.agent.name} ${r.agent.version} on ${r.dataset.name}@${r.dataset.version}`;
}

function metricColumns(r: R): string[] {
  return r.summary ? ["metric", "mean", "std", "ci95_low", "ci95_high"] : ["metric", "value"];
}

function metricRows(r: R): unknown[][] {
  const keys = HEADLINE_METRICS.filter((k) => r.metrics[k] !== undefined);
  if (r.summary) {
    return keys.map((k) => {
      const s = r.summary![k];
      return s ? [k, s.mean, s.std, s.ciLow, s.ciHigh] : [k, r.metrics[k], null, null, null];
    });
  }
  return keys.map((k) => [k, r.metrics[k]]);
}

const PER_CLASS = ["label", "precision", "recall", "f1", "support"];

function perClassRows(r: R): unknown[][] {
  return r.classification.labels.map((l) => {
    const c = r.classification.perClass[l];
    return [l, c?.precision ?? null, c?.recall ?? null, c?.f1 ?? null, c?.support ?? 0];
  });
}

function baselineMarkdown(r: R): string[] {
  const b = r.baseline;
  if (!b) return [];
  const keys = HEADLINE_METRICS.filter((k) =>
    r.metrics[k] !== undefined && b.metrics[k] !== undefined
  );
  const out = [
    `### Baseline \`${b.runId}\``,
    "",
    markdownTable(
      ["metric", "baseline", "candidate", "change"],
      keys.map((k) => [k, b.metrics[k], r.metrics[k], r.metrics[k]! - b.metrics[k]!]),
    ),
    "",
  ];
  if (b.rowDiff) {
    const c = b.rowDiff.counts;
    out.push(
      `Rows: ${c.improved} improved, ${c.regressed} regressed, ${c.unchanged} unchanged` +
        (c.added || c.removed ? `, ${c.added} added, ${c.removed} removed` : ""),
      "",
    );
    const reg = b.rowDiff.changed.filter((x) => x.change === "regressed");
    if (reg.length > 0) {
      out.push(
        markdownTable(
          ["id", "baseline", "candidate"],
          reg.map((x) => [x.id, x.baselinePredicted ?? "", x.predicted ?? "(error)"]),
          { maxRows: 20, caption: "Regressed rows" },
        ),
        "",
      );
    }
  }
  return out;
}

/** The Markdown summary (CI job summary). */
export function markdown(r: R): string {
  const out: string[] = [];
  const verdict = r.gate ? (r.gate.passed ? "✅ passed" : "❌ FAILED") : "";
  out.push(`## Evaluation: ${title(r)} ${verdict}`.trimEnd(), "");
  const meta = [
    `status **${r.status}**`,
    `${r.dataset.rowCount} rows`,
    `digest \`${r.dataset.mlflowDigest}\``,
    ...(r.trials.length > 1 ? [`${r.trials.length} trials`] : []),
    ...(r.runId ? [`run \`${r.runId}\``] : []),
  ];
  out.push(meta.join(" · "), "");
  if (r.gate && r.gate.checks.length > 0) {
    out.push("### Quality gate", "", "```", formatGateResult(r.gate), "```", "");
  }
  out.push("### Metrics", "", markdownTable(metricColumns(r), metricRows(r)), "");
  if (r.classification.labels.length > 0) {
    out.push("### Per class", "", markdownTable(PER_CLASS, perClassRows(r)), "");
  }
  if (r.errors.total > 0) {
    out.push(
      "### Errors",
      "",
      markdownTable(["type", "count"], Object.entries(r.errors.byType)),
      "",
    );
  }
  out.push(...baselineMarkdown(r));
  if (r.usage.totalTokens > 0) {
    out.push(
      "### Tokens and cost",
      "",
      markdownTable(
        ["model", "calls", "input", "cached input", "output", "usd"],
        Object.entries(r.usage.perModel).map(([m, u]) => [
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
export function confusionMatrixSpec(r: R): VegaLiteSpec {
  return heatmapSpec(r.classification.labels, r.classification.confusionMatrix, {
    title: "Confusion matrix",
    rowTitle: "expected",
    columnTitle: "predicted",
  });
}

/** A Vega-Lite bar chart of F1 per class. */
export function perClassSpec(r: R): VegaLiteSpec {
  return barChartSpec(
    perClassRows(r).map((x) => ({ label: String(x[0]), value: Number(x[3] ?? 0) })),
    { title: "F1 per class", valueTitle: "F1" },
  );
}

/** The confusion matrix as a standalone SVG. */
export function confusionMatrixSvg(r: R): string {
  return svgOf(r.classification.labels, r.classification.confusionMatrix, {
    title: `Confusion matrix — ${title(r)}`,
  });
}

function summaryHtml(r: R): string {
  const parts = [htmlTable(metricColumns(r), metricRows(r))];
  if (r.gate && r.gate.checks.length > 0) {
    const cls = r.gate.passed ? "pass" : "fail";
    parts.unshift(
      `<p class="${cls}">${r.gate.passed ? "Quality gate passed" : "Quality gate FAILED"}</p>`,
      htmlTable(
        ["check", "result"],
        r.gate.checks.map((c) => [c.message, c.passed ? "ok" : "FAIL"]),
      ),
    );
  }
  return parts.join("\n");
}

function wrongRowsHtml(r: R): string {
  const wrong = r.rows.filter((x) => x.correct !== true);
  const shown = wrong.slice(0, REPORT_WRONG_ROWS);
  return `<p>All ${r.rows.length} rows are in the table artifact <code>eval_results_table.json</code>` +
    ` (MLflow's evaluation view shows it); ${wrong.length} were wrong or failed` +
    (wrong.length > shown.length ? `, the first ${shown.length} listed here` : "") + ".</p>" +
    (shown.length === 0 ? "" : htmlTable(
      ["id", "trial", "expected", "predicted", "risk_score", "error", "reasons"],
      shown.map((x) => [
        x.id,
        x.trial,
        x.expected,
        x.predicted ?? "(failed)",
        x.riskScore,
        x.errorType ? `${x.errorType}: ${x.error ?? ""}` : null,
        x.reasons,
      ]),
    ));
}

/** The standalone HTML report: no per-row table (that is the table artifact). */
export function html(r: R): string {
  const sections = [
    { title: "Summary", html: summaryHtml(r) },
    { title: "Per class", html: htmlTable(PER_CLASS, perClassRows(r)) },
    { title: "Confusion matrix", html: confusionMatrixSvg(r) },
  ];
  if (r.errors.total > 0) {
    sections.push({
      title: "Errors",
      html: htmlTable(["type", "count"], Object.entries(r.errors.byType)),
    });
  }
  if (r.baseline?.rowDiff) {
    const c = r.baseline.rowDiff.counts;
    sections.push({
      title: `Baseline ${r.baseline.runId}`,
      html: `<p>${c.improved} improved, ${c.regressed} regressed, ${c.unchanged} unchanged</p>` +
        htmlTable(
          ["id", "change", "baseline", "candidate"],
          r.baseline.rowDiff.changed.map((x) => [
            x.id,
            x.change,
            x.baselinePredicted ?? "",
            x.predicted ?? "",
          ]),
          { maxRows: 200 },
        ),
    });
  }
  sections.push({ title: "Wrong rows", html: wrongRowsHtml(r) });
  return htmlReport({
    title: `Evaluation: ${title(r)}`,
    subtitle: `${r.status} · ${r.dataset.rowCount} rows · digest ${r.dataset.mlflowDigest}` +
      (r.runId ? ` · MLflow run ${r.runId}` : ""),
    sections,
  });
}

/** The terminal summary: what was evaluated, the headline metrics, errors and the baseline. */
export function terminal(r: R): string {
  const m = r.metrics;
  const rows = HEADLINE_METRICS.filter((k) => m[k] !== undefined).map((k) => {
    const s = r.summary?.[k];
    const ci = s ? `(95% CI ${formatValue(s.ciLow)}–${formatValue(s.ciHigh)})` : "";
    return s ? [k, `${formatValue(s.mean)} ± ${formatValue(s.std)} ${ci}`] : [k, m[k]];
  });
  const d = r.dataset;
  const out = [
    `${r.agent.name} ${r.agent.version} on ${d.name}@${d.version} ` +
    `(${d.rowCount} rows, digest ${d.mlflowDigest}): ${r.status}`,
    markdownTable(["metric", "value"], rows),
  ];
  if (r.errors.total > 0) {
    out.push(`errors: ${Object.entries(r.errors.byType).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  }
  const diff = r.baseline?.rowDiff?.counts;
  if (r.baseline) {
    out.push(
      `baseline ${r.baseline.runId}` +
        (diff
          ? `: ${diff.improved} rows improved, ${diff.regressed} regressed, ${diff.unchanged} unchanged`
          : ""),
    );
  }
  return out.join("\n");
}

/** One line of plain text. */
export function text(r: R): string {
  const m = r.metrics;
  const pick = [
    "accuracy_score",
    "f1_score",
    "error_rate",
    "latency_p95_ms",
    "throughput_rows_per_s",
  ]
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}=${formatValue(m[k])}`);
  return `EvalResult(${title(r)}, ${r.status}, ${pick.join(", ")}${
    r.runId ? `, run ${r.runId}` : ""
  })`;
}

/** The Jupyter MIME bundle: text, an HTML summary and the confusion matrix as Vega-Lite. */
export function displayBundleOf(r: R): Record<string, unknown> {
  const html = `<h3>${title(r)}</h3>${summaryHtml(r)}` + htmlTable(PER_CLASS, perClassRows(r));
  return displayBundle({ text: text(r), html, vegaLite: confusionMatrixSpec(r) });
}
