import { MlflowApiError, redact, redactValues } from "../_internal/errors.ts";
import { isRetriableStatus, parseRetryAfter, retry } from "../_internal/retry.ts";
import { unquote } from "../_internal/uri.ts";

export { parseRetryAfter };

/** How requests authenticate. */
export type MlflowAuth =
  | { type: "none" }
  | { type: "basic"; username: string; password: string }
  | { type: "bearer"; token: string }
  /** A token fetched (and refreshed) on demand, e.g. Databricks OAuth machine-to-machine. */
  | { type: "dynamic"; getToken: () => Promise<string> };

/** Retry policy for transient failures (network errors, timeouts, 408, 429, 5xx). */
export interface RetryOptions {
  /** Retries after the first attempt. Default 7 (as MLflow's Python client). */
  maxRetries?: number;
  /** First backoff delay; doubles each retry, with full jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest single delay. Default 30000 ms. */
  maxDelayMs?: number;
  /** Total time budget for one call including all retries. Default 120000 ms. */
  totalBudgetMs?: number;
}

/** Options for {@link MlflowTransport}. */
export interface TransportOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:5000` or `https://host/prefix`. */
  trackingUri: string;
  /** Authentication. Default none. */
  auth?: MlflowAuth;
  /** Timeout of one attempt. Default 30000 ms. */
  timeoutMs?: number;
  /** Retry policy. */
  retry?: RetryOptions;
  /** Extra headers on every request (never logged). */
  headers?: Record<string, string>;
  /** An HTTP client, e.g. from `Deno.createHttpClient({ caCerts })` for a private CA. */
  client?: Deno.HttpClient;
  /** Sleep function (tests). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * The caller asked for TLS verification to be off (`MLFLOW_TRACKING_INSECURE_TLS`).
   * Deno cannot switch verification off per client: the process must run with
   * `--unsafely-ignore-certificate-errors[=host]`. When set and a certificate error
   * happens anyway, the error says so instead of failing obscurely.
   */
  insecureTls?: boolean;
}

/** A query string value; arrays become repeated keys. */
export type QueryValue = string | number | boolean | string[] | undefined;

/**
 * A response validator: any zod schema fits (`safeParse` returning `{ success, data }` or
 * `{ success, error }`).
 */
export interface ResponseSchema<T> {
  /** Validates `value`; never throws. */
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { message: string } };
}

/** One request. */
export interface RequestInit<T = unknown> {
  /** Query parameters. */
  query?: Record<string, QueryValue>;
  /** JSON body (objects) for POST/PATCH/DELETE. */
  body?: unknown;
  /**
   * An already-encoded JSON body, sent as is (used by the batch path, which encodes each
   * entity once). Takes precedence over `body`.
   */
  bodyText?: string;
  /** Response schema; the parsed JSON is validated with it. */
  schema?: ResponseSchema<T>;
  /** Abort signal from the caller. */
  signal?: AbortSignal;
}

/** A raw request whose body is bytes or a stream (artifacts). */
export interface RawRequestInit {
  /** Query parameters. */
  query?: Record<string, QueryValue>;
  /**
   * The body. A function returning a fresh body makes the request retryable; a plain
   * stream is sent once.
   */
  body?: BodyInit | (() => BodyInit | Promise<BodyInit>);
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Abort signal from the caller. */
  signal?: AbortSignal;
}

const STATUS_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "ENDPOINT_NOT_FOUND",
  408: "REQUEST_TIMEOUT",
  409: "RESOURCE_CONFLICT",
  413: "REQUEST_TOO_LARGE",
  429: "REQUEST_LIMIT_EXCEEDED",
  500: "INTERNAL_ERROR",
  501: "NOT_IMPLEMENTED",
  502: "BAD_GATEWAY",
  503: "TEMPORARILY_UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** JSON.stringify that writes NaN and ±Infinity as MLflow expects (`"NaN"`, `"Infinity"`). */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) {
      return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
    }
    return v;
  });
}

function toSearchParams(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) { for (const v of value) params.append(key, v); }
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s === "" ? "" : `?${s}`;
}

