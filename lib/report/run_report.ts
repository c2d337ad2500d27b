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
import { escapeHtml, formatValue } from "./format.ts";
import { fitText, num, PALETTE, svgOpen, ticks } from "./_svg.ts";

/** One feature of a run's drift report (`drift/drift_report.json`). */
export interface RunReportDriftFeature {
  /** Feature (column) name. */
  name: string;
  /** `feature` or `target`. */
  role?: string;
  /** `numeric` or `categorical`. */
  kind?: string;
  /** The deciding test (`ks`, `chi_square`, `wasserstein`, `jensen_shannon`, `psi`). */
  test?: string;
  /** The deciding test's score (p-value or distance). */
  score?: number;
  /** Its threshold. */
  threshold?: number;
  /** The p-value after the multiple-testing correction (p-value tests only). */
  adjustedPValue?: number;
  /** Whether the feature drifted. */
  drifted?: boolean;
  /** `tested` or why not. */
  status?: string;
  /** Every statistic computed (by test), as in the report JSON. */
  statistics?: Record<string, Record<string, unknown>>;
  /** Missing share in the reference and the current data. */
  missingShare?: { reference?: number; current?: number };
  /** Reference and current distribution: histogram bins or category counts. */
  distribution?: {
    type: "histogram" | "categories";
    edges?: number[];
    categories?: string[];
    reference: number[];
    current: number[];
  };
}

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
  /** Tags (`evalkit.gate` — `passed` or `failed` — gives the gate verdict). */
  tags: Record<string, string>;
  /** Metric histories by key (one point for metrics logged once). */
  metrics: Record<string, readonly { step: number; timestamp: number; value: number }[]>;
  /** Dataset inputs. */
  datasets?: readonly { name: string; digest: string; context?: string }[];
  /** Artifacts with sizes and, when the reader can give one, a link (`href`) to the file. */
  artifacts?: readonly { path: string; size?: number; href?: string }[];
  /** The run's page in the MLflow UI, when it is on a server. */
  runUrl?: string;
  /** The evaluation table (`eval_results_table.json`), when the run has one. */
  evalTable?: { columns: string[]; data: unknown[][] };
  /** Per-feature drift (`drift/drift_report.json` features), when the run has one. */
  drift?: readonly RunReportDriftFeature[];
  /** The drift report's summary (whether drift was detected; datasets compared). */
  driftSummary?: {
    driftDetected?: boolean;
    driftedCount?: number;
    featureCount?: number;
    reference?: string;
    current?: string;
    correction?: string;
  };
}

/** Options of {@link runReport}. */
export interface RunReportOptions {
  /** Metric-history charts at most. Default 12. */
  maxHistoryCharts?: number;
  /** Wrong rows listed at most (the rest are in `eval_results_table.json`). Default 50. */
  maxRows?: number;
  /** The metrics shown first, in this order, when the run has them. Default: evaluation's. */
  headlineMetrics?: readonly string[];
}

/** The default headline: evaluation's summary metrics (as `HEADLINE_METRICS`). */
const HEADLINE = [
  "example_count",
  "accuracy_score",
  "precision_score",
  "recall_score",
  "f1_score",
  "roc_auc",
  "error_rate",
  "latency_p95_ms",
  "cost_usd_total",
];

/** Metrics charted on the [0, 1] bar chart: scores, rates and shares. */
const SCORE_LIKE = /(score|auc|accuracy|precision|recall|f1|rate|share)/i;

/** The metric groups of the page, in order, each with the rule that puts a metric in it. */
const GROUPS: readonly { name: string; test: (k: string) => boolean }[] = [
  { name: "drift", test: (k) => k.startsWith("drift/") },
  { name: "errors", test: (k) => /error|fail|timeout|retr|rate_limit/i.test(k) },
  { name: "latency", test: (k) => /latency|_ms$|throughput|wall_time|duration|_s$/i.test(k) },
  { name: "cost", test: (k) => /cost|token|price/i.test(k) },
  {
    name: "quality",
    test: (k) => SCORE_LIKE.test(k) || /count|loss|brier|true_|false_|positive|negative/i.test(k),
  },
];
const GROUP_ORDER = ["quality", "latency", "cost", "errors", "drift", "other"];

