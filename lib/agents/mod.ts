/**
 * Agents: the {@link Agent} interface, the reference `loan_approval` agent with its versioned
 * thresholds, and {@link HttpAgent} for any agent reachable over HTTP.
 *
 * @example
 * ```ts
 * import { LoanApprovalAgent } from "@evalkit/evalkit/agents";
 * const agent = new LoanApprovalAgent();
 * console.log(agent.name, agent.version);
 * ```
 *
 * @module
 */
export { AgentError } from "../evaluation/agent.ts";
export type {
  Agent,
  AgentDecision,
  AgentErrorInit,
  AgentErrorKind,
  DecideOptions,
  TokenUsage,
} from "../evaluation/agent.ts";
export { LOAN_APPROVAL_CONFIG, LoanApprovalAgent } from "./loan_approval_agent.ts";
export type { LoanApprovalConfig } from "./loan_approval_agent.ts";
export { HttpAgent } from "./http_agent.ts";
export { connectAgentService, serviceAgentVersion } from "./service_agent.ts";
export type { HttpAgentAuth, HttpAgentOptions, HttpAgentResponseMapping } from "./http_agent.ts";
