/**
 * Replaying the local store to a server: every run's operations not yet acknowledged by
 * that server are sent in order, idempotently (see docs/tracking.md).
 *
 * @module
 */
import type { TrackingClient } from "./_client.ts";
import { Delivery } from "./_delivery.ts";
import {
  AppendLog,
  type CreateOp,
  defaultStoreDir,
  type EndOp,
  listRunIds,
  localEndTime,
  type Op,
  OutboxBusyError,
  readJsonLinesReport,
  RunPaths,
  sameTarget,
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
  /** Why delivery stopped (redacted), when pending > 0. */
  lastError?: string;
  /**
   * `blocked` when nothing can be delivered until the setup is fixed (credentials refused,
   * not an MLflow API at this URI, the store cannot record acknowledgements); `transient`
   * when the server was unreachable or overloaded. Set when pending > 0.
   */
  failure?: "transient" | "blocked";
  /** Set when this sync ended a run whose process had died before ending it (KILLED). */
  endedKilled?: { endTime: number };
  /** 1-based lines of the run's outbox that were torn (skipped, later lines kept). */
  tornLines?: number[];
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
  const done = (r: SyncRunResult) => {
    runs.push(r);
    options.onRun?.(r);
  };
  for (const id of ids) {
    const paths = new RunPaths(storeDir, id);
    let { records: ops, torn } = await readJsonLinesReport<Op>(paths.ops);
    const create = ops[0] as CreateOp | undefined;
    const base = {
      localRunId: id,
      runName: create?.op === "create" ? create.runName : "?",
      sent: 0,
      pending: 0,
      errors: [],
      ...(torn.length ? { tornLines: torn } : {}),
    };
    if (!create || create.op !== "create") {
      done({ ...base, skipped: "no run in outbox" });
      continue;
    }
    if (options.writtenFor !== undefined && !sameTarget(create.uri, options.writtenFor)) continue;
    let endedKilled: SyncRunResult["endedKilled"];
    if (!ops.some((o) => o.op === "end")) {
      // Not ended: either its process still writes it, or that process died (SIGKILL, OOM,
      // power loss). Taking the run's writer lock tells which: the kernel frees it on death.
      let log: AppendLog | undefined;
      try {
        log = AppendLog.open(paths.ops, ops.length);
      } catch (err) {
        if (!(err instanceof OutboxBusyError)) throw err;
      }
      if (log === undefined) {
        if (sameTarget(create.uri, options.uri)) {
          done({ ...base, skipped: "being delivered by its live process" });
          continue;
        }
        // Written for another server (or none): send what is there; the rest next time.
      } else {
        try {
          const endTime = await localEndTime(paths, ops);
          const end: EndOp = { op: "end", t: endTime, status: "KILLED" };
          log.append(JSON.stringify(end));
          endedKilled = { endTime };
        } finally {
          log.close();
        }
        ({ records: ops, torn } = await readJsonLinesReport<Op>(paths.ops));
      }
    }
    let delivery: Delivery;
    try {
      delivery = await Delivery.open({ client: options.client, uri: options.uri, paths, ops });
    } catch (err) {
      if (!(err instanceof OutboxBusyError)) throw err;
      done({ ...base, skipped: "being delivered to this server by another live process" });
      continue;
    }
    const before = delivery.acked;
    const errorsBefore = delivery.errors.length;
    delivery.start();
    await delivery.flush(options.timeoutMs ?? 120_000);
    await delivery.close();
    const r: SyncRunResult = {
      ...base,
      runId: delivery.mapping?.runId,
      sent: delivery.acked - before,
      pending: delivery.pending,
      errors: delivery.errors.slice(errorsBefore),
    };
    if (delivery.pending > 0 && delivery.lastError !== undefined) {
      r.lastError = delivery.lastErrorMessage;
      if (delivery.lastFailure) r.failure = delivery.lastFailure;
    }
    if (endedKilled) r.endedKilled = endedKilled;
    done(r);
  }
  return { runs, ok: runs.every((r) => r.pending === 0 && r.errors.length === 0) };
}
