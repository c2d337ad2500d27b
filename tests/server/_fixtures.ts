/** Shared pieces of the Loan Agent API tests. */
import type { RuntimeMetricsSink, ServedAgent } from "../../lib/server/mod.ts";

/** Two valid tokens (rotation) and one that is not accepted. */
export const TOKENS = ["token-current-0123456789abcdef", "token-previous-0123456789abcdef"];
export const WRONG_TOKEN = "token-wrong-0123456789abcdefgh";

/** A valid application with the shipped datasets' fields. */
export function application(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    request_id: "req-1",
    applicant_name: "Jane Roe",
    age: 41,
    annual_income: 85_000,
    credit_score: 720,
    loan_amount: 20_000,
    loan_term_months: 36,
    debt_to_income: 0.25,
    employment_years: 6,
    loan_purpose: "home_improvement",
    home_ownership: "mortgage",
    ...overrides,
  };
}

/** A test agent with a fixed rule (credit score ≥ 650 approves) and an optional delay. */
export function ruleAgent(delayMs = 0): ServedAgent {
  return {
    name: "rule_agent",
    version: "1.0.0",
    async decide(req, options) {
      if (delayMs > 0) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(resolve, delayMs);
          options?.signal?.addEventListener("abort", () => {
            clearTimeout(t);
            reject(options.signal!.reason);
          }, { once: true });
        });
      }
      const score = Number(req.credit_score);
      return {
        outcome: score >= 650 ? "approve" : "reject",
        riskScore: (850 - score) / 550,
        reasons: [score >= 650 ? "credit score at or above 650" : "credit score below 650"],
      };
    },
  };
}

/** A metrics sink that keeps what it was told, to check the API reports every decision. */
export class RecordingSink implements RuntimeMetricsSink {
  requests: string[] = [];
  durations: number[] = [];
  errors: string[] = [];
  risks: number[] = [];
  decisions: string[] = [];
  tokens: string[] = [];
  recordRequest(status: string): void {
    this.requests.push(status);
  }
  recordDuration(ms: number): void {
    this.durations.push(ms);
  }
  recordError(type: string): void {
    this.errors.push(type);
  }
  recordRiskScore(score: number): void {
    this.risks.push(score);
  }
  recordDecision(outcome: string): void {
    this.decisions.push(outcome);
  }
  recordTokenUsage(model: string): void {
    this.tokens.push(model);
  }
  getSummary(): unknown {
    return { requests: this.requests.length, decisions: this.decisions };
  }
}
