import assert from "node:assert/strict";
import { DatasetManager } from "../../lib/datasets/manager.ts";
import { detectDataDrift, runDriftCheck } from "../../lib/drift/mod.ts";
import { ksTwoSample } from "../../lib/stats/kolmogorov_smirnov.ts";
import { benjaminiHochberg } from "../../lib/stats/multiple_testing.ts";
import { wasserstein } from "../../lib/stats/wasserstein.ts";
import { loadDriftFixtures } from "../stats/_stats_fixtures.ts";

const fx = loadDriftFixtures();
const datasets = new DatasetManager({
  basePath: new URL("../../datasets", import.meta.url).pathname,
});

Deno.test("runDriftCheck() flags the shipped drifted dataset on exactly income, credit score and loan purpose", async () => {
  const reference = await datasets.load("baseline_v1");
  const current = await datasets.load("current_month");
  const report = runDriftCheck({ reference, current });
  assert.equal(report.summary.driftDetected, true);
  assert.deepEqual(report.summary.driftedFeatures.sort(), [
    "annual_income",
    "credit_score",
    "loan_purpose",
  ]);
  const purpose = report.features.find((f) => f.name === "loan_purpose")!;
  assert.ok(
    purpose.unseenCategories!.length >= 1,
    "the new loan_purpose category is reported as unseen",
  );
  assert.ok(!report.features.some((f) => f.name === "request_id" || f.name === "applicant_name"));
  assert.equal(report.target?.name, "expected_outcome");
});

Deno.test("runDriftCheck() does not flag two halves of one distribution (false-positive check)", async () => {
  const base = await datasets.load("baseline_v1");
  const half = Math.floor(base.rows.length / 2);
  const first = { ...base, rows: base.rows.slice(0, half) };
  const second = { ...base, rows: base.rows.slice(half) };
  const report = runDriftCheck({ reference: first, current: second });
  assert.equal(report.summary.driftDetected, false, report.toText());
  assert.equal(report.summary.driftedCount, 0);
  // and with the distance tests (full-size halves, sizeThreshold lowered)
  const large = runDriftCheck({ reference: first, current: second, sizeThreshold: 100 });
  assert.equal(large.features[0]!.test, "wasserstein");
  assert.equal(large.summary.driftDetected, false, large.toText());
});

Deno.test("detectDataDrift() picks KS/chi-square for small references and Wasserstein/JS for large ones", () => {
  const n = (k: number) => Array.from({ length: k }, (_, i) => (i * 7919) % 1000);
  const c = (k: number) => Array.from({ length: k }, (_, i) => ["a", "b", "c"][i % 3]);
  const small = detectDataDrift({ x: n(500), y: c(500) }, { x: n(400), y: c(400) });
  assert.deepEqual(small.features.map((f) => f.test), ["ks", "chi_square"]);
  const large = detectDataDrift({ x: n(1500), y: c(1500) }, { x: n(400), y: c(400) });
  assert.deepEqual(large.features.map((f) => f.test), ["wasserstein", "jensen_shannon"]);
  const overridden = detectDataDrift({ x: n(1500), y: c(1500) }, { x: n(400), y: c(400) }, {
    perColumn: { x: { test: "psi", threshold: 0.2 }, y: { test: "chi_square" } },
  });
  assert.deepEqual(overridden.features.map((f) => [f.test, f.threshold]), [["psi", 0.2], [
    "chi_square",
    0.05,
  ]]);
  assert.throws(
    () => detectDataDrift({ y: c(10) }, { y: c(10) }, { perColumn: { y: { test: "ks" } } }),
    /wrong column kind/,
  );
});

Deno.test("detectDataDrift() carries SciPy-exact KS p-values and Wasserstein distances into each feature", () => {
  const c = fx.ks_2samp.find((k: { method: string; a: number[] }) =>
    k.method === "auto" && k.a.length === 300
  );
  const report = detectDataDrift({ x: c.a }, { x: c.b }, { correction: "none" });
  const f = report.features[0]!;
  assert.equal(f.test, "ks");
  assert.ok(Math.abs(f.score - c.pvalue) <= 1e-9 * c.pvalue);
  assert.ok(Math.abs(f.statistics.ks!.statistic - c.statistic) <= 1e-12);
  assert.equal(f.statistics.wasserstein!.distance, wasserstein(c.a, c.b));
  assert.equal(f.statistics.ks!.method, "exact");
  assert.deepEqual([f.statistics.ks!.n1, f.statistics.ks!.n2], [c.a.length, c.b.length]);
});

Deno.test("detectDataDrift() stores how every score was computed (bins, edges, base, sizes, epsilon)", () => {
  const x = Array.from({ length: 100 }, (_, i) => i);
  const report = detectDataDrift({ x, k: x.map((i) => `c${i % 7}`) }, {
    x: x.map((v) => v + 5),
    k: x.map((i) => `c${i % 6}`),
  });
  const [num, cat] = report.features;
  assert.equal(num!.statistics.psi!.binning, "reference-quantiles");
  assert.equal(num!.statistics.psi!.edges!.length, 9);
  assert.equal(num!.statistics.psi!.epsilon, 1e-4);
  assert.equal(num!.statistics.wasserstein!.stdFloor, 0.001);
  assert.equal(cat!.statistics.jensenShannon!.base, Math.E);
  assert.equal(cat!.statistics.psi!.binning, "categories");
  assert.equal(cat!.statistics.chiSquare!.dof, 6);
  assert.equal(report.settings.correction, "bh");
  assert.equal(
    detectDataDrift({ k: ["a", "b"] }, { k: ["a", "a"] }, { jsBase: 2 }).features[0]!.statistics
      .jensenShannon!.base,
    2,
  );
});

