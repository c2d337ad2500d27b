// Private rendering helpers for DriftReport: text summary, HTML table with inline SVG
// distributions, and Vega-Lite specs. HTML escaping is lib/report's (result types render
// through lib/report, see ARCHITECTURE.md §2).
import { concatCharts } from "../report/concat_charts.ts";
import { escapeHtml, formatValue } from "../report/format.ts";
import { barChartSpec, histogramSpec } from "../report/vega_lite.ts";
import type { DriftReportData, FeatureDistribution, FeatureDrift } from "./types.ts";

/** A number for humans, as every evalkit table prints it (`formatValue`); "–" when absent. */
export function fmt(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? "–" : formatValue(v);
}

const TEST_LABEL: Record<string, string> = {
  ks: "KS p-value",
  chi_square: "chi-square p-value",
  wasserstein: "Wasserstein (normed)",
  jensen_shannon: "Jensen–Shannon",
  psi: "PSI",
};

function allRows(d: DriftReportData): FeatureDrift[] {
  return [...d.features, ...(d.target ? [d.target] : []), ...(d.prediction ? [d.prediction] : [])];
}

export function headline(d: DriftReportData): string {
  const s = d.summary;
  const verdict = s.driftDetected ? "DRIFT DETECTED" : "no drift detected";
  return `${verdict}: ${s.driftedCount} of ${s.testedCount} features drifted (share ${
    fmt(s.share)
  })` + (s.targetDrift ? "; target drifted" : "") +
    (s.predictionDrift ? "; predictions drifted" : "");
}

function decisionText(f: FeatureDrift): string {
  if (f.status === "skipped") return `skipped (${f.skipReason})`;
  const p = f.adjustedPValue !== undefined && f.adjustedPValue !== f.score
    ? ` (adjusted ${fmt(f.adjustedPValue)})`
    : "";
  const op = f.test === "ks" || f.test === "chi_square" ? "<" : ">=";
  return `${TEST_LABEL[f.test]} ${fmt(f.score)}${p} ${f.drifted ? op : "not " + op} ${
    fmt(f.threshold)
  }`;
}

export function renderText(d: DriftReportData): string {
  const lines = [
    `Data drift: ${d.current.name} (${d.current.rows} rows) vs ${d.reference.name} (${d.reference.rows} rows)`,
    headline(d),
  ];
  const rows = allRows(d);
  const w = Math.max(
    8,
    ...rows.map((f) => f.name.length + (f.role === "feature" ? 0 : f.role.length + 3)),
  );
  for (const f of rows) {
    const label = f.role === "feature" ? f.name : `${f.name} (${f.role})`;
    const mark = f.status === "skipped" ? "-" : f.drifted ? "!" : " ";
    const psi = f.statistics.psi
      ? `  PSI ${fmt(f.statistics.psi.value)} ${f.statistics.psi.band}`
      : "";
    const unseen = f.unseenCategories?.length ? `  unseen: ${f.unseenCategories.join(", ")}` : "";
    lines.push(` ${mark} ${label.padEnd(w)}  ${decisionText(f)}${psi}${unseen}`);
  }
  return lines.join("\n");
}

