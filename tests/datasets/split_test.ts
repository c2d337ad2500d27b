import assert from "node:assert/strict";
import { join } from "node:path";
import { createRng } from "../../lib/_internal/rng.ts";
import { DatasetManager, splitRows } from "../../lib/datasets/mod.ts";
import { ROOT, tempDir } from "./_helpers.ts";

const golden = JSON.parse(
  await Deno.readTextFile(join(ROOT, "tests/fixtures/datasets/golden_split_loan_s42.json")),
);

// The golden split comes from an independent Python implementation of the algorithm
// (tests/fixtures/datasets/make_split_fixture.py), not from this code.
Deno.test("split() of the shipped test set matches the independent Python reference split and digests", async () => {
  const dm = new DatasetManager({ basePath: join(ROOT, "datasets") });
  const parent = await dm.load("loan_approval_test_set", { version: golden.version });
  assert.equal(parent.digest, golden.parentDigest, "the shipped dataset is unchanged");
  const { train, test } = await dm.split("loan_approval_test_set", {
    version: golden.version,
    seed: golden.seed,
    trainRatio: golden.trainRatio,
    stratifyBy: golden.stratifyBy,
  });
  assert.deepEqual(train.rows.map((r) => r.request_id), golden.train.ids);
  assert.deepEqual(test.rows.map((r) => r.request_id), golden.test.ids);
  assert.equal(train.digest, golden.train.sha256);
  assert.equal(test.digest, golden.test.sha256);
});

Deno.test("splitRows() gives the same split for the same seed and another for another seed", () => {
  const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, y: i % 3 === 0 ? "a" : "b" }));
  const a = splitRows(rows, { seed: 5 }),
    b = splitRows(rows, { seed: 5 }),
    c = splitRows(rows, { seed: 6 });
  assert.deepEqual(a.trainIndices, b.trainIndices);
  assert.notDeepEqual(a.trainIndices, c.trainIndices);
  assert.equal(a.train.length, 160);
  assert.deepEqual(
    [...a.trainIndices, ...a.testIndices].sort((x, y) => x - y),
    rows.map((_, i) => i),
  );
});

Deno.test("stratified splits keep every class's share within one row (300 random cases)", () => {
  const gen = createRng(123);
  for (let k = 0; k < 300; k++) {
    const n = 1 + gen.int(400);
    const classes = 1 + gen.int(5);
    const rows = Array.from({ length: n }, (_, i) => ({ i, y: `c${gen.int(classes)}`.repeat(1) }));
    const ratio = 0.05 + gen.next() * 0.9;
    const s = splitRows(rows, { trainRatio: ratio, seed: k, stratifyBy: "y" });
    assert.equal(s.train.length, Math.round(n * ratio), `total n=${n} ratio=${ratio}`);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.y, (counts.get(r.y) ?? 0) + 1);
    for (const [cls, total] of counts) {
      const inTrain = s.train.filter((r) => r.y === cls).length;
      assert.ok(
        Math.abs(inTrain - total * ratio) < 1,
        `class ${cls}: ${inTrain} of ${total} at ${ratio}`,
      );
      const inTest = s.test.filter((r) => r.y === cls).length;
      assert.ok(Math.abs(inTest - total * (1 - ratio)) < 1);
    }
  }
});

Deno.test("splitRows() refuses a ratio outside (0, 1)", () => {
  assert.throws(() => splitRows([{ a: 1 }], { trainRatio: 1 }), RangeError);
  assert.throws(() => splitRows([{ a: 1 }], { trainRatio: 0 }), RangeError);
});

Deno.test("split({ save: true }) saves both parts with lineage: parent digest and the operation", async () => {
  await using dir = await tempDir();
  const dm = new DatasetManager({ basePath: dir.path });
  const rows = Array.from({ length: 50 }, (_, i) => ({
    request_id: `r${i}`,
    x: i,
    expected_outcome: i % 5 === 0 ? "reject" : "approve",
  }));
  const parent = await dm.save(rows, { name: "toy", version: "1.0.0" });
  const { train, test } = await dm.split("toy", {
    seed: 9,
    trainRatio: 0.6,
    stratifyBy: "expected_outcome",
    save: true,
  });
  assert.equal(train.name, "toy_train");
  assert.equal(test.version, "1.0.0-s9.t60");
  const loaded = await dm.load("toy_test");
  assert.deepEqual(loaded.meta.parents, [{ name: "toy", version: "1.0.0", digest: parent.digest }]);
  assert.deepEqual(loaded.meta.operation, {
    type: "split",
    part: "test",
    seed: 9,
    trainRatio: 0.6,
    stratifyBy: "expected_outcome",
  });
  assert.equal(loaded.meta.source.type, "derived");
  assert.equal(train.rows.length + test.rows.length, 50);
  assert.equal(train.rows.filter((r) => r.expected_outcome === "reject").length, 6);
});
