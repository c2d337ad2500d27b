/**
 * A notebook view of an evaluation with every chart: confusion matrix, per-class F1,
 * latency histogram, and the rows it got wrong.
 *
 * @module
 */
import { binValues } from "./histogram.ts";
import { concatCharts } from "./concat_charts.ts";
import { displayBundle } from "./display_bundle.ts";
import { Displayable } from "./displayable.ts";
import { htmlTable } from "./tables.ts";
import { histogramSpec, type VegaLiteSpec } from "./vega_lite.ts";

/** The parts of an evaluation's `EvalResult` that {@link evalView} reads. */
export interface EvalResultLike {
  /** Per-row results. */
  rows: readonly {
    id: string;
    input: Record<string, unknown>;
    expected: string | null;
    predicted: string | null;
    correct: boolean | null;
    riskScore: number | null;
    latencyMs: number;
    errorType: string | null;
    error: string | null;
    reasons: string | null;
  }[];
  /** Input columns shown in tables. */
  inputColumns: readonly string[];
  /** The confusion matrix as Vega-Lite. */
  confusionMatrixSpec(): VegaLiteSpec;
  /** F1 per class as Vega-Lite. */
  perClassSpec(): VegaLiteSpec;
  /** One line of text. */
  toString(): string;
}

/** Options of {@link evalView}. */
export interface EvalViewOptions {
  /** Wrong or failed rows listed at most. Default 20. */
  maxErrorRows?: number;
  /** Latency histogram bins. Default 20. */
  bins?: number;
}

/** The rows an evaluation got wrong or failed on, as table rows. */
function wrongRows(
  result: EvalResultLike,
  max: number,
): { columns: string[]; data: unknown[][]; total: number } {
  const wrong = result.rows.filter((r) => r.correct !== true);
  const columns = [
    "id",
    ...result.inputColumns,
    "expected",
    "predicted",
    "risk_score",
    "error",
    "reasons",
  ];
  const data = wrong.slice(0, max).map((r) => [
    r.id,
    ...result.inputColumns.map((c) => r.input[c] ?? null),
    r.expected,
    r.predicted ?? "(failed)",
    r.riskScore,
    r.errorType ? `${r.errorType}: ${r.error ?? ""}` : null,
    r.reasons,
  ]);
  return { columns, data, total: wrong.length };
}

/** The latency histogram of an evaluation's rows as Vega-Lite. */
function latencySpec(result: EvalResultLike, bins: number): VegaLiteSpec {
  const { edges, counts } = binValues(result.rows.map((r) => r.latencyMs), { bins });
  return histogramSpec(edges, { rows: counts }, {
    title: "Latency (ms)",
    valueTitle: "ms",
    width: 300,
    height: 160,
  });
}

/**
 * Everything about an evaluation in one display: the result's own summary (metrics, gate,
 * per class), the wrong or failed rows, and one Vega-Lite spec with the confusion-matrix
 * heatmap, F1 per class and the latency histogram.
 *
 * @example
 * ```ts ignore
 * import { evalView, show } from "@evalkit/evalkit/notebook";
 * const result = await evaluator.evaluateDataset(dataset);
 * await show(evalView(result));
 * ```
 */
export function evalView(result: EvalResultLike, options: EvalViewOptions = {}): Displayable {
  const display = (result as unknown as Record<symbol, unknown>)[Symbol.for("Jupyter.display")];
  const own = typeof display === "function"
    ? display.call(result) as Record<string, unknown>
    : { "text/html": "" };
  const wrong = wrongRows(result, options.maxErrorRows ?? 20);
  const html = [
    String(own["text/html"] ?? ""),
    wrong.total > 0
      ? htmlTable(wrong.columns, wrong.data, {
        caption: `Wrong or failed rows: ${wrong.total}${
          wrong.total > wrong.data.length ? ` (first ${wrong.data.length})` : ""
        }`,
      })
      : "<p>No wrong or failed rows.</p>",
  ].join("\n");
  const vegaLite = concatCharts([
    result.confusionMatrixSpec(),
    result.perClassSpec(),
    latencySpec(result, options.bins ?? 20),
  ], { columns: 3 });
  return new Displayable(
    displayBundle({
      text: `${result.toString()}\n${wrong.total} wrong or failed rows`,
      html,
      vegaLite,
    }),
  );
}
