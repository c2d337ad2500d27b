/**
 * `deno task bench evaluate_concurrency`: 2,000 rows through an agent that answers in 20 ms,
 * at concurrency 50. The ideal throughput is concurrency ÷ latency = 2,500 rows/s (0.8 s);
 * prints the measured throughput as a share of it (target ≥ 90%), without recording and with
 * recording to the local store, and the share against the agent's measured mean latency
 * (timers overshoot by about a millisecond).
 */
import { type Agent, ModelEvaluator } from "../lib/evaluation/mod.ts";
import type { Dataset } from "../lib/datasets/mod.ts";
import { AgentTracker } from "../lib/tracking/mod.ts";

const ROWS = 2000, LATENCY_MS = 20, CONCURRENCY = 50;
const IDEAL = CONCURRENCY / (LATENCY_MS / 1000);

const agent: Agent = {
  name: "sleepy",
  version: "1",
  config: { latency_ms: LATENCY_MS },
  decide: (r) =>
    new Promise((resolve) =>
      setTimeout(
        () => resolve({ outcome: Number(r.i) % 3 === 0 ? "reject" : "approve", riskScore: 0.5 }),
        LATENCY_MS,
      )
    ),
};
const dataset: Dataset = {
  name: "bench_concurrency",
  version: "1.0.0",
  rows: Array.from(
    { length: ROWS },
    (_, i) => ({ request_id: `C${i}`, i, expected_outcome: i % 3 === 0 ? "reject" : "approve" }),
  ),
  schema: { columns: [], target: "expected_outcome", id: "request_id" },
  digest: "c".repeat(64),
  mlflowDigest: "cccccccc",
  meta: {} as Dataset["meta"],
};

console.log(
  `evaluate_concurrency: ${ROWS} rows, agent latency ${LATENCY_MS} ms, concurrency ${CONCURRENCY}; ideal ${IDEAL} rows/s`,
);
console.log("");
console.log(
  "| recording | wall (s) | rows/s end to end | share of ideal | runner rows/s | runner share | mean agent latency (ms) | share at measured latency |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
const store = await Deno.makeTempDir();
// warm-up
await new ModelEvaluator("sleepy", agent).evaluateDataset({
  ...dataset,
  rows: dataset.rows.slice(0, 200),
}, {
  logToMlflow: false,
  concurrency: CONCURRENCY,
});
for (const record of [false, true]) {
  const tracker = record
    ? new AgentTracker("sleepy", { storeDir: store, handleSigint: false })
    : undefined;
  const t0 = performance.now();
  const r = await new ModelEvaluator("sleepy", agent).evaluateDataset(dataset, {
    concurrency: CONCURRENCY,
    logToMlflow: record,
    ...(tracker ? { tracker } : {}),
  });
  const wall = (performance.now() - t0) / 1000;
  tracker?.close();
  const rps = ROWS / wall;
  const meanLatency = r.metrics.latency_avg_ms!;
  const idealMeasured = CONCURRENCY / (meanLatency / 1000);
  const runner = r.metrics.throughput_rows_per_s!;
  console.log(
    `| ${record ? "local store" : "none"} | ${wall.toFixed(3)} | ${rps.toFixed(0)} | ${
      (100 * rps / IDEAL).toFixed(1)
    }% | ${runner.toFixed(0)} | ${(100 * runner / IDEAL).toFixed(1)}% | ${
      meanLatency.toFixed(2)
    } | ${(100 * rps / idealMeasured).toFixed(1)}% |`,
  );
}
await Deno.remove(store, { recursive: true });
console.log("");
console.log(
  "target: ≥ 90% of ideal (wall time includes metrics, the per-row table and, when recording, artifacts)",
);
