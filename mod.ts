/**
 * evalkit: evaluate and monitor AI agents from TypeScript, with every result recorded in
 * MLflow (an open-source MLflow 3.x server, Databricks, or the embedded local store).
 *
 * The root module re-exports the library's layers (each module's `mod.ts` lists its API by
 * name); the service, Databricks, notebook and testing helpers have their own exports
 * (`@evalkit/evalkit/server`, `/databricks`, `/notebook`, `/testing`), and every part can be
 * imported alone (`/mlflow`, `/datasets`, `/tracking`, `/evaluation`, `/drift`, `/stats`,
 * `/report`, `/agents`). Heavy optional backends (danfojs: `@evalkit/evalkit/danfo`) are never
 * loaded from here.
 *
 * @example Evaluate the built-in agent on the shipped test set
 * ```ts ignore
 * import { DatasetManager, LoanApprovalAgent, ModelEvaluator } from "@evalkit/evalkit";
 *
 * const dataset = await new DatasetManager({ basePath: "datasets" }).load("loan_approval_test_set");
 * const agent = new LoanApprovalAgent();
 * const result = await new ModelEvaluator(agent.name, agent).evaluateDataset(dataset, {
 *   targetField: "expected_outcome",
 *   concurrency: 8,
 * });
 * console.log(result.metrics.accuracy_score, result.runId);
 * ```
 *
 * @module
 */
export * from "./lib/mlflow/mod.ts";
export * from "./lib/stats/mod.ts";
export * from "./lib/datasets/mod.ts";
export * from "./lib/tracking/mod.ts";
export * from "./lib/evaluation/mod.ts";
export * from "./lib/drift/mod.ts";
export * from "./lib/report/mod.ts";
export * from "./lib/agents/mod.ts";