function svgDistribution(dist: FeatureDistribution | undefined): string {
  if (!dist) return "";
  const W = 180, H = 40;
  const n = dist.reference.length;
  const pr = shares(dist.reference), pc = shares(dist.current);
  const max = Math.max(...pr, ...pc, 1e-12);
  const bw = W / n;
  const bars: string[] = [];
  for (let i = 0; i < n; i++) {
    const hr = (pr[i]! / max) * H, hc = (pc[i]! / max) * H;
    bars.push(
      `<rect x="${(i * bw).toFixed(1)}" y="${(H - hr).toFixed(1)}" width="${
        (bw / 2).toFixed(1)
      }" height="${hr.toFixed(1)}" fill="#4c78a8"/>`,
      `<rect x="${(i * bw + bw / 2).toFixed(1)}" y="${(H - hc).toFixed(1)}" width="${
        (bw / 2).toFixed(1)
      }" height="${hc.toFixed(1)}" fill="#f58518"/>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="reference (blue) vs current (orange)">${
    bars.join("")
  }</svg>`;
}

export function renderHtmlTable(d: DriftReportData): string {
  const head = [
    "feature",
    "type",
    "test",
    "score",
    "threshold",
    "drifted",
    "PSI",
    "missing ref / cur",
    "distribution",
  ];
  const rows = allRows(d).map((f) => {
    const unseen = f.unseenCategories?.length
      ? `<br><small>unseen: ${escapeHtml(f.unseenCategories.join(", "))}</small>`
      : "";
    const score = f.status === "skipped"
      ? `skipped: ${escapeHtml(f.skipReason ?? "")}`
      : fmt(f.score) +
        (f.adjustedPValue !== undefined ? ` <small>(adj. ${fmt(f.adjustedPValue)})</small>` : "");
    const psi = f.statistics.psi
      ? `${fmt(f.statistics.psi.value)} <small>${f.statistics.psi.band}</small>`
      : "–";
    const style = f.drifted ? ' style="background:#fde2e1"' : "";
    return `<tr${style}><td>${escapeHtml(f.name)}${
      f.role === "feature" ? "" : ` <em>(${f.role})</em>`
    }${unseen}</td><td>${f.testedAs}</td><td>${TEST_LABEL[f.test]}</td><td>${score}</td><td>${
      fmt(f.threshold)
    }</td><td>${
      f.status === "skipped" ? "–" : f.drifted ? "<b>yes</b>" : "no"
    }</td><td>${psi}</td><td>${fmt(f.reference.missingShare)} / ${
      fmt(f.current.missingShare)
    }</td><td>${svgDistribution(f.distribution)}</td></tr>`;
  });
  return `<div class="evalkit-drift"><p><b>${escapeHtml(headline(d))}</b><br><small>${
    escapeHtml(d.current.name)
  } (${d.current.rows} rows) vs ${
    escapeHtml(d.reference.name)
  } (${d.reference.rows} rows); correction ${d.settings.correction}; bars: reference (blue) vs current (orange)</small></p><table border="1" cellspacing="0" cellpadding="4"><thead><tr>${
    head.map((h) => `<th>${h}</th>`).join("")
  }</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

export function renderHtmlPage(d: DriftReportData): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Data drift report</title><style>body{font-family:system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{text-align:left;vertical-align:top}</style></head><body><h1>Data drift report</h1>${
    renderHtmlTable(d)
  }<details><summary>Settings</summary><pre>${
    escapeHtml(JSON.stringify(d.settings, null, 2))
  }</pre></details></body></html>`;
}

/** Each count as a share of the total (all zeros stay zeros). */
function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return counts.map((c) => c / total);
}

/**
 * One Vega-Lite v5 spec: a grid of per-feature distribution charts (reference vs current
 * shares), built with lib/report's chart builders.
 */
export function renderVegaLite(d: DriftReportData): Record<string, unknown> {
  const charts = allRows(d).filter((f) => f.distribution).map((f) => {
    const dist = f.distribution!;
    const title = `${f.name}${f.drifted ? " (drifted)" : ""}`;
    const reference = shares(dist.reference), current = shares(dist.current);
    if (dist.type === "histogram") {
      return histogramSpec(dist.edges, { reference, current }, {
        title,
        width: 220,
        height: 120,
        valueTitle: f.name,
        countTitle: "share",
      });
    }
    return barChartSpec(
      dist.categories.flatMap((label, i) => [
        { label, value: reference[i]!, group: "reference" },
        { label, value: current[i]!, group: "current" },
      ]),
      { title, width: 220, valueTitle: "share", labelTitle: f.name },
    );
  });
  if (charts.length === 0) {
    return {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      title: headline(d),
      concat: [],
    };
  }
  return concatCharts(charts, { columns: 3, title: headline(d) });
}
