/**
 * An adapter that makes any HTTP agent service (the Loan Agent API, a model-serving endpoint,
 * your own service) an {@link Agent}: POST JSON with an auth header and a timeout, field
 * mapping both ways, token usage read from the response, and failures classified for the
 * evaluator's retries and 429 back-off.
 *
 * @module
 */
import { redact } from "../_internal/errors.ts";
import { isRetriableStatus, parseRetryAfter } from "../_internal/retry.ts";
import { currentSpan, formatTraceparent } from "../tracing/mod.ts";
import {
  type Agent,
  type AgentDecision,
  AgentError,
  type DecideOptions,
  type TokenUsage,
} from "../evaluation/agent.ts";

/** How the adapter authenticates. */
export type HttpAgentAuth =
  | { type: "bearer"; token: string }
  | { type: "basic"; username: string; password: string }
  | { type: "header"; name: string; value: string };

/** Where the decision's fields are in the response JSON (dotted paths, numbers index arrays). */
export interface HttpAgentResponseMapping {
  /** Path of the outcome. Default `outcome` (also tried: `decision`, `prediction`). */
  outcome?: string;
  /** Path of the risk score. Default `risk_score` (also tried: `riskScore`). */
  riskScore?: string;
  /** Path of the reasons. Default `reasons`. */
  reasons?: string;
  /** Path of the token usage. Default `usage`. */
  usage?: string;
  /** Path of the model name for a single-model usage object. Default `model`. */
  model?: string;
}

