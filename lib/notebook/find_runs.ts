/**
 * Finds runs by tag in MLflow or the local store, for comparisons in notebooks.
 *
 * @module
 */
import { openRunSource } from "../tracking/run_source.ts";
import { defaultExperimentName } from "../tracking/agent_tracker.ts";

/** A run found by {@link findRuns} (fits `compareRuns`). */
export interface FoundRun {
  /** MLflow run id, or the local run id. */
  id: string;
  /** Run name. */
  name: string;
  /** Status. */
  status: string;
  /** Start time (ms). */
  startTime: number;
  /** Latest value per metric. */
  metrics: Record<string, number>;
  /** Params. */
  params: Record<string, string>;
  /** Tags. */
  tags: Record<string, string>;
  /** The run's page in the MLflow UI (server runs). */
  url?: string;
}

/** Options of {@link findRuns}. */
export interface FindRunsOptions {
  /** Experiment name. Default: the tracker's default for the loan agent, `/Shared/ai-agents/loan_approval`. */
  experimentName?: string;
  /** Tags every run must have (exact values). */
  tags?: Record<string, string>;
  /**
   * Server (`http(s)://…`, `databricks`, `databricks://<profile>`; credentials from MLflow's
   * environment variables). Default `$MLFLOW_TRACKING_URI`; when unset or empty, the local
   * store is read.
   */
  trackingUri?: string;
  /** Local store folder (local mode). Default `$EVALKIT_HOME/store`, else `.evalkit/store`. */
  storeDir?: string;
  /** At most this many runs (newest kept). Default 100. */
  maxResults?: number;
}

/**
 * The runs of an experiment carrying the given tags, oldest first — from the MLflow server
 * when a tracking URI is set, else from the local store (where `deno task runs` lists them).
 *
 * @example
 * ```ts
 * import { findRuns } from "@evalkit/evalkit/notebook";
 * const runs = await findRuns({ tags: { "evalkit.notebook": "none" }, storeDir: await Deno.makeTempDir(), trackingUri: "" });
 * if (runs.length !== 0) throw new Error("unexpected");
 * ```
 */
export async function findRuns(options: FindRunsOptions = {}): Promise<FoundRun[]> {
  using source = openRunSource({
    ...(options.trackingUri !== undefined ? { trackingUri: options.trackingUri } : {}),
    ...(options.storeDir !== undefined ? { storeDir: options.storeDir } : {}),
  });
  const runs = await source.searchRuns({
    experimentName: options.experimentName ?? defaultExperimentName("loan_approval"),
    tags: options.tags ?? {},
    maxResults: options.maxResults ?? 100,
  });
  return runs
    .map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      startTime: r.startTime,
      metrics: r.metrics,
      params: r.params,
      tags: r.tags,
      ...(r.url ? { url: r.url } : {}),
    }))
    .sort((a, b) => a.startTime - b.startTime);
}
