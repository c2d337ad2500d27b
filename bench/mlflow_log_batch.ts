/**
 * Benchmark: log 100,000 metric points (10 keys × 10,000 steps) to a real MLflow server,
 * side by side in one run against the same server:
 *
 * 1. evalkit: `client.runs.logBatch(runId, { metrics })` — validation, splitting to the
 *    server's limits and sending (one request in flight, the default; also measured with
 *    `concurrency: 4`);
 * 2. MLflow's Python client: `MlflowClient.log_batch` in 1000-item batches (bench/_peers);
 * 3. the bare loop: the same 1000-metric batches, pre-serialised, POSTed one after another
 *    with `fetch` — the server's own limit.
 *
 * Each contender writes to its own run; every run is read back and must hold all points.
 * Targets: evalkit at least as fast as Python, and within 1.2× of the bare loop.
 *
 * Run: `deno run -A bench/mlflow_log_batch.ts [--rounds N]` (or `deno task bench mlflow_log_batch`).
 */
import { parseArgs } from "node:util";
import { MlflowClient } from "../lib/mlflow/mod.ts";
import { startMlflowServer } from "../lib/testing/mod.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    keys: { type: "string", default: "10" },
    steps: { type: "string", default: "10000" },
  },
});
const ROUNDS = Number(values.rounds);
const KEYS = Number(values.keys);
const STEPS = Number(values.steps);
const POINTS = KEYS * STEPS;
const python = Deno.env.get("EVALKIT_PYTHON_BIN") ?? `${Deno.cwd()}/.venv/bin/python`;
const mlflowBin = Deno.env.get("EVALKIT_MLFLOW_BIN") ?? `${Deno.cwd()}/.venv/bin/mlflow`;
const peer = new URL("./_peers/mlflow_log_batch.py", import.meta.url).pathname;
const T0 = 1_714_000_000_000;

function points() {
  const out = [];
  for (let step = 0; step < STEPS; step++) {
    for (let k = 0; k < KEYS; k++) {
      out.push({ key: `metric_${k}`, value: step * 0.001 + k, timestamp: T0 + step, step });
    }
  }
  return out;
}

async function verify(client: MlflowClient, runId: string, who: string): Promise<void> {
  for (let k = 0; k < KEYS; k++) {
    const h = await client.runs.metricHistory(runId, `metric_${k}`);
    if (h.length !== STEPS || h.some((m, i) => m.step !== i)) {
      throw new Error(
        `${who}: metric_${k} has ${h.length} points, expected ${STEPS} in step order`,
      );
    }
  }
}

async function evalkit(client: MlflowClient, runId: string, concurrency: number): Promise<number> {
  const metrics = points();
  const t = performance.now();
  await client.runs.logBatch(runId, { metrics }, { concurrency });
  return (performance.now() - t) / 1000;
}

async function pythonPeer(uri: string, runId: string): Promise<number> {
  const out = await new Deno.Command(python, {
    args: [peer, uri, runId, String(KEYS), String(STEPS), String(T0)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  if (!out.success) {
    throw new Error(`Python peer failed:\n${new TextDecoder().decode(out.stderr).slice(-2000)}`);
  }
  return JSON.parse(text).seconds as number;
}

async function bareLoop(uri: string, runId: string): Promise<number> {
  const all = points();
  const bodies: string[] = [];
  for (let i = 0; i < all.length; i += 1000) {
    bodies.push(JSON.stringify({ run_id: runId, metrics: all.slice(i, i + 1000) }));
  }
  const url = `${uri}/api/2.0/mlflow/runs/log-batch`;
  const t = performance.now();
  for (const body of bodies) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    if (!res.ok) throw new Error(`bare loop: HTTP ${res.status} ${await res.text()}`);
    await res.body?.cancel();
  }
  return (performance.now() - t) / 1000;
}

const fmt = (s: number) => `${s.toFixed(2)} s`;
const rate = (s: number) => `${Math.round(POINTS / s).toLocaleString("en-US")} points/s`;

console.error(`Starting MLflow (${mlflowBin})…`);
await using server = await startMlflowServer({ mlflowBin });
const client = new MlflowClient({ trackingUri: server.uri });
const experimentId = await client.experiments.create(`bench-log-batch-${Date.now()}`);
const newRun = async (name: string) =>
  (await client.runs.create({ experimentId, runName: name })).info.runId;

// Warm-up: the server's first log-batch requests are slow (imports, SQL compilation).
{
  const warm = await newRun("warm-up");
  await client.runs.logBatch(warm, {
    metrics: Array.from({ length: 3000 }, (_, i) => ({ key: `w${i % 3}`, value: i, step: i })),
  });
}

const results = {
  evalkit: [] as number[],
  evalkit1: [] as number[],
  python: [] as number[],
  bare: [] as number[],
};
for (let round = 1; round <= ROUNDS; round++) {
  // Order rotates per round so that no contender always runs on the emptiest database.
  const order = (["evalkit", "python", "bare", "evalkit1"] as const)
    .map((_, i, a) => a[(i + round - 1) % a.length]!);
  for (const who of order) {
    const runId = await newRun(`${who}-${round}`);
    const seconds = who === "evalkit"
      ? await evalkit(client, runId, 1)
      : who === "evalkit1"
      ? await evalkit(client, runId, 4)
      : who === "python"
      ? await pythonPeer(server.uri, runId)
      : await bareLoop(server.uri, runId);
    await verify(client, runId, who);
    results[who].push(seconds);
    console.error(`round ${round}: ${who} ${fmt(seconds)}`);
  }
}

const best = (xs: number[]) => Math.min(...xs);
const e = best(results.evalkit), p = best(results.python), b = best(results.bare);
const e1 = best(results.evalkit1);
console.log(
  `mlflow_log_batch: ${
    POINTS.toLocaleString("en-US")
  } metric points (${KEYS} keys × ${STEPS} steps), MLflow ${
    (await (await fetch(`${server.uri}/version`)).text()).trim()
  }, best of ${ROUNDS} round(s)`,
);
console.log(`  evalkit client.runs.logBatch     ${fmt(e).padStart(9)}  ${rate(e)}`);
console.log(`  evalkit, concurrency: 4          ${fmt(e1).padStart(9)}  ${rate(e1)}`);
console.log(
  `  Python MlflowClient.log_batch    ${fmt(p).padStart(9)}  ${rate(p)}  (1000-item batches)`,
);
console.log(
  `  bare HTTP loop (pre-serialised)  ${fmt(b).padStart(9)}  ${
    rate(b)
  }  (same 1000-metric batches)`,
);
console.log(`  evalkit / Python = ${(e / p).toFixed(2)}×  (target ≤ 1.00)`);
console.log(`  evalkit / bare   = ${(e / b).toFixed(2)}×  (target ≤ 1.20)`);
console.log(
  `  evalkit with concurrency 4 / bare = ${(e1 / b).toFixed(2)}×`,
);
