/**
 * The reference `loan_approval` agent: deterministic underwriting rules whose thresholds are
 * its versioned configuration.
 *
 * @module
 */
import { failedLoanRules, LOAN_RULES, type LoanRule } from "../datasets/loan.ts";
import type { Agent, AgentDecision, DecideOptions } from "../evaluation/agent.ts";

/** Underwriting thresholds of the loan agent. Changing one is a new config version. */
export interface LoanApprovalConfig {
  /** Version of this configuration (semver); logged with every evaluation. */
  version: string;
  /** Reject below this credit score. */
  minCreditScore: number;
  /** Reject above this debt-to-income ratio. */
  maxDebtToIncome: number;
  /** Reject when the loan amount exceeds this multiple of annual income. */
  maxLoanToIncome: number;
  /** With less than this many years employed… */
  minEmploymentYears: number;
  /** …reject unless the credit score is at least this. */
  shortEmploymentMinCreditScore: number;
}

/**
 * Version 1.0.0 of the thresholds: the documented underwriting rules the shipped
 * `loan_approval_test_set` is labelled with (docs/datasets.md): reject when
 * credit_score < 580, debt_to_income > 0.45, loan_amount > 0.6 × annual_income, or
 * employment_years < 1 with credit_score < 680.
 *
 * @example
 * ```ts
 * import { LOAN_APPROVAL_CONFIG } from "@evalkit/evalkit/agents";
 * if (LOAN_APPROVAL_CONFIG.minCreditScore !== 580) throw new Error("unexpected");
 * ```
 */
export const LOAN_APPROVAL_CONFIG: Readonly<LoanApprovalConfig> = Object.freeze({
  version: "1.0.0",
  ...LOAN_RULES,
});

function num(request: Record<string, unknown>, field: string): number {
  const v = request[field];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new TypeError(`Expected ${field} to be a finite number but found ${JSON.stringify(v)}`);
  }
  return v;
}

/** How close `value` is to `limit` from the safe side: 0 = `span` or more away, 1 = at or past it. */
function closeness(value: number, limit: number, span: number, higherIsRiskier: boolean): number {
  const d = higherIsRiskier ? (value - (limit - span)) / span : ((limit + span) - value) / span;
  return Math.min(1, Math.max(0, d));
}

/**
 * The reference loan agent: deterministic rules, one reason per failed rule, and a risk score
 * in [0, 1] (higher = riskier): below 0.5 for approvals — the closer an application is to a
 * limit, the higher — and 0.5 or more for rejections, growing with the number of failed rules.
 *
 * @example
 * ```ts
 * import { LoanApprovalAgent } from "@evalkit/evalkit/agents";
 * const agent = new LoanApprovalAgent();
 * const d = await agent.decide({
 *   annual_income: 85000, credit_score: 550, loan_amount: 20000,
 *   debt_to_income: 0.2, employment_years: 6,
 * });
 * if (d.outcome !== "reject" || !d.reasons?.[0]?.includes("credit_score")) throw new Error("unexpected");
 * ```
 */
export class LoanApprovalAgent implements Agent {
  /** Always `loan_approval`. */
  readonly name = "loan_approval";
  /** The configuration's version. */
  readonly version: string;
  /** The thresholds as plain data (logged as run params). */
  readonly config: Record<string, unknown>;
  readonly #c: LoanApprovalConfig;

  /** Creates the agent; `overrides` replace single thresholds (give them a new `version`). */
  constructor(overrides: Partial<LoanApprovalConfig> = {}) {
    this.#c = { ...LOAN_APPROVAL_CONFIG, ...overrides };
    this.version = this.#c.version;
    this.config = { ...this.#c };
  }

  /** Decides one application (snake_case loan fields). Rejects with a `TypeError` on a missing field. */
  decide(request: Record<string, unknown>, _options?: DecideOptions): Promise<AgentDecision> {
    try {
      return Promise.resolve(this.decideSync(request));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The same decision, synchronously (rules only, no I/O). */
  decideSync(request: Record<string, unknown>): AgentDecision {
    const c = this.#c;
    const income = num(request, "annual_income");
    const score = num(request, "credit_score");
    const amount = num(request, "loan_amount");
    const dti = num(request, "debt_to_income");
    const years = num(request, "employment_years");
    const lti = income > 0 ? amount / income : Infinity;
    const reasonOf: Record<LoanRule, () => string> = {
      minCreditScore: () => `credit_score ${score} < ${c.minCreditScore}`,
      maxDebtToIncome: () => `debt_to_income ${dti} > ${c.maxDebtToIncome}`,
      maxLoanToIncome: () => `loan_amount/annual_income ${lti.toFixed(3)} > ${c.maxLoanToIncome}`,
      shortEmploymentMinCreditScore: () =>
        `employment_years ${years} < ${c.minEmploymentYears} with credit_score ${score} < ${c.shortEmploymentMinCreditScore}`,
    };
    const reasons = failedLoanRules({
      creditScore: score,
      debtToIncome: dti,
      loanAmount: amount,
      annualIncome: income,
      employmentYears: years,
    }, c).map((rule) => reasonOf[rule]());
    // How close each signal is to its limit: 0 = far on the safe side, 1 = at or past it.
    const margins = [
      closeness(score, c.minCreditScore, 150, false),
      closeness(dti, c.maxDebtToIncome, 0.25, true),
      closeness(lti, c.maxLoanToIncome, 0.4, true),
      years < c.minEmploymentYears
        ? closeness(score, c.shortEmploymentMinCreditScore, 100, false)
        : 0,
    ];
    const mean = margins.reduce((a, b) => a + b, 0) / margins.length;
    const base = 0.7 * Math.max(...margins) + 0.3 * mean; // in [0, 1]
    if (reasons.length === 0) {
      return { outcome: "approve", riskScore: round6(0.49 * base), reasons: [PASSED] };
    }
    const extra = Math.min(1, (reasons.length - 1) / 3);
    return { outcome: "reject", riskScore: round6(0.5 + 0.25 * base + 0.25 * extra), reasons };
  }
}

const PASSED = "all rules passed";

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
