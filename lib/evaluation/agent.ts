/**
 * The contract between an agent and the evaluator. It lives in lib/evaluation (layer 3) so the
 * evaluator can run any agent without importing lib/agents (layer 4), which re-exports it.
 *
 * @module
 */

import type { TokenUsage } from "../_internal/cost.ts";
export type { TokenUsage };

/** What an agent answers for one request. */
export interface AgentDecision {
  /** The decided class, e.g. `"approve"` or `"reject"`. */
  outcome: string;
  /** Risk in [0, 1], higher = riskier; used as the score of the positive label for ROC/PR AUC. */
  riskScore?: number;
  /** Human readable reasons for the outcome. */
  reasons?: string[];
  /** Token usage per model name, e.g. `{ "gpt-4o-mini": { inputTokens: 812, outputTokens: 40 } }`. */
  usage?: Record<string, TokenUsage>;
}

/** Per-call options an evaluator passes to {@link Agent.decide}. */
export interface DecideOptions {
  /** Aborted when the call times out or the run is cancelled. */
  signal?: AbortSignal;
}

/** Anything that turns a request into a decision: a rules engine, an LLM agent, an HTTP service. */
export interface Agent {
  /** Agent name, e.g. `loan_approval`. */
  readonly name: string;
  /** Version of the agent's logic or configuration, e.g. `1.2.0`. */
  readonly version: string;
  /** The configuration that determines its behaviour (logged as run params). */
  readonly config: Record<string, unknown>;
  /** Decides one request. Should honour `options.signal`. */
  decide(request: Record<string, unknown>, options?: DecideOptions): Promise<AgentDecision>;
}

/** Why a call failed, as the evaluator counts it. */
export type AgentErrorKind = "timeout" | "agent_exception" | "invalid_output" | "rate_limited";

/** Details of an {@link AgentError}. */
export interface AgentErrorInit {
  /** What kind of failure it was. */
  kind: AgentErrorKind;
  /** Whether retrying the same request may succeed (network errors, 5xx, 429, timeouts). */
  retryable?: boolean;
  /** How long the agent asked us to wait (HTTP `Retry-After`), in ms. */
  retryAfterMs?: number;
  /** HTTP status when the agent is remote. */
  status?: number;
}

/**
 * A failed agent call, classified so the runner can retry it, back off, or count it by type.
 * Agents may throw it; anything else they throw counts as `agent_exception` and is not retried.
 *
 * @example
 * ```ts
 * import { AgentError } from "@evalkit/evalkit/evaluation";
 * const err = new AgentError("HTTP 429 from agent", { kind: "rate_limited", retryable: true, retryAfterMs: 1000 });
 * if (!err.retryable || err.kind !== "rate_limited") throw new Error("unexpected");
 * ```
 */
export class AgentError extends Error {
  /** What kind of failure it was. */
  readonly kind: AgentErrorKind;
  /** Whether a retry may succeed. */
  readonly retryable: boolean;
  /** Requested wait before retrying, in ms. */
  readonly retryAfterMs?: number;
  /** HTTP status, when remote. */
  readonly status?: number;
  /** Creates the error. */
  constructor(message: string, init: AgentErrorInit, options?: ErrorOptions) {
    super(message, options);
    this.name = "AgentError";
    this.kind = init.kind;
    this.retryable = init.retryable ?? (init.kind === "rate_limited" || init.kind === "timeout");
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.status !== undefined) this.status = init.status;
  }
}
