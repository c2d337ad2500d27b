/**
 * Helpers for testing code that uses evalkit: start a real MLflow server in your own tests.
 *
 * @example
 * ```ts ignore
 * import { startMlflowServer } from "@evalkit/evalkit/testing";
 * Deno.test("my agent logs its evaluation", async () => {
 *   await using server = await startMlflowServer();
 *   // point evalkit at server.uri …
 * });
 * ```
 *
 * @module
 */
export { startMlflowServer } from "./mlflow_server.ts";
export type { MlflowServer, MlflowServerOptions } from "./mlflow_server.ts";
