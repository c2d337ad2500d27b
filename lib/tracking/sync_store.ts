/**
 * Replaying the local store to a server: every run's operations not yet acknowledged by
 * that server are sent in order, idempotently (see docs/tracking.md).
 *
 * @module
 */
import type { TrackingClient } from "./_client.ts";
import { Delivery } from "./_delivery.ts";
import {
  type CreateOp,
  defaultStoreDir,
  listRunIds,
  type Op,
  ownerAlive,
  readJsonLines,
  RunPaths,
} from "./_outbox.ts";

/** Options of {@link syncStore}. */
export interface SyncStoreOptions {
  /** The MLflow client of the target server. */
  client: TrackingClient;
  /** The target's tracking URI (names its acknowledgement log). */
  uri: string;
  /** Store folder. Default `$EVALKIT_HOME/store`, else `.evalkit/store`. */
  storeDir?: string;
  /** Only these local run ids. Default all. */
  runIds?: string[];
  /** Only runs written by a tracker configured with this tracking URI (restart replay). */
  writtenFor?: string;
  /** Longest wait per run before leaving the rest for next time. Default 120000 ms. */
  timeoutMs?: number;
  /** Called after each run. */
  onRun?: (result: SyncRunResult) => void;
}

/** What happened to one run. */
export interface SyncRunResult {
  /** Local run id. */
  localRunId: string;
  /** Run name. */
  runName: string;
  /** Server run id (undefined when it could not be created). */
  runId?: string;
  /** Operations sent by this sync. */
  sent: number;
  /** Operations still pending (server unreachable or timeout). */
  pending: number;
  /** Operations the server rejected for good. */
  errors: { seq: number; error: string }[];
  /** Why the run was skipped, if it was. */
  skipped?: string;
  /** Last transient error, when pending > 0. */
  lastError?: string;
}

/** The result of {@link syncStore}. */
export interface SyncReport {
  /** Per-run results. */
  runs: SyncRunResult[];
  /** True when nothing is pending and nothing was rejected. */
  ok: boolean;
}

/**
 * Pushes the runs of a local store to a server, keeping names, timestamps, steps, params,
 * tags, dataset inputs, artifacts and logged models. Safe to run again: what a server
 * acknowledged is never sent to it twice, and a run is never created twice.
 *
 * @example
 * ```ts ignore
 * import { syncStore } from "@evalkit/evalkit/tracking";
 * import { MlflowClient } from "@evalkit/evalkit/mlflow";
 * const uri = "http://127.0.0.1:5000";
 * const report = await syncStore({ client: MlflowClient.fromUri(uri), uri });
 * console.log(report.ok);
 * ```
 */
export async function syncStore(options: SyncStoreOptions): Promise<SyncReport> {
  const storeDir = options.storeDir ?? defaultStoreDir();
  const ids = options.runIds ?? await listRunIds(storeDir);
  const runs: SyncRunResult[] = [];
  for (const id of ids) {
    const paths = new RunPaths(storeDir, id);
    const ops = await readJsonLines<Op>(paths.ops);
    const create = ops[0] as CreateOp | undefined;
    if (!create || create.op !== "create") {
      const r = {
        localRunId: id,
        runName: "?",
        sent: 0,
        pending: 0,
        errors: [],
        skipped: "no run in outbox",
      };
      runs.push(r);
      options.onRun?.(r);
      continue;
    }
    if (options.writtenFor !== undefined && create.uri !== options.writtenFor) continue;
    const ended = ops.some((o) => o.op === "end");
    if (!ended && create.uri === options.uri && await ownerAlive(paths)) {
      const r = {
        localRunId: id,
        runName: create.runName,
        sent: 0,
        pending: 0,
        errors: [],
        skipped: "being delivered by its live process",
      };
      runs.push(r);
      options.onRun?.(r);
      continue;
    }
    const delivery = await Delivery.open({ client: options.client, uri: options.uri, paths, ops });
    const before = delivery.acked;
    const errorsBefore = delivery.errors.length;
    delivery.start();
    await delivery.flush(options.timeoutMs ?? 120_000);
    await delivery.close();
    const last = delivery.lastError;
    const r: SyncRunResult = {
      localRunId: id,
      runName: create.runName,
      runId: delivery.mapping?.runId,
      sent: delivery.acked - before,
      pending: delivery.pending,
      errors: delivery.errors.slice(errorsBefore),
    };
    if (delivery.pending > 0 && last !== undefined) {
      r.lastError = last instanceof Error ? last.message : String(last);
    }
    runs.push(r);
    options.onRun?.(r);
  }
  return { runs, ok: runs.every((r) => r.pending === 0 && r.errors.length === 0) };
}
