import { z } from "zod";
import { DATASET_NAME_PATTERN, DATASET_VERSION_PATTERN } from "../datasets/names.ts";
import { loanApprovalSchema } from "../datasets/loan.ts";
import { columnZodType } from "../datasets/schema.ts";

/** A loan application as the decision endpoint accepts it. */
export interface LoanApplication {
  /** Caller's id; generated when absent. */
  request_id?: string;
  /** Personal data: never logged. */
  applicant_name?: string;
  /** Age in years, 18–120. */
  age: number;
  /** Annual income in USD. */
  annual_income: number;
  /** Credit score, 300–850. */
  credit_score: number;
  /** Requested amount in USD. */
  loan_amount: number;
  /** Term in months. */
  loan_term_months: number;
  /** Debt-to-income ratio. */
  debt_to_income: number;
  /** Years in employment. */
  employment_years: number;
  /** Purpose category. */
  loan_purpose: string;
  /** Home ownership category. */
  home_ownership?: string;
}

/** The decision endpoint's answer. */
export interface DecisionResponse {
  /** The request id (the caller's or a generated one). */
  request_id: string;
  /** The decided outcome, e.g. `approve`. */
  outcome: string;
  /** Risk in [0, 1] when the agent gives one. */
  risk_score?: number;
  /** Why. */
  reasons: string[];
  /** Which agent decided. */
  agent: { name: string; version: string };
  /** Time the agent took, in ms. */
  duration_ms: number;
}

/** The evaluate_dataset request, with defaults applied. */
export interface EvaluateDatasetRequest {
  /** A shipped dataset's name. */
  dataset_name: string;
  /** A version; the latest when absent. */
  dataset_version?: string;
  /** Label column. Default `expected_outcome`. */
  target_field: string;
  /** Calls in flight. Default 8. */
  concurrency: number;
  /** MLflow run name. */
  run_name?: string;
  /** Wait for the result (true, default) or answer 202 with a job id. */
  wait: boolean;
}

/** An evaluation job's state. */
export interface EvaluationJob {
  /** Job id. */
  id: string;
  /** Where it is. */
  status: "queued" | "running" | "succeeded" | "failed";
  /** The dataset evaluated. */
  dataset_name: string;
  /** ISO time it was created. */
  created_at: string;
  /** ISO time it started running (after waiting in the queue, if it did). */
  started_at?: string;
  /** ISO time it finished. */
  finished_at?: string;
  /** MLflow run id once recorded. */
  run_id?: string;
  /** Metrics once finished. */
  metrics?: Record<string, number>;
  /** What went wrong, when failed. */
  error?: string;
}

/** A problem with a request. */
export interface ErrorResponse {
  /** Message. */
  error: string;
  /** Validation issues. */
  issues?: { code: string; path: (string | number)[]; message: string }[];
}

/** One field of the loan dataset schema, as zod: the same ranges and allowed values. */
function loanField(name: string): z.ZodType {
  const col = loanApprovalSchema.columns.find((c) => c.name === name);
  if (!col) throw new TypeError(`loanApprovalSchema has no column ${name}`);
  return columnZodType(col);
}

/**
 * A loan application as the decision endpoint accepts it (snake_case, as the shipped datasets).
 * Unknown fields are refused. Every application field comes from the loan dataset schema
 * (`loanApprovalSchema` in lib/datasets/loan.ts: ranges and allowed values), so the API and
 * `datasets validate --schema loan` refuse the same values; only the caller's `request_id`
 * and `applicant_name` carry API-only length limits, and `home_ownership` is optional.
 *
 * @example
 * ```ts
 * import { LoanApplicationSchema } from "./schemas.ts";
 * const app = {
 *   age: 41, annual_income: 85000, credit_score: 720, loan_amount: 20000, loan_term_months: 36,
 *   debt_to_income: 0.25, employment_years: 6, loan_purpose: "auto",
 * };
 * if (!LoanApplicationSchema.safeParse(app).success) throw new Error("valid");
 * if (LoanApplicationSchema.safeParse({ ...app, credit_score: 900 }).success) throw new Error("range");
 * ```
 */
export const LoanApplicationSchema: z.ZodType<LoanApplication> = z.object({
  request_id: z.string().min(1).max(200).optional().describe("Caller's id; generated when absent"),
  applicant_name: z.string().max(500).optional().describe("Personal data: never logged"),
  age: loanField("age"),
  annual_income: loanField("annual_income"),
  credit_score: loanField("credit_score"),
  loan_amount: loanField("loan_amount"),
  loan_term_months: loanField("loan_term_months"),
  debt_to_income: loanField("debt_to_income"),
  employment_years: loanField("employment_years"),
  loan_purpose: loanField("loan_purpose"),
  home_ownership: loanField("home_ownership").optional(),
}).strict() as unknown as z.ZodType<LoanApplication>;