/** The group of a metric: quality, latency, cost, errors, drift or other. */
function metricGroup(key: string): string {
  return GROUPS.find((g) => g.test(key))?.name ?? "other";
}

function time(ms: number | undefined): string {
  return ms === undefined ? "" : new Date(ms).toISOString().replace("T", " ").slice(0, 19) + "Z";
}

function groupKey(key: string): string {
  const i = key.lastIndexOf("/");
  return i > 0 ? key.slice(0, i) : key;
}

/** The value at quantile q of sorted values (linear interpolation). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Reference and current shares side by side, one pair of bars per bin or category. */
function distributionSvg(f: RunReportDriftFeature): string {
  const d = f.distribution!;
  const labels = d.type === "categories"
    ? (d.categories ?? d.reference.map((_, i) => String(i)))
    : d.reference.map((_, i) => `${formatValue(d.edges?.[i])}`);
  const refTotal = d.reference.reduce((a, b) => a + b, 0) || 1;
  const curTotal = d.current.reduce((a, b) => a + b, 0) || 1;
  const ref = d.reference.map((c) => c / refTotal), cur = d.current.map((c) => c / curTotal);
  const n = labels.length;
  const width = 360, height = 190, left = 40, right = width - 10, top = 26, bottom = height - 40;
  const max = Math.max(1e-9, ...ref, ...cur);
  const slot = (right - left) / Math.max(1, n), bw = Math.max(1, slot / 2 - 1);
  const sy = (v: number) => bottom - (v / max) * (bottom - top);
  const out = svgOpen(width, height, `${f.name}${f.drifted ? " — drifted" : ""}`);
  for (const t of ticks(0, max, 3)) {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${num(sy(t))}" y2="${num(sy(t))}" stroke="#eee"/>`,
      `<text x="${left - 4}" y="${num(sy(t) + 4)}" text-anchor="end" fill="#555">${
        escapeHtml(`${Math.round(t * 100)}%`)
      }</text>`,
    );
  }
  labels.forEach((l, i) => {
    const x = left + i * slot;
    out.push(
      `<rect class="bar" x="${num(x + 1)}" y="${num(sy(ref[i]!))}" width="${num(bw)}" height="${
        num(bottom - sy(ref[i]!))
      }" fill="${PALETTE[0]}"><title>reference ${escapeHtml(l)}: ${
        (ref[i]! * 100).toFixed(1)
      }%</title></rect>`,
      `<rect class="bar" x="${num(x + 1 + bw)}" y="${num(sy(cur[i]!))}" width="${
        num(bw)
      }" height="${num(bottom - sy(cur[i]!))}" fill="${PALETTE[1]}"><title>current ${
        escapeHtml(l)
      }: ${(cur[i]! * 100).toFixed(1)}%</title></rect>`,
    );
  });
  // Axis labels: as many as fit.
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor((right - left) / 46))));
  labels.forEach((l, i) => {
    if (i % every !== 0) return;
    const cx = left + i * slot + slot / 2;
    const room = Math.min(slot * every - 2, 2 * (width - cx) - 2, 2 * cx - 2);
    out.push(
      `<text x="${num(cx)}" y="${bottom + 14}" text-anchor="middle" fill="#555">${
        escapeHtml(fitText(l, 11, room))
      }</text>`,
    );
  });
  out.push(
    `<rect x="${left}" y="${height - 16}" width="10" height="10" fill="${PALETTE[0]}"/>`,
    `<text x="${left + 14}" y="${height - 7}">reference</text>`,
    `<rect x="${left + 90}" y="${height - 16}" width="10" height="10" fill="${PALETTE[1]}"/>`,
    `<text x="${left + 104}" y="${height - 7}">current</text>`,
    "</svg>",
  );
  return out.join("\n");
}

