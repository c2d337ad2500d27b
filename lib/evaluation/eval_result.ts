/**
 * `EvalResult`: the plain-data result of an evaluation, its per-row table (written by
 * `table()`, read back by {@link evalRowsFromTable}: the columns are listed once, here), and
 * one-line delegates to the renderers in `_render.ts` (Markdown summary, HTML report, SVG,
 * Vega-Lite, Jupyter display bundle).
 *
 * @module
 */
import type { VegaLiteSpec } from "../report/vega_lite.ts";
import type { EvalResultData, EvalRow, EvalTable } from "./types.ts";
import * as render from "./_render.ts";

export type { EvalResultData, EvalRow, EvalTable };

/** When an optional column of the table is written: only when some row needs it. */
type ColumnWhen = "always" | "tokens" | "retries" | "errors";

/** The table's columns after the inputs: name, the row field, its default when read, when written. */
const ROW_COLUMNS: readonly {
  column: string;
  field: keyof EvalRow;
  empty: unknown;
  when: ColumnWhen;
  write?: (r: EvalRow) => unknown;
}[] = [
  { column: "expected", field: "expected", empty: null, when: "always" },
  { column: "predicted", field: "predicted", empty: null, when: "always" },
  { column: "correct", field: "correct", empty: null, when: "always" },
  { column: "risk_score", field: "riskScore", empty: null, when: "always" },
  {
    column: "latency_ms",
    field: "latencyMs",
    empty: 0,
    when: "always",
    write: (r) => Math.round(r.latencyMs * 1000) / 1000,
  },
  { column: "tokens", field: "tokens", empty: 0, when: "tokens" },
  { column: "cost_usd", field: "costUsd", empty: 0, when: "tokens" },
  { column: "attempts", field: "attempts", empty: 1, when: "retries" },
  { column: "error_type", field: "errorType", empty: null, when: "errors" },
  { column: "error", field: "error", empty: null, when: "errors" },
  { column: "reasons", field: "reasons", empty: null, when: "always" },
];

/**
 * The input columns of an evaluation table: those between `id` (and `trial`) and `expected`.
 *
 * @example
 * ```ts
 * import { inputColumnsOf } from "@evalkit/evalkit/evaluation";
 * const cols = inputColumnsOf({ columns: ["id", "trial", "age", "expected", "predicted"], data: [] });
 * if (cols.join() !== "age") throw new Error("unexpected");
 * ```
 */
export function inputColumnsOf(table: EvalTable): string[] {
  const c = table.columns;
  return c.slice(c.indexOf("id") + 1, c.indexOf("expected")).filter((k) => k !== "trial");
}

/** Options of {@link evalRowsFromTable}. */
export interface EvalRowsFromTableOptions {
  /** Dataset position of each table row (default: the row's position in the table). */
  indices?: readonly number[];
  /** The ids are dataset positions (a dataset without an id column): use `indices`. */
  idsArePositions?: boolean;
}

/**
 * Reads an evaluation table (as `EvalResult.table()` writes it) back into rows; the reader of
 * the writer's columns. Columns a table leaves out read as their empty value.
 *
 * @example
 * ```ts
 * import { evalRowsFromTable } from "@evalkit/evalkit/evaluation";
 * const rows = evalRowsFromTable({ columns: ["id", "age", "expected", "predicted"], data: [["a", 30, "x", "x"]] });
 * if (rows[0]?.input.age !== 30 || rows[0]?.attempts !== 1) throw new Error("unexpected");
 * ```
 */
export function evalRowsFromTable(
  table: EvalTable,
  options: EvalRowsFromTableOptions = {},
): EvalRow[] {
  const at = (name: string) => table.columns.indexOf(name);
  const id = at("id"), trial = at("trial");
  const inputs = inputColumnsOf(table).map((name) => [name, at(name)] as const);
  const fields = ROW_COLUMNS.map((c) => [c, at(c.column)] as const);
  return table.data.map((row, k) => {
    const index = options.indices?.[k] ?? k;
    const out: Record<string, unknown> = {
      trial: trial >= 0 ? Number(row[trial]) : 1,
      index,
      id: options.idsArePositions ? String(index) : String(row[id]),
      input: Object.fromEntries(inputs.map(([name, i]) => [name, row[i]])),
    };
    for (const [c, i] of fields) out[c.field] = i >= 0 ? (row[i] ?? c.empty) : c.empty;
    return out as unknown as EvalRow;
  });
}

