/**
 * The documented limits and refusals of lib/stats, each pinned on its own (cases found by
 * `deno task mutate stats`: every one of these mutants survived the other tests).
 */
import assert from "node:assert/strict";
import { jensenShannon, ksTwoSample, psi, studentTCdf, wasserstein } from "../../lib/stats/mod.ts";
import { regularizedGammaQ } from "../../lib/stats/special_functions.ts";

Deno.test("psi() refuses an empty sample on either side, naming both sizes", () => {
  assert.throws(() => psi([], [1, 2]), { name: "RangeError", message: /non-empty.*0 and 2/ });
  assert.throws(() => psi([1, 2], []), { name: "RangeError", message: /non-empty.*2 and 0/ });
});

Deno.test("wasserstein() with weights on both sides matches SciPy's documented example", () => {
  // scipy.stats.wasserstein_distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4], [1.4, 0.9, 3.1, 7.2], [3.2, 3.5])
  const w = wasserstein([3.4, 3.9, 7.5, 7.8], [4.5, 1.4], {
    uWeights: [1.4, 0.9, 3.1, 7.2],
    vWeights: [3.2, 3.5],
  });
  assert.ok(Math.abs(w - 4.0781331438047861) < 1e-13, `${w}`);
});

Deno.test("wasserstein() refuses NaN in a weighted sample", () => {
  assert.throws(() => wasserstein([1, NaN], [1, 2], { uWeights: [1, 1] }), {
    name: "RangeError",
    message: /u to hold no NaN/,
  });
});

Deno.test("studentTCdf(NaN) is NaN, not a probability", () => {
  assert.ok(Number.isNaN(studentTCdf(NaN, 5)));
});

Deno.test("regularizedGammaQ() refuses a = 0 and is 0 at x = ∞", () => {
  assert.throws(() => regularizedGammaQ(0, 1), { name: "RangeError", message: /a to be > 0/ });
  assert.equal(regularizedGammaQ(2, Infinity), 0);
});

Deno.test("jensenShannon() is infinite when either side holds a negative weight", () => {
  assert.equal(jensenShannon([-0.5, 1.5], [0.5, 0.5]), Infinity);
  assert.equal(jensenShannon([0.5, 0.5], [-0.5, 1.5]), Infinity);
});

Deno.test("ksTwoSample() falls back from exact to asymptotic when n1·n2/gcd² reaches 2^31", () => {
  // 46341 · 46343 > 2^31 − 1 with gcd 1: SciPy's ks_2samp switches to 'asymp' here.
  const a = Float64Array.from({ length: 46341 }, (_, i) => i / 46341);
  const b = Float64Array.from({ length: 46343 }, (_, i) => (i + 0.5) / 46343);
  const r = ksTwoSample(a, b, { method: "exact" });
  assert.equal(r.requestedMethod, "exact");
  assert.equal(r.method, "asymp");
  // Small samples keep the exact method.
  const small = ksTwoSample(a.subarray(0, 300), b.subarray(0, 301), { method: "exact" });
  assert.equal(small.method, "exact");
});
