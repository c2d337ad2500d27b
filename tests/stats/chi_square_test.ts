import assert from "node:assert/strict";
import { chiSquare, chiSquareContingency, chiSquareTwoSample } from "../../lib/stats/chi_square.ts";
import { loadDriftFixtures } from "./_stats_fixtures.ts";

const fx = loadDriftFixtures();
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

Deno.test("chiSquare() matches scipy.stats.chisquare to 1e-9", async (t) => {
  for (const c of fx.chisquare) {
    await t.step(JSON.stringify(c.observed), () => {
      const r = chiSquare(c.observed, c.expected ? { expected: c.expected } : {});
      assert.ok(rel(r.statistic, c.statistic) <= 1e-9, `${r.statistic} vs ${c.statistic}`);
      assert.ok(rel(r.pValue, c.pvalue) <= 1e-9, `${r.pValue} vs ${c.pvalue}`);
    });
  }
});

Deno.test("chiSquareContingency() matches scipy.stats.chi2_contingency(correction=False) to 1e-9", async (t) => {
  for (const c of fx.chi2_contingency) {
    await t.step(JSON.stringify(c.table), () => {
      const r = chiSquareContingency(c.table);
      assert.equal(r.dof, c.dof);
      assert.ok(
        rel(r.statistic, c.statistic) <= 1e-9 || Math.abs(r.statistic - c.statistic) < 1e-12,
      );
      assert.ok(rel(r.pValue, c.pvalue) <= 1e-9, `${r.pValue} vs ${c.pvalue}`);
    });
  }
});

Deno.test("chiSquareContingency() with one category has zero degrees of freedom, statistic 0 and p-value 1", () => {
  const r = chiSquareContingency([[50], [70]]);
  assert.deepEqual([r.statistic, r.pValue, r.dof], [0, 1, 0]);
});

Deno.test("chiSquareContingency() rejects a zero expected frequency with a message naming the cell", () => {
  assert.throws(() => chiSquareContingency([[1, 0], [2, 0]]), /found 0 at \[0, 1\]/);
});

Deno.test("chiSquareTwoSample() keeps unseen categories and drops categories absent from both", () => {
  const r = chiSquareTwoSample({ a: 40, b: 60, gone: 0 }, { a: 40, b: 50, new: 10 });
  assert.deepEqual(r.categories, ["a", "b", "new"]);
  assert.deepEqual(r.unseenCategories, ["new"]);
  const same = chiSquareContingency([[40, 60, 0], [40, 50, 10]]);
  assert.equal(r.statistic, same.statistic);
});

Deno.test("chiSquare() rejects expected frequencies that do not sum to the observed total", () => {
  assert.throws(() => chiSquare([1, 2], { expected: [1, 1] }), /same sum/);
});