/**
 * The decision endpoint's answer.
 *
 * @example
 * ```ts
 * import { DecisionResponseSchema } from "./schemas.ts";
 * const ok = DecisionResponseSchema.safeParse({
 *   request_id: "r1", outcome: "approve", risk_score: 0.2, reasons: [],
 *   agent: { name: "loan_approval", version: "1.0.0" }, duration_ms: 0.4,
 * });
 * if (!ok.success) throw new Error("valid");
 * ```
 */
export const DecisionResponseSchema: z.ZodType<DecisionResponse> = z.object({
  request_id: z.string(),
  outcome: z.string(),
  risk_score: z.number().optional(),
  reasons: z.array(z.string()),
  agent: z.object({ name: z.string(), version: z.string() }),
  duration_ms: z.number(),
});

/**
 * Dataset names, as the datasets module allows them (`DATASET_NAME_PATTERN`): lowercase
 * letters, digits, `_` and `-`, starting with a letter, so never a path.
 *
 * @example
 * ```ts
 * import { DatasetNameSchema } from "./schemas.ts";
 * if (!DatasetNameSchema.safeParse("loan_approval_test_set").success) throw new Error("valid");
 * if (DatasetNameSchema.safeParse("../../etc/passwd").success) throw new Error("a path");
 * ```
 */
export const DatasetNameSchema: z.ZodType<string> = z.string().regex(
  DATASET_NAME_PATTERN,
  "must be 1–100 lowercase letters, digits, '_' or '-', starting with a letter (no path separators)",
);

/**
 * The body of `POST /api/v1/loan/evaluate_dataset`, as in the guide plus options; defaults
 * are applied when parsing.
 *
 * @example
 * ```ts
 * import { EvaluateDatasetRequestSchema } from "./schemas.ts";
 * const req = EvaluateDatasetRequestSchema.parse({ dataset_name: "loan_approval_test_set" });
 * if (req.target_field !== "expected_outcome" || req.concurrency !== 8 || !req.wait) {
 *   throw new Error("defaults");
 * }
 * ```
 */
export const EvaluateDatasetRequestSchema: z.ZodType<EvaluateDatasetRequest> = z.object({
  dataset_name: DatasetNameSchema,
  // A regex, not a refinement: JSON Schema (the OpenAPI document) can carry it.
  dataset_version: z.string().max(100).regex(
    DATASET_VERSION_PATTERN,
    "must be semver like 1.0.0 or a date like 2025.10 or 2025-10-31",
  ).optional(),
  target_field: z.string().min(1).max(200).default("expected_outcome"),
  concurrency: z.number().int().min(1).max(256).default(8),
  run_name: z.string().min(1).max(250).optional(),
  wait: z.boolean().default(true).describe(
    "Wait for the result (true) or answer 202 with a job id (false)",
  ),
}).strict();

/**
 * An evaluation job's state.
 *
 * @example
 * ```ts
 * import { EvaluationJobSchema } from "./schemas.ts";
 * const job = { id: "j1", status: "running", dataset_name: "x", created_at: new Date().toISOString() };
 * if (!EvaluationJobSchema.safeParse(job).success) throw new Error("valid");
 * if (EvaluationJobSchema.safeParse({ ...job, status: "paused" }).success) throw new Error("status");
 * ```
 */
export const EvaluationJobSchema: z.ZodType<EvaluationJob> = z.object({
  id: z.string(),
  status: z.enum(["queued", "running", "succeeded", "failed"]),
  dataset_name: z.string(),
  created_at: z.string(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  run_id: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  error: z.string().optional(),
});

/**
 * A problem with a request: a message and, for validation errors, the issues.
 *
 * @example
 * ```ts
 * import { ErrorResponseSchema } from "./schemas.ts";
 * const body = { error: "Invalid request", issues: [{ code: "too_big", path: ["credit_score"], message: "≤ 850" }] };
 * if (!ErrorResponseSchema.safeParse(body).success) throw new Error("valid");
 * ```
 */
export const ErrorResponseSchema: z.ZodType<ErrorResponse> = z.object({
  error: z.string(),
  issues: z.array(
    z.object({
      code: z.string(),
      path: z.array(z.union([z.string(), z.number()])),
      message: z.string(),
    }),
  )
    .optional(),
});
