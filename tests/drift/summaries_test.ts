import assert from "node:assert/strict";
import {
  detectDataDrift,
  type HistogramSummary,
  mergeSummaries,
  summarizeColumn,
  summarizeColumns,
} from "../../lib/drift/mod.ts";

function rows(n: number, shift: number) {
  return Array.from({ length: n }, (_, i) => ({
    income: 40000 + ((i * 7919) % 5000) * 10 + shift,
    purpose: ["car", "home", "education", "business"][(i * 31) % 4],
  }));
}

Deno.test("summaries merged across shards give exactly the report of the unsharded data", () => {
  const ref = rows(1200, 0), cur = rows(900, 3000);
  const whole = detectDataDrift(ref, cur);
  const shards = [ref.slice(0, 500), ref.slice(500, 800), ref.slice(800)].map((s) =>
    summarizeColumns(s)
  );
  const merged = Object.fromEntries(
    Object.keys(shards[0]!).map((
      k,
    ) => [k, shards.map((s) => s[k]!).reduce((a, b) => mergeSummaries(a, b))]),
  );
  const fromSummaries = detectDataDrift(merged, summarizeColumns(cur));
  assert.deepEqual(
    fromSummaries.features.map((f) => [f.name, f.score, f.statistics]),
    whole.features.map((f) => [f.name, f.score, f.statistics]),
  );
});

Deno.test("mergeSummaries() keeps values sorted, adds counts and refuses mismatched kinds", () => {
  const m = mergeSummaries(summarizeColumn([5, 1, null]), summarizeColumn([3, NaN, 2]));
  assert.deepEqual(Array.from(m.kind === "numeric" ? m.sorted : []), [1, 2, 3, 5]);
  assert.equal(m.missing, 2);
  assert.throws(() => mergeSummaries(summarizeColumn([1]), summarizeColumn(["a"])), TypeError);
});

Deno.test("histogram summaries (as a SQL engine returns them) give PSI, chi-square, JS and approximate KS/Wasserstein", () => {
  const edges = [0, 10, 20, 30, 40];
  const ref: HistogramSummary = {
    kind: "histogram",
    count: 1000,
    missing: 0,
    edges,
    counts: [250, 250, 250, 250],
  };
  const cur: HistogramSummary = {
    kind: "histogram",
    count: 1000,
    missing: 10,
    edges,
    counts: [100, 200, 300, 400],
  };
  const f = detectDataDrift({ x: ref }, { x: cur }).features[0]!;
  assert.equal(f.statistics.psi!.binning, "histogram");
  assert.deepEqual(f.statistics.psi!.edges, edges);
  assert.equal(f.statistics.ks!.approximate, true);
  assert.ok(Math.abs(f.statistics.ks!.statistic - 0.2) < 1e-12);
  assert.equal(f.statistics.wasserstein!.approximate, true);
  // Midpoints 5, 15, 25, 35: reference std sqrt(125); CDF gaps .15, .2, .15 over width 10 give W1 = 5.
  assert.ok(Math.abs(f.statistics.wasserstein!.referenceStd - Math.sqrt(125)) < 1e-12);
  assert.ok(Math.abs(f.statistics.wasserstein!.distance - 5) < 1e-12);
  assert.ok(Math.abs(f.statistics.wasserstein!.normed - 5 / Math.sqrt(125)) < 1e-12);
  assert.equal(f.statistics.chiSquare!.dof, 3);
  assert.equal(f.drifted, true);
  assert.equal(f.current.missing, 10);
});