function pValue(f: RunReportDriftFeature): number | null {
  const s = f.statistics ?? {};
  const p = s.ks?.pValue ?? s.chiSquare?.pValue ?? s.chi_square?.pValue;
  return typeof p === "number" ? p : null;
}

function adjustedP(f: RunReportDriftFeature): number | null {
  return typeof f.adjustedPValue === "number" ? f.adjustedPValue : null;
}

function driftSection(input: RunReportInput): ReportSection {
  const features = [...input.drift!].sort((a, b) =>
    Number(b.drifted ?? false) - Number(a.drifted ?? false) ||
    (b.score ?? -Infinity) - (a.score ?? -Infinity)
  );
  const sum = input.driftSummary ?? {};
  const drifted = features.filter((f) => f.drifted);
  const detected = sum.driftDetected ?? drifted.length > 0;
  const head = detected
    ? `<p class="fail">Drift detected: ${drifted.length} of ${
      sum.featureCount ?? features.length
    } features drifted (${escapeHtml(drifted.map((f) => f.name).join(", "))}).</p>`
    : `<p class="pass">No drift: none of ${features.length} features drifted.</p>`;
  const compared = sum.reference || sum.current
    ? `<p class="muted">${escapeHtml(sum.current ?? "current")} against ${
      escapeHtml(sum.reference ?? "reference")
    }. The deciding test is per feature (numeric: normed Wasserstein distance for large samples, else KS; categorical: Jensen–Shannon for large samples, else chi-square); KS and chi-square p-values are listed for every feature${
      sum.correction ? `, adjusted (${escapeHtml(sum.correction)})` : ""
    } where computed.</p>`
    : "";
  const psi = (f: RunReportDriftFeature) => {
    const v = f.statistics?.psi?.value;
    return typeof v === "number" ? v : null;
  };
  const table = htmlTable(
    [
      "feature",
      "drifted",
      "test",
      "score",
      "threshold",
      "KS / chi² p",
      "adjusted p",
      "PSI",
      "missing ref → cur",
    ],
    features.map((f) => [
      f.role === "target" ? `${f.name} (target)` : f.name,
      f.drifted ? "yes" : f.status && f.status !== "tested" ? f.status : "no",
      f.test ?? "",
      f.score ?? null,
      f.threshold ?? null,
      pValue(f),
      adjustedP(f),
      psi(f),
      f.missingShare
        ? `${formatValue(f.missingShare.reference ?? null)} → ${
          formatValue(f.missingShare.current ?? null)
        }`
        : "",
    ]),
  );
  const charts = features.filter((f) => f.distribution && f.distribution.reference.length > 0)
    .map((f) => `<div class="chart">${distributionSvg(f)}</div>`).join("\n");
  return {
    title: detected ? "Drift detected" : "Drift",
    html: head + compared + table +
      (charts ? `<h3>Distributions (share of rows, reference and current)</h3>${charts}` : ""),
  };
}

