/** Test helpers: the suite's shared MLflow server and unique names. */

/**
 * The URI of the real MLflow server that `deno task test` started for the suite.
 * Throws a clear error when a test file is run on its own without it.
 */
export function testMlflowUri(): string {
  const uri = Deno.env.get("EVALKIT_TEST_MLFLOW_URI");
  if (!uri) {
    throw new Error(
      "EVALKIT_TEST_MLFLOW_URI is not set: run the suite with 'deno task test' (it starts a real MLflow server), " +
        "or start one with 'deno task mlflow' and export EVALKIT_TEST_MLFLOW_URI.",
    );
  }
  return uri;
}

/** A name unique to this process and call, for experiments, models and runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}
