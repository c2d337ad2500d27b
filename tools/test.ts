/**
 * `deno task test`: the whole test suite. Sets up .venv, starts one real MLflow server on
 * 127.0.0.1 for the suite, runs `deno test` (unit, integration, doc tests) against it, and
 * ends with one line `N passed, N failed`. Extra arguments are passed to `deno test`
 * (e.g. `deno task test tests/stats/`).
 */
import { ensurePythonEnv } from "../scripts/_python_env.ts";
import { startMlflowServer } from "../lib/testing/mod.ts";

const RESULTS = ".test-results";
const JUNIT = `${RESULTS}/junit.xml`;

/** Counts test cases and failures in Deno's JUnit report. */
function countJunit(xml: string): { passed: number; failed: number; skipped: number } {
  let passed = 0, failed = 0, skipped = 0;
  const re = /<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const body = m[2] ?? "";
    if (/<failure\b|<error\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
  return { passed, failed, skipped };
}

const bin = await ensurePythonEnv();
await Deno.mkdir(RESULTS, { recursive: true });
await Deno.remove(JUNIT).catch(() => {});

console.error("Starting MLflow server for the test suite…");
const server = await startMlflowServer({ mlflowBin: `${bin}/mlflow` });
console.error(`MLflow ${server.uri} (data in ${server.dataDir})`);

let code = 1;
try {
  const args = [
    "test",
    "--config",
    "deno.dev.json",
    "-A",
    "--doc",
    "--parallel",
    `--junit-path=${JUNIT}`,
    ...Deno.args,
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: {
      EVALKIT_TEST_MLFLOW_URI: server.uri,
      EVALKIT_MLFLOW_BIN: `${bin}/mlflow`,
      EVALKIT_PYTHON_BIN: `${bin}/python`,
      NO_COLOR: "1",
      RUST_BACKTRACE: "0",
    },
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  code = (await child.status).code;
} finally {
  await server.stop();
}

let xml = "";
try {
  xml = await Deno.readTextFile(JUNIT);
} catch {
  // no report: deno test failed before running anything
}
const { passed, failed, skipped } = countJunit(xml);
const failedTotal = failed === 0 && code !== 0 ? 1 : failed; // a crash before any test counts
console.log(`${passed} passed, ${failedTotal} failed${skipped ? `, ${skipped} skipped` : ""}`);
Deno.exit(code === 0 && failedTotal === 0 ? 0 : 1);
