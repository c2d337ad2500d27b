/**
 * The runner: calls an agent once per request with bounded concurrency, a per-call timeout,
 * retries with backoff, a token-bucket rate limit (requests/s and tokens/min), adaptive
 * back-off when the agent answers 429, throttled progress events and cancellation.
 *
 * @module
 */
import { type Agent, type AgentDecision, AgentError } from "./agent.ts";
import { AdjustableSemaphore, sleep, TokenBucket } from "./_limits.ts";

/** Rate limits applied to the agent. */
export interface RateLimit {
  /** Most calls started per second. */
  requestsPerSecond?: number;
  /** Most tokens (input + output, all models) used per minute. */
  tokensPerMinute?: number;
}

/** Why a row failed. */
export type RowErrorType = "timeout" | "agent_exception" | "invalid_output" | "rate_limited";

/** Progress of a run, as emitted to `onProgress`. */
export interface RunProgress {
  /** Rows finished (ok or failed). */
  done: number;
  /** Rows in the run. */
  total: number;
  /** Rows that failed. */
  errors: number;
  /** Retries so far (all rows). */
  retries: number;
  /** Milliseconds since the run started. */
  elapsedMs: number;
  /** Rows per second so far. */
  rowsPerSecond: number;
  /** Estimated milliseconds left, or `undefined` before the first row. */
  etaMs?: number;
}

/** The outcome of one row. */
export interface CallRecord {
  /** Index of the request. */
  index: number;
  /** The decision, when the call succeeded with a valid output. */
  decision?: AgentDecision;
  /** Why it failed, when it did. */
  errorType?: RowErrorType;
  /** The failure's message. */
  errorMessage?: string;
  /** Duration of the last attempt, ms. */
  latencyMs: number;
  /** Attempts made (1 = no retry). */
  attempts: number;
}

/** Options of {@link runAgent}. */
export interface RunnerOptions {
  /** Calls in flight at once. Default 8. */
  concurrency?: number;
  /** Timeout of one call in ms; the agent's signal aborts then. Default 30000. */
  timeoutMs?: number;
  /** Retries of a retryable failure (timeouts, 5xx, network). Default 2. */
  retries?: number;
  /** First backoff delay, doubled per retry (capped at 10 s). Default 200 ms. */
  backoffMs?: number;
  /** Extra retries allowed for 429 answers, which do not use up `retries`. Default 8. */
  rateLimitRetries?: number;
  /** Rate limits. */
  rateLimit?: RateLimit;
  /** Checks a decision; returns a message when the output is invalid. */
  validate?: (decision: AgentDecision) => string | undefined;
  /** Cancels the run: no new calls start, calls in flight are aborted and left out. */
  signal?: AbortSignal;
  /** Called with progress at most every `progressIntervalMs`, and once at the end. */
  onProgress?: (progress: RunProgress) => void;
  /** Interval between progress events. Default 100 ms. */
  progressIntervalMs?: number;
}

/** What {@link runAgent} returns. */
export interface RunnerResult {
  /** One record per finished row, in request order; rows not run (cancelled) are absent. */
  records: CallRecord[];
  /** Whether the run was cancelled before every row finished. */
  cancelled: boolean;
  /** Wall time of the run in ms. */
  wallMs: number;
  /** Retries made. */
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /** The lowest concurrency the adaptive back-off went down to. */
  minConcurrency: number;
}

/**
 * Checks the shape of a decision (outcome string, risk score in [0, 1]); returns the problem,
 * or `undefined` when it is valid.
 *
 * @example
 * ```ts
 * import { checkDecision } from "@evalkit/evalkit/evaluation";
 * if (checkDecision({ outcome: "approve", riskScore: 2 }) === undefined) throw new Error("unexpected");
 * ```
 */
export function checkDecision(d: unknown): string | undefined {
  if (d === null || typeof d !== "object") {
    return `Expected a decision object but found ${typeof d}`;
  }
  const { outcome, riskScore } = d as AgentDecision;
  if (typeof outcome !== "string" || outcome === "") {
    return `Expected outcome to be a non-empty string but found ${JSON.stringify(outcome)}`;
  }
  if (
    riskScore !== undefined && !(typeof riskScore === "number" && riskScore >= 0 && riskScore <= 1)
  ) {
    return `Expected riskScore to be a number in [0, 1] but found ${JSON.stringify(riskScore)}`;
  }
  return undefined;
}

function tokensOf(d: AgentDecision): number {
  let n = 0;
  if (d.usage) {
    for (const u of Object.values(d.usage)) {
      n += (u.inputTokens ?? 0) + (u.outputTokens ?? 0) + (u.cachedInputTokens ?? 0);
    }
  }
  return n;
}

