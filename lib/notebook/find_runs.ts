/**
 * Finds runs by tag in MLflow or the local store, for comparisons in notebooks.
 *
 * @module
 */
import { readEnv } from "../_internal/env.ts";

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
}

/** Options of {@link findRuns}. */
export interface FindRunsOptions {
  /** Experiment name. Default `/Shared/ai-agents/loan_approval`. */
  experimentName?: string;
  /** Tags every run must have (exact values). */
  tags?: Record<string, string>;
  /** Server. Default `$MLFLOW_TRACKING_URI`; when unset, the local store is read. */
  trackingUri?: string;
  /** Local store folder (local mode). Default `$EVALKIT_HOME/store`, else `.evalkit/store`. */
  storeDir?: string;
  /** At most this many runs (newest kept). Default 100. */
  maxResults?: number;
}

const quote = (s: string) => `'${s.replace(/'/g, "\\'")}'`;

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
  const experimentName = options.experimentName ?? "/Shared/ai-agents/loan_approval";
  const tags = options.tags ?? {};
  const max = options.maxResults ?? 100;
  const uri = options.trackingUri ?? readEnv("MLFLOW_TRACKING_URI");
  const out: FoundRun[] = [];
  if (uri) {
    const { MlflowClient } = await import("../mlflow/mod.ts");
    using client = new MlflowClient({ trackingUri: uri });
    const exp = await client.experiments.getByName(experimentName);
    if (!exp) return [];
    const filter = Object.entries(tags).map(([k, v]) => `tags.\`${k}\` = ${quote(v)}`).join(
      " and ",
    );
    for await (
      const run of client.runs.search({
        experimentIds: [exp.experimentId],
        ...(filter ? { filter } : {}),
        orderBy: ["attributes.start_time DESC"],
      })
    ) {
      const metrics: Record<string, number> = {};
      for (const m of run.data.metrics) metrics[m.key] = m.value;
      out.push({
        id: run.info.runId,
        name: run.info.runName,
        status: run.info.status,
        startTime: run.info.startTime,
        metrics,
        params: { ...run.data.params },
        tags: { ...run.data.tags },
      });
      if (out.length >= max) break;
    }
  } else {
    const { listLocalRuns, readLocalRun } = await import("../tracking/local_store.ts");
    const store = options.storeDir !== undefined ? { storeDir: options.storeDir } : {};
    const summaries = (await listLocalRuns(store))
      .filter((s) => s.experimentName === experimentName)
      .sort((a, b) => b.startTime - a.startTime);
    for (const s of summaries) {
      const run = await readLocalRun(s.localRunId, store);
      if (!run || !Object.entries(tags).every(([k, v]) => run.tags[k] === v)) continue;
      out.push({
        id: run.localRunId,
        name: run.runName,
        status: run.status,
        startTime: run.startTime,
        metrics: { ...run.latestMetrics },
        params: { ...run.params },
        tags: { ...run.tags },
      });
      if (out.length >= max) break;
    }
  }
  return out.sort((a, b) => a.startTime - b.startTime);
}
