/**
 * The runner: calls an agent once per request with bounded concurrency, a per-call timeout,
 * retries with backoff, a token-bucket rate limit (requests/s and tokens/min), adaptive
 * back-off when the agent answers 429, throttled progress events and cancellation.
 *
 * @module
 */
import { type Agent, type AgentDecision, AgentError } from "./agent.ts";
import { AdjustableSemaphore, TokenBucket } from "./_limits.ts";
import { backoff, delay } from "../_internal/retry.ts";

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
 * import { checkDecision } from "./runner.ts";
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
  return await new AgentRun(agent, requests, options).run();
}

type Classified = { type: RowErrorType; message: string; retryable: boolean; after?: number };

/** How a failed call counts: an AgentError by its kind, anything else an agent exception. */
function classify(e: unknown): Classified {
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
}

/** One run of {@link runAgent}: its limits, counters and calls in flight. */
class AgentRun {
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly total: number;
  readonly records: (CallRecord | undefined)[];
  readonly sem: AdjustableSemaphore;
  readonly rps?: number;
  readonly reqBucket?: TokenBucket;
  readonly tokBucket?: TokenBucket;
  readonly abort = new AbortController();
  readonly t0 = performance.now();
  next = 0;
  done = 0;
  errors = 0;
  retries = 0;
  rateLimited = 0;
  okStreak = 0;
  pausedUntil = 0;
  tokensSeen = 0;
  callsSeen = 0;
  minConcurrency: number;
  lastEmit: number;
  // Timeouts: one watchdog timer per run scans the calls in flight (no timer per call), and
  // the agent's AbortSignal is only created when the agent reads it.
  readonly pending = new Set<PendingCall>();
  watchdog?: ReturnType<typeof setInterval>;

  constructor(
    readonly agent: Agent,
    readonly requests: readonly Record<string, unknown>[],
    readonly options: RunnerOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
    this.timeoutMs = options.timeoutMs ?? 30000;
    this.total = requests.length;
    this.records = new Array(this.total);
    this.sem = new AdjustableSemaphore(this.concurrency);
    this.minConcurrency = this.concurrency;
    this.lastEmit = this.t0;
    const rps = options.rateLimit?.requestsPerSecond;
    const tpm = options.rateLimit?.tokensPerMinute;
    if (rps) {
      this.rps = rps;
      this.reqBucket = new TokenBucket(rps, Math.max(1, Math.min(rps, this.concurrency)));
    }
    if (tpm) this.tokBucket = new TokenBucket(tpm / 60, tpm);
  }

  readonly onCancel = (): void => {
    const reason = new CancelledError("cancelled");
    this.abort.abort(reason);
    this.cancelAll(reason);
    this.sem.drain();
  };

  progress(): RunProgress {
    const elapsedMs = performance.now() - this.t0;
    const rowsPerSecond = elapsedMs > 0 ? (this.done / elapsedMs) * 1000 : 0;
    const { done, total, errors, retries } = this;
    const p: RunProgress = { done, total, errors, retries, elapsedMs, rowsPerSecond };
    if (done > 0) p.etaMs = ((total - done) / done) * elapsedMs;
    return p;
  }

  readonly scan = (): void => {
    const now = performance.now();
    for (const c of this.pending) {
      if (now >= c.deadline) {
        const e = new AgentError(`agent call timed out after ${this.timeoutMs} ms`, {
          kind: "timeout",
        });
        this.pending.delete(c);
        c.abort(e);
        c.reject(e);
      }
    }
  };

  cancelAll(reason: unknown): void {
    for (const c of this.pending) {
      this.pending.delete(c);
      c.abort(reason);
      c.reject(reason);
    }
  }

  callOnce(request: Record<string, unknown>, start: number): Promise<AgentDecision> {
    if (this.watchdog === undefined) {
      this.watchdog = setInterval(
        this.scan,
        Math.max(1, Math.min(50, Math.floor(this.timeoutMs / 10))),
      );
    }
    return new Promise<AgentDecision>((resolve, reject) => {
      const entry = new PendingCall(start + this.timeoutMs, resolve, reject);
      this.pending.add(entry);
      let p: Promise<AgentDecision>;
      try {
        p = this.agent.decide(request, entry);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (d) => {
          if (this.pending.delete(entry)) entry.resolve(d);
        },
        (e) => {
          if (this.pending.delete(entry)) entry.reject(e);
        },
      );
    });
  }

  /** Waits for a 429 pause, the request rate and the token budget; returns the tokens reserved. */
  async admit(): Promise<number> {
    if (this.pausedUntil > 0) {
      const wait = this.pausedUntil - performance.now();
      if (wait > 0) await delay(wait, { signal: this.abort.signal });
    }
    if (this.reqBucket) await this.reqBucket.take(1, this.abort.signal);
    let reserved = 0;
    if (this.tokBucket) {
      reserved = this.callsSeen > 0 ? this.tokensSeen / this.callsSeen : 0;
      if (reserved > 0) await this.tokBucket.take(reserved, this.abort.signal);
    }
    return reserved;
  }