class CancelledError extends Error {}

/** A call in flight; also the agent's `options`, whose `signal` is created on first read. */
class PendingCall {
  ctl?: AbortController;
  #aborted = false;
  #reason: unknown;
  constructor(
    readonly deadline: number,
    readonly resolve: (d: AgentDecision) => void,
    readonly reject: (e: unknown) => void,
  ) {}
  get signal(): AbortSignal {
    if (!this.ctl) {
      this.ctl = new AbortController();
      if (this.#aborted) this.ctl.abort(this.#reason);
    }
    return this.ctl.signal;
  }
  /** Aborts the call's signal now, or as soon as the agent reads it. */
  abort(reason: unknown): void {
    this.#aborted = true;
    this.#reason = reason;
    this.ctl?.abort(reason);
  }
}

/**
 * Runs `agent.decide` on every request and returns one {@link CallRecord} per row, in order.
 * Errors never throw out of the runner: they are classified per row (timeout, agent_exception,
 * invalid_output, rate_limited). Only retryable failures are retried; 429 answers also pause
 * every worker for `Retry-After` and halve the concurrency (it grows back by one per 20
 * successes) and the request rate.
 *
 * @example
 * ```ts
 * import { runAgent } from "@evalkit/evalkit/evaluation";
 * const agent = {
 *   name: "echo", version: "1", config: {},
 *   decide: (r: Record<string, unknown>) => Promise.resolve({ outcome: String(r.x) }),
 * };
 * const out = await runAgent(agent, [{ x: "a" }, { x: "b" }], { concurrency: 2 });
 * if (out.records[1]?.decision?.outcome !== "b") throw new Error("unexpected");
 * ```
 */
export async function runAgent(
  agent: Agent,
  requests: readonly Record<string, unknown>[],
  options: RunnerOptions = {},
): Promise<RunnerResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const timeoutMs = options.timeoutMs ?? 30000;
  const maxRetries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 200;
  const maxRateRetries = options.rateLimitRetries ?? 8;
  const interval = options.progressIntervalMs ?? 100;
  const validate = options.validate;
  const total = requests.length;
  const records: (CallRecord | undefined)[] = new Array(total);
  const sem = new AdjustableSemaphore(concurrency);
  const rps = options.rateLimit?.requestsPerSecond;
  const tpm = options.rateLimit?.tokensPerMinute;
  const reqBucket = rps ? new TokenBucket(rps, Math.max(1, Math.min(rps, concurrency))) : undefined;
  const tokBucket = tpm ? new TokenBucket(tpm / 60, tpm) : undefined;
  const runAbort = new AbortController();
  const onCancel = () => {
    const reason = new CancelledError("cancelled");
    runAbort.abort(reason);
    cancelAll(reason);
    sem.drain();
  };

  const t0 = performance.now();
  let next = 0, done = 0, errors = 0, retries = 0, rateLimited = 0;
  let okStreak = 0, pausedUntil = 0, tokensSeen = 0, callsSeen = 0;
  let minConcurrency = concurrency;
  let lastEmit = t0;

  const progress = (): RunProgress => {
    const elapsedMs = performance.now() - t0;
    const rowsPerSecond = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
    const p: RunProgress = { done, total, errors, retries, elapsedMs, rowsPerSecond };
    if (done > 0) p.etaMs = ((total - done) / done) * elapsedMs;
    return p;
  };

  // Timeouts: one watchdog timer per run scans the calls in flight (no timer per call), and
  // the agent's AbortSignal is only created when the agent reads it.
  const pendingCalls = new Set<PendingCall>();
  const tick = Math.max(1, Math.min(50, Math.floor(timeoutMs / 10)));
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const scan = () => {
    const now = performance.now();
    for (const c of pendingCalls) {
      if (now >= c.deadline) {
        const e = new AgentError(`agent call timed out after ${timeoutMs} ms`, { kind: "timeout" });
        pendingCalls.delete(c);
        c.abort(e);
        c.reject(e);
      }
    }
  };
  const cancelAll = (reason: unknown) => {
    for (const c of pendingCalls) {
      pendingCalls.delete(c);
      c.abort(reason);
      c.reject(reason);
    }
  };

  const callOnce = (request: Record<string, unknown>, start: number): Promise<AgentDecision> => {
    if (watchdog === undefined) watchdog = setInterval(scan, tick);
    return new Promise<AgentDecision>((resolve, reject) => {
      const entry = new PendingCall(start + timeoutMs, resolve, reject);
      pendingCalls.add(entry);
      let p: Promise<AgentDecision>;
      try {
        p = agent.decide(request, entry);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (d) => {
          if (pendingCalls.delete(entry)) entry.resolve(d);
        },
        (e) => {
          if (pendingCalls.delete(entry)) entry.reject(e);
        },
      );
    });
  };

