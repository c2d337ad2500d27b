/**
 * Webhook alert for a drift report: a JSON POST with a Slack-compatible `text`, retried.
 *
 * @module
 */
import { redact } from "../_internal/errors.ts";
import { parseRetryAfter, retry } from "../_internal/retry.ts";
import type { DriftReport } from "./drift_report.ts";
import { summarizeDrift } from "./run_drift_check.ts";

/** Options for {@linkcode sendDriftAlert}. */
export interface DriftAlertOptions {
  /** Webhook URL (e.g. a Slack incoming webhook). */
  url: string;
  /**
   * Retries after the first attempt on network errors, 408, 429, 500, 502, 503 and 504
   * (default 3); a `Retry-After` answer is honoured, within one minute for all attempts.
   */
  retries?: number;
  /** Backoff ceiling of the first retry in ms, doubled each time, with full jitter (default 500). */
  backoffMs?: number;
  /** Per-attempt timeout in ms (default 10,000). */
  timeoutMs?: number;
  /** Extra headers (e.g. Authorization for a private endpoint). */
  headers?: Record<string, string>;
  /** Aborts waiting and sending. */
  signal?: AbortSignal;
}

/** What happened to the alert. */
export interface DriftAlertResult {
  /** The endpoint answered 2xx. */
  delivered: boolean;
  /** Attempts made. */
  attempts: number;
  /** Last HTTP status, when a response arrived. */
  status?: number;
  /** Last error message, when not delivered. */
  error?: string;
}

/**
 * The JSON body posted by {@linkcode sendDriftAlert}: Slack-compatible `text` plus the
 * drift summary.
 *
 * @example
 * ```ts
 * import { detectDataDrift, driftAlertPayload } from "@evalkit/evalkit/drift";
 * import assert from "node:assert/strict";
 *
 * const base = Array.from({ length: 100 }, (_, i) => i);
 * const body = driftAlertPayload(detectDataDrift({ income: base }, { income: base.map((v) => v + 50) }));
 * assert.match(body.text as string, /DRIFT DETECTED/);
 * ```
 */
export function driftAlertPayload(report: DriftReport): Record<string, unknown> {
  return {
    text: summarizeDrift(report),
    drift: {
      detected: report.summary.driftDetected,
      share: report.summary.share,
      driftedFeatures: report.summary.driftedFeatures,
      targetDrift: report.summary.targetDrift,
      predictionDrift: report.summary.predictionDrift,
      reference: report.reference,
      current: report.current,
    },
  };
}

/**
 * Why a send failed, with the network cause (fetch's own message is just "fetch failed").
 * URL paths are cut to the origin: a webhook URL's path is its secret.
 */
function failure(e: unknown): string {
  const parts = [e instanceof Error ? e.message : String(e)];
  if (e instanceof Error && e.cause instanceof Error) parts.push(e.cause.message);
  return redact(parts.join(": ").replace(/(https?:\/\/[^\s/()]+)\/[^\s()]*/g, "$1/…"));
}

/**
 * POSTs a drift alert (`{ text, drift }`, where `text` is {@linkcode summarizeDrift}'s
 * summary, so a Slack incoming webhook shows it as is) and retries on network errors,
 * 408, 429, 500, 502, 503 and 504 with exponential backoff. Never throws for delivery failures: the result
 * says whether it was delivered (a failed alert must not hide the drift exit code), and its
 * `error` names the cause without the URL's path (a webhook URL's path is its secret).
 * Throws a `TypeError` for a URL that is not absolute http(s).
 *
 * @example
 * ```ts ignore
 * import { detectDataDrift, sendDriftAlert } from "@evalkit/evalkit/drift";
 *
 * const report = detectDataDrift(reference, current);
 * if (report.driftDetected) {
 *   await sendDriftAlert(report, { url: Deno.env.get("EVALKIT_DRIFT_WEBHOOK_URL")!, retries: 3 });
 * }
 * ```
 */
export async function sendDriftAlert(
  report: DriftReport,
  options: DriftAlertOptions,
): Promise<DriftAlertResult> {
  let target: URL | undefined;
  try {
    target = new URL(options.url);
  } catch {
    // the URL itself is not repeated: it may carry the webhook's secret
  }
  if (target?.protocol !== "http:" && target?.protocol !== "https:") {
    throw new TypeError(
      `Expected the drift alert url to be an absolute http(s) URL but found ${
        target ? `protocol ${target.protocol}` : "an invalid URL"
      }`,
    );
  }
  const body = JSON.stringify(driftAlertPayload(report));
  let attempts = 0;
  let status: number | undefined;
  let error: string | undefined;
  try {
    status = await retry(async () => {
      attempts++;
      const timeout = AbortSignal.timeout(options.timeoutMs ?? 10000);
      const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
      let res: Response;
      try {
        res = await fetch(options.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...options.headers },
          body,
          signal,
        });
      } catch (e) {
        if (options.signal?.aborted) throw e;
        error = failure(e);
        throw Object.assign(new Error(error), { status: 0 });
      }
      status = res.status;
      await res.body?.cancel();
      if (res.ok) return res.status;
      error = `HTTP ${res.status}`;
      throw Object.assign(new Error(error), {
        status: res.status,
        retryAfterMs: parseRetryAfter(res.headers.get("Retry-After")),
      });
    }, {
      maxRetries: options.retries ?? 3,
      baseMs: options.backoffMs ?? 500,
      maxMs: 60_000,
      totalBudgetMs: 60_000,
      signal: options.signal,
    });
    return { delivered: true, attempts, status };
  } catch (e) {
    if (options.signal?.aborted) throw e;
  }
  return {
    delivered: false,
    attempts,
    ...(status !== undefined ? { status } : {}),
    ...(error ? { error } : {}),
  };
}
