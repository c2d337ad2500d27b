/**
 * The one retry rule of evalkit: exponential backoff with full jitter, `Retry-After`
 * honoured, a total time budget, an abort signal and an `isRetriable` predicate. The MLflow
 * transport, the Databricks OAuth and signed-URL requests and the drift alert call
 * {@linkcode retry}; loops that keep a policy of their own (the delivery pump, the evaluation
 * runner) build on {@linkcode backoff} and {@linkcode delay}.
 *
 * @module
 */

/**
 * The HTTP statuses that are worth another attempt: 408 (request timeout), 429 (rate limited),
 * 500, 502 (bad gateway), 503 (unavailable) and 504 (gateway timeout), as MLflow's Python
 * client retries. Anything else (400, 401, 403, 404, 409, …) is an answer, not a hiccup.
 */
export const RETRIABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Whether an HTTP status is transient (one of {@linkcode RETRIABLE_STATUSES}).
 *
 * @example
 * ```ts
 * import { isRetriableStatus } from "./retry.ts";
 * isRetriableStatus(502); // true
 * isRetriableStatus(401); // false
 * ```
 */
export function isRetriableStatus(status: number): boolean {
  return RETRIABLE_STATUSES.has(status);
}

/**
 * The default `isRetriable`: a network failure (`fetch` rejects with a `TypeError`), a
 * timed-out attempt (`TimeoutError`), or an error carrying a numeric `status` that is 0 (no
 * answer) or one of {@linkcode RETRIABLE_STATUSES}. An `AbortError` is never retried.
 *
 * @example
 * ```ts
 * import { isTransientError } from "./retry.ts";
 * isTransientError(new TypeError("fetch failed")); // true
 * isTransientError(Object.assign(new Error("bad gateway"), { status: 502 })); // true
 * isTransientError(Object.assign(new Error("forbidden"), { status: 403 })); // false
 * ```
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof DOMException) return error.name === "TimeoutError";
  if (error !== null && typeof error === "object" && "status" in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === "number") return status === 0 || isRetriableStatus(status);
  }
  return error instanceof TypeError;
}

/**
 * Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds; `undefined`
 * when absent or unreadable.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./retry.ts";
 * parseRetryAfter("2"); // 2000
 * parseRetryAfter(new Date(10_000).toUTCString(), 4_000); // 6000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Options for {@linkcode backoff}. */
export interface BackoffOptions {
  /** Delay ceiling of the first retry, doubled each retry. Default 250 ms. */
  baseMs?: number;
  /** Longest ceiling. Default 30000 ms. */
  maxMs?: number;
  /**
   * `"full"` (default): a uniform draw in `[0, ceiling)` (AWS's "full jitter", so clients that
   * failed together do not come back together); `"none"`: the ceiling itself.
   */
  jitter?: "full" | "none";
  /** Random source in `[0, 1)` (tests). Default `Math.random`. */
  random?: () => number;
}

/**
 * The delay before retry number `retry` (1 = the first retry): `min(maxMs, baseMs · 2^(retry−1))`,
 * fully jittered unless `jitter: "none"`.
 *
 * @example
 * ```ts
 * import { backoff } from "./retry.ts";
 * backoff(3, { baseMs: 100, jitter: "none" }); // 400
 * ```
 */
export function backoff(retry: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 250;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  if ((options.jitter ?? "full") === "none") return ceiling;
  return (options.random ?? Math.random)() * ceiling;
}

/**
 * Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts (the
 * timer is cleared, so nothing is left pending).
 *
 * @example
 * ```ts
 * import { delay } from "./retry.ts";
 * await delay(1);
 * ```
 */
export function delay(
  ms: number,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** What {@linkcode RetryOptions.onRetry} is told before each wait. */
export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** Its error. */
  error: unknown;
  /** How long the helper waits before the next attempt, in milliseconds. */
  delayMs: number;
}

/** Options for {@linkcode retry}. */
export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /**
   * Total time for all attempts and waits: no wait is started that would end past it.
   * Default unlimited.
   */
  totalBudgetMs?: number;
  /** Aborts the waits and is handed to each attempt; its reason is thrown. */
  signal?: AbortSignal | undefined;
  /** Whether an error is worth another attempt. Default {@linkcode isTransientError}. */
  isRetriable?: (error: unknown, attempt: number) => boolean;
  /**
   * The server's requested wait for an error (e.g. a parsed `Retry-After`); used instead of
   * the backoff when defined. Default: the error's numeric `retryAfterMs` property, if any.
   */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** Called before each wait (logging, metrics). */
  onRetry?: (event: RetryEvent) => void;
  /** Sleep function (tests); receives the signal. Default {@linkcode delay}. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Clock for the budget (tests). Default `Date.now`. */
  now?: () => number;
}

function defaultRetryAfter(error: unknown): number | undefined {
  if (error !== null && typeof error === "object" && "retryAfterMs" in error) {
    const v = (error as { retryAfterMs: unknown }).retryAfterMs;
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  }
  return undefined;
}

/**
 * Calls `fn` until it resolves, retrying errors that `isRetriable` accepts, at most
 * `maxRetries` times and within `totalBudgetMs`. Each wait is the server's `Retry-After`
 * when the error carries one, else {@linkcode backoff}. The last error is thrown as is
 * (so it can carry the attempt count `fn` was given); an abort throws the signal's reason.
 *
 * @example
 * ```ts
 * import { retry } from "./retry.ts";
 * let calls = 0;
 * const value = await retry(() => {
 *   if (++calls < 3) throw Object.assign(new Error("unavailable"), { status: 503 });
 *   return Promise.resolve("ok");
 * }, { baseMs: 1 });
 * // value === "ok", calls === 3
 * ```
 */
export async function retry<T>(
  fn: (attempt: number, signal: AbortSignal | undefined) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new RangeError(`Expected maxRetries to be an integer >= 0 but found ${maxRetries}`);
  }
  const budget = options.totalBudgetMs ?? Infinity;
  const now = options.now ?? Date.now;
  const signal = options.signal;
  const isRetriable = options.isRetriable ?? isTransientError;
  const retryAfter = options.retryAfterMs ?? defaultRetryAfter;
  const sleep = options.sleep ?? ((ms: number, s?: AbortSignal) => delay(ms, { signal: s }));
  const started = now();
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (attempt > maxRetries || !isRetriable(error, attempt)) throw error;
      const wait = retryAfter(error) ?? backoff(attempt, options);
      if (now() - started + wait > budget) throw error;
      options.onRetry?.({ attempt, error, delayMs: wait });
      await sleep(wait, signal);
    }
  }
}
