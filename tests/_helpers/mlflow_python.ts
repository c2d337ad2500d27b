/**
 * Runs a snippet with MLflow's own Python client (the project's .venv) against a tracking
 * URI and returns what the snippet prints as JSON: the oracle for "what MLflow reads back".
 */
const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs `code` (which must `print(json.dumps(...))` once) with `MLFLOW_TRACKING_URI = uri`. */
export async function mlflowPython<T = unknown>(uri: string, code: string): Promise<T> {
  const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${ROOT}.venv/bin/python`;
  const out = await new Deno.Command(python, {
    args: ["-c", `import json, mlflow\n${code}`],
    env: { MLFLOW_TRACKING_URI: uri, PYTHONWARNINGS: "ignore" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`mlflow python failed: ${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}
