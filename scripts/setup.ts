/**
 * `deno task setup`: create or update .venv with the pinned MLflow, Jupyter, scikit-learn
 * and SciPy from requirements.txt. Safe to run again; does nothing when up to date.
 */
import { parseArgs } from "node:util";
import { ensurePythonEnv } from "./_python_env.ts";

const USAGE = `Usage: deno task setup [--help]

Creates .venv (python3 -m venv) and installs requirements.txt into it. Set EVALKIT_PYTHON
to use another Python 3 interpreter.

Example:
  deno task setup`;

const { values } = parseArgs({ options: { help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
try {
  const bin = await ensurePythonEnv();
  console.log(`Python environment: ${bin}`);
} catch (err) {
  console.error(`setup failed: ${err instanceof Error ? err.message : err}`);
  Deno.exit(1);
}
