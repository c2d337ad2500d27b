/**
 * A notebook view of a dataset: head, schema and column statistics, with charts.
 *
 * @module
 */
import { binValues } from "./histogram.ts";
import { concatCharts } from "./concat_charts.ts";
import { type ColumnStats, describeColumns } from "./describe_columns.ts";
import { displayBundle } from "./display_bundle.ts";
import { escapeHtml, formatValue } from "./format.ts";
import { htmlTable } from "./tables.ts";
import { barChartSpec, histogramSpec, type VegaLiteSpec } from "./vega_lite.ts";

/** The parts of a dataset {@link datasetView} reads (a lib/datasets `Dataset` fits). */
export interface DatasetViewSource {
  /** Name. */
  name?: string;
  /** Version. */
  version?: string;
  /** Rows. */
  rows: readonly Record<string, unknown>[];
  /** Schema: columns with types, roles and personal-data handling. */
  schema?: {
    columns: readonly { name: string; type: string; role?: string; personalData?: string }[];
    target?: string;
    id?: string;
  };
}

/** Options of {@link datasetView}. */
export interface DatasetViewOptions {
  /** Rows in the head. Default 10. */
  head?: number;
  /** Show personal-data columns (schema `personalData`) in the head instead of masking them. Default false. */
  showPersonalData?: boolean;
  /** Numeric columns charted as histograms. Default the first 6 numeric features. */
  chartColumns?: readonly string[];
}

const STAT_COLUMNS = [
  "column",
  "type",
  "count",
  "missing",
  "unique",
  "mean",
  "std",
  "min",
  "25%",
  "50%",
  "75%",
  "max",
  "top",
  "freq",
];

/**
 * What {@link datasetView} returns: data plus renderers; displays itself in Jupyter.
 *
 * @example
 * ```ts
 * import { datasetView } from "@evalkit/evalkit/report";
 * const view = datasetView({ name: "toy", rows: [{ age: 30 }, { age: 50 }] });
 * if (!view.toHtml().includes("<table") || view.stats[0]!.max !== 50) throw new Error("view");
 * ```
 */
export class DatasetView {
  /** Dataset name and version (`name@version`), or `dataset`. */
  readonly title: string;
  /** Rows in the dataset. */
  readonly rowCount: number;
  /** Column names, in schema order. */
  readonly columns: string[];
  /** The schema's columns (name, type, role, personal data). */
  readonly schema: { name: string; type: string; role: string; personalData: string }[];
  /** The first rows (personal data masked unless asked). */
  readonly head: Record<string, unknown>[];
  /** Statistics per column. */
  readonly stats: ColumnStats[];
  /** Counts per target value, when the schema names a target. */
  readonly targetCounts?: Record<string, number>;
  #ds: DatasetViewSource;
  #options: DatasetViewOptions;

  /** Builds the view; prefer {@link datasetView}. */
  constructor(ds: DatasetViewSource, options: DatasetViewOptions = {}) {
    this.#ds = ds;
    this.#options = options;
    this.title = ds.name ? `${ds.name}${ds.version ? `@${ds.version}` : ""}` : "dataset";
    this.rowCount = ds.rows.length;
    this.columns = ds.schema?.columns.map((c) => c.name) ?? Object.keys(ds.rows[0] ?? {});
    this.schema = ds.schema?.columns.map((c) => ({
      name: c.name,
      type: c.type,
      role: c.role ??
        (c.name === ds.schema?.target ? "target" : c.name === ds.schema?.id ? "id" : "feature"),
      personalData: c.personalData ?? "",
    })) ?? [];
    const masked = new Set(
      options.showPersonalData ? [] : this.schema.filter((c) => c.personalData).map((c) => c.name),
    );
    this.head = ds.rows.slice(0, options.head ?? 10).map((r) => {
      const o: Record<string, unknown> = {};
      for (const c of this.columns) {
        o[c] = masked.has(c) && r[c] !== null && r[c] !== undefined ? "•••" : r[c];
      }
      return o;
    });
    this.stats = describeColumns(ds.rows, this.columns).map((s) =>
      masked.has(s.name) && s.top !== undefined ? { ...s, top: "•••" } : s
    );
    const target = ds.schema?.target;
    if (target) {
      const counts: Record<string, number> = {};
      for (const r of ds.rows) {
        const k = String(r[target] ?? "(missing)");
        counts[k] = (counts[k] ?? 0) + 1;
      }
      this.targetCounts = counts;
    }
  }

