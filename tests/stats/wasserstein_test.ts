import assert from "node:assert/strict";
import { wasserstein } from "../../lib/stats/wasserstein.ts";
import { loadDriftFixtures } from "./_stats_fixtures.ts";

const fx = loadDriftFixtures();
const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.abs(b);

Deno.test("wasserstein() matches scipy.stats.wasserstein_distance (ties, unequal sizes) to 1e-9", () => {
  for (const c of fx.wasserstein_distance) {
    const v = wasserstein(c.u, c.v);
    assert.ok(close(v, c.distance), `${v} vs ${c.distance}`);
  }
});

Deno.test("wasserstein() with weights matches SciPy's weighted distance", () => {
  for (const c of fx.wasserstein_weighted) {
    const v = wasserstein(c.u, c.v, { uWeights: c.uWeights, vWeights: c.vWeights });
    assert.ok(close(v, c.distance), `${v} vs ${c.distance}`);
  }
});

Deno.test("wasserstein() is 0 for identical samples and the shift for shifted ones", () => {
  assert.equal(wasserstein([1, 2, 3], [3, 2, 1]), 0);
  assert.equal(wasserstein([1, 2, 3], [3, 4, 5]), 2);
  assert.throws(() => wasserstein([], [1]), RangeError);
});
