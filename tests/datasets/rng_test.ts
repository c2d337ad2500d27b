import assert from "node:assert/strict";
import { createRng } from "../../lib/_internal/rng.ts";

const reference = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/datasets/rng_reference.json", import.meta.url)),
) as Record<string, { floats: number[] }>;

Deno.test("createRng() matches the independent Python xoshiro128**/splitmix32 reference", async (t) => {
  for (const [seed, ref] of Object.entries(reference)) {
    await t.step(`seed ${seed}`, () => {
      const rng = createRng(Number(seed));
      assert.deepEqual(ref.floats.map(() => rng.next()), ref.floats);
    });
  }
});

Deno.test("createRng() gives the same sequence for the same seed and a different one otherwise", () => {
  const a = createRng(7), b = createRng(7), c = createRng(8);
  const xs = Array.from({ length: 100 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 100 }, () => c.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

Deno.test("int(n) stays in range and is close to uniform", () => {
  const rng = createRng(1);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[rng.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `count ${c}`);
  assert.throws(() => rng.int(0), RangeError);
  assert.throws(() => rng.int(1.5), RangeError);
  assert.throws(() => createRng(0.5), RangeError);
});

Deno.test("shuffle() is a permutation and is reproducible", () => {
  const a = createRng(3).shuffle(Array.from({ length: 50 }, (_, i) => i));
  const b = createRng(3).shuffle(Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(a, Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("normal() has mean near 0 and variance near 1", () => {
  const rng = createRng(11);
  const xs = Array.from({ length: 50000 }, () => rng.normal());
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(v - 1) < 0.03, `variance ${v}`);
});