/**
 * The HTTP layer of the MLflow client: base URL with path prefix, auth, per-attempt
 * timeout, retries with exponential backoff and full jitter that honour `Retry-After`
 * within a total budget, and errors as {@link MlflowApiError} with credentials redacted.
 *
 * Every method is retried on network errors, timeouts, 408, 429 and 5xx (as MLflow's
 * Python client does, POST included); a retried request sends the same bytes again.
 *
 * @example
 * ```ts ignore
 * import { MlflowTransport } from "@evalkit/evalkit/mlflow";
 * const t = new MlflowTransport({ trackingUri: "http://127.0.0.1:5000", timeoutMs: 10_000 });
 * const res = await t.get("/api/2.0/mlflow/experiments/get", { query: { experiment_id: "0" } });
 * ```
 */
export class MlflowTransport {
  /** The base URL without a trailing slash (scheme, host, optional path prefix). */
  readonly baseUrl: string;
  readonly #auth: MlflowAuth;
  readonly #timeoutMs: number;
  readonly #retry: Required<RetryOptions>;
  readonly #headers: Record<string, string>;
  readonly #client: Deno.HttpClient | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #insecureTls: boolean;
  readonly #customSleep: boolean;

  /** Creates a transport; validates the URI. */
  constructor(options: TransportOptions) {
    let url: URL;
    const bad = () =>
      `Expected trackingUri to be an http(s) URL but found '${redact(options.trackingUri)}'`;
    try {
      url = new URL(options.trackingUri);
    } catch (err) {
      throw new TypeError(bad(), { cause: err });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(bad());
    const auth = options.auth ?? { type: "none" };
    if (url.username !== "" && auth.type === "none") {
      this.#auth = {
        type: "basic",
        username: unquote(url.username),
        password: unquote(url.password),
      };
    } else {
      this.#auth = auth;
    }
    url.username = "";
    url.password = "";
    this.baseUrl = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    if (!(this.#timeoutMs > 0)) {
      throw new RangeError(`Expected timeoutMs to be > 0 but found ${options.timeoutMs}`);
    }
    this.#retry = {
      maxRetries: options.retry?.maxRetries ?? 7,
      baseDelayMs: options.retry?.baseDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
      totalBudgetMs: options.retry?.totalBudgetMs ?? 120_000,
    };
    if (!Number.isInteger(this.#retry.maxRetries) || this.#retry.maxRetries < 0) {
      throw new RangeError(
        `Expected retry.maxRetries to be an integer >= 0 but found ${this.#retry.maxRetries}`,
      );
    }
    this.#headers = { ...options.headers };
    this.#client = options.client;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#customSleep = options.sleep !== undefined;
    this.#insecureTls = options.insecureTls ?? false;
  }

  /** Timeout of one attempt, in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** GET with query parameters; returns the validated JSON. */
  get<T = unknown>(path: string, init: Omit<RequestInit<T>, "body"> = {}): Promise<T> {
    return this.json<T>("GET", path, init);
  }

  /** POST a JSON body; returns the validated JSON. */
  post<T = unknown>(
    path: string,
    body: unknown,
    init: Omit<RequestInit<T>, "body"> = {},
  ): Promise<T> {
    return this.json<T>("POST", path, { ...init, body });
  }

  /** PATCH a JSON body. */
  patch<T = unknown>(
    path: string,
    body: unknown,
    init: Omit<RequestInit<T>, "body"> = {},
  ): Promise<T> {
    return this.json<T>("PATCH", path, { ...init, body });
  }

  /** DELETE with a JSON body (as the MLflow registry expects). */
  delete<T = unknown>(
    path: string,
    body?: unknown,
    init: Omit<RequestInit<T>, "body"> = {},
  ): Promise<T> {
    return this.json<T>("DELETE", path, { ...init, body });
  }

  /**
   * Sends a JSON request and parses (and validates) the JSON answer. Reading the answer is
   * part of the attempt: a connection dropped or a timeout while the body arrives is
   * retried like any other transient failure.
   */
  async json<T = unknown>(method: string, path: string, init: RequestInit<T> = {}): Promise<T> {
    const text = init.bodyText ??
      (init.body !== undefined ? encodeJson(init.body) : undefined);
    const bodyText = await this.#request(method, path, {
      query: init.query,
      body: text === undefined ? undefined : () => text,
      headers: text === undefined ? {} : { "Content-Type": "application/json" },
      signal: init.signal,
    }, (res) => res.text());
    let parsed: unknown = {};
    const trimmed = bodyText.trim();
    if (trimmed !== "" && trimmed !== "200 OK") {
      try {
        parsed = JSON.parse(bodyText);
      } catch (err) {
        throw new MlflowApiError({
          status: 200,
          errorCode: "INVALID_RESPONSE",
          endpoint: path,
          method,
          message: `expected JSON but got: ${bodyText.slice(0, 200)}`,
        }, { cause: err });
      }
    }
    if (!init.schema) return parsed as T;
    const result = init.schema.safeParse(parsed);
    if (!result.success) {
      throw new MlflowApiError({
        status: 200,
        errorCode: "INVALID_RESPONSE",
        endpoint: path,
        method,
        message: `response did not match the expected shape: ${result.error.message.slice(0, 500)}`,
      }, { cause: result.error });
    }
    return result.data as T;
  }

  /**
   * Sends a request and returns the successful `Response` (status 2xx) for the caller to
   * read or stream. Non-2xx answers become {@link MlflowApiError}; transient ones are retried
   * when the body can be replayed. The per-attempt timeout covers the wait for the response
   * headers, not the reading of the body (streams may take long).
   */
  raw(method: string, path: string, init: RawRequestInit = {}): Promise<Response> {
    return this.#request(method, path, init, undefined);
  }

  #request<R>(
    method: string,
    path: string,
    init: RawRequestInit,
    read: ((res: Response) => Promise<R>) | undefined,
  ): Promise<R> {
    const url = `${this.baseUrl}${path}${toSearchParams(init.query)}`;
    const replayable = init.body === undefined || typeof init.body === "function";
    const fail = (failure: Failure, attempt: number, retriable: boolean): never => {
      throw new AttemptFailure(
        new MlflowApiError(
          {
            status: failure.status,
            errorCode: failure.code,
            endpoint: path,
            method,
            message: failure.message,
            attempts: attempt,
          },
          failure.cause === undefined ? undefined : { cause: failure.cause },
        ),
        retriable && replayable,
        failure.retryAfterMs,
      );
    };
    const attemptOnce = async (attempt: number): Promise<R> => {
      const headers = new Headers({ ...this.#headers, ...init.headers });
      const authorization = await this.#authorization();
      if (authorization) headers.set("Authorization", authorization);
      headers.set("User-Agent", USER_AGENT);
      const body = typeof init.body === "function" ? await init.body() : init.body;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new DOMException("attempt timed out", "TimeoutError"));
      }, this.#timeoutMs);
      const signal = init.signal
        ? AbortSignal.any([init.signal, controller.signal])
        : controller.signal;
      try {
        let res: Response;
        try {
          res = await fetch(url, {
            method,
            headers,
            body,
            signal,
            ...(this.#client ? { client: this.#client } : {}),
            ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
          } as globalThis.RequestInit);
        } catch (err) {
          if (init.signal?.aborted) throw init.signal.reason ?? err;
          return fail(this.#networkFailure(err, timedOut, ""), attempt, true);
        }
        if (!res.ok) {
          const failure = await this.#statusFailure(res);
          // A refusal may echo the credential back in any shape: drop the very values sent.
          failure.message = redactValues(failure.message, this.#secretValues(authorization));
          return fail(failure, attempt, isRetriableStatus(res.status));
        }
        if (read === undefined) return res as R;
        try {
          return await read(res);
        } catch (err) {
          if (init.signal?.aborted) throw init.signal.reason ?? err;
          return fail(
            this.#networkFailure(err, timedOut, "while reading the answer"),
            attempt,
            true,
          );
        }
      } finally {
        clearTimeout(timer);
      }
    };
    return retry(attemptOnce, {
      maxRetries: this.#retry.maxRetries,
      baseMs: this.#retry.baseDelayMs,
      maxMs: this.#retry.maxDelayMs,
      totalBudgetMs: this.#retry.totalBudgetMs,
      signal: init.signal,
      isRetriable: (err) => err instanceof AttemptFailure && err.retriable,
      retryAfterMs: (err) => err instanceof AttemptFailure ? err.retryAfterMs : undefined,
      ...(this.#customSleep ? { sleep: (ms: number) => this.#sleep(ms) } : {}),
    }).catch((err) => {
      throw err instanceof AttemptFailure ? err.error : err;
    });
  }

  async #statusFailure(res: Response): Promise<Failure> {
    const text = await res.text().catch(() => "");
    let code = STATUS_CODES[res.status] ?? `HTTP_${res.status}`;
    let message = text.slice(0, 2000);
    try {
      const j = JSON.parse(text);
      if (j && typeof j === "object" && typeof j.error_code === "string") code = j.error_code;
      if (j && typeof j === "object" && typeof j.message === "string") message = j.message;
    } catch {
      // not JSON: keep the text
    }
    return {
      status: res.status,
      code,
      message,
      retryAfterMs: parseRetryAfter(res.headers.get("Retry-After")),
    };
  }

  #networkFailure(err: unknown, timedOut: boolean, when: string): Failure {
    const suffix = when === "" ? "" : ` ${when}`;
    if (timedOut) {
      return {
        status: 0,
        code: "DEADLINE_EXCEEDED",
        message: `no answer within ${this.#timeoutMs} ms${suffix}`,
        cause: err,
      };
    }
    let message = `network error${suffix}: ${describe(err)}`;
    if (/certificate|UnknownIssuer|tls|ssl/i.test(message)) {
      message += this.#insecureTls
        ? ". MLFLOW_TRACKING_INSECURE_TLS is set, but Deno verifies certificates unless the " +
          "process runs with --unsafely-ignore-certificate-errors[=host]"
        : ". For a private CA set MLFLOW_TRACKING_SERVER_CERT_PATH (or pass " +
          "Deno.createHttpClient({ caCerts }) as `client`)";
    }
    return { status: 0, code: "NETWORK_ERROR", message, cause: err };
  }

  /** The credential strings an answer must not repeat: the header value and its parts. */
  #secretValues(authorization: string | undefined): string[] {
    const out: string[] = [];
    if (authorization) out.push(authorization.replace(/^\S+\s+/, "")); // the scheme may stay
    const auth = this.#auth;
    if (auth.type === "basic") out.push(auth.password);
    if (auth.type === "bearer") out.push(auth.token);
    return out;
  }

  async #authorization(): Promise<string | undefined> {
    const auth = this.#auth;
    switch (auth.type) {
      case "none":
        return undefined;
      case "basic":
        return `Basic ${btoa(utf8Binary(`${auth.username}:${auth.password}`))}`;
      case "bearer":
        return `Bearer ${auth.token}`;
      case "dynamic":
        return `Bearer ${await auth.getToken()}`;
    }
  }
}

/** One failed attempt, as the retry helper sees it; unwrapped before it reaches the caller. */
class AttemptFailure extends Error {
  constructor(
    readonly error: MlflowApiError,
    readonly retriable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {
    super(error.message);
  }
}

interface Failure {
  status: number;
  code: string;
  message: string;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

const USER_AGENT = "evalkit-mlflow-client/0.1.0";

/** The messages of an error and its causes ("fetch failed: … Connection refused"). */
function describe(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const text = e instanceof Error ? e.message : String(e);
    if (text !== "" && !parts.some((p) => p.includes(text))) parts.push(text);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ");
}

/** btoa() takes Latin-1; encode UTF-8 credentials byte by byte. */
function utf8Binary(text: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(text)) out += String.fromCharCode(b);
  return out;
}
