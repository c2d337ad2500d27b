import assert from "node:assert/strict";
import { decodeMetricValue } from "../../lib/mlflow/mod.ts";
import { runSchema } from "../../lib/mlflow/schemas.ts";

Deno.test("decodeMetricValue() reads numbers, MLflow's strings and the SQL store's clamped infinities", () => {
  assert.ok(Number.isNaN(decodeMetricValue("NaN")));
  assert.equal(decodeMetricValue("Infinity"), Infinity);
  assert.equal(decodeMetricValue("-Infinity"), -Infinity);
  assert.equal(decodeMetricValue(1.7976931348623157e308), Infinity);
  assert.equal(decodeMetricValue(-1.7976931348623157e308), -Infinity);
  assert.equal(decodeMetricValue(0.25), 0.25);
  assert.equal(decodeMetricValue("0.5"), 0.5);
  assert.throws(() => decodeMetricValue("lots"), SyntaxError);
});

Deno.test("runSchema defaults absent repeated fields and turns tag lists into records", () => {
  const run = runSchema.parse({
    info: { run_id: "r1", experiment_id: "1", status: "RUNNING", start_time: "1714000000000" },
    data: {
      params: [{ key: "model", value: "gpt-x" }],
      metrics: [{ key: "m", value: "NaN", timestamp: 1 }],
    },
  });
  assert.equal(run.info.runId, "r1");
  assert.equal(run.info.startTime, 1714000000000);
  assert.deepEqual(run.data.params, { model: "gpt-x" });
  assert.deepEqual(run.data.tags, {});
  assert.ok(Number.isNaN(run.data.metrics[0]!.value));
  assert.equal(run.data.metrics[0]!.step, 0);
  assert.deepEqual(run.inputs, { datasetInputs: [], modelInputs: [] });
  assert.deepEqual(run.outputs, { modelOutputs: [] });
});

Deno.test("runSchema refuses a run without an id", () => {
  assert.equal(runSchema.safeParse({ info: { experiment_id: "1" } }).success, false);
});