  /** A successful call: charges tokens, checks the output, grows concurrency and rate back. */
  succeeded(
    index: number,
    decision: AgentDecision,
    latencyMs: number,
    attempts: number,
    reserved: number,
  ): CallRecord {
    const invalid = checkDecision(decision) ?? this.options.validate?.(decision);
    if (this.tokBucket) {
      const t = tokensOf(decision);
      this.tokensSeen += t;
      this.callsSeen++;
      this.tokBucket.charge(t - reserved); // the estimate was taken up front
    }
    if (invalid) {
      return { index, errorType: "invalid_output", errorMessage: invalid, latencyMs, attempts };
    }
    if (++this.okStreak >= 20 && this.sem.limit < this.sem.max) {
      this.okStreak = 0;
      this.sem.setLimit(this.sem.limit + 1);
    }
    if (this.reqBucket && this.rps && this.reqBucket.rate < this.rps) {
      this.reqBucket.rate = Math.min(this.rps, this.reqBucket.rate * 1.05);
    }
    return { index, decision, latencyMs, attempts };
  }

  /** A 429: halves concurrency and rate, pauses every worker; whether to retry. */
  throttled(c: Classified, wait: number, rateRetries: number): boolean {
    this.rateLimited++;
    this.okStreak = 0;
    const newLimit = Math.max(1, Math.floor(this.sem.limit / 2));
    this.sem.setLimit(newLimit);
    this.minConcurrency = Math.min(this.minConcurrency, newLimit);
    if (this.reqBucket) this.reqBucket.rate = this.reqBucket.rate / 2;
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + (c.after ?? wait));
    return rateRetries < (this.options.rateLimitRetries ?? 8);
  }

  async runRow(index: number): Promise<CallRecord | undefined> {
    const request = this.requests[index]!;
    const maxRetries = this.options.retries ?? 2;
    let attempts = 0, normalRetries = 0, rateRetries = 0;
    for (;;) {
      const reserved = await this.admit();
      attempts++;
      const start = performance.now();
      try {
        const decision = await this.callOnce(request, start);
        return this.succeeded(index, decision, performance.now() - start, attempts, reserved);
      } catch (e) {
        const latencyMs = performance.now() - start;
        if (this.abort.signal.aborted) return undefined;
        const c = classify(e);
        // the shared backoff (ceiling, no jitter of its own) with a deterministic jitter per row
        let wait = backoff(normalRetries + rateRetries + 1, {
          baseMs: this.options.backoffMs ?? 200,
          maxMs: 10_000,
          jitter: "none",
        });
        wait *= 0.5 + 0.5 * (((index * 2654435761) >>> 0) % 1000) / 1000;
        let retry = false;
        if (c.type === "rate_limited") {
          retry = this.throttled(c, wait, rateRetries);
          if (retry) rateRetries++;
        } else if (c.retryable && normalRetries < maxRetries) {
          normalRetries++;
          retry = true;
        }
        if (!retry) {
          return { index, errorType: c.type, errorMessage: c.message, latencyMs, attempts };
        }
        this.retries++;
        if (c.type !== "rate_limited") await delay(wait, { signal: this.abort.signal });
      }
    }
  }

  async worker(): Promise<void> {
    const interval = this.options.progressIntervalMs ?? 100;
    while (this.next < this.total && !this.abort.signal.aborted) {
      const index = this.next++;
      const w = this.sem.acquire();
      if (w) await w;
      let rec: CallRecord | undefined;
      try {
        if (!this.abort.signal.aborted) rec = await this.runRow(index);
      } catch (e) {
        if (!(e instanceof CancelledError) && !this.abort.signal.aborted) throw e;
      } finally {
        this.sem.release();
      }
      if (!rec) continue;
      this.records[index] = rec;
      this.done++;
      if (rec.errorType) this.errors++;
      if (this.options.onProgress) {
        const now = performance.now();
        if (now - this.lastEmit >= interval) {
          this.lastEmit = now;
          this.options.onProgress(this.progress());
        }
      }
    }
  }

  async run(): Promise<RunnerResult> {
    const signal = this.options.signal;
    if (signal?.aborted) this.onCancel();
    else signal?.addEventListener("abort", this.onCancel, { once: true });
    const workers = Math.min(this.concurrency, Math.max(1, this.total));
    try {
      await Promise.all(Array.from({ length: workers }, () => this.worker()));
    } finally {
      signal?.removeEventListener("abort", this.onCancel);
      if (this.watchdog !== undefined) clearInterval(this.watchdog);
    }
    this.options.onProgress?.(this.progress());
    const out: CallRecord[] = [];
    for (const r of this.records) if (r) out.push(r);
    return {
      records: out,
      cancelled: out.length < this.total,
      wallMs: performance.now() - this.t0,
      retries: this.retries,
      rateLimited: this.rateLimited,
      minConcurrency: this.minConcurrency,
    };
  }
}
