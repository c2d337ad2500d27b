/**
 * `deno task bench [name…]`: runs the benchmarks in bench/ one after another (each is a plain
 * Deno program that starts what it needs, measures evalkit side by side with its peer in the
 * same run, and prints the figures). Benchmarks never fail the test suite.
 */
import { parseArgs } from "node:util";
import { ensurePythonEnv } from "../scripts/_python_env.ts";

const USAGE = `Usage: deno task bench [--list] [name…]

Runs every bench/*.ts (files starting with "_" are helpers), or only those named.
Python peers (MLflow, pandas, SciPy, Evidently) run from .venv, set up on first use
together with requirements-bench.txt.

Examples:
  deno task bench                 # all benchmarks
  deno task bench mlflow_log_batch ddsketch
  deno task bench --list`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { help: { type: "boolean", short: "h" }, list: { type: "boolean" } },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}

const all: string[] = [];
for await (const entry of Deno.readDir("bench")) {
  if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.startsWith("_")) {
    all.push(entry.name.slice(0, -3));
  }
}
all.sort();
if (values.list) {
  console.log(all.join("\n"));
  Deno.exit(0);
}
const unknown = positionals.filter((p) =>
  !all.includes(p.replace(/^bench\//, "").replace(/\.ts$/, ""))
);
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Available: ${all.join(", ")}`);
  Deno.exit(2);
}
const chosen = positionals.length > 0
  ? positionals.map((p) => p.replace(/^bench\//, "").replace(/\.ts$/, ""))
  : all;

const bin = await ensurePythonEnv();
try {
  await Deno.stat("requirements-bench.txt");
  const { code } = await new Deno.Command(`${bin}/python`, {
    args: [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "-r",
      "requirements-bench.txt",
    ],
  }).output();
  if (code !== 0) {
    console.error(
      "warning: requirements-bench.txt did not install fully; some peers may be skipped",
    );
  }
} catch {
  // no bench-only requirements
}

let failures = 0;
for (const name of chosen) {
  console.log(`\n=== bench/${name}.ts ===`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", "deno.dev.json", "-A", `bench/${name}.ts`],
    env: {
      EVALKIT_PYTHON_BIN: `${bin}/python`,
      EVALKIT_MLFLOW_BIN: `${bin}/mlflow`,
      NO_COLOR: "1",
      RUST_BACKTRACE: "0",
    },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    failures++;
    console.log(`bench/${name}.ts exited with code ${code}`);
  }
}
console.log(`\n${chosen.length - failures} of ${chosen.length} benchmarks ran to completion.`);
Deno.exit(failures === 0 ? 0 : 1);
