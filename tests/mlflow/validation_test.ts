import assert from "node:assert/strict";
import {
  assertValidLogBatch,
  MlflowValidationError,
  validateDatasetInputs,
  validateExperimentTag,
  validateKey,
  validateLogBatch,
} from "../../lib/mlflow/mod.ts";

Deno.test("validateKey() accepts MLflow's key characters, including Unicode letters", async (t) => {
  for (const key of ["accuracy", "eval/f1 score", "a.b-c_d:e", "précision", "层/损失", "v1"]) {
    await t.step(key, () => assert.deepEqual(validateKey(key, "metric"), []));
  }
});

Deno.test("validateKey() refuses keys MLflow would refuse", async (t) => {
  const cases: [string, string][] = [
    ["bad$char", "invalid_key"],
    ["a//b", "invalid_key"],
    ["a/./b", "invalid_key"],
    ["/abs", "invalid_key"],
    ["trailing/", "invalid_key"],
    ["../up", "invalid_key"],
    [".", "invalid_key"],
    ["", "invalid_key"],
    ["x".repeat(251), "key_too_long"],
  ];
  for (const [key, code] of cases) {
    await t.step(JSON.stringify(key.slice(0, 20)), () => {
      assert.equal(validateKey(key, "param")[0]?.code, code);
    });
  }
});

Deno.test("validateLogBatch() refuses a param over 6000 and a tag over 8000 characters", () => {
  const { issues } = validateLogBatch({
    params: { prompt: "p".repeat(6001), ok: "p".repeat(6000) },
    tags: { note: "t".repeat(8001), fine: "t".repeat(8000) },
  });
  assert.deepEqual(issues.map((i) => [i.code, i.path.join(".")]), [
    ["value_too_long", "params.0.value"],
    ["value_too_long", "tags.0.value"],
  ]);
  assert.match(issues[0]!.message, /silently truncate.*truncate: true/);
});

Deno.test("validateLogBatch() truncates long values only when asked", () => {
  const { issues, batch } = validateLogBatch({
    params: { prompt: "p".repeat(7000) },
    tags: { note: "t".repeat(9000) },
  }, { truncate: true });
  assert.deepEqual(issues, []);
  assert.equal(batch.params[0]!.value.length, 6000);
  assert.equal(batch.tags[0]!.value.length, 8000);
});

Deno.test("validateLogBatch() refuses a param key given twice, even with the same value", () => {
  const { issues } = validateLogBatch({
    params: [{ key: "a", value: "1" }, { key: "b", value: "2" }, { key: "a", value: "1" }],
  });
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.code, "duplicate_param");
  assert.deepEqual(issues[0]!.path, ["params", 2, "key"]);
});

Deno.test("validateLogBatch() checks metric values, timestamps and steps and fills defaults", () => {
  const { issues } = validateLogBatch({
    metrics: [
      { key: "ok", value: NaN },
      { key: "s", value: "1" as unknown as number },
      { key: "t", value: 1, timestamp: -5 },
      { key: "u", value: 1, step: 1.5 },
    ],
  });
  assert.deepEqual(issues.map((i) => i.code), [
    "wrong_type",
    "invalid_timestamp",
    "invalid_step",
  ]);
  const { batch } = validateLogBatch({ metrics: [{ key: "m", value: Infinity }] }, { now: 42 });
  assert.deepEqual(batch.metrics[0], { key: "m", value: Infinity, timestamp: 42, step: 0 });
});

Deno.test("validateLogBatch() keeps the last value of a tag given twice", () => {
  const { batch } = validateLogBatch({
    tags: [{ key: "a", value: "1" }, { key: "b", value: "x" }, { key: "a", value: "2" }],
  });
  assert.deepEqual(batch.tags, [{ key: "b", value: "x" }, { key: "a", value: "2" }]);
});

Deno.test("assertValidLogBatch() throws MlflowValidationError listing the issues", () => {
  assert.throws(
    () => assertValidLogBatch({ metrics: [{ key: "a//b", value: 1 }], params: { "x y$": "1" } }),
    (err: unknown) => {
      assert.ok(err instanceof MlflowValidationError);
      assert.equal(err.issues.length, 2);
      assert.match(err.message, /metrics\.0\.key: Invalid metric key 'a\/\/b'/);
      return true;
    },
  );
});

Deno.test("validateExperimentTag() refuses values over 5000 characters", () => {
  assert.deepEqual(validateExperimentTag("team", "x".repeat(5000)), []);
  assert.equal(validateExperimentTag("team", "x".repeat(5001))[0]?.code, "value_too_long");
  assert.equal(validateExperimentTag("bad key!", "v")[0]?.code, "invalid_key");
});

Deno.test("validateDatasetInputs() enforces MLflow's dataset field limits", () => {
  const ok = { name: "golden", digest: "a1b2c3d4", sourceType: "local", source: '{"uri":"x"}' };
  assert.deepEqual(
    validateDatasetInputs([{ dataset: ok, tags: { "mlflow.data.context": "eval" } }]),
    [],
  );
  const issues = validateDatasetInputs([
    { dataset: { ...ok, name: "n".repeat(501), digest: "d".repeat(37), source: "" } },
    { dataset: ok, tags: { "mlflow.data.context": "c".repeat(501) } },
  ]);
  assert.deepEqual(issues.map((i) => [i.code, i.path.join(".")]), [
    ["value_too_long", "datasets.0.dataset.name"],
    ["value_too_long", "datasets.0.dataset.digest"],
    ["missing_field", "datasets.0.dataset.source"],
    ["value_too_long", "datasets.1.tags.mlflow.data.context"],
  ]);
});
