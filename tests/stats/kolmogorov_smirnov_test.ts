import assert from "node:assert/strict";
import { ksStatisticSorted, ksTwoSample, sortFloat64 } from "../../lib/stats/kolmogorov_smirnov.ts";
import { loadDriftFixtures } from "./_stats_fixtures.ts";

const fx = loadDriftFixtures();

function assertClose(actual: number, expected: number, rtol = 1e-9, what = "") {
  const err = actual === expected ? 0 : Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(err <= rtol, `${what}: ${actual} vs SciPy ${expected} (relative error ${err})`);
}

Deno.test("ksTwoSample() matches scipy.stats.ks_2samp statistic and p-value in exact, asymp and auto modes", async (t) => {
  for (const c of fx.ks_2samp) {
    await t.step(`${c.name} method=${c.method}`, () => {
      const r = ksTwoSample(c.a, c.b, { method: c.method });
      assertClose(r.statistic, c.statistic, 1e-9, "statistic");
      assertClose(r.pValue, c.pvalue, 1e-9, "p-value");
      assert.equal(r.n1, c.a.length);
      assert.equal(r.n2, c.b.length);
    });
  }
});

Deno.test("ksTwoSample() auto uses the exact distribution up to 10,000 and the asymptotic one above", () => {
  const small = ksTwoSample([1, 2, 3], [2, 3, 4]);
  assert.equal(small.method, "exact");
  const big = Array.from({ length: 10001 }, (_, i) => i % 97);
  assert.equal(ksTwoSample(big, big.map((x) => x + 1)).method, "asymp");
});

Deno.test("ksTwoSample() handles ties exactly and gives D = 0, p = 1 for identical samples", () => {
  const r = ksTwoSample([1, 1, 2, 2, 3], [3, 2, 1, 2, 1]);
  assert.equal(r.statistic, 0);
  assert.equal(r.pValue, 1);
});

Deno.test("ksTwoSample() rejects empty samples, NaN and unknown methods", () => {
  assert.throws(() => ksTwoSample([], [1]), RangeError);
  assert.throws(() => ksTwoSample([1, NaN], [1]), /NaN at index 1/);
  // @ts-expect-error: invalid on purpose
  assert.throws(() => ksTwoSample([1], [1], { method: "fast" }), RangeError);
});

Deno.test("ksStatisticSorted() gives the same D as the sorting entry point in one linear pass", () => {
  const a = [0.1, 0.4, 0.4, 0.9, 1.5];
  const b = [0.2, 0.4, 1.1, 1.2];
  assert.equal(ksStatisticSorted(a, b).statistic, ksTwoSample(a, b, { method: "asymp" }).statistic);
});

Deno.test("sortFloat64() radix-sorts like the built-in sort, including negatives, zeros and infinities", async (t) => {
  for (const n of [10, 5000, 200000]) {
    await t.step(`n=${n}`, () => {
      let s = n;
      const next = () => (s = (s * 16807) % 2147483647) / 2147483647;
      const a = Float64Array.from({ length: n }, (_, i) => (next() - 0.5) * 10 ** ((i % 13) - 6));
      a[0] = -Infinity;
      a[1] = Infinity;
      a[2] = -0;
      a[3] = 5e-324;
      const expected = a.slice().sort();
      assert.deepEqual(Array.from(sortFloat64(a)), Array.from(expected));
    });
  }
});