function evalSections(
  table: { columns: string[]; data: unknown[][] },
  maxRows: number,
): { wrong?: ReportSection; charts: ReportSection[]; wrongCount?: number } {
  const col = (name: string) => table.columns.indexOf(name);
  const exp = col("expected"),
    pred = col("predicted"),
    lat = col("latency_ms"),
    ok = col("correct");
  const charts: ReportSection[] = [];
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
      charts.push({
        title: "Confusion matrix",
        html: `<div class="chart">${confusionMatrixSvg(labels, matrix)}</div>`,
      });
    }
  }
  if (lat >= 0) {
    const values = table.data.map((r) => r[lat]).filter((v): v is number =>
      typeof v === "number" && Number.isFinite(v)
    ).sort((a, b) => a - b);
    if (values.length > 0) {
      // A few slow rows (a first call's warm-up, one timeout) would set the scale and squeeze
      // every other row into one bar: when the maximum is more than 3× the 99th percentile,
      // the chart stops there (or at the 95th percentile when the top 1% is itself a long
      // tail) and a note counts the rows left out.
      const p95 = quantile(values, 0.95), p99 = quantile(values, 0.99), max = values.at(-1)!;
      const upTo = p99 > 3 * p95 ? 95 : 99, cut = upTo === 95 ? p95 : p99;
      const clip = values.length >= 20 && max > 3 * cut && cut > values[0]!;
      const shown = clip ? values.filter((v) => v <= cut) : values;
      const { edges, counts } = binValues(shown, { bins: 20 });
      const left = values.length - shown.length;
      charts.push({
        title: "Latency",
        html: `<div class="chart">${
          histogramSvg(edges, counts, {
            title: clip ? `Latency per row (up to the ${upTo}th percentile)` : "Latency per row",
            xTitle: "ms",
          })
        }</div>` +
          (clip
            ? `<p class="muted">${left} slower row${
              left === 1 ? "" : "s"
            } (above the ${upTo}th percentile, ${escapeHtml(formatValue(cut))} ms; up to ${
              escapeHtml(formatValue(max))
            } ms) left out of the chart so the rest stay readable.</p>`
            : ""),
      });
    }
  }
  if (ok < 0) return { charts };
  const wrong = table.data.filter((r) => r[ok] !== true);
  // id, expected, predicted and the reasons first; then the inputs.
  const first = ["id", "expected", "predicted", "reasons", "error"].map(col).filter((i) => i >= 0);
  const order = [
    ...first,
    ...table.columns.map((_, i) => i).filter((i) => i !== ok && !first.includes(i)),
  ];
  return {
    charts,
    wrongCount: wrong.length,
    wrong: {
      title: `Wrong or failed rows (${wrong.length} of ${table.data.length})`,
      html: wrong.length > 0
        ? htmlTable(order.map((i) => table.columns[i]!), wrong.map((r) => order.map((i) => r[i])), {
          maxRows,
        }) +
          (wrong.length > maxRows
            ? `<p class="muted">The first ${maxRows}; every row is in the run's eval_results_table.json.</p>`
            : "")
        : "<p>Every row was right.</p>",
    },
  };
}

function link(a: { path: string; href?: string } | undefined, text: string): string {
  if (!a) return "";
  return a.href
    ? `<a href="${escapeHtml(a.href)}">${escapeHtml(text)}</a>`
    : `<code>${escapeHtml(text)}</code>`;
}

