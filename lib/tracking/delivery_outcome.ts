/**
 * What became of a run's delivery to its tracking server, in words and as an exit code, for
 * the scripts (and any program) that end runs: undelivered is never reported as success.
 *
 * @module
 */
import type { RunStatus } from "../mlflow/types.ts";

/**
 * The exit code of a script whose run was recorded in the local outbox but not (fully)
 * delivered to the tracking server: operations pending (server down, credentials refused)
 * or rejected. `deno task sync` sends the pending ones.
 *
 * @example
 * ```ts
 * import { EXIT_UNDELIVERED } from "@evalkit/evalkit/tracking";
 * if (EXIT_UNDELIVERED !== 5) throw new Error("exit code changed");
 * ```
 */
export const EXIT_UNDELIVERED = 5;

/** The delivery part of what `RunHandle.end()` returns. */
export interface DeliverySummary {
  /** Local run id (the outbox folder name). */
  localRunId: string;
  /** Run name. */
  runName: string;
  /** Whether every operation reached the server (always true in local-only mode). */
  delivered: boolean;
  /** Operations left in the outbox for `deno task sync`. */
  pending: number;
  /** Operations the server rejected for good, with its (redacted) messages. */
  rejected: { seq: number; error: string }[];
  /** The tracking URI without credentials; undefined in local-only mode. */
  trackingUri?: string;
  /** The server's run id, once the run exists there. */
  serverRunId?: string;
  /** The server's experiment id, once the run exists there. */
  experimentId?: string;
  /** The run's page in the MLflow UI, once the run exists there. */
  runUrl?: string;
  /** Why delivery stopped (redacted), when something is pending. */
  lastError?: string;
  /**
   * `blocked`: nothing will get through until the setup is fixed (credentials or permissions
   * refused, not an MLflow API at this URI); `transient`: the server was unreachable or busy.
   */
  failure?: "transient" | "blocked";
  /** The local store folder holding the outbox. */
  storeDir?: string;
}

/** What {@link describeDelivery} reads: `RunHandle.end()`'s result. */
export interface EndedRun extends DeliverySummary {
  /** Final status. */
  status: RunStatus;
}

/** The verdict of {@link describeDelivery}. */
export interface DeliveryOutcome {
  /** True when every run is delivered, or was recorded locally on purpose (no tracking URI). */
  ok: boolean;
  /** 0 when ok, else {@link EXIT_UNDELIVERED}. */
  exitCode: 0 | typeof EXIT_UNDELIVERED;
  /** Lines for the terminal (stderr): the run's URL when delivered, else what is pending and how to send it. */
  lines: string[];
  /** The MLflow UI URL of each delivered run, by local run id. */
  runUrls: Record<string, string>;
}

function hintFor(s: DeliverySummary): string | undefined {
  const err = s.lastError ?? "";
  const databricks = /^databricks/i.test(s.trackingUri ?? "");
  if (/OAuth token request/i.test(err)) {
    return "The OAuth token request was refused: check DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET.";
  }
  if (/HTTP 40[17]\b|UNAUTHENTICATED/.test(err)) {
    return databricks
      ? "The workspace refused the credentials: check DATABRICKS_TOKEN (or the profile in ~/.databrickscfg)."
      : "The server refused the credentials: check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD.";
  }
  if (/HTTP 403\b|PERMISSION_DENIED/.test(err)) {
    return "The server refused permission: the user needs write access to the experiment (or check the token).";
  }
  if (s.failure === "blocked") {
    return "Check that the tracking URI points at an MLflow server and that the local store is writable.";
  }
  if (s.failure === "transient") {
    return "The server did not answer (down, unreachable or overloaded).";
  }
  return undefined;
}

/**
 * Turns the results of `RunHandle.end()` into terminal lines and an exit code: the run's URL
 * in the MLflow UI when it was delivered; otherwise how many operations are pending, why, and
 * the command that sends them, with exit code {@link EXIT_UNDELIVERED}. Runs recorded in the
 * local store only (no tracking URI: offline recording was asked for) are ok.
 *
 * @example
 * ```ts
 * import { describeDelivery, EXIT_UNDELIVERED } from "@evalkit/evalkit/tracking";
 * const outcome = describeDelivery({
 *   status: "FINISHED", localRunId: "0a1b", runName: "loan_evaluate", delivered: false,
 *   pending: 12, rejected: [], trackingUri: "http://127.0.0.1:5000", failure: "blocked",
 *   lastError: "POST /api/2.0/mlflow/runs/create failed (HTTP 401 UNAUTHENTICATED): no",
 * });
 * if (outcome.exitCode !== EXIT_UNDELIVERED) throw new Error("undelivered is not success");
 * if (!outcome.lines.some((l) => l.includes("deno task sync"))) throw new Error("no hint");
 * ```
 */
export function describeDelivery(results: EndedRun | readonly EndedRun[]): DeliveryOutcome {
  const list: readonly EndedRun[] = Array.isArray(results) ? results : [results as EndedRun];
  const lines: string[] = [];
  const runUrls: Record<string, string> = {};
  let ok = true;
  for (const r of list) {
    if (r.trackingUri === undefined) continue; // local store only, on purpose
    const name = `run '${r.runName}' (${r.localRunId.slice(0, 8)})`;
    if (r.delivered && r.rejected.length === 0) {
      if (r.runUrl !== undefined) runUrls[r.localRunId] = r.runUrl;
      lines.push(
        `Delivered ${name} to ${r.trackingUri}: ${r.runUrl ?? `server run ${r.serverRunId}`}`,
      );
      continue;
    }
    ok = false;
    const parts: string[] = [];
    if (r.pending > 0) parts.push(`${r.pending} operation(s) pending`);
    if (r.rejected.length > 0) {
      parts.push(`${r.rejected.length} rejected by the server (${r.rejected[0]!.error})`);
    }
    lines.push(
      `warning: ${name} was not fully delivered to ${r.trackingUri}: ${parts.join(", ")}` +
        (r.pending > 0 && r.lastError ? ` (${r.lastError})` : "") + ".",
    );
    const hint = r.pending > 0 ? hintFor(r) : undefined;
    if (hint) lines.push(`  ${hint}`);
    if (r.pending > 0) {
      const store = r.storeDir ? ` (${r.storeDir})` : "";
      const to = /\s/.test(r.trackingUri) ? `'${r.trackingUri}'` : r.trackingUri;
      lines.push(
        `  Nothing is lost: it is kept in the local outbox${store}. Send it with: deno task sync --to ${to}`,
      );
    }
  }
  return { ok, exitCode: ok ? 0 : EXIT_UNDELIVERED, lines, runUrls };
}
