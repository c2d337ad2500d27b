import assert from "node:assert/strict";
import { detectPerformanceDrift } from "../../lib/drift/mod.ts";

Deno.test("detectPerformanceDrift() flags a metric degraded by more than 5% relative by default", () => {
  const r = detectPerformanceDrift({
    baselineMetrics: { accuracy: 0.9, f1: 0.8, latency_p95_ms: 1000 },
    currentMetrics: { accuracy: 0.86, f1: 0.79, latency_p95_ms: 1100 },
  });
  assert.equal(r.threshold, 0.05);
  assert.equal(r.hasDrift, true);
  assert.deepEqual(r.driftedMetrics, ["latency_p95_ms"]);
  assert.ok(Math.abs(r.metricDeltas.accuracy!.degradation - 0.04 / 0.9) < 1e-12);
  assert.equal(r.metricDeltas.latency_p95_ms!.greaterIsBetter, false);
});

Deno.test("detectPerformanceDrift() honours threshold and greaterIsBetter overrides", () => {
  const r = detectPerformanceDrift({
    baselineMetrics: { accuracy: 0.9, approval_rate: 0.5 },
    currentMetrics: { accuracy: 0.86, approval_rate: 0.4 },
    threshold: 0.1,
    greaterIsBetter: { approval_rate: false },
  });
  assert.equal(r.hasDrift, false);
  assert.ok(Math.abs(r.metricDeltas.approval_rate!.degradation - -0.2) < 1e-12);
});

Deno.test("detectPerformanceDrift() improvements never count as drift and unknown metrics are rejected", () => {
  const r = detectPerformanceDrift({ baselineMetrics: { f1: 0.5 }, currentMetrics: { f1: 0.9 } });
  assert.equal(r.hasDrift, false);
  assert.throws(
    () =>
      detectPerformanceDrift({ baselineMetrics: { f1: 1 }, currentMetrics: {}, metrics: ["f1"] }),
    RangeError,
  );
});
