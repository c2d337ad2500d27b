import { z } from "zod";

/** A loan application as the decision endpoint accepts it (snake_case, as the shipped datasets). */
export const LoanApplicationSchema = z.object({
  request_id: z.string().min(1).max(200).optional().describe("Caller's id; generated when absent"),
  applicant_name: z.string().max(500).optional().describe("Personal data: never logged"),
  age: z.number().int().min(18).max(120),
  annual_income: z.number().finite().min(0).max(1e9),
  credit_score: z.number().int().min(300).max(850),
  loan_amount: z.number().finite().positive().max(1e9),
  loan_term_months: z.number().int().min(1).max(600),
  debt_to_income: z.number().finite().min(0).max(10),
  employment_years: z.number().finite().min(0).max(80),
  loan_purpose: z.string().min(1).max(100),
  home_ownership: z.string().min(1).max(100).optional(),
}).strict();

/** The decision endpoint's answer. */
export const DecisionResponseSchema = z.object({
  request_id: z.string(),
  outcome: z.string(),
  risk_score: z.number().optional(),
  reasons: z.array(z.string()),
  agent: z.object({ name: z.string(), version: z.string() }),
  duration_ms: z.number(),
});

/** Dataset names: a plain name, no path separators or dots leading out of the datasets folder. */
export const DatasetNameSchema = z.string().min(1).max(200).regex(
  /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
  "must be a plain name of letters, digits, '_', '-' and '.', without path separators",
).refine((s) => !s.includes(".."), "must not contain '..'");

/** The body of `POST /api/v1/loan/evaluate_dataset`, as in the guide plus options. */
export const EvaluateDatasetRequestSchema = z.object({
  dataset_name: DatasetNameSchema,
  dataset_version: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/).optional(),
  target_field: z.string().min(1).max(200).default("expected_outcome"),
  concurrency: z.number().int().min(1).max(256).default(8),
  run_name: z.string().min(1).max(250).optional(),
  wait: z.boolean().default(true).describe(
    "Wait for the result (true) or answer 202 with a job id (false)",
  ),
}).strict();

/** An evaluation job's state. */
export const EvaluationJobSchema = z.object({
  id: z.string(),
  status: z.enum(["queued", "running", "succeeded", "failed"]),
  dataset_name: z.string(),
  created_at: z.string(),
  finished_at: z.string().optional(),
  run_id: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  error: z.string().optional(),
});

/** A problem with a request. */
export const ErrorResponseSchema = z.object({
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

/** The loan application type. */
export type LoanApplication = z.infer<typeof LoanApplicationSchema>;
/** The evaluate_dataset request type (defaults applied). */
export type EvaluateDatasetRequest = z.infer<typeof EvaluateDatasetRequestSchema>;
/** An evaluation job. */
export type EvaluationJob = z.infer<typeof EvaluationJobSchema>;
