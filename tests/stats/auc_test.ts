import assert from "node:assert/strict";
import { averagePrecision, prAuc, rocAuc } from "../../lib/stats/mod.ts";
import { assertClose, loadStatsFixtures } from "./_stats_fixtures.ts";

const fixtures = loadStatsFixtures();

Deno.test("rocAuc, prAuc and averagePrecision match scikit-learn to 1e-12, ties included", async (t) => {
  for (const c of fixtures.ranking) {
    await t.step(c.name, () => {
      if (c.rocAuc !== undefined) assertClose(rocAuc(c.yTrue, c.scores), c.rocAuc, 1e-12, "rocAuc");
      else assert.throws(() => rocAuc(c.yTrue, c.scores), RangeError);
      assertClose(prAuc(c.yTrue, c.scores), c.prAuc!, 1e-12, "prAuc");
      assertClose(
        averagePrecision(c.yTrue, c.scores),
        c.averagePrecision!,
        1e-12,
        "averagePrecision",
      );
    });
  }
});

Deno.test("tied scores count one half in ROC AUC", () => {
  assert.equal(rocAuc([true, false, true, false, false], [0.5, 0.5, 0.5, 0.5, 0.5]), 0.5);
  // one positive tied with one negative, above another negative: (1 + 0.5) / 2
  assert.equal(rocAuc([true, false, false], [0.7, 0.7, 0.1]), 0.75);
});

Deno.test("rocAuc() throws a RangeError when only one class is present", () => {
  assert.throws(() => rocAuc([true, true], [0.1, 0.9]), {
    name: "RangeError",
    message: "Expected both classes in yTrue for ROC AUC but found 2 positive and 0 negative",
  });
  assert.throws(() => rocAuc([false], [0.1]), RangeError);
  assert.throws(() => rocAuc([], []), RangeError);
});

Deno.test("PR metrics throw a RangeError without positives; all functions reject bad scores", () => {
  assert.throws(() => prAuc([false, false], [0.1, 0.2]), RangeError);
  assert.throws(() => averagePrecision([false], [0.3]), RangeError);
  assert.throws(() => rocAuc([true, false], [NaN, 0.1]), {
    name: "RangeError",
    message: "Expected scores[0] to be a finite number but found NaN",
  });
  assert.throws(() => prAuc([true], [0.1, 0.2]), RangeError);
});

Deno.test("rocAuc() is exact on 100,000 rows (integer trapezoids)", () => {
  const n = 100_000;
  const y: boolean[] = [];
  const s: number[] = [];
  for (let i = 0; i < n; i++) {
    y.push(i % 3 === 0);
    s.push((i * 7919) % 1000); // 1000 distinct scores, many ties
  }
  // brute force Mann-Whitney over score levels
  const pos = new Array(1000).fill(0), neg = new Array(1000).fill(0);
  for (let i = 0; i < n; i++) (y[i] ? pos : neg)[s[i]!]++;
  let wins = 0, below = 0, P = 0, N = 0;
  for (let v = 0; v < 1000; v++) {
    wins += pos[v] * below + 0.5 * pos[v] * neg[v];
    below += neg[v];
    P += pos[v];
    N += neg[v];
  }
  assert.equal(rocAuc(y, s), wins / (P * N));
});