Deno.test("detectDataDrift() edge cases", async (t) => {
  await t.step("a constant column is tested as one category and does not drift", () => {
    const f = detectDataDrift({ c: Array(50).fill(3) }, { c: Array(40).fill(3) }).features[0]!;
    assert.equal(f.testedAs, "categorical");
    assert.deepEqual([f.statistics.chiSquare!.statistic, f.score, f.drifted], [0, 1, false]);
  });
  await t.step("an all-null column is skipped, not drifted", () => {
    const f = detectDataDrift({ z: [null, null] }, { z: [null, undefined] }).features[0]!;
    assert.equal(f.status, "skipped");
    assert.equal(f.drifted, false);
    assert.equal(f.reference.missingShare, 1);
  });
  await t.step("an empty current set skips every feature and detects nothing", () => {
    const r = detectDataDrift([{ a: 1, b: "x" }, { a: 2, b: "y" }], []);
    assert.deepEqual(r.summary.skippedFeatures, ["a", "b"]);
    assert.equal(r.summary.driftDetected, false);
    assert.equal(r.summary.share, 0);
  });
  await t.step("a single category has zero degrees of freedom and p-value 1", () => {
    const f = detectDataDrift({ k: ["x", "x", "x"] }, { k: ["x"] }).features[0]!;
    assert.deepEqual([f.statistics.chiSquare!.dof, f.score, f.statistics.jensenShannon!.distance], [
      0,
      1,
      0,
    ]);
  });
  await t.step("unseen categories are kept, reported and drive drift", () => {
    const ref = Array.from({ length: 300 }, (_, i) => ["car", "home"][i % 2]);
    const cur = Array.from({ length: 300 }, (_, i) => ["car", "home", "green_energy"][i % 3]);
    const f = detectDataDrift({ p: ref }, { p: cur }).features[0]!;
    assert.deepEqual(f.unseenCategories, ["green_energy"]);
    assert.equal(f.drifted, true);
    assert.ok(Number.isFinite(f.statistics.psi!.value));
  });
  await t.step(
    "NaN policy: null, undefined, NaN, ±Infinity and non-numbers are missing and excluded",
    () => {
      const clean = Array.from({ length: 60 }, (_, i) => i);
      const dirty = [...clean, null, undefined, NaN, Infinity, -Infinity, "12"];
      const a = detectDataDrift({ x: clean }, { x: clean.map((v) => v + 3) }).features[0]!;
      const b = detectDataDrift({ x: dirty }, { x: clean.map((v) => v + 3) }, {
        perColumn: { x: { kind: "numeric" } },
      }).features[0]!;
      assert.equal(b.reference.missing, 6);
      assert.equal(b.reference.count, 60);
      assert.equal(b.score, a.score);
      assert.deepEqual(b.statistics.ks, a.statistics.ks);
    },
  );
});

Deno.test("detectDataDrift() corrects p-values across features with BH (default), Bonferroni or none", () => {
  const n = 200;
  const base = Array.from({ length: n }, (_, i) => i);
  const ref = { a: base, b: base, c: base };
  const cur = { a: base.map((v) => v + 25), b: base.map((v) => v + 12), c: base };
  const none = detectDataDrift(ref, cur, { correction: "none" }).features.map((f) => f.score);
  const bonf = detectDataDrift(ref, cur, { correction: "bonferroni" }).features.map((f) =>
    f.adjustedPValue!
  );
  assert.deepEqual(bonf, none.map((p) => Math.min(p * 3, 1)));
  const bh = detectDataDrift(ref, cur).features.map((f) => f.adjustedPValue!);
  assert.deepEqual(bh, benjaminiHochberg(none));
  assert.ok(bh.every((p, i) => p >= none[i]!));
});

Deno.test("detectDataDrift() dataset drift follows driftShare (default: any drifted feature)", () => {
  const base = Array.from({ length: 200 }, (_, i) => i);
  const ref = { a: base, b: base, c: base };
  const cur = { a: base.map((v) => v + 60), b: base, c: base };
  assert.equal(detectDataDrift(ref, cur).summary.datasetDrift, true);
  const strict = detectDataDrift(ref, cur, { driftShare: 0.5 }).summary;
  assert.equal(strict.driftedCount, 1);
  assert.equal(strict.datasetDrift, false);
});

Deno.test("detectDataDrift() reports prediction drift and target drift separately from the share", () => {
  const ref = {
    age: Array.from({ length: 100 }, (_, i) => 20 + (i % 50)),
    y: Array.from({ length: 100 }, (_, i) => i % 2 ? "approve" : "reject"),
  };
  const cur = {
    age: ref.age,
    y: Array.from({ length: 100 }, (_, i) => i % 10 ? "approve" : "reject"),
  };
  const report = detectDataDrift(ref, cur, {
    target: "y",
    predictions: {
      reference: ref.y,
      current: Array(100).fill("approve"),
      name: "predicted_outcome",
    },
  });
  assert.equal(report.summary.testedCount, 1);
  assert.equal(report.summary.targetDrift, true);
  assert.equal(report.summary.predictionDrift, true);
  assert.equal(report.summary.datasetDrift, false);
  assert.equal(report.summary.driftDetected, true);
  assert.equal(report.prediction!.role, "prediction");
});

Deno.test("detectDataDrift() matches ksTwoSample on typed-array columns", () => {
  const a = Float64Array.from({ length: 3000 }, (_, i) => Math.sin(i) * 10);
  const b = Float64Array.from({ length: 2500 }, (_, i) => Math.sin(i * 1.3) * 10 + 0.5);
  const f = detectDataDrift({ v: a }, { v: b }).features[0]!;
  const direct = ksTwoSample(a, b);
  assert.equal(f.statistics.ks!.pValue, direct.pValue);
  assert.equal(f.statistics.ks!.statistic, direct.statistic);
});