/** Options of {@link HttpAgent}. */
export interface HttpAgentOptions {
  /** The URL to POST each request to. */
  url: string;
  /** Agent name for the record. Default `http_agent`. */
  name?: string;
  /** Agent version for the record. Default `unknown`. */
  version?: string;
  /** Authentication header. Default none. */
  auth?: HttpAgentAuth;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Timeout of one call in ms (the evaluator's own timeout also applies). Default 30000. */
  timeoutMs?: number;
  /**
   * Request field renames, dataset field → body field (unlisted fields are sent as is), or a
   * function building the body.
   */
  requestMapping?: Record<string, string> | ((request: Record<string, unknown>) => unknown);
  /** `json` sends the (mapped) request object; `dataframe_records` wraps it as MLflow model serving expects. Default `json`. */
  bodyFormat?: "json" | "dataframe_records";
  /** Where the decision is in the response. For model serving use `{ outcome: "predictions.0" }`. */
  responseMapping?: HttpAgentResponseMapping;
}

/** Reads a dotted path (`predictions.0.label`) from JSON. */
function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function toInt(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** One usage object in either OpenAI (`prompt_tokens`) or Anthropic/our (`input_tokens`) style. */
function oneUsage(u: Record<string, unknown>): TokenUsage | undefined {
  const input = u.input_tokens ?? u.inputTokens ?? u.prompt_tokens;
  const output = u.output_tokens ?? u.outputTokens ?? u.completion_tokens;
  if (input === undefined && output === undefined) return undefined;
  const details = u.prompt_tokens_details as Record<string, unknown> | undefined;
  const cached = u.cached_input_tokens ?? u.cachedInputTokens ?? u.cache_read_input_tokens ??
    details?.cached_tokens;
  const usage: TokenUsage = { inputTokens: toInt(input), outputTokens: toInt(output) };
  if (cached !== undefined) {
    usage.cachedInputTokens = toInt(cached);
    // OpenAI counts cached tokens inside prompt_tokens; bill them once, at the cached price.
    if (u.prompt_tokens !== undefined) {
      usage.inputTokens = Math.max(0, usage.inputTokens - usage.cachedInputTokens);
    }
  }
  return usage;
}

/**
 * Normalises `usage`: one object for a single model (`input_tokens`/`output_tokens`, or
 * OpenAI's `prompt_tokens`/`completion_tokens`), or a map model → usage.
 *
 * @example
 * ```ts
 * import { parseUsage } from "./http_agent.ts";
 * const u = parseUsage({ prompt_tokens: 10, completion_tokens: 2 }, "gpt-4o-mini");
 * if (u?.["gpt-4o-mini"]?.inputTokens !== 10) throw new Error("unexpected");
 * ```
 */
export function parseUsage(
  usage: unknown,
  model: string | undefined,
): Record<string, TokenUsage> | undefined {
  if (usage === null || typeof usage !== "object") return undefined;
  const single = oneUsage(usage as Record<string, unknown>);
  if (single) return { [model ?? "default"]: single };
  const out: Record<string, TokenUsage> = {};
  for (const [name, u] of Object.entries(usage as Record<string, unknown>)) {
    if (u !== null && typeof u === "object") {
      const parsed = oneUsage(u as Record<string, unknown>);
      if (parsed) out[name] = parsed;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * An agent reached over HTTP. Each `decide()` POSTs the mapped request as JSON and reads the
 * decision back. A 429 becomes a retryable `rate_limited` {@link AgentError} carrying
 * `Retry-After`; 408/5xx and network errors are retryable `agent_exception`s; a timeout is a
 * `timeout`; an unreadable body or missing outcome is `invalid_output`. Credentials never
 * appear in error messages.
 *
 * @example
 * ```ts ignore
 * import { HttpAgent } from "@evalkit/evalkit/agents";
 * const agent = new HttpAgent({
 *   url: "http://127.0.0.1:8080/v1/decide",
 *   auth: { type: "bearer", token: Deno.env.get("LOAN_AGENT_TOKEN")! },
 *   timeoutMs: 5000,
 *   responseMapping: { outcome: "decision", riskScore: "risk_score" },
 * });
 * const d = await agent.decide({ credit_score: 700, annual_income: 85000 });
 * console.log(d.outcome, d.usage);
 * ```
 */
export class HttpAgent implements Agent {
  /** Agent name. */
  readonly name: string;
  /** Agent version. */
  readonly version: string;
  /** URL, timeout and mappings (never the credentials), logged as run params. */
  readonly config: Record<string, unknown>;
  readonly #opts: HttpAgentOptions;
  readonly #headers: Headers;

  /** Creates the adapter. Throws `TypeError` on an invalid URL. */
  constructor(options: HttpAgentOptions) {
    const url = new URL(options.url); // throws TypeError on a bad URL
    this.#opts = options;
    this.name = options.name ?? "http_agent";
    this.version = options.version ?? "unknown";
    this.config = {
      url: `${url.origin}${url.pathname}`,
      timeout_ms: options.timeoutMs ?? 30000,
      body_format: options.bodyFormat ?? "json",
      ...(typeof options.requestMapping === "object"
        ? { request_mapping: options.requestMapping }
        : {}),
      ...(options.responseMapping ? { response_mapping: options.responseMapping } : {}),
    };
    const h = new Headers(options.headers);
    h.set("content-type", "application/json");
    h.set("accept", "application/json");
    const auth = options.auth;
    if (auth?.type === "bearer") h.set("authorization", `Bearer ${auth.token}`);
    else if (auth?.type === "basic") {
      h.set("authorization", `Basic ${btoa(`${auth.username}:${auth.password}`)}`);
    } else if (auth?.type === "header") h.set(auth.name, auth.value);
    this.#headers = h;
  }

  #body(request: Record<string, unknown>): unknown {
    const m = this.#opts.requestMapping;
    let body: unknown = request;
    if (typeof m === "function") body = m(request);
    else if (m) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(request)) out[m[k] ?? k] = v;
      body = out;
    }
    return this.#opts.bodyFormat === "dataframe_records" ? { dataframe_records: [body] } : body;
  }

  /** POSTs one request and returns the decision. */
  async decide(
    request: Record<string, unknown>,
    options: DecideOptions = {},
  ): Promise<AgentDecision> {
    const timeoutMs = this.#opts.timeoutMs ?? 30000;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const signal = options.signal
      ? AbortSignal.any([options.signal, timeout.signal])
      : timeout.signal;
    const where = this.config.url as string;
    let res: Response;
    try {
      // Inside a trace, W3C traceparent: the service's spans join the caller's trace.
      const traceparent = formatTraceparent(currentSpan());
      let headers = this.#headers;
      if (traceparent) (headers = new Headers(headers)).set("traceparent", traceparent);
      res = await fetch(this.#opts.url, {
        method: "POST",
        headers,
        body: JSON.stringify(this.#body(request)),
        signal,
      });
    } catch (e) {
      clearTimeout(timer);
      if (options.signal?.aborted) throw options.signal.reason ?? e;
      if (timeout.signal.aborted) {
        throw new AgentError(`POST ${where} timed out after ${timeoutMs} ms`, { kind: "timeout" });
      }
      throw new AgentError(`POST ${where} failed: ${redact(String((e as Error).message ?? e))}`, {
        kind: "agent_exception",
        retryable: true,
      }, { cause: e });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      clearTimeout(timer);
      if (options.signal?.aborted) throw options.signal.reason ?? e;
      if (timeout.signal.aborted) {
        throw new AgentError(`POST ${where} timed out after ${timeoutMs} ms`, { kind: "timeout" });
      }
      throw new AgentError(`POST ${where}: reading the body failed`, {
        kind: "agent_exception",
        retryable: true,
      }, { cause: e });
    }
    clearTimeout(timer);
    if (!res.ok) {
      const snippet = redact(text.slice(0, 200));
      const status = res.status;
      if (status === 429) {
        const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
        throw new AgentError(`POST ${where} answered HTTP 429 (rate limited): ${snippet}`, {
          kind: "rate_limited",
          retryable: true,
          status,
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
      }
      throw new AgentError(`POST ${where} answered HTTP ${status}: ${snippet}`, {
        kind: "agent_exception",
        retryable: isRetriableStatus(status),
        status,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AgentError(
        `POST ${where} answered a body that is not JSON: ${redact(text.slice(0, 100))}`,
        {
          kind: "invalid_output",
        },
      );
    }
    return this.#decision(json);
  }

  #decision(json: unknown): AgentDecision {
    const m = this.#opts.responseMapping ?? {};
    const pick = (paths: string[]) => {
      for (const p of paths) {
        const v = at(json, p);
        if (v !== undefined) return v;
      }
      return undefined;
    };
    let outcome = pick(m.outcome ? [m.outcome] : ["outcome", "decision", "prediction"]);
    if (typeof outcome === "boolean" || typeof outcome === "number") outcome = String(outcome);
    if (typeof outcome !== "string" || outcome === "") {
      throw new AgentError(
        `Expected the response to hold the outcome at '${m.outcome ?? "outcome"}' but found ${
          JSON.stringify(outcome) ?? "nothing"
        }`,
        { kind: "invalid_output" },
      );
    }
    const decision: AgentDecision = { outcome };
    const risk = pick(m.riskScore ? [m.riskScore] : ["risk_score", "riskScore"]);
    if (typeof risk === "number") decision.riskScore = risk;
    const reasons = at(json, m.reasons ?? "reasons");
    if (Array.isArray(reasons)) decision.reasons = reasons.map(String);
    const model = at(json, m.model ?? "model");
    const usage = parseUsage(
      at(json, m.usage ?? "usage"),
      typeof model === "string" ? model : undefined,
    );
    if (usage) decision.usage = usage;
    return decision;
  }
}
