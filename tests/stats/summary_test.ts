import assert from "node:assert/strict";
import { meanStdCi, studentTCdf, studentTQuantile } from "../../lib/stats/mod.ts";
import { assertClose, loadStatsFixtures } from "./_stats_fixtures.ts";

const fixtures = loadStatsFixtures();

Deno.test("studentTQuantile() matches scipy.stats.t.ppf to 1e-9 relative for df 1..100 and large df", () => {
  let worst = 0, worstUpTo100 = 0;
  for (const { df, p, q } of fixtures.tQuantiles) {
    const got = studentTQuantile(p, df);
    const rel = q === 0 ? Math.abs(got) : Math.abs(got - q) / Math.abs(q);
    worst = Math.max(worst, rel);
    if (df <= 100) worstUpTo100 = Math.max(worstUpTo100, rel);
    assert.ok(rel <= 1e-9, `df=${df} p=${p}: expected ${q} but found ${got} (relative ${rel})`);
  }
  assert.ok(fixtures.tQuantiles.length >= 2000);
  // the implementation is far tighter than the contract; keep it that way
  assert.ok(worstUpTo100 < 1e-12, `worst relative error for df <= 100: ${worstUpTo100}`);
  assert.ok(worst < 1e-11, `worst relative error ${worst}`);
});

Deno.test("studentTCdf() inverts studentTQuantile()", () => {
  for (const df of [1, 2, 3, 7.5, 30, 200]) {
    for (const p of [1e-8, 0.01, 0.3, 0.5, 0.8, 0.999]) {
      assertClose(
        studentTCdf(studentTQuantile(p, df), df),
        p,
        1e-13 * Math.max(p, 1e-3),
        `df ${df} p ${p}`,
      );
    }
  }
});

Deno.test("studentTQuantile() handles the ends and rejects bad input", () => {
  assert.equal(studentTQuantile(0, 4), -Infinity);
  assert.equal(studentTQuantile(1, 4), Infinity);
  assert.equal(studentTQuantile(0.5, 4), 0);
  assert.throws(() => studentTQuantile(1.1, 4), RangeError);
  assert.throws(() => studentTQuantile(0.9, 0), {
    name: "RangeError",
    message: "Expected df to be a finite number > 0 but found 0",
  });
});

Deno.test("meanStdCi() matches NumPy and scipy.stats.t.interval on every fixture case", async (t) => {
  for (const c of fixtures.meanStdCi) {
    await t.step(`n=${c.n}, level=${c.level}`, () => {
      const r = meanStdCi(c.values, { level: c.level });
      assert.equal(r.n, c.n);
      assertClose(r.mean, c.mean, 1e-12, "mean");
      assertClose(r.std, c.std, 1e-12, "std");
      assertClose(r.ciLow, c.ciLow, 1e-12, "ciLow");
      assertClose(r.ciHigh, c.ciHigh, 1e-12, "ciHigh");
    });
  }
});

Deno.test("meanStdCi() with one value gives NaN std and interval; with none, NaN mean", () => {
  const one = meanStdCi([0.7]);
  assert.equal(one.mean, 0.7);
  assert.equal(one.n, 1);
  assert.ok(Number.isNaN(one.std) && Number.isNaN(one.ciLow) && Number.isNaN(one.ciHigh));
  const none = meanStdCi([]);
  assert.equal(none.n, 0);
  assert.ok(Number.isNaN(none.mean));
});

Deno.test("meanStdCi() collapses the interval when every trial agrees", () => {
  assert.deepEqual(meanStdCi([0.5, 0.5, 0.5]), {
    mean: 0.5,
    std: 0,
    ciLow: 0.5,
    ciHigh: 0.5,
    n: 3,
  });
});

Deno.test("meanStdCi() defaults to a 95% level and rejects bad input", () => {
  const v = [1, 2, 3, 4];
  assert.deepEqual(meanStdCi(v), meanStdCi(v, { level: 0.95 }));
  assert.ok(meanStdCi(v, { level: 0.99 }).ciHigh > meanStdCi(v).ciHigh);
  assert.throws(() => meanStdCi(v, { level: 95 }), {
    name: "RangeError",
    message: "Expected level to be in (0, 1) but found 95",
  });
  assert.throws(() => meanStdCi([1, NaN]), RangeError);
});
