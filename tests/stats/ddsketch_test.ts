import assert from "node:assert/strict";
import { createRng } from "../../lib/_internal/rng.ts";
import { DDSketch } from "../../lib/stats/mod.ts";

/** Uniform [0, 1) draws from the project's seeded generator. */
function seeded(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

/** Pareto(xm, shape) by inversion: heavy right tail. */
function pareto(n: number, seed: number, xm = 1, shape = 1.2): Float64Array {
  const u = seeded(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = xm / Math.pow(1 - u(), 1 / shape);
  return out;
}

/** Log-normal(mu, sigma) by Box-Muller. */
function logNormal(n: number, seed: number, mu = 3, sigma = 1.5): Float64Array {
  const u = seeded(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    out[i] = Math.exp(mu + sigma * z);
  }
  return out;
}

/** The value at 0-based rank ⌊q(n−1)⌋ of sorted data (NumPy method="lower"). */
function exactLower(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

const QS = [0.5, 0.9, 0.95, 0.99, 0.999];
// α, plus room for rounding in the logarithm (the documented guarantee is α up to ~1e-13).
const bound = (alpha: number) => alpha * (1 + 1e-9);

function assertWithinBound(sketch: DDSketch, data: Float64Array, qs: number[]): void {
  const sorted = data.slice().sort();
  for (const q of qs) {
    const exact = exactLower(sorted, q);
    const est = sketch.quantile(q);
    const rel = Math.abs(est - exact) / Math.abs(exact);
    assert.ok(
      rel <= bound(sketch.relativeAccuracy),
      `q=${q}: estimate ${est} vs exact ${exact}, relative error ${rel}`,
    );
  }
}

Deno.test("DDSketch quantiles are within 1% of exact sorted quantiles on 1,000,000 heavy-tailed samples", async (t) => {
  for (
    const [name, data] of [
      ["Pareto(1, 1.2)", pareto(1_000_000, 7)],
      ["log-normal(3, 1.5)", logNormal(1_000_000, 11)],
    ] as const
  ) {
    await t.step(name, () => {
      const s = new DDSketch();
      for (let i = 0; i < data.length; i++) s.add(data[i]!);
      assert.equal(s.count, 1_000_000);
      assertWithinBound(s, data, QS);
      const sorted = data.slice().sort();
      assert.equal(s.min, sorted[0]);
      assert.equal(s.max, sorted[sorted.length - 1]);
    });
  }
});

Deno.test("DDSketch keeps a tighter bound when asked for relativeAccuracy 0.001", () => {
  const data = logNormal(200_000, 5);
  // at α = 0.1% one decade takes ~1,150 keys, so give room for these ~7 decades
  const s = new DDSketch({ relativeAccuracy: 0.001, maxBuckets: 16_384 });
  for (const v of data) s.add(v);
  assertWithinBound(s, data, [0.001, 0.01, 0.1, ...QS]);
});

Deno.test("when the store collapses only the lowest quantiles lose accuracy", () => {
  const data = logNormal(200_000, 5);
  const s = new DDSketch({ relativeAccuracy: 0.001 }); // 2048 keys ≈ 1.8 decades
  for (const v of data) s.add(v);
  assert.equal(s.bucketCount, 2048);
  assertWithinBound(s, data, [0.99, 0.999]); // above the collapsed bucket (~exp(5.65))
  const sorted = data.slice().sort();
  const low = exactLower(sorted, 0.01);
  assert.ok(Math.abs(s.quantile(0.01) - low) / low > 0.001, "p1 sits in the collapsed bucket");
});

Deno.test("values on and next to bucket boundaries γ^k keep the bound", () => {
  const alpha = 0.01;
  const gamma = (1 + alpha) / (1 - alpha);
  let worst = 0;
  for (let k = -2000; k <= 2000; k += 7) {
    const edge = Math.pow(gamma, k);
    for (const v of [edge, edge * (1 + 1e-15), edge * (1 - 1e-15), -edge]) {
      const s = new DDSketch({ relativeAccuracy: alpha, maxBuckets: 100_000 });
      s.add(-1e30); // outer values so that the answer is not clamped to min or max
      s.add(v);
      s.add(1e30);
      const rel = Math.abs(s.quantile(0.5) - v) / Math.abs(v);
      worst = Math.max(worst, rel);
    }
  }
  assert.ok(worst <= bound(alpha), `worst relative error ${worst}`);
  assert.ok(worst > alpha * 0.999, "boundaries are where the error reaches α");
});

Deno.test("DDSketch quantile(q) uses the lower rank ⌊q(n−1)⌋", () => {
  // widely spaced values, one per bucket, so the rank decides the answer
  const s = new DDSketch();
  for (const v of [1, 10, 100, 1000]) s.add(v);
  // ranks: q(n-1) = 0.3*3 = 0.9 -> 0 ; 0.34*3 = 1.02 -> 1 ; 0.66*3 = 1.98 -> 1 ; 0.67*3 = 2.01 -> 2
  const near = (a: number, b: number) => Math.abs(a - b) <= 0.01 * b;
  assert.ok(near(s.quantile(0.3), 1));
  assert.ok(near(s.quantile(0.34), 10));
  assert.ok(near(s.quantile(0.66), 10));
  assert.ok(near(s.quantile(0.67), 100));
  assert.equal(s.quantile(0), 1);
  assert.equal(s.quantile(1), 1000);
});

Deno.test("four DDSketches merged equal one sketch over all the data (identical JSON)", () => {
  const data = pareto(400_000, 3);
  const one = new DDSketch();
  const parts = [new DDSketch(), new DDSketch(), new DDSketch(), new DDSketch()];
  for (let i = 0; i < data.length; i++) {
    one.add(data[i]!);
    parts[i % 4]!.add(data[i]!);
  }
  const merged = parts[0]!.merge(parts[1]!).merge(parts[2]!).merge(parts[3]!);
  assert.equal(JSON.stringify(merged), JSON.stringify(one));
  for (const q of QS) assert.equal(merged.quantile(q), one.quantile(q));
});

Deno.test("merging is exact even when the stores collapse (small maxBuckets, any split)", () => {
  const data = logNormal(100_000, 9, 0, 6); // spans ~20 decades, far beyond 64 buckets
  for (const split of [(i: number) => i % 4, (i: number) => (i < 90_000 ? 0 : 1 + (i % 3))]) {
    const one = new DDSketch({ maxBuckets: 64 });
    const parts = Array.from({ length: 4 }, () => new DDSketch({ maxBuckets: 64 }));
    for (let i = 0; i < data.length; i++) {
      one.add(data[i]!);
      parts[split(i)]!.add(data[i]!);
    }
    const merged = parts[3]!.merge(parts[1]!).merge(parts[0]!).merge(parts[2]!);
    assert.deepEqual(merged.toJSON(), one.toJSON());
    assert.ok(one.bucketCount <= 64);
  }
});

Deno.test("merge() rejects sketches with a different relativeAccuracy or maxBuckets", () => {
  const a = new DDSketch();
  assert.throws(
    () => a.merge(new DDSketch({ relativeAccuracy: 0.02 })),
    {
      name: "RangeError",
      message: "Expected sketches with the same relativeAccuracy but found 0.01 and 0.02",
    },
  );
  assert.throws(() => a.merge(new DDSketch({ maxBuckets: 100 })), RangeError);
});

Deno.test("a sketch merged with itself doubles every count", () => {
  const s = new DDSketch();
  for (const v of [1, 2, 3, -4, 0]) s.add(v);
  s.merge(s);
  assert.equal(s.count, 10);
  assert.equal(s.sum, 4);
  assert.equal(s.zeroCount, 2);
});

Deno.test("memory stays bounded: 10,000,000 values over 24 decades keep at most maxBuckets buckets", () => {
  const u = seeded(13);
  const s = new DDSketch();
  const top = new Float64Array(10_000);
  let nTop = 0;
  for (let i = 0; i < 10_000_000; i++) {
    const v = Math.pow(10, -12 + 24 * u()); // log-uniform on [1e-12, 1e12)
    s.add(v);
    if (v > 1e11) top[nTop++ % top.length] = v;
  }
  assert.equal(s.count, 10_000_000);
  assert.ok(s.bucketCount <= 2048, `bucketCount ${s.bucketCount}`);
  assert.ok(s.byteLength <= 2048 * 8, `byteLength ${s.byteLength}`);
  // the span (about 2,763 keys) exceeded maxBuckets, so the lowest keys were collapsed
  assert.equal(s.bucketCount, 2048);
  // upper quantiles keep the guarantee: p99 of log-uniform [1e-12, 1e12) is 10^(-12 + 24*0.99)
  const expected = Math.pow(10, -12 + 24 * 0.99);
  assert.ok(Math.abs(s.quantile(0.99) - expected) / expected < 0.01 + 0.002);
});

Deno.test("negative values and zeros keep their order and the bound", () => {
  const u = seeded(21);
  const data = new Float64Array(100_000);
  for (let i = 0; i < data.length; i++) {
    const r = u();
    data[i] = r < 0.1 ? 0 : r < 0.55 ? -Math.exp(5 * u()) : Math.exp(5 * u());
  }
  const s = new DDSketch();
  for (const v of data) s.add(v);
  const sorted = data.slice().sort();
  for (const q of [0.01, 0.2, 0.4, 0.5, 0.52, 0.6, 0.8, 0.99]) {
    const exact = exactLower(sorted, q);
    const est = s.quantile(q);
    if (exact === 0) assert.equal(est, 0, `q=${q}`);
    else {assert.ok(
        Math.abs(est - exact) <= bound(0.01) * Math.abs(exact),
        `q=${q}: ${est} vs ${exact}`,
      );}
  }
  assert.equal(s.zeroCount, data.filter((v) => v === 0).length);
  assert.ok(s.quantile(0.2) < 0);
});

Deno.test("add() treats 0 and -0 as zero, and rejects NaN, infinities and bad counts", () => {
  const s = new DDSketch();
  s.add(0);
  s.add(-0);
  assert.equal(s.zeroCount, 2);
  assert.equal(s.quantile(0.5), 0);
  assert.throws(() => s.add(NaN), {
    name: "RangeError",
    message: "Expected value to be a finite number but found NaN",
  });
  assert.throws(() => s.add(Infinity), RangeError);
  assert.throws(() => s.add(-Infinity), RangeError);
  assert.throws(() => s.add(1, 0), {
    name: "RangeError",
    message: "Expected count to be a finite number > 0 but found 0",
  });
  assert.throws(() => s.add(1, -1), RangeError);
  assert.throws(() => s.add(1, NaN), RangeError);
  assert.equal(s.count, 2, "rejected values are not counted");
});

Deno.test("an empty sketch reports NaN quantiles, min, max and mean, and sum 0", () => {
  const s = new DDSketch();
  assert.ok(Number.isNaN(s.quantile(0.5)));
  assert.ok(Number.isNaN(s.min) && Number.isNaN(s.max) && Number.isNaN(s.mean));
  assert.equal(s.sum, 0);
  assert.equal(s.count, 0);
  assert.deepEqual(DDSketch.fromJSON(s.toJSON()).toJSON(), s.toJSON());
});

Deno.test("quantile() rejects q outside [0, 1]", () => {
  const s = new DDSketch();
  s.add(1);
  assert.throws(() => s.quantile(1.5), {
    name: "RangeError",
    message: "Expected q to be a number in [0, 1] but found 1.5",
  });
  assert.throws(() => s.quantile(NaN), RangeError);
});

Deno.test("weighted add(value, count) equals adding the value count times", () => {
  const a = new DDSketch();
  const b = new DDSketch();
  a.add(7.5, 3);
  a.add(120, 2);
  for (let i = 0; i < 3; i++) b.add(7.5);
  for (let i = 0; i < 2; i++) b.add(120);
  assert.deepEqual(a.toJSON(), b.toJSON());
  assert.equal(a.mean, (7.5 * 3 + 120 * 2) / 5);
});

Deno.test("toJSON() round-trips through JSON text and fromJSON() checks its input", () => {
  const s = new DDSketch({ relativeAccuracy: 0.02, maxBuckets: 512 });
  for (const v of logNormal(10_000, 1)) s.add(v);
  s.add(-3);
  s.add(0);
  const text = JSON.stringify(s);
  const back = DDSketch.fromJSON(JSON.parse(text));
  assert.equal(JSON.stringify(back), text);
  for (const q of QS) assert.equal(back.quantile(q), s.quantile(q));
  assert.equal(back.relativeAccuracy, 0.02);
  assert.equal(back.maxBuckets, 512);
  // the restored sketch keeps accepting values
  back.add(1);
  assert.equal(back.count, s.count + 1);
  assert.throws(() => DDSketch.fromJSON({} as never), TypeError);
  assert.throws(
    () => DDSketch.fromJSON({ ...s.toJSON(), version: 2 as never }),
    { name: "RangeError", message: "Expected DDSketch JSON version 1 but found 2" },
  );
  assert.throws(
    () => DDSketch.fromJSON({ ...s.toJSON(), positive: { offset: 0, counts: [-1] } }),
    RangeError,
  );
  assert.throws(() => DDSketch.fromJSON({ ...s.toJSON(), count: s.count + 1 }), RangeError);
});

Deno.test("the JSON form is stable: key order and bucket encoding are pinned", () => {
  const s = new DDSketch();
  s.add(1);
  s.add(1.015);
  s.add(-1);
  s.add(0);
  assert.equal(
    JSON.stringify(s),
    '{"format":"evalkit.ddsketch","version":1,"relativeAccuracy":0.01,"maxBuckets":2048,' +
      '"count":4,"sum":1.015,"min":-1,"max":1.015,"zeroCount":1,' +
      '"positive":{"offset":0,"counts":[1,1]},"negative":{"offset":0,"counts":[1]}}',
  );
});

Deno.test("constructor rejects out-of-range options", () => {
  assert.throws(() => new DDSketch({ relativeAccuracy: 0 }), RangeError);
  assert.throws(() => new DDSketch({ relativeAccuracy: 1 }), RangeError);
  assert.throws(() => new DDSketch({ maxBuckets: 1 }), {
    name: "RangeError",
    message: "Expected maxBuckets to be an integer >= 2 but found 1",
  });
});
