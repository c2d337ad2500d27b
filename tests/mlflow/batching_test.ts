import assert from "node:assert/strict";
import { encodeLogBatch, splitLogBatch, validateLogBatch } from "../../lib/mlflow/mod.ts";

function batchOf(metrics: number, params: number, tags: number, valueSize = 1) {
  return validateLogBatch({
    metrics: Array.from({ length: metrics }, (_, i) => ({ key: `m${i % 10}`, value: i, step: i })),
    params: Object.fromEntries(
      Array.from({ length: params }, (_, i) => [`p${i}`, "v".repeat(valueSize)]),
    ),
    tags: Object.fromEntries(
      Array.from({ length: tags }, (_, i) => [`t${i}`, "v".repeat(valueSize)]),
    ),
  }, { now: 1 }).batch;
}

Deno.test("splitLogBatch() pairs params and tags with metrics as the Python client does", () => {
  const chunks = splitLogBatch(batchOf(2500, 250, 120));
  assert.deepEqual(
    chunks.map((c) => [c.metrics.length, c.params.length, c.tags.length]),
    [[800, 100, 100], [880, 100, 20], [820, 50, 0]],
  );
  for (const c of chunks) {
    assert.ok(c.metrics.length + c.params.length + c.tags.length <= 1000);
  }
});

Deno.test("splitLogBatch() keeps every entity exactly once and in order", () => {
  const batch = batchOf(3333, 205, 7);
  const chunks = splitLogBatch(batch);
  assert.deepEqual(chunks.flatMap((c) => c.metrics), batch.metrics);
  assert.deepEqual(chunks.flatMap((c) => c.params), batch.params);
  assert.deepEqual(chunks.flatMap((c) => c.tags), batch.tags);
});

Deno.test("splitLogBatch() keeps every request body under 1 MB", () => {
  // 100 params of 6000 chars and 100 tags of 8000 chars: 1.4 MB of values.
  const batch = validateLogBatch({
    params: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, "é".repeat(6000)])),
    tags: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`t${i}`, "v".repeat(8000)])),
  }).batch;
  const chunks = splitLogBatch(batch);
  assert.ok(chunks.length >= 2);
  for (const c of chunks) {
    const bytes = new TextEncoder().encode(encodeLogBatch("0".repeat(32), c)).length;
    assert.ok(bytes < 1_000_000, `request of ${bytes} bytes`);
  }
  assert.equal(chunks.reduce((n, c) => n + c.params.length + c.tags.length, 0), 200);
});

Deno.test("splitLogBatch() of an empty batch sends nothing", () => {
  assert.deepEqual(splitLogBatch(batchOf(0, 0, 0)), []);
});

Deno.test("encodeLogBatch() writes MLflow's JSON with NaN and infinities as strings", () => {
  const batch = validateLogBatch({
    metrics: [
      { key: "a", value: NaN, timestamp: 5, step: 2 },
      {
        key: "b",
        value: -Infinity,
        timestamp: 5,
        datasetName: "golden",
        datasetDigest: "abc",
        modelId: "m-1",
      },
      { key: "c", value: 0.1, timestamp: 5 },
    ],
    params: { model: 'gpt "x"' },
  }).batch;
  const [chunk] = splitLogBatch(batch);
  const body = JSON.parse(encodeLogBatch("r", chunk!));
  assert.deepEqual(body, {
    run_id: "r",
    metrics: [
      { key: "a", value: "NaN", timestamp: 5, step: 2 },
      {
        key: "b",
        value: "-Infinity",
        timestamp: 5,
        step: 0,
        dataset_name: "golden",
        dataset_digest: "abc",
        model_id: "m-1",
      },
      { key: "c", value: 0.1, timestamp: 5, step: 0 },
    ],
    params: [{ key: "model", value: 'gpt "x"' }],
    tags: [],
  });
});