/**
 * Renders the report page, verdict first: status, the gate result, "drift detected" and the
 * headline metrics, with links to the run's own pages (evaluation_report.html,
 * drift/drift_report.html); then the drift section on drift runs (per-feature statistics and
 * reference/current distributions), the wrong rows (id, expected, predicted and reasons
 * first), the confusion matrix and latency histogram (outliers above the 99th percentile
 * noted, not drawn), every metric grouped into quality, latency, cost, errors, drift and
 * other (with a bar chart of the scores in [0, 1]), metric histories, dataset inputs,
 * artifacts, run details, tags and params last. Every chart is inline SVG.
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
  const evaluation = input.evalTable
    ? evalSections(input.evalTable, options.maxRows ?? 50)
    : { charts: [] as ReportSection[] };
  const artifact = (path: string) => input.artifacts?.find((a) => a.path === path);

  // The verdict.
  const badges: string[] = [
    `<span class="${input.status === "FINISHED" ? "pass" : "fail"}">${
      escapeHtml(input.status)
    }</span>`,
  ];
  const gate = input.tags["evalkit.gate"];
  if (gate === "passed") badges.push('<span class="pass">gates passed</span>');
  else if (gate === "failed") badges.push('<span class="fail">gates FAILED</span>');
  if (input.drift && input.drift.length > 0) {
    const detected = input.driftSummary?.driftDetected ?? input.drift.some((f) => f.drifted);
    badges.push(
      detected ? '<span class="fail">drift detected</span>' : '<span class="pass">no drift</span>',
    );
  }
  if (evaluation.wrongCount !== undefined) {
    badges.push(
      `<span>${evaluation.wrongCount} of ${input.evalTable!.data.length} rows wrong</span>`,
    );
  }
  const headlineKeys = (options.headlineMetrics ?? HEADLINE).filter((k) => latest(k) !== undefined);
  const pages = [
    link(artifact("evaluation_report.html"), "evaluation_report.html"),
    link(artifact("drift/drift_report.html"), "drift/drift_report.html"),
    input.runUrl ? `<a href="${escapeHtml(input.runUrl)}">the run in MLflow</a>` : "",
  ].filter((x) => x !== "");
  const sections: ReportSection[] = [{
    title: "Verdict",
    html: `<p class="verdict">${badges.join(" · ")}</p>` +
      (headlineKeys.length > 0
        ? htmlTable(["metric", "value"], headlineKeys.map((k) => [k, latest(k)!]))
        : "") +
      (pages.length > 0 ? `<p>Stored with the run: ${pages.join(" · ")}</p>` : ""),
  }];
  if (input.drift && input.drift.length > 0) sections.push(driftSection(input));
  if (evaluation.wrong) sections.push(evaluation.wrong);
  sections.push(...evaluation.charts);

  // Every metric, grouped.
  if (keys.length > 0) {
    const byGroup = new Map<string, string[]>();
    for (const k of keys) byGroup.set(metricGroup(k), [...(byGroup.get(metricGroup(k)) ?? []), k]);
    const unit = (byGroup.get("quality") ?? []).filter((k) => {
      const v = latest(k);
      return v !== undefined && v >= 0 && v <= 1 && SCORE_LIKE.test(k);
    });
    const parts: string[] = [];
    if (unit.length > 0) {
      parts.push(
        `<div class="chart">${
          barChartSvg(unit.map((k) => ({ label: k, value: latest(k)! })), {
            title: "Quality metrics in [0, 1] (latest)",
            max: 1,
            width: 720,
          })
        }</div>`,
      );
    }
    for (const g of GROUP_ORDER) {
      const members = byGroup.get(g);
      if (!members) continue;
      parts.push(
        `<h3>${escapeHtml(g)} (${members.length})</h3>` +
          htmlTable(
            ["metric", "latest", "points"],
            members.map((k) => [k, latest(k) ?? null, input.metrics[k]!.length]),
          ),
      );
    }
    sections.push({ title: `Metrics (${keys.length})`, html: parts.join("\n") });
  } else sections.push({ title: "Metrics", html: "<p>No metrics.</p>" });

  const withHistory = keys.filter((k) => new Set(input.metrics[k]!.map((p) => p.step)).size > 1);
  if (withHistory.length > 0) {
    const groups = new Map<string, string[]>();
    for (const k of withHistory) groups.set(groupKey(k), [...(groups.get(groupKey(k)) ?? []), k]);
    const max = options.maxHistoryCharts ?? 12;
    const charts = [...groups].slice(0, max).map(([group, members]) =>
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
    if (groups.size > max) {
      charts.push(
        `<p class="muted">${groups.size - max} more metric families with a history: ${
          escapeHtml([...groups.keys()].slice(max).join(", "))
        } (their latest values are in the tables above).</p>`,
      );
    }
    sections.push({ title: "Metric history", html: charts.join("\n") });
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
      html:
        '<table class="evalkit-table"><thead><tr><th>path</th><th>bytes</th></tr></thead><tbody>' +
        input.artifacts.map((a) =>
          `<tr><td>${link(a, a.path)}</td><td style="text-align:right">${
            escapeHtml(formatValue(a.size ?? null))
          }</td></tr>`
        ).join("") + "</tbody></table>",
    });
  }
  sections.push({
    title: "Run",
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
  const tags = Object.entries(input.tags).sort(([a], [b]) => (a < b ? -1 : 1));
  if (tags.length > 0) sections.push({ title: "Tags", html: htmlTable(["tag", "value"], tags) });
  const params = Object.entries(input.params).sort(([a], [b]) => (a < b ? -1 : 1));
  sections.push({
    title: "Params",
    html: params.length > 0 ? htmlTable(["param", "value"], params) : "<p>No params.</p>",
  });
  return htmlReport({
    title: `Run ${input.runName}`,
    subtitle: `${input.experiment} · ${input.status} · ${input.runId} · ${input.source}`,
    sections,
  });
}

/**
 * The drift part of {@link RunReportInput} from a run's `drift/drift_report.json`
 * (`evalkit.drift_report/v1`): the features and target with their statistics and
 * distributions, and the summary. `undefined` for text that is not such a report.
 *
 * @example
 * ```ts
 * import { driftFromReportJson } from "@evalkit/evalkit/report";
 * const d = driftFromReportJson(JSON.stringify({
 *   reference: { name: "a@1" }, current: { name: "b@1" }, settings: { correction: "bh" },
 *   summary: { driftDetected: true, driftedCount: 1, featureCount: 1 },
 *   features: [{ name: "age", test: "ks", score: 0.001, threshold: 0.05, drifted: true }],
 * }));
 * if (!d?.driftSummary.driftDetected || d.drift[0]?.name !== "age") throw new Error("unexpected");
 * ```
 */
