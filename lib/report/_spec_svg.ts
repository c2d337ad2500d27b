// Private: the SVG twin of a Vega-Lite spec made by lib/report's builders (barChartSpec,
// heatmapSpec, histogramSpec, lineChartSpec, concatCharts), drawn with lib/report's SVG
// charts, so a display bundle can carry `image/svg+xml` (static HTML, GitHub) and an inline
// SVG in its HTML (JupyterLab picks text/html first). Specs of any other shape give undefined.
import { barChartSvg } from "./svg_bar_chart.ts";
import { confusionMatrixSvg } from "./svg_confusion_matrix.ts";
import { histogramSvg } from "./svg_histogram.ts";
import { lineChartSvg } from "./svg_line_chart.ts";
import { escapeHtml } from "./format.ts";

type Spec = Record<string, unknown>;
type Row = Record<string, unknown>;

function titleOf(spec: Spec): string | undefined {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") {
    return (t as { text: string }).text;
  }
  return undefined;
}

function rows(spec: Spec): Row[] {
  const values = (spec.data as { values?: unknown } | undefined)?.values;
  return Array.isArray(values) ? values as Row[] : [];
}

function markType(spec: Spec): string | undefined {
  const m = spec.mark;
  return typeof m === "string" ? m : (m as { type?: string } | undefined)?.type;
}

function enc(spec: Spec): Record<string, { field?: string; title?: unknown; sort?: unknown }> {
  return (spec.encoding ?? {}) as Record<string, { field?: string; title?: unknown }>;
}

function width(spec: Spec, fallback: number): number {
  return typeof spec.width === "number" ? Math.max(200, spec.width + 120) : fallback;
}

/** Nested charts side by side, `columns` per row, in one SVG document. */
function grid(svgs: string[], columns: number, title: string | undefined): string {
  const sizes = svgs.map((s) => {
    const w = Number(/width="([\d.]+)"/.exec(s)?.[1] ?? 300);
    const h = Number(/height="([\d.]+)"/.exec(s)?.[1] ?? 200);
    return { w, h };
  });
  const top = title ? 26 : 0, gap = 12;
  const colW: number[] = [], rowH: number[] = [];
  sizes.forEach(({ w, h }, i) => {
    const c = i % columns, r = Math.floor(i / columns);
    colW[c] = Math.max(colW[c] ?? 0, w);
    rowH[r] = Math.max(rowH[r] ?? 0, h);
  });
  const total = colW.reduce((a, b) => a + b + gap, 0);
  const height = top + rowH.reduce((a, b) => a + b + gap, 0);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="evalkit-chart" width="${total}" height="${height}" viewBox="0 0 ${total} ${height}" font-family="sans-serif" role="img">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
  ];
  if (title) {
    out.push(
      `<title>${escapeHtml(title)}</title>`,
      `<text x="${total / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${
        escapeHtml(title)
      }</text>`,
    );
  }
  svgs.forEach((s, i) => {
    const c = i % columns, r = Math.floor(i / columns);
    const x = colW.slice(0, c).reduce((a, b) => a + b + gap, 0);
    const y = top + rowH.slice(0, r).reduce((a, b) => a + b + gap, 0);
    out.push(s.replace(/^<svg /, `<svg x="${x}" y="${y}" `));
  });
  out.push("</svg>");
  return out.join("\n");
}

/** The SVG of a spec made by lib/report's builders, or `undefined` for any other spec. */
export function specSvg(spec: unknown): string | undefined {
  if (!spec || typeof spec !== "object") return undefined;
  const s = spec as Spec;
  const title = titleOf(s);
  if (Array.isArray(s.concat)) {
    const parts = (s.concat as Spec[]).map(specSvg);
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    const columns = typeof s.columns === "number" ? s.columns : parts.length;
    return grid(parts as string[], Math.max(1, columns), title);
  }
  const e = enc(s);
  const data = rows(s);
  // heatmapSpec: a rect layer and a text layer over row/column/value.
  if (Array.isArray(s.layer) && e.x?.field === "column" && e.y?.field === "row") {
    const labels = Array.isArray(e.y.sort)
      ? (e.y.sort as unknown[]).map(String)
      : [...new Set(data.map((r) => String(r.row)))];
    const index = new Map(labels.map((l, i) => [l, i]));
    const matrix = labels.map(() => labels.map(() => 0));
    for (const r of data) {
      const i = index.get(String(r.row)), j = index.get(String(r.column));
      if (i !== undefined && j !== undefined) matrix[i]![j] = Number(r.value) || 0;
    }
    return confusionMatrixSvg(labels, matrix, title ? { title } : {});
  }
  const type = markType(s);
  // histogramSpec: binned bars start/end/count per series.
  if (type === "bar" && e.x2?.field === "end") {
    const bySeries = new Map<string, Row[]>();
    for (const r of data) {
      const k = String(r.series ?? "");
      bySeries.set(k, [...(bySeries.get(k) ?? []), r]);
    }
    const xTitle = typeof e.x?.title === "string" ? e.x.title : undefined;
    const charts = [...bySeries].map(([name, rs]) => {
      const edges = [...rs.map((r) => Number(r.start)), Number(rs.at(-1)?.end)];
      const t = bySeries.size > 1 ? `${title ? `${title}: ` : ""}${name}` : title;
      return histogramSvg(edges, rs.map((r) => Number(r.count) || 0), {
        ...(t ? { title: t } : {}),
        ...(xTitle ? { xTitle } : {}),
        width: width(s, 420),
      });
    });
    if (charts.length === 0) return undefined;
    return charts.length === 1 ? charts[0] : grid(charts, 1, undefined);
  }
  // barChartSpec: label/value (and group) bars.
  if (type === "bar" && e.y?.field === "label" && e.x?.field === "value") {
    if (data.length === 0) return undefined;
    return barChartSvg(
      data.map((r) => ({
        label: r.group !== undefined ? `${r.label} (${r.group})` : String(r.label),
        value: Number(r.value),
      })),
      { ...(title ? { title } : {}), width: width(s, 560) },
    );
  }
  // lineChartSpec: x/y points per series.
  if (type === "line" && e.x?.field === "x" && e.y?.field === "y") {
    const series: Record<string, { x: number; y: number }[]> = {};
    for (const r of data) {
      const x = typeof r.x === "number" ? r.x : Date.parse(String(r.x));
      const k = String(r.series ?? (typeof e.y.title === "string" ? e.y.title : "value"));
      (series[k] ??= []).push({ x, y: Number(r.y) });
    }
    if (Object.keys(series).length === 0) return undefined;
    const xTitle = typeof e.x.title === "string" ? e.x.title : undefined;
    return lineChartSvg(series, {
      ...(title ? { title } : {}),
      ...(xTitle ? { xTitle } : {}),
      width: width(s, 560),
    });
  }
  return undefined;
}