  /** The statistics as table rows (`column, type, count, missing, unique, mean, …, top, freq`). */
  describe(): { columns: string[]; data: unknown[][] } {
    return {
      columns: STAT_COLUMNS,
      data: this.stats.map((s) => [
        s.name,
        s.kind,
        s.count,
        s.missing,
        s.unique,
        s.mean ?? null,
        s.std ?? null,
        s.min ?? null,
        s.p25 ?? null,
        s.p50 ?? null,
        s.p75 ?? null,
        s.max ?? null,
        s.top ?? null,
        s.freq ?? null,
      ]),
    };
  }

  /** Histograms of numeric features and the target's class counts, as one Vega-Lite spec. */
  toVegaLite(): VegaLiteSpec | undefined {
    const roleOf = new Map(this.schema.map((c) => [c.name, c.role]));
    const chartColumns = this.#options.chartColumns ??
      this.stats.filter((s) =>
        s.kind === "numeric" && (roleOf.get(s.name) ?? "feature") === "feature"
      ).slice(0, 6).map((s) => s.name);
    const charts: VegaLiteSpec[] = [];
    if (this.targetCounts) {
      charts.push(
        barChartSpec(
          Object.entries(this.targetCounts).map(([label, value]) => ({ label, value })),
          { title: `${this.#ds.schema?.target} (target)`, valueTitle: "rows", width: 240 },
        ),
      );
    }
    for (const c of chartColumns) {
      const values = this.#ds.rows.map((r) => r[c]).filter((v): v is number =>
        typeof v === "number"
      );
      if (values.length === 0) continue;
      const { edges, counts } = binValues(values, { bins: 15 });
      charts.push(
        histogramSpec(edges, { rows: counts }, {
          title: c,
          valueTitle: c,
          width: 240,
          height: 140,
        }),
      );
    }
    return charts.length > 0 ? concatCharts(charts, { columns: 3 }) : undefined;
  }

  /** Plain text: size, schema and statistics. */
  toString(): string {
    const lines = [`${this.title}: ${this.rowCount} rows × ${this.columns.length} columns`];
    for (const s of this.stats) {
      lines.push(
        s.kind === "numeric"
          ? `  ${s.name}: mean ${formatValue(s.mean)} std ${formatValue(s.std)} min ${
            formatValue(s.min)
          } median ${formatValue(s.p50)} max ${formatValue(s.max)} missing ${s.missing}`
          : `  ${s.name}: ${s.unique} unique, top ${s.top ?? "—"} (${
            s.freq ?? 0
          }) missing ${s.missing}`,
      );
    }
    return lines.join("\n");
  }

  /** HTML: heading, schema, head and statistics tables. */
  toHtml(): string {
    const parts = [
      `<h3>${escapeHtml(this.title)}</h3>`,
      `<p>${this.rowCount} rows × ${this.columns.length} columns</p>`,
    ];
    if (this.schema.length > 0) {
      parts.push(
        htmlTable(
          ["column", "type", "role", "personal data"],
          this.schema.map((c) => [c.name, c.type, c.role, c.personalData]),
          { caption: "Schema" },
        ),
      );
    }
    parts.push(
      htmlTable(this.columns, this.head.map((r) => this.columns.map((c) => r[c])), {
        caption: `First ${this.head.length} rows`,
      }),
    );
    const d = this.describe();
    parts.push(htmlTable(d.columns, d.data, { caption: "Column statistics" }));
    return parts.join("\n");
  }

  /** The Jupyter MIME bundle: text, HTML tables and charts. */
  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    const vegaLite = this.toVegaLite();
    return displayBundle({
      text: this.toString(),
      html: this.toHtml(),
      ...(vegaLite ? { vegaLite } : {}),
    });
  }
}

/**
 * A dataset's head, schema and column statistics (pandas-`describe`-like), with histograms
 * of numeric features and the target's class counts; in a Deno notebook it displays as HTML
 * tables and a Vega-Lite chart. Personal-data columns are masked in the head by default.
 *
 * @example
 * ```ts
 * import { datasetView } from "@evalkit/evalkit/report";
 * const view = datasetView({
 *   name: "toy",
 *   rows: [{ age: 30, y: "approve" }, { age: 50, y: "reject" }],
 *   schema: { columns: [{ name: "age", type: "integer" }, { name: "y", type: "string" }], target: "y" },
 * });
 * if (view.stats[0]!.mean !== 40 || view.targetCounts?.approve !== 1) throw new Error("unexpected");
 * ```
 */
export function datasetView(ds: DatasetViewSource, options: DatasetViewOptions = {}): DatasetView {
  return new DatasetView(ds, options);
}