  if (options.signal?.aborted) onCancel();
  else options.signal?.addEventListener("abort", onCancel, { once: true });

  const classify = (
    e: unknown,
  ): { type: RowErrorType; message: string; retryable: boolean; after?: number } => {
    if (e instanceof AgentError) {
      return {
        type: e.kind,
        message: e.message,
        retryable: e.retryable,
        ...(e.retryAfterMs !== undefined ? { after: e.retryAfterMs } : {}),
      };
    }
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { type: "agent_exception", message, retryable: false };
  };

  const runRow = async (index: number): Promise<CallRecord | undefined> => {
    const request = requests[index]!;
    let attempts = 0, normalRetries = 0, rateRetries = 0;
    for (;;) {
      if (pausedUntil > 0) {
        const wait = pausedUntil - performance.now();
        if (wait > 0) await sleep(wait, runAbort.signal);
      }
      if (reqBucket) await reqBucket.take(1, runAbort.signal);
      let reserved = 0;
      if (tokBucket) {
        reserved = callsSeen > 0 ? tokensSeen / callsSeen : 0;
        if (reserved > 0) await tokBucket.take(reserved, runAbort.signal);
      }
      attempts++;
      const start = performance.now();
      try {
        const decision = await callOnce(request, start);
        const latencyMs = performance.now() - start;
        const invalid = checkDecision(decision) ?? validate?.(decision);
        if (tokBucket) {
          const t = tokensOf(decision);
          tokensSeen += t;
          callsSeen++;
          tokBucket.charge(t - reserved); // the estimate was taken up front
        }
        if (invalid) {
          return { index, errorType: "invalid_output", errorMessage: invalid, latencyMs, attempts };
        }
        if (++okStreak >= 20 && sem.limit < sem.max) {
          okStreak = 0;
          sem.setLimit(sem.limit + 1);
        }
        if (reqBucket && rps && reqBucket.rate < rps) {
          reqBucket.rate = Math.min(rps, reqBucket.rate * 1.05);
        }
        return { index, decision, latencyMs, attempts };
      } catch (e) {
        const latencyMs = performance.now() - start;
        if (runAbort.signal.aborted) return undefined;
        const c = classify(e);
        let retry = false;
        let delay = Math.min(10000, backoffMs * 2 ** (normalRetries + rateRetries));
        delay *= 0.5 + 0.5 * (((index * 2654435761) >>> 0) % 1000) / 1000; // deterministic jitter
        if (c.type === "rate_limited") {
          rateLimited++;
          okStreak = 0;
          const newLimit = Math.max(1, Math.floor(sem.limit / 2));
          sem.setLimit(newLimit);
          minConcurrency = Math.min(minConcurrency, newLimit);
          if (reqBucket) reqBucket.rate = reqBucket.rate / 2;
          if (c.after !== undefined) delay = c.after;
          pausedUntil = Math.max(pausedUntil, performance.now() + delay);
          if (rateRetries < maxRateRetries) {
            rateRetries++;
            retry = true;
          }
        } else if (c.retryable && normalRetries < maxRetries) {
          normalRetries++;
          retry = true;
        }
        if (!retry) {
          return { index, errorType: c.type, errorMessage: c.message, latencyMs, attempts };
        }
        retries++;
        if (c.type !== "rate_limited") await sleep(delay, runAbort.signal);
      }
    }
  };

  const worker = async () => {
    while (next < total && !runAbort.signal.aborted) {
      const index = next++;
      const w = sem.acquire();
      if (w) await w;
      let rec: CallRecord | undefined;
      try {
        if (!runAbort.signal.aborted) rec = await runRow(index);
      } catch (e) {
        if (!(e instanceof CancelledError) && !runAbort.signal.aborted) throw e;
      } finally {
        sem.release();
      }
      if (rec) {
        records[index] = rec;
        done++;
        if (rec.errorType) errors++;
        if (options.onProgress) {
          const now = performance.now();
          if (now - lastEmit >= interval) {
            lastEmit = now;
            options.onProgress(progress());
          }
        }
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, total)) }, worker));
  } finally {
    options.signal?.removeEventListener("abort", onCancel);
    if (watchdog !== undefined) clearInterval(watchdog);
  }
  options.onProgress?.(progress());
  const out: CallRecord[] = [];
  for (const r of records) if (r) out.push(r);
  return {
    records: out,
    cancelled: out.length < total,
    wallMs: performance.now() - t0,
    retries,
    rateLimited,
    minConcurrency,
  };
}
