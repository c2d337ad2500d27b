/**
 * Reading a baseline evaluation run (its metrics and per-row table) from an MLflow server or
 * from the local store.
 *
 * @module
 */
import type { MlflowClient } from "../mlflow/client.ts";
import { MlflowApiError } from "../_internal/errors.ts";
import { openRunSource, RunNotFoundError } from "../tracking/run_source.ts";
import { type ComparableRow, majorityRows } from "./compare.ts";

/** A baseline to compare with: its metrics and, for the per-row diff, its rows. */
export interface Baseline {
  /** The baseline run's id. */
  runId: string;
  /** Its metrics (latest values). */
  metrics: Record<string, number>;
  /** Its per-row results, when it has an evaluation table. */
  rows?: ComparableRow[];
}

/** Where to read a baseline from. */
export interface LoadBaselineOptions {
  /** An MLflow client (default: from `trackingUri`, else `MLFLOW_TRACKING_URI`). */
  client?: MlflowClient;
  /** Tracking URI; when neither it nor a client is given, the local store is read. */
  trackingUri?: string;
  /** Local store folder (local mode). */
  storeDir?: string;
  /** The table artifact. Default `eval_results_table.json`. */
  tablePath?: string;
}

/** Parses a baseline's table artifact, naming it when it is not a valid evaluation table. */
function tableRows(text: string, where: string): ComparableRow[] {
  try {
    return rowsFromTable(JSON.parse(text));
  } catch (err) {
    throw new TypeError(`The baseline table ${where} is not a valid evaluation table`, {
      cause: err,
    });
  }
}

/**
 * Turns an evaluation table (`{columns, data}`) into comparable rows; with several trials per
 * id, the majority verdict counts.
 *
 * @example
 * ```ts
 * import { rowsFromTable } from "./baseline.ts";
 * const rows = rowsFromTable({ columns: ["id", "predicted", "correct"], data: [["a", "x", true]] });
 * if (rows[0]?.correct !== true) throw new Error("unexpected");
 * ```
 */
export function rowsFromTable(table: { columns: string[]; data: unknown[][] }): ComparableRow[] {
  const id = table.columns.indexOf("id");
  const correct = table.columns.indexOf("correct");
  const predicted = table.columns.indexOf("predicted");
  if (id < 0 || correct < 0) {
    throw new TypeError(
      `Expected an evaluation table with 'id' and 'correct' columns but found [${table.columns}]`,
    );
  }
  return majorityRows(table.data.map((row) => ({
    id: String(row[id]),
    correct: row[correct] === true,
    predicted: predicted >= 0 ? (row[predicted] as string | null) : null,
  })));
}

/**
 * Reads a baseline run: latest metrics and, when it has one, its per-row table. Throws a
 * `TypeError` naming the run when it does not exist.
 *
 * @example
 * ```ts ignore
 * import { loadBaseline } from "@evalkit/evalkit/evaluation";
 * const b = await loadBaseline("3f2a…", { trackingUri: "http://127.0.0.1:5000" });
 * console.log(b.metrics.f1_score, b.rows?.length);
 * ```
 */
export async function loadBaseline(
  runId: string,
  options: LoadBaselineOptions = {},
): Promise<Baseline> {
  const tablePath = options.tablePath ?? "eval_results_table.json";
  if (options.client) {
    const client = options.client;
    let run;
    try {
      run = await client.runs.get(runId);
    } catch (e) {
      throw new TypeError(
        `Baseline run '${runId}' was not found on the server: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const metrics: Record<string, number> = {};
    for (const m of run.data.metrics) metrics[m.key] = m.value;
    let text: string | undefined;
    try {
      text = await client.artifacts.readText(run.info.artifactUri, tablePath);
    } catch (err) {
      // No per-row table: a metrics-only comparison. Any other failure is reported.
      if (!(err instanceof MlflowApiError && err.status === 404)) throw err;
    }
    const rows = text === undefined ? undefined : tableRows(text, `${runId}/${tablePath}`);
    return { runId, metrics, ...(rows ? { rows } : {}) };
  }
  // One way to open a run wherever it is: the server (through resolveTrackingTarget) or the
  // local store; any id of the run works (prefix, name, the local id of a synced run).
  using source = openRunSource({
    ...(options.trackingUri !== undefined ? { trackingUri: options.trackingUri } : {}),
    ...(options.storeDir !== undefined ? { storeDir: options.storeDir } : {}),
  });
  let run;
  try {
    run = await source.getRun(runId);
  } catch (e) {
    if (!(e instanceof RunNotFoundError)) throw e;
    throw new TypeError(`Baseline run '${runId}' was not found: ${e.message}`, { cause: e });
  }
  // No per-row table: a metrics-only comparison. Any other failure is reported.
  const text = await source.readArtifactText(run, tablePath);
  const rows = text === undefined ? undefined : tableRows(text, `${run.id}/${tablePath}`);
  return { runId: run.id, metrics: { ...run.metrics }, ...(rows ? { rows } : {}) };
}