/**
 * The result of `ModelEvaluator.evaluateDataset`: plain data (the fields of
 * {@link EvalResultData}, listed once) plus renderers. In a Deno Jupyter notebook the last
 * expression of a cell displays as an HTML summary with a chart.
 *
 * @example
 * ```ts ignore
 * const result = await new ModelEvaluator("loan_approval", new LoanApprovalAgent())
 *   .evaluateDataset(dataset, { logToMlflow: false });
 * console.log(result.metrics.accuracy_score, result.toMarkdown());
 * result; // in a notebook: the HTML summary and a confusion-matrix chart
 * ```
 */
export interface EvalResult extends EvalResultData {}

/**
 * The result of `ModelEvaluator.evaluateDataset`: its data and renderers.
 *
 * @example
 * ```ts ignore
 * const result = await new ModelEvaluator("loan_approval", new LoanApprovalAgent())
 *   .evaluateDataset(dataset, { logToMlflow: false });
 * console.log(result.metrics.accuracy_score, result.toMarkdown());
 * ```
 */
export class EvalResult {
  /** Wraps the data. */
  constructor(data: EvalResultData) {
    for (const [k, v] of Object.entries(data)) {
      if (v !== undefined) (this as Record<string, unknown>)[k] = v;
    }
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
  table(): EvalTable {
    const rows = this.rows;
    if (this.#cache?.rows === rows && this.#cache.length === rows.length) return this.#cache.table;
    // Optional columns that would be empty for every row are left out.
    const on: Record<ColumnWhen, boolean> = {
      always: true,
      tokens: this.usage.totalTokens > 0 || rows.some((r) => r.tokens > 0),
      retries: rows.some((r) => r.attempts > 1),
      errors: this.errors.total > 0 || rows.some((r) => r.errorType !== null),
    };
    const cols: [string, (r: EvalRow) => unknown][] = [["id", (r) => r.id]];
    if (this.trials.length > 1) cols.push(["trial", (r) => r.trial]);
    for (const c of this.inputColumns) cols.push([c, (r) => r.input[c] ?? null]);
    for (const c of ROW_COLUMNS) {
      if (on[c.when]) cols.push([c.column, c.write ?? ((r) => r[c.field])]);
    }
    const getters = cols.map((c) => c[1]);
    const data: unknown[][] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const out = new Array(getters.length);
      for (let k = 0; k < getters.length; k++) out[k] = getters[k]!(r);
      data[i] = out;
    }
    const table = { columns: cols.map((c) => c[0]), data };
    this.#cache = { rows, length: rows.length, table };
    return table;
  }

  #cache?: { rows: EvalRow[]; length: number; table: EvalTable };

  /**
   * A Markdown summary fit for a CI job summary: verdict, headline metrics, per class, errors,
   * baseline comparison and regressed rows.
   */
  toMarkdown(): string {
    return render.markdown(this);
  }

  /** A Vega-Lite heatmap of the confusion matrix. */
  confusionMatrixSpec(): VegaLiteSpec {
    return render.confusionMatrixSpec(this);
  }

  /** A Vega-Lite bar chart of F1 per class. */
  perClassSpec(): VegaLiteSpec {
    return render.perClassSpec(this);
  }

  /** The confusion matrix as a standalone SVG (the MLflow artifact). */
  confusionMatrixSvg(): string {
    return render.confusionMatrixSvg(this);
  }

  /**
   * A standalone HTML report (the MLflow artifact `evaluation_report.html`): summary, gate,
   * per class, confusion matrix, errors, baseline and the first wrong rows. The rows are in
   * the table artifact, not the page, so the page stays small enough for MLflow's viewer.
   */
  toHtml(): string {
    return render.html(this);
  }

  /**
   * The terminal summary (what `deno task evaluate` prints): the evaluated agent and dataset,
   * the headline metrics (mean ± std and CI when repeated), errors and the baseline diff.
   */
  toText(): string {
    return render.terminal(this);
  }

  /** A few lines of plain text. */
  toString(): string {
    return render.text(this);
  }

  /** Plain data (no rows by default: they can be large). */
  toJSON(): Omit<EvalResultData, "rows"> & { rowCount: number } {
    const { rows: _rows, ...rest } = { ...this } as EvalResultData;
    return { ...rest, rowCount: this.rows.length };
  }

  /** The Jupyter MIME bundle: text, an HTML summary and the confusion matrix as Vega-Lite. */
  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    return render.displayBundleOf(this);
  }
}
