import assert from "node:assert/strict";
import { MlflowClient } from "../../lib/mlflow/mod.ts";
import { testMlflowUri, uniqueName } from "../_helpers/mlflow.ts";

async function newRun() {
  const client = new MlflowClient({ trackingUri: testMlflowUri() });
  const experimentId = await client.experiments.create(uniqueName("metrics"));
  const runId = (await client.runs.create({ experimentId })).info.runId;
  return { client, runId };
}

Deno.test("25,000 metric points logged with logBatch read back complete and in step order", async () => {
  const { client, runId } = await newRun();
  const t0 = 1_714_000_000_000;
  // Shuffled input: history order comes from (timestamp, step), not from arrival order.
  const steps = Array.from({ length: 25_000 }, (_, i) => i);
  for (let i = steps.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [steps[i], steps[j]] = [steps[j]!, steps[i]!];
  }
  const result = await client.runs.logBatch(runId, {
    metrics: steps.map((step) => ({
      key: "loss",
      value: 1 / (step + 1),
      timestamp: t0 + step,
      step,
    })),
  });
  assert.equal(result.requests, 25);
  const history = await client.runs.metricHistory(runId, "loss", { pageSize: 10_000 });
  assert.equal(history.length, 25_000);
  history.forEach((m, i) => {
    assert.equal(m.step, i);
    assert.equal(m.timestamp, t0 + i);
    assert.equal(m.value, 1 / (i + 1));
  });
  const latest = (await client.runs.get(runId)).data.metrics.find((m) => m.key === "loss");
  assert.equal(latest?.step, 24_999);
});

Deno.test("metricHistory() follows pages: page size 7 returns all 50 points once", async () => {
  const { client, runId } = await newRun();
  await client.runs.logBatch(runId, {
    metrics: Array.from(
      { length: 50 },
      (_, step) => ({ key: "m", value: step, timestamp: 1000 + step, step }),
    ),
  });
  const history = await client.runs.metricHistory(runId, "m", { pageSize: 7 });
  assert.deepEqual(history.map((m) => m.step), Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("NaN and ±Infinity round-trip through logMetric and logBatch", async () => {
  const { client, runId } = await newRun();
  await client.runs.logMetric(runId, { key: "odd", value: NaN, timestamp: 1, step: 0 });
  await client.runs.logBatch(runId, {
    metrics: [
      { key: "odd", value: Infinity, timestamp: 2, step: 1 },
      { key: "odd", value: -Infinity, timestamp: 3, step: 2 },
      { key: "odd", value: 0.5, timestamp: 4, step: 3 },
    ],
  });
  const history = await client.runs.metricHistory(runId, "odd");
  assert.equal(history.length, 4);
  assert.ok(Number.isNaN(history[0]!.value));
  assert.equal(history[1]!.value, Infinity);
  assert.equal(history[2]!.value, -Infinity);
  assert.equal(history[3]!.value, 0.5);
});

Deno.test('the SQL store answers NaN as "NaN" and clamps ±Infinity to ±1.7976931348623157e308 (pinned)', async () => {
  const { client, runId } = await newRun();
  await client.runs.logBatch(runId, {
    metrics: [
      { key: "raw", value: NaN, timestamp: 1 },
      { key: "raw", value: Infinity, timestamp: 2 },
      { key: "raw", value: -Infinity, timestamp: 3 },
    ],
  });
  const raw = await client.transport.get<{ metrics: { value: unknown }[] }>(
    "/api/2.0/mlflow/metrics/get-history",
    { query: { run_id: runId, metric_key: "raw", max_results: 10 } },
  );
  assert.deepEqual(raw.metrics.map((m) => m.value), [
    "NaN",
    1.7976931348623157e308,
    -1.7976931348623157e308,
  ]);
});

Deno.test("a retried identical batch is de-duplicated by MLflow", async () => {
  const { client, runId } = await newRun();
  const metrics = Array.from(
    { length: 10 },
    (_, step) => ({ key: "d", value: step, timestamp: 5, step }),
  );
  await client.runs.logBatch(runId, { metrics });
  await client.runs.logBatch(runId, { metrics });
  assert.equal((await client.runs.metricHistory(runId, "d")).length, 10);
});
