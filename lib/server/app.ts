import type { z } from "zod";
import type { Tracer } from "../tracing/tracer.ts";
import { redact } from "../_internal/errors.ts";
import type { TokenSet } from "./auth.ts";
import { openApiDocument } from "./openapi.ts";
import {
  type EvaluateDatasetRequest,
  EvaluateDatasetRequestSchema,
  type EvaluationJob,
  type LoanApplication,
  LoanApplicationSchema,
} from "./schemas.ts";

/** Token usage of one call, per model. */
export interface ServedTokenUsage {
  /** Prompt tokens. */
  inputTokens: number;
  /** Completion tokens. */
  outputTokens: number;
  /** Prompt tokens served from cache. */
  cachedInputTokens?: number;
}

/** What the API needs of an agent (the `Agent` interface of lib/agents satisfies it). */
export interface ServedAgent {
  /** Agent name. */
  readonly name: string;
  /** Agent version. */
  readonly version: string;
  /** Decides one application. */
  decide(request: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<{
    outcome: string;
    riskScore?: number;
    reasons?: string[];
    usage?: Record<string, ServedTokenUsage>;
  }>;
}

/** What the API needs of a runtime metrics collector (`MetricsCollector` satisfies it). */
export interface RuntimeMetricsSink {
  /** Counts a request by status. */
  recordRequest(status: string): void;
  /** Records a latency in ms. */
  recordDuration(ms: number): void;
  /** Counts an error by type. */
  recordError(type: string): void;
  /** Records a risk score. */
  recordRiskScore(score: number): void;
  /** Counts a decision outcome. */
  recordDecision(outcome: string): void;
  /** Records token usage for a model. */
  recordTokenUsage(model: string, usage: ServedTokenUsage): void;
  /** The current summary, served as JSON. */
  getSummary(): unknown;
}

/** Runs one dataset evaluation and records it in MLflow. */
export type DatasetEvaluator = (
  request: EvaluateDatasetRequest,
  signal: AbortSignal,
) => Promise<{ runId: string; metrics: Record<string, number> }>;

/** Options for {@link createLoanAgentApp}. */
export interface LoanAgentAppOptions {
  /** The agent that decides applications. */
  agent: ServedAgent;
  /** Accepted bearer tokens. */
  tokens: TokenSet;
  /** Runtime metrics; every decision is recorded. */
  metrics?: RuntimeMetricsSink;
  /**
   * Traces every decision (an AGENT span with the application and the decision; the caller's
   * trace is continued from its W3C `traceparent`). Default none.
   */
  tracer?: Tracer;
  /** Evaluates a dataset (the evaluate_dataset endpoint answers 501 without it). */
  evaluateDataset?: DatasetEvaluator;
  /** Whether a dataset (and version) exists; unknown ones answer 404. Ignored when {@link inspectDataset} is given. */
  datasetExists?: (name: string, version?: string) => Promise<boolean>;
  /**
   * Describes a dataset version (the latest without `version`) before an evaluation starts:
   * `undefined` when it does not exist (404 naming `dataset_name` or `dataset_version`), else
   * its fields, so an unknown `target_field` is a 400 naming the field, not a failed job.
   */
  inspectDataset?: (name: string, version?: string) => Promise<DatasetDescription | undefined>;
  /** Evaluation jobs running at once; past it they queue. Default 2. */
  maxConcurrentJobs?: number;
  /** Evaluation jobs waiting for a slot; past it requests get 429 with Retry-After. Default 8. */
  maxQueuedJobs?: number;
  /** Time allowed to receive a whole request body; slower bodies get 408. Default 10000 ms. */
  bodyTimeoutMs?: number;
  /** Largest accepted body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Per-request time limit; a decision past it answers 504, an evaluation turns into a job. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** API version in /health and OpenAPI. Default "0.1.0". */
  version?: string;
  /** Structured access log (method, path, status, ms). Never receives tokens or bodies. */
  log?: (entry: AccessLogEntry) => void;
}

/** What {@link LoanAgentAppOptions.inspectDataset} tells about a dataset version. */
export interface DatasetDescription {
  /** The version found (the latest when none was asked for). */
  version: string;
  /** The fields its rows have (schema columns). */
  fields: readonly string[];
}

/**
 * One access-log entry. `status` 499 with `error: "client_disconnected"` is a client that hung
 * up before its request was read (nothing could be answered); `error` otherwise names the
 * class of an unexpected failure (a 500).
 */
export interface AccessLogEntry {
  /** HTTP method. */
  method: string;
  /** Path (no query). */
  path: string;
  /** Status answered (499: the client disconnected first). */
  status: number;
  /** Time taken in ms. */
  ms: number;
  /** `client_disconnected`, or the error class behind a 500. */
  error?: string;
}

/** The API as a fetch handler plus its evaluation jobs. */
export interface LoanAgentApp {
  /** Handles one request. */
  fetch(request: Request): Promise<Response>;
  /** Evaluation jobs by id. */
  readonly jobs: ReadonlyMap<string, EvaluationJob>;
  /** Resolves when no evaluation job is running (used on shutdown). */
  idle(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: unknown[],
    readonly headers?: HeadersInit,
  ) {
    super(message);
  }
}

function json(status: number, body: unknown, headers?: HeadersInit): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      ...Object.fromEntries(new Headers(headers)),
    },
  });
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Expected ${name} to be a positive integer but found ${n}`);
  }
  return n;
}

function nonNegative(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`Expected ${name} to be a non-negative integer but found ${n}`);
  }
  return n;
}

/** Jobs kept for polling; the oldest finished ones are forgotten past it. */
const KEPT_JOBS = 1000;

function remember(jobs: Map<string, EvaluationJob>, id: string, job: EvaluationJob): void {
  jobs.set(id, job);
  if (jobs.size <= KEPT_JOBS) return;
  for (const [old, j] of jobs) {
    if (jobs.size <= KEPT_JOBS) break;
    if (j.finished_at !== undefined) jobs.delete(old);
  }
}

/**
 * At most `maxRunning` jobs at once and `maxQueued` waiting, first come first served.
 * `retryAfterSeconds` estimates when a slot frees up from the durations of finished jobs.
 */
class JobLimiter {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #meanMs = 0;
  #finished = 0;

  constructor(readonly maxRunning: number, readonly maxQueued: number) {}

  /** A slot (started now or queued), or undefined when running and queue are both full. */
  reserve(): { queued: boolean; start: Promise<void>; release: () => void } | undefined {
    const queued = this.#running >= this.maxRunning;
    if (queued && this.#waiting.length >= this.maxQueued) return undefined;
    let started = 0;
    const start = queued
      ? new Promise<void>((resolve) => this.#waiting.push(resolve))
      : Promise.resolve();
    if (!queued) this.#running++;
    start.then(() => started = performance.now());
    return {
      queued,
      start,
      // called once per slot, when its job settles
      release: () => {
        if (started > 0) {
          this.#finished++;
          this.#meanMs += (performance.now() - started - this.#meanMs) / this.#finished;
        }
        const next = this.#waiting.shift();
        if (next) next(); // the slot passes to the next queued job
        else this.#running--;
      },
    };
  }

  /** Seconds until a slot is likely free: one mean job duration per queued round (≥ 1). */
  retryAfterSeconds(): number {
    const mean = this.#finished > 0 ? this.#meanMs / 1000 : 5;
    const rounds = 1 + Math.floor(this.#waiting.length / this.maxRunning);
    return Math.max(1, Math.min(3600, Math.ceil(mean * rounds)));
  }
}

/** The client hung up while its request was read: nothing can be answered. */
class ClientDisconnected extends Error {
  override readonly name = "ClientDisconnected";
}

async function readBody(req: Request, limit: number, timeoutMs: number): Promise<unknown> {
  const type = req.headers.get("Content-Type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    await req.body?.cancel().catch(() => {});
    throw new HttpError(
      415,
      `Expected Content-Type application/json but found '${type.slice(0, 100)}'`,
    );
  }
  const declared = Number(req.headers.get("Content-Length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) {
    await req.body?.cancel().catch(() => {});
    throw new HttpError(413, `Expected a body of at most ${limit} bytes but found ${declared}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), timeoutMs)
    );
    try {
      while (true) {
        let next: ReadableStreamReadResult<Uint8Array> | "timeout";
        try {
          next = await Promise.race([reader.read(), deadline]);
        } catch (err) {
          throw new ClientDisconnected(err instanceof Error ? err.message : String(err));
        }
        if (next === "timeout") {
          reader.cancel().catch(() => {});
          throw new HttpError(
            408,
            `Expected the whole body within ${timeoutMs} ms but it was still arriving`,
            undefined,
            { Connection: "close" },
          );
        }
        if (next.done) break;
        size += next.value.byteLength;
        if (size > limit) {
          reader.cancel().catch(() => {});
          throw new HttpError(413, `Expected a body of at most ${limit} bytes but it was longer`);
        }
        chunks.push(next.value);
      }
    } finally {
      clearTimeout(timer);
      reader.releaseLock();
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "Expected the body to be UTF-8 text");
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(
      400,
      `Expected a JSON body: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Percent-decodes one path segment; malformed encoding (`%ZZ`, `%`, a cut UTF-8 sequence) is a 400. */
function decodeSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(
      400,
      `Expected the ${what} to be valid percent-encoded UTF-8 but found '${segment.slice(0, 100)}'`,
    );
  }
}

function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({
      code: i.code,
      path: i.path.map((p) => (typeof p === "number" ? p : String(p))),
      message: i.message,
    }));
    throw new HttpError(400, "The request body is invalid", issues);
  }
  return result.data;
}

/**
 * The Loan Agent API as a web-standard fetch handler: decisions, dataset evaluations as
 * jobs, the runtime metrics summary, health and OpenAPI. Serve it with
 * {@link serveLoanAgent} or any `fetch`-style server.
 *
 * @example
 * ```ts
 * import { createLoanAgentApp, TokenSet } from "@evalkit/evalkit/server";
 * const app = createLoanAgentApp({
 *   agent: { name: "demo", version: "1", decide: () => Promise.resolve({ outcome: "approve" }) },
 *   tokens: await TokenSet.from(["a-very-long-secret-token"]),
 * });
 * const res = await app.fetch(new Request("http://x/health"));
 * if (res.status !== 200) throw new Error("unhealthy");
 * await res.body?.cancel();
 * ```
 */
export function createLoanAgentApp(options: LoanAgentAppOptions): LoanAgentApp {
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  const version = options.version ?? "0.1.0";
  const maxRunning = positive(options.maxConcurrentJobs ?? 2, "maxConcurrentJobs");
  const maxQueued = nonNegative(options.maxQueuedJobs ?? 8, "maxQueuedJobs");
  const jobs = new Map<string, EvaluationJob>();
  const running = new Set<Promise<unknown>>();
  const limiter = new JobLimiter(maxRunning, maxQueued);
  const openapi = JSON.stringify(openApiDocument(version));

  const requireAuth = async (req: Request) => {
    if (!(await options.tokens.verify(req.headers.get("Authorization")))) {
      throw new HttpError(401, "A valid bearer token is required", undefined, {
        "WWW-Authenticate": 'Bearer realm="evalkit", error="invalid_token"',
      });
    }
  };

  const decide = async (req: Request): Promise<Response> => {
    await requireAuth(req);
    const application: LoanApplication = validate(
      LoanApplicationSchema,
      await readBody(req, limit, bodyTimeoutMs),
    );
    const requestId = application.request_id ?? crypto.randomUUID();
    const started = performance.now();
    const m = options.metrics;
    try {
      const call = () =>
        options.agent.decide({ ...application, request_id: requestId }, {
          signal: AbortSignal.timeout(timeoutMs),
        });
      const decision = options.tracer
        ? await options.tracer.withSpan("loan_decision", call, {
          spanType: "AGENT",
          inputs: application,
          parent: null,
          ...(req.headers.has("traceparent")
            ? { traceparent: req.headers.get("traceparent")! }
            : {}),
        })
        : await call();
      const ms = performance.now() - started;
      m?.recordRequest("success");
      m?.recordDuration(ms);
      m?.recordDecision(decision.outcome);
      if (decision.riskScore !== undefined) m?.recordRiskScore(decision.riskScore);
      for (const [model, usage] of Object.entries(decision.usage ?? {})) {
        m?.recordTokenUsage(model, usage);
      }
      return json(200, {
        request_id: requestId,
        outcome: decision.outcome,
        ...(decision.riskScore === undefined ? {} : { risk_score: decision.riskScore }),
        reasons: decision.reasons ?? [],
        agent: { name: options.agent.name, version: options.agent.version },
        duration_ms: Math.round(ms * 1000) / 1000,
      });
    } catch (err) {
      const ms = performance.now() - started;
      const timedOut = err instanceof DOMException && err.name === "TimeoutError";
      m?.recordRequest(timedOut ? "timeout" : "error");
      m?.recordDuration(ms);
      m?.recordError(timedOut ? "timeout" : "agent_exception");
      if (timedOut) throw new HttpError(504, `The agent did not answer within ${timeoutMs} ms`);
      throw err;
    }
  };

  const checkDataset = async (body: EvaluateDatasetRequest): Promise<void> => {
    const v = body.dataset_version ? ` version '${body.dataset_version}'` : "";
    const unknown = () => {
      const field = body.dataset_version ? "dataset_version" : "dataset_name";
      return new HttpError(404, `Unknown dataset '${body.dataset_name}'${v}`, [{
        code: "not_found",
        path: [field],
        message: `No dataset '${body.dataset_name}'${v} on this server`,
      }]);
    };
    if (options.inspectDataset) {
      const found = await options.inspectDataset(body.dataset_name, body.dataset_version);
      if (!found) throw unknown();
      if (!found.fields.includes(body.target_field)) {
        const fields = found.fields.map((f) => `'${f}'`).join(", ");
        throw new HttpError(400, "The request body is invalid", [{
          code: "unknown_field",
          path: ["target_field"],
          message: `Expected target_field to be a field of dataset '${body.dataset_name}' ` +
            `version '${found.version}' (${fields}) but found '${body.target_field.slice(0, 200)}'`,
        }]);
      }
    } else if (
      options.datasetExists &&
      !(await options.datasetExists(body.dataset_name, body.dataset_version))
    ) {
      throw unknown();
    }
  };

  const evaluate = async (req: Request): Promise<Response> => {
    await requireAuth(req);
    const body = validate(EvaluateDatasetRequestSchema, await readBody(req, limit, bodyTimeoutMs));
    if (!options.evaluateDataset) {
      throw new HttpError(501, "Dataset evaluation is not configured on this server");
    }
    await checkDataset(body);
    const slot = limiter.reserve();
    if (!slot) {
      throw new HttpError(
        429,
        `Too many evaluation jobs: ${maxRunning} running and ${maxQueued} queued; retry later`,
        undefined,
        { "Retry-After": String(limiter.retryAfterSeconds()) },
      );
    }
    const id = crypto.randomUUID();
    const job: EvaluationJob = {
      id,
      status: slot.queued ? "queued" : "running",
      dataset_name: body.dataset_name,
      created_at: new Date().toISOString(),
    };
    remember(jobs, id, job);
    const evaluator = options.evaluateDataset;
    if (!slot.queued) job.started_at = job.created_at;
    const work = slot.start.then(() => {
      job.status = "running";
      job.started_at ??= new Date().toISOString();
      return evaluator(body, new AbortController().signal);
    }).then(
      (r) => Object.assign(job, { status: "succeeded", run_id: r.runId, metrics: r.metrics }),
      (err) =>
        Object.assign(job, {
          status: "failed",
          // the client sees this: no credentials (e.g. from a tracking URI) in it
          error: redact(err instanceof Error ? err.message : String(err)),
        }),
    ).finally(() => {
      job.finished_at = new Date().toISOString();
      slot.release();
      running.delete(work);
    });
    running.add(work);
    if (!body.wait) return json(202, job, { Location: `/api/v1/loan/evaluations/${id}` });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), timeoutMs));
    const outcome = await Promise.race([work.then(() => "done" as const), late]);
    clearTimeout(timer);
    if (outcome === "late") return json(202, job, { Location: `/api/v1/loan/evaluations/${id}` });
    return json(job.status === "succeeded" ? 200 : 500, job);
  };

  const route = (req: Request, path: string): Promise<Response> => {
    const method = req.method.toUpperCase();
    const allow = (
      allowed: string,
      handler: () => Promise<Response> | Response,
    ): Promise<Response> => {
      if (method !== allowed) {
        throw new HttpError(405, `Method ${method} is not allowed here`, undefined, {
          Allow: allowed,
        });
      }
      return Promise.resolve(handler());
    };
    if (path === "/health") {
      return allow("GET", () =>
        json(200, {
          status: "ok",
          version,
          agent: options.agent.name,
          agent_version: options.agent.version, // read by `deno task evaluate:agent`
        }));
    }
    if (path === "/api/v1/openapi.json") {
      return allow(
        "GET",
        () => new Response(openapi, { headers: { "Content-Type": "application/json" } }),
      );
    }
    if (path === "/api/v1/loan/decision") return allow("POST", () => decide(req));
    if (path === "/api/v1/loan/evaluate_dataset") return allow("POST", () => evaluate(req));
    if (path === "/api/v1/metrics/summary") {
      return allow("GET", async () => {
        await requireAuth(req);
        return json(200, options.metrics?.getSummary() ?? {});
      });
    }
    const jobMatch = /^\/api\/v1\/loan\/evaluations\/([^/]+)$/.exec(path);
    if (jobMatch) {
      return allow("GET", async () => {
        await requireAuth(req);
        const job = jobs.get(decodeSegment(jobMatch[1]!, "evaluation id"));
        if (!job) throw new HttpError(404, "Unknown evaluation job");
        return json(200, job);
      });
    }
    throw new HttpError(404, "Not found");
  };

  return {
    jobs,
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async fetch(req: Request): Promise<Response> {
      const started = performance.now();
      let path = "/";
      try {
        path = new URL(req.url).pathname;
      } catch {
        // keep "/"
      }
      let res: Response;
      let error: string | undefined;
      try {
        res = await route(req, path);
      } catch (err) {
        if (err instanceof HttpError) {
          res = json(err.status, {
            error: err.message,
            ...(err.issues ? { issues: err.issues } : {}),
          }, err.headers);
        } else if (err instanceof ClientDisconnected) {
          // Nobody is left to read an answer; log it as what it is, not as a server error.
          error = "client_disconnected";
          res = json(499, { error: "Client disconnected" });
        } else {
          error = err instanceof Error ? err.name : "Error";
          res = json(500, { error: "Internal error" });
        }
        if (req.body && !req.bodyUsed) await req.body.cancel().catch(() => {});
      }
      options.log?.({
        method: req.method,
        path,
        status: res.status,
        ms: performance.now() - started,
        ...(error ? { error } : {}),
      });
      return res;
    },
  };
}
