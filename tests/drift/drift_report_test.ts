import assert from "node:assert/strict";
import { detectDataDrift, DriftReport } from "../../lib/drift/mod.ts";
import { metricSafeName } from "../../lib/drift/drift_report.ts";

function sample() {
  const base = Array.from({ length: 300 }, (_, i) => i);
  return detectDataDrift(
    {
      annual_income: base.map((v) => 30000 + v * 50),
      "loan purpose": base.map((i) => ["car", "home"][i % 2]),
    },
    {
      annual_income: base.map((v) => 40000 + v * 50),
      "loan purpose": base.map((i) => ["car", "home", "boat"][i % 3]),
    },
    { target: undefined },
  );
}

Deno.test("toMetrics() names metrics drift/<feature>/<statistic> and drift/share, finite values only", () => {
  const m = sample().toMetrics();
  for (
    const k of [
      "drift/annual_income/ks_statistic",
      "drift/annual_income/ks_pvalue",
      "drift/annual_income/wasserstein_norm",
      "drift/annual_income/psi",
      "drift/loan purpose/chi2_pvalue",
      "drift/loan purpose/js_distance",
      "drift/share",
      "drift/detected",
    ]
  ) assert.ok(k in m, `missing ${k}`);
  assert.equal(m["drift/share"], 1);
  assert.ok(Object.values(m).every(Number.isFinite));
  assert.equal(metricSafeName("a/b*c"), "a_b_c");
});

Deno.test("the Jupyter display bundle has text/plain, text/html and one Vega-Lite chart per feature", () => {
  const report = sample();
  const display = (report as unknown as Record<symbol, () => Record<string, unknown>>)[
    Symbol.for("Jupyter.display")
  ]!;
  const bundle = display.call(report);
  assert.match(bundle["text/plain"] as string, /DRIFT DETECTED: 2 of 2 features drifted/);
  assert.match(bundle["text/html"] as string, /<table[\s\S]*annual_income[\s\S]*<svg/);
  const spec = bundle["application/vnd.vegalite.v5+json"] as {
    $schema: string;
    concat: { mark: unknown }[];
  };
  assert.match(spec.$schema, /vega-lite\/v5/);
  assert.equal(spec.concat.length, 2);
});

Deno.test("toHtml() is a standalone page and escapes feature names", () => {
  const r = detectDataDrift({ "<b>x</b>": ["a", "b"] }, { "<b>x</b>": ["a", "b"] });
  const html = r.toHtml();
  assert.match(html, /^<!doctype html>/);
  assert.ok(!html.includes("<b>x</b>"));
  assert.ok(html.includes("&lt;b&gt;x&lt;/b&gt;"));
});

Deno.test("toJSON() round-trips through DriftReport.fromJSON()", () => {
  const r = sample();
  const back = DriftReport.fromJSON(JSON.stringify(r));
  assert.deepEqual(back.toMetrics(), r.toMetrics());
  assert.equal(back.toText(), r.toText());
});

Deno.test("the text report prints large scores in full (1000 stays 1000, not 1)", () => {
  const ref = Array.from({ length: 300 }, (_, i) => i % 2);
  const r = detectDataDrift({ x: ref }, { x: ref.map((v) => v + 1000) }, {
    perColumn: { x: { test: "wasserstein", threshold: 1000 } },
  });
  const f = r.features[0]!;
  assert.equal(f.statistics.wasserstein!.distance, 1000);
  assert.ok(f.score > 1000, `normed score ${f.score}`);
  assert.match(r.toText(), /Wasserstein \(normed\) \d{4}\S* >= 1000\b/);
  assert.match(r.toHtml(), /<td>1000<\/td>/, "the threshold cell");
});
