/**
 * The Loan Agent API: loan decisions, dataset evaluations recorded in MLflow, the runtime
 * metrics summary, health and an OpenAPI 3.1 document — a web-standard fetch handler with
 * bearer-token auth, validation and limits, plus a `Deno.serve` wrapper with graceful shutdown.
 *
 * @example
 * ```ts
 * import { createLoanAgentApp, TokenSet } from "@evalkit/evalkit/server";
 * const app = createLoanAgentApp({
 *   agent: { name: "demo", version: "1", decide: () => Promise.resolve({ outcome: "approve" }) },
 *   tokens: await TokenSet.from(["a-very-long-secret-token"]),
 * });
 * const res = await app.fetch(new Request("http://x/api/v1/loan/decision", { method: "POST" }));
 * if (res.status !== 401) throw new Error("expected 401 without a token");
 * await res.body?.cancel();
 * ```
 *
 * @module
 */
export { createLoanAgentApp } from "./app.ts";
export type {
  AccessLogEntry,
  DatasetDescription,
  DatasetEvaluator,
  LoanAgentApp,
  LoanAgentAppOptions,
  RuntimeMetricsSink,
  ServedAgent,
  ServedTokenUsage,
} from "./app.ts";
export { readTokensFile, TokenSet } from "./auth.ts";
export { openApiDocument } from "./openapi.ts";
export { serveLoanAgent } from "./serve.ts";
export type { ServeOptions, ServingLoanAgent } from "./serve.ts";
export type {
  DecisionResponse,
  ErrorResponse,
  EvaluateDatasetRequest,
  EvaluationJob,
  LoanApplication,
} from "./schemas.ts";
