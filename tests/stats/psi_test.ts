import assert from "node:assert/strict";
import { binCounts, psi, psiBand, psiFromCounts } from "../../lib/stats/psi.ts";
import { loadDriftFixtures } from "./_stats_fixtures.ts";

const fx = loadDriftFixtures();
const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.abs(b);

Deno.test("psi() uses NumPy reference deciles as edges and matches the NumPy reference computation", () => {
  for (const c of fx.psi_numeric) {
    const r = psi(c.reference, c.current);
    assert.deepEqual(r.edges, c.innerEdges);
    assert.deepEqual(r.referenceCounts, c.referenceCounts);
    assert.deepEqual(r.currentCounts, c.currentCounts);
    assert.ok(close(r.value, c.psi), `${r.value} vs ${c.psi}`);
    assert.equal(r.epsilon, 1e-4);
  }
});

Deno.test("psiFromCounts() floors empty bins at epsilon (unseen categories stay finite)", () => {
  for (const c of fx.psi_counts) {
    const v = psiFromCounts(c.referenceCounts, c.currentCounts);
    assert.ok(Number.isFinite(v));
    assert.ok(close(v, c.psi) || Math.abs(v - c.psi) < 1e-15, `${v} vs ${c.psi}`);
  }
});

Deno.test("psiBand() follows the < 0.1 / 0.1–0.25 / > 0.25 convention", () => {
  assert.equal(psiBand(0.05), "stable");
  assert.equal(psiBand(0.1), "moderate");
  assert.equal(psiBand(0.25), "moderate");
  assert.equal(psiBand(0.2501), "significant");
});

Deno.test("psi() merges duplicate decile edges of a constant column into one bin", () => {
  const r = psi([5, 5, 5, 5], [5, 5, 6]);
  assert.deepEqual(r.edges, [5]);
  assert.throws(() => psi([1, 2], [1], { bins: 1 }), /bins to be an integer >= 2/);
});

Deno.test("binCounts() counts the same with and without the sorted fast path, as NumPy", async (t) => {
  for (const [i, c] of fx.psi_numeric.entries()) {
    await t.step(`psi_numeric case ${i}`, () => {
      const sorted = Float64Array.from(c.current as number[]).sort();
      assert.deepEqual(binCounts(c.current, c.innerEdges), c.currentCounts);
      assert.deepEqual(binCounts(sorted, c.innerEdges, { sorted: true }), c.currentCounts);
    });
  }
  await t.step("a value equal to an edge goes to the bin on its right", () => {
    assert.deepEqual(binCounts([1, 1, 2, 3, 3], [1, 3]), [0, 3, 2]);
    assert.deepEqual(binCounts([1, 1, 2, 3, 3], [1, 3], { sorted: true }), [0, 3, 2]);
  });
});