export function driftFromReportJson(
  text: string,
):
  | { drift: RunReportDriftFeature[]; driftSummary: NonNullable<RunReportInput["driftSummary"]> }
  | undefined {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!r || typeof r !== "object" || !Array.isArray(r.features)) return undefined;
  type Raw = RunReportDriftFeature & {
    reference?: { missingShare?: number };
    current?: { missingShare?: number };
  };
  const feature = (f: Raw): RunReportDriftFeature => ({
    name: String(f.name),
    ...(f.role !== undefined ? { role: f.role } : {}),
    ...(f.kind !== undefined ? { kind: f.kind } : {}),
    ...(f.test !== undefined ? { test: f.test } : {}),
    ...(typeof f.score === "number" ? { score: f.score } : {}),
    ...(typeof f.threshold === "number" ? { threshold: f.threshold } : {}),
    ...(typeof f.adjustedPValue === "number" ? { adjustedPValue: f.adjustedPValue } : {}),
    ...(f.drifted !== undefined ? { drifted: f.drifted } : {}),
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(f.statistics ? { statistics: f.statistics } : {}),
    ...(f.reference || f.current
      ? {
        missingShare: {
          ...(typeof f.reference?.missingShare === "number"
            ? { reference: f.reference.missingShare }
            : {}),
          ...(typeof f.current?.missingShare === "number"
            ? { current: f.current.missingShare }
            : {}),
        },
      }
      : {}),
    ...(f.distribution && Array.isArray(f.distribution.reference)
      ? { distribution: f.distribution }
      : {}),
  });
  const drift = (r.features as Raw[]).map(feature);
  if (r.target && typeof r.target === "object") drift.push(feature(r.target as Raw));
  const summary = (r.summary ?? {}) as Record<string, unknown>;
  const name = (x: unknown) =>
    x && typeof x === "object" && "name" in x ? String((x as { name: unknown }).name) : undefined;
  const settings = (r.settings ?? {}) as Record<string, unknown>;
  const reference = name(r.reference), current = name(r.current);
  return {
    drift,
    driftSummary: {
      ...(typeof summary.driftDetected === "boolean"
        ? { driftDetected: summary.driftDetected }
        : {}),
      ...(typeof summary.driftedCount === "number" ? { driftedCount: summary.driftedCount } : {}),
      ...(typeof summary.featureCount === "number" ? { featureCount: summary.featureCount } : {}),
      ...(reference ? { reference } : {}),
      ...(current ? { current } : {}),
      ...(typeof settings.correction === "string" ? { correction: settings.correction } : {}),
    },
  };
}
