import assert from "node:assert/strict";
import { benjaminiHochberg, bonferroni } from "../../lib/stats/multiple_testing.ts";
import { loadDriftFixtures } from "./_stats_fixtures.ts";

const fx = loadDriftFixtures();
const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-12 * Math.abs(b);

Deno.test("benjaminiHochberg() matches scipy.stats.false_discovery_control for bh and by", () => {
  for (const c of fx.multiple_testing) {
    const bh = benjaminiHochberg(c.p);
    const by = benjaminiHochberg(c.p, { method: "by" });
    c.bh.forEach((e: number, i: number) => assert.ok(close(bh[i]!, e), `bh ${bh[i]} vs ${e}`));
    c.by.forEach((e: number, i: number) => assert.ok(close(by[i]!, e), `by ${by[i]} vs ${e}`));
  }
});

Deno.test("bonferroni() multiplies by the number of tests and caps at 1", () => {
  for (const c of fx.multiple_testing) {
    assert.deepEqual(
      bonferroni(c.p).map((x) => +x.toPrecision(12)),
      c.bonferroni.map((x: number) => +x.toPrecision(12)),
    );
  }
});

Deno.test("benjaminiHochberg() rejects p-values outside [0, 1]", () => {
  assert.throws(() => benjaminiHochberg([0.5, 1.5]), RangeError);
});
